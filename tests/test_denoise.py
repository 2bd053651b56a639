"""denoise and Denoiser against references written here with PyWavelets."""

import threading

import numpy as np
import pytest
import pywt
from sklearn.base import clone
from sklearn.pipeline import make_pipeline
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_sparsecode import CurveletTransformer, Denoiser, WaveletTransformer
from sklearn_sparsecode.datasets import make_cartoon
from sklearn_sparsecode.restoration import _plans, denoise, estimate_sigma

MAD = 0.6744897501960817  # Φ⁻¹(3/4), written out


def _psnr(clean, estimate):
    return 10 * np.log10(1.0 / np.mean((clean - estimate) ** 2))


def _noisy(size=64, sigma=0.1, seed=0):
    clean = make_cartoon(size, random_state=seed)
    return clean, clean + np.random.default_rng(seed).normal(scale=sigma, size=clean.shape)


# --- References written with PyWavelets -------------------------------------------

def _ref_shrink(image, wavelet, levels, tau_of, rule):
    """Threshold every detail band of one image at tau_of(band), keep the low-pass."""
    coeffs = pywt.wavedec2(image, wavelet, mode="periodization", level=levels)
    out = [coeffs[0]]
    for j, details in enumerate(coeffs[1:]):
        finest = j == len(coeffs) - 2
        out.append(tuple(pywt.threshold(d, tau_of(d, finest), rule) for d in details))
    return pywt.waverec2(out, wavelet, mode="periodization")


def _bayes(sigma):
    def tau(d, finest):
        signal = np.sqrt(max(np.mean(d**2) - sigma**2, 0.0))
        return sigma**2 / signal if signal > 0 else np.inf
    return tau


def _ref_wiener(image, pilot, sigma, wavelet, levels):
    cy = pywt.wavedec2(image, wavelet, mode="periodization", level=levels)
    cp = pywt.wavedec2(pilot, wavelet, mode="periodization", level=levels)
    out = [cy[0]] + [tuple(y * p**2 / (p**2 + sigma**2) for y, p in zip(dy, dp))
                     for dy, dp in zip(cy[1:], cp[1:])]
    return pywt.waverec2(out, wavelet, mode="periodization")


def _spin(step, image, shifts, *others):
    total = np.zeros_like(image)
    for s in shifts:
        rolled = [np.roll(a, s, axis=(0, 1)) for a in (image, *others)]
        total += np.roll(step(*rolled), (-s[0], -s[1]), axis=(0, 1))
    return total / len(shifts)


HAMMERSLEY_4 = [(0, 0), (1, 2), (2, 1), (3, 3)]


def test_default_call_is_the_two_stage_reference():
    # 64x64: p = 3 levels. BayesShrink soft in sym4 over 4 Hammersley shifts, then
    # the empirical Wiener gain in Haar over the same shifts; σ from sym4's dd.
    _, noisy = _noisy(64, 0.1, seed=3)
    _, (_, _, dd) = pywt.dwt2(noisy, "sym4", mode="periodization")
    sigma = np.median(np.abs(dd)) / MAD
    pilot = _spin(lambda y: _ref_shrink(y, "sym4", 3, _bayes(sigma), "soft"), noisy,
                  HAMMERSLEY_4)
    expected = _spin(lambda y, p: _ref_wiener(y, p, sigma, "haar", 3), noisy, HAMMERSLEY_4,
                     pilot)
    np.testing.assert_allclose(denoise(noisy), expected, atol=1e-10)


@pytest.mark.parametrize("sigma", [0.05, 0.2])
def test_bayes_shrink_threshold_is_noise_variance_over_signal_std(sigma):
    # Away from σ = 0, against τ = σ²/sqrt(max(mean(d²) − σ², 0)) computed here.
    _, noisy = _noisy(64, sigma, seed=1)
    expected = _ref_shrink(noisy, "db2", 3, _bayes(sigma), "soft")
    ours = denoise(noisy, WaveletTransformer(wavelet="db2", n_scales=3), sigma=sigma,
                   n_shifts=1, wiener=False)
    np.testing.assert_allclose(ours, expected, atol=1e-12)
    # k multiplies it.
    ours_k = denoise(noisy, WaveletTransformer(wavelet="db2", n_scales=3), sigma=sigma, k=1.7,
                     n_shifts=1, wiener=False)
    expected_k = _ref_shrink(noisy, "db2", 3, lambda d, f: 1.7 * _bayes(sigma)(d, f), "soft")
    np.testing.assert_allclose(ours_k, expected_k, atol=1e-12)


