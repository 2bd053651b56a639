"""
n-term approximation of a cartoon image
=======================================

How many coefficients does a system need to represent an image with a smooth
edge? Keep the n largest coefficients, reconstruct, and measure the relative
squared error. For piecewise-C² images with C² edges the theory predicts error
decay rates n^-1/2 (Fourier), n^-1 (wavelets) and n^-2 up to logs (curvelets).
``benchmarks/bench_nterm.py`` is the fuller study; this example computes the
curves with the public transforms.
"""

# %%
# The image
# ---------
# :func:`~sklearn_sparsecode.datasets.make_cartoon`: two smooth functions
# inside and outside a smooth star-shaped curve.
import os

import matplotlib.pyplot as plt
import numpy as np

from sklearn_sparsecode import CurveletTransformer, WaveletTransformer
from sklearn_sparsecode.datasets import make_cartoon
from sklearn_sparsecode.restoration import nterm_approximation

QUICK = os.environ.get("SKLEARN_SPARSECODE_QUICK") == "1"
image = make_cartoon(64 if QUICK else 128, random_state=0)
N = image.size
ns = np.unique(np.geomspace(N / 400, N / 8, 5 if QUICK else 6).astype(int))


def errors_of(transformer, method):
    """Relative squared error of the n-term approximations, for every n."""
    approximations = [nterm_approximation(image, transformer, n, method=method, max_iter=20)
                      for n in ns]
    return np.array([np.sum((image - a) ** 2) / np.sum(image**2) for a in approximations])


# %%
# Three systems, two ways to pick the terms
# -----------------------------------------
# The unitary 2-D DFT (each complex coefficient one term), an orthonormal
# Daubechies-4 wavelet (``mode="periodization"``) and the curvelet tight frame,
# through :func:`~sklearn_sparsecode.restoration.nterm_approximation`.
# ``method="largest"`` keeps the n largest coefficients (weighted by their
# atoms' norms): for the orthonormal wavelets that is the best n-term
# approximation. For a redundant frame it is only an upper bound, and
# ``method="iht"`` (iterative hard thresholding, started from it) searches for
# a sparser synthesis.
spectrum = np.sort(np.abs(np.fft.fft2(image, norm="ortho")).ravel() ** 2)[::-1]
wavelets = WaveletTransformer(wavelet="db4", mode="periodization")
curvelets = CurveletTransformer(n_orientations=4)
errors = {"Fourier": 1 - np.cumsum(spectrum)[ns - 1] / np.sum(image**2),
          "db4 wavelets": errors_of(wavelets, "largest"),
          "curvelets, keep largest": errors_of(curvelets, "largest"),
          "curvelets, IHT": errors_of(curvelets, "iht")}

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
left.imshow(image, cmap="gray")
left.set_title("cartoon: smooth regions, smooth edge")
left.set_axis_off()
small = ns <= N / 20
for label, err in errors.items():
    slope = np.polyfit(np.log(ns[small]), np.log(np.maximum(err[small], 1e-300)), 1)[0]
    right.loglog(ns, np.maximum(err, 1e-16), marker=".", label=f"{label} (slope {slope:.2f})")
right.set_xlabel("n (terms kept)")
right.set_ylabel("relative squared error")
right.legend()
fig.tight_layout()
plt.show()

# %%
# Reading the curves
# ------------------
# The sentences below are computed from the errors drawn above.
gain = errors["curvelets, keep largest"] / np.maximum(errors["curvelets, IHT"], 1e-300)
print(f"IHT lowers the curvelet error {gain.min():.1f}x to {gain.max():.1f}x at the same n.")
leader = min(("db4 wavelets", "curvelets, IHT"), key=lambda k: errors[k][-1])
print(f"At n = {ns[-1]} ({ns[-1] / N:.0%} of the pixels) the lower error is that of {leader}: "
      f"{errors['db4 wavelets'][-1]:.2e} (db4) against {errors['curvelets, IHT'][-1]:.2e} "
      "(curvelets, IHT).")
# %%
# At these small sizes finite-size effects (pixel-scale anti-aliasing of the
# edge, few curvelet scales) blur the asymptotic rates; ``benchmarks/bench_nterm.py``
# is the fuller study, at larger sizes.
