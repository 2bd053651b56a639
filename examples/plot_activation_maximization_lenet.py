"""
What a unit responds to: LeNet-5 beside curvelet and Morlet atoms
=================================================================

A way to see what a unit of a network responds to is to ask for the image that
excites it most (activation maximisation: Erhan et al. 2009; Simonyan et al.
2014): gradient ascent on the input, here under a unit L2 budget,
‖x‖ <= 1, with :func:`~sklearn_sparsecode.inspection.maximize_activation`.
Every transformer of this package has a ``transform_vjp``, so the same call
works for the units of the LeNet-5 shipped with the package (trained on
Fashion-MNIST) and for the coefficients of the fixed transforms.

For a linear feature ⟨a, x⟩ the answer is known in closed form: the
normalised atom a/‖a‖. So is it for a first-layer unit of the CNN,
tanh(w·x + b): tanh is increasing, so the best unit-norm image is the
normalised filter w/‖w‖ inside the unit's 5 × 5 receptive field, and 0
elsewhere. The second layer is where the answer is not a filter any more.
"""

# %%
# The first layer: each maximiser is its filter
# ---------------------------------------------
# One unit per channel of LeNet-5's first layer (``act1``, after tanh): the one
# at the centre of the 28 × 28 map. The ascent starts from faint noise; the
# pixels outside the receptive field never get a gradient, and the norm bound
# shrinks their starting noise away.
import os

import matplotlib.pyplot as plt
import numpy as np

from sklearn_sparsecode import CNNFeatureExtractor, CurveletTransformer, MorletTransformer
from sklearn_sparsecode.inspection import maximize_activation

QUICK = os.environ.get("SKLEARN_SPARSECODE_QUICK") == "1"
max_iter = 80 if QUICK else 200
blank = np.zeros((1, 28, 28), dtype=np.float32)
settings = dict(pixel_range=None, max_norm=1.0, max_iter=max_iter, random_state=0)

first = CNNFeatureExtractor(weights="lenet5-fashion-mnist", output_layer="act1").fit(blank)
layer1 = maximize_activation(first, feature=[f"act1_{c}" for c in range(6)], **settings)
field1 = (slice(12, 17), slice(12, 17))  # the 5 x 5 pixels the centre unit (14, 14) sees
filters = first.layers_[0]["weight"][:, 0]
for c, (image, w) in enumerate(zip(layer1, filters)):
    inside = image[field1]
    cosine = np.sum(inside * w) / np.linalg.norm(inside) / np.linalg.norm(w)
    outside = np.abs(np.where(np.pad(np.ones((5, 5)), ((12, 11), (12, 11))) > 0, 0, image))
    print(f"channel {c}: cosine with its filter {cosine:.4f}, "
          f"largest pixel outside the field {outside.max():.1e}")

# %%
# The second layer, and the fixed atoms
# -------------------------------------
# The centre unit of each of the 16 channels of ``act2`` sees 14 × 14 pixels
# (a 5 × 5 convolution on 2 × 2-pooled first-layer maps). Beside them, the
# same ascent on one coefficient per orientation of a curvelet transform and
# of a Morlet bank (the real part at the centre of each band of their second
# scale): for these linear features it returns their atoms.
second = CNNFeatureExtractor(weights="lenet5-fashion-mnist", output_layer="act2").fit(blank)
layer2 = maximize_activation(second, feature=[f"act2_{c}" for c in range(16)], **settings)
values = second.transform(layer2)
names = list(second.get_feature_names_out())
reached = values[np.arange(16), [names.index(f"act2_{c}_5_5") for c in range(16)]]
print("second-layer activations reached (tanh, at most 1):", np.round(reached, 3))

curvelets = CurveletTransformer(n_scales=3, n_orientations=8).fit(blank)
morlet = MorletTransformer(n_scales=2, n_orientations=8).fit(blank)
curvelet_atoms = maximize_activation(curvelets, feature=[
    b.prefix for b in curvelets.bands_ if b.scale == 2 and b.part == "re"], **settings)
morlet_atoms = maximize_activation(morlet, feature=[
    b.prefix for b in morlet.bands_ if b.scale == 2 and b.part == "re"], **settings)
field2 = (slice(8, 22), slice(8, 22))  # the 14 x 14 pixels around the centre

rows = [("LeNet-5 layer 1\n(5 x 5 field)", [x[field1] for x in layer1]),
        ("LeNet-5 layer 2\n(14 x 14 field)", [x[field2] for x in layer2]),
        ("curvelets\n(scale 2)", [x[field2] for x in curvelet_atoms]),
        ("Morlet\n(scale 2)", [x[field2] for x in morlet_atoms])]
fig, axes = plt.subplots(len(rows), 16, figsize=(13, 4.2))
for axes_row, (label, images) in zip(axes, rows):
    for ax in axes_row:
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_frame_on(False)
    for ax, image in zip(axes_row, images):
        limit = np.abs(image).max()
        ax.imshow(image, cmap="RdBu_r", vmin=-limit, vmax=limit, interpolation="nearest")
    axes_row[0].set_ylabel(label, fontsize=7, rotation=0, ha="right", va="center")
fig.suptitle("Unit-norm images that maximise one unit (red: positive pixels)", fontsize=9)
plt.show()

# %%
# What the figure shows
# ---------------------
# The first row is LeNet-5's six first-layer filters (the printed cosines are
# 1.0000): small, rough patterns confined to 5 × 5 pixels, the closed form
# above. The second row is where depth shows: each second-layer unit combines
# the six first-layer maps over a 14 × 14 field, and what excites it most is a
# larger pattern of oriented strokes, some of them bent, which no single
# first-layer filter contains. The tanh of these units is pushed close to its
# ceiling of 1 (printed above) by images of unit norm. The last two rows are
# fixed atoms, one per orientation: curvelets and Morlet wavelets at a
# comparable scale, smooth oscillations along one direction. The learned
# second layer is tuned to oriented structure like them, but its patterns are
# irregular: learned from the clothes of Fashion-MNIST, not designed.
