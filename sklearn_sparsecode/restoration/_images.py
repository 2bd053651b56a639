"""Images as users hold them: one or many, grey or colour, float or integer.

The restoration functions take one image or a batch, with the rule of
scikit-image's ``channel_axis``: the input is **one image iff**
``ndim == 2 + (channel_axis is not None)``; one more axis in front is a batch.
``channel_axis`` (an int) names the axis that holds the channels, wherever it is
(``-1`` for ``(h, w, 3)`` or ``(n, h, w, 3)``, ``1`` for ``(n, 3, h, w)``).

Values follow :func:`skimage.util.img_as_float`: unsigned integers are divided
by their largest value ([0, 1]), signed integers too ([-1, 1]), booleans become
0 and 1; float16 is computed in float32; float32 and float64 are kept. The
output of integer (and boolean) input is clipped to [0, 1] ([-1, 1] when the
scaled input has negative values), as scikit-image's restoration functions do;
float input is never clipped.
"""

from dataclasses import dataclass
from numbers import Integral

import numpy as np

from .._core.validation import MAX_CHANNELS, _channel_axis_of

#: Orthonormal opponent colour transform (rows: luminance, red-blue, green-magenta).
OPPONENT = np.array([[1, 1, 1], [1, 0, -1], [1, -2, 1]], dtype=np.float64) / np.sqrt(
    [[3.0], [2.0], [6.0]])
#: ITU-R BT.601 YCbCr (as scikit-image's ``rgb2ycbcr``, without its offsets).
YCBCR = np.array([[65.481, 128.553, 24.966], [-37.797, -74.203, 112.0],
                  [112.0, -93.786, -18.214]]) / 255.0
COLOR_SPACES = ("auto", "opponent", "ycbcr", "channels")


@dataclass
class ImageBatch:
    """A validated batch: ``data`` is (n, h, w) grey or (n, h, w, c) colour, float."""

    data: np.ndarray
    single: bool
    channel_axis: object     # as given (None or int), to put the channels back
    ndim: int                # of the input
    clip: object             # None, or (low, high) for integer input


def _describe(shape):
    return "x".join(str(s) for s in shape)


def check_channel_axis(channel_axis, shape, name="images"):
    """``channel_axis`` as a non-negative axis of an array of ``shape``, or a clear error.

    A batch (4-D) is checked by the package's rule (:mod:`.._core.validation`,
    which also refuses the sample axis); one image (3-D) as the batch of one it is.
    """
    if channel_axis is None:
        return None
    ndim = len(shape)
    if isinstance(channel_axis, (bool, np.bool_)) or not isinstance(channel_axis, Integral):
        raise ValueError(f"channel_axis must be None or an int; got {channel_axis!r}.")
    if not -ndim <= channel_axis < ndim:
        raise ValueError(f"channel_axis={channel_axis} is out of range for {name} of shape "
                         f"{tuple(shape)}.")
    if ndim == 4:
        return _channel_axis_of(shape, channel_axis, name)
    if ndim == 3:
        return _channel_axis_of((1, *shape), channel_axis + (channel_axis >= 0), name) - 1
    return channel_axis % ndim  # the caller explains the wrong number of dimensions


def work_dtype_of(dtype):
    """float32 for float32 and float16, float64 for everything else (integers, bools)."""
    return np.dtype(np.float32) if np.dtype(dtype) in (np.float16, np.float32) else np.dtype(
        np.float64)


def scale_to_float(X):
    """``X`` as floats with scikit-image's ``img_as_float`` scaling, and the clip range.

    Returns
    -------
    X : ndarray of float32 or float64
    clip : None for float input, else (0, 1) or (-1, 1)
    """
    kind = X.dtype.kind
    if kind == "f":
        return X.astype(work_dtype_of(X.dtype), copy=False), None
    if kind == "b":
        return X.astype(np.float64), (0.0, 1.0)
    info = np.iinfo(X.dtype)
    scaled = np.multiply(X, 1.0 / info.max, dtype=np.float64)
    if kind == "i":
        np.maximum(scaled, -1.0, out=scaled)
    negative = kind == "i" and bool(np.any(scaled < 0))
    return scaled, ((-1.0, 1.0) if negative else (0.0, 1.0))


