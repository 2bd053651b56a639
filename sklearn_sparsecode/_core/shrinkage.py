"""The threshold rules σ(x; τ) and the robust noise constant: the one copy.

Three shrinkage rules, written as a gain g applied to a coefficient of
magnitude m (σ(x) = g(m) · x, with m = |x|, or the joint modulus of a complex
band's two halves):

* ``"hard"``: g = 1{m > τ} (keeps entries strictly above τ; PyWavelets'
  ``pywt.threshold`` keeps m ≥ τ: the two differ only on exact ties);
* ``"soft"``: g = max(1 − τ/m, 0), i.e. sign(x) · max(|x| − τ, 0);
* ``"garrote"``: g = max(1 − τ²/m², 0), i.e. (x − τ²/x) · 1{|x| > τ}
  (the non-negative garrote, Breiman 1995; Gao 1998).

:func:`shrink_into` applies a rule to real arrays in place with exact
arithmetic (soft as x − clip(x, −τ, τ), garrote as x − τ·(τ/x), which cannot
overflow); :func:`shrinkage_gain` gives g for any magnitudes (complex or
jointly thresholded coefficients). ``ThresholdTransformer``, ``threshold``
and the denoising functions all use these two.

``MAD_TO_SIGMA`` is Φ⁻¹(3/4) = median(|N(0, 1)|): σ̂ = median(|d|) / MAD_TO_SIGMA
for Gaussian noise d (Donoho & Johnstone 1994).
"""

import numpy as np

SHRINKAGES = ("hard", "soft", "garrote")

# Φ⁻¹(3/4), written out (scipy.stats.norm.ppf(0.75)); the literature rounds it to 0.6745.
MAD_TO_SIGMA = 0.6744897501960817


def robust_sigma(values, axis=None):
    """σ̂ = median(|values|) / Φ⁻¹(3/4): the noise level of mostly-noise values."""
    return np.median(np.abs(values), axis=axis) / MAD_TO_SIGMA


def tau_in_dtype(tau, dtype):
    """The largest value of ``dtype`` that is <= τ.

    For x of that dtype, |x| > τ (compared exactly, as in float64) holds exactly
    when |x| > this value, so float32 and float64 input with the same values keep
    the same entries. Rounding τ to the nearest float32 instead would keep or drop
    entries lying between τ and its rounding.
    """
    dtype = np.dtype(dtype)
    with np.errstate(over="ignore"):  # τ beyond the dtype's range: inf, then its max
        t = dtype.type(tau)
    if float(t) > tau:
        t = np.nextafter(t, dtype.type(-np.inf))
    return t


def shrink_into(X, out, tau, shrinkage, keep=None):
    """Write σ(X; τ) into ``out`` (same shape as X; may be X itself for soft/hard).

    Parameters
    ----------
    X : ndarray, real
    out : ndarray like X
    tau : scalar or ndarray broadcastable to X
        The threshold, already in X's dtype for exact comparisons
        (:func:`tau_in_dtype`).
    shrinkage : {"hard", "soft", "garrote"}
    keep : ndarray of bool or None
        Entries to keep (they must satisfy |x| > τ); None is |X| > τ. Soft
        thresholding does not need it.
    """
    if shrinkage == "soft":
        # x − clip(x, −τ, τ) == sign(x)·max(|x| − τ, 0), in two passes. Entries not
        # in ``keep`` (top-k) have |x| <= τ already, so no mask is needed.
        np.clip(X, -tau, tau, out=out)
        np.subtract(X, out, out=out)
        return out
    if keep is None:
        keep = np.abs(X) > tau
    if shrinkage == "hard":
        # fill + masked copy rather than X * keep, which would give -0.0.
        out.fill(0)
        np.copyto(out, X, where=keep)
        return out
    if shrinkage != "garrote":
        raise ValueError(f"shrinkage must be one of {SHRINKAGES}; got {shrinkage!r}.")
    # As x − τ·(τ/x): |τ/x| < 1 where kept, so nothing overflows (τ² does for
    # τ > 1.8e19 in float32 or 1.3e154 in float64, giving ∓inf).
    tau = np.broadcast_to(tau, X.shape)
    ratio = np.zeros_like(X)
    np.divide(tau, X, out=ratio, where=keep)
    np.multiply(ratio, tau, out=ratio, where=keep)
    out.fill(0)
    np.subtract(X, ratio, out=out, where=keep)
    return out


def shrinkage_gain(magnitude, tau, shrinkage):
    """The gain g(m; τ) of a rule, for magnitudes m >= 0 (σ(x) = g(|x|)·x).

    For a complex coefficient z, g(|z|)·z shrinks its modulus by the rule and
    keeps its phase; for the two real halves of a complex band, the same gain
    on both halves thresholds them jointly by their modulus.
    """
    m = np.asarray(magnitude)
    keep = m > tau
    gain = np.zeros(m.shape, dtype=np.result_type(m.dtype, np.float32))
    if shrinkage == "hard":
        gain[keep] = 1
        return gain
    # τ/m < 1 where kept: no overflow, no division by zero.
    ratio = np.divide(tau, m, out=np.zeros_like(gain), where=keep)
    if shrinkage == "soft":
        np.subtract(1, ratio, out=gain, where=keep)
    elif shrinkage == "garrote":
        np.subtract(1, ratio * ratio, out=gain, where=keep)
    else:
        raise ValueError(f"shrinkage must be one of {SHRINKAGES}; got {shrinkage!r}.")
    return gain
