"""
What the fixed first layers look like
=====================================

Every front end of this package is a fixed linear map followed by a
non-linearity. Its rows, the *atoms*, say what it responds to. This example
draws the atoms of a wavelet and a curvelet transform, the first-layer filters
of the shipped LeNet-5 and every layer's responses to one image.
"""

# %%
# Wavelet atoms
# -------------
# A three-level Daubechies-4 transform: per level, the three detail bands
# (horizontal, vertical, diagonal) and, at the coarsest, the low-pass. Atoms
# double in size from level to level and have only three orientations.
import os

import matplotlib.pyplot as plt
import numpy as np

from sklearn_sparsecode import (
    CNNFeatureExtractor,
    CurveletTransformer,
    WaveletTransformer,
)
from sklearn_sparsecode.datasets import load_fashion_mnist, make_cartoon
from sklearn_sparsecode.plotting import plot_atoms, plot_filters, plot_responses

QUICK = os.environ.get("SKLEARN_SPARSECODE_QUICK") == "1"
size = 64 if QUICK else 128

wavelets = WaveletTransformer(wavelet="db4", n_scales=3).fit(np.zeros((1, size, size)))
plot_atoms(wavelets)
plt.show()

# %%
# Curvelet atoms
# --------------
# Curvelets add orientation: the number of angles doubles every other scale,
# and fine-scale atoms are needles whose width scales like their length
# squared (parabolic scaling), the shape that represents smooth edges sparsely.
curvelets = CurveletTransformer(n_scales=3 if QUICK else 4, n_orientations=8).fit(
    np.zeros((1, size, size)))
plot_atoms(curvelets)
plt.show()

# %%
# CNN filters
# -----------
# The LeNet-5 shipped with the package was trained on Fashion-MNIST; its first
# layer learned oriented edge and blob detectors, much like the atoms above.
# Without the data, the Gabor initialisation shows the same idea by design.
try:
    image = load_fashion_mnist(subset="test").images[0] / 255.0
    weights = "lenet5-fashion-mnist"
except FileNotFoundError:
    image = make_cartoon(28, random_state=0)
    weights = "gabor"
cnn = CNNFeatureExtractor(weights=weights, random_state=0).fit(image[None])
plot_filters(cnn, "conv1")
plt.show()

# %%
# Responses, layer by layer
# -------------------------
plot_responses(cnn, image, max_maps=8)
plt.show()
