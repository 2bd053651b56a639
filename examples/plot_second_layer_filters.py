"""
Second-layer filters as combinations of first-layer atoms
=========================================================

Each filter of a CNN's second convolution sums the first layer's maps, each
through its own small weight map: it is a weighted combination of the
first-layer filters, spread over space by those weights and by the pooling in
between. :func:`~sklearn_sparsecode.plotting.plot_filter_combinations` draws
it: the first layer's filters on top, then for each second-layer filter its
weight map on every first-layer filter and, on the right, the combination seen
in pixels (the two layers linearised: activations replaced by their slope at 0,
biases dropped).

Two networks: the LeNet-5 trained on Fashion-MNIST that ships with the package,
and a LeNet-5 whose first layer started from Morlet atoms and was then
fine-tuned briefly here. Needs Debian's ``dataset-fashion-mnist``.
"""

# %%
# The shipped, trained LeNet-5
# ----------------------------
import os

import matplotlib.pyplot as plt
import numpy as np

from sklearn_sparsecode import CNNClassifier, CNNFeatureExtractor
from sklearn_sparsecode.datasets import load_fashion_mnist
from sklearn_sparsecode.plotting import plot_filter_combinations

QUICK = os.environ.get("SKLEARN_SPARSECODE_QUICK") == "1"
X, y = load_fashion_mnist(subset="train", return_X_y=True)
n_train, epochs = (500, 1) if QUICK else (5000, 3)
X, y = X[:n_train].astype(np.float32) / 255, y[:n_train]

trained = CNNFeatureExtractor(weights="lenet5-fashion-mnist").fit(X[:1])
plot_filter_combinations(trained, "conv2", max_filters=6)
plt.show()

# %%
# A LeNet-5 started from Morlet atoms
# -----------------------------------
# Its first-layer filters are still recognisably the Morlet atoms after a few
# epochs of fine-tuning; the second layer combines them into larger oriented
# patterns.
morlet = CNNClassifier(weights="morlet", max_iter=epochs, random_state=0).fit(X, y)
plot_filter_combinations(morlet, "conv2", max_filters=6)
plt.show()
