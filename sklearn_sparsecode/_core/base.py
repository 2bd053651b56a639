"""The estimator base every fixed multiscale transform shares, and the layer protocol.

A transform in this package is three things (Kymatio's split into filter
construction, core and frontend):

1. a **plan**, built once per input shape from the parameters: filters,
   windows, index maps, and ``plan.bands``, the list of :class:`~._bands.Band`
   records that lays out the output columns;
2. a **forward map** ``forward(plan, chunk, out)`` that writes the coefficients
   of a chunk of samples ``(n, *input_shape)`` into ``out`` ``(n, n_coefs)``,
   and, where it exists, an **inverse map** ``inverse(plan, coefs, out)``;
3. the estimator, :class:`MultiscaleTransformer`, which owns everything else.

A new transform subclasses :class:`MultiscaleTransformer` and writes
``__init__`` (its own parameters, then ``super().__init__`` with the shared
ones), ``_parameter_constraints`` (its own, merged with
``MultiscaleTransformer._parameter_constraints``), ``_make_plan(input_shape)``,
``_forward`` and optionally ``_inverse`` and ``_adjoint`` (a linear map's
transpose; a non-linear transform writes ``_vjp``). Validation, chunking and threads,
``transform``, ``inverse_transform``, ``get_feature_names_out``,
``feature_layout``, ``atom``, tags and pandas output come from the base.

Layers that stack
-----------------
A fitted *layer* is any estimator of this package with

* ``bands_``: the :class:`~._bands.Band` records of its output columns;
* ``input_shape_``, ``n_features_in_`` (and ``feature_names_in_``);
* ``prepare(X)``: validate ``X`` exactly as ``transform`` does and return the
  batch ``(n_samples, *input_shape_)`` in its own numeric dtype;
* ``forward(batch)``: the layer's map on a prepared batch, in one thread and one
  piece (the caller chunks), returning ``(n, bands_[-1].stop)`` in float32 for
  float32 input and float64 otherwise;
* ``backward(batch, cotangent)``: the vector–Jacobian product of ``forward`` at
  a prepared batch, shaped like the batch (``transform_vjp(X, cotangent)`` is
  ``backward`` over chunks of ``prepare(X)`` and the cotangent).

``transform(X)`` is ``forward`` over chunks of ``prepare(X)``. A layer built
on another calls only these public methods, never a private one: pooling
(:class:`~._pooling.LocalPooling`) is ``pool ∘ modulus ∘ inner.forward`` (its
gradient ends in ``inner.backward``), and a
scattering cascade applies a transform to the modulus maps of another
(:mod:`._layers` has the band-level operations: modulus, per-band transforms,
pooling). Each produces new ``Band`` records, so whatever reads records
(feature names, layouts, plots, pooling) works on any depth of stacking.
"""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils import check_array
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted

from .bands import LAYOUT_DTYPE, feature_layout_of, feature_names_of
from .batching import map_in_batches
from .gradients import check_cotangent, run_vjp, shaped_like
from .validation import (
    BATCH_SIZE,
    FLOAT_DTYPES,
    N_JOBS,
    VERBOSE,
    as_work_chunk,
    check_image_shape,
    validate_images,
    work_dtype,
)

__all__ = ["LAYOUT_DTYPE", "ImageInputMixin", "MultiscaleTransformer", "run_forward"]


