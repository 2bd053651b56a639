"""Multilevel discrete wavelet transform of image (or signal) batches.

The math is PyWavelets' ``wavedec2``/``wavedec``, run on whole chunks of samples
at once (no Python loop per image). This module adds the flat, fixed-length
coefficient layout that a scikit-learn pipeline needs, and its inverse.

Layout of the flattened coefficients (stable, documented in :class:`Band`):
coarse to fine, as PyWavelets orders them. For images, the approximation
``aa`` at the coarsest level, then for each level from coarsest to finest the
details ``da`` (PyWavelets' cH, high-pass along rows axis 0), ``ad`` (cV) and
``dd`` (cD). For 1-D signals, ``a`` then ``d`` per level. Each band is
flattened in C (row-major) order. ``Band.scale`` is PyWavelets' level
(1 = finest).
"""

# Annotations stay strings: help() shows `X: ArrayLike`, not numpy's expanded union.
from __future__ import annotations

import difflib
import warnings
from dataclasses import dataclass
from numbers import Integral

import numpy as np
import pywt
from numpy.typing import ArrayLike
from sklearn.utils._param_validation import StrOptions, validate_params

from .._core.bands import stack_bands
from .._core.base import resolve_plan, run_forward, run_inverse
from .._core.validation import BATCH_SIZE, N_JOBS, VERBOSE, ImageShape, Interval, check_batch

WAVELET_NAMES = frozenset(pywt.wavelist(kind="discrete"))
SIGNAL_MODES = frozenset(pywt.Modes.modes)

# The parameters the functions and the estimator share, checked the same way.
WAVELET_CONSTRAINTS = {
    "wavelet": [str, pywt.Wavelet],
    "n_scales": [Interval(Integral, 1, None, closed="left"), None],
    "mode": [StrOptions(SIGNAL_MODES)],
}
SAMPLE_SHAPE = [ImageShape(signals=True)]


def check_wavelet(wavelet, caller="plan_wavelets"):
    """A discrete PyWavelets wavelet from a name or a ``pywt.Wavelet``.

    An unknown name gets the closest names in the message (``"db22"`` →
    ``"db2"``, ``"db20"``); a continuous wavelet (``"morl"``) is pointed out as
    one.
    """
    if isinstance(wavelet, pywt.Wavelet):
        return wavelet
    if wavelet in WAVELET_NAMES:
        return pywt.Wavelet(wavelet)
    if wavelet in pywt.wavelist(kind="continuous"):
        hint = " It is a continuous wavelet; the DWT needs a discrete one."
    else:
        close = difflib.get_close_matches(str(wavelet), sorted(WAVELET_NAMES), n=3)
        hint = f" Did you mean {' or '.join(map(repr, close))}?" if close else ""
    raise ValueError(
        f"The 'wavelet' parameter of {caller} must be a discrete wavelet of PyWavelets "
        f"(pywt.wavelist(kind='discrete'), e.g. 'haar', 'db2', 'sym8', 'bior2.2') or a "
        f"pywt.Wavelet; got {wavelet!r}.{hint}")


@validate_params({"image_shape": SAMPLE_SHAPE, "wavelet": WAVELET_CONSTRAINTS["wavelet"]},
                 prefer_skip_nested_validation=True)
def max_n_scales(image_shape: tuple[int, ...], wavelet: str | pywt.Wavelet) -> int:
    """Deepest number of scales (levels) allowed for samples of ``image_shape``.

    This is PyWavelets' "maximum useful level" (:func:`pywt.dwt_max_level`) of
    the shortest side, where coefficients of the coarsest level are not all
    boundary-affected; but at least 1, so that short signals still get one
    level (with boundary effects) rather than no transform at all.

    Parameters
    ----------
    image_shape : tuple of int
        ``(height, width)`` for images, ``(length,)`` for signals.
    wavelet : str or pywt.Wavelet

    Returns
    -------
    n_scales : int

    Examples
    --------
    >>> from sklearn_sparsecode.wavelets import max_n_scales
    >>> max_n_scales((28, 28), "db2")
    3
    """
    filter_len = check_wavelet(wavelet, "max_n_scales").dec_len
    return max(1, pywt.dwt_max_level(min(image_shape), filter_len))


def _resolve_n_scales(n_scales, image_shape, wavelet):
    deepest = max_n_scales(image_shape, wavelet)
    if n_scales is None:
        return deepest
    if n_scales > deepest:
        kind = "images" if len(image_shape) == 2 else "signals"
        size = "x".join(map(str, image_shape))
        raise ValueError(
            f"n_scales={n_scales} is too deep for {size} {kind} with wavelet "
            f"{wavelet.name!r}: the maximum is {deepest} (pywt.dwt_max_level of the "
            f"shortest side, {min(image_shape)}, for a filter of length "
            f"{wavelet.dec_len}). Use fewer scales or larger inputs."
        )
    return int(n_scales)


