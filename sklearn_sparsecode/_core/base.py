"""The estimator base every fixed multiscale transform shares, and the layer protocol.

A transform in this package is three things (Kymatio's split into filter
construction, core and frontend):

1. a **plan**, built once per input shape from the parameters: filters,
   windows, index maps, and ``plan.bands``, the list of :class:`~sklearn_sparsecode.Band`
   records that lays out the output columns;
2. a **forward map** ``forward(plan, chunk, out)`` that writes the coefficients
   of a chunk of samples ``(n, *input_shape)`` into ``out`` ``(n, n_coefs)``,
   and, where it exists, an **inverse map** ``inverse(plan, coefs, out)``;
3. the estimator, :class:`MultiscaleTransformer`, which owns everything else.

A new transform subclasses :class:`MultiscaleTransformer` and writes
``__init__``, its ``_parameter_constraints`` (merged with the base's),
``_make_plan(input_shape)``, ``_forward`` and optionally ``_inverse`` and
``_adjoint`` (a linear map's transpose; a non-linear one writes ``_vjp``). All
else comes from the base; only a transform with an ``_inverse`` has
``inverse_transform`` and ``atom`` (``available_if``).

With ``channel_axis``, every channel is transformed as a grey image: one block
of columns per channel (``Band.channel``, names ``c0_...``); the inverse puts
the channels back on their axis.

Layers that stack
-----------------
A fitted *layer* is any estimator of this package with

* ``bands_``: the :class:`~sklearn_sparsecode.Band` records of its output columns;
* ``input_shape_``, ``n_features_in_`` (and ``feature_names_in_``);
* ``prepare(X)``: validate ``X`` exactly as ``transform`` does and return the
  batch ``(n_samples, *input_shape_)`` (``(n_samples, n_channels_, *input_shape_)``
  for channel images) in its own numeric dtype;
* ``forward(batch)``: the layer's map on a prepared batch, in one thread and one
  piece (the caller chunks), returning ``(n, bands_[-1].stop)`` in float32 for
  float32 input and float64 otherwise;
* ``backward(batch, cotangent)``: the vector–Jacobian product of ``forward`` at
  a prepared batch, shaped like the batch (``transform_vjp(X, cotangent)`` is
  ``backward`` over chunks of ``prepare(X)`` and the cotangent).

``transform(X)`` is ``forward`` over chunks of ``prepare(X)`` (both chunked
loops are :class:`LayerMixin`'s). A layer built on another calls only these
public methods: pooling is ``pool ∘ modulus ∘ inner.forward`` (its gradient
ends in ``inner.backward``). Each layer makes new ``Band`` records, so whatever
reads records (names, layouts, plots, pooling) works at any depth of stacking.
"""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils import check_array
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted

from .bands import channel_bands, feature_layout_of, feature_names_of
from .batching import map_in_batches
from .gradients import check_cotangent, run_vjp, shaped_like
from .validation import (
    BATCH_SIZE,
    CHANNEL_AXIS,
    FLOAT_DTYPES,
    N_JOBS,
    VERBOSE,
    as_work_chunk,
    check_batch,
    check_image_shape,
    validate_images,
    work_dtype,
)

__all__ = ["ImageInputMixin", "LayerMixin", "MultiscaleTransformer", "resolve_plan", "run_forward",
           "run_inverse"]


