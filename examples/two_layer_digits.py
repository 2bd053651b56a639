"""The two-layer model on scikit-learn's digits: wavelet → threshold → classifier, tuned over τ.

    python examples/two_layer_digits.py [--quick] [--out DIR]

Fits h = σ_τ(W x) with W a Haar wavelet transform and σ a soft threshold
(split into positive and negative parts), then an RBF SVC, with GridSearchCV
over τ. The wavelet step is cached, so it is computed once per CV split.
Writes two_layer_digits.png: accuracy and sparsity against τ.
"""

import argparse
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV

from sklearn_sparsecode._demo import TAU, make_two_layer_model

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--quick", action="store_true", help="three τ values, 3 folds")
parser.add_argument("--out", default=".", help="folder for the PNG")
args = parser.parse_args()

digits = load_digits()
X, y = digits.images / 16.0, digits.target
half = len(X) // 2  # the split of scikit-learn's digits classification example
taus = [0.0, 0.05, 0.2] if args.quick else [0.0, 0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4]

with tempfile.TemporaryDirectory() as cache:
    search = GridSearchCV(make_two_layer_model(memory=cache), {TAU: taus},
                          cv=3 if args.quick else 5)
    search.fit(X[:half], y[:half])
print(f"best τ = {search.best_params_[TAU]}, test accuracy = {search.score(X[half:], y[half:]):.4f}")

# Sparsity of the code at each τ, measured on the test images.
wavelet = search.best_estimator_["wavelet"]
threshold = search.best_estimator_["head"]["threshold"]
codes = wavelet.transform(X[half:])
nonzero = [np.count_nonzero(threshold.set_params(tau=t).fit(codes).transform(codes)) / codes.size
           / 2 for t in taus]  # split sign doubles the columns, at most half are non-zero

fig, ax = plt.subplots(figsize=(5, 3.5))
ax.plot(taus, search.cv_results_["mean_test_score"], marker="o", label="CV accuracy")
ax.plot(taus, nonzero, marker="s", label="non-zero fraction")
ax.set_xlabel("threshold τ")
ax.legend()
ax.set_title("Two-layer model on digits")
fig.tight_layout()
path = Path(args.out) / "two_layer_digits.png"
fig.savefig(path, dpi=110)
print(f"wrote {path}")
