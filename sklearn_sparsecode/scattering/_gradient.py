"""The vector–Jacobian product of the scattering transform.

The gradient needs the complex responses before each modulus. It runs the
forward kernels of :mod:`._kernels` (the very pass ``transform`` runs, on the
same inner chunks) and reads the responses and moduli from their work
buffers, which keep every layer and scale until the next chunk; then it goes
back through the cascade in the kernels' own layouts.

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

Cost: one forward, then about as many FFTs and products backwards. Measured
(``benchmarks/bench_gradients.py``, CPU time, one thread, J=2, L=8, float32):
2.03x the forward on 100 128×128 images and 2.36x on 1,000 28×28 images, down
from 3.0–3.14x and 2.7–2.8x for a separate differentiable re-run of the
cascade (full complex FFTs of the real U1 and its own slower products) and a
modulus adjoint that scaled (re, im) pairs through a broadcast trailing axis
of 2 (5.7x slower than NumPy's complex-by-real multiply).
"""

import numpy as np
import scipy.fft

from ._kernels import _cascade_chunk, _merged_buffer, inner_chunk

__all__ = ["scattering_vjp"]


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


class _Adjoints:
    """The adjoints' matrices of one forward kernel set (:class:`._kernels._Kernels`).

    ``fold[j]`` (first layer, r1 > 0) and ``fold[j1, j2]`` (second layer):
    ``(M'N', s², C)`` real, the filter values at the s × s aliases of every
    coarse frequency, transposed against the forward's ``(C, s²)`` factors
    (:func:`._kernels.alias_filters`) and not divided by s² (the adjoint of
    sampling tiles; the forward's 1/s² and the inverse FFT's 1/(M'N') against
    the forward FFT's M N cancel). ``filters[j]`` (r1 = 0): the real filters
    ``(C, M, N)`` on the whole spectrum (the forward's ``product`` carries the
    conjugation signs of its half-spectrum read, which the adjoint on the full
    spectrum has not).
    """

    def __init__(self, k):
        spec = k.spec
        self.fold, self.filters = {}, {}
        for j, r in enumerate(spec.res1):
            if r > 0:
                self.fold[j] = _transposed_fold(spec.filters1[j], 2 ** r, k.f)
            else:
                self.filters[j] = np.ascontiguousarray(spec.filters1[j], dtype=k.f)
        for (j1, j2), F in spec.filters2.items():
            self.fold[j1, j2] = _transposed_fold(F, 2 ** (spec.res2[j1, j2] - spec.res1[j1]),
                                                 k.f)
        self.unpad_rows = self.unpad_cols = None
        if spec.padding is not None and spec.padding[0] == "index":
            # The plans pad each axis on its own (flat = rows[:, None] W + cols): the
            # adjoint is Rᵀ X̄ C with 0/1 matrices, two small products (28², 9 images:
            # 0.018 ms against 0.086 ms for a sparse (M N) × (H W) map).
            H, W = spec.input_shape
            M, N = spec.padded
            flat = np.asarray(spec.padding[1], dtype=np.intp).reshape(M, N)
            rows, cols = flat[:, 0] // W, flat[0] % W
            if not np.array_equal(flat, rows[:, None] * W + cols[None, :]):
                raise NotImplementedError("the scattering VJP needs a padding by axis")
            self.unpad_rows = np.zeros((H, M), dtype=k.f)
            self.unpad_rows[rows, np.arange(M)] = 1
            self.unpad_cols = np.zeros((N, W), dtype=k.f)
            self.unpad_cols[np.arange(N), cols] = 1


def _transposed_fold(filters, s, dtype):
    """(C, M, N) real filters → (M/s · N/s, s², C): Z̄'s spectrum (filters) to the
    full spectrum's aliases at each coarse frequency, one real product
    ``(s², C) @ (C, 2 X)`` (real and imaginary parts interleaved along X)."""
    C, M, N = filters.shape
    Mc, Nc = M // s, N // s
    P = filters.reshape(C, s, Mc, s, Nc).transpose(2, 4, 1, 3, 0).reshape(Mc * Nc, s * s, C)
    return np.ascontiguousarray(P, dtype=dtype)


def _adjoints(k):
    adjoints = getattr(k, "adjoints", None)
    if adjoints is None:  # built once per kernel set (a benign race: same values)
        adjoints = k.adjoints = _Adjoints(k)
    return adjoints


