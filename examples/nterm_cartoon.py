"""n-term approximation of a cartoon: wavelets, and curvelets kept two ways.

    python examples/nterm_cartoon.py [--quick] [--out DIR]

A cartoon (smooth regions separated by a smooth edge) is approximated with n
terms of an orthonormal db4 wavelet basis and of the curvelet tight frame. For
the basis, keeping the n largest coefficients is the best n-term
approximation. For the redundant curvelet frame it is not: sparse synthesis by
normalised iterative hard thresholding (``method="iht"``) finds much better n
terms. Writes nterm_cartoon.png (error curves and the approximations at one
budget). benchmarks/bench_nterm.py is the full study.
"""

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from sklearn_sparsecode import (
    CurveletTransformer,
    WaveletTransformer,
    band_atom_norms,
    nterm_approximation,
)
from sklearn_sparsecode.datasets import make_cartoon

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--quick", action="store_true", help="a 64x64 image, few iterations")
parser.add_argument("--out", default=".", help="folder for the PNG")
args = parser.parse_args()

# %%
# The image and the systems. A transformer fitted once (with its atom norms)
# is reused for every budget.
image = make_cartoon(64 if args.quick else 256, random_state=0)
N = image.size
ns = np.unique(np.geomspace(N / 512, N / 8, 6 if args.quick else 10).astype(int))
max_iter = 10 if args.quick else 60
db4 = WaveletTransformer(wavelet="db4").fit(image[None])
curvelets = CurveletTransformer(n_angles=16).fit(image[None])
norms = band_atom_norms(curvelets)


def error(approx):
    return np.sum((image - approx) ** 2) / np.sum(image**2)


# %%
# Relative squared error against the number of terms.
curves = {
    "db4 (largest = best)": [error(nterm_approximation(image, db4, n)) for n in ns],
    "curvelets, largest": [error(nterm_approximation(image, curvelets, n, atom_norms=norms))
                           for n in ns],
    "curvelets, IHT": [error(nterm_approximation(image, curvelets, n, method="iht",
                                                 atom_norms=norms, max_iter=max_iter))
                       for n in ns],
}
n_show = int(ns[len(ns) // 2])
shown = {
    "db4": nterm_approximation(image, db4, n_show),
    "curvelets IHT": nterm_approximation(image, curvelets, n_show, method="iht",
                                         atom_norms=norms, max_iter=max_iter),
}

# %%
# Plot the curves and the two approximations at one budget.
fig, axes = plt.subplots(1, 4, figsize=(16, 4))
axes[0].imshow(image, cmap="gray")
axes[0].set_title("cartoon")
for ax, (label, approx) in zip(axes[1:3], shown.items()):
    ax.imshow(approx, cmap="gray")
    ax.set_title(f"{label}, n = {n_show} ({100 * n_show / N:.1f}% of N)")
for ax in axes[:3]:
    ax.set_axis_off()
for label, errors in curves.items():
    axes[3].loglog(ns, np.maximum(errors, 1e-16), marker=".", label=label)
axes[3].set_xlabel("n (terms kept)")
axes[3].set_ylabel("relative squared error")
axes[3].legend(fontsize=8)
fig.tight_layout()
path = Path(args.out) / "nterm_cartoon.png"
fig.savefig(path, dpi=100)
print(f"wrote {path}")
