"""The shrinkage rules and the robust noise constant, written once for the package.

Every thresholding in the package goes through these functions: the
:func:`~sklearn_sparsecode.threshold` layer, :class:`ThresholdTransformer` and
the restoration functions (:func:`~sklearn_sparsecode.denoise`). The rules, for
a threshold τ ≥ 0:

* ``"hard"``: x·1{|x| > τ} (entries equal to τ are dropped; PyWavelets'
  ``pywt.threshold`` keeps them, the two differ only on exact ties);
* ``"soft"``: sign(x)·max(|x| − τ, 0), computed as x − clip(x, −τ, τ);
* ``"garrote"``: (x − τ²/x)·1{|x| > τ} (the non-negative garrote), computed as
  x − τ·(τ/x), which cannot overflow where τ² would.

τ is rounded *down* to the dtype of x before comparing (:func:`tau_in_dtype`),
so float32 and float64 inputs holding the same values keep the same entries.

:data:`MAD_TO_SIGMA` is the median of |N(0, 1)|, Φ⁻¹(3/4) = √2·erf⁻¹(1/2) ≈
0.6745: for white Gaussian noise of standard deviation σ, median(|c|) / 0.6745
estimates σ (Donoho & Johnstone 1994).
"""

import numpy as np

__all__ = ["MAD_TO_SIGMA", "SHRINKAGE_RULES", "mad_sigma", "shrink", "shrink_gain",
           "tau_in_dtype"]

SHRINKAGE_RULES = ("hard", "soft", "garrote")

#: median(|Z|) for Z ~ N(0, 1): Φ⁻¹(0.75) = √2·erf⁻¹(0.5), to double precision.
MAD_TO_SIGMA = 0.6744897501960817


def tau_in_dtype(tau, dtype):
    """The largest value(s) of ``dtype`` that are <= τ (a scalar or an array).

    For x of that dtype, |x| > τ (compared exactly, as in float64) holds exactly
    when |x| > this value. Rounding τ to the nearest float32 instead would keep or
    drop entries lying between τ and its rounding. τ beyond the dtype's range
    becomes the dtype's largest finite value.
    """
    dtype = np.dtype(dtype)
    with np.errstate(over="ignore"):
        t = np.asarray(tau).astype(dtype)
    high = t.astype(np.float64) > np.asarray(tau, dtype=np.float64)
    if np.ndim(t) == 0:
        return np.nextafter(t, dtype.type(-np.inf)) if high else t[()]
    return np.where(high, np.nextafter(t, dtype.type(-np.inf)), t)


def shrink(X, tau, shrinkage, *, out=None, keep=None):
    """Apply a shrinkage rule to every entry of a real array.

    Parameters
    ----------
    X : ndarray of real floats
    tau : float or ndarray broadcastable to X
        Threshold(s) τ >= 0, rounded down to ``X.dtype`` here.
    shrinkage : {"hard", "soft", "garrote"}
    out : ndarray like X or None
        Where to write the result (may not be X).
    keep : ndarray of bool or None
        Entries allowed to survive, on top of |x| > τ (e.g. a top-k selection);
        None allows all. For ``"soft"`` the caller guarantees that entries
        outside ``keep`` have |x| <= τ.

    Returns
    -------
    out : ndarray like X
    """
    X = np.asarray(X)
    if shrinkage not in SHRINKAGE_RULES:
        raise ValueError(f"shrinkage must be one of {SHRINKAGE_RULES}; got {shrinkage!r}.")
    t = tau_in_dtype(tau, X.dtype)
    if out is None:
        out = np.empty_like(X)
    if shrinkage == "soft":
        # x - clip(x, -t, t) == sign(x) * max(|x| - t, 0), in two passes.
        np.clip(X, -t, t, out=out)
        np.subtract(X, out, out=out)
        return out
    kept = np.abs(X) > t
    if keep is not None:
        kept &= keep
    out.fill(0)  # fill + masked copy rather than X * kept, which would give -0.0
    if shrinkage == "hard":
        np.copyto(out, X, where=kept)
    else:  # garrote, as x - t·(t/x): |t/x| < 1 where kept, so nothing overflows
        t = np.broadcast_to(t, X.shape)
        np.divide(t, X, out=out, where=kept)
        np.multiply(out, t, out=out, where=kept)
        np.subtract(X, out, out=out, where=kept)
    return out


def shrink_gain(magnitude, tau, shrinkage):
    """The factor ρ(m)/m that a rule applies to a value of magnitude m.

    For a complex coefficient z (or a group of coefficients shrunk jointly on
    their modulus m = |z|), ``z * shrink_gain(|z|, τ, rule)`` keeps the phase
    and shrinks the modulus by the rule: 1 (hard), 1 − τ/m (soft), 1 − τ²/m²
    (garrote) above τ, and 0 at or below τ (also where m = 0).

    Parameters
    ----------
    magnitude : ndarray of non-negative reals
    tau : float or ndarray broadcastable to ``magnitude``
    shrinkage : {"hard", "soft", "garrote"}

    Returns
    -------
    gain : ndarray like ``magnitude``, in [0, 1]
    """
    magnitude = np.asarray(magnitude)
    if shrinkage not in SHRINKAGE_RULES:
        raise ValueError(f"shrinkage must be one of {SHRINKAGE_RULES}; got {shrinkage!r}.")
    t = tau_in_dtype(tau, magnitude.dtype)
    kept = magnitude > t
    gain = np.zeros_like(magnitude)
    if shrinkage == "hard":
        gain[kept] = 1
        return gain
    ratio = np.divide(np.broadcast_to(t, magnitude.shape), magnitude, out=np.zeros_like(magnitude),
                      where=kept)
    if shrinkage == "soft":
        np.subtract(1, ratio, out=gain, where=kept)
    else:
        np.subtract(1, ratio * ratio, out=gain, where=kept)
    return gain


def mad_sigma(values, axis=None):
    """median(|values|) / :data:`MAD_TO_SIGMA`: the robust σ of Gaussian noise."""
    return np.median(np.abs(values), axis=axis) / MAD_TO_SIGMA
