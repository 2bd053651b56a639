"""Noise-level estimation: the finest scale of every transform, unbiased on pure noise."""

import numpy as np
import pytest
import pywt
from sklearn.base import BaseEstimator, TransformerMixin, clone

from sklearn_sparsecode import (
    ContourletTransformer,
    CurveletTransformer,
    MorletTransformer,
    WaveletTransformer,
)
from sklearn_sparsecode._core.shrinkage import MAD_TO_SIGMA
from sklearn_sparsecode.restoration import band_atom_norms, estimate_sigma
from sklearn_sparsecode.restoration._plans import finest_bands, transform_info

TRANSFORMS = [
    WaveletTransformer(wavelet="db4"),
    WaveletTransformer(wavelet="bior2.2"),
    CurveletTransformer(n_scales=3),
    CurveletTransformer(n_scales=3, decimated=False),
    CurveletTransformer(n_scales=3, finest="wavelets"),
    ContourletTransformer(),
    ContourletTransformer(decimated=False),
    MorletTransformer(),
    MorletTransformer(normalize="peak"),
]


@pytest.mark.parametrize("transformer", TRANSFORMS, ids=repr)
@pytest.mark.parametrize("sigma", [0.05, 0.3])
def test_unbiased_within_five_percent_on_pure_noise(transformer, sigma):
    # Before: Morlet read a coarse band (0.34 for 0.05), contourlets divided by
    # synthesis norms (20% low). Mean over 4 images of 128²: sampling spread ~1%.
    noise = np.random.default_rng(7).normal(scale=sigma, size=(4, 128, 128))
    estimates = estimate_sigma(noise, transformer)
    assert estimates.shape == (4,)
    assert np.mean(estimates) == pytest.approx(sigma, rel=0.05)
    np.testing.assert_allclose(estimates, sigma, rtol=0.08)


@pytest.mark.parametrize("transformer", TRANSFORMS, ids=repr)
def test_finest_bands_on_a_noisy_cartoon(transformer):
    # With image content, a coarse band inflates σ̂: before, Morlet (bands listed
    # coarse last) read 0.15 here for 0.05, and contourlets 0.041.
    from sklearn_sparsecode.datasets import make_cartoon

    image = make_cartoon(128, random_state=0)
    noisy = image + np.random.default_rng(8).normal(scale=0.05, size=(2, 128, 128))
    np.testing.assert_allclose(estimate_sigma(noisy, transformer), 0.05, rtol=0.1)


def test_default_is_scikit_images_estimate_with_sym4():
    # Written here with PyWavelets: the MAD of the level-1 diagonal details.
    rng = np.random.default_rng(0)
    image = np.add.outer(np.linspace(0, 1, 64), np.linspace(0, 1, 64)) + rng.normal(
        scale=0.1, size=(64, 64))
    _, (_, _, dd) = pywt.dwt2(image, "sym4", mode="periodization")
    assert estimate_sigma(image) == pytest.approx(np.median(np.abs(dd)) / 0.6744897501960817,
                                                  rel=1e-12)


def test_finest_scale_is_read_from_the_scale_numbering():
    bands = WaveletTransformer(wavelet="haar").fit(np.zeros((1, 16, 16))).bands_
    assert [bands[i].name for i in finest_bands(bands)] == ["da", "ad", "dd"]
    assert {bands[i].scale for i in finest_bands(bands)} == {1}  # levels: 1 = finest
    ct = CurveletTransformer(n_scales=3).fit(np.zeros((1, 32, 32))).bands_
    assert {ct[i].scale for i in finest_bands(ct)} == {3}  # scales: 1 = coarsest
    morlet = MorletTransformer(n_scales=3).fit(np.zeros((1, 32, 32))).bands_
    assert {morlet[i].scale for i in finest_bands(morlet)} == {1}


class _Reversed(TransformerMixin, BaseEstimator):
    """A wavelet transform whose bands are listed finest first (as Morlet lists them)."""

    def __init__(self, wavelet="db2"):
        self.wavelet = wavelet

    def fit(self, X, y=None):
        self.inner_ = WaveletTransformer(wavelet=self.wavelet).fit(X)
        self.input_shape_ = self.inner_.input_shape_
        order = list(reversed(self.inner_.bands_))
        self.perm_ = np.concatenate([np.arange(b.start, b.stop) for b in order])
        start, self.bands_ = 0, []
        for b in order:
            self.bands_.append(b._replace(start=start, stop=start + b.size))
            start += b.size
        return self

    def transform(self, X):
        return self.inner_.transform(X)[:, self.perm_]

    def inverse_transform(self, C):
        out = np.empty_like(C)
        out[:, self.perm_] = C
        return self.inner_.inverse_transform(out)


