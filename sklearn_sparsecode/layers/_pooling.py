"""Local average pooling of the magnitudes of a multiscale transform.

A linear head on raw wavelet or curvelet coefficients sees every edge at one
exact position and with one sign, so a shirt shifted by a pixel looks new. Two
steps of the scattering transform (Mallat 2012) fix most of that:

1. the modulus, which drops the phase of each oscillating response (for a
   curvelet wedge stored as √2·Re and √2·Im, the magnitude of the complex
   coefficient; for a real band, the absolute value);
2. local averaging on a coarse grid, which trades position for stability to
   small shifts and deformations.

The low-pass band is averaged with its sign: it is the image itself, blurred.
On Fashion-MNIST a fixed bank of oriented magnitudes pooled this way is what
brings a linear head from 84% (pixels) to about 90%.

:func:`pool_coefficients` does the maths on a coefficient matrix and its band
layout (``pool ∘ modulus``, :mod:`._layers`); :class:`LocalPooling` wraps any
layer of this package (anything with ``bands_``, ``prepare`` and ``forward``:
wavelets, curvelets, contourlets, the Morlet bank, see :mod:`._base`) and
pools its output. It is a layer itself: its ``bands_`` are the pooled cells.
"""

# Annotations stay strings: help() shows `X: ArrayLike`, not numpy's expanded union.
from __future__ import annotations

from numbers import Integral, Real
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context, clone
from sklearn.utils import check_array, get_tags
from sklearn.utils._param_validation import HasMethods, validate_params
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted

from .._core.bands import Band, feature_layout_of, feature_names_of, stack_bands
from .._core.batching import map_in_batches
from .._core.gradients import check_cotangent, run_vjp, shaped_like
from .._core.validation import (
    BATCH_SIZE,
    FLOAT_DTYPES,
    N_JOBS,
    VERBOSE,
    Interval,
    as_work_chunk,
    work_dtype,
)
from ._gradient import pool_vjp
from ._modulus import modulus_layout, modulus_values

POOLING_CONSTRAINTS = {
    "grid": [Interval(Integral, 1, None, closed="left"), tuple, list],
    "power": [Interval(Real, 0, None, closed="neither")],
}


class PooledBand(NamedTuple):
    """One block of pooled features and the coefficient columns it comes from.

    Attributes
    ----------
    scale : int
        Scale of the source band (its ``Band.scale``).
    name : str
        The source band's name without ``_re``/``_im``: ``"lowpass"``,
        ``"fine"``, ``"a{angle}"`` (curvelets), ``"aa"``, ``"dd"`` (wavelets), ...
    orientation : float or None
        Orientation of the source band in degrees, None where undefined.
    kind : {"signed", "abs", "modulus"}
        How coefficients become non-negative before pooling: the low-pass
        keeps its sign, real bands take ``|c|``, paired ``(re, im)`` blocks
        take ``hypot(re, im)``.
    sources : tuple of (start, stop)
        Input columns: one block, or the re and im blocks of a wedge.
    shape : tuple of int
        Spatial shape of the source band.
    cells : tuple of int
        Pooling grid of this band (at most ``grid`` cells per axis, never more
        than the band has).
    start, stop : int
        Output columns, reshaped to ``cells``.
    band : Band
        The same block as a :class:`Band` record (``shape`` is ``cells``):
        what the pooled output exposes to the next layer as ``bands_``.
    """

    scale: int
    name: str
    orientation: object
    kind: str
    sources: tuple
    shape: tuple
    cells: tuple
    start: int
    stop: int
    band: Band


@validate_params({"n": [Interval(Integral, 1, None, closed="left")],
                  "cells": [Interval(Integral, 1, None, closed="left")]},
                 prefer_skip_nested_validation=True)