def _modulus_adjoint(Z, U, U_bar):
    """Z̄ = Ū · Z/|Z| in the buffer of Z (Ū is overwritten; U is kept).

    Where |Z| = 0, Z is 0 too and Ū/|Z| is left as Ū: the product is 0. The
    complex-by-real product is NumPy's mixed-type multiply (0.75 ms on 68² × 128
    complex64), 5.7x faster than scaling the (re, im) pairs through a broadcast
    trailing axis of 2 (4.3 ms).
    """
    np.divide(U_bar, U, out=U_bar, where=U > 0)
    np.multiply(Z, U_bar, out=Z)
    return Z


def _fold_adjoint(k, Z_bar, P, s, ws, key):
    """Σ_c ψ̂_c · tile(F Z̄_c), full spectrum ``(X, M, N)``, from Z̄ ``(M', N', C, X)``
    (the forward's layout, :func:`._kernels._fold`)."""
    Mc, Nc, C, X = Z_bar.shape
    T = scipy.fft.fft2(Z_bar.reshape(Mc, Nc, C * X), axes=(0, 1), overwrite_x=True, workers=1)
    B = k.buffer(ws, ("vjpB",) + key, (Mc * Nc, s * s, X), k.c)
    np.matmul(P, T.view(k.f).reshape(Mc * Nc, C, 2 * X), out=B.view(k.f))
    Y = k.buffer(ws, ("vjpY",) + key, (X, s, Mc, s, Nc), k.c)
    Y[...] = B.reshape(Mc, Nc, s, s, X).transpose(4, 2, 0, 3, 1)
    return Y.reshape(X, s * Mc, s * Nc)


def _lowpass_adjoint_images_first(k, S_bar, r, ws, key):
    """S̄ (B, h, w) → (B, M_r, N_r): Dᵀ S̄ E per map."""
    D, E = k.D[r], k.E[r]
    B = S_bar.shape[0]
    T = k.buffer(ws, ("vjpT",) + key, (B, D.shape[1], E.shape[0]), k.f)
    np.matmul(D.T, S_bar, out=T)
    U = k.buffer(ws, ("vjpU",) + key, (B, D.shape[1], E.shape[1]), k.f)
    np.matmul(T.reshape(-1, E.shape[0]), E, out=U.reshape(-1, E.shape[1]))
    return U


def _lowpass_adjoint_frequencies_first(k, S_bar, r, ws, key):
    """S̄ (h, w, X) → (M_r, N_r, X): Eᵀ along the second axis, then Dᵀ along the first."""
    D, E = k.D[r], k.E[r]
    h, _, X = S_bar.shape
    Mr, Nr = D.shape[1], E.shape[1]
    T = k.buffer(ws, ("vjpT",) + key, (h, Nr, X), k.f)
    np.matmul(k.Et[r], S_bar, out=T)
    U = k.buffer(ws, ("vjpU",) + key, (Mr, Nr, X), k.f)
    np.matmul(D.T, T.reshape(h, Nr * X), out=U.reshape(Mr, Nr * X))
    return U


