"""Multilevel discrete wavelet transform of image (or signal) batches.

The math is PyWavelets' ``wavedec2``/``wavedec``, run on whole chunks of samples
at once (no Python loop per image). This module adds the flat, fixed-length
coefficient layout that a scikit-learn pipeline needs, its inverse, and the
:class:`WaveletTransformer` estimator around them.

Layout of the flattened coefficients (stable, documented in :class:`Band`):
coarse to fine, as PyWavelets orders them. For images, the approximation
``aa`` at the coarsest level, then for each level from coarsest to finest the
details ``da`` (PyWavelets' cH, high-pass along rows axis 0), ``ad`` (cV) and
``dd`` (cD). For 1-D signals, ``a`` then ``d`` per level. Each band is
flattened in C (row-major) order.
"""

import warnings
from numbers import Integral
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike
import pywt
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted

from ._base import MultiscaleTransformMixin
from ._batching import map_in_batches
from ._validation import validate_images

WAVELET_NAMES = frozenset(pywt.wavelist(kind="discrete"))
SIGNAL_MODES = frozenset(pywt.Modes.modes)


class Band(NamedTuple):
    """Where one wavelet band sits in the flattened coefficient vector.

    Attributes
    ----------
    level : int
        Decomposition level, 1 being the finest.
    name : str
        ``"aa"``, ``"da"``, ``"ad"``, ``"dd"`` for images (first letter: axis 0,
        rows; ``a`` low-pass, ``d`` high-pass), ``"a"`` or ``"d"`` for signals.
    shape : tuple of int
        Shape of the band for one sample.
    start, stop : int
        The band's columns are ``coefs[:, start:stop]``, reshaped to ``shape``.
    """

    level: int
    name: str
    shape: tuple
    start: int
    stop: int


def max_wavelet_level(input_shape: tuple[int, ...], wavelet: str) -> int:
    """Deepest decomposition level allowed for samples of ``input_shape``.

    This is PyWavelets' "maximum useful level" (:func:`pywt.dwt_max_level`) of
    the shortest side, where coefficients of the coarsest level are not all
    boundary-affected; but at least 1, so that short signals still get one
    level (with boundary effects) rather than no transform at all.
    """
    filter_len = pywt.Wavelet(wavelet).dec_len
    return max(1, pywt.dwt_max_level(min(input_shape), filter_len))


def _resolve_level(level, input_shape, wavelet):
    deepest = max_wavelet_level(input_shape, wavelet)
    if level is None:
        return deepest
    if level > deepest:
        kind = "images" if len(input_shape) == 2 else "signals"
        size = "x".join(map(str, input_shape))
        raise ValueError(
            f"level={level} is too deep for {size} {kind} with wavelet "
            f"{wavelet!r}: the maximum is {deepest} (pywt.dwt_max_level of the "
            f"shortest side, {min(input_shape)}, for a filter of length "
            f"{pywt.Wavelet(wavelet).dec_len}). Use a smaller level or larger inputs."
        )
    return level


def _decompose(X, wavelet, level, mode):
    """Bands of a batch ``X`` of shape (n, h, w) or (n, length), in layout order."""
    with warnings.catch_warnings():
        if level > pywt.dwt_max_level(min(X.shape[1:]), pywt.Wavelet(wavelet).dec_len):
            # Only for inputs shorter than the filter, where _resolve_level
            # allows one level on purpose; PyWavelets warns about boundary effects.
            warnings.simplefilter("ignore", UserWarning)
        if X.ndim == 3:
            approx, *details = pywt.wavedec2(X, wavelet, mode=mode, level=level, axes=(-2, -1))
            return [approx, *(band for triple in details for band in triple)]
        return pywt.wavedec(X, wavelet, mode=mode, level=level, axis=-1)


