"""Training one layer of a random network (Raghu et al. 2016, Figure 6), digits and Fashion-MNIST.

    python benchmarks/bench_one_layer_training.py                 # full run
    python benchmarks/bench_one_layer_training.py --quick         # seconds (the test suite's run)

A fully connected network, input → 8 hidden layers of 100 hard-tanh units →
10 outputs (Raghu et al.: width 100, hard tanh, weight variance σ_w² = 1),
initialised with weights N(0, σ_w²/fan_in) and zero biases. For each weight
layer in turn (W0: input → h1, W1 … W7: h_k → h_k+1, output: h8 → classes) a
copy of the random network is trained with that layer alone, every other layer
frozen at its initialisation; also the untrained network and the network
trained whole, for reference. Adam (lr 1e-3, batch 128), 200 epochs on digits
(898 training images: scikit-learn's example split), 20 on Fashion-MNIST (60,000),
seeds 0, 1, 2 (the seed draws the initialisation and the batch order). Raghu
et al. train W1 … W7 (equal parameter counts) and find that the earlier the
trained layer, the higher the accuracy ("remaining depth").

Writes ``results/one_layer_training.json`` (every run) and
``results/one_layer_training.png`` (train and test accuracy against the
trained layer, mean and range over seeds).
"""

import argparse
import time
from pathlib import Path

import numpy as np

from _common import RESULTS, print_table, write_results
from sklearn_sparsecode import CNNClassifier, CNNFeatureExtractor
from sklearn_sparsecode.datasets import load_train_test


def architecture(depth, width, activation):
    spec = [{"type": "flatten", "name": "flatten"}]
    for k in range(depth):
        spec += [{"type": "dense", "name": f"W{k}", "out_features": width},
                 {"type": "activation", "name": f"h{k + 1}", "function": activation}]
    return spec


def gaussian_weights(n_inputs, depth, width, n_classes, sigma_w2, rng):
    """N(0, σ_w²/fan_in) weights and zero biases, in state_dict naming."""
    sizes = [n_inputs] + [width] * depth + [n_classes]
    names = [f"W{k}" for k in range(depth)] + ["output"]
    state = {}
    for name, fan_in, fan_out in zip(names, sizes[:-1], sizes[1:]):
        state[f"{name}.weight"] = rng.normal(0.0, np.sqrt(sigma_w2 / fan_in), (fan_out, fan_in))
        state[f"{name}.bias"] = np.zeros(fan_out)
    return state


def run(dataset, seeds, epochs, depth, width, sigma_w2, activation, n_train, n_test):
    X, y, X_test, y_test = load_train_test(dataset, n_train=n_train, n_test=n_test)
    X, X_test = X.astype(np.float32), X_test.astype(np.float32)
    layers = [f"W{k}" for k in range(depth)] + ["output"]
    rows = []
    for seed in seeds:
        state = gaussian_weights(X[0].size, depth, width, len(np.unique(y)), sigma_w2,
                                 np.random.default_rng(seed))
        for trained in ["none", "all"] + layers:
            tic = time.process_time()
            spec = architecture(depth, width, activation)
            if trained == "none":
                # The random network itself: its logits are the argmax of a forward pass.
                net = CNNFeatureExtractor(architecture=spec + [
                    {"type": "dense", "name": "output", "out_features": len(np.unique(y))}],
                    weights=state).fit(X[:1])
                score = {"train_accuracy": float(np.mean(net.transform(X).argmax(1) == y)),
                         "test_accuracy": float(np.mean(
                             net.transform(X_test).argmax(1) == y_test)), "final_loss": None}
            else:
                clf = CNNClassifier(architecture=spec, weights=state,
                                    trainable=None if trained == "all" else [trained],
                                    max_iter=epochs, random_state=seed).fit(X, y)
                score = {"train_accuracy": float(clf.score(X, y)),
                         "test_accuracy": float(clf.score(X_test, y_test)),
                         "final_loss": float(clf.loss_curve_[-1])}
            rows.append({"dataset": dataset, "seed": seed, "trained": trained, **score,
                         "cpu_seconds": time.process_time() - tic})
            print(f"{dataset} seed {seed} {trained:>6}: train {rows[-1]['train_accuracy']:.4f} "
                  f"test {rows[-1]['test_accuracy']:.4f} ({rows[-1]['cpu_seconds']:.1f} s)",
                  flush=True)
    return rows


