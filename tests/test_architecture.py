"""The shared architecture: Band records, the estimator base, stacked layers, parameters.

References are written here: a toy transform built on the base, formulas for the
modulus and the noise estimate, and pywt for the wavelet bands.
"""

import inspect
import re
import tracemalloc
import warnings
from dataclasses import dataclass
from numbers import Integral
from pathlib import Path

import numpy as np
import scipy.stats
import pytest
import pywt
import sklearn
from sklearn.base import clone
from sklearn.utils._param_validation import Interval

import sklearn_sparsecode as ss
from sklearn_sparsecode import (
    Band,
    ContourletTransformer,
    CurveletTransformer,
    FlattenedImagesWarning,
    LocalPooling,
    MultiscaleTransformer,
    ThresholdTransformer,
    WaveletTransformer,
)
from sklearn_sparsecode._core.bands import complex_pairs, stack_bands
from sklearn_sparsecode.contourlets import (
    contourlet_transform,
    inverse_contourlet_transform,
    plan_contourlets,
)
from sklearn_sparsecode.curvelets import (
    curvelet_transform,
    inverse_curvelet_transform,
    plan_curvelets,
)
from sklearn_sparsecode.layers import pool_coefficients, threshold, universal_threshold
from sklearn_sparsecode.layers._modulus import band_modulus
from sklearn_sparsecode.wavelets import (
    inverse_wavelet_transform,
    plan_wavelets,
    wavelet_transform,
)

PACKAGE = Path(ss.__file__).parent
RNG = np.random.default_rng(3)


# -- A new transform needs only its plan and forward/inverse maps. ----------------

@dataclass(frozen=True)
class _RowPairsPlan:
    bands: list


