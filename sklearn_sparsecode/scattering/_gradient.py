"""The vector–Jacobian product of the scattering transform (its own differentiable path).

The forward kernels (:mod:`._cascade`) are tuned for speed and keep nothing; the
gradient needs the complex responses before each modulus. This module runs the
same cascade again on a chunk, keeping them, then goes back through it. It
reads only a description of the cascade (:func:`cascade_of`): padding, the
Fourier filters of each layer on the grid they act on, the sampling
resolutions and the separable low-pass matrices, so it does not depend on how
the forward kernels are written.

Forward, for a padded image x on the M × N grid (x̂ = F x, unnormalised DFT):

    Z1_λ1 = ↓s1 F⁻¹(ψ̂_λ1 x̂),  U1 = |Z1|,  S1 = D U1 Eᵀ,
    Z2_λ1λ2 = ↓s2 F⁻¹(ψ̂_λ2 F U1_λ1),  U2 = |Z2|,  S2 = D U2 Eᵀ,   S0 = D x Eᵀ,

with ↓s keeping every s-th sample (computed as the inverse FFT, on the coarse
grid, of the spectrum folded over its s × s aliases and divided by s²), D and
E the low-pass φ, output sampling and crop along each axis. Backward, with
real-linear adjoints (the filters ψ̂ are real in the Fourier domain):

    Ū = Dᵀ S̄ E,   Z̄ = Ū · Z/|Z| (0 where Z = 0),
    ū += Re F⁻¹(ψ̂ · tile(F Z̄))      (tile: the adjoint of ↓s, an s × s repetition
                                      of the coarse spectrum; no 1/s²),

first through the second layer (into Ū1), then the first (into x̄), and
finally the adjoint of the padding (each padded pixel's cotangent added back
to the pixel it copies). The invariants and the compression applied after
the cascade (:mod:`._invariants`) are differentiated first: means are
linear, the modulus of an angular DFT has gradient Re(conj(z)/|z| · e^{-2πiqt/L})/L,
a power p gives p·v^(p−1) and log(1 + v/0.01) gives 1/(0.01 + v) (0 where
v <= 0, where the forward clips).

Cost: the forward's FFTs and filter products once more (this path keeps the
responses), then about as many again backwards, so about 2–3 forwards.
"""

from typing import NamedTuple

import numpy as np
import scipy.fft
import scipy.sparse

__all__ = ["cascade_of", "scattering_vjp"]


class Cascade(NamedTuple):
    """What the gradient needs of a scattering network, whatever computes its forward.

    The field names are those of the forward kernels' cascade description.
    """

    input_shape: tuple
    padded: tuple
    padding: object     # None, ("index", flat indices (M·N,)), or ("zero", (top, left))
    filters1: list      # scale j: (C_j, M, N) real Fourier filters on the padded grid
    res1: tuple         # log2 of the sampling step of |x⋆ψ_j|
    filters2: dict      # (j1, j2): (C_j2, M >> r1, N >> r1) filters on the grid of U1
    res2: dict          # (j1, j2): log2 of the sampling step of |U1⋆ψ_j2|
    lowpass: dict       # r: (D, E), (h, M >> r) and (w, N >> r)
    max_order: int


def cascade_of(plan):
    """The :class:`Cascade` of a scattering plan (cached on it)."""
    cache = plan._cache
    if "gradient_cascade" in cache:
        return cache["gradient_cascade"]
    spec = getattr(plan, "spec", None)
    if spec is not None:  # the forward kernels' own description, when the plan has one
        cascade = Cascade(tuple(spec.input_shape), tuple(spec.padded), spec.padding,
                          list(spec.filters1), tuple(spec.res1), dict(spec.filters2),
                          dict(spec.res2), dict(spec.lowpass), int(spec.max_order))
    else:
        H, W = plan.image_shape
        grid0 = plan.grids[0]
        M, N = grid0.shape
        if plan.padding == "periodic":
            padding = None
        elif plan.padding == "zero":
            padding = ("zero", (plan.pads[0][0], plan.pads[1][0]))
        else:
            flat = np.pad(np.arange(H * W).reshape(H, W), plan.pads, mode=plan.padding)
            padding = ("index", flat.ravel())
        J = plan.n_scales
        filters1 = [grid0.psi[j] for j in range(J)]
        res1 = tuple(int(plan.res1[j]) for j in range(J))
        filters2, res2 = {}, {}
        if plan.max_order == 2:
            for j1 in range(J):
                for j2 in range(j1 + 1, J):
                    filters2[j1, j2] = plan.grids[res1[j1]].psi[j2]
                    res2[j1, j2] = int(plan.res2[j2][j1])
        lowpass = {r: g.lowpass for r, g in plan.grids.items()}
        cascade = Cascade((H, W), (M, N), padding, filters1, res1, filters2, res2, lowpass,
                          int(plan.max_order))
    cache["gradient_cascade"] = cascade
    return cascade


