"""The two-layer model: composition, grid search over τ, caching, accuracy."""

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.svm import SVC

from sklearn_sparsecode import (
    ThresholdTransformer,
    WaveletTransformer,
    make_two_layer_model,
)

TAU = "head__threshold__tau"

TAUS = [0.0, 0.02, 0.05, 0.1, 0.2]


class CountingWavelet(WaveletTransformer):
    """Counts fits in this process (module level so joblib can hash and pickle it)."""

    fits = 0

    def fit(self, X, y=None):
        type(self).fits += 1
        return super().fit(X, y)


def _digits_half_split():
    digits = load_digits()
    X, y = digits.images / 16.0, digits.target
    half = len(X) // 2
    return X[:half], y[:half], X[half:], y[half:]


class CountingThreshold(ThresholdTransformer):
    fits = 0

    def fit(self, X, y=None):
        type(self).fits += 1
        return super().fit(X, y)


@pytest.mark.parametrize("cached", [True, False])
def test_grid_search_computes_the_wavelet_once_per_split(cached, tmp_path):
    X, y, _, _ = _digits_half_split()
    X, y = X[:300], y[:300]
    head = Pipeline([("threshold", CountingThreshold(shrinkage="soft")),
                     ("clf", LogisticRegression(max_iter=300))])
    pipe = Pipeline([("wavelet", CountingWavelet(wavelet="haar", n_scales=2)), ("head", head)],
                    memory=str(tmp_path) if cached else None)
    CountingWavelet.fits = CountingThreshold.fits = 0
    search = GridSearchCV(pipe, {TAU: TAUS}, cv=3).fit(X, y)
    # 3 splits (+1 refit on all data); without the cache it is 3 x 5 (+1).
    expected = 3 + 1 if cached else 3 * len(TAUS) + 1
    assert CountingWavelet.fits == expected
    # The τ-dependent step is fitted for every split and τ either way.
    assert CountingThreshold.fits == 3 * len(TAUS) + 1
    assert search.best_params_[TAU] in TAUS


def test_cached_search_gives_the_same_scores_as_uncached(tmp_path):
    X, y, _, _ = _digits_half_split()
    scores = []
    for memory in [None, str(tmp_path)]:
        pipe = make_two_layer_model(WaveletTransformer(wavelet="haar", n_scales=2), shrinkage="soft",
                                    sign="split", head="logistic", C=1.0, memory=memory)
        search = GridSearchCV(pipe, {TAU: TAUS}, cv=3).fit(X[:400], y[:400])
        scores.append(search.cv_results_["mean_test_score"])
    np.testing.assert_array_equal(*scores)


def test_two_layer_model_on_digits_matches_svc_on_pixels_and_keeps_it_with_tau():
    # The split of scikit-learn's digits classification example: first half
    # for training, second half for testing. The Haar transform (periodization)
    # is orthonormal, so at τ = 0 with sign="split" the RBF distances are those
    # of the pixels: the model must score what SVC(C=10) on pixels scores
    # (0.9677), within 2 test images; a non-orthonormal or lossy first layer
    # does not. A positive τ must not cost more than a point. (Beating pixels
    # needs a non-linear first layer: see test_first_layer_accuracy.py.)
    X_train, y_train, X_test, y_test = _digits_half_split()
    pixels = SVC(C=10.0).fit(X_train.reshape(len(X_train), -1), y_train).score(
        X_test.reshape(len(X_test), -1), y_test)
    assert pixels == pytest.approx(0.9677, abs=1e-3)
    search = GridSearchCV(make_two_layer_model(), {TAU: TAUS}, cv=3)
    search.fit(X_train, y_train)
    assert search.score(X_test, y_test) == pytest.approx(pixels, abs=2.5 / len(X_test))
    tau = make_two_layer_model(tau=0.1).fit(X_train, y_train).score(X_test, y_test)
    assert tau >= pixels - 0.01


def test_pandas_output_through_the_pipeline():
    pd = pytest.importorskip("pandas")
    X, y, _, _ = _digits_half_split()
    pipe = Pipeline([("wavelet", WaveletTransformer(wavelet="haar", n_scales=1)),
                     ("threshold", ThresholdTransformer(tau=0.1, sign="split"))])
    pipe.set_output(transform="pandas")
    out = pipe.fit_transform(X[:20])
    assert isinstance(out, pd.DataFrame)
    assert out.shape == (20, 128)
    assert out.columns[0] == "haar_L1_aa_0_0_pos" and out.columns[-1] == "haar_L1_dd_3_3_neg"
    np.testing.assert_array_equal(out.to_numpy(), pipe.set_output(transform="default")
                                  .fit_transform(X[:20]))


def test_data_frame_input_records_feature_names():
    pd = pytest.importorskip("pandas")
    X = pd.DataFrame(np.random.default_rng(0).normal(size=(5, 16)),
                     columns=[f"p{i}" for i in range(16)])
    est = ThresholdTransformer(tau=0.5).fit(X)
    assert list(est.feature_names_in_) == list(X.columns)
    assert list(est.get_feature_names_out()) == list(X.columns)
    wt = WaveletTransformer(wavelet="haar", image_shape=(4, 4)).fit(X)
    assert wt.transform(X).shape == (5, 16)