def test_k_and_k_finest_roles():
    # Fixed rule: k·σ on coarser bands, k_finest·σ on the finest scale (level 1).
    _, noisy = _noisy(64, 0.1, seed=2)
    expected = _ref_shrink(noisy, "db2", 3, lambda d, finest: (4.0 if finest else 1.5) * 0.1,
                           "hard")
    ours = denoise(noisy, WaveletTransformer(wavelet="db2", n_scales=3), sigma=0.1, method="fixed",
                   shrinkage="hard", k=1.5, k_finest=4.0, n_shifts=1, wiener=False)
    np.testing.assert_allclose(ours, expected, atol=1e-12)
    default_k = denoise(noisy, WaveletTransformer(wavelet="db2", n_scales=3), sigma=0.1,
                        method="fixed", shrinkage="hard", n_shifts=1, wiener=False)
    np.testing.assert_allclose(
        default_k, _ref_shrink(noisy, "db2", 3, lambda d, f: 0.3, "hard"), atol=1e-12)


def test_visushrink_threshold():
    _, noisy = _noisy(64, 0.1, seed=4)
    tau = 0.1 * np.sqrt(2 * np.log(64 * 64))
    ours = denoise(noisy, WaveletTransformer(wavelet="haar", n_scales=3), sigma=0.1,
                   method="VisuShrink", n_shifts=1, wiener=False)
    np.testing.assert_allclose(ours, _ref_shrink(noisy, "haar", 3, lambda d, f: tau, "soft"),
                               atol=1e-12)


@pytest.mark.parametrize("rule", ["soft", "garrote"])
def test_joint_magnitude_rule_on_complex_curvelet_pairs(rule):
    # (√2·Re, √2·Im) halves shrunk together: both multiplied by ρ(m)/m, m their
    # modulus, τ = k·σ·‖a‖ of the Re half. Written here from the transform.
    _, noisy = _noisy(32, 0.1, seed=5)
    est = CurveletTransformer(n_scales=3, n_orientations=4).fit(noisy[None])
    coefs = est.transform(noisy[None])[0]
    norms = _plans.transform_info(est, (32, 32)).analysis_norms()
    halves = {}
    for i, band in enumerate(est.bands_):
        if band.part in ("re", "im"):
            halves.setdefault(band.key, {})[band.part] = (i, band)
    assert halves, "curvelets with 8 angles have complex bands"
    expected = coefs.copy()
    for pair in halves.values():
        (i, re), (_, im) = pair["re"], pair["im"]
        tau = 2.0 * 0.1 * norms[i]
        a, b = coefs[re.start:re.stop], coefs[im.start:im.stop]
        m = np.hypot(a, b)
        gain = np.zeros_like(m)
        kept = m > tau
        gain[kept] = 1 - tau / m[kept] if rule == "soft" else 1 - tau**2 / m[kept] ** 2
        expected[re.start:re.stop], expected[im.start:im.stop] = a * gain, b * gain
    reference = est.inverse_transform(expected[None])[0]
    ours = denoise(noisy, est, sigma=0.1, method="fixed", shrinkage=rule, k=2.0, joint=True,
                   n_shifts=1, wiener=False)
    # The image is extended to sides divisible by 4 (32 already is): no crop.
    np.testing.assert_allclose(ours, reference, atol=1e-10)


