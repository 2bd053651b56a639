"""Vector–Jacobian products of the band layers: thresholds and modulus (pooling's is in :mod:`._pooling`).

Each function takes the layer's input (it recomputes what it needs of the
forward: masks, moduli) and the cotangent of its output, and returns or writes
the cotangent of its input. Derivatives where the map has a kink follow the
usual convention: the modulus r = |z| has gradient (Re z, Im z)/r, taken as 0 at
z = 0 (and so does r^p for p < 1, whose derivative is infinite there); the
soft threshold has derivative 1 beyond τ and 0 inside (0 at |x| = τ exactly).
The hard threshold jumps at ±τ: the jump is a Dirac mass that no gradient
sees, so its derivative is 1 beyond τ and 0 inside, and a gradient method
cannot move an entry across τ.
"""

# Annotations stay strings: help() shows `X: ArrayLike`, not numpy's expanded union.
from __future__ import annotations

from numbers import Real

import numpy as np
from numpy.typing import ArrayLike
from sklearn.utils import check_array

from sklearn.utils._param_validation import validate_params

from .._core.bands import Band
from .._core.shrinkage import shrink_into, tau_in_dtype
from .._core.validation import FLOAT_DTYPES, Interval
from ._modulus import modulus_layout

__all__ = ["band_modulus_vjp", "modulus_values_vjp", "threshold_vjp_into"]


def threshold_vjp_into(X, G, out, tau, shrinkage, sign, k):
    """Write the cotangent of X through σ(·; τ) and the sign option into ``out``.

    ``G`` has the forward's output columns (twice X's for ``sign="split"``).
    With ``top_k`` (``k`` entries kept per row) the threshold of a row is
    max(τ, m) with m the largest magnitude dropped; soft and garrote outputs
    depend on m, so that entry gets a gradient too.
    """
    p = X.shape[1]
    t = tau_in_dtype(tau, X.dtype)
    m_index = None
    if k is not None and k < p:
        magnitude = np.abs(X)
        order = np.argpartition(magnitude, (p - k - 1, p - k), axis=1)
        keep = np.zeros(X.shape, dtype=bool)
        np.put_along_axis(keep, order[:, p - k:], True, axis=1)
        m_index = order[:, p - k - 1:p - k]
        largest_dropped = np.take_along_axis(magnitude, m_index, axis=1)
        keep &= magnitude > t
        t = np.maximum(largest_dropped, t)
    else:
        keep = np.abs(X) > t
    # Cotangent of the signed shrunk value s = σ(x).
    if sign == "keep":
        gs = G
    else:
        s = shrink_into(X, np.empty_like(X), t, shrinkage, keep)
        if sign == "magnitude":
            gs = G * np.sign(s)
        else:
            gs = G[:, :p] * (s > 0) - G[:, p:] * (s < 0)
    gs = np.where(keep, gs, 0)
    if shrinkage == "garrote":
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(keep, t / X, 0)
        out[:] = gs * (1 + ratio * ratio)
    else:
        out[:] = gs
    if m_index is not None and shrinkage != "hard":
        # The row's threshold is |x_m| where it exceeds τ: ds_j/dt = −sign(x_j)
        # (soft) or −2t/x_j (garrote), and dt/dx_m = sign(x_m).
        x_m = np.take_along_axis(X, m_index, axis=1)
        moving = np.abs(x_m) > tau_in_dtype(tau, X.dtype)
        if shrinkage == "soft":
            dt = -np.sum(gs * np.sign(X), axis=1, keepdims=True)
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                dt = -np.sum(np.where(keep, gs * 2 * t / X, 0), axis=1, keepdims=True)
        current = np.take_along_axis(out, m_index, axis=1)
        np.put_along_axis(out, m_index, current + np.where(moving, dt * np.sign(x_m), 0),
                          axis=1)


