"""First layers must beat raw pixels, by a stated margin, on a fixed split.

Digits, the split of scikit-learn's digits classification example: first half
train, second half test (no shuffling, so every number here is deterministic).
Same head for every first layer: StandardScaler + LogisticRegression. Pixels
score 0.9388 with it; an identity first layer scores the same and must fail.
Measured when written: pooled undecimated curvelets 0.9766, Gabor CNN 0.9744.
"""

import pytest
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from sklearn_sparsecode import CNNFeatureExtractor, CurveletTransformer, LocalPooling

MARGIN = 0.025  # 2.5 points, about 22 of the 899 test images


@pytest.fixture(scope="module")
def digits():
    data = load_digits()
    X, y = data.images / 16.0, data.target
    half = len(X) // 2
    return X[:half], y[:half], X[half:], y[half:]


def score(first_layer, digits):
    X_train, y_train, X_test, y_test = digits
    model = make_pipeline(first_layer, StandardScaler(), LogisticRegression(max_iter=3000))
    return model.fit(X_train, y_train).score(X_test, y_test)


def flatten():
    return FunctionTransformer(lambda X: X.reshape(len(X), -1))


@pytest.fixture(scope="module")
def pixels(digits):
    return score(flatten(), digits)


def test_pixel_baseline(pixels):
    assert pixels == pytest.approx(0.9388, abs=0.002)


def test_identity_first_layer_does_not_pass_the_margin(digits, pixels):
    assert score(flatten(), digits) < pixels + MARGIN


def test_pooled_curvelet_magnitudes_beat_pixels(digits, pixels):
    layer = LocalPooling(transformer=CurveletTransformer(n_scales=2, n_orientations=4, decimated=False), grid=4)
    assert score(layer, digits) >= pixels + MARGIN


def test_gabor_cnn_beats_pixels(digits, pixels):
    spec = [{"type": "conv", "out_channels": 8, "kernel_size": 5, "padding": 2},
            {"type": "activation", "function": "relu"},
            {"type": "pool", "kind": "avg", "size": 2}]
    layer = CNNFeatureExtractor(architecture=spec, weights="gabor", random_state=0)
    assert score(layer, digits) >= pixels + MARGIN
