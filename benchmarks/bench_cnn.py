"""LeNet-5 forward pass: CNNFeatureExtractor (numpy) vs PyTorch on the CPU, same threads.

    python benchmarks/bench_cnn.py [--n-images 10000] [--repeat 3]

10,000 x 28 x 28 float32 images through LeNet-5 (tanh, average pooling) to the
84 F6 features, with identical weights; images/s, the ratio (target: >= 1.0,
at least as fast as PyTorch), peak traced memory, and the largest difference
between the two outputs.
"""

import argparse
import time
import tracemalloc

import numpy as np
from _common import print_table, write_results

from sklearn_sparsecode import CNNFeatureExtractor


def best_time(func, repeat):
    func()
    times = []
    for _ in range(repeat):
        tic = time.perf_counter()
        func()
        times.append(time.perf_counter() - tic)
    return min(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-images", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    X = np.random.default_rng(0).random((args.n_images, 28, 28), dtype=np.float32)
    rows = []
    for n_jobs in (1, args.threads):
        cnn = CNNFeatureExtractor(random_state=0, n_jobs=n_jobs).fit(X[:1])
        seconds = best_time(lambda: cnn.transform(X), args.repeat)
        tracemalloc.start()
        ours = cnn.transform(X)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        rows.append({"method": f"CNNFeatureExtractor n_jobs={n_jobs}", "seconds": seconds,
                     "peak_MiB": peak / 2**20})
    try:
        import torch
    except ImportError:
        torch = None
        print("PyTorch not installed: pip install torch==2.13.0 (a CPU wheel on these machines)")
    if torch is not None:
        torch.set_num_threads(args.threads)
        layer = {entry["name"]: entry for entry in cnn.layers_}

        def conv(name, **kw):
            out_channels, in_channels = layer[name]["weight"].shape[:2]
            module = torch.nn.Conv2d(in_channels, out_channels, 5, **kw)
            module.weight.data = torch.from_numpy(layer[name]["weight"].astype(np.float32))
            module.bias.data = torch.from_numpy(layer[name]["bias"].astype(np.float32))
            return module

        fc = torch.nn.Linear(120, 84)
        fc.weight.data = torch.from_numpy(layer["fc1"]["weight"].astype(np.float32))
        fc.bias.data = torch.from_numpy(layer["fc1"]["bias"].astype(np.float32))
        model = torch.nn.Sequential(
            conv("conv1", padding=2), torch.nn.Tanh(), torch.nn.AvgPool2d(2),
            conv("conv2"), torch.nn.Tanh(), torch.nn.AvgPool2d(2),
            conv("conv3"), torch.nn.Tanh(), torch.nn.Flatten(), fc, torch.nn.Tanh()).eval()
        images = torch.from_numpy(X)[:, None]

        def run_torch():
            with torch.inference_mode():
                return model(images)

        seconds = best_time(run_torch, args.repeat)
        reference = run_torch().numpy()
        # tracemalloc does not see PyTorch's native allocator: no peak figure.
        rows.append({"method": f"PyTorch {torch.__version__} ({args.threads} threads)",
                     "seconds": seconds, "peak_MiB": None})
        difference = float(np.abs(ours - reference).max())
        print(f"max |numpy - torch| = {difference:.2e}")
    reference_seconds = rows[-1]["seconds"]
    for row in rows:
        row["images_per_s"] = round(args.n_images / row["seconds"])
        row["speed_vs_last"] = round(reference_seconds / row["seconds"], 3)
        row["seconds"] = round(row["seconds"], 4)
        row["peak_MiB"] = None if row["peak_MiB"] is None else round(row["peak_MiB"], 1)
    print(f"LeNet-5 forward (to F6), {args.n_images} x 28 x 28 float32, best of {args.repeat}")
    print_table(rows, ["method", "seconds", "images_per_s", "speed_vs_last", "peak_MiB"])
    write_results("bench_cnn", {"rows": rows, "n_images": args.n_images,
                                "threads": args.threads,
                                "max_abs_difference_vs_torch": None if torch is None else difference})


if __name__ == "__main__":
    main()