class ImageInputMixin:
    """Tags of the estimators that take image batches and keep float32."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


def run_forward(forward, plan, X, n_outputs, *, batch_size=None, n_jobs=None, verbose=0,
                row_bytes=None, uses_blas=False, label="transform", pass_rows=False):
    """Apply ``forward(plan, chunk, out)`` over chunks of a validated batch ``X``.

    The one chunked path of every transform, used by the public functions and
    by the estimators alike. Each chunk is converted to its work dtype
    (:func:`~._core.validation.work_dtype`) just before its transform, so integer or
    float16 input never exists as a whole-batch float64 copy.

    ``row_bytes`` is the working memory of one sample in bytes, estimated for
    the work dtype; None is four times the input plus output row. ``uses_blas``:
    the forward map does its work in BLAS matrix products (see
    :func:`~._core.batching.map_in_batches`: chunks are then not resized per worker,
    so results stay bit-identical for every ``n_jobs``). ``pass_rows``: call
    ``forward(plan, chunk, out, start, total)`` with the index of the chunk's
    first sample and the batch size, for maps whose arithmetic is aligned to
    the sample index (the scattering kernels: results then do not depend on
    ``batch_size`` either).
    """
    dtype = work_dtype(X.dtype)
    if pass_rows:
        total = len(X)

        def func(chunk, out, rows):
            forward(plan, as_work_chunk(chunk), out, rows.start, total)
    else:
        def func(chunk, out):
            forward(plan, as_work_chunk(chunk), out)
    return map_in_batches(func, X, n_outputs, dtype, batch_size=batch_size, n_jobs=n_jobs,
                          row_bytes=row_bytes, uses_blas=uses_blas, verbose=verbose,
                          label=label, pass_rows=pass_rows)


class LayerMixin(ImageInputMixin, TransformerMixin):
    """What every layer shares: chunked ``transform`` and ``transform_vjp``, names, layout, tags.

    It derives from ``TransformerMixin`` so that scikit-learn's ``set_output``
    wraps the ``transform`` defined here (sklearn wraps only methods a
    ``_SetOutputMixin`` subclass defines itself).

    A layer defines ``bands_`` (set in ``fit``), ``prepare(X)``, ``forward(batch)``
    and the parameters ``batch_size``, ``n_jobs`` and ``verbose``; it may
    override ``_write(chunk, out)`` (forward into preallocated rows),
    ``_chunk_row_bytes(itemsize)``, ``_uses_blas`` and ``_pass_rows`` (then
    ``_write(chunk, out, start, total)`` is told where the chunk starts in a
    batch of ``total`` samples). A layer with ``backward(batch, cotangent)`` gets
    ``transform_vjp``; it may override ``_write_vjp(chunk, cotangent, out, start,
    total)`` and ``_vjp_chunk_row_bytes(itemsize)``.
    """

    _uses_blas = False  # True when the layer works in BLAS products (see run_forward)
    _pass_rows = False  # True when _write aligns its arithmetic to the sample index

    def _write(self, chunk, out, start=0, total=None):
        out[:] = self.forward(chunk)

    def _chunk_row_bytes(self, itemsize):
        """Working memory of one sample in bytes (None: a generic estimate)."""
        return None

    def transform(self, X):
        """The layer's output for each sample, one row per sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, height, width) or (n_samples, n_features)
            Or a batch of channel images with ``channel_axis``.

        Returns
        -------
        features : ndarray of shape (n_samples, n_features_out)
            float32 for float32 input, float64 otherwise.
        """
        batch = self.prepare(X)
        itemsize = work_dtype(batch.dtype).itemsize
        if self._pass_rows:
            total = len(batch)

            def write(chunk, out, rows):
                self._write(chunk, out, rows.start, total)
        else:
            write = self._write
        return map_in_batches(write, batch, self.bands_[-1].stop, work_dtype(batch.dtype),
                              batch_size=self.batch_size, n_jobs=self.n_jobs,
                              verbose=self.verbose, row_bytes=self._chunk_row_bytes(itemsize),
                              uses_blas=self._uses_blas, label=type(self).__name__,
                              pass_rows=self._pass_rows)

    def _write_vjp(self, chunk, cotangent, out, start, total):
        """One chunk of :meth:`transform_vjp` into preallocated rows ``out``.

        ``start`` is the index of the chunk's first sample among ``total``: for
        maps whose BLAS products are cut into inner chunks aligned to the
        sample index (so results do not depend on ``batch_size``); the others
        ignore it.
        """
        out[:] = self.backward(chunk, cotangent).reshape(len(chunk), -1)

    def _vjp_chunk_row_bytes(self, itemsize):
        """Working memory of one sample during a VJP (None: twice the forward's)."""
        forward = self._chunk_row_bytes(itemsize)
        return None if forward is None else 2 * forward

    def transform_vjp(self, X, cotangent):
        """Gradient of ``sum(cotangent * transform(X))`` with respect to X, shaped like X.

        A vector–Jacobian product Jᵀ G, computed chunk by chunk like
        :meth:`transform` (same memory bound, same ``batch_size`` and
        ``n_jobs``, results independent of both). For a linear transform C
        this is the adjoint Cᵀ G, which is the inverse only for a tight frame.

        Parameters
        ----------
        X : array-like of shape (n_samples, height, width) or (n_samples, n_features)
            As for :meth:`transform` (or a batch of channel images with
            ``channel_axis``).
        cotangent : array-like of shape (n_samples, n_features_out)
            One weight per column of ``transform(X)`` and sample; a one-hot
            row gives the gradient of one output.

        Returns
        -------
        gradient : ndarray of the shape of X
            float32 for float32 X, float64 otherwise.
        """
        batch = self.prepare(X)
        dtype = work_dtype(batch.dtype)
        cotangent = check_cotangent(self, cotangent, len(batch), self.bands_[-1].stop, dtype)
        total = len(batch)
        flat = run_vjp(lambda chunk, cot, out, start: self._write_vjp(chunk, cot, out, start,
                                                                      total),
                       batch, cotangent, int(np.prod(batch.shape[1:])), dtype,
                       batch_size=self.batch_size, n_jobs=self.n_jobs, verbose=self.verbose,
                       row_bytes=self._vjp_chunk_row_bytes(dtype.itemsize),
                       uses_blas=self._uses_blas, label=f"{type(self).__name__}.transform_vjp",
                       with_start=True)
        return shaped_like(flat.reshape(batch.shape), X, getattr(self, "channel_axis", None))

    def get_feature_names_out(self, input_features=None):
        """Names of the output columns: each band's ``prefix`` and the position.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Only checked against the names seen in ``fit``; the output names
            do not depend on them.

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        check_is_fitted(self)
        _check_feature_names_in(self, input_features, generate_names=False)
        return feature_names_of(self.bands_)

    def feature_layout(self) -> np.ndarray:
        """Where every output column comes from, as a numpy structured array.

        One record per column with fields ``scale`` (the band's scale, in the
        numbering ``Band.scale_label`` names), ``band`` (the band's name),
        ``orientation`` (degrees, NaN where undefined), ``row`` and ``col``
        (position within the band; ``col`` is -1 for 1-D signals) and
        ``channel`` (-1 for grey input). ``pandas.DataFrame(layout)`` makes it
        a table; boolean masks on it select the columns of a band.
        """
        check_is_fitted(self)
        return feature_layout_of(self.bands_)


def _has_inverse(estimator):
    """available_if check: the transform defines an inverse map."""
    return type(estimator)._inverse is not MultiscaleTransformer._inverse


class MultiscaleTransformer(LayerMixin, TransformerMixin, BaseEstimator):
    """Base of the fixed multiscale transforms: a plan, a forward map, maybe an inverse.

    Subclasses set ``_images_only`` (True when 1-D signals have no such
    transform) and write ``_make_plan``, ``_forward`` and, if they have one,
    ``_inverse`` and ``_row_bytes``; see the module docstring.

    Parameters
    ----------
    image_shape : tuple (height, width) or None, default=None
        Shape of the images when X is 2-D with one flattened image per row.
        With None, 3-D X is a batch of images and 2-D X a batch of 1-D signals
        (or an error, for transforms that exist for images only).
    channel_axis : int or None, default=None
        The axis of X that holds the channels of colour or multi-channel
        images (scikit-image's meaning; e.g. -1 for ``(n_samples, height,
        width, 3)``, 1 for ``(n_samples, 3, height, width)``). Each channel is
        transformed as a grey image: one block of features per channel. None:
        grey images.
    batch_size : int or None, default=None
        Samples transformed at once; None sizes chunks from scikit-learn's
        ``working_memory`` so memory stays bounded on large inputs.
    n_jobs : int or None, default=None
        Threads over chunks (None means 1, -1 all cores). Results do not depend
        on it.
    verbose : int, default=0
        Progress lines on stderr during ``transform`` when > 0.

    Attributes
    ----------
    n_features_in_ : int
        Values per sample seen in ``fit`` (pixels per image, times channels).
    feature_names_in_ : ndarray of str
        Defined when X is a data frame with string column names.
    input_shape_ : tuple of int
        Shape of one sample (of one channel).
    n_channels_ : int or None
        Channels per image (None for grey input).
    plan_ : object
        What ``fit`` built for that shape; ``plan_.bands`` is the layout of one
        channel.
    bands_ : list of Band
        Layout of the output columns (:class:`~sklearn_sparsecode.Band`).
    """

    _parameter_constraints: dict = {
        "image_shape": ["array-like", None],
        "channel_axis": CHANNEL_AXIS,
        "batch_size": BATCH_SIZE,
        "n_jobs": N_JOBS,
        "verbose": VERBOSE,
    }
    _images_only = False

    def __init__(self, *, image_shape=None, channel_axis=None, batch_size=None, n_jobs=None,
                 verbose=0):
        self.image_shape = image_shape
        self.channel_axis = channel_axis
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.verbose = verbose

    # What a transform writes -------------------------------------------------

    def _make_plan(self, input_shape):
        """Build the plan for samples of ``input_shape`` (may set fitted attributes)."""
        raise NotImplementedError

    def _forward(self, plan, chunk, out):
        """Write the coefficients of ``chunk`` (n, *input_shape) into ``out``.

        With ``_pass_rows``: ``_forward(plan, chunk, out, start, total)``, the
        chunk being the images ``start`` … of a batch of ``total``.
        """
        raise NotImplementedError

    def _inverse(self, plan, coefs, out):
        """Write the flattened samples of ``coefs`` (n, n_coefs) into ``out``."""
        raise NotImplementedError  # never called: inverse_transform needs an override

    def _row_bytes(self, itemsize):
        """Working memory of one sample in bytes (None: a generic estimate)."""
        return None

    def _adjoint(self, plan, cotangent, out):
        """Write Cᵀ ``cotangent`` (n, n_coefs) into ``out`` (n, n_values): the adjoint.

        Linear transforms write this map; ``transform_vjp`` is then exact. It
        is the inverse only for a tight frame.
        """
        raise NotImplementedError(f"{type(self).__name__} has no adjoint map.")

    def _vjp(self, plan, chunk, cotangent, out, start=0, total=None):
        """Write Jᵀ ``cotangent`` at the samples ``chunk`` into ``out`` (flattened).

        The default is a linear transform's: J = C whatever the chunk, so the
        adjoint. Non-linear transforms write their own (recomputing what they
        need of the forward); ``start`` and ``total`` place the chunk among
        the samples of one call (see ``LayerMixin._write_vjp``).
        """
        self._adjoint(plan, cotangent, out)

    def _vjp_row_bytes(self, itemsize):
        """Working memory of one sample during a VJP (None: twice the forward's)."""
        forward = self._row_bytes(itemsize)
        return None if forward is None else 2 * forward

    # What the base does ------------------------------------------------------

    def prepare(self, X):
        """Validate ``X`` as ``transform`` does; return the batch of samples.

        Part of the layer protocol (module docstring): a layer built on this
        one validates with it, then calls :meth:`forward` on chunks. The batch
        is ``(n, *input_shape_)``, or ``(n, n_channels_, *input_shape_)`` for
        channel images.
        """
        check_is_fitted(self)
        return validate_images(self, X, reset=False, image_shape=self.image_shape,
                               channel_axis=self.channel_axis,
                               images_only=self._images_only, keep_dtype=True)

    def _n_coefs(self):
        """Coefficients per channel."""
        return self.plan_.bands[-1].stop

    def _write(self, chunk, out, start=0, total=None):
        chunk = as_work_chunk(chunk)
        if self.n_channels_ is not None:  # every channel is one more grey image
            chunk = chunk.reshape(-1, *chunk.shape[2:])
            out = out.reshape(len(chunk), -1)
        if not self._pass_rows:
            self._forward(self.plan_, chunk, out)
            return
        per_sample = self.n_channels_ or 1  # the grey images of samples start … of total
        self._forward(self.plan_, chunk, out, start * per_sample,
                      None if total is None else total * per_sample)

    def forward(self, batch):
        """The transform of an already prepared batch, in one thread and one piece.

        Parameters
        ----------
        batch : ndarray of shape (n_samples, [n_channels_,] *input_shape_)
            From :meth:`prepare`, or a chunk of it.

        Returns
        -------
        coefs : ndarray of shape (n_samples, bands_[-1].stop)
        """
        out = np.empty((len(batch), self.bands_[-1].stop), dtype=work_dtype(batch.dtype))
        self._write(batch, out)
        return out

    def _chunk_row_bytes(self, itemsize):
        per_channel = self._row_bytes(itemsize)
        return None if per_channel is None else per_channel * (self.n_channels_ or 1)

    def _write_vjp(self, chunk, cotangent, out, start, total):
        chunk = as_work_chunk(chunk)
        channels = self.n_channels_ or 1
        if self.n_channels_ is not None:  # every channel is one more grey image
            chunk = chunk.reshape(-1, *chunk.shape[2:])
            cotangent = cotangent.reshape(len(chunk), -1)
            out = out.reshape(len(chunk), -1)
        self._vjp(self.plan_, chunk, cotangent, out, start * channels, total * channels)

    def backward(self, batch, cotangent):
        """The vector–Jacobian product of a prepared batch, in one thread and one piece.

        The layer protocol's twin of :meth:`forward`.

        Parameters
        ----------
        batch : ndarray of shape (n_samples, [n_channels_,] *input_shape_)
            From :meth:`prepare`, or a chunk of it.
        cotangent : ndarray of shape (n_samples, bands_[-1].stop)

        Returns
        -------
        gradient : ndarray of the shape of ``batch``
            float32 for float32 input, float64 otherwise.
        """
        dtype = work_dtype(batch.dtype)
        out = np.empty((len(batch), int(np.prod(batch.shape[1:]))), dtype=dtype)
        self._write_vjp(batch, np.asarray(cotangent, dtype=dtype), out, 0, len(batch))
        return out.reshape(batch.shape)

    def _vjp_chunk_row_bytes(self, itemsize):
        per_channel = self._vjp_row_bytes(itemsize)
        return None if per_channel is None else per_channel * (self.n_channels_ or 1)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Record the input shape and build the plan (the transform learns nothing).

        Parameters
        ----------
        X : array-like of shape (n_samples, height, width) or (n_samples, n_features)
            Or a batch of channel images with ``channel_axis``.
        y : None
            Ignored.

        Returns
        -------
        self : object
        """
        check_image_shape(self.image_shape)
        validate_images(self, X, reset=True, image_shape=self.image_shape,
                        channel_axis=self.channel_axis, images_only=self._images_only,
                        keep_dtype=True)
        self.plan_ = self._make_plan(tuple(self.input_shape_))
        self.bands_ = channel_bands(self.plan_.bands, self.n_channels_)
        return self

    def _check_coefficients(self, X):
        """Validate the input of ``inverse_transform``.

        Not ``validate_data``: the columns are coefficients, not the
        ``n_features_in_`` input features.
        """
        coefs = check_array(X, dtype=FLOAT_DTYPES, input_name="X")
        n_coefs = self.bands_[-1].stop
        if coefs.shape[1] != n_coefs:
            raise ValueError(
                f"X has {coefs.shape[1]} columns, but {type(self).__name__} produces "
                f"{n_coefs} coefficients per sample."
            )
        return coefs

    def _to_input_layout(self, flat, n):
        """Rows of flattened channels/images → the input form ``fit`` saw."""
        if self.n_channels_ is not None:
            images = flat.reshape(n, self.n_channels_, *self.input_shape_)
            return np.moveaxis(images, 1, self.channel_axis)
        if self.image_shape is None and len(self.input_shape_) == 2:
            return flat.reshape(n, *self.input_shape_)
        return flat.reshape(n, -1)

    @available_if(_has_inverse)
    def inverse_transform(self, X):
        """Samples from their coefficients.

        Exact (to rounding) for every transform of this package that has this
        method: the inverse of an orthonormal basis, of a tight frame (the
        adjoint) or the canonical dual of a frame.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_coefficients)

        Returns
        -------
        X_original : ndarray
            Of shape (n_samples, height, width) when ``fit`` saw 3-D images,
            the channel images in their own axis order with ``channel_axis``,
            (n_samples, n_features_in_) otherwise.
        """
        check_is_fitted(self)
        coefs = self._check_coefficients(X)
        n = len(coefs)
        per_channel = coefs.reshape(n * (self.n_channels_ or 1), self._n_coefs())
        n_values = int(np.prod(self.input_shape_))
        itemsize = coefs.dtype.itemsize
        flat = map_in_batches(lambda chunk, out: self._inverse(self.plan_, chunk, out),
                              per_channel, n_values, coefs.dtype, batch_size=self.batch_size,
                              n_jobs=self.n_jobs, row_bytes=self._row_bytes(itemsize))
        return self._to_input_layout(flat, n)

    @available_if(_has_inverse)
    def atom(self, column: int) -> np.ndarray:
        """The synthesis atom of one output column: the inverse of a unit coefficient.

        For an orthonormal basis or a tight frame (wavelets in periodization
        mode with an orthogonal wavelet, curvelets, the Morlet bank with
        ``normalize="tight"``) ``transform(X)[:, column]`` is also the inner
        product of each sample with this atom, whose norm is at most 1; for
        the other frames (contourlets, other wavelet modes) the analysis atom
        differs (see ``transform_vjp``).

        Parameters
        ----------
        column : int
            Index into the output columns (see ``bands_``).

        Returns
        -------
        atom : ndarray
            One sample: ``input_shape_``, with the channels where ``fit`` saw them.
        """
        check_is_fitted(self)
        n_coefs = self.bands_[-1].stop
        if not -n_coefs <= int(column) < n_coefs:
            raise ValueError(f"column={column} is out of range: {type(self).__name__} has "
                             f"{n_coefs} output columns.")
        unit = np.zeros((1, n_coefs))
        unit[0, column] = 1.0
        sample = np.asarray(self.inverse_transform(unit))[0]
        return sample if self.n_channels_ is not None else sample.reshape(self.input_shape_)


def resolve_plan(plan, plan_type, make_plan, image_shape, plan_params, name):
    """The plan a public function uses: ``plan`` as given, or one built here.

    ``plan_params`` are the keyword arguments the caller gave for a new plan;
    giving them with a plan is an error, since the plan already fixes them.
    """
    if plan is None:
        return make_plan(image_shape, **plan_params)
    if plan_params:
        raise TypeError(
            f"{name} got plan= and the plan parameters {', '.join(sorted(plan_params))}: "
            f"a plan already fixes them. Pass either plan=... or the parameters.")
    if not isinstance(plan, plan_type):
        raise TypeError(f"{name}: plan must be a {plan_type.__name__} (from "
                        f"{make_plan.__name__}); got {type(plan).__name__}.")
    if tuple(image_shape) != tuple(plan.image_shape):
        raise ValueError(f"{name}: the plan is for samples of shape {tuple(plan.image_shape)}; "
                         f"got samples of shape {tuple(image_shape)}.")
    return plan


def run_inverse(inverse, plan, coefs, *, name, plan_type, batch_size=None, n_jobs=None,
                row_bytes=None):
    """``inverse(plan, chunk, out)`` over chunks of a coefficient matrix.

    Checks the plan's type and the coefficients' width, and returns the
    samples as ``(n_samples, *plan.image_shape)``. ``row_bytes(plan, itemsize)``
    estimates the working memory of one sample (None: a generic estimate).
    """
    if not isinstance(plan, plan_type):
        raise TypeError(f"{name}: plan must be a {plan_type.__name__}; got "
                        f"{type(plan).__name__}.")
    coefs = check_batch(coefs, name=name, ndims=(2,))
    n_coefs = plan.bands[-1].stop
    if coefs.shape[1] != n_coefs:
        raise ValueError(f"{name}: the plan makes {n_coefs} coefficients per sample of shape "
                         f"{tuple(plan.image_shape)}; got coefs of shape {coefs.shape}.")
    if row_bytes is not None:
        row_bytes = row_bytes(plan, work_dtype(coefs.dtype).itemsize)
    flat = run_forward(inverse, plan, coefs, int(np.prod(plan.image_shape)),
                       batch_size=batch_size, n_jobs=n_jobs, row_bytes=row_bytes, label=name)
    return flat.reshape(len(coefs), *plan.image_shape)