def scattering_vjp(plan, X, G, out, start=0, total=None):
    """Write the gradient of ``sum(G * scattering(X))`` (flattened images) into ``out``.

    ``X`` holds the images ``start`` … ``start + n − 1`` of a batch of ``total``.
    They go in the forward's inner chunks (:func:`._kernels.cascade`), aligned to
    that index (a partial chunk is completed with zero images and cotangents),
    so every matrix product has the same shapes, and each image the same place
    in them, whatever the outer chunks: results are bit-identical for every
    ``batch_size`` and ``n_jobs``.
    """
    spec = plan.spec
    n = len(X)
    total = n if total is None else total
    step = max(1, min(inner_chunk(spec, X.dtype), total))
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
    """One inner chunk: the forward kernels' own pass (their buffers keep every
    response and modulus, one buffer per layer and scale), then back through it."""
    spec = plan.spec
    if spec.second_layer_hook is not None:  # not differentiated (not set by any plan)
        raise NotImplementedError("the scattering VJP does not go through a second-layer hook")
    k = spec.kernels(X.dtype)
    adj = _adjoints(k)
    n = len(X)
    H, W = spec.input_shape
    M, N = spec.padded
    C = k.counts
    J = len(C)
    h, w = spec.out_shape
    P = spec.n_paths
    ws = k.workspace(n)
    raw = k.buffer(ws, ("vjp_raw",), (n, P, h, w), k.f)
    _cascade_chunk(spec, X, raw)
    raw_bar = np.ascontiguousarray(_finish_vjp(raw.reshape(n, P, h * w), G, plan)).reshape(
        n, P, h, w)
    spectrum_bar = k.buffer(ws, ("vjp_spectrum",), (n, M, N), k.c)
    spectrum_bar[...] = 0
    if spec.res1[0] != 0:
        xp_bar = _lowpass_adjoint_images_first(k, raw_bar[:, 0], 0, ws, ("0",)).copy()
    for j1 in range(J):
        C1, r1, o1 = C[j1], spec.res1[j1], k.offset1[j1]
        M1, N1 = M >> r1, N >> r1
        pairs = spec.pairs(j1) if spec.max_order == 2 else []
        # --- Ū1 from the low-pass of order 1, in the layout of U1
        if r1 == 0:
            if j1 == 0:
                both = _lowpass_adjoint_images_first(
                    k, raw_bar[:, :1 + C1].reshape(-1, h, w), 0, ws, ("1", 0)).reshape(
                    n, 1 + C1, M1, N1)
                xp_bar = both[:, 0].copy()
                U1_bar = both[:, 1:]
                U1 = _merged_buffer(k, n, ws)[:, 1:]
            else:
                U1_bar = _lowpass_adjoint_images_first(
                    k, raw_bar[:, o1:o1 + C1].reshape(-1, h, w), 0, ws, ("1", j1)).reshape(
                    n, C1, M1, N1)
                U1 = ws[("U1", j1)]
            Z1 = ws[("Z1", j1)]
        else:
            S1_bar = np.ascontiguousarray(raw_bar[:, o1:o1 + C1].transpose(2, 3, 1, 0))
            U1_bar = _lowpass_adjoint_frequencies_first(
                k, S1_bar.reshape(h, w, C1 * n), r1, ws, ("1", j1))  # (M1, N1, C1 n)
            U1 = ws[("U1", j1)]
            Z1 = ws[("Z", "1", j1)]
        # --- second layer, back into Ū1
        if pairs:
            Y1 = None
            for j2 in pairs:
                C2, r2 = C[j2], spec.res2[j1, j2]
                base, stride, shift = k.offset2[j1, j2]
                # (h, w, C2, X): X = (n, C1) when r1 = 0 ("nc"), else (C1, n)
                S2_bar = np.ascontiguousarray(raw_bar[:, base:base + C1 * stride].reshape(
                    n, C1, stride, h, w)[:, :, shift:shift + C2].transpose(
                    (3, 4, 2, 0, 1) if r1 == 0 else (3, 4, 2, 1, 0)))
                U2_bar = _lowpass_adjoint_frequencies_first(
                    k, S2_bar.reshape(h, w, -1), r2, ws, ("2", j1, j2))
                U2 = ws[("U2", j1, j2)]
                Z2 = ws[("Z", "2", j1, j2)]
                M2, N2 = U2.shape[:2]
                Z2 = _modulus_adjoint(Z2.reshape(M2, N2, -1), U2, U2_bar)
                Y = _fold_adjoint(k, Z2.reshape(M2, N2, C2, n * C1), adj.fold[j1, j2],
                                  2 ** (r2 - r1), ws, ("2", j1, j2))
                if Y1 is None:
                    Y1 = Y
                else:
                    Y1 += Y
            # Re F⁻¹ by the complex inverse FFT: a real inverse FFT of the Hermitian
            # parts on the half spectrum was no faster (16 maps of 136²: 3.0 ms for
            # irfft2 plus 1 ms to symmetrise, against 3.9-4.9 ms for ifft2).
            U1_rest = scipy.fft.ifft2(Y1, overwrite_x=True, workers=1).real  # (X, M1, N1)
            if r1 == 0:
                U1_bar += U1_rest.reshape(n, C1, M1, N1)
            else:
                U1_bar += U1_rest.reshape(n * C1, M1 * N1).T.reshape(M1, N1, n * C1)
        # --- first layer, back into the spectrum of the padded images
        if r1 == 0:
            Z1 = _modulus_adjoint(Z1, U1, U1_bar)
            T = scipy.fft.fft2(Z1, overwrite_x=True, workers=1)
            np.multiply(T, adj.filters[j1], out=T)  # complex by real (no signs: full spectrum)
            spectrum_bar += T.sum(axis=1)
        else:
            Z1 = _modulus_adjoint(Z1.reshape(M1, N1, n * C1), U1.reshape(M1, N1, n * C1), U1_bar)
            spectrum_bar += _fold_adjoint(k, Z1.reshape(M1, N1, C1, n), adj.fold[j1], 2 ** r1,
                                          ws, ("1", j1))
    xp_bar += scipy.fft.ifft2(spectrum_bar, overwrite_x=True, workers=1).real
    if spec.padding is None:
        x_bar = xp_bar.reshape(n, -1)
    elif spec.padding[0] == "zero":
        top, left = spec.padding[1]
        x_bar = xp_bar[:, top:top + H, left:left + W].reshape(n, -1)
    else:
        x_bar = np.matmul(adj.unpad_rows, np.matmul(xp_bar, adj.unpad_cols)).reshape(n, -1)
    out[:] = x_bar