def test_shifts_are_a_hammersley_set():
    _, noisy = _noisy(32, 0.1, seed=6)
    wt = WaveletTransformer(wavelet="haar", n_scales=2)
    one = lambda y: denoise(y, wt, sigma=0.1, n_shifts=1, wiener=False)
    shifts = [(0, 0), (1, 4), (2, 2), (3, 6), (4, 1), (5, 5), (6, 3), (7, 7)]
    np.testing.assert_allclose(denoise(noisy, wt, sigma=0.1, n_shifts=8, wiener=False),
                               _spin(one, noisy, shifts), atol=1e-12)


@pytest.mark.parametrize("kwargs", [{}, {"shrinkage": "hard", "method": "fixed"},
                                    {"shrinkage": "garrote", "joint": True},
                                    {"wiener": False, "n_shifts": 1}])
@pytest.mark.parametrize("transformer", [None, CurveletTransformer(n_scales=3, n_orientations=4)])
def test_zero_sigma_returns_the_input(transformer, kwargs):
    _, noisy = _noisy(32, 0.1, seed=0)
    np.testing.assert_allclose(denoise(noisy, transformer, sigma=0.0, **kwargs), noisy,
                               atol=1e-12)


def test_denoising_helps_keeps_shape_and_float32():
    clean, noisy = _noisy(64, 0.1, seed=2)
    batch = np.stack([noisy, noisy[::-1]])
    restored = denoise(batch)
    assert restored.shape == batch.shape and restored.dtype == np.float64
    assert _psnr(clean, restored[0]) > _psnr(clean, noisy) + 8
    np.testing.assert_allclose(restored[1], denoise(noisy[::-1]), atol=1e-12)  # per image
    single = denoise(noisy.astype(np.float32))
    assert single.shape == (64, 64) and single.dtype == np.float32
    np.testing.assert_allclose(single, restored[0], atol=2e-5)


def test_odd_shapes_are_extended_and_cropped():
    rng = np.random.default_rng(0)
    clean = make_cartoon((45, 70), random_state=1)
    noisy = clean + rng.normal(scale=0.1, size=clean.shape)
    restored = denoise(noisy)
    assert restored.shape == (45, 70)
    assert _psnr(clean, restored) > _psnr(clean, noisy) + 6


def test_curvelets_beat_wavelets_on_a_cartoon():
    # Starck, Candès & Donoho (2002): edges along curves are where curvelets win.
    clean, noisy = _noisy(256, 0.1, seed=0)
    options = dict(sigma=0.1, method="fixed", shrinkage="hard", n_shifts=1, wiener=False)
    wavelet = denoise(noisy, WaveletTransformer(wavelet="db4"), **options)
    curvelet = denoise(noisy, CurveletTransformer(), k_finest=4, **options)
    assert _psnr(clean, curvelet) > _psnr(clean, wavelet) + 1.5


# --- Colour, integers, float16, shapes ---------------------------------------------

OPPONENT = np.array([[1, 1, 1], [1, 0, -1], [1, -2, 1]]) / np.sqrt([[3], [2], [6]])


def _colour(size=64, sigma=0.1, seed=0):
    rng = np.random.default_rng(seed)
    base = make_cartoon(size, random_state=seed)
    clean = np.stack([base, base[::-1], 0.5 * base + 0.3], axis=-1)
    return clean, clean + rng.normal(scale=sigma, size=clean.shape)


def test_colour_is_opponent_channels_denoised_as_grey():
    _, noisy = _colour()
    opp = noisy @ OPPONENT.T  # the orthonormal opponent transform, written here
    sigmas = [estimate_sigma(opp[..., c]) for c in range(3)]
    grey = np.stack([denoise(opp[..., c], sigma=s) for c, s in zip(range(3), sigmas)], -1)
    np.testing.assert_allclose(denoise(noisy, channel_axis=-1), grey @ OPPONENT, atol=1e-10)
    # A given σ: the same in every opponent channel (orthonormal rows).
    given = np.stack([denoise(opp[..., c], sigma=0.1) for c in range(3)], -1) @ OPPONENT
    np.testing.assert_allclose(denoise(noisy, sigma=0.1, channel_axis=-1), given, atol=1e-10)
    # Channels first, and a batch.
    np.testing.assert_allclose(denoise(np.moveaxis(noisy, -1, 0), channel_axis=0),
                               np.moveaxis(denoise(noisy, channel_axis=-1), -1, 0), atol=1e-12)
    batch = denoise(np.stack([noisy, noisy]), channel_axis=-1)
    assert batch.shape == (2, 64, 64, 3)
    np.testing.assert_allclose(batch[1], denoise(noisy, channel_axis=-1), atol=1e-12)


