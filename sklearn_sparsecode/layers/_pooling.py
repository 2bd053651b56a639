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
layout (``pool ∘ modulus``); :class:`LocalPooling` wraps any
layer of this package (anything with ``bands_``, ``prepare`` and ``forward``:
wavelets, curvelets, contourlets, the Morlet bank) and
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
from sklearn.utils.validation import check_is_fitted

from .._core.bands import Band, stack_bands
from .._core.base import LayerMixin
from .._core.validation import (
    BATCH_SIZE,
    FLOAT_DTYPES,
    N_JOBS,
    VERBOSE,
    Interval,
    as_work_chunk,
)
from ._gradient import modulus_values_vjp
from ._modulus import modulus_layout, modulus_values

POOLING_CONSTRAINTS = {
    "grid": [Interval(Integral, 1, None, closed="left"), tuple, list],
    "power": [Interval(Real, 0, None, closed="neither")],
}


class _PooledBlock(NamedTuple):
    """How one output block is pooled: modulus rule, source columns and grid, output band."""

    kind: str       # "signed" (low-pass), "abs" (real band) or "modulus" (re/im pair)
    sources: tuple  # input columns: one (start, stop), or the re and im blocks
    shape: tuple    # spatial shape of the source band
    band: Band      # the output block; band.shape is the pooling grid (cells)


def pooling_matrix(n, cells):
    """Area-weighted averaging of ``n`` samples onto ``cells`` equal cells, (cells, n).

    Cell k covers [k n / cells, (k + 1) n / cells); a sample cut by a cell
    boundary counts in both cells in proportion to its overlap. Rows sum to 1;
    with ``n`` a multiple of ``cells`` it is the plain box average.
    """
    edges = np.arange(cells + 1) * (n / cells)
    samples = np.arange(n)
    # overlap of [i, i+1) with [edges[k], edges[k+1])
    overlap = (np.minimum(samples + 1, edges[1:, None]) - np.maximum(samples, edges[:-1, None]))
    return np.clip(overlap, 0, None) / (n / cells)


def _grid_cells(grid, n_axes):
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


def _plan_pooling(bands, grid):
    """The pooled blocks of a layout: one per (complex) source band, on ``grid`` cells.

    A band smaller than the grid keeps its own size.
    """
    blocks = modulus_layout(bands)
    cells_per_axis = _grid_cells(grid, len(blocks[0].band.shape))
    entries = []
    for block in blocks:
        source = block.band
        fields = source._asdict()
        del fields["start"], fields["stop"]
        fields.update(shape=tuple(min(g, s) for g, s in zip(cells_per_axis, source.shape)),
                      prefix=f"pool_s{source.scale}_{source.name}")
        if source.channel is not None:
            fields["prefix"] = f"c{source.channel}_pool_s{source.scale}_{source.name}"
        entries.append(fields)
    return [_PooledBlock(block.kind, block.sources, block.band.shape, band)
            for block, band in zip(blocks, stack_bands(entries))]


def _pool_axes(values, block, matrices, adjoint=False):
    """Separable pooling of one block, ``(n, *block.shape)`` → ``(n, *cells)``.

    One small matrix product per axis; with ``adjoint`` each axis's matrix is
    transposed, ``(n, *cells)`` → ``(n, *block.shape)``. ``matrices`` caches
    the matrices by (size, cells) across the blocks of a chunk.
    """
    for axis, (size, cells) in enumerate(zip(block.shape, block.band.shape)):
        key = (size, cells)
        if key not in matrices:
            matrices[key] = pooling_matrix(size, cells).astype(values.dtype)
        values = np.moveaxis(np.tensordot(values, matrices[key],
                                          axes=([axis + 1], [0 if adjoint else 1])),
                             -1, axis + 1)
    return values


def _pool_chunk(coefs, out, plan, power):
    n = len(coefs)
    matrices = {}
    for block in plan:
        values = modulus_values(coefs, block.kind, block.sources, power).reshape(n, *block.shape)
        out[:, block.band.start:block.band.stop] = _pool_axes(values, block,
                                                              matrices).reshape(n, -1)


