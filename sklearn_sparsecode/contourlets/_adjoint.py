"""The adjoint of the contourlet transform (what ``transform_vjp`` applies).

The contourlet frame is not tight: the 9-7 pyramid and the ladder fan filters
are biorthogonal, so the adjoint Cᵀ is not the inverse. Every step of the
forward (:mod:`._plan`) is a periodic convolution with a real filter or a
sampling, and their adjoints are, in the frequency domain (unnormalised DFT):

* correlation with h (the adjoint of convolution): multiply by conj(Ĥ);
* ↑S, the adjoint of ↓S for S = diag(a, b): tile the small spectrum a × b
  times (the forward folds the aliases and divides by ab);
* ↓2, the adjoint of ↑2: fold the four aliases and divide by 4.

One pyramid level maps c to the coarse c′ = ↓2(h ⋆ c) and the subbands
y_k = ↓S_k(h_k ⋆ d) of d = c − g ⋆ ↑2 c′. Going back, coarse to fine:

    D̄ = Σ_k conj(H_k) · tile(F ȳ_k),
    C̄′ = (cotangent of c′ from the coarser levels) − ¼ fold(conj(Ĝ) · D̄),
    C̄ = D̄ + conj(Ĥ) · tile(C̄′),

and C̄ feeds the next finer level; x̄ = Re F⁻¹ C̄ at the finest. The subband
filters H_k are needed on the full grid (the plan keeps the analysis filters
on the Hermitian half only, folded onto the subbands): they are rebuilt once
from the plan's filter names and cached on it.

Undecimated: band b is F⁻¹(W_b · F x), so the adjoint is F⁻¹(Σ_b conj(W_b) F ȳ_b),
the canonical dual frame's formula without its division by Σ|W|².
"""

from typing import NamedTuple

import numpy as np
import scipy.fft

from ._filters import fan_filters
from ._plan import _dfb_members, _log2_orientations

__all__ = ["contourlet_adjoint"]


class _AdjointFamily(NamedTuple):
    a: int
    b: int
    adjoint: np.ndarray   # (K, a, P1, b, P2): conj(H_k) on the full grid
    columns: list         # as the plan's: (band start, band shape, first row, row step)


def _adjoint_levels(plan, dtype):
    """Per pyramid level, finest first: (conj Ĥ, conj Ĝ, families), cached on the plan."""
    key = ("adjoint", np.dtype(dtype).str)
    if key in plan._cast:
        return plan._cast[key]
    complex_dtype = np.result_type(dtype, np.complex64)
    fans = fan_filters(plan.dfb_filters)
    _, logs = _log2_orientations(plan.n_orientations)
    n_levels = len(logs)
    levels = []
    for i, level in enumerate(plan.levels):  # finest first
        scale = n_levels + 1 - i
        n1, n2 = level.shape
        members = _dfb_members(level.shape, logs[n_levels - 1 - i], fans)
        starts = [b.start for b in plan.bands if b.scale == scale]
        by_sampling = {}
        for member, start in zip(members, starts):
            parts = member["parts"]
            for p, (analysis, _) in enumerate(parts):
                by_sampling.setdefault(member["sampling"], []).append(
                    (analysis, (start, member["shape"], p, len(parts))))
        families = []
        for (a, b), entries in by_sampling.items():
            p1, p2 = n1 // a, n2 // b
            adjoint = np.stack([np.conj(h).reshape(a, p1, b, p2) for h, _ in entries])
            families.append(_AdjointFamily(a, b, adjoint.astype(complex_dtype),
                                           [column for _, column in entries]))
        halves = (2, n1 // 2, 2, n2 // 2)
        lp_h = np.conj(4 * level.lp_analysis).reshape(halves).astype(complex_dtype)
        lp_g = np.conj(level.lp_synthesis).reshape(halves).astype(complex_dtype)
        levels.append((lp_h, lp_g, families))
    plan._cast[key] = levels
    return levels


def _adjoint_undecimated(plan, cotangent, out):
    dtype = cotangent.dtype
    filters = plan.undecimated if dtype == np.float64 else plan.levels_for(dtype)
    key = ("adjoint", np.dtype(dtype).str)
    if key not in plan._cast:
        plan._cast[key] = np.ascontiguousarray(np.conj(filters.analysis))
    adjoint = plan._cast[key]
    n = len(cotangent)
    bands = cotangent.reshape(n, len(adjoint), *plan.image_shape)
    spectrum = None
    for b in range(len(adjoint)):  # one band at a time: no (n, bands, h, w) spectra
        term = scipy.fft.rfft2(bands[:, b], workers=1)
        term *= adjoint[b]
        if spectrum is None:
            spectrum = term
        else:
            spectrum += term
    out[:] = scipy.fft.irfft2(spectrum, s=plan.image_shape, workers=1).reshape(n, -1)


def contourlet_adjoint(plan, cotangent, out):
    """Write Cᵀ ``cotangent`` (the adjoint, not the inverse) into ``out``."""
    if not plan.decimated:
        return _adjoint_undecimated(plan, cotangent, out)
    n = len(cotangent)
    levels = _adjoint_levels(plan, cotangent.dtype)
    low = plan.bands[0]
    spectrum = scipy.fft.fft2(cotangent[:, low.start:low.stop].reshape(n, *plan.lowpass_shape),
                              workers=1)
    for level, (lp_h, lp_g, families) in zip(plan.levels[::-1], levels[::-1]):
        n1, n2 = level.shape
        band = np.zeros((n, 2, n1 // 2, 2, n2 // 2), dtype=spectrum.dtype)
        flat = band.reshape(n, n1, n2)
        for fam in families:
            p1, p2 = n1 // fam.a, n2 // fam.b
            subbands = np.empty((n, len(fam.columns), p1, p2), dtype=cotangent.dtype)
            for m, (start, shape, part, n_parts) in enumerate(fam.columns):
                source = cotangent[:, start:start + shape[0] * shape[1]].reshape(n, *shape)
                subbands[:, m] = source[:, part::n_parts]
            hat = scipy.fft.fft2(subbands, workers=1)
            blocks = flat.reshape(n, fam.a, p1, fam.b, p2)
            tmp = np.empty_like(blocks)
            for k in range(len(fam.columns)):
                np.multiply(fam.adjoint[k], hat[:, k, None, :, None, :], out=tmp)
                blocks += tmp
        # Cotangent of the coarse image: from the coarser levels, minus ↓2 gᵀ D̄.
        coarse = spectrum - 0.25 * np.einsum("pmqk,npmqk->nmk", lp_g, band)
        spectrum = (band + lp_h * coarse[:, None, :, None, :]).reshape(n, n1, n2)
    out[:] = scipy.fft.ifft2(spectrum, workers=1).real.reshape(n, -1)
