"""The scattering cascade: the chunk kernels and :func:`scattering_transform`.
"""


import numpy as np
import scipy.fft
from numpy.typing import ArrayLike

from sklearn.utils._param_validation import validate_params

from .._core.base import resolve_plan, run_forward
from .._core.validation import BATCH_SIZE, N_JOBS, VERBOSE, check_batch, work_dtype
from ._invariants import _finish_chunk
from ._plan import ScatteringPlan, plan_scattering


def _apply_lowpass(U, matrices):
    """(M, N, X) maps → (h w, X): D_rows U D_colsᵀ for every column of X."""
    rows, cols = matrices
    M, N, X = U.shape
    h, w = rows.shape[0], cols.shape[0]
    half = (rows @ U.reshape(M, N * X)).reshape(h, N, X)           # (h, N, X)
    out = cols @ half.transpose(1, 0, 2).reshape(N, h * X)          # (w, h X)
    return out.reshape(w, h, X).transpose(1, 0, 2).reshape(h * w, X)


def _blocks(A, k):
    """(M, N, X) → (M/k · N/k, k², X): the k × k aliases of each coarse frequency."""
    M, N = A.shape[0] // k, A.shape[1] // k
    return A.reshape(k, M, k, N, -1).transpose(1, 3, 0, 2, 4).reshape(M * N, k * k, -1)


def _filtered_modulus(spectrum, filter_blocks, k):
    """|x⋆ψ| sampled every k pixels, for every filter and every column of ``spectrum``.

    ``spectrum`` is (M, N, X) complex (frequencies first); the result is
    (M/k, N/k, C, X) real. Sampling a convolution every k pixels is the inverse
    FFT, on the coarse grid, of its spectrum summed over the k × k aliases of
    each frequency (divided by k²); that sum of products is one real matrix
    product per coarse frequency: (C, k²) filters times (k², 2X) re/im parts.
    """
    M, N, X = spectrum.shape
    if k == 1:  # no aliases: a plain broadcast product
        Z = filter_blocks.reshape(M, N, -1, 1) * spectrum[:, :, None, :]
        return np.abs(scipy.fft.ifft2(Z, axes=(0, 1), workers=1, overwrite_x=True))
    M1, N1 = M // k, N // k
    real = filter_blocks.dtype
    blocks = _blocks(spectrum, k).view(real)  # (M1 N1, k², 2X): interleaved re, im
    Z = np.matmul(filter_blocks, blocks)       # (M1 N1, C, 2X)
    Z = Z.view(spectrum.dtype).reshape(M1, N1, -1, X)
    return np.abs(scipy.fft.ifft2(Z, axes=(0, 1), workers=1, overwrite_x=True))


def _raw_chunk(X, plan):
    """Raw scattering coefficients (n, n_paths, h * w) of a chunk of images.

    Everything is laid out frequencies (or pixels) first, images and filters
    last, so that each filtering step and each low-pass is one matrix product.
    """
    n = len(X)
    J, counts = plan.n_scales, plan.counts
    real = X.dtype
    complex_dtype = np.result_type(real, np.complex64)
    if plan.padding != "periodic":
        mode = {"zero": "constant"}.get(plan.padding, plan.padding)
        X = np.pad(X, ((0, 0),) + plan.pads, mode=mode)
    hw = plan.out_shape[0] * plan.out_shape[1]
    x = np.ascontiguousarray(X.transpose(1, 2, 0))  # (M, N, n)
    M, N = x.shape[:2]
    filters = plan.filter_blocks(real)
    lowpass = plan.lowpass_matrices(real)
    orders = [_apply_lowpass(x, lowpass[0])]  # (hw, n)
    spectrum = scipy.fft.fft2(x, axes=(0, 1), workers=1).astype(complex_dtype, copy=False)
    order1, order2 = [], []
    for j1 in range(J):
        r1 = plan.res1[j1]
        L1 = counts[j1]
        U1 = _filtered_modulus(spectrum, filters[(0, j1, r1)], 2**r1)  # (M1, N1, L1, n)
        M1, N1 = U1.shape[:2]
        order1.append(_apply_lowpass(U1.reshape(M1, N1, -1), lowpass[r1]).reshape(hw, L1, n))
        if plan.max_order < 2 or j1 == J - 1:
            continue
        U1_hat = scipy.fft.fft2(U1.reshape(M1, N1, L1 * n), axes=(0, 1), workers=1)
        per_j2 = []
        for j2 in range(j1 + 1, J):
            r2 = plan.res2[j2][j1]
            U2 = _filtered_modulus(U1_hat, filters[(r1, j2, r2)], 2 ** (r2 - r1))
            M2, N2 = U2.shape[:2]  # U2: (M2, N2, L2, L1 * n)
            S2 = _apply_lowpass(U2.reshape(M2, N2, -1), lowpass[r2]).reshape(
                hw, counts[j2], L1, n)
            per_j2.append(S2.transpose(0, 2, 1, 3))  # (hw, θ1, θ2, n)
        # raw order (j1, θ1, j2, θ2): θ2 of every j2 inside each θ1
        order2.append(np.concatenate(per_j2, axis=2).reshape(hw, -1, n))
    raw = np.concatenate([orders[0][:, None]] + order1 + order2, axis=1)  # (hw, paths, n)
    return np.ascontiguousarray(raw.transpose(2, 1, 0))