def test_colour_beats_per_channel_and_ycbcr_on_correlated_channels():
    # Natural colour images have strongly correlated channels, like this one.
    base = make_cartoon(128, random_state=1)
    clean = np.stack([0.9 * base + 0.05, 0.8 * base + 0.1, 0.6 * base + 0.2], axis=-1)
    noisy = clean + np.random.default_rng(1).normal(scale=0.1, size=clean.shape)
    scores = {space: _psnr(clean, denoise(noisy, channel_axis=-1, color_space=space))
              for space in ("opponent", "ycbcr", "channels")}
    assert scores["opponent"] > scores["channels"] + 0.5
    assert scores["opponent"] > scores["ycbcr"]


def test_per_channel_sigma_goes_through_the_colour_transform():
    _, noisy = _colour()
    sig = np.array([0.05, 0.1, 0.2])
    opp = noisy @ OPPONENT.T
    mixed = np.sqrt(OPPONENT**2 @ sig**2)
    expected = np.stack([denoise(opp[..., c], sigma=mixed[c]) for c in range(3)], -1) @ OPPONENT
    np.testing.assert_allclose(denoise(noisy, sigma=sig, channel_axis=-1), expected, atol=1e-10)


def test_uint8_matches_float_and_follows_scikit_image_ranges():
    clean, noisy = _noisy(128, 0.1, seed=3)
    noisy = np.clip(noisy, 0, 1)
    as_uint8 = np.round(noisy * 255).astype(np.uint8)  # skimage's img_as_ubyte
    ours8, ours = denoise(as_uint8), denoise(noisy)
    assert ours8.dtype == np.float64 and 0 <= ours8.min() and ours8.max() <= 1
    assert abs(_psnr(clean, ours8) - _psnr(clean, ours)) < 0.5
    # Signed integers: [-1, 1] (img_as_float), clipped there.
    signed = (np.clip(noisy * 2 - 1, -1, 1) * 32767).astype(np.int16)
    out = denoise(signed)
    assert out.min() >= -1 and out.max() <= 1 and out.min() < -0.5
    # Floats are never clipped.
    assert denoise(noisy * 3).max() > 1.5


def test_float16_with_large_values_does_not_overflow():
    _, noisy = _noisy(64, 0.1, seed=4)
    big = (noisy * 30000).astype(np.float16)
    out = denoise(big)
    assert out.dtype == np.float32 and np.all(np.isfinite(out))
    assert estimate_sigma(big) == pytest.approx(estimate_sigma(big.astype(np.float32)))


@pytest.mark.parametrize("images, kwargs, match", [
    (np.zeros((64, 64, 3)), {}, "looks like one colour image"),
    (np.zeros((2, 64, 64, 3)), {}, "must be one image"),
    (np.zeros((16, 16, 8)), {"channel_axis": -1}, "color_space='channels'"),
    (np.zeros((16, 16, 2)), {"channel_axis": -1, "color_space": "opponent"}, "needs 3"),
    (np.zeros((16, 16)), {"channel_axis": 5}, "out of range"),
    (np.zeros((16, 16, 3)), {"channel_axis": True}, "channel_axis"),
    (np.zeros(16), {}, "must be one image"),
    (np.full((16, 16), np.inf), {}, "NaN or infinity"),
    (np.zeros((8, 8), dtype=complex), {}, "real"),
    (np.zeros((16, 16)), {"sigma": -0.1}, "sigma"),
    (np.zeros((16, 16)), {"sigma": True}, "sigma"),
    (np.zeros((16, 16, 3)), {"sigma": [0.1, 0.2], "channel_axis": -1}, "one non-negative"),
    (np.zeros((16, 16)), {"shrinkage": "median"}, "shrinkage"),
    (np.zeros((16, 16)), {"method": "sure"}, "method"),
    (np.zeros((16, 16)), {"k": -1}, "'k'"),
    (np.zeros((16, 16)), {"k": True}, "'k'"),
    (np.zeros((16, 16)), {"n_shifts": 0}, "n_shifts"),
    (np.zeros((16, 16)), {"n_shifts": 2.0}, "n_shifts"),
    (np.zeros((16, 16)), {"keep_lowpass": "no"}, "keep_lowpass"),
    (np.zeros((16, 16)), {"wiener": "yes"}, "wiener"),
])
def test_bad_input_is_refused_with_a_clear_message(images, kwargs, match):
    with pytest.raises(ValueError, match=match):
        denoise(images, **kwargs)