class _Kernels:
    """A cascade's matrices in one dtype: filter blocks (unscaled), low-pass, padding."""

    def __init__(self, cascade, dtype):
        self.real = np.dtype(dtype)
        self.complex = np.result_type(dtype, np.complex64)
        M, N = cascade.padded
        # The filters as alias blocks, one per coarse frequency: the forward's
        # divided by k² (the sampling averages the aliases), the adjoint's not.
        self.scaled1, self.blocks1 = zip(*[_filter_blocks(F, 2 ** r, dtype)
                                           for F, r in zip(cascade.filters1, cascade.res1)])
        self.scaled2, self.blocks2 = {}, {}
        for (j1, j2), F in cascade.filters2.items():
            k = 2 ** (cascade.res2[j1, j2] - cascade.res1[j1])
            self.scaled2[j1, j2], self.blocks2[j1, j2] = _filter_blocks(F, k, dtype)
        self.lowpass = {r: tuple(np.ascontiguousarray(m, dtype=dtype) for m in pair)
                        for r, pair in cascade.lowpass.items()}
        self.unpad = self.pad_index = None
        if cascade.padding is not None and cascade.padding[0] == "index":
            flat = self.pad_index = np.asarray(cascade.padding[1], dtype=np.intp).ravel()
            H, W = cascade.input_shape
            # (H W) × (M N): each padded pixel's cotangent goes back to its source.
            self.unpad = scipy.sparse.csr_matrix(
                (np.ones(flat.size, dtype=dtype), (flat, np.arange(flat.size))),
                shape=(H * W, M * N))


