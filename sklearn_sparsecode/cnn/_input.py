"""Input images of the CNN estimators: grey batches, flattened rows, or colour channels."""

from .._core.validation import CHANNEL_AXIS, validate_images

__all__ = ["CHANNEL_AXIS", "validate_cnn_images"]


def validate_cnn_images(estimator, X, *, reset, image_shape, channel_axis, keep_dtype=False):
    """X as (n, H, W) grey images or (n, C, H, W) images with channels first.

    :func:`~sklearn_sparsecode._core.validation.validate_images` for images
    only: a batch (n, H, W), 2-D rows with ``image_shape``, or with an int
    ``channel_axis`` a batch of channel images with 4 axes (e.g. (n, H, W, 3)
    with -1, (n, 3, H, W) with 1) whose channels become the first
    convolution's input channels, as in PyTorch. Records ``input_shape_`` and
    ``n_channels_`` (None for grey, as every estimator of the package) on
    ``reset``.
    """
    return validate_images(estimator, X, reset=reset, image_shape=image_shape,
                           channel_axis=channel_axis, images_only=True, keep_dtype=keep_dtype)
