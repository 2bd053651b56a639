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
layout; :class:`LocalPooling` wraps any transformer of this package that has
``bands_`` (wavelets, curvelets) and pools its output.
"""

from numbers import Integral, Real
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context, clone
from sklearn.utils import get_tags
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted

from ._base import LAYOUT_DTYPE, fill_positions
from ._batching import map_in_batches
from ._validation import validate_images


class PooledBand(NamedTuple):
    """One block of pooled features and the coefficient columns it comes from.

    Attributes
    ----------
    scale : int
        Wavelet level or curvelet scale of the source band.
    name : str
        ``"lowpass"``, ``"fine"`` or ``"a{angle}"`` (curvelets); the wavelet band
        name (``"aa"``, ``"dd"``, ...) otherwise.
    orientation : float or None
        Curvelet wedge orientation in degrees, None elsewhere.
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


def _band_groups(bands):
    """(scale, name, orientation, kind, sources, shape) per pooled block."""
    groups, k = [], 0
    while k < len(bands):
        band = bands[k]
        if hasattr(band, "part"):  # CurveletBand
            if band.part == "re":
                im = bands[k + 1]
                groups.append((band.scale, f"a{band.angle}", band.orientation, "modulus",
                               ((band.start, band.stop), (im.start, im.stop)), band.shape))
                k += 2
                continue
            name = "lowpass" if band.scale == 1 else "fine"
            kind = "signed" if band.scale == 1 else "abs"
            groups.append((band.scale, name, None, kind, ((band.start, band.stop),), band.shape))
        else:  # wavelet Band: only the approximation band ("a", "aa") is low-pass
            kind = "signed" if set(band.name) == {"a"} else "abs"
            groups.append((band.level, band.name, None, kind, ((band.start, band.stop),),
                           band.shape))
        k += 1
    return groups


def pooling_layout(bands: list, grid: int | tuple = 7) -> list[PooledBand]:
    """The :class:`PooledBand` list of a transform's ``bands_`` pooled on ``grid``.

    ``grid`` is the number of cells per axis (an int for all axes, or a tuple
    per axis); a band smaller than the grid keeps its own size.
    """
    pooled, start = [], 0
    for scale, name, orientation, kind, sources, shape in _band_groups(bands):
        cells_per_axis = np.broadcast_to(np.asarray(grid), (len(shape),))
        cells = tuple(int(min(g, s)) for g, s in zip(cells_per_axis, shape))
        size = int(np.prod(cells))
        pooled.append(PooledBand(scale, name, orientation, kind, sources, tuple(shape), cells,
                                 start, start + size))
        start += size
    return pooled


def _pool_chunk(coefs, out, layout, power):
    n = len(coefs)
    matrices = {}
    for band in layout:
        blocks = [coefs[:, a:b] for a, b in band.sources]
        if band.kind == "modulus":
            values = np.hypot(blocks[0], blocks[1])
        elif band.kind == "abs":
            values = np.abs(blocks[0])
        else:
            values = blocks[0]
        if power != 1 and band.kind != "signed":
            values = values**power
        values = values.reshape(n, *band.shape)
        # Separable pooling: one small matrix product per axis.
        for axis, (size, cells) in enumerate(zip(band.shape, band.cells)):
            key = (size, cells)
            if key not in matrices:
                matrices[key] = pooling_matrix(size, cells).astype(coefs.dtype)
            values = np.moveaxis(np.tensordot(values, matrices[key], axes=([axis + 1], [1])),
                                 -1, axis + 1)
        out[:, band.start:band.stop] = values.reshape(n, -1)


