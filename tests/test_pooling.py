"""LocalPooling and pool_coefficients against independent references."""

import numpy as np
import pytest
import pywt
from sklearn.base import clone

from sklearn_sparsecode import (
    CNNFeatureExtractor,
    CurveletTransformer,
    LocalPooling,
    WaveletTransformer,
)
from sklearn_sparsecode.curvelets import plan_curvelets
from sklearn_sparsecode.datasets import make_cartoon
from sklearn_sparsecode.layers._pooling import pooling_matrix

RNG = np.random.default_rng(7)


@pytest.mark.parametrize("n, cells", [(28, 7), (14, 7), (10, 7), (9, 4), (5, 5), (7, 1)])
def test_pooling_matrix_is_the_area_average(n, cells):
    x = RNG.normal(size=n)
    # Reference: refine each sample into `cells` equal pieces; every cell then
    # holds exactly n of the pieces, and their mean is the area average.
    fine = np.repeat(x, cells).reshape(cells, n).mean(axis=1)
    P = pooling_matrix(n, cells)
    np.testing.assert_allclose(P @ x, fine, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    assert (P >= 0).all()


def _direct_undecimated_modulus(X, plan):
    """|x ⊛ ψ| per wedge with numpy's FFT on the full grid, the low-pass signed."""
    spectrum = np.fft.fft2(X)
    maps = []
    for wedge in plan.wedges:
        window = np.zeros(X[0].size)
        window[wedge.source] = wedge.weight
        response = np.fft.ifft2(spectrum * window.reshape(X.shape[1:]))
        if wedge.scale == 1:
            maps.append(response.real)
        else:  # the stored pair (√2 Re, √2 Im) has magnitude √2 |response|
            maps.append(np.sqrt(2.0) * np.abs(response))
    return maps


@pytest.mark.parametrize("power", [1.0, 0.5])
def test_undecimated_curvelet_pooling_matches_direct_computation(power):
    X = RNG.normal(size=(3, 28, 28))
    pooling = LocalPooling(transformer=CurveletTransformer(n_scales=3, n_orientations=4, decimated=False),
                           grid=7, power=power).fit(X)
    got = pooling.transform(X)
    plan = plan_curvelets((28, 28), n_scales=3, n_orientations=4, decimated=False)
    expected = []
    for k, m in enumerate(_direct_undecimated_modulus(X, plan)):
        if k > 0:
            m = m**power
        expected.append(m.reshape(3, 7, 4, 7, 4).mean(axis=(2, 4)).reshape(3, -1))
    np.testing.assert_allclose(got, np.hstack(expected), rtol=1e-10, atol=1e-12)
    assert got.shape == (3, 13 * 49)  # low-pass + 4 wedges at scale 2 + 8 at scale 3


def test_decimated_wavelet_pooling_matches_pywt():
    X = RNG.normal(size=(2, 28, 28))
    got = LocalPooling(transformer=WaveletTransformer(wavelet="db2", n_scales=2), grid=7).fit(X).transform(X)
    expected = []
    for x in X:
        cA, details2, details1 = pywt.wavedec2(x, "db2", mode="periodization", level=2)
        row = [cA.ravel()]  # 7 x 7, signed, one cell per coefficient
        row += [np.abs(d).ravel() for d in details2]
        row += [np.abs(d).reshape(7, 2, 7, 2).mean(axis=(1, 3)).ravel() for d in details1]
        expected.append(np.concatenate(row))
    np.testing.assert_allclose(got, np.array(expected), rtol=1e-10, atol=1e-12)


def test_curvelet_modulus_is_stable_to_small_shifts():
    """The point of pooling magnitudes: a 1-pixel shift barely moves the features."""
    image = make_cartoon(32, random_state=0)[None]
    shifted = np.roll(image, 1, axis=2)
    raw = CurveletTransformer(n_scales=3, n_orientations=4, decimated=False).fit(image)
    pooled = LocalPooling(transformer=raw, grid=4).fit(image)

    def relative_change(est):
        a, b = est.transform(image), est.transform(shifted)
        return np.linalg.norm(a - b) / np.linalg.norm(a)

    assert relative_change(pooled) < 0.5 * relative_change(raw)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_batching_and_threads_do_not_change_results(dtype):
    X = RNG.normal(size=(9, 20, 20)).astype(dtype)
    base = LocalPooling(transformer=CurveletTransformer(n_scales=2, decimated=False), grid=5).fit(X)
    out = base.transform(X)
    assert out.dtype == dtype
    other = clone(base).set_params(batch_size=2, n_jobs=2).fit(X).transform(X)
    np.testing.assert_array_equal(other, out)
    flat = LocalPooling(transformer=CurveletTransformer(n_scales=2, decimated=False, image_shape=(20, 20)),
                        grid=5).fit(X.reshape(9, -1))
    np.testing.assert_array_equal(flat.transform(X.reshape(9, -1)), out)


def test_set_params_refit_equals_fresh_and_input_untouched():
    X = RNG.normal(size=(4, 16, 16))
    copy = X.copy()
    est = LocalPooling(transformer=WaveletTransformer(wavelet="haar", n_scales=1), grid=4).fit(X)
    est.set_params(transformer=CurveletTransformer(n_scales=2), grid=3, power=0.5).fit(X)
    fresh = LocalPooling(transformer=CurveletTransformer(n_scales=2), grid=3, power=0.5).fit(X)
    np.testing.assert_array_equal(est.transform(X), fresh.transform(X))
    np.testing.assert_array_equal(X, copy)
    assert est.transformer_ is not est.transformer  # cloned, the parameter left unfitted
    assert not hasattr(est.transformer, "bands_")


def test_feature_names_layout_and_pandas_output():
    pd = pytest.importorskip("pandas")
    X = RNG.normal(size=(3, 28, 28))
    est = LocalPooling(grid=7).fit(X)
    names = est.get_feature_names_out()
    layout = est.feature_layout()
    assert len(names) == len(layout) == est.transform(X).shape[1] == 637
    assert names[0] == "pool_s1_lowpass_0_0" and names[-1] == "pool_s3_a7_6_6"
    assert set(layout["band"][49:49 * 5]) == {"a0", "a1", "a2", "a3"}
    assert np.isnan(layout["orientation"][0]) and not np.isnan(layout["orientation"][49])
    frame = clone(est).set_output(transform="pandas").fit(X).transform(X)
    assert isinstance(frame, pd.DataFrame) and list(frame.columns) == list(names)


@pytest.mark.parametrize("kwargs, match", [
    (dict(transformer=CNNFeatureExtractor()), "pools the bands"),
    (dict(grid=(7, 7, 7)), "has 3 entries"),
    (dict(grid=(7, 0)), "positive int"),
    (dict(power=0.0), "power"),
    (dict(grid=0), "grid"),
])
def test_bad_parameters(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        LocalPooling(**kwargs).fit(RNG.normal(size=(2, 28, 28)))


def test_bad_input_is_reported_by_the_wrapped_transform():
    est = LocalPooling(grid=4).fit(RNG.normal(size=(2, 16, 16)))
    with pytest.raises(ValueError, match="NaN"):
        est.transform(np.full((2, 16, 16), np.nan))
    with pytest.raises(ValueError, match="shape"):
        est.transform(RNG.normal(size=(2, 8, 32)))
    with pytest.raises(ValueError, match="too small"):
        LocalPooling().fit(RNG.normal(size=(2, 8, 8)))
