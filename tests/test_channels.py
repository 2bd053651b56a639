"""Colour and multi-channel images (issue 21): ``channel_axis`` on every multiscale transformer.

The reference is the grey transform of each channel, computed here channel by channel:
a transformer with ``channel_axis`` must give exactly those blocks, named by channel,
and its inverse must give back the input in the input's own layout.
"""

import numpy as np
import pytest

from sklearn_sparsecode import (
    ContourletTransformer,
    CurveletTransformer,
    LocalPooling,
    MorletTransformer,
    ScatteringTransformer,
    WaveletTransformer,
)

RNG = np.random.default_rng(21)
TRANSFORMERS = [
    WaveletTransformer(wavelet="db2", n_scales=2),
    CurveletTransformer(n_scales=3, n_orientations=4),
    ContourletTransformer(n_orientations=(4, 8)),
    MorletTransformer(n_scales=2, n_orientations=4),
    ScatteringTransformer(n_scales=2, n_orientations=4),
]


def _ids(est):
    return type(est).__name__


def _with(est, **params):
    return type(est)(**{**est.get_params(deep=False), **params})


def _grey_blocks(est, X_channels_last):
    grey = _with(est).fit(X_channels_last[..., 0])
    return [grey.transform(X_channels_last[..., c]) for c in range(X_channels_last.shape[-1])]


@pytest.mark.parametrize("est", TRANSFORMERS, ids=_ids)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_channels_last_gives_each_channels_grey_features(est, dtype):
    X = RNG.normal(size=(3, 32, 32, 3)).astype(dtype)
    colour = _with(est, channel_axis=-1).fit(X)
    F = colour.transform(X)
    blocks = _grey_blocks(est, X)
    width = blocks[0].shape[1]
    assert F.shape == (3, 3 * width) and F.dtype == dtype
    for c in range(3):  # channel-major: block c is the grey transform of channel c
        np.testing.assert_allclose(F[:, c * width:(c + 1) * width], blocks[c],
                                   rtol=1e-5 if dtype == np.float32 else 1e-12, atol=1e-6)
    names = colour.get_feature_names_out()
    assert len(names) == F.shape[1] == len(set(names))
    assert all(n.startswith(f"c{c}_") for c in range(3) for n in names[c * width:(c + 1) * width])
    layout = colour.feature_layout()
    np.testing.assert_array_equal(layout["channel"], np.repeat([0, 1, 2], width))


@pytest.mark.parametrize("est", TRANSFORMERS, ids=_ids)
def test_channels_first_equals_channels_last(est):
    X = RNG.normal(size=(2, 3, 32, 32))
    first = _with(est, channel_axis=1).fit(X)
    last = _with(est, channel_axis=-1).fit(np.moveaxis(X, 1, -1))
    np.testing.assert_array_equal(first.transform(X), last.transform(np.moveaxis(X, 1, -1)))


@pytest.mark.parametrize("est", [e for e in TRANSFORMERS if hasattr(e, "inverse_transform")],
                         ids=_ids)
@pytest.mark.parametrize("channel_axis, shape", [(-1, (2, 32, 32, 3)), (1, (2, 3, 32, 32)),
                                                 (2, (2, 32, 4, 32))])
def test_inverse_returns_the_input_layout(est, channel_axis, shape):
    X = RNG.normal(size=shape)
    colour = _with(est, channel_axis=channel_axis).fit(X)
    back = colour.inverse_transform(colour.transform(X))
    assert back.shape == X.shape
    np.testing.assert_allclose(back, X, atol=1e-9)


def test_pooling_over_a_colour_transform_pools_each_channel():
    X = RNG.normal(size=(2, 32, 32, 3))
    inner = CurveletTransformer(n_scales=3, n_orientations=4)
    colour = LocalPooling(transformer=CurveletTransformer(n_scales=3, n_orientations=4,
                                                          channel_axis=-1), grid=4).fit(X)
    grey = LocalPooling(transformer=inner, grid=4).fit(X[..., 0])
    F = colour.transform(X)
    width = grey.transform(X[..., 0]).shape[1]
    assert F.shape == (2, 3 * width)
    for c in range(3):
        np.testing.assert_allclose(F[:, c * width:(c + 1) * width], grey.transform(X[..., c]),
                                   rtol=1e-10, atol=1e-12)
    names = colour.get_feature_names_out()
    assert len(set(names)) == len(names) and names[0].startswith("c0_")


def test_input_is_never_modified():
    X = RNG.normal(size=(2, 32, 32, 3))
    copy = X.copy()
    est = CurveletTransformer(n_scales=3, n_orientations=4, channel_axis=-1).fit(X)
    est.inverse_transform(est.transform(X))
    np.testing.assert_array_equal(X, copy)


# ------------------------------------------------------------------ errors in image language

def test_one_colour_image_without_channel_axis_is_refused():
    image = RNG.random((64, 64, 3))
    with pytest.raises(ValueError, match=r"looks like one image with 3 channels.*image\[None\]"):
        WaveletTransformer().fit(image)
    # Opting in: these really are 64 images of 64 x 3 pixels.
    assert WaveletTransformer(image_shape=(64, 3)).fit(image).input_shape_ == (64, 3)


def test_one_grey_image_to_a_fitted_transformer_names_the_fix():
    X = RNG.normal(size=(3, 32, 32))
    est = WaveletTransformer().fit(X)
    with pytest.raises(ValueError, match=r"images of shape \(32, 32\).*image\[None\]"):
        est.transform(X[0])
    with pytest.raises(ValueError, match=r"fitted on images of shape \(32, 32\).*channel_axis"):
        est.transform(X.reshape(3, -1)[:, :100])


@pytest.mark.parametrize("channel_axis, error, match", [
    (5, ValueError, "out of range"),
    (0, ValueError, "sample axis"),
    (2, ValueError, "more than 4 channels.*image_shape"),
])
def test_bad_channel_axis(channel_axis, error, match):
    X = RNG.normal(size=(2, 32, 32, 3))
    with pytest.raises(error, match=match):
        WaveletTransformer(channel_axis=channel_axis).fit(X)


@pytest.mark.parametrize("bad", [1.5, True, "last"])
def test_channel_axis_must_be_an_int(bad):
    from sklearn.utils._param_validation import InvalidParameterError
    with pytest.raises(InvalidParameterError, match="channel_axis"):
        WaveletTransformer(channel_axis=bad).fit(RNG.normal(size=(2, 16, 16, 3)))


def test_channels_must_match_between_fit_and_transform():
    est = WaveletTransformer(channel_axis=-1).fit(RNG.normal(size=(2, 16, 16, 3)))
    with pytest.raises(ValueError, match="channel"):
        est.transform(RNG.normal(size=(2, 16, 16, 4)))


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_colour_images_are_refused(bad):
    X = RNG.normal(size=(2, 16, 16, 3))
    X[1, 3, 4, 2] = bad
    with pytest.raises(ValueError, match="NaN|infinity"):
        WaveletTransformer(channel_axis=-1).fit(X)
