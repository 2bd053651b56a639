"""Visualise the fixed first layers: wavelet and curvelet atoms, CNN filters and responses.

    python examples/plot_atoms_and_filters.py [--quick] [--out DIR]

Writes curvelet_atoms.png, wavelet_atoms.png, cnn_filters.png and
cnn_responses.png (the responses use a Fashion-MNIST image when the data is
installed, a synthetic cartoon otherwise).
"""

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import numpy as np

from sklearn_sparsecode import CNNFeatureExtractor, CurveletTransformer, WaveletTransformer
from sklearn_sparsecode.datasets import load_fashion_mnist, make_cartoon
from sklearn_sparsecode.plotting import plot_atoms, plot_filters, plot_responses

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--quick", action="store_true", help="smaller images")
parser.add_argument("--out", default=".", help="folder for the PNGs")
args = parser.parse_args()
out = Path(args.out)
size = 64 if args.quick else 128

curvelets = CurveletTransformer(n_scales=3 if args.quick else 4).fit(np.zeros((1, size, size)))
plot_atoms(curvelets).savefig(out / "curvelet_atoms.png", dpi=100)
wavelets = WaveletTransformer(wavelet="db4", level=3).fit(np.zeros((1, size, size)))
plot_atoms(wavelets).savefig(out / "wavelet_atoms.png", dpi=100)

try:
    image = load_fashion_mnist(subset="test").images[0] / 255.0
    weights = "lenet5-fashion-mnist"  # the shipped, trained LeNet-5
except FileNotFoundError:
    image = make_cartoon(28, random_state=0)
    weights = "gabor"
cnn = CNNFeatureExtractor(weights=weights, random_state=0).fit(image[None])
plot_filters(cnn, "conv1").savefig(out / "cnn_filters.png", dpi=110)
plot_responses(cnn, image, max_maps=8).savefig(out / "cnn_responses.png", dpi=80)
print(f"wrote 4 PNGs to {out} (CNN weights: {weights})")
