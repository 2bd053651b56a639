"""One validation path for the image and signal inputs of every estimator.

Every transformer in this package accepts the same three input forms:

* ``X`` of shape ``(n_samples, height, width)``: a batch of images;
* ``X`` of shape ``(n_samples, n_features)`` with ``image_shape=(height, width)``:
  flattened images (row-major, as ``X.reshape(n_samples, -1)`` gives);
* ``X`` of shape ``(n_samples, n_features)`` with ``image_shape=None``: each row is
  a 1-D signal (time series, or the arbitrary tables scikit-learn's estimator
  checks feed).

:func:`validate_images` turns all three into one array of shape
``(n_samples, *input_shape_)`` after scikit-learn's own checks (sparse, NaN/inf,
complex, empty, dtype, feature count), and records ``n_features_in_`` (pixels per
image, whatever the input form) and ``input_shape_`` on ``fit``.
"""

import numpy as np
from sklearn.utils.validation import validate_data

# float32 stays float32 (the transforms are linear or elementwise, so single
# precision is enough when the user chose it); everything else becomes float64.
FLOAT_DTYPES = (np.float64, np.float32)


def _as_2d(X, image_shape, name):
    """Flatten 3-D input to 2-D, returning it with the per-sample shape seen.

    Lists and other array-likes are converted once here so that their number of
    dimensions is known; arrays, sparse matrices and data frames pass through.
    """
    ndim = getattr(X, "ndim", None)
    if ndim is None:
        X = np.asarray(X)
        ndim = X.ndim
    if ndim <= 2:
        # 1-D input is rejected by validate_data with scikit-learn's usual
        # "Expected 2D array ... Reshape your data" message.
        return X, None
    if ndim != 3:
        raise ValueError(
            f"{name} expects X of shape (n_samples, n_features) or "
            f"(n_samples, height, width); got an array with {ndim} dimensions "
            f"of shape {tuple(X.shape)}."
        )
    seen = tuple(int(s) for s in X.shape[1:])
    if image_shape is not None and tuple(image_shape) != seen:
        raise ValueError(
            f"image_shape={tuple(image_shape)} does not match the shape of the "
            f"images in X, {seen}. Pass image_shape=None with 3-D input."
        )
    # A view for C-contiguous input; numpy copies only when it must.
    return X.reshape(X.shape[0], seen[0] * seen[1]), seen


def _check_image_shape(image_shape, n_features, name):
    """Resolve the per-sample shape declared by ``image_shape`` for 2-D input."""
    if image_shape is None:
        return (n_features,)
    shape = tuple(int(s) for s in image_shape)
    if len(shape) != 2 or min(shape) < 1:
        raise ValueError(
            f"{name}: image_shape must be a pair of positive integers "
            f"(height, width); got {image_shape!r}."
        )
    if shape[0] * shape[1] != n_features:
        raise ValueError(
            f"image_shape={shape} needs {shape[0] * shape[1]} features per "
            f"sample, but X has {n_features} features."
        )
    return shape


def validate_images(estimator, X, *, reset, image_shape=None, reshape=True,
                    images_only=False):
    """Validate ``X`` and return it as a batch of ``(n_samples, *input_shape_)``.

    Parameters
    ----------
    estimator : estimator instance
        Receives ``n_features_in_``, ``feature_names_in_`` (data frames) and
        ``input_shape_`` when ``reset`` is True; is checked against them
        otherwise.
    X : array-like of shape (n_samples, n_features) or (n_samples, h, w)
        The input. Never modified.
    reset : bool
        True in ``fit``, False in ``transform``.
    image_shape : tuple of int or None
        The estimator's ``image_shape`` parameter.
    reshape : bool, default=True
        Return ``(n_samples, *input_shape_)`` when True, the validated
        ``(n_samples, n_features)`` array when False (for elementwise maps).
    images_only : bool, default=False
        Reject 2-D X without ``image_shape`` (1-D signals), for transforms that
        only exist for images.

    Returns
    -------
    X : ndarray of dtype float64 or float32
    """
    name = type(estimator).__name__
    X, seen = _as_2d(X, image_shape, name)
    X = validate_data(estimator, X, reset=reset, dtype=FLOAT_DTYPES)
    if images_only and reset and seen is None and image_shape is None:
        raise ValueError(
            f"{name} transforms images: pass X of shape (n_samples, height, width), or "
            f"2-D X with image_shape=(height, width). Got 2-D X with {X.shape[1]} features "
            f"and image_shape=None."
        )
    if reset:
        estimator.input_shape_ = seen or _check_image_shape(
            image_shape, X.shape[1], name
        )
    elif seen is not None and seen != tuple(estimator.input_shape_):
        # Same pixel count, different geometry (e.g. 28x28 vs 14x56).
        raise ValueError(
            f"X has images of shape {seen}, but {name} was fitted on images "
            f"of shape {tuple(estimator.input_shape_)}."
        )
    if not reshape:
        return X
    return X.reshape(X.shape[0], *estimator.input_shape_)