class RowPairs(MultiscaleTransformer):
    """Toy orthonormal transform: sums and differences of row pairs, / √2."""

    _parameter_constraints = {"scale": [Interval(Integral, 1, None, closed="left")],
                              **MultiscaleTransformer._parameter_constraints}
    _images_only = True

    def __init__(self, *, scale=1, image_shape=None, batch_size=None, n_jobs=None, verbose=0):
        self.scale = scale
        super().__init__(image_shape=image_shape, batch_size=batch_size, n_jobs=n_jobs,
                         verbose=verbose)

    def _make_plan(self, input_shape):
        if input_shape[0] % 2:
            raise ValueError("RowPairs needs an even number of rows.")
        half = (input_shape[0] // 2, input_shape[1])
        return _RowPairsPlan(stack_bands([
            dict(scale=1, name="sum", shape=half, lowpass=True, prefix="rows_sum"),
            dict(scale=1, name="diff", shape=half, orientation=90.0, prefix="rows_diff")]))

    def _forward(self, plan, chunk, out):
        a, b = chunk[:, 0::2], chunk[:, 1::2]
        n = len(chunk)
        out[:, plan.bands[0].start:plan.bands[0].stop] = ((a + b) / np.sqrt(2)).reshape(n, -1)
        out[:, plan.bands[1].start:plan.bands[1].stop] = ((a - b) / np.sqrt(2)).reshape(n, -1)

    def _inverse(self, plan, coefs, out):
        n = len(coefs)
        s = coefs[:, plan.bands[0].start:plan.bands[0].stop].reshape(n, *plan.bands[0].shape)
        d = coefs[:, plan.bands[1].start:plan.bands[1].stop].reshape(n, *plan.bands[1].shape)
        images = np.empty((n, 2 * s.shape[1], s.shape[2]), dtype=out.dtype)
        images[:, 0::2], images[:, 1::2] = (s + d) / np.sqrt(2), (s - d) / np.sqrt(2)
        out[:] = images.reshape(n, -1)


def test_a_transform_on_the_base_gets_the_whole_estimator():
    X = RNG.normal(size=(5, 6, 4))
    est = RowPairs().fit(X)
    C = est.transform(X)
    np.testing.assert_allclose(C[:, :12].reshape(5, 3, 4), (X[:, 0::2] + X[:, 1::2]) / np.sqrt(2))
    np.testing.assert_allclose(est.inverse_transform(C), X)
    assert est.get_feature_names_out()[[0, 12]].tolist() == ["rows_sum_0_0", "rows_diff_0_0"]
    assert est.feature_layout()["band"][12] == "diff"
    np.testing.assert_allclose(np.linalg.norm(est.atom(13)), 1.0)
    assert est.transform(X.astype(np.float32)).dtype == np.float32
    np.testing.assert_array_equal(est.set_params(n_jobs=2, batch_size=2).transform(X), C)
    pooled = LocalPooling(transformer=RowPairs(), grid=3).fit(X).transform(X)
    assert pooled.shape == (5, 2 * 3 * 3)
    with pytest.raises(ValueError, match="transforms images"):
        RowPairs().fit(X.reshape(5, -1))


def test_the_base_keeps_a_new_transform_short():
    # What RowPairs writes beyond its maths: __init__, constraints, _make_plan.
    source = inspect.getsource(RowPairs)
    assert len(source.splitlines()) < 40


# -- Band records are read by field, never by type. --------------------------------

def test_no_code_tells_bands_apart_by_type():
    pattern = re.compile(r"hasattr\(band|getattr\(band|isinstance\(band")
    offenders = [str(p) for p in PACKAGE.rglob("*.py") if pattern.search(p.read_text())]
    assert offenders == []


def test_no_layer_calls_a_private_method_of_another():
    pattern = re.compile(r"(?<!self)(?<!cls)(?<!super\(\))\.(_transform_images|_forward|_inverse|"
                         r"_make_plan|_validate)\(")
    offenders = [str(p) for p in PACKAGE.rglob("*.py") if pattern.search(p.read_text())]
    assert offenders == []


@pytest.mark.parametrize("make", [
    lambda: WaveletTransformer(wavelet="db2", n_scales=2),
    lambda: CurveletTransformer(n_scales=3, n_orientations=4),
    lambda: CurveletTransformer(n_scales=3, n_orientations=4, decimated=False),
    lambda: LocalPooling(transformer=CurveletTransformer(n_scales=2, decimated=False), grid=3),
    lambda: ContourletTransformer(n_orientations=(4, 8)),
    lambda: LocalPooling(transformer=ContourletTransformer(n_orientations=(1, 8)), grid=2),
])
def test_bands_tile_the_output_and_carry_every_field(make):
    X = RNG.normal(size=(2, 24, 20))
    est = make().fit(X)
    C = est.transform(X)
    assert all(isinstance(b, Band) for b in est.bands_)
    assert [b.start for b in est.bands_[1:]] == [b.stop for b in est.bands_[:-1]]
    assert est.bands_[0].start == 0 and est.bands_[-1].stop == C.shape[1]
    assert all(b.size == int(np.prod(b.shape)) for b in est.bands_)
    assert est.bands_[0].lowpass and not est.bands_[-1].lowpass
    names = est.get_feature_names_out()
    assert len(set(names)) == len(names)
    for band in est.bands_:
        assert names[band.start].startswith(band.prefix + "_")


def test_complex_halves_are_paired_by_key_not_position():
    shape = (2, 2)
    fields = dict(scale=2, shape=shape, angle=1, orientation=30.0)
    bands = stack_bands([dict(name="a1_im", part="im", **fields),
                         dict(name="lowpass", scale=1, shape=shape, lowpass=True),
                         dict(name="a1_re", part="re", **fields)])
    groups = complex_pairs(bands)
    assert [tuple(b.name for b in g) for g in groups] == [("a1_re", "a1_im"), ("lowpass",)]
    coefs = RNG.normal(size=(3, 12))
    maps, out = band_modulus(coefs, bands)
    np.testing.assert_allclose(maps[:, :4], np.hypot(coefs[:, 8:12], coefs[:, 0:4]))
    np.testing.assert_allclose(maps[:, 4:], coefs[:, 4:8])  # low-pass keeps its sign
    assert [b.name for b in out] == ["a1", "lowpass"]
    with pytest.raises(ValueError, match="no matching"):
        complex_pairs(bands[:2])


def test_modulus_layer_keeps_the_energy_of_a_tight_frame():
    X = RNG.normal(size=(3, 32, 32))
    plan = plan_curvelets((32, 32), n_scales=3, n_orientations=4, decimated=False)
    C = curvelet_transform(X, plan=plan)
    maps, _ = band_modulus(C, plan.bands)
    np.testing.assert_allclose(np.sum(maps**2, axis=1), np.sum(X**2, axis=(1, 2)), rtol=1e-12)


# -- One source of truth for parameters. ------------------------------------------

ESTIMATOR_CLASSES = [getattr(ss, name) for name in ss.__all__
                     if inspect.isclass(getattr(ss, name))
                     and issubclass(getattr(ss, name), sklearn.base.BaseEstimator)]


@pytest.mark.parametrize("cls", ESTIMATOR_CLASSES, ids=lambda c: c.__name__)
def test_constructor_parameters_are_keyword_only(cls):
    params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    assert params and all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params)