def test_inputs_are_never_modified():
    _, noisy = _colour()
    copy = noisy.copy()
    denoise(noisy, channel_axis=-1)
    np.testing.assert_array_equal(noisy, copy)


# --- Caching, threads, the estimator -----------------------------------------------

def test_plans_and_norms_are_cached_and_the_cache_is_bounded():
    ct = CurveletTransformer(n_scales=3)
    first = _plans.transform_info(ct, (32, 32))
    assert _plans.transform_info(clone(ct), (32, 32)) is first  # same parameters and shape
    norms = first.analysis_norms()
    assert first.analysis_norms() is norms
    assert not hasattr(ct, "bands_")  # the user's estimator is not fitted
    for size in range(8, 8 + 2 * _plans.CACHE_SIZE):
        _plans.transform_info(WaveletTransformer(wavelet="haar", n_scales=1), (size, size))
    assert len(_plans.CACHE) <= _plans.CACHE_SIZE


def test_threads_give_the_sequential_results():
    images = [_noisy(size, 0.1, seed=size)[1] for size in (32, 40, 48, 32)]
    _plans.CACHE.clear()
    expected = [denoise(x) for x in images]
    _plans.CACHE.clear()
    results = [None] * len(images)

    def work(i):
        results[i] = denoise(images[i])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(images))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for got, want in zip(results, expected):
        np.testing.assert_array_equal(got, want)


def test_denoiser_equals_denoise_and_works_in_a_pipeline():
    rng = np.random.default_rng(0)
    clean = np.stack([make_cartoon(32, random_state=s) for s in range(4)])
    noisy = clean + rng.normal(scale=0.1, size=clean.shape)
    params = dict(sigma=0.1, shrinkage="garrote", k=1.5, k_finest=2.0, n_shifts=2,
                  wiener=WaveletTransformer(wavelet="db2"))
    ct = CurveletTransformer(n_scales=3)
    den = Denoiser(transformer=ct, **params)
    np.testing.assert_allclose(den.fit_transform(noisy), denoise(noisy, ct, **params),
                               atol=1e-12)
    assert den.wiener_atom_norms_.shape == (len(den.wiener_transformer_.bands_),)
    flat = Denoiser(image_shape=(32, 32)).fit(noisy.reshape(4, -1))
    np.testing.assert_allclose(flat.transform(noisy.reshape(4, -1)),
                               denoise(noisy).reshape(4, -1), atol=1e-12)
    pipe = make_pipeline(Denoiser(sigma=0.1), WaveletTransformer(wavelet="haar"))
    assert pipe.fit_transform(noisy).shape == (4, 32 * 32)


def test_denoiser_colour_and_pandas_output():
    pd = pytest.importorskip("pandas")
    _, noisy = _colour(32)
    batch = np.stack([noisy, noisy[::-1]])
    den = Denoiser(channel_axis=-1).fit(batch)
    np.testing.assert_allclose(den.transform(batch), denoise(batch, channel_axis=-1),
                               atol=1e-12)
    first = Denoiser(channel_axis=1).fit(np.moveaxis(batch, -1, 1))
    np.testing.assert_allclose(first.transform(np.moveaxis(batch, -1, 1)),
                               np.moveaxis(den.transform(batch), -1, 1), atol=1e-12)
    table = pd.DataFrame(np.random.default_rng(0).normal(size=(5, 64)))
    out = make_pipeline(Denoiser(image_shape=(8, 8))).set_output(transform="pandas")
    assert isinstance(out.fit_transform(table), pd.DataFrame)


