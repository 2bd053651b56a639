"""Training LeNet-5 in numpy (CNNClassifier) against PyTorch 2.13 on the CPU, same threads.

    python benchmarks/bench_training.py [--n-images 10000] [--repeat 3] [--threads 1 2]

Same network (LeNet-5: tanh, average pooling, 28x28 padded to 32x32, plus a
10-way output layer), same float32 images (the first ``--n-images`` of
Fashion-MNIST, random images if it is not installed), same initial weights,
batch 128, Adam (lr 1e-3). Each epoch is timed in CPU seconds of this process
(``time.process_time``: the machine is shared, wall time is noisy); numpy and
PyTorch epochs alternate, both limited to the same number of threads
(threadpoolctl for numpy's BLAS, ``torch.set_num_threads``), and the best of
``--repeat`` epochs is kept. Reports images per CPU-second and per wall-second
and the ratio numpy / PyTorch (target: >= 1/3).

Also, in float64 on 4 images: each layer's weight gradient against central
finite differences on random directions and against PyTorch's autograd
(relative errors), and the cost of ``CNNFeatureExtractor.transform_vjp``
against ``transform`` (target: <= 3).
"""

import argparse
import time

import numpy as np
from threadpoolctl import threadpool_limits

from _common import RESULTS, print_table, write_results
from sklearn_sparsecode import CNNClassifier, CNNFeatureExtractor



def load_images(n):
    try:
        from sklearn_sparsecode.datasets import load_train_test

        X, y, _, _ = load_train_test("fashion-mnist", n_train=n, n_test=1)
        return X, y, "Fashion-MNIST"
    except FileNotFoundError:
        rng = np.random.default_rng(0)
        return rng.random((n, 28, 28), dtype=np.float32), rng.integers(0, 10, n), "random"


def torch_lenet5(state, torch, dtype=None):
    nn = torch.nn

    class LeNet5(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
            self.conv2 = nn.Conv2d(6, 16, 5)
            self.conv3 = nn.Conv2d(16, 120, 5)
            self.fc1 = nn.Linear(120, 84)
            self.output = nn.Linear(84, 10)

        def forward(self, x):
            x = nn.functional.avg_pool2d(torch.tanh(self.conv1(x)), 2)
            x = nn.functional.avg_pool2d(torch.tanh(self.conv2(x)), 2)
            x = torch.tanh(self.conv3(x)).flatten(1)
            return self.output(torch.tanh(self.fc1(x)))

    model = LeNet5().to(dtype or torch.float32)
    model.load_state_dict({key: torch.from_numpy(np.array(value)) for key, value in state.items()})
    return model


def speed(X, y, threads, repeat, torch):
    clf = CNNClassifier(random_state=0)
    with threadpool_limits(threads):
        clf.partial_fit(X[:256], y[:256], classes=np.arange(10))  # build, warm up
    model = torch_lenet5(clf.state_dict(), torch) if torch else None
    if torch:
        torch.set_num_threads(threads)
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        images, labels = torch.from_numpy(X)[:, None], torch.from_numpy(y.astype(np.int64))
        generator = torch.Generator().manual_seed(0)

    def torch_epoch():
        order = torch.randperm(len(images), generator=generator)
        for start in range(0, len(order), 128):
            batch = order[start:start + 128]
            optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(images[batch]), labels[batch])
            loss.backward()
            optimizer.step()

    def numpy_epoch():
        with threadpool_limits(threads):
            clf.partial_fit(X, y)

    times = {"numpy": [], "torch": []}
    for _ in range(repeat):
        for name, epoch in (("numpy", numpy_epoch), ("torch", torch_epoch)):
            if name == "torch" and not torch:
                continue
            cpu, wall = time.process_time(), time.perf_counter()
            epoch()
            times[name].append((time.process_time() - cpu, time.perf_counter() - wall))
    rows = []
    for name, label in (("numpy", "CNNClassifier (numpy)"),
                        ("torch", f"PyTorch {torch.__version__ if torch else ''}")):
        if times[name]:
            cpu = min(t[0] for t in times[name])
            wall = min(t[1] for t in times[name])
            rows.append({"method": label, "threads": threads, "cpu_s_per_epoch": round(cpu, 2),
                         "images_per_cpu_s": round(len(X) / cpu),
                         "images_per_wall_s": round(len(X) / wall)})
    if len(rows) == 2:
        ratio = rows[0]["images_per_cpu_s"] / rows[1]["images_per_cpu_s"]
        rows[0]["ratio_to_torch"] = rows[1]["ratio_to_torch"] = round(ratio, 3)
    return rows


