"""The cascade kernels shared by :class:`ScatteringTransformer` and :class:`Scattering2D`.

A :class:`CascadeSpec` holds what one scattering network needs, whatever its
filters: the padding of the input, the first-layer filters (on the padded
grid) of every scale j with the resolution r1 at which |x⋆ψ_j| is sampled,
the second-layer filters of every scale pair (j1, j2) on the grid of r1 with
the resolution r2 of ||x⋆ψ_j1|⋆ψ_j2|, and the separable low-pass (φ, output
sampling and crop) of every resolution as two small matrices. :func:`cascade`
computes the raw coefficients ``(n, n_paths, h, w)`` of a chunk of images in
Kymatio's path order: order 0; order 1 by (j1, θ1); order 2 by (j1, θ1, j2, θ2).

How a chunk is computed (all paths of a resolution in one call each):

* one FFT of the padded images (real input);
* scales with r1 = 0: one broadcast product of the spectra with all filters,
  one inverse FFT, one modulus, images first ``(n, C, M, N)``;
* scales with r1 > 0, and every second layer: sampling a convolution every
  s = 2^r pixels is the inverse FFT, on the coarse grid, of its spectrum summed
  over the s × s aliases of each coarse frequency (divided by s²). The half
  spectra of the real inputs (``rfft2``) are stacked with their conjugates,
  frequencies first ``[X; conj X]`` (conjugate symmetry gives the other half);
  one gather of whole rows collects the aliases of every coarse frequency, and
  the alias sums with the (real) filter values are one real matrix product per
  coarse frequency, ``(C, s²) @ (s², 2 X)`` (columns: images × input maps, real
  and imaginary parts interleaved, so the result is complex as it stands); the
  results are laid out frequencies first ``(M', N', C, X)`` and inverse FFT'd
  along the first two axes;
* every low-pass is φ sampled, which is separable (φ is a product of two
  1-D periodic Gaussians), so it is D U Eᵀ: two small matrix products.

Work buffers are kept per thread and chunk size and reused (fresh arrays of a
few MB cost more in page faults than the arithmetic done in them).

Hook for a joint filtering along θ1 (roto-translation scattering): the
second-layer complex responses of a chunk, shown as ``(M2, N2, n, C1, C2)`` (a
transposed view of the buffer) before the modulus, pass through
``spec.second_layer_hook(z, j1, j2)`` when it is set (:func:`_second_layer` is
where it is called).
"""

import threading
from dataclasses import dataclass, field

import numpy as np
import scipy.fft


def half_spectrum_aliases(shape, s, half=True):
    """Where the s × s aliases of every coarse frequency sit in a spectrum of ``shape``.

    Returns ``(index, conjugate)``, both ``(M/s · N/s, s²)``: flat indices into the
    half spectrum ``(M, N//2 + 1)`` of a real signal (or into the full spectrum
    when ``half`` is False), and whether the value there must be conjugated
    (frequencies of the other half, X(k) = conj X(−k)).
    """
    M, N = shape
    Mc, Nc = M // s, N // s
    kc, lc, a, b = np.meshgrid(np.arange(Mc), np.arange(Nc), np.arange(s), np.arange(s),
                               indexing="ij")
    k, l = kc + a * Mc, lc + b * Nc
    if not half:
        index, conjugate = k * N + l, np.zeros(k.shape, bool)
    else:
        Nh = N // 2 + 1
        conjugate = l > N // 2
        index = np.where(conjugate, ((-k) % M) * Nh + (N - l) % N, k * Nh + l)
    return index.reshape(Mc * Nc, s * s), conjugate.reshape(Mc * Nc, s * s)


def alias_filters(filters, s):
    """Filter values at the s × s aliases of every coarse frequency: ``(M/s · N/s, C, s²)``.

    Divided by s² (the sampling), real: the left factor of the alias sums
    ``(C, s²) @ (s², 2 X)`` of :func:`_fold`.
    """
    C, M, N = filters.shape
    Mc, Nc = M // s, N // s
    P = filters.reshape(C, s, Mc, s, Nc).transpose(2, 4, 0, 1, 3).reshape(Mc * Nc, C, s * s)
    return P / (s * s)


