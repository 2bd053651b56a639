"""Invariance study: how much each representation moves under small transformations.

    python benchmarks/bench_invariance.py [--n-images 500]

For Fashion-MNIST test images x and a transformation g (translation by 1–4
pixels, rotation by 5–45°, dilation by 0.9–1.2× about the centre; scipy.ndimage,
linear interpolation, zero outside), the mean over images of

    ‖Φ(x) − Φ(g·x)‖ / ‖Φ(x)‖

for Φ = pixels, the Morlet coefficients (linear, undecimated), scattering of
orders 0–2, the order-1 and order-2 blocks alone, orders 1–2 and the invariant
options on orders 1–2 (rotation average / Fourier modulus over orientations,
scale average; order 0, the blurred image, is left out there because it
dominates the norm and has no orientation). The
scattering representations are J=2, L=8, periodic, without compression (the
raw Φ). Writes benchmarks/results/invariance.{json,md,png}.
"""

import argparse
import json

import numpy as np
from _common import RESULTS
from scipy import ndimage

from sklearn_sparsecode import MorletTransformer, ScatteringTransformer
from sklearn_sparsecode.datasets import load_fashion_mnist

TRANSFORMS = {
    "translation (px)": [1, 2, 3, 4],
    "rotation (deg)": [5, 10, 20, 30, 45],
    "dilation (x)": [0.9, 1.1, 1.2],
}


def transformed(images, kind, amount):
    if kind.startswith("translation"):  # diagonal shift by `amount` pixels along each axis
        return ndimage.shift(images, (0, amount, amount), order=1, mode="constant")
    if kind.startswith("rotation"):
        return ndimage.rotate(images, amount, axes=(1, 2), reshape=False, order=1,
                              mode="constant")
    centre = (np.array(images.shape[1:]) - 1) / 2
    matrix = np.diag([1.0, 1 / amount, 1 / amount])  # output pixel -> input pixel
    offset = np.r_[0.0, centre - centre / amount]
    return ndimage.affine_transform(images, matrix, offset=offset, order=1, mode="constant")


def representations(images):
    scat = dict(n_scales=2, n_orientations=8, padding="periodic", compression=None)

    def blocks(orders, **options):
        """transform restricted to the blocks of the given orders."""
        est = ScatteringTransformer(**scat, **options).fit(images)
        keep = np.concatenate([np.full(b.size, len(b.path) in orders) for b in est.bands_])
        return lambda X: est.transform(X)[:, keep]

    return {
        "pixels": lambda X: X.reshape(len(X), -1),
        "Morlet coefficients (J=2, L=8)": MorletTransformer(n_scales=2, n_orientations=8,
                                                           normalize="peak").fit(images).transform,
        "scattering orders 0-2": blocks((0, 1, 2)),
        "order 1 block": blocks((1,)),
        "order 2 block": blocks((2,)),
        "orders 1-2": blocks((1, 2)),
        "orders 1-2, rotation average": blocks((1, 2), rotation="average"),
        "orders 1-2, rotation fourier": blocks((1, 2), rotation="fourier"),
        "orders 1-2, scale average": blocks((1, 2), scale="average"),
        "orders 1-2, rotation + scale average": blocks((1, 2), rotation="average",
                                                      scale="average"),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-images", type=int, default=500)
    args = parser.parse_args()
    X = load_fashion_mnist(subset="test", return_X_y=True)[0][:args.n_images] / 255.0
    reps = representations(X)
    base = {name: phi(X) for name, phi in reps.items()}
    results = {}
    for kind, amounts in TRANSFORMS.items():
        for amount in amounts:
            moved = transformed(X, kind, amount)
            for name, phi in reps.items():
                change = (np.linalg.norm(phi(moved) - base[name], axis=1)
                          / np.linalg.norm(base[name], axis=1))
                results.setdefault(name, {}).setdefault(kind, {})[str(amount)] = float(
                    change.mean())
            print(kind, amount, {n: round(results[n][kind][str(amount)], 3) for n in reps},
                  flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "invariance.json").write_text(json.dumps(
        {"n_images": len(X), "results": results}, indent=2))
    header = ["representation"] + [f"{k.split()[0]} {a}" for k, v in TRANSFORMS.items()
                                   for a in v]
    lines = ["# Invariance study", "",
             f"`python benchmarks/bench_invariance.py --n-images {len(X)}`: mean relative "
             "change ‖Φ(x) − Φ(g·x)‖/‖Φ(x)‖ over Fashion-MNIST test images (lower is more "
             "invariant). Translations are diagonal (the amount along each axis).", "",
             "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name, by_kind in results.items():
        cells = [f"{by_kind[k][str(a)]:.3f}" for k, v in TRANSFORMS.items() for a in v]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    (RESULTS / "invariance.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.5))
    for ax, (kind, amounts) in zip(axes, TRANSFORMS.items()):
        for name, by_kind in results.items():
            ax.plot(amounts, [by_kind[kind][str(a)] for a in amounts], "o-", label=name)
        ax.set_xlabel(kind)
        ax.set_ylabel("mean ‖Φ(x) − Φ(g·x)‖ / ‖Φ(x)‖")
        ax.set_title(kind.split()[0])
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(RESULTS / "invariance.png", dpi=110)
    print(f"wrote {RESULTS / 'invariance.png'}")


if __name__ == "__main__":
    main()
