"""LeNet-5 whose first convolution starts from our frames, against random init, on Fashion-MNIST.

    python benchmarks/bench_frame_init.py                 # 60,000 images, 10 epochs, 3 seeds
    python benchmarks/bench_frame_init.py --n-train 20000 # the budget of the README's run
    python benchmarks/bench_frame_init.py --quick         # seconds (the test suite's run)

Seeds can run in parallel processes (``--seeds 0 --name part0 --skip-fixed``, ...)
and be summarised together with ``--merge results/part0.json results/part1.json``.

LeNet-5 (tanh, average pooling, 10-way output) trained by CNNClassifier with
the same budget for every condition: Adam (lr 1e-3), batch 128, ``--epochs``
passes over the ``--n-train`` first training images, test accuracy on the
10,000 test images after every epoch, seeds 0, 1, 2 (the seed draws the random
layers and the batch order; a frame condition and its random counterpart share
every random layer). Conditions:

(a) conv1 = our atoms (``weights="morlet"``: the finest Morlet atoms of our
    Morlet bank, real and imaginary parts at 3 orientations; ``"wavelet"``: a
    Gaussian and its derivatives at 5 orientations), frozen; the rest trained;
(b) the same start, everything trained (fine-tuned);
(c) PyTorch's default random init, everything trained (the usual baseline);
(a') random conv1 frozen, the rest trained (is it the atoms, or only freezing?);
(d) a fixed transform and the two-layer model's head, no CNN:
    ``make_two_layer_model(ScatteringTransformer(n_scales=2, padding="periodic"),
    sign="keep", head="logistic", C=0.01)`` fitted on the same training images.

Reports each condition's test accuracy per epoch (mean and range over seeds) and
the first epoch at which its mean reaches (c)'s final mean accuracy. Writes
``results/frame_init.json`` and ``results/frame_init.png``.
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np

from _common import RESULTS, print_table, write_results
from sklearn_sparsecode import ScatteringTransformer, make_two_layer_model
from sklearn_sparsecode import CNNClassifier
from sklearn_sparsecode.datasets import load_train_test

LAYERS = ["conv1", "conv2", "conv3", "fc1", "output"]


def conditions(frames):
    result = {"(c) random, all trained": ("random", None)}
    for frame in frames:
        result[f"(a) {frame}, conv1 frozen"] = (frame, LAYERS[1:])
        result[f"(b) {frame}, all trained"] = (frame, None)
    result["(a') random, conv1 frozen"] = ("random", LAYERS[1:])
    return result


def train_curves(X, y, X_test, y_test, seeds, epochs, frames, save=None):
    runs = []
    for seed in seeds:
        for name, (weights, trainable) in conditions(frames).items():
            tic = time.process_time()
            clf = CNNClassifier(weights=weights, trainable=trainable, random_state=seed)
            accuracy = []
            for _ in range(epochs):
                clf.partial_fit(X, y, classes=np.arange(10))
                accuracy.append(float(clf.score(X_test, y_test)))
            runs.append({"condition": name, "seed": seed, "test_accuracy": accuracy,
                         "loss": clf.loss_curve_, "train_accuracy": float(clf.score(X, y)),
                         "cpu_seconds": time.process_time() - tic})
            print(f"seed {seed} {name:<28} " + " ".join(f"{a:.4f}" for a in accuracy)
                  + f"  ({runs[-1]['cpu_seconds']:.0f} s)", flush=True)
            if save is not None:
                save(runs)
    return runs


def fixed_transform(X, y, X_test, y_test):
    tic = time.process_time()
    model = make_two_layer_model(ScatteringTransformer(n_scales=2, padding="periodic"),
                                 sign="keep", head="logistic", C=0.01)
    accuracy = float(model.fit(X, y).score(X_test, y_test))
    return {"condition": "(d) scattering J=2 + logistic head", "test_accuracy": accuracy,
            "cpu_seconds": time.process_time() - tic}


def summarise(runs, fixed):
    names = list(dict.fromkeys(r["condition"] for r in runs))
    curves = {name: np.array([r["test_accuracy"] for r in runs if r["condition"] == name])
              for name in names}
    target = curves["(c) random, all trained"].mean(axis=0)[-1]
    table = []
    for name, curve in curves.items():
        mean = curve.mean(axis=0)
        reached = np.flatnonzero(mean >= target)
        per_seed = [int(np.flatnonzero(c >= target)[0]) + 1 if np.any(c >= target) else None
                    for c in curve]
        table.append({"condition": name, "seeds": len(curve),
                      "epoch 1": f"{mean[0]:.4f}",
                      "final": f"{mean[-1]:.4f} [{curve[:, -1].min():.4f}, "
                               f"{curve[:, -1].max():.4f}]",
                      "epochs to (c) final": (int(reached[0]) + 1 if reached.size
                                              else f"not in {len(mean)}"),
                      "per seed": per_seed, "mean_curve": mean.tolist()})
    if fixed is not None:
        table.append({"condition": fixed["condition"], "seeds": 1, "epoch 1": "-",
                      "final": f"{fixed['test_accuracy']:.4f}",
                      "epochs to (c) final": "- (no epochs)",
                      "per seed": [], "mean_curve": []})
    return float(target), table


def plot(runs, fixed, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for k, name in enumerate(dict.fromkeys(r["condition"] for r in runs)):
        curve = np.array([r["test_accuracy"] for r in runs if r["condition"] == name])
        epochs = np.arange(1, curve.shape[1] + 1)
        style = "--" if "frozen" in name else "-"
        ax.plot(epochs, curve.mean(axis=0), style, marker="o", ms=3, color=f"C{k}",
                label=name)
        ax.fill_between(epochs, curve.min(axis=0), curve.max(axis=0), color=f"C{k}", alpha=0.2)
    if fixed is not None:
        ax.axhline(fixed["test_accuracy"], color="k", ls=":", label=fixed["condition"])
    ax.set_xlabel("epoch")
    ax.set_ylabel("test accuracy")
    n_seeds = len({r["seed"] for r in runs})
    ax.set_title(f"LeNet-5 on Fashion-MNIST: first layer from our frames vs random "
                 f"(mean and range over {n_seeds} seeds)", fontsize=9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    print(f"wrote {path}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--n-train", type=int, default=60000)
    parser.add_argument("--frames", nargs="+", default=["morlet", "wavelet"])
    parser.add_argument("--skip-fixed", action="store_true", help="leave out (d)")
    parser.add_argument("--quick", action="store_true",
                        help="600 training and 300 test images, 2 epochs, one seed")
    parser.add_argument("--out-dir", default=str(RESULTS))
    parser.add_argument("--name", default=None,
                        help="results file stem (default frame_init, frame_init_quick)")
    parser.add_argument("--merge", nargs="+", default=None, metavar="JSON",
                        help="summarise the runs (and (d)) of earlier result files, e.g. one "
                             "per seed run in parallel, instead of training")
    args = parser.parse_args()
    n_test = None
    if args.quick:
        args.epochs, args.seeds, args.n_train, args.frames, n_test = 2, [0], 600, ["morlet"], 300
    name = args.name or "frame_init" + ("_quick" if args.quick else "")
    out_dir = Path(args.out_dir)

    def save(runs, fixed=None, summary=None):
        target, table = summary or (None, None)
        write_results(name, {"args": vars(args), "target": target, "summary": table,
                             "fixed_transform": fixed, "runs": runs}, directory=out_dir)

    if args.merge:
        parts = [json.loads(Path(path).read_text()) for path in args.merge]
        runs = [run for part in parts for run in part["runs"]]
        fixed = next((part["fixed_transform"] for part in parts if part["fixed_transform"]),
                     None)
    else:
        X, y, X_test, y_test = load_train_test("fashion-mnist", n_train=args.n_train,
                                               n_test=n_test)
        runs = train_curves(X, y, X_test, y_test, args.seeds, args.epochs, args.frames, save)
        fixed = None if args.skip_fixed else fixed_transform(X, y, X_test, y_test)
    target, table = summarise(runs, fixed)
    print(f"\n(c)'s final mean test accuracy: {target:.4f}")
    print_table(table, ["condition", "seeds", "epoch 1", "final", "epochs to (c) final",
                        "per seed"])
    save(runs, fixed, (target, table))
    plot(runs, fixed, out_dir / f"{name}.png")


if __name__ == "__main__":
    main()
