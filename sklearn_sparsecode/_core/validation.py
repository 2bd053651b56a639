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
from sklearn.utils._param_validation import Options
from sklearn.utils.validation import validate_data

# float32 stays float32 (the transforms are linear or elementwise, so single
# precision is enough when the user chose it); everything else becomes float64.
FLOAT_DTYPES = (np.float64, np.float32)

# More channels than this on the axis ``channel_axis`` names is taken for a
# mistake (a spatial axis of a colour batch) unless ``image_shape`` confirms it.
MAX_CHANNELS = 4

class Interval(_SklearnInterval):
    """scikit-learn's ``Interval`` constraint, except that a bool is not a number.

    ``True`` is an ``Integral`` to Python, so scikit-learn would take
    ``level=True`` as level 1 and ``tau=True`` as τ = 1; here it is refused
    with the usual "The 'level' parameter of ... must be" message.
    """

    def is_satisfied_by(self, val):
        return not isinstance(val, (bool, np.bool_)) and super().is_satisfied_by(val)


class ImageShape(Options):
    """A constraint for ``validate_params``: (height, width) as two positive ints.

    Floats (even integer-valued), booleans, None and other lengths are refused;
    numpy integers are accepted. ``signals=True`` also accepts ``(length,)``.
    (A subclass of scikit-learn's ``Options`` only so that ``validate_params``
    takes it as a constraint object; it overrides the whole check.)
    """

    def __init__(self, signals=False):
        super().__init__(tuple, set())
        self.signals = signals

    def is_satisfied_by(self, val):
        try:
            shape = tuple(val)
        except TypeError:
            return False
        lengths = (1, 2) if self.signals else (2,)
        return len(shape) in lengths and all(
            isinstance(s, Integral) and not isinstance(s, (bool, np.bool_)) and s >= 1
            for s in shape)

    def __str__(self):
        if self.signals:
            return "a tuple of positive ints (height, width), or (length,) for signals"
        return "a pair of positive ints (height, width)"


# Constraints shared by the estimators' ``_parameter_constraints`` and the
# ``validate_params`` of the public functions: one source of truth. Counts
# refuse booleans (the package's Interval).
N_JOBS = [Interval(Integral, None, -1, closed="right"), Interval(Integral, 1, None, closed="left"),
          None]
BATCH_SIZE = [Interval(Integral, 1, None, closed="left"), None]
VERBOSE = ["verbose"]
IMAGE_SHAPE = [ImageShape()]
CHANNEL_AXIS = [Interval(Integral, None, None, closed="neither"), None]


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


def _image_axes(X, image_shape, channel_axis, name):
    """Flatten image input to 2-D; return it with the per-image shape and channels seen.

    Returns ``(X2, seen, n_channels, shape)``: ``X2`` is ``(n_samples, n_values)`` (a view
    for C-contiguous input, in the input's own axis order), ``seen`` the
    ``(height, width)`` of 3-D or 4-D input (None for 2-D input) and
    ``n_channels`` the length of the channel axis (None without ``channel_axis``)
    and ``shape`` the shape of X as given.
    Lists and other array-likes are converted once here so that their number of
    dimensions is known; arrays, sparse matrices and data frames pass through.
    """
    ndim = getattr(X, "ndim", None)
    if ndim is None:
        X = np.asarray(X)
        ndim = X.ndim
    if channel_axis is not None:
        axis = _channel_axis_of(X.shape, channel_axis, name)
        shape = list(X.shape)
        n_channels = shape.pop(axis)
        seen = tuple(int(s) for s in shape[1:])
        if image_shape is not None and check_image_shape(image_shape) != seen:
            raise ValueError(f"image_shape={tuple(image_shape)} does not match the images in "
                             f"X, {seen} with {n_channels} channels on axis {channel_axis}.")
        if n_channels > MAX_CHANNELS and image_shape is None:
            raise ValueError(
                f"{name}: channel_axis={channel_axis} points at an axis of length "
                f"{n_channels} in X of shape {tuple(X.shape)}; images rarely have more than "
                f"{MAX_CHANNELS} channels. If that axis really holds {n_channels} channels, "
                f"confirm the image shape with image_shape={seen}; otherwise pass the "
                f"channel_axis of the colour axis (e.g. -1 for (n, height, width, 3)).")
        return X.reshape(X.shape[0], -1), seen, int(n_channels), tuple(X.shape)
    if ndim <= 2:
        # 1-D input is rejected by validate_data with scikit-learn's usual
        # "Expected 2D array ... Reshape your data" message.
        return X, None, None, tuple(X.shape)
    if ndim != 3:
        singleton = [a for a in range(1, ndim) if X.shape[a] == 1]
        hint = ""
        if ndim == 4 and singleton:
            hint = (f" For grey images with a channel axis of length 1, pass "
                    f"channel_axis={singleton[0]} or drop it (X.squeeze({singleton[0]})).")
        elif ndim == 4:
            hint = (" For colour or multi-channel images, pass channel_axis (e.g. -1 for "
                    "(n_samples, height, width, channels)).")
        raise ValueError(
            f"{name} expects X of shape (n_samples, n_features) or "
            f"(n_samples, height, width); got an array with {ndim} dimensions "
            f"of shape {tuple(X.shape)}.{hint}"
        )
    seen = tuple(int(s) for s in X.shape[1:])
    if image_shape is not None and check_image_shape(image_shape) != seen:
        raise ValueError(
            f"image_shape={tuple(image_shape)} does not match the shape of the "
            f"images in X, {seen}. Pass image_shape=None with 3-D input."
        )
    # A view for C-contiguous input; numpy copies only when it must.
    return X.reshape(X.shape[0], seen[0] * seen[1]), seen, None, tuple(X.shape)


