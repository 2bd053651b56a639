"""ThresholdTransformer against pywt.threshold, SparseCoder, and property tests."""

import pickle

import numpy as np
import scipy.stats
import pytest
import pywt
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.decomposition import SparseCoder

from sklearn_sparsecode import ThresholdTransformer, WaveletTransformer
from sklearn_sparsecode.layers import threshold, universal_threshold

RNG = np.random.default_rng(0)
MODES = ["hard", "soft", "garrote"]

finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False, width=64)
codes = arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(1, 12)), elements=finite)
taus = st.floats(0, 50, allow_nan=False)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("tau", [0.0, 0.3, 1.0, 2.5])
def test_matches_pywt_threshold(mode, tau, dtype):
    X = RNG.normal(size=(20, 30)).astype(dtype)
    got = ThresholdTransformer(tau=tau, shrinkage=mode).fit_transform(X)
    assert got.dtype == dtype
    ref = pywt.threshold(X, tau, mode=mode) if tau > 0 else X
    rtol = 1e-6 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(got, ref, rtol=rtol, atol=rtol)


def test_soft_threshold_of_orthonormal_wavelet_equals_sparse_coder():
    # Independent reference: SparseCoder(transform_algorithm="threshold") soft-
    # thresholds D x; with D the rows of an orthonormal wavelet basis that is
    # wavelet soft thresholding.
    shape = (8, 8)
    wt = WaveletTransformer(wavelet="db2", n_scales=1).fit(np.zeros((1, *shape)))
    dictionary = wt.transform(np.eye(64).reshape(64, *shape)).T  # row i = atom i
    X = RNG.normal(size=(10, 64))
    coder = SparseCoder(dictionary, transform_algorithm="threshold", transform_alpha=0.4)
    expected = coder.transform(X)
    got = ThresholdTransformer(tau=0.4, shrinkage="soft").fit_transform(
        WaveletTransformer(wavelet="db2", n_scales=1, image_shape=shape).fit_transform(X))
    np.testing.assert_allclose(got, expected, atol=1e-12)


def test_signs():
    x = np.array([[-3.0, -1.0, 0.5, 2.0]])
    soft = threshold(x, 1.0, shrinkage="soft")
    np.testing.assert_array_equal(soft, [[-2, 0, 0, 1]])
    np.testing.assert_array_equal(threshold(x, 1.0, shrinkage="soft", sign="magnitude"), [[2, 0, 0, 1]])
    # Coates & Ng: [max(x - τ, 0), max(-x - τ, 0)]
    split = threshold(x, 1.0, shrinkage="soft", sign="split")
    np.testing.assert_array_equal(split, np.hstack([np.maximum(x - 1, 0), np.maximum(-x - 1, 0)]))
    np.testing.assert_array_equal(threshold(x, 1.0, sign="split"), [[0, 0, 0, 2, 3, 0, 0, 0]])


@settings(max_examples=60, deadline=None)
@given(codes, taus)
def test_soft_shrinks_every_entry_and_the_norm(X, tau):
    Y = threshold(X, tau, shrinkage="soft")
    assert np.all(np.abs(Y) <= np.abs(X))
    assert np.all(np.abs(Y) <= np.maximum(np.abs(X) - tau, 0) + 1e-9)
    assert np.linalg.norm(Y) <= np.linalg.norm(X)
    assert np.all(Y * X >= 0)  # never flips a sign


@settings(max_examples=60, deadline=None)
@given(codes, taus)
def test_hard_is_idempotent_and_keeps_values(X, tau):
    Y = threshold(X, tau, shrinkage="hard")
    np.testing.assert_array_equal(threshold(Y, tau, shrinkage="hard"), Y)
    kept = Y != 0
    np.testing.assert_array_equal(Y[kept], X[kept])
    assert np.all(np.abs(X[~kept]) <= tau)


@settings(max_examples=60, deadline=None)
@given(codes, taus, taus, st.sampled_from(MODES))
def test_larger_tau_never_adds_nonzeros(X, tau_a, tau_b, mode):
    small, large = sorted([tau_a, tau_b])
    nz_small = threshold(X, small, shrinkage=mode) != 0
    nz_large = threshold(X, large, shrinkage=mode) != 0
    assert not np.any(nz_large & ~nz_small)


@settings(max_examples=60, deadline=None)
@given(codes, st.integers(1, 12))
def test_top_k_keeps_exactly_k_per_row(X, k):
    Y = threshold(X, top_k=k, shrinkage="hard")
    expected = np.minimum(k, np.count_nonzero(X, axis=1))  # zeros stay zero
    np.testing.assert_array_equal(np.count_nonzero(Y, axis=1), expected)
    # The kept entries are the largest in magnitude.
    for x, y in zip(X, Y):
        if np.any(y == 0) and np.any(y != 0):
            assert np.abs(x[y != 0]).min() >= np.abs(x[y == 0]).max()


