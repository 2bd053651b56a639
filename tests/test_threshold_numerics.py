"""threshold() numerics: exact τ comparison per dtype, no overflow, closed forms (hypothesis)."""

from fractions import Fraction

import numpy as np
import scipy.stats
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sklearn_sparsecode import ThresholdTransformer
from sklearn_sparsecode.layers import threshold, universal_threshold

MODES = ["hard", "soft", "garrote"]
finite32 = st.floats(width=32, allow_nan=False, allow_infinity=False)
taus = st.floats(min_value=0, max_value=1e30, allow_nan=False, allow_infinity=False)


def reference(x, tau, mode):
    """σ(x; τ) computed exactly with fractions, rounded once to float64."""
    x, t = Fraction(float(x)), Fraction(float(tau))
    if abs(x) <= t:
        return 0.0
    if mode == "hard":
        return float(x)
    if mode == "soft":
        return float(x - t if x > 0 else x + t)
    return float(x - t * t / x)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(arrays(np.float32, (3, 5), elements=finite32), taus, st.sampled_from(MODES))
def test_float32_and_float64_keep_the_same_entries(X, tau, mode):
    got32 = threshold(X, tau, shrinkage=mode)
    got64 = threshold(X.astype(np.float64), tau, shrinkage=mode)
    np.testing.assert_array_equal(got32 != 0, np.abs(X.astype(np.float64)) > tau)
    np.testing.assert_array_equal(got64 != 0, np.abs(X.astype(np.float64)) > tau)
    assert got32.dtype == np.float32 and np.isfinite(got32).all()


@settings(max_examples=200, deadline=None, derandomize=True)
@given(arrays(np.float64, (2, 4),
              elements=st.floats(allow_nan=False, allow_infinity=False, width=64)),
       st.floats(min_value=0, max_value=1e300, allow_nan=False), st.sampled_from(MODES))
def test_float64_against_exact_arithmetic(X, tau, mode):
    got = threshold(X, tau, shrinkage=mode)
    want = np.array([[reference(x, tau, mode) for x in row] for row in X])
    assert np.isfinite(got).all()
    np.testing.assert_array_equal(got == 0, want == 0)
    # A few roundings of quantities of the size of x: relative to |x|, not to the
    # result (x − τ²/x cancels when |x| is near τ).
    assert np.all(np.abs(got - want) <= 4 * np.finfo(np.float64).eps * np.abs(X))


@pytest.mark.parametrize("dtype, x, tau", [
    (np.float32, 1e21, 1e20), (np.float32, 3e38, 1e30), (np.float64, 1e200, 1e199),
    (np.float64, 1.7e308, 1e300), (np.float16, 6e4, 300.0),
])
def test_garrote_never_overflows(dtype, x, tau):
    X = np.array([[x, -x, 0.5 * x]], dtype=dtype)
    got = threshold(X, tau, shrinkage="garrote")
    assert np.isfinite(got).all()
    for value, g in zip(X[0].astype(np.float64), got[0]):
        assert float(g) == pytest.approx(reference(value, tau, "garrote"), rel=2e-3)


def test_tau_between_two_float32_values():
    v = np.float32(0.1)
    above = np.nextafter(v, np.float32(1))
    X = np.array([[v, above, -v, -above]], dtype=np.float32)
    for tau in [float(v), (float(v) + float(above)) / 2, float(above)]:
        want = np.abs(X.astype(np.float64)) > tau
        for mode in MODES:
            np.testing.assert_array_equal(threshold(X, tau, shrinkage=mode) != 0, want)


def test_tau_beyond_float32_range():
    X = np.array([[np.finfo(np.float32).max, 1.0]], dtype=np.float32)
    for mode in MODES:
        np.testing.assert_array_equal(threshold(X, 1e39, shrinkage=mode), 0)
    with pytest.raises(ValueError, match="tau"):
        threshold(X, float("inf"))


def test_top_k_uses_the_exact_tau_as_well():
    v = np.float32(0.1)
    above = np.nextafter(v, np.float32(1))
    X = np.array([[v, above, 5.0, -3.0]], dtype=np.float32)
    tau = (float(v) + float(above)) / 2
    got = threshold(X, tau, top_k=3)
    np.testing.assert_array_equal(got != 0, [[False, True, True, True]])


@pytest.mark.parametrize("dtype", [np.uint8, np.int32, np.int64, bool, np.float16,
                                   np.float32, np.float64])
def test_input_dtypes(dtype):
    X = (np.arange(12).reshape(3, 4) % 5).astype(dtype)
    got = threshold(X, 1.5, shrinkage="soft")
    assert got.dtype == (np.float32 if dtype == np.float32 else np.float64)
    want = np.sign(X.astype(np.float64)) * np.maximum(np.abs(X.astype(np.float64)) - 1.5, 0)
    np.testing.assert_allclose(got, want)