def _decompose(X, wavelet, n_scales, mode):
    """Bands of a batch ``X`` of shape (n, h, w) or (n, length), in layout order."""
    with warnings.catch_warnings():
        if n_scales > pywt.dwt_max_level(min(X.shape[1:]), wavelet.dec_len):
            # Only for inputs shorter than the filter, where _resolve_n_scales
            # allows one level on purpose; PyWavelets warns about boundary effects.
            warnings.simplefilter("ignore", UserWarning)
        if X.ndim == 3:
            approx, *details = pywt.wavedec2(X, wavelet, mode=mode, level=n_scales,
                                             axes=(-2, -1))
            return [approx, *(band for triple in details for band in triple)]
        return pywt.wavedec(X, wavelet, mode=mode, level=n_scales, axis=-1)


@dataclass(frozen=True)
class WaveletPlan:
    """What a wavelet transform of one sample shape needs: its parameters and layout.

    Attributes
    ----------
    image_shape : tuple of int
        ``(height, width)``, or ``(length,)`` for signals.
    wavelet : pywt.Wavelet
    n_scales : int
    mode : str
    bands : list of Band
        The output layout, coarse to fine.
    """

    image_shape: tuple
    wavelet: pywt.Wavelet
    n_scales: int
    mode: str
    bands: list


@validate_params({"image_shape": SAMPLE_SHAPE, **WAVELET_CONSTRAINTS},
                 prefer_skip_nested_validation=True)
def plan_wavelets(image_shape: tuple[int, ...], *, wavelet: str | pywt.Wavelet = "db2",
                  n_scales: int | None = None, mode: str = "periodization") -> WaveletPlan:
    """The wavelet, number of scales, mode and output layout of a wavelet transform.

    Parameters
    ----------
    image_shape : tuple of int
        ``(height, width)`` for images, ``(length,)`` for signals.
    wavelet : str or pywt.Wavelet, default="db2"
        Any discrete wavelet of PyWavelets (``pywt.wavelist(kind="discrete")``).
    n_scales : int or None, default=None
        Number of levels; None is the deepest allowed, :func:`max_n_scales`.
    mode : str, default="periodization"
        PyWavelets signal extension mode. ``"periodization"`` with an orthogonal
        wavelet gives exactly one coefficient per pixel and preserves energy.

    Returns
    -------
    plan : WaveletPlan
        ``plan.bands`` is the output layout (``scale`` is the PyWavelets level,
        1 = finest).

    Examples
    --------
    >>> from sklearn_sparsecode.wavelets import plan_wavelets
    >>> plan = plan_wavelets((8, 8), wavelet="haar", n_scales=1)
    >>> [(b.level, b.name, b.shape) for b in plan.bands]
    [(1, 'aa', (4, 4)), (1, 'da', (4, 4)), (1, 'ad', (4, 4)), (1, 'dd', (4, 4))]
    """
    image_shape = tuple(int(s) for s in image_shape)
    wavelet = check_wavelet(wavelet)
    n_scales = _resolve_n_scales(n_scales, image_shape, wavelet)
    # The band shapes are those of PyWavelets on one sample: asking it is
    # exact for every mode and odd size, and costs microseconds.
    shapes = [b.shape[1:]
              for b in _decompose(np.zeros((1, *image_shape)), wavelet, n_scales, mode)]
    if len(image_shape) == 2:
        names = [("aa", n_scales)] + [(n, j) for j in range(n_scales, 0, -1)
                                      for n in ("da", "ad", "dd")]
    else:
        names = [("a", n_scales)] + [("d", j) for j in range(n_scales, 0, -1)]
    bands = stack_bands(
        dict(scale=j, name=name, shape=tuple(int(s) for s in shape), lowpass=set(name) == {"a"},
             prefix=f"{wavelet.name}_L{j}_{name}", scale_label="level")
        for (name, j), shape in zip(names, shapes))
    return WaveletPlan(image_shape, wavelet, n_scales, mode, bands)


def _forward_chunk(plan, chunk, out):
    for band, coef in zip(plan.bands, _decompose(chunk, plan.wavelet, plan.n_scales, plan.mode)):
        out[:, band.start:band.stop] = coef.reshape(len(chunk), -1)