def wavelet_layout(input_shape: tuple[int, ...], wavelet: str = "db2", level: int | None = None,
                   mode: str = "periodization") -> list[Band]:
    """The list of :class:`Band` describing the flattened coefficients.

    Parameters
    ----------
    input_shape : tuple of int
        ``(height, width)`` for images, ``(length,)`` for signals.
    wavelet, level, mode :
        As in :func:`wavelet_transform`.

    Returns
    -------
    bands : list of Band
    """
    input_shape = tuple(input_shape)
    level = _resolve_level(level, input_shape, wavelet)
    # The band shapes are those of PyWavelets on one sample: asking it is
    # exact for every mode and odd size, and costs microseconds.
    shapes = [b.shape[1:] for b in _decompose(np.zeros((1, *input_shape)), wavelet, level, mode)]
    if len(input_shape) == 2:
        names = [("aa", level)] + [(n, j) for j in range(level, 0, -1) for n in ("da", "ad", "dd")]
    else:
        names = [("a", level)] + [("d", j) for j in range(level, 0, -1)]
    bands, start = [], 0
    for (name, j), shape in zip(names, shapes):
        stop = start + int(np.prod(shape))
        bands.append(Band(j, name, tuple(int(s) for s in shape), start, stop))
        start = stop
    return bands


def _check_batch(X):
    X = np.asarray(X)
    if X.ndim not in (2, 3):
        raise ValueError(
            "X must have shape (n_samples, height, width) for images or "
            f"(n_samples, length) for signals; got shape {X.shape}."
        )
    if not np.issubdtype(X.dtype, np.floating):
        X = X.astype(np.float64)
    return X


def wavelet_transform(X: ArrayLike, wavelet: str = "db2", level: int | None = None,
                      mode: str = "periodization", *, bands: list[Band] | None = None,
                      batch_size: int | None = None, n_jobs: int | None = None,
                      verbose: int = 0) -> np.ndarray:
    """Multilevel DWT of every sample, flattened to one row per sample.

    Parameters
    ----------
    X : array-like of shape (n_samples, height, width) or (n_samples, length)
        Images, or 1-D signals. float32 input gives float32 coefficients.
    wavelet : str, default="db2"
        Any discrete wavelet of PyWavelets (``pywt.wavelist(kind="discrete")``).
    level : int or None, default=None
        Number of levels; None is the deepest allowed, :func:`max_wavelet_level`.
    mode : str, default="periodization"
        PyWavelets signal extension mode. ``"periodization"`` with an orthogonal
        wavelet gives exactly one coefficient per pixel and preserves energy.
    bands : list of Band or None, default=None
        The layout from :func:`wavelet_layout` for these inputs, wavelet,
        level and mode, when the caller already has it (the estimator builds
        it once in ``fit``); computed here when None.
    batch_size : int or None, default=None
        Samples per chunk (None: from scikit-learn's ``working_memory``).
    n_jobs : int or None, default=None
        Threads over chunks.
    verbose : int, default=0
        Progress lines on stderr (samples done, rate, time left) when > 0.

    Returns
    -------
    coefs : ndarray of shape (n_samples, n_coefficients)
        Bands in the order of :func:`wavelet_layout`.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_sparsecode import wavelet_transform
    >>> X = np.arange(2 * 8 * 8, dtype=np.float64).reshape(2, 8, 8)
    >>> wavelet_transform(X, "haar", level=2).shape
    (2, 64)
    """
    X = _check_batch(X)
    if bands is None:
        bands = wavelet_layout(X.shape[1:], wavelet, level, mode)
    level = bands[0].level

    def transform_chunk(chunk, out):
        for band, coef in zip(bands, _decompose(chunk, wavelet, level, mode)):
            out[:, band.start:band.stop] = coef.reshape(len(chunk), -1)

    return map_in_batches(
        transform_chunk, X, bands[-1].stop, X.dtype, batch_size=batch_size, n_jobs=n_jobs,
        verbose=verbose, label="wavelet_transform",
    )