@settings(max_examples=50, deadline=None, derandomize=True)
@given(arrays(np.float64, (7, 3), elements=st.floats(-10, 10)), st.floats(0, 5),
       st.sampled_from(MODES), st.sampled_from(["keep", "magnitude", "split"]),
       st.integers(1, 7), st.sampled_from([None, 2]))
def test_chunking_and_threads_never_change_results(X, tau, mode, sign, batch_size, n_jobs):
    whole = threshold(X, tau, shrinkage=mode, sign=sign)
    got = threshold(X, tau, shrinkage=mode, sign=sign, batch_size=batch_size, n_jobs=n_jobs)
    np.testing.assert_array_equal(got, whole)


def test_estimator_matches_the_function_in_every_dtype():
    X = np.random.default_rng(0).normal(size=(6, 9)) * 1e20
    for dtype in [np.float32, np.float64]:
        est = ThresholdTransformer(tau=1e20, shrinkage="garrote").fit(X.astype(dtype))
        got = est.transform(X.astype(dtype))
        assert np.isfinite(got).all()
        np.testing.assert_array_equal(got, threshold(X.astype(dtype), 1e20, shrinkage="garrote"))


@pytest.mark.parametrize("top_k", [None, 2, 3])
@pytest.mark.parametrize("mode", MODES)
def test_an_entry_equal_to_tau_is_dropped(top_k, mode):
    # "above τ" is strict in every path, with and without top_k (PyWavelets keeps ties).
    X = np.array([[0.5, -0.5, 2.0, 0.25]])
    got = threshold(X, 0.5, shrinkage=mode, top_k=top_k)
    np.testing.assert_array_equal(got != 0, [[False, False, True, False]])


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_and_infinity_are_refused(bad):
    X = np.array([[bad, 0.1, 3.0]])
    with pytest.raises(ValueError, match="NaN|infinity"):
        threshold(X, 0.5)
    with pytest.raises(ValueError, match="NaN|infinity"):
        ThresholdTransformer(tau=0.5).fit(X)


def test_defaults_keep_every_non_zero_entry():
    X = np.array([[0.3, -1e-30, 0.0, 2.0]])
    for got in (threshold(X), ThresholdTransformer().fit_transform(X)):
        np.testing.assert_array_equal(got, X)


@pytest.mark.parametrize("n_features", [1, 2, 3, 50])
def test_universal_threshold_formula(n_features):
    # σ̂·sqrt(2 ln n), σ̂ = median|x| / 0.6745, n at least 2 (log 1 = 0 would give τ = 0).
    X = np.random.default_rng(n_features).normal(size=(40, n_features))
    sigma = np.median(np.abs(X)) / scipy.stats.norm.ppf(0.75)
    want = sigma * np.sqrt(2 * np.log(max(n_features, 2)))
    assert universal_threshold(X) == pytest.approx(want, rel=1e-12)


@pytest.mark.parametrize("top_k", [1, 1e-6])
def test_top_k_keeps_at_least_one_entry(top_k):
    X = np.random.default_rng(3).normal(size=(4, 50))
    got = threshold(X, 0.0, top_k=top_k)
    assert (np.count_nonzero(got, axis=1) == 1).all()
    np.testing.assert_array_equal(np.abs(got).max(axis=1), np.abs(X).max(axis=1))


@pytest.mark.parametrize("mode", ["soft", "garrote"])
def test_top_k_shrinks_by_the_largest_dropped_magnitude_on_long_rows(mode):
    # Long rows, so that argpartition does not sort them by accident.
    X = np.random.default_rng(4).normal(size=(3, 2000))
    k = 37
    m = np.sort(np.abs(X), axis=1)[:, -k - 1:-k]  # largest magnitude not kept
    keep = np.abs(X) > m
    want = np.where(keep, np.sign(X) * (np.abs(X) - m) if mode == "soft" else X - m * m / X, 0)
    np.testing.assert_allclose(threshold(X, 0.0, shrinkage=mode, top_k=k), want, rtol=1e-12,
                               atol=1e-15)


@pytest.mark.parametrize("mode", MODES)
def test_top_k_of_every_feature_is_plain_thresholding(mode):
    X = np.random.default_rng(5).normal(size=(3, 20))
    plain = threshold(X, 0.5, shrinkage=mode)
    for top_k in (20, 25, 1.0):
        np.testing.assert_array_equal(threshold(X, 0.5, shrinkage=mode, top_k=top_k), plain)
    np.testing.assert_array_equal(
        ThresholdTransformer(tau=0.5, shrinkage=mode, top_k=1).fit_transform(X) != 0,
        threshold(X, 0.0, top_k=1) != 0)
