"""WaveletTransformer and wavelet_transform against PyWavelets' own functions."""

import pickle

import numpy as np
import pytest
import pywt
from sklearn.base import clone

from sklearn_sparsecode import WaveletTransformer
from sklearn_sparsecode.wavelets import (
    inverse_wavelet_transform,
    max_n_scales,
    plan_wavelets,
    wavelet_transform,
)

RNG = np.random.default_rng(0)


def reference_coefficients_2d(X, wavelet, level, mode):
    """One image at a time with pywt.wavedec2, flattened in the documented order."""
    rows = []
    for image in X:
        approx, *details = pywt.wavedec2(image, wavelet, mode=mode, level=level)
        parts = [approx] + [band for triple in details for band in triple]
        rows.append(np.concatenate([p.ravel() for p in parts]))
    return np.asarray(rows)


def reference_coefficients_1d(X, wavelet, level, mode):
    return np.asarray([np.concatenate(pywt.wavedec(x, wavelet, mode=mode, level=level))
                       for x in X])


@pytest.mark.parametrize("wavelet", ["haar", "db2", "db4", "sym3", "coif1", "bior2.2", "rbio3.1"])
@pytest.mark.parametrize("mode", ["periodization", "symmetric", "zero", "reflect"])
@pytest.mark.parametrize("shape", [(16, 16), (17, 23), (28, 28)])
def test_matches_pywt_wavedec2_per_image(wavelet, mode, shape):
    X = RNG.normal(size=(5, *shape))
    level = min(2, pywt.dwt_max_level(min(shape), pywt.Wavelet(wavelet).dec_len))
    got = WaveletTransformer(wavelet=wavelet, n_scales=level, mode=mode).fit_transform(X)
    np.testing.assert_allclose(got, reference_coefficients_2d(X, wavelet, level, mode),
                               rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("wavelet", ["haar", "db3", "bior1.3"])
@pytest.mark.parametrize("mode", ["periodization", "symmetric"])
def test_one_dimensional_signals_match_pywt_wavedec(wavelet, mode):
    X = RNG.normal(size=(6, 50))
    wt = WaveletTransformer(wavelet=wavelet, n_scales=3, mode=mode).fit(X)
    assert wt.input_shape_ == (50,)
    np.testing.assert_allclose(wt.transform(X), reference_coefficients_1d(X, wavelet, 3, mode),
                               rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("wavelet", ["haar", "db2", "db5", "sym4", "coif2", "bior3.3", "rbio2.4", "db10"])
@pytest.mark.parametrize("mode", ["periodization", "symmetric", "antireflect", "smooth"])
@pytest.mark.parametrize("shape", [(32, 32), (21, 34), (40, 19)])
def test_perfect_reconstruction(wavelet, mode, shape):
    X = RNG.normal(size=(3, *shape))
    wt = WaveletTransformer(wavelet=wavelet, mode=mode).fit(X)
    back = wt.inverse_transform(wt.transform(X))
    assert back.shape == X.shape
    assert np.linalg.norm(back - X) <= 1e-10 * np.linalg.norm(X)


@pytest.mark.filterwarnings("ignore:Level value of 1 is too high")
def test_dmey_inverse_is_pywt_waverec2():
    # PyWavelets' "dmey" is an FIR approximation of the Meyer wavelet and is not
    # perfectly reconstructing (about 2e-3 error in pywt itself); the inverse
    # must still be exactly what pywt.waverec2 gives.
    X = RNG.normal(size=(2, 64, 64))
    wt = WaveletTransformer(wavelet="dmey", n_scales=1).fit(X)
    C = wt.transform(X)
    ref = [pywt.waverec2(pywt.wavedec2(x, "dmey", mode="periodization", level=1), "dmey",
                         mode="periodization") for x in X]
    np.testing.assert_allclose(wt.inverse_transform(C), np.asarray(ref), atol=1e-12)


@pytest.mark.parametrize("level", [1, 2, 3])
def test_perfect_reconstruction_levels_and_flat_input(level):
    X = RNG.normal(size=(4, 24 * 30))
    wt = WaveletTransformer(wavelet="db2", n_scales=level, image_shape=(24, 30)).fit(X)
    back = wt.inverse_transform(wt.transform(X))
    assert back.shape == X.shape  # 2-D in, 2-D back
    assert np.linalg.norm(back - X) <= 1e-10 * np.linalg.norm(X)


def test_periodization_with_orthogonal_wavelet_is_an_isometry():
    X = RNG.normal(size=(4, 32, 32))
    C = WaveletTransformer(wavelet="db3", n_scales=2).fit_transform(X)
    assert C.shape == (4, 32 * 32)
    np.testing.assert_allclose(np.linalg.norm(C, axis=1),
                               np.linalg.norm(X.reshape(4, -1), axis=1), rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_preserved(dtype):
    X = RNG.normal(size=(3, 16, 16)).astype(dtype)
    wt = WaveletTransformer(wavelet="db2", n_scales=2).fit(X)
    C = wt.transform(X)
    assert C.dtype == dtype
    back = wt.inverse_transform(C)
    assert back.dtype == dtype
    tol = 1e-5 if dtype == np.float32 else 1e-12
    assert np.linalg.norm(back - X) <= tol * np.linalg.norm(X)


def test_integer_input_becomes_float64():
    X = RNG.integers(0, 255, size=(3, 16, 16)).astype(np.uint8)
    C = WaveletTransformer(wavelet="haar").fit_transform(X)
    assert C.dtype == np.float64
    np.testing.assert_allclose(C, reference_coefficients_2d(X.astype(float), "haar", 4,
                                                            "periodization"))


def test_three_d_and_flat_input_agree():
    X = RNG.normal(size=(5, 12, 20))
    a = WaveletTransformer(wavelet="db2", n_scales=1).fit_transform(X)
    b = WaveletTransformer(wavelet="db2", n_scales=1, image_shape=(12, 20)).fit_transform(X.reshape(5, -1))
    np.testing.assert_array_equal(a, b)


def test_level_none_is_pywt_max_level():
    assert max_n_scales((28, 28), "db2") == pywt.dwt_max_level(28, 4) == 3
    assert max_n_scales((28, 60), "haar") == pywt.dwt_max_level(28, 2)
    # Shorter than the filter: still one level.
    assert max_n_scales((3,), "db2") == 1
    assert WaveletTransformer(wavelet="db2").fit(RNG.normal(size=(2, 28, 28))).n_scales_ == 3


def test_layout_describes_columns():
    X = RNG.normal(size=(3, 17, 22))
    wt = WaveletTransformer(wavelet="db2", n_scales=2, mode="symmetric").fit(X)
    C = wt.transform(X)
    assert [(b.level, b.name) for b in wt.bands_] == [
        (2, "aa"), (2, "da"), (2, "ad"), (2, "dd"), (1, "da"), (1, "ad"), (1, "dd")]
    assert wt.bands_[0].start == 0 and wt.bands_[-1].stop == C.shape[1]
    # Each band, reshaped, is the corresponding pywt.wavedec2 array of sample 1.
    approx, (h2, v2, d2), (h1, v1, d1) = pywt.wavedec2(X[1], "db2", mode="symmetric", level=2)
    for band, ref in zip(wt.bands_, [approx, h2, v2, d2, h1, v1, d1]):
        np.testing.assert_allclose(C[1, band.start:band.stop].reshape(band.shape), ref)


def test_feature_names():
    wt = WaveletTransformer(wavelet="db2", n_scales=2).fit(RNG.normal(size=(2, 16, 16)))
    names = wt.get_feature_names_out()
    assert len(names) == 256 and len(set(names)) == 256
    assert names[0] == "db2_L2_aa_0_0"
    band = wt.bands_[-1]  # finest diagonal band, 8x8
    assert names[band.start + 3 * 8 + 1] == "db2_L1_dd_3_1"
    signal_names = WaveletTransformer(wavelet="haar", n_scales=1).fit(RNG.normal(size=(2, 6))) \
        .get_feature_names_out()
    assert list(signal_names) == ["haar_L1_a_0", "haar_L1_a_1", "haar_L1_a_2",
                                  "haar_L1_d_0", "haar_L1_d_1", "haar_L1_d_2"]


def test_batched_and_parallel_results_identical():
    X = RNG.normal(size=(103, 16, 16)).astype(np.float32)
    ref = WaveletTransformer(wavelet="sym2", n_scales=2).fit_transform(X)
    for batch_size, n_jobs in [(1, None), (10, 1), (10, 2), (64, 2), (None, 2)]:
        got = WaveletTransformer(wavelet="sym2", n_scales=2, batch_size=batch_size,
                                 n_jobs=n_jobs).fit_transform(X)
        np.testing.assert_array_equal(got, ref)


def test_function_and_estimator_agree():
    X = RNG.normal(size=(4, 20, 20))
    C = wavelet_transform(X, wavelet='db3', n_scales=2, mode='symmetric')
    np.testing.assert_array_equal(C, WaveletTransformer(wavelet="db3", n_scales=2, mode="symmetric").fit_transform(X))
    back = inverse_wavelet_transform(C, plan=plan_wavelets((20, 20), wavelet='db3', n_scales=2, mode='symmetric'))
    np.testing.assert_allclose(back, X, atol=1e-10)
    assert plan_wavelets((20, 20), wavelet='db3', n_scales=2, mode='symmetric').bands[-1].stop == C.shape[1]


def test_set_params_then_fit_equals_fresh_estimator():
    X = RNG.normal(size=(4, 16, 16))
    wt = WaveletTransformer(wavelet="haar", n_scales=1).fit(X)
    wt.set_params(wavelet="db2", n_scales=2, mode="symmetric").fit(X)
    fresh = WaveletTransformer(wavelet="db2", n_scales=2, mode="symmetric").fit(X)
    np.testing.assert_array_equal(wt.transform(X), fresh.transform(X))
    assert wt.bands_ == fresh.bands_
    assert list(wt.get_feature_names_out()) == list(fresh.get_feature_names_out())


def test_pickle_round_trip():
    X = RNG.normal(size=(3, 16, 16))
    wt = WaveletTransformer(wavelet="db2").fit(X)
    again = pickle.loads(pickle.dumps(wt))
    np.testing.assert_array_equal(again.transform(X), wt.transform(X))
    np.testing.assert_array_equal(clone(wt).fit_transform(X), wt.transform(X))


def test_input_not_modified():
    X = RNG.normal(size=(3, 16, 16))
    X_copy = X.copy()
    wt = WaveletTransformer().fit(X)
    C = wt.transform(X)
    C_copy = C.copy()
    wt.inverse_transform(C)
    np.testing.assert_array_equal(X, X_copy)
    np.testing.assert_array_equal(C, C_copy)
