"""Rotation study: trained upright, tested rotated; roto-translation scattering against plain.

    python benchmarks/bench_rotation.py --dataset digits
    python benchmarks/bench_rotation.py --dataset fashion-mnist --n-train 10000 --n-test 10000

Front ends: ``ScatteringTransformer(n_scales=2, n_orientations=8)`` (square-root
compression, the default) plain, with ``rotation="average"`` (for reference) and
with ``rotation="roto-translation"`` for each ``--windows`` value (the half-width
in degrees of the rotations averaged; 180 is the whole circle). Head, the same
for all: StandardScaler + LogisticRegression, C chosen on a stratified 25%
validation split of the training images from {0.001, 0.01, 0.1, 1}, then refitted
on all training images.

Test sets: the clean test images and three rotated copies, each image rotated
about its centre by its own angle (seed 0), uniform in [−15°, 15°], in
[−45°, 45°] and in [0°, 360°), with ``scipy.ndimage.rotate(reshape=False,
order=1, mode="constant")``. Digits (8 × 8, first half train, second half
test) are first enlarged to 24 × 24 (linear interpolation on the pixel-area
grid) and put in a 32 × 32 zero canvas, the same for every front end: 8 × 8 is
too coarse to rotate and the digits touch its border.

Invariance curves: the mean over ``--n-curve`` clean test images of
‖S(rot x) − S(x)‖ / ‖S(x)‖ for rotations by fixed angles, S the features as
given to the head. Writes benchmarks/results/rotation_<dataset>.{json,md,png}.
"""

import argparse
import json
import time

import numpy as np
from scipy import ndimage
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from _common import RESULTS, write_results
from sklearn_sparsecode import ScatteringTransformer
from sklearn_sparsecode.datasets import load_train_test

SETTINGS = {"±15°": (-15.0, 15.0), "±45°": (-45.0, 45.0), "random": (0.0, 360.0)}
ANGLES = [5, 10, 15, 22.5, 30, 45, 60, 90, 135, 180]
C_GRID = [0.001, 0.01, 0.1, 1.0]


def enlarge_digits(X):
    """8 × 8 → 24 × 24 (linear, pixel-area grid) in a 32 × 32 zero canvas."""
    up = ndimage.zoom(X, (1, 3, 3), order=1, grid_mode=True, mode="nearest")
    return np.pad(up, ((0, 0), (4, 4), (4, 4))).astype(np.float32)


ORDER = [1]  # spline order of the rotations (--order)


def rotate(X, angles):
    return np.stack([ndimage.rotate(x, a, reshape=False, order=ORDER[0], mode="constant")
                     for x, a in zip(X, angles)]).astype(X.dtype)


def load(dataset, n_train, n_test):
    X_train, y_train, X_test, y_test = load_train_test(dataset, n_train=n_train, n_test=n_test)
    if dataset == "digits":
        X_train, X_test = enlarge_digits(X_train), enlarge_digits(X_test)
    rng = np.random.default_rng(0)
    tests = {"clean": X_test}
    for name, (low, high) in SETTINGS.items():
        tests[name] = rotate(X_test, rng.uniform(low, high, len(X_test)))
    return X_train.astype(np.float32), y_train, tests, y_test


def front_ends(windows):
    ends = {"plain": {}, "rotation='average'": dict(rotation="average")}
    for w in windows:
        ends[f"roto-translation {w:g}°"] = dict(rotation="roto-translation", rotation_window=w)
    return ends


def head(C):
    return make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=2000))


def evaluate(params, X_train, y_train, tests, y_test):
    est = ScatteringTransformer(n_scales=2, n_orientations=8, **params).fit(X_train[:1])
    tic = time.process_time()
    F_train = est.transform(X_train)
    seconds = time.process_time() - tic
    F_tests = {k: est.transform(v) for k, v in tests.items()}
    a, b, ya, yb = train_test_split(F_train, y_train, test_size=0.25, random_state=0,
                                    stratify=y_train)
    scores = {C: head(C).fit(a, ya).score(b, yb) for C in C_GRID}
    C = max(C_GRID, key=lambda c: (scores[c], -c))
    model = head(C).fit(F_train, y_train)
    acc = {k: float(model.score(v, y_test)) for k, v in F_tests.items()}
    acc["mean rotated"] = float(np.mean([acc[k] for k in SETTINGS]))
    return dict(acc, C=C, validation=float(scores[C]), n_features=int(F_train.shape[1]),
                transform_cpu_s_per_1000=1000 * seconds / len(X_train)), est


