"""n-term approximation of a cartoon image in Fourier, wavelet and curvelet systems.

    python examples/nterm_cartoon.py [--quick] [--out DIR]

Keeps the n largest coefficients of each system and plots the relative squared
error against n on log-log axes, with the fitted slopes (theory for
piecewise-C² images with C² edges: −1/2 Fourier, −1 wavelets, −2 curvelets up
to logs). Writes nterm_cartoon.png. benchmarks/bench_nterm.py is the fuller study.
"""

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from sklearn_sparsecode._nterm import fitted_slope, nterm_errors
from sklearn_sparsecode.datasets import make_cartoon

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--quick", action="store_true", help="a 128x128 image")
parser.add_argument("--out", default=".", help="folder for the PNG")
args = parser.parse_args()

image = make_cartoon(128 if args.quick else 256, random_state=0)
N = image.size
ns = np.unique(np.geomspace(N / 2000, N / 10, 12).astype(int))
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
left.imshow(image, cmap="gray")
left.set_title("cartoon: smooth regions, smooth edge")
left.set_axis_off()
for label, system, params in [("Fourier", "fourier", {}), ("db4 wavelets", "wavelet", {}),
                              ("curvelets", "curvelet", {"n_angles": 8})]:
    errors = nterm_errors(image, ns, system, **params)
    small = ns <= N / 100
    slope = fitted_slope(ns[small], errors[small])
    right.loglog(ns, np.maximum(errors, 1e-16), marker=".",
                 label=f"{label} (slope {slope:.2f})")
right.set_xlabel("n (terms kept)")
right.set_ylabel("relative squared error")
right.legend()
fig.tight_layout()
path = Path(args.out) / "nterm_cartoon.png"
fig.savefig(path, dpi=110)
print(f"wrote {path}")