def modulus_values_vjp(coefs, kind, sources, power, values_bar, coefs_bar):
    """Add the cotangent of the coefficients of one modulus block to ``coefs_bar``.

    ``values_bar`` (n, size) is the cotangent of ``modulus_values(coefs, kind,
    sources, power)``. d(r^p)/dc = p r^(p−2) c for each part c of the modulus
    r (c = re, im, or the real coefficient), taken as 0 where r = 0.
    """
    first = coefs[:, sources[0][0]:sources[0][1]]
    if kind == "signed":
        coefs_bar[:, sources[0][0]:sources[0][1]] += values_bar
        return
    if kind == "modulus":
        second = coefs[:, sources[1][0]:sources[1][1]]
        factor = np.hypot(first, second)
    else:
        second = None
        factor = np.abs(first)
    # factor ← p r^(p−2) · values_bar, 0 where r = 0 (in place: these are the big arrays)
    positive = factor > 0
    if power == 1:
        np.divide(1, factor, out=factor, where=positive)
    elif power == 0.5:
        root = np.sqrt(factor)
        np.multiply(factor, root, out=factor)
        np.divide(0.5, factor, out=factor, where=positive)
    else:
        np.power(factor, power - 2, out=factor, where=positive)
        factor *= power
    factor[~positive] = 0
    factor *= values_bar
    coefs_bar[:, sources[0][0]:sources[0][1]] += factor * first
    if second is not None:
        coefs_bar[:, sources[1][0]:sources[1][1]] += factor * second


@validate_params({"coefs": ["array-like"], "bands": [list], "cotangent": ["array-like"],
                  "power": [Interval(Real, 0, None, closed="neither")]},
                 prefer_skip_nested_validation=True)
def band_modulus_vjp(coefs: ArrayLike, bands: list, cotangent: ArrayLike, *,
                     power: float = 1.0) -> np.ndarray:
    """Gradient of ``sum(cotangent * band_modulus(coefs, bands, power=power)[0])``.

    With respect to ``coefs``: for a complex band (re, im halves) the
    cotangent times (re, im)/r, r = hypot(re, im); for a real band-pass band
    times sign(c); the low-pass passes unchanged. Where r = 0 the gradient is
    taken as 0 (also for ``power`` < 1, whose derivative is infinite there).

    Parameters
    ----------
    coefs : array-like of shape (n_samples, bands[-1].stop)
    bands : list of Band
    cotangent : array-like of shape (n_samples, n_out)
        One weight per column of ``band_modulus(coefs, bands)[0]``.
    power : float, default=1.0

    Returns
    -------
    gradient : ndarray of shape (n_samples, bands[-1].stop)

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_sparsecode import Band
    >>> from sklearn_sparsecode.layers._gradient import band_modulus_vjp
    >>> bands = [Band(1, "a_re", (1,), 0, 1, part="re"), Band(1, "a_im", (1,), 1, 2, part="im")]
    >>> band_modulus_vjp(np.array([[3.0, 4.0]]), bands, np.array([[1.0]]))
    array([[0.6, 0.8]])
    """
    coefs = check_array(coefs, dtype=FLOAT_DTYPES, input_name="coefs",
                        estimator="band_modulus_vjp")
    if not bands or not all(isinstance(b, Band) for b in bands):
        raise TypeError("bands must be the list of Band records of the coefficients.")
    if coefs.shape[1] != bands[-1].stop:
        raise ValueError(f"Expected coefficients of shape (n_samples, {bands[-1].stop}); "
                         f"got {coefs.shape}.")
    layout = modulus_layout(bands)
    cotangent = check_array(cotangent, dtype=coefs.dtype, input_name="cotangent",
                            estimator="band_modulus_vjp")
    n_out = layout[-1].band.stop
    if cotangent.shape != (len(coefs), n_out):
        raise ValueError(f"cotangent must have shape (n_samples, n_out) = ({len(coefs)}, "
                         f"{n_out}), one weight per modulus value; got {cotangent.shape}.")
    coefs_bar = np.zeros_like(coefs)
    for block in layout:
        modulus_values_vjp(coefs, block.kind, block.sources, power,
                           cotangent[:, block.band.start:block.band.stop], coefs_bar)
    return coefs_bar
