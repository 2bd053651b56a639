"""Wavelet vs curvelet vs CNN front ends with a linear head on Fashion-MNIST (a quick subset).

    python examples/front_ends_fashion_mnist.py [--quick] [--out DIR]

Needs Debian's dataset-fashion-mnist. Each front end is a fixed first layer;
the same standardised LogisticRegression is the only learned layer. Prints a
table and writes front_ends_fashion_mnist.png.
"""

import argparse
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from sklearn_sparsecode import (
    CNNFeatureExtractor,
    CurveletTransformer,
    LocalPooling,
    ThresholdTransformer,
    WaveletTransformer,
)
from sklearn_sparsecode.datasets import load_fashion_mnist

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--quick", action="store_true", help="1,000 training and test images")
parser.add_argument("--out", default=".", help="folder for the PNG")
args = parser.parse_args()
try:
    X_train, y_train = load_fashion_mnist(return_X_y=True)
    X_test, y_test = load_fashion_mnist(subset="test", return_X_y=True)
except FileNotFoundError as exc:
    print(f"skipped: {exc}")
    sys.exit(0)
n_train, n_test = (1000, 1000) if args.quick else (10000, 10000)
X_train, y_train = X_train[:n_train].astype(np.float32) / 255, y_train[:n_train]
X_test, y_test = X_test[:n_test].astype(np.float32) / 255, y_test[:n_test]

front_ends = {
    "pixels": FunctionTransformer(lambda X: X.reshape(len(X), -1)),
    "db2 wavelets, |soft|": make_pipeline(WaveletTransformer(wavelet="db2", level=2),
                                          ThresholdTransformer(tau=0.02, mode="soft", sign="magnitude")),
    "curvelets, |soft|": make_pipeline(CurveletTransformer(),
                                       ThresholdTransformer(tau=0.02, mode="soft", sign="magnitude")),
    # Magnitudes of undecimated curvelets averaged on a 7x7 grid: stable to
    # small shifts, the best fixed front end for a linear head here.
    "pooled |curvelets|": LocalPooling(transformer=CurveletTransformer(n_scales=3, n_angles=8, decimated=False), power=0.5),
    "LeNet-5 random (pool2)": CNNFeatureExtractor(output_layer="pool2", random_state=0),
    "LeNet-5 trained (act3)": CNNFeatureExtractor(weights="lenet5-fashion-mnist",
                                                  output_layer="act3"),
}
scores = {}
for name, front_end in front_ends.items():
    tic = time.perf_counter()
    model = make_pipeline(front_end, StandardScaler(), LogisticRegression(C=0.1, max_iter=500))
    scores[name] = model.fit(X_train, y_train).score(X_test, y_test)
    print(f"{name:28s} test accuracy {scores[name]:.4f}  ({time.perf_counter() - tic:.1f} s)")

fig, ax = plt.subplots(figsize=(6, 3))
ax.barh(list(scores), list(scores.values()))
ax.set_xlim(min(scores.values()) - 0.05, 1)
ax.set_xlabel(f"test accuracy ({n_train} training images, LogisticRegression)")
fig.tight_layout()
path = Path(args.out) / "front_ends_fashion_mnist.png"
fig.savefig(path, dpi=110)
print(f"wrote {path}")
