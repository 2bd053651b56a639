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

from .._core.bands import Band, stack_bands
from .._core.base import run_forward
from .._core.validation import BATCH_SIZE, N_JOBS, VERBOSE, Interval, check_batch

WAVELET_NAMES = frozenset(pywt.wavelist(kind="discrete"))
SIGNAL_MODES = frozenset(pywt.Modes.modes)

# The parameters the functions and the estimator share, checked the same way.
WAVELET_CONSTRAINTS = {
    "wavelet": [str, pywt.Wavelet],
    "level": [Interval(Integral, 1, None, closed="left"), None],
    "mode": [StrOptions(SIGNAL_MODES)],
}


def check_wavelet(wavelet, caller="wavelet_transform"):
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


def _check_input_shape(input_shape, name="input_shape"):
    """A sample shape: a tuple of one or two positive ints (not bools, not floats)."""
    shape = tuple(input_shape) if np.ndim(input_shape) == 1 else None
    if not shape or len(shape) > 2 or not all(
            isinstance(s, Integral) and not isinstance(s, bool) and s >= 1 for s in shape):
        raise ValueError(f"{name} must be (height, width) for images or (length,) for "
                         f"signals, with positive integers; got {input_shape!r}.")
    return tuple(int(s) for s in shape)


@validate_params({"input_shape": ["array-like"], "wavelet": WAVELET_CONSTRAINTS["wavelet"]},
                 prefer_skip_nested_validation=True)
def max_wavelet_level(input_shape: tuple[int, ...], wavelet: str | pywt.Wavelet) -> int:
    """Deepest decomposition level allowed for samples of ``input_shape``.

    This is PyWavelets' "maximum useful level" (:func:`pywt.dwt_max_level`) of
    the shortest side, where coefficients of the coarsest level are not all
    boundary-affected; but at least 1, so that short signals still get one
    level (with boundary effects) rather than no transform at all.

    Examples
    --------
    >>> from sklearn_sparsecode import max_wavelet_level
    >>> max_wavelet_level((28, 28), "db2")
    3
    """
    input_shape = _check_input_shape(input_shape)
    filter_len = check_wavelet(wavelet, "max_wavelet_level").dec_len
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
            f"{wavelet.name!r}: the maximum is {deepest} (pywt.dwt_max_level of the "
            f"shortest side, {min(input_shape)}, for a filter of length "
            f"{wavelet.dec_len}). Use a smaller level or larger inputs."
        )
    return int(level)


def _decompose(X, wavelet, level, mode):
    """Bands of a batch ``X`` of shape (n, h, w) or (n, length), in layout order."""
    with warnings.catch_warnings():
        if level > pywt.dwt_max_level(min(X.shape[1:]), wavelet.dec_len):
            # Only for inputs shorter than the filter, where _resolve_level
            # allows one level on purpose; PyWavelets warns about boundary effects.
            warnings.simplefilter("ignore", UserWarning)
        if X.ndim == 3:
            approx, *details = pywt.wavedec2(X, wavelet, mode=mode, level=level, axes=(-2, -1))
            return [approx, *(band for triple in details for band in triple)]
        return pywt.wavedec(X, wavelet, mode=mode, level=level, axis=-1)


@dataclass(frozen=True)
class WaveletPlan:
    """What a wavelet transform of one input shape needs: its parameters and layout."""

    input_shape: tuple
    wavelet: pywt.Wavelet
    level: int
    mode: str
    bands: list


def _plan_wavelets(input_shape, wavelet, level, mode):
    input_shape = _check_input_shape(input_shape)
    wavelet = check_wavelet(wavelet)
    level = _resolve_level(level, input_shape, wavelet)
    # The band shapes are those of PyWavelets on one sample: asking it is
    # exact for every mode and odd size, and costs microseconds.
    shapes = [b.shape[1:] for b in _decompose(np.zeros((1, *input_shape)), wavelet, level, mode)]
    if len(input_shape) == 2:
        names = [("aa", level)] + [(n, j) for j in range(level, 0, -1) for n in ("da", "ad", "dd")]
    else:
        names = [("a", level)] + [("d", j) for j in range(level, 0, -1)]
    bands = stack_bands(
        dict(scale=j, name=name, shape=tuple(int(s) for s in shape), lowpass=set(name) == {"a"},
             prefix=f"{wavelet.name}_L{j}_{name}", scale_label="level")
        for (name, j), shape in zip(names, shapes))
    return WaveletPlan(input_shape, wavelet, level, mode, bands)


def _checked_plan(input_shape, wavelet, level, mode, bands):
    """The plan of these parameters; a caller's ``bands`` must be its layout.

    The layout costs microseconds to build, so a given ``bands`` is checked
    rather than trusted: a stale one would scatter coefficients silently.
    """
    plan = _plan_wavelets(input_shape, wavelet, level, mode)
    if bands is not None and [tuple(b) for b in bands] != [tuple(b) for b in plan.bands]:
        raise ValueError("bands does not describe this transform; pass the output of "
                         "wavelet_layout for the same input shape, wavelet, level and mode.")
    return plan


def _forward_chunk(plan, chunk, out):
    for band, coef in zip(plan.bands, _decompose(chunk, plan.wavelet, plan.level, plan.mode)):
        out[:, band.start:band.stop] = coef.reshape(len(chunk), -1)


