"""
Denoising a colour photograph, side by side with scikit-image
=============================================================

:func:`~sklearn_sparsecode.restoration.denoise` with its defaults (no σ given) against
scikit-image's colour wavelet denoiser
``denoise_wavelet(noisy, channel_axis=-1, convert2ycbcr=True, method="BayesShrink",
rescale_sigma=True)``. Both estimate the noise level themselves.

What ``denoise`` does: rotate the RGB channels into an orthonormal opponent space
(luminance, red−blue, green−magenta; white noise stays white and of the same σ),
estimate σ in each, and denoise each channel in two stages: BayesShrink soft
thresholding in ``sym4`` wavelets, then an empirical Wiener filter in Haar wavelets
that uses the first estimate as a pilot, each averaged over four circular shifts.
``benchmarks/bench_denoise_defaults.py`` is the study that chose these defaults.
"""

# %%
# A noisy photograph
# ------------------
# scikit-image's ``chelsea`` (a photograph the defaults were never tuned on),
# with white Gaussian noise of σ = 0.1 on the [0, 1] scale.
import os

import matplotlib.pyplot as plt
import numpy as np
from skimage import data, img_as_float
from skimage.restoration import denoise_wavelet

from sklearn_sparsecode.restoration import denoise, estimate_sigma

QUICK = os.environ.get("SKLEARN_SPARSECODE_QUICK") == "1"
clean = img_as_float(data.chelsea())[:, 60:60 + 300]
if QUICK:
    clean = clean[::2, ::2]
sigma = 0.1
noisy = clean + sigma * np.random.default_rng(0).standard_normal(clean.shape)

print("σ estimated per RGB channel:", np.round(estimate_sigma(noisy, channel_axis=-1), 3))

# %%
# Both denoisers, with their defaults
# -----------------------------------
# ``channel_axis=-1`` says where the channels are, as in scikit-image. A colour
# image passed without it is refused rather than read as a batch of grey images.
ours = denoise(noisy, channel_axis=-1)
theirs = denoise_wavelet(noisy, channel_axis=-1, convert2ycbcr=True, method="BayesShrink",
                         rescale_sigma=True)


def psnr(estimate):
    return 10 * np.log10(1.0 / np.mean((clean - estimate) ** 2))


fig, axes = plt.subplots(1, 4, figsize=(14, 4))
panels = [(clean, "clean"), (noisy, f"noisy, {psnr(noisy):.1f} dB"),
          (theirs, f"scikit-image, {psnr(theirs):.1f} dB"),
          (ours, f"sklearn-sparsecode, {psnr(ours):.1f} dB")]
for ax, (image, title) in zip(axes, panels):
    ax.imshow(np.clip(image, 0, 1))
    ax.set_title(title)
    ax.axis("off")
fig.tight_layout()
plt.show()

# %%
# Integer images
# --------------
# A ``uint8`` image is scaled to [0, 1] as :func:`skimage.util.img_as_float`
# does, σ is in the units of that scaled image, and the result is a float image
# clipped to [0, 1], as scikit-image's restoration functions return it.
from skimage.util import img_as_ubyte  # noqa: E402

as_uint8 = img_as_ubyte(np.clip(noisy, 0, 1))
restored = denoise(as_uint8, channel_axis=-1)
print(f"uint8 in: {restored.dtype}, range [{restored.min():.2f}, {restored.max():.2f}], "
      f"{psnr(restored):.1f} dB")