def summarise(rows):
    table = []
    for dataset in dict.fromkeys(r["dataset"] for r in rows):
        for trained in dict.fromkeys(r["trained"] for r in rows if r["dataset"] == dataset):
            sel = [r for r in rows if r["dataset"] == dataset and r["trained"] == trained]
            train = np.array([r["train_accuracy"] for r in sel])
            test = np.array([r["test_accuracy"] for r in sel])
            table.append({"dataset": dataset, "trained": trained, "seeds": len(sel),
                          "train": f"{train.mean():.4f} [{train.min():.4f}, {train.max():.4f}]",
                          "test": f"{test.mean():.4f} [{test.min():.4f}, {test.max():.4f}]",
                          "train_mean": float(train.mean()), "test_mean": float(test.mean())})
    return table


def plot(rows, path, depth):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    datasets = list(dict.fromkeys(r["dataset"] for r in rows))
    layers = [f"W{k}" for k in range(depth)] + ["output"]
    fig, axes = plt.subplots(1, len(datasets), figsize=(5.2 * len(datasets), 3.8), squeeze=False)
    for ax, dataset in zip(axes[0], datasets):
        for key, colour in (("train_accuracy", "C0"), ("test_accuracy", "C1")):
            values = np.array([[r[key] for r in rows if r["dataset"] == dataset
                                and r["trained"] == layer] for layer in layers])
            mean = values.mean(axis=1)
            ax.plot(range(len(layers)), mean, "o-", color=colour, label=key.split("_")[0])
            ax.fill_between(range(len(layers)), values.min(axis=1), values.max(axis=1),
                            color=colour, alpha=0.25)
            whole = [r[key] for r in rows if r["dataset"] == dataset and r["trained"] == "all"]
            ax.axhline(np.mean(whole), color=colour, ls=":", lw=1,
                       label=f"{key.split('_')[0]}, all layers trained")
        ax.set_xticks(range(len(layers)), layers)
        ax.set_xlabel("the one layer trained (others frozen at random init)")
        ax.set_ylabel("accuracy")
        n_seeds = len({r["seed"] for r in rows if r["dataset"] == dataset})
        ax.set_title(f"{dataset}: mean and range over {n_seeds} seeds", fontsize=10)
        ax.legend(fontsize=7)
    fig.suptitle(f"Training one layer of a random hard-tanh network ({depth} hidden layers)",
                 fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    print(f"wrote {path}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=["digits", "fashion-mnist"])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--depth", type=int, default=8)
    parser.add_argument("--width", type=int, default=100)
    parser.add_argument("--sigma-w2", type=float, default=1.0)
    parser.add_argument("--activation", default="hardtanh")
    parser.add_argument("--epochs-digits", type=int, default=200)
    parser.add_argument("--epochs-fashion", type=int, default=20)
    parser.add_argument("--quick", action="store_true",
                        help="digits only, 2 seeds, depth 3, width 32, 20 epochs, 300 images")
    parser.add_argument("--out-dir", default=str(RESULTS))
    args = parser.parse_args()
    n_train = n_test = None
    if args.quick:
        args.datasets, args.seeds, args.depth, args.width = ["digits"], [0, 1], 3, 32
        args.epochs_digits, n_train, n_test = 20, 300, 300
    rows = []
    for dataset in args.datasets:
        epochs = args.epochs_digits if dataset == "digits" else args.epochs_fashion
        rows += run(dataset, args.seeds, epochs, args.depth, args.width, args.sigma_w2,
                    args.activation, n_train, n_test)
    table = summarise(rows)
    print()
    print_table(table, ["dataset", "trained", "seeds", "train", "test"])
    name = "one_layer_training" + ("_quick" if args.quick else "")
    write_results(name, {"args": vars(args), "summary": table, "runs": rows},
                  directory=Path(args.out_dir))
    plot(rows, Path(args.out_dir) / f"{name}.png", args.depth)


if __name__ == "__main__":
    main()