def test_denoiser_fits_once():
    _, noisy = _noisy(32, 0.1)
    den = Denoiser(transformer=CurveletTransformer(n_scales=3), sigma=0.1).fit(noisy[None])
    _plans.CACHE.clear()  # transform does not need the cache: the norms are fitted
    calls = []
    original = _plans.TransformInfo.analysis_norms
    try:
        _plans.TransformInfo.analysis_norms = lambda self, *a, **k: calls.append(1)
        den.transform(noisy[None])
    finally:
        _plans.TransformInfo.analysis_norms = original
    assert calls == []


def test_denoiser_rejects_bad_parameters_by_name():
    with pytest.raises(ValueError, match="sigma"):
        Denoiser(sigma=-1.0).fit(np.zeros((2, 16, 16)))
    with pytest.raises(ValueError, match="n_shifts"):
        Denoiser(n_shifts=0).fit(np.zeros((2, 16, 16)))
    with pytest.raises(ValueError, match="channel_axis"):
        Denoiser(channel_axis=-1).fit(np.zeros((2, 16, 16)))


# The Denoiser with its default wavelets also takes 2-D tables (as 1-D signals), so
# it runs every common check. With a curvelet transform it needs images: the checks
# that fit on 2-D tables then fail by design.
_IMAGES_ONLY = ("fits on a 2-D table without image_shape; the curvelet transform inside "
                "requires images and raises a ValueError saying so")
_CURVELET_EXPECTED = {name: _IMAGES_ONLY for name in [
    "check_fit_score_takes_y", "check_estimators_overwrite_params",
    "check_dont_overwrite_parameters", "check_estimators_fit_returns_self",
    "check_readonly_memmap_input", "check_n_features_in_after_fitting",
    "check_positive_only_tag_during_fit", "check_estimators_dtypes", "check_dtype_object",
    "check_pipeline_consistency", "check_estimators_nan_inf", "check_estimators_pickle",
    "check_f_contiguous_array_estimator", "check_transformer_data_not_an_array",
    "check_transformer_general", "check_transformer_preserve_dtypes",
    "check_methods_sample_order_invariance", "check_methods_subset_invariance",
    "check_fit2d_1sample", "check_fit2d_1feature", "check_dict_unchanged",
    "check_fit_idempotent", "check_fit_check_is_fitted", "check_n_features_in",
    "check_fit2d_predict1d", "check_transformer_get_feature_names_out",
    "check_transformer_get_feature_names_out_pandas",
]}


def _expected(estimator):
    if isinstance(estimator.transformer, CurveletTransformer):
        return _CURVELET_EXPECTED
    return {}


@parametrize_with_checks([Denoiser(), Denoiser(sigma=0.1, shrinkage="hard", method="fixed",
                                               n_shifts=1, wiener=False),
                          Denoiser(wiener=WaveletTransformer(wavelet="db2"), joint=True),
                          Denoiser(transformer=WaveletTransformer(wavelet="haar", n_scales=1), k=2.0),
                          Denoiser(transformer=CurveletTransformer(n_scales=2))],
                         expected_failed_checks=_expected)
def test_sklearn_compatible_denoiser(estimator, check):
    check(estimator)


def test_denoiser_through_dask_transform_on_flattened_images():
    da = pytest.importorskip("dask.array")
    from sklearn_sparsecode.dask import dask_transform

    rng = np.random.default_rng(0)
    X = np.stack([make_cartoon(32, random_state=s) for s in range(6)]).reshape(6, -1)
    X = X + rng.normal(scale=0.1, size=X.shape)
    den = Denoiser(image_shape=(32, 32)).fit(X[:1])
    lazy = dask_transform(den, da.from_array(X, chunks=(2, -1)))
    np.testing.assert_array_equal(lazy.compute(), den.transform(X))
