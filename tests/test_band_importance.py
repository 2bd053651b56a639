"""band_importance: head coefficients and permutation, against sums written here."""

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sklearn_sparsecode import (CurveletTransformer, ThresholdTransformer, WaveletTransformer,
                                make_two_layer_model)
from sklearn_sparsecode.inspection import band_importance

DIGITS = load_digits()
X, y = DIGITS.images / 16, DIGITS.target


def test_coef_shares_are_the_squared_coefficients_per_band():
    model = make_pipeline(WaveletTransformer(wavelet="haar", n_scales=2), StandardScaler(),
                          LogisticRegression(max_iter=3000)).fit(X[:600], y[:600])
    result = band_importance(model)
    layer, coef = model[0], model[-1].coef_
    expected = [(coef[:, b.start:b.stop] ** 2).sum() for b in layer.bands_]
    np.testing.assert_allclose(result.importances_mean, np.array(expected) / np.sum(expected))
    assert list(result.names) == [b.prefix for b in layer.bands_]
    np.testing.assert_array_equal(result.n_columns, [b.stop - b.start for b in layer.bands_])


def test_complex_halves_and_split_signs_are_one_band():
    model = make_two_layer_model(CurveletTransformer(n_scales=2, n_orientations=4), tau=0.01,
                                 head="logistic").fit(X[:400], y[:400])
    result = band_importance(model)
    layer = model[0]
    coef = model[-1][-1].coef_
    n = layer.bands_[-1].stop
    per_column = (coef[:, :n] ** 2 + coef[:, n:] ** 2).sum(axis=0)  # pos and neg halves
    expected = {}
    for b in layer.bands_:
        key = b.prefix.removesuffix("_re").removesuffix("_im")
        expected[key] = expected.get(key, 0.0) + per_column[b.start:b.stop].sum()
    assert list(result.names) == list(expected)
    np.testing.assert_allclose(result.importances_mean,
                               np.array(list(expected.values())) / sum(expected.values()))


def test_by_scale_sums_the_bands_of_each_scale():
    model = make_pipeline(WaveletTransformer(wavelet="haar", n_scales=2), StandardScaler(),
                          LogisticRegression(max_iter=3000)).fit(X[:600], y[:600])
    bands = band_importance(model)
    scales = band_importance(model, by="scale")
    assert list(scales.names) == ["level 2 lowpass", "level 2", "level 1"]
    np.testing.assert_allclose(scales.importances_mean,
                               [bands.importances_mean[0], bands.importances_mean[1:4].sum(),
                                bands.importances_mean[4:].sum()])


def test_permutation_drop_against_a_plain_loop():
    model = make_pipeline(WaveletTransformer(wavelet="haar", n_scales=2),
                          ThresholdTransformer(tau=0.1), SVC()).fit(X[:500], y[:500])
    X_test, y_test = X[500:800], y[500:800]
    result = band_importance(model, X_test, y_test, method="permutation", by="scale",
                             n_repeats=3, random_state=0)
    # Reference: shuffle the scale's columns of W x across samples by hand.
    features = model[0].transform(X_test)
    base = model[1:].score(features, y_test)
    rng = np.random.RandomState(0)
    groups = {"level 2 lowpass": [0], "level 2": [1, 2, 3], "level 1": [4, 5, 6]}
    for g, (name, bands) in enumerate(groups.items()):
        cols = np.concatenate([np.arange(model[0].bands_[i].start, model[0].bands_[i].stop)
                               for i in bands])
        for r in range(3):
            shuffled = features.copy()
            shuffled[:, cols] = features[rng.permutation(len(features))][:, cols]
            assert result.importances[g, r] == pytest.approx(
                base - model[1:].score(shuffled, y_test))
    assert result.baseline_score == pytest.approx(model.score(X_test, y_test))
    assert result.importances_mean.max() > 0.05  # shuffling something matters


def test_errors():
    from sklearn.decomposition import PCA
    model = make_pipeline(WaveletTransformer(wavelet="haar"), PCA(5),
                          LogisticRegression(max_iter=500)).fit(X[:200], y[:200])
    with pytest.raises(ValueError, match="mixes columns.*permutation"):
        band_importance(model)
    svc = make_pipeline(WaveletTransformer(wavelet="haar"), SVC()).fit(X[:200], y[:200])
    with pytest.raises(ValueError, match="coef_"):
        band_importance(svc)
    with pytest.raises(ValueError, match="needs held-out images"):
        band_importance(svc, method="permutation")
    with pytest.raises(TypeError, match="bands_"):
        band_importance(make_pipeline(StandardScaler(), LogisticRegression()).fit(
            X[:50].reshape(50, -1), y[:50]))


def test_plot_band_importance():
    pytest.importorskip("matplotlib")
    import matplotlib
    matplotlib.use("Agg")
    from sklearn_sparsecode.plotting import plot_band_importance

    model = make_pipeline(WaveletTransformer(wavelet="haar", n_scales=2), StandardScaler(),
                          LogisticRegression(max_iter=3000)).fit(X[:300], y[:300])
    ax = plot_band_importance(band_importance(model), title="haar")
    assert len(ax.patches) == 7 and ax.get_title() == "haar"
    with pytest.raises(TypeError, match="band_importance"):
        plot_band_importance({"a": 1})