def pooling_matrix(n: int, cells: int) -> np.ndarray:
    """Area-weighted averaging of ``n`` samples onto ``cells`` equal cells.

    Cell k covers [k n / cells, (k + 1) n / cells); a sample cut by a cell
    boundary counts in both cells in proportion to its overlap. Rows sum to 1;
    with ``n`` a multiple of ``cells`` it is the plain box average.

    Returns
    -------
    P : ndarray of shape (cells, n)

    Examples
    --------
    >>> from sklearn_sparsecode import pooling_matrix
    >>> pooling_matrix(4, 2)
    array([[0.5, 0.5, 0. , 0. ],
           [0. , 0. , 0.5, 0.5]])
    """
    edges = np.arange(cells + 1) * (n / cells)
    samples = np.arange(n)
    # overlap of [i, i+1) with [edges[k], edges[k+1])
    overlap = (np.minimum(samples + 1, edges[1:, None]) - np.maximum(samples, edges[:-1, None]))
    return np.clip(overlap, 0, None) / (n / cells)


def _check_grid(grid, n_axes):
    """``grid`` as a tuple of one positive int per axis, or a ValueError naming it."""
    if isinstance(grid, Integral) and not isinstance(grid, bool):
        cells = (int(grid),) * n_axes
    else:
        cells = tuple(grid)
        if not all(isinstance(g, Integral) and not isinstance(g, bool) for g in cells):
            raise ValueError(f"grid must be a positive int or a tuple of them; got {grid!r}.")
    if min(cells) < 1:
        raise ValueError(f"grid must be a positive int or a tuple of them; got {grid!r}.")
    if len(cells) != n_axes:
        raise ValueError(f"grid={grid!r} has {len(cells)} entries, but the bands have "
                         f"{n_axes} axes.")
    return cells


@validate_params({"bands": [list], "grid": POOLING_CONSTRAINTS["grid"]},
                 prefer_skip_nested_validation=True)
def pooling_layout(bands: list, grid: int | tuple = 7) -> list[PooledBand]:
    """The :class:`PooledBand` list of a transform's ``bands_`` pooled on ``grid``.

    ``grid`` is the number of cells per axis (an int for all axes, or a tuple
    per axis); a band smaller than the grid keeps its own size.

    Examples
    --------
    >>> from sklearn_sparsecode import pooling_layout, wavelet_layout
    >>> layout = pooling_layout(wavelet_layout((16, 16), "haar", level=1), grid=4)
    >>> [(b.name, b.kind, b.cells) for b in layout][:2]
    [('aa', 'signed', (4, 4)), ('da', 'abs', (4, 4))]
    """
    blocks = modulus_layout(bands)
    n_axes = len(blocks[0].band.shape)
    cells_per_axis = _check_grid(grid, n_axes)
    entries, cells_of = [], []
    for block in blocks:
        source = block.band
        cells = tuple(min(g, s) for g, s in zip(cells_per_axis, source.shape))
        fields = source._asdict()
        del fields["start"], fields["stop"]
        fields.update(shape=cells, prefix=f"pool_s{source.scale}_{source.name}")
        entries.append(fields)
        cells_of.append(cells)
    pooled = []
    for block, band in zip(blocks, stack_bands(entries)):
        source = block.band
        pooled.append(PooledBand(source.scale, source.name, source.orientation, block.kind,
                                 block.sources, source.shape, band.shape, band.start, band.stop,
                                 band))
    return pooled


def _pool_chunk(coefs, out, layout, power):
    n = len(coefs)
    matrices = {}
    for band in layout:
        values = modulus_values(coefs, band.kind, band.sources, power).reshape(n, *band.shape)
        # Separable pooling: one small matrix product per axis.
        for axis, (size, cells) in enumerate(zip(band.shape, band.cells)):
            key = (size, cells)
            if key not in matrices:
                matrices[key] = pooling_matrix(size, cells).astype(coefs.dtype)
            values = np.moveaxis(np.tensordot(values, matrices[key], axes=([axis + 1], [1])),
                                 -1, axis + 1)
        out[:, band.start:band.stop] = values.reshape(n, -1)


@validate_params({"coefs": ["array-like"], "bands": [list], **POOLING_CONSTRAINTS},
                 prefer_skip_nested_validation=True)
