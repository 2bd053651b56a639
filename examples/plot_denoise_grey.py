"""
Denoising grey images, side by side with scikit-image
=====================================================

:func:`~sklearn_sparsecode.restoration.denoise` with its defaults against
scikit-image's default call ``denoise_wavelet(noisy, rescale_sigma=True)``, on
crops of three of scikit-image's images at three noise levels. Neither is told
σ: both estimate it. The defaults (sym4 BayesShrink soft, a Haar Wiener stage,
4 circular shifts) were chosen by ``benchmarks/bench_denoise_defaults.py``.
"""

# %%
# Images and noise
# ----------------
import os

import matplotlib.pyplot as plt
import numpy as np
from skimage import data, img_as_float
from skimage.restoration import denoise_wavelet

from sklearn_sparsecode.restoration import denoise, estimate_sigma

QUICK = os.environ.get("SKLEARN_SPARSECODE_QUICK") == "1"
side = 64 if QUICK else 128
images = {"camera": img_as_float(data.camera())[100:100 + side, 200:200 + side],
          "brick": img_as_float(data.brick())[:side, :side],
          "text": img_as_float(data.text())[:side, 100:100 + side]}
sigmas = (0.05, 0.1, 0.2)
rng = np.random.default_rng(0)


def psnr(clean, estimate):
    return 10 * np.log10(1.0 / np.mean((clean - estimate) ** 2))


rows = []
for name, clean in images.items():
    for sigma in sigmas:
        noisy = clean + sigma * rng.standard_normal(clean.shape)
        ours = denoise(noisy)
        theirs = denoise_wavelet(noisy, rescale_sigma=True)
        rows.append((name, sigma, float(estimate_sigma(noisy)), psnr(clean, theirs),
                     psnr(clean, ours)))
        if name == "camera" and sigma == 0.1:
            shown = (clean, noisy, theirs, ours)
for name, sigma, estimate, theirs_db, ours_db in rows:
    print(f"{name:7s} σ = {sigma:.2f} (estimated {estimate:.3f}): "
          f"scikit-image {theirs_db:.2f} dB, ours {ours_db:.2f} dB")

# %%
# One of them
# -----------
clean, noisy, theirs, ours = shown
fig, axes = plt.subplots(1, 4, figsize=(13, 3.6))
titles = ["clean", f"noisy σ = 0.1, {psnr(clean, noisy):.1f} dB",
          f"scikit-image, {psnr(clean, theirs):.1f} dB",
          f"sklearn-sparsecode, {psnr(clean, ours):.1f} dB"]
for ax, picture, title in zip(axes, shown, titles):
    ax.imshow(np.clip(picture, 0, 1), cmap="gray", vmin=0, vmax=1)
    ax.set_title(title)
    ax.set_axis_off()
fig.tight_layout()
plt.show()

# %%
# Every image and σ
# -----------------
gains = np.array([ours_db - theirs_db for *_, theirs_db, ours_db in rows])
fig, ax = plt.subplots(figsize=(7, 3))
ax.bar([f"{name}\nσ={sigma}" for name, sigma, *_ in rows], gains)
ax.axhline(0, color="k", lw=0.8)
ax.set_ylabel("PSNR gain over scikit-image (dB)")
ax.tick_params(axis="x", labelsize=7)
fig.tight_layout()
plt.show()
print(f"gain over scikit-image's default call: mean {gains.mean():+.2f} dB, "
      f"smallest {gains.min():+.2f} dB ({np.sum(gains > 0)} of {gains.size} cases ahead)")