def doubled_index(shape, s):
    """Rows of the doubled half spectrum ``[X; conj X]`` (:func:`_doubled`) holding the
    s × s aliases of every coarse frequency, flat ``(M/s · N/s · s²,)``: a conjugated
    value is read from the second half (its row + F, F = M (N//2 + 1))."""
    index, conjugate = half_spectrum_aliases(shape, s)
    F = shape[0] * (shape[1] // 2 + 1)
    return np.where(conjugate, index + F, index).ravel()


@dataclass(eq=False)
class CascadeSpec:
    """What the cascade kernels need, in float64 (cast once per dtype, cached).

    Attributes
    ----------
    input_shape : (H, W)
        Shape of the images given to :func:`cascade`.
    padded : (M, N)
        Grid of the first FFT; M and N divisible by 2^max(resolution).
    padding : None, ("index", flat) or ("zero", (top, left))
        None: the input is already the padded grid. ``flat``: indices into the
        flattened image of every padded pixel (reflect, symmetric). ``zero``:
        the image is placed at (top, left) in zeros.
    filters1 : list of (C_j, M, N) arrays
        Real Fourier filters of the first layer, scale j, on the padded grid.
    res1 : tuple of int
        log2 of the sampling step of |x⋆ψ_j|.
    filters2 : dict (j1, j2) -> (C_j2, M >> r1, N >> r1)
        Second-layer filters on the grid of |x⋆ψ_j1|.
    res2 : dict (j1, j2) -> int
        log2 of the sampling step of ||x⋆ψ_j1|⋆ψ_j2| (>= res1[j1]).
    lowpass : dict r -> (D, E)
        (h, M >> r) and (w, N >> r): φ at resolution r, sampled and cropped.
    max_order : {1, 2}
    second_layer_hook : callable or None
        ``hook(z, j1, j2)`` may modify the second-layer responses ``z``
        (complex, ``(M2, N2, n, C1, C2)``) in place before their modulus.
    """

    input_shape: tuple
    padded: tuple
    padding: object
    filters1: list
    res1: tuple
    filters2: dict
    res2: dict
    lowpass: dict
    max_order: int
    second_layer_hook: object = None
    _cache: dict = field(default_factory=dict, repr=False)
    _lock: object = field(default_factory=threading.Lock, repr=False)

    @property
    def counts(self):
        return tuple(len(f) for f in self.filters1)

    @property
    def out_shape(self):
        D, E = self.lowpass[0]
        return (D.shape[0], E.shape[0])

    @property
    def n_paths(self):
        C = self.counts
        n = 1 + sum(C)
        if self.max_order == 2:
            n += sum(C[j1] * C[j2] for j1, j2 in self.filters2)
        return n

    def pairs(self, j1):
        return [j2 for j2 in range(len(self.filters1)) if (j1, j2) in self.filters2]

    def __getstate__(self):  # pickled without the per-dtype kernels and their buffers
        state = self.__dict__.copy()
        state["_cache"] = {}
        del state["_lock"]
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def kernels(self, dtype):
        """The filters, indices and weights in ``dtype`` (built once, thread-safe)."""
        dtype = np.dtype(dtype)
        with self._lock:
            if dtype not in self._cache:
                self._cache[dtype] = _Kernels(self, dtype)
            return self._cache[dtype]


class _Kernels:
    """A :class:`CascadeSpec` cast to one dtype, with per-thread work buffers."""

    def __init__(self, spec, dtype):
        self.spec = spec
        self.f = dtype
        self.c = np.result_type(dtype, np.complex64)
        J = len(spec.filters1)
        M, N = spec.padded
        self.counts = spec.counts
        # The padded images go through one rfft2 (real input). Products at r1 = 0 need
        # the whole spectrum: its other half is read back by conjugate symmetry
        # (``full_index``), the conjugation being a sign on the imaginary weights.
        index, conj = half_spectrum_aliases((M, N), 1)
        self.full_index = index.ravel()
        self.product, self.fold1 = {}, {}
        for j in range(J):
            F, r = spec.filters1[j], spec.res1[j]
            if r == 0:  # (1, C, 2 M N): (ψ̂, ±ψ̂) for each (re, im)
                P = np.repeat(F.reshape(len(F), M * N, 1), 2, axis=-1)
                P[:, conj.ravel(), 1] *= -1
                self.product[j] = P.reshape(1, len(F), -1).astype(dtype)
            else:
                self.fold1[j] = (doubled_index((M, N), 2**r),
                                 alias_filters(F, 2**r).astype(dtype))
        self.fold2 = {}
        for (j1, j2), F in spec.filters2.items():
            grid = (M >> spec.res1[j1], N >> spec.res1[j1])
            s = 2 ** (spec.res2[j1, j2] - spec.res1[j1])
            self.fold2[j1, j2] = (doubled_index(grid, s), alias_filters(F, s).astype(dtype))
        self.D = {r: np.ascontiguousarray(D, dtype=dtype) for r, (D, _) in spec.lowpass.items()}
        self.E = {r: np.ascontiguousarray(E, dtype=dtype) for r, (_, E) in spec.lowpass.items()}
        self.Et = {r: np.ascontiguousarray(E.T) for r, E in self.E.items()}
        # banded low-pass blocks for large grids (None: one dense product)
        self.D_pieces = {r: band_pieces(D) for r, D in self.D.items()}
        self.E_pieces = {r: band_pieces(E) for r, E in self.E.items()}
        if spec.padding is not None and spec.padding[0] == "index":
            self.pad_index = np.asarray(spec.padding[1], dtype=np.intp)
        self._local = threading.local()
        # output offsets: order 1 of scale j, order 2 of (j1, j2) (θ1 stride, θ2 offset)
        C = self.counts
        self.offset1 = np.cumsum([1] + list(C))[:-1]
        self.offset2 = {}
        base = 1 + sum(C)
        for j1 in range(J):
            pairs = spec.pairs(j1) if spec.max_order == 2 else []
            stride = sum(C[j2] for j2 in pairs)
            shift = 0
            for j2 in pairs:
                self.offset2[j1, j2] = (base, stride, shift)
                shift += C[j2]
            base += C[j1] * stride

    def workspace(self, n):
        """Buffers for a chunk of ``n`` images, kept per thread (two chunk sizes:
        the regular one and the last, smaller chunk of a batch)."""
        spaces = getattr(self._local, "spaces", None)
        if spaces is None:
            spaces = self._local.spaces = {}
        if n not in spaces:
            if len(spaces) >= 2:
                spaces.pop(next(iter(spaces)))
            spaces[n] = {}
        return spaces[n]

    def buffer(self, ws, key, shape, dtype):
        buf = ws.get(key)
        if buf is None:
            buf = ws[key] = np.empty(shape, dtype)
        return buf


def band_pieces(A, block=8, tol=1e-10, dense_above=0.6):
    """The low-pass matrix ``A`` (n_out, n_in) cut into banded blocks, or None (dense).

    φ sampled at stride 2^(J−r) is a Gaussian band: each output row needs only
    the input columns within a few σ of its sample (entries below ``tol`` of the
    maximum are dropped; Kymatio's φ at J=3 on 272 pixels: 43 of 272 columns a
    row). Returns ``[(o0, o1, [(i0, i1, A[o0:o1, i0:i1]), ...]), ...]`` for blocks
    of ``block`` output rows, each with the smallest circular window of
    input columns it needs (two pieces when the window wraps), or None when the
    windows cover more than ``dense_above`` of the matrix (small images: one
    dense product is then faster).
    """
    n_out, n_in = A.shape
    mask = np.abs(A) > tol * np.abs(A).max()
    pieces, area = [], 0
    for o0 in range(0, n_out, block):
        o1 = min(o0 + block, n_out)
        cols = np.flatnonzero(mask[o0:o1].any(axis=0))
        if len(cols) == 0:
            cols = np.array([0])
        gaps = np.diff(np.r_[cols, cols[0] + n_in])  # circular gaps between needed columns
        g = int(np.argmax(gaps))
        start, length = int(cols[(g + 1) % len(cols)]), n_in - int(gaps[g]) + 1
        windows = ([(start, start + length)] if start + length <= n_in
                   else [(start, n_in), (0, start + length - n_in)])
        pieces.append((o0, o1, [(i0, i1, np.ascontiguousarray(A[o0:o1, i0:i1]))
                                for i0, i1 in windows]))
        area += (o1 - o0) * length
    return None if area > dense_above * A.size else pieces


def _banded(pieces, apply):
    """Run ``apply(o0, o1, i0, i1, block, accumulate)`` over the pieces of a band."""
    for o0, o1, windows in pieces:
        for number, (i0, i1, block) in enumerate(windows):
            apply(o0, o1, i0, i1, block, number > 0)


def _lowpass_images_first(k, U, r, ws, key):
    """U (B, M_r, N_r) → (B, h, w): D U Eᵀ per map."""
    D, Et = k.D[r], k.Et[r]
    B, h, w = U.shape[0], D.shape[0], Et.shape[1]
    T = k.buffer(ws, ("lpT",) + key, (B, h, U.shape[2]), k.f)
    S = k.buffer(ws, ("lpS",) + key, (B, h, w), k.f)
    T2, S2 = T.reshape(B * h, -1), S.reshape(B * h, w)
    if k.D_pieces[r] is None:
        np.matmul(D, U, out=T)
    else:
        def rows(o0, o1, i0, i1, block, accumulate):
            if accumulate:
                T[:, o0:o1] += np.matmul(block, U[:, i0:i1])
            else:
                np.matmul(block, U[:, i0:i1], out=T[:, o0:o1])
        _banded(k.D_pieces[r], rows)
    if k.E_pieces[r] is None:
        np.matmul(T2, Et, out=S2)
    else:
        def cols(o0, o1, i0, i1, block, accumulate):
            if accumulate:
                S2[:, o0:o1] += T2[:, i0:i1] @ block.T
            else:
                np.matmul(T2[:, i0:i1], block.T, out=S2[:, o0:o1])
        _banded(k.E_pieces[r], cols)
    return S


def _lowpass_frequencies_first(k, U, r, ws, key):
    """U (M_r, N_r, X) → (h, w, X): E along the second axis, then D along the first."""
    D, E = k.D[r], k.E[r]
    Mr, _, X = U.shape
    h, w = D.shape[0], E.shape[0]
    T = k.buffer(ws, ("lpT",) + key, (Mr, w, X), k.f)
    S = k.buffer(ws, ("lpS",) + key, (h, w, X), k.f)
    if k.E_pieces[r] is None:
        np.matmul(E, U, out=T)
    else:
        def cols(o0, o1, i0, i1, block, accumulate):
            if accumulate:
                T[:, o0:o1] += np.matmul(block, U[:, i0:i1])
            else:
                np.matmul(block, U[:, i0:i1], out=T[:, o0:o1])
        _banded(k.E_pieces[r], cols)
    T2, S2 = T.reshape(Mr, w * X), S.reshape(h, w * X)
    if k.D_pieces[r] is None:
        np.matmul(D, T2, out=S2)
    else:
        def rows(o0, o1, i0, i1, block, accumulate):
            if accumulate:
                S2[o0:o1] += block @ T2[i0:i1]
            else:
                np.matmul(block, T2[i0:i1], out=S2[o0:o1])
        _banded(k.D_pieces[r], rows)
    return S


def _doubled(k, spectrum, ws, key, frequencies_first=False):
    """``[X; conj X]`` (2 F, X) of half spectra ``spectrum`` (X, F), or (F, X) when
    ``frequencies_first``: the rows :func:`_fold` gathers (a conjugated alias is a
    row of the second half, so the gather needs no sign pass)."""
    S = spectrum if frequencies_first else spectrum.T
    F = S.shape[0]
    D = k.buffer(ws, ("doubled",) + key, (2 * F, S.shape[1]), k.c)
    D[:F] = S
    np.conjugate(D[:F], out=D[F:])  # from the contiguous copy (a second strided read costs more)
    return D


def _fold(k, doubled, fold, grid, ws, key):
    """Alias sums of every filter: (M', N', C, X) complex from ``doubled`` (2 F, X).

    One gather of whole rows (the aliases of every coarse frequency, each a row
    of X spectra), then per coarse frequency a real product
    ``(C, s²) @ (s², 2 X)``: the filters are real, so real and imaginary parts
    (interleaved along X) share the weights, and the result is already complex
    interleaved for the inverse FFT. Measured against the earlier layout
    ``(X, 2 s²) @ (2 s², 2 C)`` (half of whose weights were zeros, gathered
    element by element), interleaved in one process on one thread: 5–7.5 %
    less CPU time per 256² image (J=3), the same within 2 % at 28² (J=2),
    where the product alone drops from 8.5 to 5.8 µs per image but the
    doubled source costs about as much.
    """
    index, P = fold
    X = doubled.shape[1]
    Fc, C, s2 = P.shape
    B = k.buffer(ws, ("B",) + key, (index.shape[0], X), k.c)
    np.take(doubled, index, axis=0, out=B, mode="clip")
    Z = k.buffer(ws, ("Z",) + key, (Fc, C, X), k.c)
    np.matmul(P, B.view(k.f).reshape(Fc, s2, 2 * X), out=Z.view(k.f))
    Z = Z.reshape(grid[0], grid[1], C * X)
    scipy.fft.ifft2(Z, axes=(0, 1), overwrite_x=True, workers=1)
    return Z


def _first_layer(k, spectrum, doubled, j, n, ws):
    """|x⋆ψ_j| of a chunk: images first (n, C, M, N) when r1 = 0, else (M1, N1, C n).

    For j = 0 at r1 = 0 the moduli follow the padded images in one buffer
    ``(n, 1 + C, M, N)`` (:func:`_merged_buffer`), which is returned: order 0 and
    order 1 of scale 0 then share one low-pass.
    """
    spec = k.spec
    C = k.counts[j]
    r = spec.res1[j]
    M, N = spec.padded[0] >> r, spec.padded[1] >> r
    if r == 0:
        full = k.buffer(ws, ("full",), (n, M * N), k.c)
        np.take(spectrum, k.full_index, axis=1, out=full, mode="clip")
        Z = k.buffer(ws, ("Z1", j), (n, C, M, N), k.c)
        np.multiply(full.view(k.f).reshape(n, 1, -1), k.product[j],
                    out=Z.view(k.f).reshape(n, C, -1))
        scipy.fft.ifft2(Z, overwrite_x=True, workers=1)
        if j == 0:
            U = _merged_buffer(k, n, ws)
            np.abs(Z, out=U[:, 1:])
            return U, True
        return np.abs(Z, out=k.buffer(ws, ("U1", j), (n, C, M, N), k.f)), True
    Z = _fold(k, doubled, k.fold1[j], (M, N), ws, ("1", j))
    return np.abs(Z, out=k.buffer(ws, ("U1", j), Z.shape, k.f)), False


def _second_layer(k, doubled, j1, j2, n, order, ws):
    """||x⋆ψ_j1|⋆ψ_j2| (M2, N2, C2 X) from the doubled half spectra of the first-layer
    maps, X = n C1 in ``order`` ("nc": image-major, or "cn")."""
    spec = k.spec
    r2 = spec.res2[j1, j2]
    grid = (spec.padded[0] >> r2, spec.padded[1] >> r2)
    C1, C2 = k.counts[j1], k.counts[j2]
    Z = _fold(k, doubled, k.fold2[j1, j2], grid, ws, ("2", j1, j2))
    if spec.second_layer_hook is not None:  # shown as (M2, N2, n, C1, C2)
        if order == "nc":
            view = Z.reshape(grid + (C2, n, C1)).transpose(0, 1, 3, 4, 2)
        else:
            view = Z.reshape(grid + (C2, C1, n)).transpose(0, 1, 4, 3, 2)
        spec.second_layer_hook(view, j1, j2)
    return np.abs(Z, out=k.buffer(ws, ("U2", j1, j2), Z.shape, k.f))


def _merged_buffer(k, n, ws):
    """(n, 1 + C_0, M, N): the padded images, then |x⋆ψ_0| when r1 = 0 (zeroed once)."""
    key = ("merged",)
    if key not in ws:
        ws[key] = np.zeros((n, 1 + k.counts[0]) + k.spec.padded, k.f)
    return ws[key]


def _pad(k, x, n, ws):
    """The padded images (n, M, N), channel 0 of :func:`_merged_buffer`."""
    spec = k.spec
    xp = _merged_buffer(k, n, ws)[:, 0]
    if spec.padding is None:
        xp[...] = x
        return xp
    kind, value = spec.padding
    if kind == "index":
        np.take(x.reshape(n, -1), k.pad_index, axis=1, out=xp.reshape(n, -1), mode="clip")
    else:  # zeros around the image (the border of the buffer is never written)
        top, left = value
        H, W = spec.input_shape
        xp[:, top:top + H, left:left + W] = x
    return xp


# Working set of one inner chunk (measured, not derived: 28² J=2 runs 9 images a
# chunk, about 3.7 MB; chunks of 4, 7 or 18 were no faster on this 2-core EPYC).
CACHE_BYTES = 3.75 * 2**20


def _stage_bytes(spec, itemsize):
    """Bytes per image of the largest stage (spectra, responses, moduli of one layer)."""
    M, N = spec.padded
    C = spec.counts
    sizes = [M * N * (3 * itemsize + 2 * itemsize * (1 + C[0]))]
    for j, c in enumerate(C):
        grid = (M >> spec.res1[j]) * (N >> spec.res1[j])
        sizes.append(grid * c * 5 * itemsize)
    for j1, j2 in spec.filters2:  # doubled half spectra, aliases, responses, moduli
        grid = (M >> spec.res2[j1, j2]) * (N >> spec.res2[j1, j2])
        sizes.append(grid * C[j1] * (C[j2] * 3 + 4 * 4 ** (spec.res2[j1, j2] - spec.res1[j1]))
                     * itemsize)
    return max(sizes)


def working_bytes(spec, dtype):
    """Working memory of one image in bytes (for ``working_memory`` chunking)."""
    itemsize = np.dtype(dtype).itemsize
    h, w = spec.out_shape
    return _stage_bytes(spec, itemsize) + 2 * spec.n_paths * h * w * itemsize


def inner_chunk(spec, dtype):
    """Images per inner chunk: what keeps the largest stage within about the L2 cache.

    Large images do not fit anyway; they go two at a time (up to 64 MB a stage),
    which halves the number of small matrix products per image (measured on
    256 x 256 images: 30.2 against 32.2 ms per image).
    """
    stage = _stage_bytes(spec, np.dtype(dtype).itemsize)
    if stage > CACHE_BYTES:
        return 2 if 2 * stage <= 64 * 2**20 else 1
    return int(CACHE_BYTES // stage)


def cascade(spec, x, out, start=0, total=None):
    """Raw scattering coefficients of a chunk ``x`` (n, H, W) into ``out`` (n, P, h, w).

    ``x`` is float32 or float64 (the work dtype); ``out`` has that dtype.
    ``x`` holds the images ``start`` … ``start + n − 1`` of a batch of ``total``.

    The images are computed in inner chunks of a fixed size, aligned to the
    image index in the batch (a partial inner chunk is completed with zero
    images): every matrix product then has the same shapes, and each image the
    same place in them, whatever the outer chunking, so the results are
    bit-identical for every ``batch_size`` and ``n_jobs`` (BLAS results can
    change in the last bit with the matrix sizes).
    """
    n = len(x)
    total = n if total is None else total
    step = max(1, min(inner_chunk(spec, x.dtype), total))
    first = start - start % step
    for block in range(first, start + n, step):
        lo, hi = max(block, start), min(block + step, start + n)
        if lo == block and hi == block + step:
            _cascade_chunk(spec, x[lo - start:hi - start], out[lo - start:hi - start])
            continue
        k = spec.kernels(x.dtype)
        ws = k.workspace(step)
        xb = k.buffer(ws, ("partial_x",), (step,) + x.shape[1:], x.dtype)
        ob = k.buffer(ws, ("partial_out",), (step,) + out.shape[1:], out.dtype)
        xb[...] = 0
        xb[lo - block:hi - block] = x[lo - start:hi - start]
        _cascade_chunk(spec, xb, ob)
        out[lo - start:hi - start] = ob[lo - block:hi - block]
    return out


def _cascade_chunk(spec, x, out):
    k = spec.kernels(x.dtype)
    n = len(x)
    h, w = spec.out_shape
    J = len(k.counts)
    ws = k.workspace(n)
    xp = _pad(k, x, n, ws)
    if spec.res1[0] != 0:  # else with |x⋆ψ_0|, in one low-pass
        out[:, 0] = _lowpass_images_first(k, xp, 0, ws, ("0",))
    spectrum = scipy.fft.rfft2(xp, workers=1).reshape(n, -1)
    doubled = (_doubled(k, spectrum, ws, ("x",)) if any(r > 0 for r in spec.res1)
               else None)
    for j1 in range(J):
        C1 = k.counts[j1]
        r1 = spec.res1[j1]
        o1 = k.offset1[j1]
        U1, images_first = _first_layer(k, spectrum, doubled, j1, n, ws)
        if images_first:
            maps = U1.shape[1]  # 1 + C1 for j1 = 0 (with the padded images), else C1
            S1 = _lowpass_images_first(k, U1.reshape(n * maps, *U1.shape[2:]), r1, ws, ("1", j1))
            if j1 == 0:
                out[:, 0:1 + C1] = S1.reshape(n, 1 + C1, h, w)
                U1 = U1[:, 1:]
            else:
                out[:, o1:o1 + C1] = S1.reshape(n, C1, h, w)
        else:
            S1 = _lowpass_frequencies_first(k, U1, r1, ws, ("1", j1))
            out[:, o1:o1 + C1] = S1.reshape(h, w, C1, n).transpose(3, 2, 0, 1)
        pairs = spec.pairs(j1) if spec.max_order == 2 else []
        if not pairs:
            continue
        if images_first:  # (n, C1, M1, N1): half spectra (n C1, F), image-major
            U1_hat = scipy.fft.rfft2(U1, workers=1).reshape(n * C1, -1)
            U1_doubled = _doubled(k, U1_hat, ws, ("1", j1))
            order = "nc"
        else:  # (M1, N1, C1 n): half spectra (F, C1 n) along the first axes
            U1_hat = scipy.fft.rfft2(U1, axes=(0, 1), workers=1)
            U1_doubled = _doubled(k, U1_hat.reshape(-1, C1 * n), ws, ("1", j1), True)
            order = "cn"
        for j2 in pairs:
            C2 = k.counts[j2]
            U2 = _second_layer(k, U1_doubled, j1, j2, n, order, ws)
            S2 = _lowpass_frequencies_first(k, U2, spec.res2[j1, j2], ws, ("2", j1, j2))
            base, stride, shift = k.offset2[j1, j2]
            block = out[:, base:base + C1 * stride].reshape(n, C1, stride, h, w)
            if order == "nc":  # S2 (h, w, C2, n, C1)
                S2 = S2.reshape(h, w, C2, n, C1).transpose(3, 4, 2, 0, 1)
            else:  # (h, w, C2, C1, n)
                S2 = S2.reshape(h, w, C2, C1, n).transpose(4, 3, 2, 0, 1)
            block[:, :, shift:shift + C2] = S2
    return out