def as_image_batch(images, channel_axis, *, name="images", color_space="auto"):
    """Validate one image or a batch and return it as an :class:`ImageBatch`.

    Raises clear errors for: non-numeric, complex, empty, NaN or infinite input;
    a wrong number of dimensions; a bad ``channel_axis``; a channel axis longer
    than 4 unless ``color_space="channels"``; and a 3-D array whose last axis has
    3 or 4 entries without ``channel_axis`` (a colour image, which would
    otherwise be read as a batch of images 3 or 4 pixels wide).
    """
    X = np.asarray(images)
    if np.iscomplexobj(X):
        raise ValueError(f"{name} must be real; got complex values of dtype {X.dtype}.")
    if X.dtype.kind not in "biuf":
        raise ValueError(f"{name} must be real numbers; got dtype {X.dtype}.")
    axis = check_channel_axis(channel_axis, X.shape, name)
    colour = axis is not None
    if X.ndim not in ((3, 4) if colour else (2, 3)):
        one, many = (("(height, width, channels)", "(n_images, height, width, channels)")
                     if colour else ("(height, width)", "(n_images, height, width)"))
        raise ValueError(f"{name} must be one image {one} or a batch {many}"
                         f"{' (channels on axis channel_axis)' if colour else ''}; "
                         f"got shape {X.shape}.")
    if X.size == 0:
        raise ValueError(f"{name} is empty (shape {X.shape}).")
    if colour:
        X = np.moveaxis(X, axis, -1)
        n_channels = X.shape[-1]
        if n_channels > MAX_CHANNELS and color_space != "channels":
            raise ValueError(
                f"channel_axis={channel_axis} points at an axis of length {n_channels}: "
                f"{name} of shape {np.asarray(images).shape} would be {n_channels}-channel "
                f"images of {_describe(X.shape[-3:-1])} pixels. If that is what you mean, pass "
                f"color_space='channels'; otherwise fix channel_axis.")
    elif X.ndim == 3 and X.shape[-1] in (3, 4) and X.shape[-2] > MAX_CHANNELS:
        raise ValueError(
            f"{name} of shape {X.shape} looks like one colour image "
            f"({_describe(X.shape[:2])} pixels, {X.shape[-1]} channels): pass channel_axis=-1. "
            f"Without it, a 3-D array is a batch of {X.shape[0]} grey images of "
            f"{_describe(X.shape[1:])} pixels, which is not what this array holds.")
    if X.dtype.kind == "f" and not np.all(np.isfinite(X)):
        raise ValueError(f"{name} contains NaN or infinity.")
    data, clip = scale_to_float(X)
    single = X.ndim == (3 if colour else 2)
    if single:
        data = data[None]
    return ImageBatch(data, single, channel_axis, np.asarray(images).ndim, clip)


def restore_layout(batch, values):
    """``values`` shaped like ``batch.data``, back in the caller's layout and range."""
    if batch.clip is not None:
        np.clip(values, *batch.clip, out=values)
    if batch.single:
        values = values[0]
    if batch.channel_axis is not None:
        axis = batch.channel_axis % batch.ndim
        values = np.moveaxis(values, -1, axis)
    return values


def colour_matrix(color_space, n_channels):
    """The channel transform M (rows: output channels) for a colour space, or None."""
    if color_space == "channels" or (color_space == "auto" and n_channels != 3):
        return None
    if n_channels != 3:
        raise ValueError(f"color_space={color_space!r} needs 3 channels; got {n_channels}. "
                         "Use color_space='channels' to denoise each channel on its own.")
    return YCBCR if color_space == "ycbcr" else OPPONENT
