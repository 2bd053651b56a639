"""The adjoint of the multilevel DWT, exact for every PyWavelets extension mode.

One level of PyWavelets' DWT along one axis of length N is a linear map
x ↦ (L x, H x), L and H of shape M × N: extend the signal by the mode's rule
(zero, constant, symmetric, reflect, periodic, smooth, antisymmetric,
antireflect, or periodization's own layout), filter, keep every other sample.
Its adjoint x̄ = Lᵀ ā + Hᵀ d̄ equals the inverse DWT only for ``periodization``
with an orthogonal wavelet; every other mode folds the extension back onto the
samples it copied, and a biorthogonal wavelet correlates with its analysis
filters, not its synthesis ones.

Rather than re-derive each mode's extension, the matrices are read off
PyWavelets itself: the DWT of the N unit vectors, ``pywt.dwt(eye(N))``, is
[L | H] transposed, exactly, for every mode, wavelet and odd or even length.
They are banded plus a few boundary entries, so they are kept sparse (about
2·filter-length entries per row), and applying their transpose costs what
filtering does. A 2-D level is separable: ``aa = L₀ X L₁ᵀ``, ``da = H₀ X L₁ᵀ``,
``ad = L₀ X H₁ᵀ``, ``dd = H₀ X H₁ᵀ`` (axis 0 first, as ``pywt.dwt2`` names its
bands), so its adjoint is two sparse products per level.
"""

import threading

import numpy as np
import pywt
import scipy.sparse

__all__ = ["wavelet_adjoint"]

_cache = {}
_lock = threading.Lock()


def _analysis_matrix(n, wavelet, mode, dtype):
    """[L; H] of one DWT level along an axis of length n, transposed, as sparse CSR.

    Returns the (n, 2M) matrix [Lᵀ | Hᵀ]: applied to the stacked cotangents
    (ā, d̄) of a level it gives x̄.
    """
    key = (n, tuple(map(tuple, wavelet.filter_bank)), mode, np.dtype(dtype).str)
    with _lock:
        found = _cache.get(key)
    if found is None:
        approx, detail = pywt.dwt(np.eye(n), wavelet, mode=mode, axis=-1)  # (n, M) each
        found = scipy.sparse.csr_matrix(np.hstack([approx, detail]).astype(dtype))
        found.eliminate_zeros()
        with _lock:
            _cache[key] = found
    return found


def _along(matrix, G, axis):
    """``matrix`` (N × K) applied along ``axis`` of G (whose length there is K)."""
    moved = np.moveaxis(G, axis, 0)
    flat = np.ascontiguousarray(moved).reshape(moved.shape[0], -1)
    result = (matrix @ flat).reshape(matrix.shape[0], *moved.shape[1:])
    return np.moveaxis(result, 0, axis)


def _level_lengths(length, wavelet, n_levels, mode):
    """Lengths of the approximation along one axis: the input, then each level."""
    lengths = [length]
    for _ in range(n_levels):
        lengths.append(pywt.dwt_coeff_len(lengths[-1], wavelet.dec_len, mode))
    return lengths


def wavelet_adjoint(plan, cotangent, out):
    """Write the adjoint of the plan's DWT applied to ``cotangent`` into ``out``.

    ``cotangent`` (n, n_coefs) is laid out as ``plan.bands``; ``out`` (n,
    n_values) receives the flattened samples.
    """
    n = len(cotangent)
    dtype = cotangent.dtype
    bands = plan.bands
    shape = tuple(plan.image_shape)
    wavelet, mode = plan.wavelet, plan.mode

    def block(band):
        return cotangent[:, band.start:band.stop].reshape(n, *band.shape)

    if len(shape) == 1:
        n_levels = len(bands) - 1
        lengths = _level_lengths(shape[0], wavelet, n_levels, mode)
        grad = block(bands[0])
        for j in range(n_levels, 0, -1):  # coarsest first; bands[1] is level n_levels
            detail = block(bands[1 + n_levels - j])
            stacked = np.concatenate([grad, detail], axis=-1)
            grad = _along(_analysis_matrix(lengths[j - 1], wavelet, mode, dtype), stacked, -1)
        out[:] = grad.reshape(n, -1)
        return

    n_levels = (len(bands) - 1) // 3
    rows = _level_lengths(shape[0], wavelet, n_levels, mode)
    cols = _level_lengths(shape[1], wavelet, n_levels, mode)
    grad = block(bands[0])
    for j in range(n_levels, 0, -1):
        first = 1 + 3 * (n_levels - j)
        da, ad, dd = (block(b) for b in bands[first:first + 3])
        columns = _analysis_matrix(cols[j - 1], wavelet, mode, dtype)
        low_rows = _along(columns, np.concatenate([grad, ad], axis=-1), -1)   # L₀-side
        high_rows = _along(columns, np.concatenate([da, dd], axis=-1), -1)    # H₀-side
        rows_matrix = _analysis_matrix(rows[j - 1], wavelet, mode, dtype)
        grad = _along(rows_matrix, np.concatenate([low_rows, high_rows], axis=-2), -2)
    out[:] = grad.reshape(n, -1)
