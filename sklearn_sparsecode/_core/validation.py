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

import math
import warnings
from numbers import Integral

import numpy as np
from sklearn.utils import check_array
from sklearn.utils._param_validation import Interval as _SklearnInterval
from sklearn.utils.validation import validate_data

# float32 stays float32 (the transforms are linear or elementwise, so single
# precision is enough when the user chose it); everything else becomes float64.
FLOAT_DTYPES = (np.float64, np.float32)

class Interval(_SklearnInterval):
    """scikit-learn's ``Interval`` constraint, except that a bool is not a number.

    ``True`` is an ``Integral`` to Python, so scikit-learn would take
    ``level=True`` as level 1 and ``tau=True`` as τ = 1; here it is refused
    with the usual "The 'level' parameter of ... must be" message.
    """

    def is_satisfied_by(self, val):
        return not isinstance(val, (bool, np.bool_)) and super().is_satisfied_by(val)


# Constraints shared by the estimators' ``_parameter_constraints`` and the
# ``validate_params`` of the public functions: one source of truth.
N_JOBS = [Interval(Integral, None, -1, closed="right"), Interval(Integral, 1, None, closed="left"),
          None]
BATCH_SIZE = [Interval(Integral, 1, None, closed="left"), None]
VERBOSE = ["verbose"]


class FlattenedImagesWarning(UserWarning):
    """2-D input without ``image_shape`` whose rows look like flattened square images."""


def work_dtype(dtype):
    """The dtype a batch is computed in: float32 stays, everything else is float64.

    float16 is computed in float64 (never overflows to inf), integers and bools
    are converted exactly. The conversion happens per chunk (see
    :func:`as_work_chunk`), so a uint8 batch is never copied whole to float64.
    """
    return np.dtype(np.float32) if np.dtype(dtype) == np.float32 else np.dtype(np.float64)


def as_work_chunk(chunk):
    """``chunk`` in its work dtype (a view when it already is)."""
    return chunk.astype(work_dtype(chunk.dtype), copy=False)


def check_image_shape(image_shape, name="image_shape"):
    """``image_shape`` as a pair of positive ints, or a ValueError naming it.

    Integer-valued floats are rejected rather than truncated (``(2.5, 3)`` is
    not a shape), so is ``bool``; numpy integers are accepted.
    """
    if image_shape is None:
        return None
    try:
        shape = tuple(image_shape)
    except TypeError:
        raise TypeError(f"{name} must be a pair of positive integers (height, width); "
                        f"got {image_shape!r}.") from None
    integers = all(isinstance(s, Integral) and not isinstance(s, bool) for s in shape)
    if not (len(shape) == 2 and integers and min(shape) >= 1):
        raise ValueError(f"{name} must be a pair of positive integers (height, width); "
                         f"got {image_shape!r}.")
    return tuple(int(s) for s in shape)


def check_batch(X, *, name, ndims=(2, 3)):
    """Validate the input array of a public function, as the estimators do.

    scikit-learn's checks (sparse, complex, NaN/inf, empty, object dtype) with
    the number of dimensions in ``ndims``. The dtype is kept (integers, float16
    and float32 are converted per chunk by the transform, see :func:`work_dtype`).
    """
    if np.iscomplexobj(X):  # before check_array, whose message prints the whole array
        raise ValueError(f"Complex data not supported by {name}: X must be real.")
    X = check_array(X, dtype="numeric", allow_nd=True, ensure_2d=False, ensure_min_features=1,
                    input_name="X", estimator=name)
    if X.ndim not in ndims:
        shapes = {2: "(n_samples, n_features)", 3: "(n_samples, height, width)"}
        expected = " or ".join(shapes[d] for d in ndims)
        raise ValueError(f"{name} expects X of shape {expected}; got an array of shape "
                         f"{X.shape}.")
    if X.dtype == np.bool_:
        X = X.view(np.uint8)
    return X


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
    if image_shape is not None and check_image_shape(image_shape) != seen:
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
    try:
        shape = check_image_shape(image_shape)
    except (TypeError, ValueError) as error:
        raise type(error)(f"{name}: {error}") from None
    if shape[0] * shape[1] != n_features:
        raise ValueError(
            f"image_shape={shape} needs {shape[0] * shape[1]} features per "
            f"sample, but X has {n_features} features."
        )
    return shape


def _warn_if_flattened_images(name, n_features):
    side = math.isqrt(n_features)
    if n_features >= 64 and side * side == n_features:
        warnings.warn(
            f"{name} got 2-D X with {n_features} = {side}x{side} features and "
            f"image_shape=None, so each row is transformed as a 1-D signal. If the rows are "
            f"flattened images, pass image_shape=({side}, {side}) or "
            f"X.reshape(-1, {side}, {side}).", FlattenedImagesWarning, stacklevel=4)


def validate_images(estimator, X, *, reset, image_shape=None, reshape=True,
                    images_only=False, keep_dtype=False):
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
        True in ``fit``, False in ``transform``. In ``fit``, 2-D X without
        ``image_shape`` whose width is a square of at least 8x8 gets a
        :class:`FlattenedImagesWarning` (the rows are read as 1-D signals).
    image_shape : tuple of int or None
        The estimator's ``image_shape`` parameter.
    reshape : bool, default=True
        Return ``(n_samples, *input_shape_)`` when True, the validated
        ``(n_samples, n_features)`` array when False (for elementwise maps).
    images_only : bool, default=False
        Reject 2-D X without ``image_shape`` (1-D signals), for transforms that
        only exist for images.
    keep_dtype : bool, default=False
        Return numeric input in its own dtype (integers, float16), for callers
        that convert per chunk with :func:`as_work_chunk` so that memory stays
        bounded; by default the batch is converted to float64/float32 here.

    Returns
    -------
    X : ndarray of dtype float64 or float32 (or the input's numeric dtype)
    """
    name = type(estimator).__name__
    X, seen = _as_2d(X, image_shape, name)
    X = validate_data(estimator, X, reset=reset, dtype="numeric" if keep_dtype else FLOAT_DTYPES)
    if X.dtype == np.bool_:
        X = X.view(np.uint8)
    if reset and reshape and seen is None and image_shape is None and not images_only:
        # Only where the geometry matters: elementwise maps (reshape=False) don't care.
        _warn_if_flattened_images(name, X.shape[1])
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