def test_band_order_plays_no_part():
    rng = np.random.default_rng(1)
    image = np.cumsum(rng.normal(size=(64, 64)), axis=1) / 8 + rng.normal(scale=0.05,
                                                                         size=(64, 64))
    assert estimate_sigma(image, _Reversed()) == pytest.approx(
        estimate_sigma(image, WaveletTransformer(wavelet="db2")), rel=1e-12)


def test_diagonal_band_of_the_finest_scale():
    # An image of horizontal and vertical stripes at high frequency fills the
    # da/ad bands; the estimate reads dd, where there is only the noise.
    rng = np.random.default_rng(2)
    yy, xx = np.mgrid[:128, :128]
    stripes = 0.5 * (np.cos(0.9 * np.pi * yy) + np.cos(0.9 * np.pi * xx))
    estimate = estimate_sigma(stripes + rng.normal(scale=0.05, size=stripes.shape),
                              WaveletTransformer(wavelet="db4"))
    assert estimate == pytest.approx(0.05, rel=0.08)
    info = transform_info(WaveletTransformer(wavelet="db4"), (128, 128))
    assert [info.bands[i].name for i in info.noise_bands()] == ["dd"]


def test_analysis_norms_are_what_the_coefficients_of_noise_have():
    # Contourlets (9-7 pyramid) are not a tight frame: the std of a coefficient of
    # unit noise (analysis side) differs from the synthesis atom's norm.
    est = ContourletTransformer().fit(np.zeros((1, 64, 64)))
    analysis = band_atom_norms(est, kind="analysis")
    synthesis = band_atom_norms(est)
    assert np.max(np.abs(analysis / synthesis - 1)) > 0.1
    coefs = est.transform(np.random.default_rng(3).normal(size=(200, 64, 64)))
    measured = np.array([np.sqrt(np.mean(coefs[:, b.start:b.stop] ** 2)) for b in est.bands_])
    np.testing.assert_allclose(analysis, measured, rtol=0.05)


def test_colour_and_integer_images():
    rng = np.random.default_rng(4)
    scales = np.array([0.02, 0.05, 0.1])
    colour = 0.5 + rng.normal(size=(96, 96, 3)) * scales
    per_channel = estimate_sigma(colour, channel_axis=-1)
    assert per_channel.shape == (3,)
    np.testing.assert_allclose(per_channel, scales, rtol=0.08)
    np.testing.assert_allclose(estimate_sigma(np.moveaxis(colour, -1, 0), channel_axis=0),
                               per_channel, rtol=1e-12)
    batch = estimate_sigma(np.stack([colour, colour]), channel_axis=-1)
    assert batch.shape == (2, 3)
    # uint8: σ in the units of the image scaled to [0, 1].
    grey = np.clip(0.5 + rng.normal(scale=0.1, size=(128, 128)), 0, 1)
    as_uint8 = np.round(grey * 255).astype(np.uint8)
    assert estimate_sigma(as_uint8) == pytest.approx(estimate_sigma(as_uint8 / 255.0), rel=1e-9)


def test_mad_of_the_noise_band_is_the_estimate():
    # σ̂ = median(|c|/‖a‖)/0.6745 exactly, on a transform with non-unit norms.
    rng = np.random.default_rng(5)
    image = rng.normal(scale=0.2, size=(64, 64))
    est = CurveletTransformer(n_scales=3).fit(image[None])
    info = transform_info(est, (64, 64))
    norms = info.analysis_norms()
    coefs = est.transform(image[None])[0]
    values = np.concatenate([np.abs(coefs[est.bands_[i].start:est.bands_[i].stop]) / norms[i]
                             for i in info.noise_bands()])
    assert estimate_sigma(image, est) == pytest.approx(np.median(values) / MAD_TO_SIGMA,
                                                       rel=1e-12)


@pytest.mark.parametrize("images, kwargs, error, match", [
    (np.zeros(16), {}, ValueError, "must be one image"),
    (np.zeros((1, 2, 8, 8)), {}, ValueError, "must be one image"),
    (np.zeros((64, 64, 3)), {}, ValueError, "pass channel_axis=-1"),
    (np.zeros((8, 8)), {"channel_axis": 2}, ValueError, "out of range"),
    (np.zeros((8, 8, 3)), {"channel_axis": True}, ValueError, "channel_axis"),
    (np.zeros((8, 8, 3)), {"channel_axis": 1.0}, ValueError, "channel_axis"),
    (np.full((8, 8), np.nan), {}, ValueError, "NaN"),
    (np.zeros((0, 8)), {}, ValueError, "empty"),
    (np.zeros((8, 8), dtype=complex), {}, ValueError, "real"),
])
def test_bad_images(images, kwargs, error, match):
    with pytest.raises(error, match=match):
        estimate_sigma(images, **kwargs)


def test_user_transformer_untouched():
    ct = CurveletTransformer(n_scales=3)
    estimate_sigma(np.zeros((32, 32)) + np.random.default_rng(0).normal(size=(32, 32)), ct)
    assert not hasattr(ct, "bands_")
    assert clone(ct).get_params() == ct.get_params()