def test_public_names_are_sorted_and_importable():
    assert ss.__all__ == sorted(ss.__all__)
    for name in ss.__all__:
        assert getattr(ss, name) is not None


IMAGES = RNG.normal(size=(3, 16, 16))
COEFS = wavelet_transform(IMAGES, wavelet='haar', n_scales=1)
BANDS = plan_wavelets((16, 16), wavelet='haar', n_scales=1).bands


@pytest.mark.parametrize("call, word", [
    (lambda: threshold(COEFS, top_k=0), "top_k"),
    (lambda: threshold(COEFS, top_k=1.5), "top_k"),
    (lambda: threshold(COEFS, n_jobs=0), "n_jobs"),
    (lambda: pool_coefficients(COEFS, BANDS, grid=0), "grid"),
    (lambda: pool_coefficients(COEFS, BANDS, grid=(2, 0)), "grid"),
    (lambda: pool_coefficients(COEFS, BANDS, grid=(2, 2, 2)), "grid"),
    (lambda: pool_coefficients(COEFS, BANDS, power=0), "power"),
    (lambda: pool_coefficients(COEFS, BANDS, power=-1.0), "power"),
    (lambda: wavelet_transform(IMAGES, wavelet='haar', n_scales=0), "n_scales"),
    (lambda: wavelet_transform(IMAGES, wavelet='haar', n_scales=1.0), "n_scales"),
    (lambda: wavelet_transform(IMAGES, wavelet='nope'), "wavelet"),
    (lambda: wavelet_transform(IMAGES, wavelet='morl'), "wavelet"),
    (lambda: wavelet_transform(IMAGES, wavelet=3), "wavelet"),
    (lambda: wavelet_transform(IMAGES, mode="mirror"), "mode"),
    (lambda: wavelet_transform(IMAGES, batch_size=0), "batch_size"),
    (lambda: inverse_wavelet_transform(COEFS, plan=plan_wavelets((16, 16), wavelet='haar', n_scales=-1)), "n_scales"),
    (lambda: curvelet_transform(IMAGES, n_scales=1), "n_scales"),
    (lambda: curvelet_transform(IMAGES, n_orientations=3), "n_orientations"),
    (lambda: curvelet_transform(IMAGES, n_orientations=5), "n_orientations"),
    (lambda: curvelet_transform(IMAGES, n_scales=2.0), "n_scales"),
    (lambda: curvelet_transform(IMAGES, finest="both"), "finest"),
    (lambda: curvelet_transform(IMAGES, plan="plan"), "plan"),
    (lambda: plan_curvelets((16, 16), n_scales=0), "n_scales"),
    (lambda: inverse_curvelet_transform(COEFS, plan=plan_curvelets((16, 16), n_scales=1)), "n_scales"),
    (lambda: universal_threshold(COEFS, bands="dd"), "bands"),
    (lambda: contourlet_transform(IMAGES, n_orientations=3), "n_orientations"),
    (lambda: contourlet_transform(IMAGES, n_orientations=(4, 8.0)), "n_orientations"),
    (lambda: contourlet_transform(IMAGES, n_orientations=0), "n_orientations"),
    (lambda: contourlet_transform(IMAGES, lp_filters="db2"), "lp_filters"),
    (lambda: contourlet_transform(IMAGES, dfb_filters="pkva"), "dfb_filters"),
    (lambda: contourlet_transform(IMAGES, plan="plan"), "plan"),
    (lambda: contourlet_transform(IMAGES, n_orientations=(16, 16, 16)), "n_orientations"),
    (lambda: plan_contourlets((16, 15), n_orientations=4), "image_shape"),
    (lambda: inverse_contourlet_transform(COEFS, plan=plan_contourlets((16, 16), reconstruction='adjoint')),
     "reconstruction"),
])
def test_public_functions_reject_bad_parameters_by_name(call, word):
    with pytest.raises((ValueError, TypeError), match=word):
        call()