def _row_bytes(plan, itemsize):
    """Working memory of one image: the padded spectrum, the filtered spectra of
    the widest layer (complex, with their moduli), the raw output."""
    padded = plan.grids[0].shape[0] * plan.grids[0].shape[1]
    L = max(plan.counts)
    layer = max(L * padded, L * L * padded // 4 ** max(plan.res1[0], 0)
                if plan.max_order == 2 else 0)
    return itemsize * (4 * padded + 6 * layer
                       + 2 * plan.n_raw_paths * plan.out_shape[0] * plan.out_shape[1])


def _forward(plan, X, out):
    raw = _raw_chunk(X, plan)
    if plan.rotation is None and plan.scale is None and plan.compression is None:
        out[:] = raw.reshape(len(X), -1)
    else:
        _finish_chunk(raw, out, plan)


@validate_params({"images": ["array-like"], "plan": [ScatteringPlan, None],
                  "batch_size": BATCH_SIZE, "n_jobs": N_JOBS, "verbose": VERBOSE},
                 # plan_params are checked by the plan function, which must not be skipped.
                 prefer_skip_nested_validation=False)
def scattering_transform(images: ArrayLike, *, plan: ScatteringPlan | None = None,
                         batch_size: int | None = None, n_jobs: int | None = None,
                         verbose: int = 0, **plan_params) -> np.ndarray:
    """Scattering coefficients of orders 0 to ``max_order`` of a batch of images.

    Parameters
    ----------
    images : array-like of shape (n_samples, height, width)
        Real images; float32 is kept (float32 FFTs).
    plan : ScatteringPlan or None, default=None
        From :func:`plan_scattering`; None builds one from ``plan_params``.
    batch_size, n_jobs, verbose :
        Images per chunk (None: from ``working_memory``), threads over chunks,
        progress lines.
    **plan_params
        The parameters of :func:`plan_scattering` (``n_scales``,
        ``n_orientations``, ``max_order``, ``compression``, ...), when no plan is
        given; their defaults are those of :class:`~sklearn_sparsecode.ScatteringTransformer`.

    Returns
    -------
    S : ndarray of shape (n_samples, n_features)
        Blocks of ``plan.out_shape`` laid out as ``plan.bands`` says: order 0,
        order 1 by (j1, θ1), order 2 by (j1, θ1, j2, θ2).

    References
    ----------
    .. [1] J. Bruna and S. Mallat, "Invariant scattering convolution networks",
       IEEE TPAMI 35(8), 2013.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_sparsecode.scattering import scattering_transform
    >>> X = np.random.default_rng(0).random((3, 28, 28)).astype(np.float32)
    >>> S = scattering_transform(X, n_scales=2, n_orientations=8)
    >>> S.shape, S.dtype
    ((3, 3969), dtype('float32'))
    """
    X = check_batch(images, name="scattering_transform", ndims=(3,))
    plan = resolve_plan(plan, ScatteringPlan, plan_scattering, X.shape[1:], plan_params,
                        "scattering_transform")
    return run_forward(_forward, plan, X, plan.n_features, batch_size=batch_size,
                       n_jobs=n_jobs, verbose=verbose, uses_blas=True,
                       row_bytes=_row_bytes(plan, work_dtype(X.dtype).itemsize),
                       label="scattering_transform")