class ImageInputMixin:
    """Tags of the estimators that take image batches and keep float32."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


def run_forward(forward, plan, X, n_outputs, *, batch_size=None, n_jobs=None, verbose=0,
                row_bytes=None, uses_blas=False, label="transform"):
    """Apply ``forward(plan, chunk, out)`` over chunks of a validated batch ``X``.

    The one chunked path of every transform, used by the public functions and
    by the estimators alike. Each chunk is converted to its work dtype
    (:func:`~._validation.work_dtype`) just before its transform, so integer or
    float16 input never exists as a whole-batch float64 copy.

    ``row_bytes`` is the working memory of one sample in bytes, estimated for
    the work dtype; None is four times the input plus output row. ``uses_blas``:
    the forward map does its work in BLAS matrix products (see
    :func:`~._batching.map_in_batches`: chunks are then not resized per worker,
    so results stay bit-identical for every ``n_jobs``).
    """
    dtype = work_dtype(X.dtype)
    return map_in_batches(lambda chunk, out: forward(plan, as_work_chunk(chunk), out), X,
                          n_outputs, dtype, batch_size=batch_size, n_jobs=n_jobs,
                          row_bytes=row_bytes, uses_blas=uses_blas, verbose=verbose,
                          label=label)


class MultiscaleTransformer(ImageInputMixin, TransformerMixin, BaseEstimator):
    """Base of the fixed multiscale transforms: a plan, a forward map, an inverse.

    Subclasses set ``_images_only`` (True when 1-D signals have no such
    transform) and write ``_make_plan``, ``_forward`` and, if they have one,
    ``_inverse`` and ``_row_bytes``; see the module docstring.

    Parameters
    ----------
    image_shape : tuple (height, width) or None, default=None
        Shape of the images when X is 2-D with one flattened image per row.
        With None, 3-D X is a batch of images and 2-D X a batch of 1-D signals
        (or an error, for transforms that exist for images only).
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
        Values per sample seen in ``fit`` (pixels per image).
    feature_names_in_ : ndarray of str
        Defined when X is a data frame with string column names.
    input_shape_ : tuple of int
        Shape of one sample.
    plan_ : object
        What ``fit`` built for that shape; ``plan_.bands`` is ``bands_``.
    bands_ : list of Band
        Layout of the output columns (:class:`~sklearn_sparsecode.Band`).
    """

    _parameter_constraints: dict = {
        "image_shape": ["array-like", None],
        "batch_size": BATCH_SIZE,
        "n_jobs": N_JOBS,
        "verbose": VERBOSE,
    }
    _images_only = False
    _uses_blas = False  # True when _forward works in BLAS products (see run_forward)

    def __init__(self, *, image_shape=None, batch_size=None, n_jobs=None, verbose=0):
        self.image_shape = image_shape
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.verbose = verbose

    # What a transform writes -------------------------------------------------

    def _make_plan(self, input_shape):
        """Build the plan for samples of ``input_shape`` (may set fitted attributes)."""
        raise NotImplementedError

    def _forward(self, plan, chunk, out):
        """Write the coefficients of ``chunk`` (n, *input_shape) into ``out``."""
        raise NotImplementedError

    def _inverse(self, plan, coefs, out):
        """Write the flattened samples of ``coefs`` (n, n_coefs) into ``out``."""
        raise NotImplementedError(f"{type(self).__name__} has no inverse transform.")

    def _row_bytes(self, itemsize):
        """Working memory of one sample in bytes (None: a generic estimate)."""
        return None

    def _adjoint(self, plan, cotangent, out):
        """Write Cᵀ ``cotangent`` (n, n_coefs) into ``out`` (n, n_values): the adjoint.

        Linear transforms write this map; ``transform_vjp`` is then exact. It
        is the inverse only for a tight frame.
        """
        raise NotImplementedError(f"{type(self).__name__} has no adjoint map.")

    def _vjp(self, plan, chunk, cotangent, out):
        """Write Jᵀ ``cotangent`` at the samples ``chunk`` into ``out`` (flattened).

        The default is a linear transform's: J = C whatever the chunk, so the
        adjoint. Non-linear transforms write their own (recomputing what they
        need of the forward).
        """
        self._adjoint(plan, cotangent, out)

    def _vjp_row_bytes(self, itemsize):
        """Working memory of one sample during a VJP (None: a generic estimate)."""
        forward = self._row_bytes(itemsize)
        return None if forward is None else 2 * forward

    # What the base does ------------------------------------------------------

    def prepare(self, X):
        """Validate ``X`` as ``transform`` does; return the batch ``(n, *input_shape_)``.

        Part of the layer protocol (module docstring): a layer built on this
        one validates with it, then calls :meth:`forward` on chunks.
        """
        check_is_fitted(self)
        return validate_images(self, X, reset=False, image_shape=self.image_shape,
                               images_only=self._images_only, keep_dtype=True)

    def forward(self, batch):
        """The transform of an already prepared batch, in one thread and one piece.

        Parameters
        ----------
        batch : ndarray of shape (n_samples, *input_shape_)
            From :meth:`prepare`, or a chunk of it.

        Returns
        -------
        coefs : ndarray of shape (n_samples, bands_[-1].stop)
        """
        chunk = as_work_chunk(batch)
        out = np.empty((len(chunk), self.bands_[-1].stop), dtype=chunk.dtype)
        self._forward(self.plan_, chunk, out)
        return out

    def backward(self, batch, cotangent):
        """The vector–Jacobian product of a prepared batch, in one thread and one piece.

        The layer protocol's twin of :meth:`forward` (see
        :mod:`sklearn_sparsecode._core.gradients`).

        Parameters
        ----------
        batch : ndarray of shape (n_samples, *input_shape_)
            From :meth:`prepare`, or a chunk of it.
        cotangent : ndarray of shape (n_samples, bands_[-1].stop)

        Returns
        -------
        gradient : ndarray of shape (n_samples, *input_shape_)
        """
        chunk = as_work_chunk(batch)
        out = np.empty((len(chunk), int(np.prod(self.input_shape_))), dtype=chunk.dtype)
        self._vjp(self.plan_, chunk, np.asarray(cotangent, dtype=chunk.dtype), out)
        return out.reshape(chunk.shape)

    def transform_vjp(self, X, cotangent):
        """Gradient of ``sum(cotangent * transform(X))`` with respect to X, shaped like X.

        A vector–Jacobian product Jᵀ G, computed chunk by chunk like
        :meth:`transform` (same memory bound, same ``batch_size`` and
        ``n_jobs``, results independent of both). For a linear transform C
        this is the adjoint Cᵀ G, which is the inverse only for a tight frame.

        Parameters
        ----------
        X : array-like of shape (n_samples, height, width) or (n_samples, n_features)
            As for :meth:`transform`.
        cotangent : array-like of shape (n_samples, n_coefficients)
            One weight per column of ``transform(X)`` and sample; a one-hot
            row gives the gradient of one output.

        Returns
        -------
        gradient : ndarray of the shape of X
            ``(n_samples, height, width)`` for 3-D X, ``(n_samples,
            n_features)`` for 2-D X; float32 for float32 X, float64 otherwise.
        """
        batch = self.prepare(X)
        dtype = work_dtype(batch.dtype)
        cotangent = check_cotangent(self, cotangent, len(batch), self.bands_[-1].stop, dtype)
        total = len(batch)
        flat = run_vjp(lambda chunk, cot, out, start: self._vjp_chunk(chunk, cot, out, start,
                                                                      total),
                       batch, cotangent, int(np.prod(self.input_shape_)), dtype,
                       batch_size=self.batch_size, n_jobs=self.n_jobs, verbose=self.verbose,
                       row_bytes=self._vjp_row_bytes(dtype.itemsize),
                       uses_blas=self._uses_blas, label=f"{type(self).__name__}.transform_vjp",
                       with_start=True)
        return shaped_like(flat, X, self.input_shape_)

    def _vjp_chunk(self, chunk, cotangent, out, start, total):
        """One chunk of :meth:`transform_vjp`: samples ``start`` … of ``total``.

        The position is for maps whose BLAS products are cut into inner chunks
        aligned to the sample index (so results do not depend on
        ``batch_size``); the others ignore it.
        """
        self._vjp(self.plan_, chunk, cotangent, out)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Record the input shape and build the plan (the transform learns nothing).

        Parameters
        ----------
        X : array-like of shape (n_samples, height, width) or (n_samples, n_features)
        y : None
            Ignored.

        Returns
        -------
        self : object
        """
        check_image_shape(self.image_shape)
        validate_images(self, X, reset=True, image_shape=self.image_shape,
                        images_only=self._images_only, keep_dtype=True)
        self.plan_ = self._make_plan(tuple(self.input_shape_))
        self.bands_ = list(self.plan_.bands)
        return self

    def transform(self, X):
        """Coefficients of each sample, one row per sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, height, width) or (n_samples, n_features)

        Returns
        -------
        coefs : ndarray of shape (n_samples, n_coefficients)
            float32 for float32 input, float64 otherwise.
        """
        batch = self.prepare(X)
        itemsize = work_dtype(batch.dtype).itemsize
        return run_forward(self._forward, self.plan_, batch, self.bands_[-1].stop,
                           batch_size=self.batch_size, n_jobs=self.n_jobs,
                           verbose=self.verbose, row_bytes=self._row_bytes(itemsize),
                           uses_blas=self._uses_blas, label=type(self).__name__)

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

    def inverse_transform(self, X):
        """Samples from their coefficients (exact for every transform here).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_coefficients)

        Returns
        -------
        X_original : ndarray
            Of shape (n_samples, height, width) when ``fit`` saw 3-D images,
            (n_samples, n_features_in_) otherwise.
        """
        check_is_fitted(self)
        coefs = self._check_coefficients(X)
        n_values = int(np.prod(self.input_shape_))
        itemsize = coefs.dtype.itemsize
        flat = map_in_batches(lambda chunk, out: self._inverse(self.plan_, chunk, out), coefs,
                              n_values, coefs.dtype, batch_size=self.batch_size,
                              n_jobs=self.n_jobs, row_bytes=self._row_bytes(itemsize))
        if self.image_shape is None and len(self.input_shape_) == 2:
            return flat.reshape(len(flat), *self.input_shape_)
        return flat

    def atom(self, column: int) -> np.ndarray:
        """The atom of one output column: the inverse transform of a unit coefficient.

        ``transform(X)[:, column]`` is the inner product of each sample with
        this atom (the transforms here are orthonormal bases or tight frames,
        whose analysis and synthesis atoms coincide). Tight-frame atoms have
        norm at most 1.

        Parameters
        ----------
        column : int
            Index into the output columns (see ``bands_``).

        Returns
        -------
        atom : ndarray of shape ``input_shape_``
        """
        check_is_fitted(self)
        n_coefs = self.bands_[-1].stop
        if not -n_coefs <= int(column) < n_coefs:
            raise ValueError(f"column={column} is out of range: {type(self).__name__} has "
                             f"{n_coefs} output columns.")
        unit = np.zeros((1, n_coefs))
        unit[0, column] = 1.0
        return np.asarray(self.inverse_transform(unit)).reshape(self.input_shape_)

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

        One record per column with fields ``scale`` (the band's scale: wavelet
        level with 1 the finest, or curvelet/contourlet scale with 1 the
        coarsest; see ``Band.scale_label``), ``band`` (the band's name:
        ``"aa"``, ``"da"``, ... for wavelets; ``"lowpass"``, ``"fine"`` or
        ``"a{angle}_{re|im}"`` for curvelets), ``orientation`` (degrees, NaN
        where undefined) and ``row``, ``col`` (position within the band;
        ``col`` is -1 for 1-D signals). ``pandas.DataFrame(layout)`` makes it a
        table; boolean masks on it select the columns of a band.
        """
        check_is_fitted(self)
        return feature_layout_of(self.bands_)