def _filter_blocks(filters, k, dtype):
    """(C, M, N) real filters → (M/k · N/k, C, k²), the k × k aliases of each coarse
    frequency: divided by k² (for the sampling) and as they are (for its adjoint)."""
    C, M, N = filters.shape
    blocks = filters.reshape(C, k, M // k, k, N // k).transpose(2, 4, 0, 1, 3)
    blocks = np.ascontiguousarray(blocks.reshape((M // k) * (N // k), C, k * k), dtype=dtype)
    return blocks / blocks.dtype.type(k * k), blocks


def _kernels(plan, cascade, dtype):
    key = ("gradient_kernels", np.dtype(dtype).str)
    if key not in plan._cache:
        plan._cache[key] = _Kernels(cascade, dtype)
    return plan._cache[key]


def _alias_blocks(A, k):
    """(M, N, X) → (M/k · N/k, k², X): the k × k aliases of each coarse frequency."""
    M, N = A.shape[0] // k, A.shape[1] // k
    return A.reshape(k, M, k, N, -1).transpose(1, 3, 0, 2, 4).reshape(M * N, k * k, -1)


def _sampled_response(spectrum, blocks, k):
    """Z = ↓k F⁻¹(ψ̂ · spectrum) for every filter: (M/k, N/k, C, X) complex.

    ``spectrum`` is (M, N, X) complex, ``blocks`` (M/k · N/k, C, k²) real and
    already divided by k².
    """
    M, N, X = spectrum.shape
    M1, N1 = M // k, N // k
    C = blocks.shape[1]
    if k == 1:  # no aliases: a broadcast product, real filters times (re, im) pairs
        Z = np.empty((M, N, C, X), dtype=spectrum.dtype)
        np.multiply(blocks.reshape(M, N, C, 1, 1), spectrum.view(blocks.dtype).reshape(
            M, N, 1, X, 2), out=Z.view(blocks.dtype).reshape(M, N, C, X, 2))
        Z = Z.reshape(M, N, C * X)
    else:
        aliases = np.ascontiguousarray(_alias_blocks(spectrum, k)).view(blocks.dtype)
        Z = np.matmul(blocks, aliases)  # (M1 N1, C, 2X): re and im interleaved
        Z = Z.view(spectrum.dtype).reshape(M1, N1, -1)
    return scipy.fft.ifft2(Z, axes=(0, 1), workers=1, overwrite_x=True).reshape(
        M1, N1, C, X)


def _response_adjoint(Z_bar, blocks, k):
    """Σ_c ψ̂_c · tile(F Z̄_c): the spectrum (M, N, X) of the input's cotangent.

    ``Z_bar`` is (M/k, N/k, C, X) complex, ``blocks`` the filters as
    (M/k · N/k, C, k²) alias blocks (not divided by k²: the adjoint of the
    sampling tiles, it does not average). The real part of the inverse FFT of
    the result is the cotangent of the (real) input.
    """
    M1, N1, C, X = Z_bar.shape
    T = scipy.fft.fft2(Z_bar, axes=(0, 1), workers=1, overwrite_x=True)
    if k == 1:  # Σ_c ψ̂_c T_c, one multiply-add per filter on (re, im) pairs
        real = T.view(blocks.dtype).reshape(M1, N1, C, X * 2)
        filters = blocks.reshape(M1, N1, C, 1)
        out = np.multiply(filters[:, :, 0], real[:, :, 0])
        for c in range(1, C):
            out += filters[:, :, c] * real[:, :, c]
        return out.view(Z_bar.dtype).reshape(M1, N1, X)
    # One small matrix product per coarse frequency: (k², C) filters times (C, 2X).
    T = np.ascontiguousarray(T.reshape(M1 * N1, C, X)).view(blocks.dtype)
    spectrum = np.matmul(blocks.transpose(0, 2, 1), T).view(Z_bar.dtype)  # (M1 N1, k², X)
    return spectrum.reshape(M1, N1, k, k, X).transpose(2, 0, 3, 1, 4).reshape(k * M1, k * N1, X)


def _lowpass(U, matrices):
    """(M, N, X) maps → (h, w, X): D U Eᵀ for every column of X."""
    D, E = matrices
    M, N, X = U.shape
    half = (D @ U.reshape(M, N * X)).reshape(D.shape[0], N, X)
    out = E @ np.ascontiguousarray(half.transpose(1, 0, 2)).reshape(N, -1)  # (w, h X)
    return out.reshape(E.shape[0], D.shape[0], X).transpose(1, 0, 2)


def _lowpass_adjoint(S_bar, matrices):
    """(h, w, X) → (M, N, X): Dᵀ S̄ E for every column of X."""
    D, E = matrices
    h, w, X = S_bar.shape
    half = (D.T @ np.ascontiguousarray(S_bar).reshape(h, w * X)).reshape(-1, w, X)
    M = half.shape[0]
    out = E.T @ np.ascontiguousarray(half.transpose(1, 0, 2)).reshape(w, M * X)  # (N, M X)
    return out.reshape(E.shape[1], M, X).transpose(1, 0, 2)


def _modulus_adjoint(Z, U, U_bar):
    """Z̄ = Ū · Z/|Z| (0 where Z = 0), overwriting U, Ū and Z (none is needed after).

    Where |Z| = 0, Z is 0 too: dividing by 1 there instead leaves a finite
    factor, and the product is 0.
    """
    U += U == 0
    np.divide(U_bar, U, out=U_bar)
    Z *= U_bar
    return Z


def _path_offsets(cascade):
    """Output offsets: order 1 of scale j, order 2 of (j1, j2) (θ1 stride, θ2 shift)."""
    C = [len(f) for f in cascade.filters1]
    J = len(C)
    offset1 = np.cumsum([1] + C)[:-1]
    offset2, base = {}, 1 + sum(C)
    for j1 in range(J):
        pairs = [j2 for j2 in range(J) if (j1, j2) in cascade.filters2]
        stride = sum(C[j2] for j2 in pairs)
        shift = 0
        for j2 in pairs:
            offset2[j1, j2] = (base, stride, shift)
            shift += C[j2]
        base += C[j1] * stride
    return offset1, offset2, base


def _invariant_weights(plan):
    """The output channels as linear maps of the raw paths, before any modulus.

    Returns ``(real, imag, is_dft, compressed)``: channel k is z_k = Σ_p W_kp S_p with
    W = real + i·imag (K, P); its value is |z_k| where ``is_dft`` (the modulus
    of an angular DFT), z_k otherwise (a raw path or a mean of paths), then
    compressed where ``compressed`` (orders >= 1). Cached on the plan.
    """
    key = "gradient_invariants"
    if key in plan._cache:
        return plan._cache[key]
    K, P = len(plan.groups), len(plan.paths)
    weights = np.zeros((K, P), dtype=complex)
    is_dft = np.zeros(K, dtype=bool)
    for k, (_, _, _, combine) in enumerate(plan.groups):
        op = combine[0]
        if op in ("raw", "mean"):
            members = combine[1]
            weights[k, members] += 1.0 / len(members)
        else:  # |Σ_t e^{-2πiqt/L} mean(S[members_t])| / L
            members, q = combine[1], combine[2]
            L = len(members)
            for t, m in enumerate(members):
                weights[k, m] += np.exp(-2j * np.pi * q * t / L) / (L * len(m))
            is_dft[k] = True
    compressed = np.array([order > 0 for order, _, _, _ in plan.groups]) & (
        plan.compression is not None)
    found = (np.ascontiguousarray(weights.real), np.ascontiguousarray(weights.imag), is_dft,
             compressed)
    plan._cache[key] = found
    return found


def _finish_vjp(raw, G, plan):
    """Cotangent of the raw paths (n, P, hw) from that of the output (n, n_features)."""
    n, _, hw = raw.shape
    G = G.reshape(n, -1, hw)
    if plan.rotation is None and plan.scale is None:  # the channels are the raw paths
        if plan.compression is None:
            return G
        values = raw[:, 1:]  # orders >= 1 are compressed, order 0 is not
        positive = values > 0
        safe = np.where(positive, values, 1)
        if plan.compression == "log":
            slope = 1 / (0.01 + safe)
        else:
            slope = plan.compression * safe ** (plan.compression - 1)
        raw_bar = G.copy()
        raw_bar[:, 1:] *= np.where(positive, slope, 0)
        return raw_bar
    real, imag, is_dft, compressed = _invariant_weights(plan)
    dtype = raw.dtype
    real, imag = real.astype(dtype), imag.astype(dtype)
    zr = np.matmul(real, raw)  # (n, K, hw)
    zi = np.matmul(imag, raw) if is_dft.any() else None
    if zi is not None:
        modulus = np.hypot(zr, zi)
        values = np.where(is_dft[:, None], modulus, zr)
    else:
        values = zr
    g = G
    if compressed.any():
        positive = values > 0
        safe = np.where(positive, values, 1)
        if plan.compression == "log":
            slope = 1 / (0.01 + safe)
        else:
            slope = plan.compression * safe ** (plan.compression - 1)
        slope = np.where(positive, slope, 0)
        g = np.where(compressed[:, None], g * slope, g)
    if zi is None:
        return np.matmul(real.T, g)
    safe = np.where(modulus > 0, modulus, 1)
    unit_r = np.where(is_dft[:, None], np.where(modulus > 0, zr / safe, 0), 1)
    unit_i = np.where(is_dft[:, None], np.where(modulus > 0, zi / safe, 0), 0)
    return np.matmul(real.T, g * unit_r) + np.matmul(imag.T, g * unit_i)


# Images per pass: as many as keep the largest complex response of a layer within about
# the cache (16 at 28², J=2, L=8, in float32; 1 at 128², where passes of 16 images
# were 3–4x slower than passes of 1 or 2), and at most SUB_CHUNK.
SUB_CHUNK = 16
CACHE_BYTES = 4 * 2**20


def pass_size(plan, dtype):
    """Images per pass of :func:`scattering_vjp` (depends on the plan and dtype only)."""
    cascade = cascade_of(plan)
    M, N = cascade.padded
    C = [len(f) for f in cascade.filters1]
    sizes = [(M >> r) * (N >> r) * c for r, c in zip(cascade.res1, C)]
    sizes += [(M >> cascade.res2[j1, j2]) * (N >> cascade.res2[j1, j2]) * C[j1] * C[j2]
              for j1, j2 in cascade.filters2]
    itemsize = np.dtype(np.result_type(dtype, np.complex64)).itemsize
    return int(min(SUB_CHUNK, max(1, CACHE_BYTES // (max(sizes) * itemsize))))


def scattering_vjp(plan, X, G, out, start=0, total=None):
    """Write the gradient of ``sum(G * scattering(X))`` (flattened images) into ``out``.

    ``X`` holds the images ``start`` … ``start + n − 1`` of a batch of ``total``.
    They are computed in passes of a fixed number of images aligned to that
    index (a partial pass is completed with zero images and cotangents), so
    every matrix product has the same shapes, and each image the same place in
    them, whatever the outer chunks: results are bit-identical for every
    ``batch_size`` and ``n_jobs``.
    """
    n = len(X)
    total = n if total is None else total
    step = max(1, min(pass_size(plan, X.dtype), total))
    for block in range(start - start % step, start + n, step):
        lo, hi = max(block, start), min(block + step, start + n)
        if lo == block and hi == block + step:
            _scattering_vjp(plan, X[lo - start:hi - start], G[lo - start:hi - start],
                            out[lo - start:hi - start])
            continue
        Xb = np.zeros((step, *X.shape[1:]), dtype=X.dtype)
        Gb = np.zeros((step, G.shape[1]), dtype=G.dtype)
        ob = np.empty((step, out.shape[1]), dtype=out.dtype)
        Xb[lo - block:hi - block] = X[lo - start:hi - start]
        Gb[lo - block:hi - block] = G[lo - start:hi - start]
        _scattering_vjp(plan, Xb, Gb, ob)
        out[lo - start:hi - start] = ob[lo - block:hi - block]


def _scattering_vjp(plan, X, G, out):
    cascade = cascade_of(plan)
    kern = _kernels(plan, cascade, X.dtype)
    n = len(X)
    H, W = cascade.input_shape
    M, N = cascade.padded
    C = [len(f) for f in cascade.filters1]
    J = len(C)
    h, w = plan.out_shape
    # --- forward, keeping the responses before each modulus
    x = np.ascontiguousarray(X.transpose(1, 2, 0))  # (H, W, n): frequencies first
    if cascade.padding is None:
        xp = x
    elif cascade.padding[0] == "zero":
        top, left = cascade.padding[1]
        xp = np.zeros((M, N, n), dtype=X.dtype)
        xp[top:top + H, left:left + W] = x
    else:
        xp = x.reshape(H * W, n)[kern.pad_index].reshape(M, N, n)
    spectrum = scipy.fft.fft2(xp, axes=(0, 1), workers=1).astype(kern.complex, copy=False)
    offset1, offset2, n_paths = _path_offsets(cascade)
    raw = np.empty((h, w, n_paths, n), dtype=X.dtype)
    raw[:, :, 0] = _lowpass(xp, kern.lowpass[0])
    first, second = {}, {}
    for j1 in range(J):
        r1 = cascade.res1[j1]
        Z1 = _sampled_response(spectrum, kern.scaled1[j1], 2 ** r1)  # (M1, N1, C1, n)
        U1 = np.abs(Z1)
        M1, N1 = U1.shape[:2]
        raw[:, :, offset1[j1]:offset1[j1] + C[j1]] = _lowpass(
            U1.reshape(M1, N1, -1), kern.lowpass[r1]).reshape(h, w, C[j1], n)
        first[j1] = Z1, U1
        pairs = [j2 for j2 in range(J) if (j1, j2) in cascade.filters2]
        if not pairs:
            continue
        U1_hat = scipy.fft.fft2(U1.reshape(M1, N1, -1), axes=(0, 1), workers=1)
        for j2 in pairs:
            r2 = cascade.res2[j1, j2]
            Z2 = _sampled_response(U1_hat, kern.scaled2[j1, j2], 2 ** (r2 - r1))
            M2, N2 = Z2.shape[:2]  # Z2: (M2, N2, C2, C1 n)
            U2 = np.abs(Z2)
            S2 = _lowpass(U2.reshape(M2, N2, -1), kern.lowpass[r2]).reshape(
                h, w, C[j2], C[j1], n)
            base, stride, shift = offset2[j1, j2]
            block = raw[:, :, base:base + C[j1] * stride].reshape(h, w, C[j1], stride, n)
            block[:, :, :, shift:shift + C[j2]] = S2.transpose(0, 1, 3, 2, 4)
            second[j1, j2] = Z2, U2
    raw = np.ascontiguousarray(raw.transpose(3, 2, 0, 1)).reshape(n, n_paths, h * w)
    # --- backward
    raw_bar = _finish_vjp(raw, G, plan).reshape(n, n_paths, h, w).transpose(2, 3, 1, 0)
    xp_bar = _lowpass_adjoint(raw_bar[:, :, 0], kern.lowpass[0])
    spectrum_bar = np.zeros((M, N, n), dtype=kern.complex)
    for j1 in range(J):
        r1 = cascade.res1[j1]
        Z1, U1 = first.pop(j1)
        M1, N1 = Z1.shape[:2]
        U1_bar = _lowpass_adjoint(
            np.ascontiguousarray(raw_bar[:, :, offset1[j1]:offset1[j1] + C[j1]]).reshape(
                h, w, -1), kern.lowpass[r1]).reshape(M1, N1, C[j1], n)
        pairs = [j2 for j2 in range(J) if (j1, j2) in cascade.filters2]
        if pairs:
            U1_hat_bar = np.zeros((M1, N1, C[j1] * n), dtype=kern.complex)
            for j2 in pairs:
                r2 = cascade.res2[j1, j2]
                Z2, U2 = second.pop((j1, j2))
                M2, N2 = Z2.shape[:2]
                base, stride, shift = offset2[j1, j2]
                S2_bar = raw_bar[:, :, base:base + C[j1] * stride].reshape(
                    h, w, C[j1], stride, n)[:, :, :, shift:shift + C[j2]]
                U2_bar = _lowpass_adjoint(
                    np.ascontiguousarray(S2_bar.transpose(0, 1, 3, 2, 4)).reshape(h, w, -1),
                    kern.lowpass[r2]).reshape(M2, N2, C[j2], C[j1] * n)
                U1_hat_bar += _response_adjoint(_modulus_adjoint(Z2, U2, U2_bar),
                                                kern.blocks2[j1, j2], 2 ** (r2 - r1))
            U1_bar += scipy.fft.ifft2(U1_hat_bar, axes=(0, 1), workers=1,
                                      overwrite_x=True).real.reshape(M1, N1, C[j1], n)
        spectrum_bar += _response_adjoint(_modulus_adjoint(Z1, U1, U1_bar), kern.blocks1[j1],
                                          2 ** r1)
    xp_bar += scipy.fft.ifft2(spectrum_bar, axes=(0, 1), workers=1, overwrite_x=True).real
    if cascade.padding is None:
        x_bar = xp_bar
    elif cascade.padding[0] == "zero":
        top, left = cascade.padding[1]
        x_bar = xp_bar[top:top + H, left:left + W]
    else:
        x_bar = (kern.unpad @ xp_bar.reshape(M * N, n)).reshape(H, W, n)
    out[:] = np.ascontiguousarray(x_bar.transpose(2, 0, 1)).reshape(n, -1)
