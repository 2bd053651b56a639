"""
Front ends on Fashion-MNIST
===========================

Pixels, wavelets, pooled curvelet magnitudes and LeNet-5 features,
each followed by the same standardised ``LogisticRegression``: which fixed
first layer gives a linear head the most to work with? Needs Debian's
``dataset-fashion-mnist`` (``apt-get install dataset-fashion-mnist``); runs on
a subset (``python -m sklearn_sparsecode --dataset fashion-mnist --full`` and
``benchmarks/bench_accuracy.py`` are the full-size studies).
"""

# %%
# The data
# --------
import os
import time

import matplotlib.pyplot as plt
import numpy as np

from sklearn_sparsecode import (
    CNNFeatureExtractor,
    CurveletTransformer,
    LocalPooling,
    WaveletTransformer,
    make_two_layer_model,
)
from sklearn_sparsecode.datasets import load_fashion_mnist

QUICK = os.environ.get("SKLEARN_SPARSECODE_QUICK") == "1"
n_train, n_test = (500, 500) if QUICK else (2000, 1000)
X_train, y_train = load_fashion_mnist(subset="train", return_X_y=True)
X_test, y_test = load_fashion_mnist(subset="test", return_X_y=True)
X_train, y_train = X_train[:n_train].astype(np.float32) / 255, y_train[:n_train]
X_test, y_test = X_test[:n_test].astype(np.float32) / 255, y_test[:n_test]

# %%
# The front ends
# --------------
# Signed coefficients are rectified for the linear head: magnitudes of a soft
# threshold (τ = 0.02) for the wavelets, split signs for the CNN.
# The pooled curvelets are magnitudes already.
front_ends = {
    "pixels": ("passthrough", "keep"),
    "db2 wavelets, |soft|": (WaveletTransformer(wavelet="db2", n_scales=2), "magnitude"),
    "pooled |curvelets|": (LocalPooling(transformer=CurveletTransformer(
        n_scales=3, n_orientations=4, decimated=False), grid=7, power=0.5), "keep"),
    "LeNet-5 random (pool2)": (CNNFeatureExtractor(output_layer="pool2", random_state=0),
                               "split"),
    "LeNet-5 trained (act3)": (CNNFeatureExtractor(weights="lenet5-fashion-mnist",
                                                   output_layer="act3"), "split"),
}
if QUICK:  # the test suite's short run: three of them
    front_ends = {k: front_ends[k] for k in ("pixels", "pooled |curvelets|",
                                             "LeNet-5 trained (act3)")}
scores = {}
for name, (front_end, sign) in front_ends.items():
    tic = time.perf_counter()
    model = make_two_layer_model(front_end, tau=0.0 if sign == "keep" else 0.02, sign=sign,
                                 head="logistic", C=0.1)
    model.set_params(head__clf__max_iter=300)  # enough at this C; the default 2000 is slack
    scores[name] = model.fit(X_train, y_train).score(X_test, y_test)
    print(f"{name:24s} test accuracy {scores[name]:.4f}  ({time.perf_counter() - tic:.1f} s)")

# %%
# The comparison
# --------------
# Pooled magnitudes lead: a modulus and a local average make the features
# stable to small shifts and deformations, what a linear head cannot learn.
fig, ax = plt.subplots(figsize=(6, 3))
ax.barh(list(scores), list(scores.values()))
ax.set_xlim(min(scores.values()) - 0.05, 1)
ax.invert_yaxis()
ax.set_xlabel(f"test accuracy ({n_train} training images, LogisticRegression)")
fig.tight_layout()
plt.show()
