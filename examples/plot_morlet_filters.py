"""
Morlet filters: atoms, tightness and responses
==============================================

:class:`~sklearn_sparsecode.MorletTransformer` is an undecimated bank of
oriented Morlet wavelets, the first layer of a scattering network. This example
draws its atoms, checks that the ``"tight"`` bank preserves energy, and shows
the modulus of each orientation's response to a cartoon image.
"""

# %%
# The atoms
# ---------
# Three scales, eight orientations in [0°, 180°): each atom is the real part
# of a Morlet wavelet (the imaginary part is its quadrature twin).
import os

import matplotlib.pyplot as plt
import numpy as np

from sklearn_sparsecode import MorletTransformer
from sklearn_sparsecode.datasets import make_cartoon
from sklearn_sparsecode.plotting import plot_atoms

QUICK = os.environ.get("SKLEARN_SPARSECODE_QUICK") == "1"
size = 64 if QUICK else 96
image = make_cartoon(size, random_state=1)
morlet = MorletTransformer(n_scales=3, n_orientations=8).fit(image[None])
plot_atoms(morlet, max_per_scale=8)
plt.show()

# %%
# A Parseval frame
# ----------------
# With ``normalize="tight"`` the Littlewood–Paley sum is 1: the coefficients
# have the image's energy and ``inverse_transform`` (the adjoint) is exact.
# Unit-peak filters (``"peak"``, Kymatio's gains) are a frame with bounds A < B.
coefs = morlet.transform(image[None])
print(f"‖W x‖ / ‖x‖ = {np.linalg.norm(coefs) / np.linalg.norm(image):.6f}, "
      f"reconstruction error {np.abs(morlet.inverse_transform(coefs)[0] - image).max():.1e}")
peak = MorletTransformer(n_scales=3, n_orientations=8, normalize="peak").fit(image[None])
print("peak-normalised frame bounds:", np.round(peak.plan_.frame_bounds, 3))

# %%
# Responses by orientation
# ------------------------
# The modulus ``|x ⋆ ψ|`` at the finest scale: each orientation lights up the
# parts of the edge whose normal points its way.
bands = {(b.scale, b.angle, b.part): b for b in morlet.bands_ if not b.lowpass}
fig, axes = plt.subplots(1, 5, figsize=(13, 2.9))
axes[0].imshow(image, cmap="gray")
axes[0].set_title("image")
for ax, angle in zip(axes[1:], (0, 2, 4, 6)):
    re, im = bands[(1, angle, "re")], bands[(1, angle, "im")]
    modulus = np.hypot(coefs[0, re.start:re.stop], coefs[0, im.start:im.stop])
    ax.imshow(modulus.reshape(re.shape), cmap="magma")
    ax.set_title(f"|x ⋆ ψ|, scale 1, {re.orientation:.1f}°")
for ax in axes:
    ax.set_axis_off()
fig.tight_layout()
plt.show()