def inverse_wavelet_transform(coefs: ArrayLike, input_shape: tuple[int, ...],
                              wavelet: str = "db2", level: int | None = None,
                              mode: str = "periodization", *,
                              bands: list[Band] | None = None,
                              batch_size: int | None = None,
                              n_jobs: int | None = None) -> np.ndarray:
    """Reconstruct samples from the output of :func:`wavelet_transform`.

    Parameters are those of :func:`wavelet_transform`. Returns an array of
    shape ``(n_samples, *input_shape)``.
    """
    coefs = _check_batch(coefs)
    input_shape = tuple(input_shape)
    if bands is None:
        bands = wavelet_layout(input_shape, wavelet, level, mode)
    if coefs.ndim != 2 or coefs.shape[1] != bands[-1].stop:
        raise ValueError(
            f"Expected coefficients of shape (n_samples, {bands[-1].stop}) for "
            f"{input_shape} inputs; got {coefs.shape}."
        )
    n_pixels = int(np.prod(input_shape))
    crop = tuple(slice(0, s) for s in input_shape)

    def reconstruct_chunk(chunk, out):
        arrays = [chunk[:, b.start:b.stop].reshape(len(chunk), *b.shape) for b in bands]
        if len(input_shape) == 2:
            details = [tuple(arrays[i:i + 3]) for i in range(1, len(arrays), 3)]
            images = pywt.waverec2([arrays[0], *details], wavelet, mode=mode, axes=(-2, -1))
        else:
            images = pywt.waverec(arrays, wavelet, mode=mode, axis=-1)
        # Odd sizes come back one sample larger; the extra row/column is padding.
        out[:] = images[(slice(None), *crop)].reshape(len(chunk), n_pixels)

    flat = map_in_batches(
        reconstruct_chunk, coefs, n_pixels, coefs.dtype, batch_size=batch_size, n_jobs=n_jobs
    )
    return flat.reshape(len(coefs), *input_shape)