def pool_coefficients(coefs: ArrayLike, bands: list, grid: int | tuple = 7,
                      power: float = 1.0) -> np.ndarray:
    """Pooled magnitudes of a batch of coefficient vectors.

    Parameters
    ----------
    coefs : array-like of shape (n_samples, n_coefficients)
        Output of :func:`wavelet_transform` or :func:`curvelet_transform`.
    bands : list of Band
        The layout of ``coefs`` (``bands_`` of the fitted transformer).
    grid : int or tuple of int, default=7
        Cells per axis of each band's pooling grid.
    power : float, default=1.0
        Exponent applied to the magnitudes before averaging; 0.5 compresses
        large responses, which helps a linear head a little.

    Returns
    -------
    pooled : ndarray of shape (n_samples, n_pooled)
        Laid out as :func:`pooling_layout` says; float32 for float32 input.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_sparsecode import curvelet_transform, plan_curvelets, pool_coefficients
    >>> plan = plan_curvelets((28, 28), n_scales=3, n_angles=8, decimated=False)
    >>> X = np.random.default_rng(0).normal(size=(2, 28, 28))
    >>> pool_coefficients(curvelet_transform(X, plan=plan), plan.bands, grid=7).shape
    (2, 637)
    """
    coefs = check_array(coefs, dtype=FLOAT_DTYPES, input_name="coefs",
                        estimator="pool_coefficients")
    if not bands or not all(isinstance(b, Band) for b in bands):
        raise TypeError("bands must be the list of Band records of the coefficients "
                        "(bands_ of a fitted transformer, or plan.bands).")
    layout = pooling_layout(bands, grid)
    if coefs.shape[1] != bands[-1].stop:
        raise ValueError(f"Expected coefficients of shape (n_samples, {bands[-1].stop}); "
                         f"got {coefs.shape}.")
    out = np.empty((len(coefs), layout[-1].stop), dtype=coefs.dtype)
    _pool_chunk(coefs, out, layout, power)
    return out