def pool_coefficients(coefs: ArrayLike, bands: list, grid: int | tuple = 7,
                      power: float = 1.0) -> np.ndarray:
    """Pooled magnitudes of a batch of coefficient vectors.

    Parameters
    ----------
    coefs : array-like of shape (n_samples, n_coefficients)
        Output of :func:`wavelet_transform` or :func:`curvelet_transform`.
    bands : list of Band or CurveletBand
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
    coefs = np.asarray(coefs)
    if not np.issubdtype(coefs.dtype, np.floating):
        coefs = coefs.astype(np.float64)
    layout = pooling_layout(bands, grid)
    if coefs.ndim != 2 or coefs.shape[1] != bands[-1].stop:
        raise ValueError(f"Expected coefficients of shape (n_samples, {bands[-1].stop}); "
                         f"got {coefs.shape}.")
    out = np.empty((len(coefs), layout[-1].stop), dtype=coefs.dtype)
    _pool_chunk(coefs, out, layout, power)
    return out


class LocalPooling(TransformerMixin, BaseEstimator):
    """Magnitudes of a multiscale transform, averaged on a coarse grid per band.

    ``LocalPooling(CurveletTransformer(decimated=False), grid=7)`` computes,
    for each image, each oriented band's response magnitude and averages it on
    a 7 x 7 grid (4 x 4 pixel cells on 28 x 28 images): a first-order
    scattering-like representation, stable to small shifts, for a linear or
    kernel head. The low-pass band is averaged with its sign.

    Parameters
    ----------
    transformer : estimator with ``bands_``, default=None
        The multiscale transform to pool: a :class:`CurveletTransformer` or
        :class:`WaveletTransformer` (cloned and fitted in ``fit``). None is
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
    >>> pooling = LocalPooling(CurveletTransformer(n_scales=3, n_angles=8, decimated=False))
    >>> pooling.fit_transform(X).shape
    (4, 637)
    >>> pooling.get_feature_names_out()[[0, 49]]
    array(['pool_s1_lowpass_0_0', 'pool_s2_a0_0_0'], dtype=object)
    """

    _parameter_constraints: dict = {
        "transformer": [HasMethods(["fit", "transform"]), None],
        "grid": [Interval(Integral, 1, None, closed="left"), tuple],
        "power": [Interval(Real, 0, None, closed="neither")],
        "batch_size": [Interval(Integral, 1, None, closed="left"), None],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
    }

    def __init__(self, transformer=None, grid=7, power=1.0, batch_size=None, n_jobs=None,
                 verbose=0):
        self.transformer = transformer
        self.grid = grid
        self.power = power
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.verbose = verbose

    def _default_transformer(self):
        from ._curvelet import CurveletTransformer

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
        if not hasattr(inner, "_transform_images"):
            raise TypeError(
                f"LocalPooling pools the bands of this package's multiscale transformers "
                f"(WaveletTransformer, CurveletTransformer); got {type(inner).__name__}.")
        grid = self.grid if isinstance(self.grid, Integral) else tuple(self.grid)
        if not isinstance(grid, Integral) and not all(
                isinstance(g, Integral) and g >= 1 for g in grid):
            raise ValueError(f"grid must be a positive int or a tuple of them; got {grid!r}.")
        self.transformer_ = clone(inner).fit(X)
        bands = self.transformer_.bands_
        if not isinstance(grid, Integral) and len(grid) != len(bands[0].shape):
            raise ValueError(f"grid={grid!r} has {len(grid)} entries, but the bands have "
                             f"{len(bands[0].shape)} axes.")
        self.layout_ = pooling_layout(bands, grid)
        self.n_features_in_ = self.transformer_.n_features_in_
        self.input_shape_ = self.transformer_.input_shape_
        if hasattr(self.transformer_, "feature_names_in_"):
            self.feature_names_in_ = self.transformer_.feature_names_in_
        return self

    def transform(self, X: ArrayLike) -> np.ndarray:
        """Pooled magnitudes of each image, one row per image.

        Parameters
        ----------
        X : array-like of shape (n_samples, height, width) or (n_samples, n_features)

        Returns
        -------
        pooled : ndarray of shape (n_samples, n_pooled)
        """
        check_is_fitted(self)
        inner = self.transformer_
        # The wrapped transformer's checks (shape, NaN, dtype, feature names).
        images = validate_images(inner, X, reset=False)
        n_coefs = inner.bands_[-1].stop
        layout, power = self.layout_, self.power

        def pool_chunk(chunk, out):
            coefs = inner._transform_images(chunk, n_jobs=1, verbose=0)
            _pool_chunk(coefs, out, layout, power)

        # The coefficients, their magnitudes and one pooling temporary per image.
        row_bytes = images.dtype.itemsize * (3 * n_coefs + images[0].size)
        return map_in_batches(pool_chunk, images, layout[-1].stop, images.dtype,
                              batch_size=self.batch_size, n_jobs=self.n_jobs,
                              row_bytes=row_bytes, verbose=self.verbose, label="LocalPooling")

    def get_feature_names_out(self, input_features: ArrayLike | None = None) -> np.ndarray:
        """Names such as ``pool_s2_a3_1_4`` (scale, band, cell row, cell column)."""
        check_is_fitted(self)
        _check_feature_names_in(self, input_features, generate_names=False)
        names = []
        for band in self.layout_:
            prefix = f"pool_s{band.scale}_{band.name}"
            names.extend(f"{prefix}_" + "_".join(map(str, cell))
                         for cell in np.ndindex(*band.cells))
        return np.asarray(names, dtype=object)

    def feature_layout(self) -> np.ndarray:
        """Where every output column comes from, as a numpy structured array.

        Fields ``scale``, ``band`` (see :class:`PooledBand`), ``orientation``
        (degrees, NaN where undefined), ``row`` and ``col`` (pooling cell;
        ``col`` is -1 for 1-D signals).
        """
        check_is_fitted(self)
        layout = np.empty(self.layout_[-1].stop, dtype=LAYOUT_DTYPE)
        for band in self.layout_:
            columns = layout[band.start:band.stop]
            columns["scale"], columns["band"] = band.scale, band.name
            columns["orientation"] = np.nan if band.orientation is None else band.orientation
            fill_positions(columns, band.cells)
        return layout

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = self._default_transformer() if self.transformer is None else self.transformer
        tags.input_tags = get_tags(inner).input_tags
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