@pytest.mark.parametrize("call", [
    lambda X: wavelet_transform(X, wavelet='haar', n_scales=1),
    lambda X: curvelet_transform(X, n_scales=2),
    lambda X: contourlet_transform(X, n_orientations=4),
    lambda X: threshold(X.reshape(len(X), -1), 0.1),
    lambda X: pool_coefficients(X.reshape(len(X), -1), BANDS),
])
def test_public_functions_reject_complex_nan_and_sparse_like_the_estimators(call):
    with pytest.raises(ValueError, match="[Cc]omplex"):
        call(IMAGES + 1j)
    bad = IMAGES.copy()
    bad[0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        call(bad)


def test_float16_is_computed_without_overflow():
    X = np.full((2, 16, 16), 60000, dtype=np.float16)  # sums overflow float16
    C = wavelet_transform(X, wavelet='haar', n_scales=1)
    assert C.dtype == np.float64 and np.isfinite(C).all()
    np.testing.assert_allclose(C, wavelet_transform(X.astype(np.float64), wavelet='haar', n_scales=1))
    est = CurveletTransformer(n_scales=2).fit(X)
    assert np.isfinite(est.transform(X)).all()


def test_pywt_wavelet_objects_are_accepted():
    C = wavelet_transform(IMAGES, wavelet=pywt.Wavelet('db2'), n_scales=1)
    np.testing.assert_array_equal(C, wavelet_transform(IMAGES, wavelet='db2', n_scales=1))
    est = WaveletTransformer(wavelet=pywt.Wavelet("sym3"), n_scales=1)
    assert clone(est).fit(IMAGES).get_feature_names_out()[0] == "sym3_L1_aa_0_0"


def test_wavelet_typos_suggest_names():
    with pytest.raises(ValueError, match=r"'wavelet' parameter.*Did you mean 'db2'"):
        WaveletTransformer(wavelet="db2 ").fit(IMAGES)
    with pytest.raises(ValueError, match="continuous wavelet"):
        wavelet_transform(IMAGES, wavelet='morl')


@pytest.mark.parametrize("image_shape", [(2.5, 3), (None, 8), (0, 4), (4,), "ab", (True, 2)])
def test_image_shape_is_checked_not_coerced(image_shape):
    with pytest.raises((ValueError, TypeError), match="image_shape"):
        WaveletTransformer(image_shape=image_shape).fit(np.ones((2, 6)))


def test_n_jobs_zero_is_rejected_whatever_the_chunks():
    for batch_size in (None, 1):
        with pytest.raises(ValueError, match="n_jobs"):
            WaveletTransformer(n_jobs=0, batch_size=batch_size).fit(IMAGES)


def test_universal_threshold_follows_visushrink_with_bands():
    # scikit-image's estimate: median |d| / 0.6745 of the non-zero finest diagonal details.
    _, (_, _, dd) = pywt.wavedec2(IMAGES, "haar", level=1, mode="periodization", axes=(-2, -1))
    dd[0, 0, 0] = 0.0
    C = COEFS.copy()
    C[0, BANDS[-1].start] = 0.0
    d = dd[dd != 0]
    expected = np.median(np.abs(d)) / scipy.stats.norm.ppf(0.75) * np.sqrt(2 * np.log(C.shape[1]))
    assert universal_threshold(C, bands=BANDS) == pytest.approx(expected)
    # Without bands: every entry counts.
    everything = np.median(np.abs(C)) / scipy.stats.norm.ppf(0.75) * np.sqrt(2 * np.log(C.shape[1]))
    assert universal_threshold(C) == pytest.approx(everything)


# -- Inputs: flattened images, state, memory. --------------------------------------

def test_flattened_images_get_a_warning():
    with pytest.warns(FlattenedImagesWarning, match=r"image_shape=\(8, 8\)"):
        WaveletTransformer(wavelet="haar").fit(np.ones((3, 64)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        WaveletTransformer(wavelet="haar", image_shape=(8, 8)).fit(np.ones((3, 64)))
        WaveletTransformer(wavelet="haar").fit(np.ones((3, 60)))  # not a square
        ThresholdTransformer().fit(np.ones((3, 64)))  # elementwise: shape does not matter


def test_local_pooling_forgets_old_feature_names_on_refit():
    pd = pytest.importorskip("pandas")
    X = RNG.normal(size=(3, 64))
    est = LocalPooling(transformer=WaveletTransformer(wavelet="haar", n_scales=1,
                                                      image_shape=(8, 8)), grid=2)
    est.fit(pd.DataFrame(X, columns=[f"p{i}" for i in range(64)]))
    assert hasattr(est, "feature_names_in_")
    est.fit(X)
    assert not hasattr(est, "feature_names_in_")
    est.transform(X)


def test_local_pooling_default_on_small_images_says_what_to_do():
    with pytest.raises(ValueError, match=r"default transformer.*n_scales=2"):
        LocalPooling().fit(np.zeros((2, 8, 8)))


def test_local_pooling_is_a_layer_itself():
    X = RNG.normal(size=(2, 16, 16))
    inner = LocalPooling(transformer=WaveletTransformer(wavelet="haar", n_scales=1), grid=4)
    outer = LocalPooling(transformer=inner, grid=2).fit(X)
    assert outer.transform(X).shape == (2, 4 * 4)
    assert outer.get_feature_names_out()[0].startswith("pool_s1_aa")


@pytest.mark.parametrize("dtype", [np.uint8, np.float16, np.int64])
def test_integer_and_half_input_is_converted_per_chunk(dtype):
    X = RNG.integers(0, 255, size=(4000, 28, 28)).astype(dtype)
    est = WaveletTransformer(wavelet="haar", n_scales=2).fit(X[:2])
    expected = est.transform(X[:50].astype(np.float64))
    with sklearn.config_context(working_memory=4):
        tracemalloc.start()
        out = est.transform(X)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    np.testing.assert_array_equal(out[:50], expected)
    # Output (25 MB) plus chunks; a whole-batch float64 copy would add another 25 MB.
    assert peak < out.nbytes + 12 * 2**20, peak / 2**20


def test_inputs_are_never_modified():
    X = RNG.normal(size=(3, 16, 16))
    copy = X.copy()
    for est in [WaveletTransformer(), CurveletTransformer(n_scales=2), LocalPooling(
            transformer=WaveletTransformer(wavelet="haar", n_scales=1), grid=2),
            ThresholdTransformer(tau=0.1, shrinkage="soft")]:
        est.fit(X).transform(X)
        np.testing.assert_array_equal(X, copy)


def test_threshold_converts_integer_codes_per_chunk():
    X = RNG.integers(0, 255, size=(20000, 784)).astype(np.uint8)
    est = ThresholdTransformer(tau=100.0, shrinkage="soft").fit(X[:2])
    with sklearn.config_context(working_memory=4):
        tracemalloc.start()
        out = est.transform(X)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    np.testing.assert_array_equal(out[:5], np.maximum(X[:5].astype(float) - 100, 0))
    assert peak < out.nbytes + 12 * 2**20, peak / 2**20
