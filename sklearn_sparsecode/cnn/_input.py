"""Input images of the CNN estimators: grey batches, flattened rows, or colour channels."""

from numbers import Integral

import numpy as np
from sklearn.utils.validation import validate_data

from .._core.validation import FLOAT_DTYPES, Interval, validate_images

CHANNEL_AXIS = [Interval(Integral, None, None, closed="neither"), None]


def validate_cnn_images(estimator, X, *, reset, image_shape, channel_axis, keep_dtype=False):
    """X as (n, H, W) grey images or (n, C, H, W) images with channels first.

    With ``channel_axis=None`` this is :func:`validate_images` (a batch
    (n, H, W), or 2-D rows with ``image_shape``). With an int, X must be a
    batch of colour images with 4 axes, the sample axis first and the channels
    on ``channel_axis`` (e.g. (n, H, W, 3) with -1, (n, 3, H, W) with 1); they
    become the first convolution's input channels, as in PyTorch. Records
    ``n_channels_`` (1 for grey) on ``reset``.
    """
    name = type(estimator).__name__
    if channel_axis is None:
        images = validate_images(estimator, X, reset=reset, image_shape=image_shape,
                                 images_only=True, keep_dtype=keep_dtype)
        if reset:
            estimator.n_channels_ = 1
        elif estimator.n_channels_ != 1:
            raise ValueError(f"{name} was fitted on images with {estimator.n_channels_} "
                             f"channels; pass channel_axis.")
        return images
    if not hasattr(X, "ndim") or not hasattr(X, "shape"):
        X = np.asarray(X)
    if X.ndim != 4:
        raise ValueError(
            f"{name} with channel_axis={channel_axis} takes a batch of images with channels, "
            f"of shape (n_samples, height, width, channels) or with the channels on axis "
            f"{channel_axis}; got an array of shape {X.shape}. For one image, pass "
            f"image[None].")
    if not -4 <= channel_axis < 4 or channel_axis % 4 == 0:
        raise ValueError(f"channel_axis={channel_axis} must point at an image axis (1, 2 or 3, "
                         f"or -1, -2, -3) of X of shape {X.shape}; axis 0 holds the samples.")
    moved = np.moveaxis(X, channel_axis, 1)
    n, channels, height, width = moved.shape
    if not reset and (channels, height, width) != (estimator.n_channels_,
                                                   *estimator.input_shape_):
        raise ValueError(
            f"X has images of shape {(height, width)} with {channels} channels, but {name} was "
            f"fitted on images of shape {tuple(estimator.input_shape_)} with "
            f"{estimator.n_channels_} channels.")
    flat = validate_data(estimator, np.reshape(moved, (n, -1)), reset=reset,
                         dtype="numeric" if keep_dtype else FLOAT_DTYPES)
    if flat.dtype == np.bool_:
        flat = flat.view(np.uint8)
    if reset:
        estimator.input_shape_ = (height, width)
        estimator.n_channels_ = channels
    return flat.reshape(n, channels, height, width)