def curve(est, X):
    S0 = est.transform(X)
    norms = np.linalg.norm(S0, axis=1)
    return {str(a): float(np.mean(np.linalg.norm(est.transform(rotate(X, np.full(len(X), a)))
                                                 - S0, axis=1) / norms)) for a in ANGLES}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="digits", choices=["digits", "fashion-mnist"])
    parser.add_argument("--n-train", type=int, default=None)
    parser.add_argument("--n-test", type=int, default=None)
    parser.add_argument("--n-curve", type=int, default=300)
    parser.add_argument("--windows", type=float, nargs="+", default=[22.5, 45, 67.5, 90, 180])
    parser.add_argument("--order", type=int, default=1, choices=[1, 3],
                        help="spline order of scipy.ndimage.rotate for the test images")
    args = parser.parse_args()
    ORDER[0] = args.order
    suffix = "" if args.order == 1 else f"_order{args.order}"
    X_train, y_train, tests, y_test = load(args.dataset, args.n_train, args.n_test)
    rows, curves = {}, {}
    pixels = {str(a): float(np.mean(
        np.linalg.norm((rotate(tests["clean"][:args.n_curve], np.full(args.n_curve, a))
                        - tests["clean"][:args.n_curve]).reshape(args.n_curve, -1), axis=1)
        / np.linalg.norm(tests["clean"][:args.n_curve].reshape(args.n_curve, -1), axis=1)))
        for a in ANGLES}
    curves["pixels"] = pixels
    for name, params in front_ends(args.windows).items():
        rows[name], est = evaluate(params, X_train, y_train, tests, y_test)
        curves[name] = curve(est, tests["clean"][:args.n_curve])
        r = rows[name]
        print(f"{name:28s} clean {r['clean']:.4f}  ±15° {r['±15°']:.4f}  ±45° {r['±45°']:.4f}"
              f"  random {r['random']:.4f}  mean rotated {r['mean rotated']:.4f}  (C={r['C']})",
              flush=True)
    base = rows["plain"]
    header = ("| front end | clean | ±15° | ±45° | random | mean rotated | clean − plain "
              "| mean rotated − plain | C | features | transform CPU s / 1000 |")
    lines = [f"# Rotation study: {args.dataset}", "",
             f"`python benchmarks/bench_rotation.py --dataset {args.dataset}"
             + (f" --n-train {args.n_train}" if args.n_train else "")
             + (f" --n-test {args.n_test}" if args.n_test else "")
             + (f" --order {args.order}" if args.order != 1 else "")
             + f"`: {len(X_train)} training images (upright), {len(y_test)} test images. "
             "StandardScaler + LogisticRegression, C from a 25% validation split. Test images "
             f"rotated with scipy.ndimage.rotate(reshape=False, order={args.order}, "
             "mode='constant').", "",
             header, "|" + "---|" * 11]
    for name, r in rows.items():
        lines.append(f"| {name} | {r['clean']:.4f} | {r['±15°']:.4f} | {r['±45°']:.4f} | "
                     f"{r['random']:.4f} | {r['mean rotated']:.4f} | "
                     f"{100 * (r['clean'] - base['clean']):+.1f} pt | "
                     f"{100 * (r['mean rotated'] - base['mean rotated']):+.1f} pt | {r['C']} | "
                     f"{r['n_features']} | {r['transform_cpu_s_per_1000']:.2f} |")
    lines += ["", f"Invariance: mean ‖S(rot x) − S(x)‖ / ‖S(x)‖ over {args.n_curve} clean test "
              "images (features as given to the head).", "",
              "| representation | " + " | ".join(f"{a}°" for a in ANGLES) + " |",
              "|" + "---|" * (len(ANGLES) + 1)]
    for name, c in curves.items():
        lines.append(f"| {name} | " + " | ".join(f"{c[str(a)]:.3f}" for a in ANGLES) + " |")
    text = "\n".join(lines) + "\n"
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"rotation_{args.dataset}{suffix}.md").write_text(text)
    write_results(f"rotation_{args.dataset}{suffix}", {
        "dataset": args.dataset, "n_train": len(X_train), "n_test": len(y_test),
        "settings": {k: list(v) for k, v in SETTINGS.items()}, "rotate": "scipy.ndimage.rotate "
        f"reshape=False order={args.order} mode=constant, seed 0", "head": "StandardScaler + "
        "LogisticRegression, C from a stratified 25% validation split", "accuracy": rows,
        "invariance": curves, "angles": ANGLES})
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    fig, axes = plt.subplots(1, 2, figsize=(13, 4.5))
    for name, c in curves.items():
        axes[0].plot(ANGLES, [c[str(a)] for a in ANGLES], "o-", label=name,
                     color="grey" if name == "pixels" else None)
    axes[0].set_xlabel("rotation (degrees)")
    axes[0].set_ylabel("mean ‖S(rot x) − S(x)‖ / ‖S(x)‖")
    axes[0].set_title(f"invariance ({args.dataset})")
    axes[0].legend(fontsize=7)
    settings = ["clean", *SETTINGS]
    width = 0.8 / len(rows)
    for i, (name, r) in enumerate(rows.items()):
        axes[1].bar(np.arange(len(settings)) + i * width, [r[s] for s in settings], width,
                    label=name)
    axes[1].set_xticks(np.arange(len(settings)) + 0.4 - width / 2, settings)
    axes[1].set_ylabel("test accuracy (trained upright)")
    axes[1].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(RESULTS / f"rotation_{args.dataset}{suffix}.png", dpi=110)
    print(f"wrote {RESULTS / f'rotation_{args.dataset}{suffix}.png'}")


if __name__ == "__main__":
    main()