def _inverse_chunk(plan, chunk, out):
    arrays = [chunk[:, b.start:b.stop].reshape(len(chunk), *b.shape) for b in plan.bands]
    if len(plan.image_shape) == 2:
        details = [tuple(arrays[i:i + 3]) for i in range(1, len(arrays), 3)]
        samples = pywt.waverec2([arrays[0], *details], plan.wavelet, mode=plan.mode,
                                axes=(-2, -1))
    else:
        samples = pywt.waverec(arrays, plan.wavelet, mode=plan.mode, axis=-1)
    # Odd sizes come back one sample larger; the extra row/column is padding.
    crop = tuple(slice(0, s) for s in plan.image_shape)
    out[:] = samples[(slice(None), *crop)].reshape(len(chunk), -1)


@validate_params({"images": ["array-like"], "plan": [WaveletPlan, None],
                  "batch_size": BATCH_SIZE, "n_jobs": N_JOBS, "verbose": VERBOSE},
                 # plan_params are checked by the plan function, which must not be skipped.
                 prefer_skip_nested_validation=False)
def wavelet_transform(images: ArrayLike, *, plan: WaveletPlan | None = None,
                      batch_size: int | None = None, n_jobs: int | None = None,
                      verbose: int = 0, **plan_params) -> np.ndarray:
    """Multilevel DWT of every sample, flattened to one row per sample.

    Parameters
    ----------
    images : array-like of shape (n_samples, height, width) or (n_samples, length)
        Images, or 1-D signals. float32 input gives float32 coefficients,
        anything else float64 (converted chunk by chunk).
    plan : WaveletPlan or None, default=None
        From :func:`plan_wavelets`; None builds one from ``plan_params``.
    batch_size : int or None, default=None
        Samples per chunk (None: from scikit-learn's ``working_memory``).
    n_jobs : int or None, default=None
        Threads over chunks.
    verbose : int, default=0
        Progress lines on stderr (samples done, rate, time left) when > 0.
    **plan_params
        ``wavelet``, ``n_scales``, ``mode``: the parameters of
        :func:`plan_wavelets`, when no plan is given (with a plan they are an error).

    Returns
    -------
    coefs : ndarray of shape (n_samples, n_coefficients)
        Bands in the order of ``plan.bands``.

    See Also
    --------
    WaveletTransformer : The estimator around this function.

    References
    ----------
    .. [1] S. Mallat, "A theory for multiresolution signal decomposition: the
       wavelet representation", IEEE Trans. PAMI 11(7), 1989.
    .. [2] G. Lee et al., "PyWavelets: A Python package for wavelet analysis",
       JOSS 4(36), 2019.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_sparsecode.wavelets import wavelet_transform
    >>> X = np.arange(2 * 8 * 8, dtype=np.float64).reshape(2, 8, 8)
    >>> wavelet_transform(X, wavelet="haar", n_scales=2).shape
    (2, 64)
    """
    X = check_batch(images, name="wavelet_transform")
    plan = resolve_plan(plan, WaveletPlan, plan_wavelets, X.shape[1:], plan_params,
                        "wavelet_transform")
    return run_forward(_forward_chunk, plan, X, plan.bands[-1].stop, batch_size=batch_size,
                       n_jobs=n_jobs, verbose=verbose, label="wavelet_transform")


@validate_params({"coefs": ["array-like"], "plan": [WaveletPlan], "batch_size": BATCH_SIZE,
                  "n_jobs": N_JOBS}, prefer_skip_nested_validation=True)
def inverse_wavelet_transform(coefs: ArrayLike, *, plan: WaveletPlan,
                              batch_size: int | None = None,
                              n_jobs: int | None = None) -> np.ndarray:
    """Reconstruct samples from the output of :func:`wavelet_transform`.

    Parameters
    ----------
    coefs : array-like of shape (n_samples, n_coefficients)
    plan : WaveletPlan
        The plan of the forward transform.
    batch_size, n_jobs :
        As in :func:`wavelet_transform`.

    Returns
    -------
    samples : ndarray of shape (n_samples, *plan.image_shape)

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_sparsecode.wavelets import (inverse_wavelet_transform, plan_wavelets,
    ...                                          wavelet_transform)
    >>> X = np.random.default_rng(0).normal(size=(2, 8, 8))
    >>> plan = plan_wavelets((8, 8), wavelet="db2", n_scales=1)
    >>> C = wavelet_transform(X, plan=plan)
    >>> bool(np.allclose(inverse_wavelet_transform(C, plan=plan), X))
    True
    """
    return run_inverse(_inverse_chunk, plan, coefs, name="inverse_wavelet_transform",
                       plan_type=WaveletPlan, batch_size=batch_size, n_jobs=n_jobs)