def gradient_checks(torch):
    """Relative errors of each layer's weight gradient (float64, 4 images)."""
    rng = np.random.default_rng(0)
    X, y = rng.random((4, 28, 28)), np.array([0, 1, 2, 3])
    classes = np.arange(10)

    def network(state):
        # trainable=[]: the network is built with these weights and never stepped.
        return CNNClassifier(weights=state, trainable=[], max_iter=1).partial_fit(X, y, classes)

    state = CNNClassifier(random_state=0, trainable=[]).partial_fit(X, y, classes).state_dict()
    _, grads = network(state).loss_gradient(X, y)

    def loss_at(moved):
        return -np.mean(network(moved).predict_log_proba(X)[np.arange(len(y)), y])

    reference = {}
    if torch:
        model = torch_lenet5(state, torch, torch.float64)
        torch.nn.functional.cross_entropy(model(torch.from_numpy(X)[:, None]),
                                          torch.from_numpy(y)).backward()
        reference = {key: parameter.grad.numpy() for key, parameter in model.named_parameters()}
    rows, eps = [], 1e-6
    for key in state:
        worst = 0.0
        for _ in range(3):
            direction = rng.standard_normal(state[key].shape)
            plus = {**state, key: state[key] + eps * direction}
            minus = {**state, key: state[key] - eps * direction}
            numeric = (loss_at(plus) - loss_at(minus)) / (2 * eps)
            exact = float(np.sum(grads[key] * direction))
            worst = max(worst, abs(numeric - exact) / max(abs(numeric), abs(exact)))
        row = {"parameter": key, "finite_differences_rel_err": float(f"{worst:.2e}")}
        if reference:
            error = np.abs(grads[key] - reference[key]).max() / np.abs(reference[key]).max()
            row["torch_rel_err"] = float(f"{error:.2e}")
        rows.append(row)
    return rows


def vjp_cost(X, repeat):
    cnn = CNNFeatureExtractor(random_state=0).fit(X[:1])
    cotangent = np.random.default_rng(0).standard_normal((len(X), 84)).astype(np.float32)
    best = {}
    with threadpool_limits(1):
        for _ in range(repeat):
            for name, run in (("transform", lambda: cnn.transform(X)),
                              ("transform_vjp", lambda: cnn.transform_vjp(X, cotangent))):
                tic = time.process_time()
                run()
                best[name] = min(best.get(name, np.inf), time.process_time() - tic)
    return {"n_images": len(X), "transform_cpu_s": round(best["transform"], 3),
            "transform_vjp_cpu_s": round(best["transform_vjp"], 3),
            "ratio": round(best["transform_vjp"] / best["transform"], 2)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-images", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--quick", action="store_true",
                        help="512 images, one epoch each, one thread (the test suite's run)")
    parser.add_argument("--out-dir", default=str(RESULTS))
    args = parser.parse_args()
    if args.quick:
        args.n_images, args.repeat, args.threads = 512, 1, [1]
    try:
        import torch
    except ImportError:
        torch = None
        print("PyTorch not installed: pip install torch==2.13.0 (a CPU wheel on these machines)")
    X, y, source = load_images(args.n_images)
    print(f"LeNet-5 training, {len(X)} {source} images of 28x28, batch 128, Adam\n")
    rows = [row for threads in args.threads for row in speed(X, y, threads, args.repeat, torch)]
    print_table(rows, ["method", "threads", "cpu_s_per_epoch", "images_per_cpu_s",
                       "images_per_wall_s"] + (["ratio_to_torch"] if torch else []))
    checks = gradient_checks(torch)
    print("\nWeight gradients, float64, 4 images (max relative error over 3 directions)")
    print_table(checks, ["parameter", "finite_differences_rel_err"]
                + (["torch_rel_err"] if torch else []))
    cost = vjp_cost(X[:256 if args.quick else 2000], args.repeat)
    print(f"\nCNNFeatureExtractor (to act4) on {cost['n_images']} images, one thread: transform "
          f"{cost['transform_cpu_s']} s, transform_vjp {cost['transform_vjp_cpu_s']} s, "
          f"ratio {cost['ratio']}")
    write_results("bench_training" + ("_quick" if args.quick else ""),
                  {"args": vars(args), "images": source, "speed": rows,
                   "gradient_checks": checks, "transform_vjp_cost": cost},
                  directory=args.out_dir)


if __name__ == "__main__":
    main()