def _pool_vjp(coefs, cotangent, plan, power):
    """Cotangent of the coefficients of ``pool ∘ modulus`` (``plan``: the pooled blocks)."""
    n = len(coefs)
    coefs_bar = np.zeros_like(coefs)
    matrices = {}
    for block in plan:
        grad = cotangent[:, block.band.start:block.band.stop].reshape(n, *block.band.shape)
        grad = _pool_axes(grad, block, matrices, adjoint=True)
        modulus_values_vjp(coefs, block.kind, block.sources, power, grad.reshape(n, -1),
                           coefs_bar)
    return coefs_bar


@validate_params({"coefs": ["array-like"], "bands": [list], **POOLING_CONSTRAINTS},
                 prefer_skip_nested_validation=True)
def pool_coefficients(coefs: ArrayLike, bands: list[Band], *, grid: int | tuple = 7,
                      power: float = 1.0) -> np.ndarray:
    """Pooled magnitudes of a batch of coefficient vectors.

    Every band-pass band becomes its magnitude (``hypot`` of the re/im halves
    of a complex band, ``|c|`` of a real one; the low-pass keeps its sign),
    raised to ``power``, then averaged on ``grid`` cells per axis.

    Parameters
    ----------
    coefs : array-like of shape (n_samples, n_coefficients)
        Coefficients of a transform of this package.
    bands : list of Band
        The layout of ``coefs`` (``bands_`` of the fitted transformer, or
        ``plan.bands``).
    grid : int or tuple of int, default=7
        Cells per axis of each band's pooling grid (a band smaller than the
        grid keeps its size).
    power : float, default=1.0
        Exponent applied to the magnitudes before averaging; 0.5 compresses
        large responses, which helps a linear head a little.

    Returns
    -------
    pooled : ndarray of shape (n_samples, n_pooled)
        One block per source band (``LocalPooling.bands_`` describes them);
        float32 for float32 input.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_sparsecode.curvelets import curvelet_transform, plan_curvelets
    >>> from sklearn_sparsecode.layers import pool_coefficients
    >>> plan = plan_curvelets((28, 28), n_scales=3, n_orientations=4, decimated=False)
    >>> X = np.random.default_rng(0).normal(size=(2, 28, 28))
    >>> pool_coefficients(curvelet_transform(X, plan=plan), plan.bands, grid=7).shape
    (2, 637)
    """
    coefs = check_array(coefs, dtype=FLOAT_DTYPES, input_name="coefs",
                        estimator="pool_coefficients")
    if not bands or not all(isinstance(b, Band) for b in bands):
        raise TypeError("bands must be the list of Band records of the coefficients "
                        "(bands_ of a fitted transformer, or plan.bands).")
    if coefs.shape[1] != bands[-1].stop:
        raise ValueError(f"bands describe {bands[-1].stop} coefficients per sample; got coefs "
                         f"of shape {coefs.shape}.")
    plan = _plan_pooling(bands, grid)
    out = np.empty((len(coefs), plan[-1].band.stop), dtype=coefs.dtype)
    _pool_chunk(coefs, out, plan, power)
    return out