def _channel_axis_of(shape, channel_axis, name):
    """The non-negative index of the channel axis of a batch of ``shape``, checked."""
    if isinstance(channel_axis, (bool, np.bool_)) or not isinstance(channel_axis, Integral):
        raise TypeError(f"{name}: channel_axis must be None or an int (the axis of X that holds "
                        f"the channels); got {channel_axis!r}.")
    ndim = len(shape)
    if ndim != 4:
        raise ValueError(
            f"{name}: with channel_axis={channel_axis}, X must be a batch of channel images, "
            f"(n_samples, height, width, channels) or with the channels on another axis; got "
            f"an array of shape {tuple(shape)}. For one image, pass image[None].")
    if not -ndim <= channel_axis < ndim:
        raise ValueError(f"{name}: channel_axis={channel_axis} is out of range for X of shape "
                         f"{tuple(shape)} (axes 1 to {ndim - 1}, or -1 to -{ndim - 1}).")
    axis = channel_axis % ndim
    if axis == 0:
        raise ValueError(f"{name}: channel_axis={channel_axis} is the sample axis of X "
                         f"{tuple(shape)}; the channels sit on one of axes 1 to {ndim - 1}.")
    return axis


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


def validate_images(estimator, X, *, reset, image_shape=None, channel_axis=None, reshape=True,
                    images_only=False, keep_dtype=False):
    """Validate ``X`` and return it as a batch ``(n_samples, [channels,] *input_shape_)``.

    Parameters
    ----------
    estimator : estimator instance
        Receives ``n_features_in_``, ``feature_names_in_`` (data frames),
        ``input_shape_`` and ``n_channels_`` when ``reset`` is True; is checked
        against them otherwise.
    X : array-like of shape (n_samples, n_features), (n_samples, h, w) or, with
        ``channel_axis``, a 4-D batch of channel images
        The input. Never modified.
    reset : bool
        True in ``fit``, False in ``transform``. In ``fit``, 2-D X without
        ``image_shape`` whose width is a square of at least 8x8 gets a
        :class:`FlattenedImagesWarning` (the rows are read as 1-D signals).
    image_shape : tuple of int or None
        The estimator's ``image_shape`` parameter.
    channel_axis : int or None
        The estimator's ``channel_axis`` parameter: the axis of X that holds
        the channels (scikit-image's meaning), or None for grey images.
    reshape : bool, default=True
        Return the batch when True, the validated ``(n_samples, n_features)``
        array when False (for elementwise maps).
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
        ``(n_samples, *input_shape_)``, or ``(n_samples, n_channels, *input_shape_)``
        with ``channel_axis`` (a view with the channel axis moved to 1).
    """
    name = type(estimator).__name__
    X2, seen, n_channels, original_shape = _image_axes(X, image_shape, channel_axis, name)
    if reshape and seen is not None and n_channels is None and image_shape is None:
        _refuse_colour_image_as_batch(original_shape, name)
    if not reset and channel_axis is None and seen is None:
        _refuse_single_image(estimator, X2, name)
    try:
        X2 = validate_data(estimator, X2, reset=reset,
                           dtype="numeric" if keep_dtype else FLOAT_DTYPES)
    except ValueError as error:
        if reset or "is expecting" not in str(error):
            raise
        raise ValueError(f"{error} {_expected_images(estimator, original_shape)}") from None
    if X2.dtype == np.bool_:
        X2 = X2.view(np.uint8)
    if reset and reshape and seen is None and image_shape is None and not images_only:
        # Only where the geometry matters: elementwise maps (reshape=False) don't care.
        _warn_if_flattened_images(name, X2.shape[1])
    if images_only and reset and seen is None and image_shape is None:
        raise ValueError(
            f"{name} transforms images: pass X of shape (n_samples, height, width), or "
            f"2-D X with image_shape=(height, width). Got 2-D X with {X2.shape[1]} features "
            f"and image_shape=None."
        )
    if reset:
        estimator.input_shape_ = seen or _check_image_shape(image_shape, X2.shape[1], name)
        estimator.n_channels_ = n_channels
    else:
        _check_same_images(estimator, seen, n_channels, name)
    if not reshape:
        return X2
    if n_channels is None:
        return X2.reshape(X2.shape[0], *estimator.input_shape_)
    batch = X2.reshape(original_shape)  # the input's own axis order, validated
    return np.moveaxis(batch, channel_axis, 1)