class WaveletTransformer(MultiscaleTransformMixin, TransformerMixin, BaseEstimator):
    """Multilevel discrete wavelet transform as a scikit-learn transformer.

    The first, fixed layer of a two-layer model: each image (or 1-D signal) is
    mapped to all its wavelet coefficients, flattened into one row. Follow it
    with :class:`ThresholdTransformer` to get a sparse code, then a linear model.

    Parameters
    ----------
    wavelet : str, default="db2"
        Any discrete wavelet of PyWavelets, e.g. ``"haar"``, ``"db4"``,
        ``"sym8"``, ``"bior2.2"`` (``pywt.wavelist(kind="discrete")``).
        All but ``"dmey"`` are perfectly reconstructing; ``"dmey"`` is
        PyWavelets' FIR approximation of the Meyer wavelet and inverts only to
        about 1e-3.
    level : int or None, default=None
        Number of decomposition levels, from 1 to :func:`max_wavelet_level`
        (PyWavelets' maximum useful level of the shortest side); None takes
        that maximum. A deeper level is an error.
    mode : str, default="periodization"
        PyWavelets extension mode (``pywt.Modes.modes``). With
        ``"periodization"`` and an orthogonal wavelet the transform is
        orthonormal: as many coefficients as pixels, energy preserved. Other
        modes give slightly more coefficients than pixels.
    image_shape : tuple (height, width) or None, default=None
        Shape of the images when X is 2-D with one flattened image per row.
        With None, 3-D X is a batch of images and 2-D X a batch of 1-D signals.
    batch_size : int or None, default=None
        Samples transformed at once; None sizes chunks from scikit-learn's
        ``working_memory`` so memory stays bounded on large inputs.
    n_jobs : int or None, default=None
        Threads over chunks (None means 1). Results do not depend on it.
    verbose : int, default=0
        Progress lines on stderr during ``transform`` when > 0.

    Attributes
    ----------
    n_features_in_ : int
        Values per sample seen in ``fit`` (pixels per image).
    feature_names_in_ : ndarray of str
        Names of features seen during ``fit``, when X is a data frame with
        string column names.
    input_shape_ : tuple of int
        Shape of one sample: ``(height, width)`` or ``(length,)``.
    level_ : int
        The number of levels used.
    bands_ : list of Band
        Layout of the output columns: ``bands_[i].level``, ``.name``,
        ``.shape`` and the columns ``.start:.stop`` of each band, coarse to fine.

    See Also
    --------
    wavelet_transform : The function this estimator wraps.
    ThresholdTransformer : The non-linearity of the two-layer model.

    Notes
    -----
    The transform does not learn from the data: ``fit`` only records the input
    shape and builds the layout. In a grid search over later steps, use
    ``Pipeline(memory=...)`` so that it is computed once per split.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_sparsecode import WaveletTransformer
    >>> X = np.random.default_rng(0).normal(size=(4, 16, 16))
    >>> wt = WaveletTransformer("db2", level=2).fit(X)
    >>> C = wt.transform(X)
    >>> C.shape
    (4, 256)
    >>> [(b.level, b.name, b.shape) for b in wt.bands_[:2]]
    [(2, 'aa', (4, 4)), (2, 'da', (4, 4))]
    >>> bool(np.allclose(wt.inverse_transform(C), X))
    True
    """

    _parameter_constraints: dict = {
        "wavelet": [StrOptions(WAVELET_NAMES)],
        "level": [Interval(Integral, 1, None, closed="left"), None],
        "mode": [StrOptions(SIGNAL_MODES)],
        "image_shape": ["array-like", None],
        "batch_size": [Interval(Integral, 1, None, closed="left"), None],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
    }

    def __init__(self, wavelet="db2", level=None, mode="periodization", image_shape=None,
                 batch_size=None, n_jobs=None, verbose=0):
        self.wavelet = wavelet
        self.level = level
        self.mode = mode
        self.image_shape = image_shape
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: ArrayLike, y: None = None) -> "WaveletTransformer":
        """Record the input shape and build the coefficient layout.

        Parameters
        ----------
        X : array-like of shape (n_samples, height, width) or (n_samples, n_features)
            Training images or signals.
        y : None
            Ignored.

        Returns
        -------
        self : WaveletTransformer
        """
        validate_images(self, X, reset=True, image_shape=self.image_shape, reshape=False)
        self.bands_ = wavelet_layout(self.input_shape_, self.wavelet, self.level, self.mode)
        self.level_ = self.bands_[0].level
        return self

    def transform(self, X: ArrayLike) -> np.ndarray:
        """Wavelet coefficients of each sample, one row per sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, height, width) or (n_samples, n_features)

        Returns
        -------
        coefs : ndarray of shape (n_samples, n_coefficients)
            float32 for float32 input, float64 otherwise.
        """
        check_is_fitted(self)
        X = validate_images(self, X, reset=False)
        return self._transform_images(X, n_jobs=self.n_jobs, verbose=self.verbose)

    def _transform_images(self, X, n_jobs, verbose):
        """The transform of already validated ``(n_samples, *input_shape_)`` input."""
        return wavelet_transform(X, self.wavelet, self.level_, self.mode, bands=self.bands_,
                                 batch_size=self.batch_size, n_jobs=n_jobs, verbose=verbose)

    def inverse_transform(self, X: ArrayLike) -> np.ndarray:
        """Reconstruct the inputs from their coefficients.

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
        images = inverse_wavelet_transform(coefs, self.input_shape_, self.wavelet, self.level_,
                                           self.mode, bands=self.bands_,
                                           batch_size=self.batch_size, n_jobs=self.n_jobs)
        if self.image_shape is None and len(self.input_shape_) == 2:
            return images
        return images.reshape(len(images), -1)

    def get_feature_names_out(self, input_features: ArrayLike | None = None) -> np.ndarray:
        """Names of the output columns, e.g. ``db2_L1_dd_3_4``.

        ``{wavelet}_L{level}_{band}_{row}_{col}`` for images and
        ``{wavelet}_L{level}_{band}_{index}`` for signals.

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
        names = []
        for band in self.bands_:
            prefix = f"{self.wavelet}_L{band.level}_{band.name}"
            names.extend(f"{prefix}_" + "_".join(map(str, idx)) for idx in np.ndindex(*band.shape))
        return np.asarray(names, dtype=object)