class LocalPooling(LayerMixin, TransformerMixin, BaseEstimator):
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
        ``CurveletTransformer(n_scales=3, n_orientations=4, decimated=False)``.
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
    plan_ : list
        For each output block, how it is pooled: the modulus rule, the source
        columns and grid, and the output :class:`~sklearn_sparsecode.Band`.
    bands_ : list of Band
        Layout of the output: one block per source band (``shape`` = cells,
        names ``pool_s{scale}_{band}``), so that a pooled layer can feed
        another one.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Defined when X is a data frame with string column names.
    input_shape_ : tuple of int
    n_channels_ : int or None
        Channels per image, from the wrapped transformer's ``channel_axis``.

    See Also
    --------
    sklearn_sparsecode.layers.pool_coefficients : the function behind ``transform``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_sparsecode import CurveletTransformer, LocalPooling
    >>> X = np.random.default_rng(0).normal(size=(4, 28, 28))
    >>> pooling = LocalPooling(transformer=CurveletTransformer(n_scales=3, n_orientations=4,
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
    # The pooling is BLAS products (tensordot), and so may the wrapped layer be:
    # single-threaded BLAS keeps float32 results identical for every n_jobs.
    _uses_blas = True

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

        return CurveletTransformer(n_scales=3, n_orientations=4, decimated=False)

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
                f"n_orientations=4, decimated=False), needs images of at least 16x16: {error} "
                f"For smaller images pass, e.g., transformer=CurveletTransformer(n_scales=2, "
                f"decimated=False).") from None
        if not all(hasattr(fitted, name) for name in ("bands_", "prepare", "forward")):
            raise TypeError(
                f"LocalPooling pools the bands of a layer of this package (an estimator "
                f"with bands_, prepare and forward: WaveletTransformer, "
                f"CurveletTransformer, ...); got {type(inner).__name__}.")
        self.transformer_ = fitted
        self.plan_ = _plan_pooling(fitted.bands_, self.grid)
        self.bands_ = [block.band for block in self.plan_]
        self.n_features_in_ = fitted.n_features_in_
        self.input_shape_ = fitted.input_shape_
        self.n_channels_ = getattr(fitted, "n_channels_", None)
        # A refit on a plain array after a data frame must forget the old names.
        if hasattr(fitted, "feature_names_in_"):
            self.feature_names_in_ = fitted.feature_names_in_
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        return self

    def prepare(self, X: ArrayLike) -> np.ndarray:
        """Validate ``X`` as ``transform`` does (the wrapped layer's checks).

        Part of the layer protocol (see :class:`~sklearn_sparsecode.MultiscaleTransformer`).
        """
        check_is_fitted(self)
        return self.transformer_.prepare(X)

    def forward(self, batch: np.ndarray) -> np.ndarray:
        """Pooled magnitudes of a prepared batch, in one thread and one piece."""
        chunk = as_work_chunk(batch)
        out = np.empty((len(chunk), self.bands_[-1].stop), dtype=chunk.dtype)
        _pool_chunk(self.transformer_.forward(chunk), out, self.plan_, self.power)
        return out

    def _chunk_row_bytes(self, itemsize):
        # The coefficients, their magnitudes and one pooling temporary per image.
        n_coefs = self.transformer_.bands_[-1].stop
        return itemsize * (3 * n_coefs + int(np.prod(self.input_shape_)) * (self.n_channels_ or 1))

    def backward(self, batch: np.ndarray, cotangent: np.ndarray) -> np.ndarray:
        """The vector–Jacobian product of a prepared batch, in one thread and one piece.

        ``inner.backward ∘ modulus' ∘ poolᵀ``: the wrapped layer's forward is
        recomputed (for the moduli), then the adjoint of the pooling, the
        derivative of the modulus ((re, im)/r for a complex band, sign(c) for
        a real one, 0 where r = 0, times p·r^(p−1) for ``power`` p) and the
        wrapped layer's own ``backward``. Part of the layer protocol;
        ``transform_vjp`` runs it over chunks (about twice the cost of
        ``transform``).
        """
        inner = self.transformer_
        if not hasattr(inner, "backward"):
            raise TypeError(f"LocalPooling cannot differentiate through "
                            f"{type(inner).__name__}: it has no backward method.")
        chunk = as_work_chunk(batch)
        cotangent = np.asarray(cotangent, dtype=chunk.dtype)
        coefs = inner.forward(chunk)
        return inner.backward(chunk, _pool_vjp(coefs, cotangent, self.plan_, self.power))

    def _vjp_chunk_row_bytes(self, itemsize):
        # Coefficients, their cotangent and the pooling temporaries, plus the inner VJP's image.
        n_coefs = self.transformer_.bands_[-1].stop
        return itemsize * (6 * n_coefs
                           + 4 * int(np.prod(self.input_shape_)) * (self.n_channels_ or 1))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = self._default_transformer() if self.transformer is None else self.transformer
        tags.input_tags = get_tags(inner).input_tags
        return tags
