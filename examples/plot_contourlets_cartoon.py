"""
Contourlets: atoms and bands of a cartoon
=========================================

:class:`~sklearn_sparsecode.ContourletTransformer` splits scales with a
Laplacian pyramid and orientations with a directional filter bank. This example
draws its atoms, then the bands of a cartoon image: at each scale only the
subbands whose orientation matches the local direction of the edge respond.
"""

# %%
# Atoms
# -----
# Two pyramid levels with 4 then 8 orientations (the default ``(4, 8)``).
# Contourlets are a biorthogonal frame, so these are synthesis atoms: the
# inverse transform of a unit coefficient.
import os

import matplotlib.pyplot as plt
import numpy as np

from sklearn_sparsecode import ContourletTransformer
from sklearn_sparsecode.datasets import make_cartoon
from sklearn_sparsecode.plotting import plot_atoms

QUICK = os.environ.get("SKLEARN_SPARSECODE_QUICK") == "1"
size = 64 if QUICK else 128
image = make_cartoon(size, random_state=0)
contourlets = ContourletTransformer(n_orientations=(4, 8)).fit(image[None])
plot_atoms(contourlets)
plt.show()

# %%
# Bands of a cartoon
# ------------------
# The magnitude of every subband of the finest scale, each on its own grid
# (subbands are sampled differently depending on their orientation).
coefs = contourlets.transform(image[None])[0]
finest = max(b.scale for b in contourlets.bands_)
bands = [b for b in contourlets.bands_ if b.scale == finest]
fig, axes = plt.subplots(2, 5, figsize=(13, 5.5))
axes[0, 0].imshow(image, cmap="gray")
axes[0, 0].set_title("image")
for ax, band in zip(axes.ravel()[1:], bands):
    ax.imshow(np.abs(coefs[band.start:band.stop]).reshape(band.shape), cmap="magma",
              aspect="auto")
    ax.set_title(f"{band.name}: {band.orientation:.0f}°")
for ax in axes.ravel():
    ax.set_axis_off()
fig.tight_layout()
plt.show()

# %%
# Energy by orientation, and the exact inverse
# --------------------------------------------
# The share of the finest scale's energy in each subband; and the transform's
# redundancy and reconstruction error.
energy = np.array([np.sum(coefs[b.start:b.stop] ** 2) for b in bands])
fig, ax = plt.subplots(figsize=(6, 3))
ax.bar([f"{b.orientation:.0f}°" for b in bands], energy / energy.sum())
ax.set_ylabel("share of the finest scale's energy")
fig.tight_layout()
plt.show()
error = np.abs(contourlets.inverse_transform(coefs[None])[0] - image).max()
print(f"{coefs.size / image.size:.3f} coefficients per pixel, "
      f"max reconstruction error {error:.1e}")