def _inverse_chunk(plan, chunk, out):
    arrays = [chunk[:, b.start:b.stop].reshape(len(chunk), *b.shape) for b in plan.bands]
    if len(plan.input_shape) == 2:
        details = [tuple(arrays[i:i + 3]) for i in range(1, len(arrays), 3)]
        samples = pywt.waverec2([arrays[0], *details], plan.wavelet, mode=plan.mode,
                                axes=(-2, -1))
    else:
        samples = pywt.waverec(arrays, plan.wavelet, mode=plan.mode, axis=-1)
    # Odd sizes come back one sample larger; the extra row/column is padding.
    crop = tuple(slice(0, s) for s in plan.input_shape)
    out[:] = samples[(slice(None), *crop)].reshape(len(chunk), -1)


@validate_params({"input_shape": ["array-like"], **WAVELET_CONSTRAINTS},
                 prefer_skip_nested_validation=True)
def wavelet_layout(input_shape: tuple[int, ...], wavelet: str | pywt.Wavelet = "db2",
                   level: int | None = None, mode: str = "periodization") -> list[Band]:
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
        Coarse to fine; ``scale`` is the PyWavelets level (1 = finest).

    Examples
    --------
    >>> from sklearn_sparsecode import wavelet_layout
    >>> [(b.level, b.name, b.shape) for b in wavelet_layout((8, 8), "haar", level=1)]
    [(1, 'aa', (4, 4)), (1, 'da', (4, 4)), (1, 'ad', (4, 4)), (1, 'dd', (4, 4))]
    """
    return _plan_wavelets(input_shape, wavelet, level, mode).bands


_FUNCTION_CONSTRAINTS = {"X": ["array-like"], **WAVELET_CONSTRAINTS, "bands": [list, None],
                         "batch_size": BATCH_SIZE, "n_jobs": N_JOBS}


@validate_params({**_FUNCTION_CONSTRAINTS, "verbose": VERBOSE},
                 prefer_skip_nested_validation=True)
def wavelet_transform(X: ArrayLike, wavelet: str | pywt.Wavelet = "db2",
                      level: int | None = None, mode: str = "periodization", *,
                      bands: list[Band] | None = None, batch_size: int | None = None,
                      n_jobs: int | None = None, verbose: int = 0) -> np.ndarray:
    """Multilevel DWT of every sample, flattened to one row per sample.

    Parameters
    ----------
    X : array-like of shape (n_samples, height, width) or (n_samples, length)
        Images, or 1-D signals. float32 input gives float32 coefficients,
        anything else float64 (converted chunk by chunk).
    wavelet : str or pywt.Wavelet, default="db2"
        Any discrete wavelet of PyWavelets (``pywt.wavelist(kind="discrete")``).
    level : int or None, default=None
        Number of levels; None is the deepest allowed, :func:`max_wavelet_level`.
    mode : str, default="periodization"
        PyWavelets signal extension mode. ``"periodization"`` with an orthogonal
        wavelet gives exactly one coefficient per pixel and preserves energy.
    bands : list of Band or None, default=None
        The layout from :func:`wavelet_layout` for these inputs, wavelet,
        level and mode, when the caller has it: it is checked against them
        (a mismatch is a ValueError). None builds it here.
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
    >>> from sklearn_sparsecode import wavelet_transform
    >>> X = np.arange(2 * 8 * 8, dtype=np.float64).reshape(2, 8, 8)
    >>> wavelet_transform(X, "haar", level=2).shape
    (2, 64)
    """
    X = check_batch(X, name="wavelet_transform")
    plan = _checked_plan(X.shape[1:], wavelet, level, mode, bands)
    return run_forward(_forward_chunk, plan, X, plan.bands[-1].stop, batch_size=batch_size,
                       n_jobs=n_jobs, verbose=verbose, label="wavelet_transform")


@validate_params({**_FUNCTION_CONSTRAINTS, "coefs": ["array-like"],
                  "input_shape": ["array-like"]}, prefer_skip_nested_validation=True)
def inverse_wavelet_transform(coefs: ArrayLike, input_shape: tuple[int, ...],
                              wavelet: str | pywt.Wavelet = "db2", level: int | None = None,
                              mode: str = "periodization", *,
                              bands: list[Band] | None = None,
                              batch_size: int | None = None,
                              n_jobs: int | None = None) -> np.ndarray:
    """Reconstruct samples from the output of :func:`wavelet_transform`.

    Parameters
    ----------
    coefs : array-like of shape (n_samples, n_coefficients)
    input_shape : tuple of int
        Shape of one sample, as given to :func:`wavelet_transform`.
    wavelet, level, mode, bands, batch_size, n_jobs :
        As in :func:`wavelet_transform`.

    Returns
    -------
    X : ndarray of shape (n_samples, *input_shape)

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_sparsecode import inverse_wavelet_transform, wavelet_transform
    >>> X = np.random.default_rng(0).normal(size=(2, 8, 8))
    >>> C = wavelet_transform(X, "db2", level=1)
    >>> bool(np.allclose(inverse_wavelet_transform(C, (8, 8), "db2", level=1), X))
    True
    """
    coefs = check_batch(coefs, name="inverse_wavelet_transform", ndims=(2,))
    plan = _checked_plan(input_shape, wavelet, level, mode, bands)
    if coefs.shape[1] != plan.bands[-1].stop:
        raise ValueError(
            f"Expected coefficients of shape (n_samples, {plan.bands[-1].stop}) for "
            f"{plan.input_shape} inputs; got {coefs.shape}."
        )
    flat = run_forward(_inverse_chunk, plan, coefs, int(np.prod(plan.input_shape)),
                       batch_size=batch_size, n_jobs=n_jobs)
    return flat.reshape(len(coefs), *plan.input_shape)
