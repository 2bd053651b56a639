"""
LeNet-5 that starts from Morlet atoms
=====================================

The first layer of a trained CNN looks like a bank of oriented wavelets. So why
not start it there? This example initialises LeNet-5's first convolution with
the Morlet atoms of our Morlet bank (``weights="morlet"``: real and imaginary
parts at three orientations, at the kernel's 5x5 size) and trains it on a
Fashion-MNIST subset with the same budget as the usual random initialisation:

* (a) Morlet first layer, frozen; the rest trained;
* (b) Morlet first layer, everything trained;
* (c) random initialisation, everything trained (the baseline);
* (a') random first layer, frozen (is it the atoms or only the freezing?).

Needs Debian's ``dataset-fashion-mnist``. A subset and a few epochs here; the
full study (60,000 images, 10 epochs, 3 seeds, and a fixed scattering transform
with a linear head) is ``benchmarks/bench_frame_init.py``, reported in the
README.
"""

# %%
# Four ways to start
# ------------------
import os

import matplotlib.pyplot as plt
import numpy as np

from sklearn_sparsecode import CNNClassifier
from sklearn_sparsecode.datasets import load_fashion_mnist

QUICK = os.environ.get("SKLEARN_SPARSECODE_QUICK") == "1"
n_train, n_test, epochs = (600, 300, 2) if QUICK else (4000, 2000, 5)
X, y = load_fashion_mnist(subset="train", return_X_y=True)
X_test, y_test = load_fashion_mnist(subset="test", return_X_y=True)
X, y = X[:n_train].astype(np.float32) / 255, y[:n_train]
X_test, y_test = X_test[:n_test].astype(np.float32) / 255, y_test[:n_test]

rest = ["conv2", "conv3", "fc1", "output"]
conditions = {
    "(a) Morlet conv1, frozen": ("morlet", rest),
    "(b) Morlet conv1, fine-tuned": ("morlet", None),
    "(c) random, all trained": ("random", None),
    "(a') random conv1, frozen": ("random", rest),
}

# %%
# Same budget for each: Adam (lr 1e-3), batch 128, one test score per epoch
# --------------------------------------------------------------------------
# ``partial_fit`` runs one epoch; the same ``random_state`` gives every
# condition the same random layers and the same batches.
curves = {}
for name, (weights, trainable) in conditions.items():
    clf = CNNClassifier(weights=weights, trainable=trainable, random_state=0)
    curves[name] = []
    for epoch in range(epochs):
        clf.partial_fit(X, y, classes=np.arange(10))
        curves[name].append(clf.score(X_test, y_test))
    print(f"{name:<30}" + " ".join(f"{a:.3f}" for a in curves[name]))

# %%
# Test accuracy against epochs
# ----------------------------
fig, ax = plt.subplots(figsize=(6.5, 4))
for name, curve in curves.items():
    ax.plot(range(1, epochs + 1), curve, "--" if "frozen" in name else "-", marker="o",
            label=name)
ax.set_xlabel("epoch")
ax.set_ylabel(f"test accuracy ({n_test} images)")
ax.set_title(f"LeNet-5 on {n_train} Fashion-MNIST images")
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()