class LocalPooling(TransformerMixin, BaseEstimator):
    """Magnitudes of a multiscale transform, averaged on a coarse grid per band.

    ``LocalPooling(transformer=CurveletTransformer(decimated=False), grid=7)`` computes,
    for each image, each oriented band's response magnitude and averages it on
    a 7 x 7 grid (4 x 4 pixel cells on 28 x 28 images): a first-order
    scattering-like representation, stable to small shifts, for a linear or
    kernel head. The low-pass band is averaged with its sign.

    Parameters
    ----------
    transformer : layer estimator, default=None
        The multiscale transform to pool: any layer of this package
        (:class:`CurveletTransformer`, :class:`WaveletTransformer`, ...;
        cloned and fitted in ``fit``). None is
        ``CurveletTransformer(n_scales=3, n_angles=8, decimated=False)``.
        Undecimated bands pool on equal cells; decimated bands are pooled on
        area-weighted cells of their own grids.
    grid : int or tuple of int, default=7
        Cells per axis of every band's pooling grid (a band smaller than the
        grid keeps its size).
    power : float, default=1.0
        Exponent applied to the magnitudes before averaging (0.5: square root).
    batch_size : int or None, default=None
        Images per chunk; None sizes chunks from scikit-learn's
        ``working_memory``. The wrapped transformer's own ``batch_size`` and
        ``n_jobs`` are not used.
    n_jobs : int or None, default=None
        Threads over chunks. Results do not depend on it.
    verbose : int, default=0
        Progress lines on stderr during ``transform`` when > 0.

    Attributes
    ----------
    transformer_ : estimator
        The fitted clone of ``transformer``.
    layout_ : list of PooledBand
        Output layout: source band, kind, pooling grid and output columns.
    bands_ : list of Band
        The same blocks as :class:`Band` records (``shape`` = cells), so that
        a pooled layer can feed another one.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Defined when X is a data frame with string column names.
    input_shape_ : tuple of int

    See Also
    --------
    pool_coefficients : the function behind ``transform``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_sparsecode import CurveletTransformer, LocalPooling
    >>> X = np.random.default_rng(0).normal(size=(4, 28, 28))
    >>> pooling = LocalPooling(transformer=CurveletTransformer(n_scales=3, n_angles=8,
    ...                                                      decimated=False))
    >>> pooling.fit_transform(X).shape
    (4, 637)
    >>> pooling.get_feature_names_out()[[0, 49]]
    array(['pool_s1_lowpass_0_0', 'pool_s2_a0_0_0'], dtype=object)
    """

    _parameter_constraints: dict = {
        "transformer": [HasMethods(["fit", "transform"]), None],
        **POOLING_CONSTRAINTS,
        "batch_size": BATCH_SIZE,
        "n_jobs": N_JOBS,
        "verbose": VERBOSE,
    }

    def __init__(self, *, transformer=None, grid=7, power=1.0, batch_size=None, n_jobs=None,
                 verbose=0):
        self.transformer = transformer
        self.grid = grid
        self.power = power
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.verbose = verbose

    def _default_transformer(self):
        from ..curvelets import CurveletTransformer

        return CurveletTransformer(n_scales=3, n_angles=8, decimated=False)

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X: ArrayLike, y: None = None) -> "LocalPooling":
        """Fit the wrapped transformer and lay out the pooled features.

        Parameters
        ----------
        X : array-like of shape (n_samples, height, width) or (n_samples, n_features)
        y : None
            Ignored.

        Returns
        -------
        self : LocalPooling
        """
        inner = self._default_transformer() if self.transformer is None else self.transformer
        try:
            fitted = clone(inner).fit(X)
        except ValueError as error:
            if self.transformer is not None or "too small" not in str(error):
                raise
            raise ValueError(
                f"LocalPooling's default transformer, CurveletTransformer(n_scales=3, "
                f"n_angles=8, decimated=False), needs images of at least 16x16: {error} "
                f"For smaller images pass, e.g., transformer=CurveletTransformer(n_scales=2, "
                f"decimated=False).") from None
        if not all(hasattr(fitted, name) for name in ("bands_", "prepare", "forward")):
            raise TypeError(
                f"LocalPooling pools the bands of a layer of this package (an estimator "
                f"with bands_, prepare and forward: WaveletTransformer, "
                f"CurveletTransformer, ...); got {type(inner).__name__}.")
        self.transformer_ = fitted
        self.layout_ = pooling_layout(fitted.bands_, self.grid)
        self.bands_ = [pooled.band for pooled in self.layout_]
        self.n_features_in_ = fitted.n_features_in_
        self.input_shape_ = fitted.input_shape_
        # A refit on a plain array after a data frame must forget the old names.
        if hasattr(fitted, "feature_names_in_"):
            self.feature_names_in_ = fitted.feature_names_in_
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        return self

    def prepare(self, X: ArrayLike) -> np.ndarray:
        """Validate ``X`` as ``transform`` does (the wrapped layer's checks).

        Part of the layer protocol (see :mod:`sklearn_sparsecode._base`).
        """
        check_is_fitted(self)
        return self.transformer_.prepare(X)

    def forward(self, batch: np.ndarray) -> np.ndarray:
        """Pooled magnitudes of a prepared batch, in one thread and one piece."""
        chunk = as_work_chunk(batch)
        out = np.empty((len(chunk), self.layout_[-1].stop), dtype=chunk.dtype)
        _pool_chunk(self.transformer_.forward(chunk), out, self.layout_, self.power)
        return out

    def transform(self, X: ArrayLike) -> np.ndarray:
        """Pooled magnitudes of each image, one row per image.

        Parameters
        ----------
        X : array-like of shape (n_samples, height, width) or (n_samples, n_features)

        Returns
        -------
        pooled : ndarray of shape (n_samples, n_pooled)
        """
        batch = self.prepare(X)
        dtype = work_dtype(batch.dtype)
        n_coefs = self.transformer_.bands_[-1].stop

        def pool_chunk(chunk, out):
            out[:] = self.forward(chunk)

        # The coefficients, their magnitudes and one pooling temporary per image.
        row_bytes = dtype.itemsize * (3 * n_coefs + batch[0].size)
        # The pooling itself is BLAS products (tensordot), and so may the wrapped
        # layer be: single-threaded BLAS keeps float32 results identical for every n_jobs.
        return map_in_batches(pool_chunk, batch, self.layout_[-1].stop, dtype,
                              batch_size=self.batch_size, n_jobs=self.n_jobs,
                              row_bytes=row_bytes, uses_blas=True, verbose=self.verbose,
                              label="LocalPooling")

    def backward(self, batch: np.ndarray, cotangent: np.ndarray) -> np.ndarray:
        """The vector–Jacobian product of a prepared batch, in one thread and one piece.

        ``inner.backward ∘ modulus' ∘ poolᵀ``: the wrapped layer's forward is
        recomputed (for the moduli), then its own ``backward`` runs on the
        cotangent of its coefficients. Part of the layer protocol.
        """
        inner = self.transformer_
        if not hasattr(inner, "backward"):
            raise TypeError(f"LocalPooling cannot differentiate through "
                            f"{type(inner).__name__}: it has no backward method.")
        chunk = as_work_chunk(batch)
        cotangent = np.asarray(cotangent, dtype=chunk.dtype)
        coefs = inner.forward(chunk)
        return inner.backward(chunk, pool_vjp(coefs, cotangent, self.layout_, self.power))

    def transform_vjp(self, X: ArrayLike, cotangent: ArrayLike) -> np.ndarray:
        """Gradient of ``sum(cotangent * transform(X))`` with respect to X, shaped like X.

        The chain rule through pooling, modulus and the wrapped transform,
        chunk by chunk like :meth:`transform`: the transform's forward is
        recomputed, then the adjoint of the pooling, the derivative of the
        modulus ((re, im)/r for a complex band, sign(c) for a real one, 0
        where r = 0, times p·r^(p−1) for ``power`` p) and the transform's own
        vector–Jacobian product. About twice the cost of :meth:`transform`.

        Parameters
        ----------
        X : array-like of shape (n_samples, height, width) or (n_samples, n_features)
        cotangent : array-like of shape (n_samples, n_pooled)

        Returns
        -------
        gradient : ndarray of the shape of X
        """
        batch = self.prepare(X)
        dtype = work_dtype(batch.dtype)
        cotangent = check_cotangent(self, cotangent, len(batch), self.layout_[-1].stop, dtype)
        n_coefs = self.transformer_.bands_[-1].stop
        row_bytes = dtype.itemsize * (6 * n_coefs + 4 * batch[0].size)

        def vjp(chunk, cot, out):
            out[:] = self.backward(chunk, cot).reshape(len(chunk), -1)

        flat = run_vjp(vjp, batch, cotangent, int(np.prod(self.input_shape_)), dtype,
                       batch_size=self.batch_size, n_jobs=self.n_jobs, verbose=self.verbose,
                       row_bytes=row_bytes, uses_blas=True,
                       label="LocalPooling.transform_vjp")
        return shaped_like(flat, X, self.input_shape_)

    def get_feature_names_out(self, input_features: ArrayLike | None = None) -> np.ndarray:
        """Names such as ``pool_s2_a3_1_4`` (scale, band, cell row, cell column)."""
        check_is_fitted(self)
        _check_feature_names_in(self, input_features, generate_names=False)
        return feature_names_of(self.bands_)

    def feature_layout(self) -> np.ndarray:
        """Where every output column comes from, as a numpy structured array.

        Fields ``scale``, ``band`` (see :class:`PooledBand`), ``orientation``
        (degrees, NaN where undefined), ``row`` and ``col`` (pooling cell;
        ``col`` is -1 for 1-D signals).
        """
        check_is_fitted(self)
        return feature_layout_of(self.bands_)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = self._default_transformer() if self.transformer is None else self.transformer
        tags.input_tags = get_tags(inner).input_tags
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