def test_top_k_with_ties_keeps_exactly_k():
    X = np.array([[1.0, -1.0, 1.0, 1.0, 0.5]])
    assert np.count_nonzero(threshold(X, top_k=2)) == 2


def test_top_k_fraction_and_soft_shrink():
    X = np.array([[5.0, -4.0, 3.0, 1.0]])
    # Keep half (2 of 4); soft shrinks by the largest dropped magnitude, 3.
    np.testing.assert_array_equal(threshold(X, top_k=0.5, shrinkage="soft"), [[2.0, -1.0, 0, 0]])
    # τ above that wins.
    np.testing.assert_array_equal(threshold(X, 4.5, top_k=0.5, shrinkage="hard"), [[5.0, 0, 0, 0]])
    np.testing.assert_array_equal(threshold(X, top_k=10), X)  # more than n: keep all


def test_universal_threshold():
    X = RNG.normal(scale=2.0, size=(200, 500))
    tau = universal_threshold(X)
    sigma = np.median(np.abs(X)) / scipy.stats.norm.ppf(0.75)
    assert tau == pytest.approx(sigma * np.sqrt(2 * np.log(500)))
    assert sigma == pytest.approx(2.0, rel=0.02)  # robust σ estimate of N(0, 4)
    est = ThresholdTransformer(tau="universal", shrinkage="soft").fit(X)
    assert est.tau_ == pytest.approx(tau)
    np.testing.assert_array_equal(est.transform(X), threshold(X, tau, shrinkage="soft"))


def test_feature_names_and_split_width():
    X = RNG.normal(size=(4, 3))
    est = ThresholdTransformer(sign="split").fit(X)
    assert est.transform(X).shape == (4, 6)
    assert list(est.get_feature_names_out()) == ["x0_pos", "x1_pos", "x2_pos",
                                                 "x0_neg", "x1_neg", "x2_neg"]
    assert list(ThresholdTransformer().fit(X).get_feature_names_out(["a", "b", "c"])) == \
        ["a", "b", "c"]


def test_set_params_then_fit_equals_fresh_estimator():
    X = RNG.normal(size=(10, 8))
    est = ThresholdTransformer(tau=0.1).fit(X)
    est.set_params(tau="universal", shrinkage="soft", sign="split", top_k=3).fit(X)
    fresh = ThresholdTransformer(tau="universal", shrinkage="soft", sign="split", top_k=3).fit(X)
    np.testing.assert_array_equal(est.transform(X), fresh.transform(X))
    assert est.tau_ == fresh.tau_


def test_pickle_and_batches(monkeypatch):
    # np.empty filled with NaN, so that a chunk left unwritten cannot pass by
    # holding the right values from an earlier, identical computation.
    empty = np.empty
    monkeypatch.setattr(np, "empty", lambda *a, **k: np.full_like(empty(*a, **k), np.nan))
    X = RNG.normal(size=(57, 10)).astype(np.float32)
    # Reference written out: garrote x − τ²/x on the 4 largest |x| of each row,
    # with τ raised to the 5th largest |x| (top_k keeps soft/garrote continuous).
    order = np.sort(np.abs(X), axis=1)
    t = np.maximum(order[:, -5:-4], 0.5)
    keep = (np.abs(X) >= order[:, -4:-3]) & (np.abs(X) > 0.5)
    want = np.where(keep, X - t * (t / X), 0).astype(np.float32)
    est = ThresholdTransformer(tau=0.5, shrinkage="garrote", top_k=4).fit(X)
    np.testing.assert_allclose(est.transform(X), want, rtol=1e-6)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(est)).transform(X), est.transform(X))
    for batch_size, n_jobs in [(1, None), (8, 2), (100, 2), (56, None)]:
        got = threshold(X, 0.5, shrinkage="garrote", top_k=4, batch_size=batch_size, n_jobs=n_jobs)
        assert not np.isnan(got).any()
        np.testing.assert_array_equal(got, est.transform(X))


def test_input_not_modified():
    X = RNG.normal(size=(5, 6))
    X_copy = X.copy()
    for mode in MODES:
        for sign in ["keep", "magnitude", "split"]:
            ThresholdTransformer(tau=0.5, shrinkage=mode, sign=sign, top_k=3).fit_transform(X)
    np.testing.assert_array_equal(X, X_copy)