def _refuse_colour_image_as_batch(shape, name):
    """One colour image (h, w, 3) must not be read as h images of w x 3 pixels."""
    n, height, width = shape
    if width > MAX_CHANNELS or height < 4 * width:
        return
    raise ValueError(
        f"{name} got X of shape {shape}, which reads as {n} images of {height}x{width} "
        f"pixels but looks like one image with {width} channels. For one colour image pass "
        f"image[None] with channel_axis=-1 (a batch of one, shape (1, {n}, {height}, {width})); "
        f"for a batch of colour images, shape (n_samples, height, width, {width}) with "
        f"channel_axis=-1. If these really are {n} images of {height}x{width} pixels, say so "
        f"with image_shape=({height}, {width}).")


def _expected_images(estimator, received):
    """What a fitted estimator expects, in image words, and how to pass it."""
    shape = tuple(estimator.input_shape_)
    if len(shape) != 2:
        return ""
    channels = getattr(estimator, "n_channels_", None)
    pixels = shape[0] * shape[1]
    if channels is None:
        expected = f"(n_samples, {shape[0]}, {shape[1]}) or (n_samples, {pixels})"
        hint = (" Colour images need channel_axis (e.g. channel_axis=-1 for "
                "(n_samples, height, width, 3)).")
    else:
        expected = f"a batch of {shape[0]}x{shape[1]} images with {channels} channels"
        hint = ""
    return (f"It was fitted on images of shape {shape}: pass X of shape {expected}; got X of "
            f"shape {received}. One image is a batch of one: image[None].{hint}")


def _refuse_single_image(estimator, X2, name):
    """A 2-D array that is one image, not a batch: say so in image words."""
    shape = tuple(getattr(estimator, "input_shape_", ()))
    if len(shape) == 2 and getattr(X2, "ndim", 0) == 2 and tuple(X2.shape) == shape:
        raise ValueError(
            f"{name} was fitted on images of shape {shape} and got one image of that shape "
            f"as a 2-D array; X is a batch, one image per sample. Pass image[None] (a batch "
            f"of one image, shape (1, {shape[0]}, {shape[1]})) or image.reshape(1, -1).")


def _check_same_images(estimator, seen, n_channels, name):
    fitted = tuple(estimator.input_shape_)
    fitted_channels = getattr(estimator, "n_channels_", None)
    if n_channels != fitted_channels:
        got = "grey images" if n_channels is None else f"images with {n_channels} channels"
        want = ("grey images" if fitted_channels is None
                else f"images with {fitted_channels} channels")
        raise ValueError(f"X has {got}, but {name} was fitted on {want}.")
    if seen is not None and seen != fitted:
        # Same pixel count, different geometry (e.g. 28x28 vs 14x56).
        raise ValueError(
            f"X has images of shape {seen}, but {name} was fitted on images "
            f"of shape {fitted}."
        )
