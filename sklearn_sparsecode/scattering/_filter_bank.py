"""Kymatio 0.3's 2-D filter bank and padding, written from its definitions.

Kymatio (Andreux et al. 2020) builds its Morlet wavelets in space on the
padded grid, periodised over 5 × 5 periods, and keeps the real part of their
DFT:

    gabor(u) = Σ_periods exp(−uᵀ R_θ diag(1, s²) R_θᵀ u / (2σ²) + i ξ (u₀ cos θ + u₁ sin θ))
               / (2 · 3.1415 · σ² / s)

with u = (row, column) and s the slant; a Morlet wavelet subtracts the
envelope times the ratio of the two sums so that it has zero mean. Scale j
has σ = 0.8 · 2^j, ξ = 3π/4 / 2^j, slant 4/L, and orientation index t the
angle (⌊L − L/2 − 1⌋ − t) π/L; the low-pass φ is the Gaussian of width
0.8 · 2^(J−1) (slant 1, ξ = 0; the constant 3.1415 is Kymatio's).

A filter used on the grid of resolution r (stride 2^r) is the DFT of the
full-grid filter with its frequencies |k| >= M/2^(r+1) set to zero (per axis),
then summed over the 2^r × 2^r aliases: a crop of the central band.

φ is separable, g(row) g(column), and so is its crop, so the low-pass of a
map U on the grid of resolution r, sampled every 2^(J−r) pixels with the
first and last samples dropped (Kymatio's ``unpad``), is D U Eᵀ with D and E
two small matrices (:func:`lowpass_matrix`).

Padding: each side to ((size // 2^J) + 2) 2^J, reflected (numpy's ``reflect``,
``(pad)//2`` before and the rest after).
"""

import numpy as np

SIGMA0 = 0.8
XI0 = 3 * np.pi / 4
PI_KYMATIO = 3.1415  # the constant in Kymatio's Gabor normalisation


def padded_shape(shape, J):
    """Kymatio's padded grid: each side to (size // 2^J + 2) 2^J."""
    return tuple((int(s) // 2**J + 2) * 2**J for s in shape)


def kymatio_pads(shape, J):
    """((top, bottom), (left, right)) of Kymatio's padding."""
    return tuple(((P - s) // 2, (P - s + 1) // 2) for s, P in zip(shape, padded_shape(shape, J)))


def pad_index(size, before, after, mode="reflect"):
    """Index of the source pixel of every padded position (numpy's pad modes).

    ``reflect`` mirrors about the edge pixel, ``symmetric`` about the edge;
    both repeat when the padding is wider than the image, as ``np.pad`` does.
    """
    i = np.arange(-before, size + after)
    if mode == "symmetric":
        period = 2 * size
        i = i % period
        return np.where(i >= size, period - 1 - i, i)
    if size == 1:
        return np.zeros(len(i), dtype=np.intp)
    period = 2 * (size - 1)
    i = np.abs(i) % period
    return np.where(i >= size, period - i, i)


def theta(t, L):
    """Kymatio's angle of orientation index t (radians)."""
    return (int(L - L / 2 - 1) - t) * np.pi / L


def _envelope_terms(M, N, sigma, angle, slant):
    """exp(−quadratic form) on each of the 5 × 5 periods: (25, M, N), with their offsets."""
    c, s = np.cos(angle), np.sin(angle)
    R = np.array([[c, -s], [s, c]])
    Q = R @ np.diag([1.0, slant**2]) @ R.T / (2 * sigma**2)
    shifts = [(a, b) for a in range(-2, 3) for b in range(-2, 3)]
    rows = np.arange(M, dtype=float)
    cols = np.arange(N, dtype=float)
    terms = np.empty((len(shifts), M, N))
    for i, (a, b) in enumerate(shifts):
        x = (rows + a * M)[:, None]
        y = (cols + b * N)[None, :]
        terms[i] = np.exp(-(Q[0, 0] * x * x + 2 * Q[0, 1] * x * y + Q[1, 1] * y * y))
    return terms, np.array(shifts, dtype=float)


def morlet_filters(M, N, J, L):
    """Real DFTs of Kymatio's Morlet wavelets on an M × N grid: (J, L, M, N) float64."""
    slant = 4.0 / L
    rows = np.arange(M)[:, None]
    cols = np.arange(N)[None, :]
    psi_hat = np.empty((J, L, M, N))
    for j in range(J):
        sigma, xi = SIGMA0 * 2**j, XI0 / 2**j
        for t in range(L):
            angle = theta(t, L)
            terms, shifts = _envelope_terms(M, N, sigma, angle, slant)
            # the wave exp(i ξ (x cos θ + y sin θ)) of period (a, b) is a constant
            # times the wave on the base grid
            kx, ky = xi * np.cos(angle), xi * np.sin(angle)
            per_period = np.exp(1j * (kx * M * shifts[:, 0] + ky * N * shifts[:, 1]))
            base_wave = np.exp(1j * (kx * rows + ky * cols))
            norm = 2 * PI_KYMATIO * sigma**2 / slant
            wave = base_wave * np.tensordot(per_period, terms, axes=1) / norm
            envelope = terms.sum(axis=0) / norm
            psi = wave - wave.sum() / envelope.sum() * envelope
            psi_hat[j, t] = np.fft.fft2(psi).real
    return psi_hat


def periodize(F, r):
    """Kymatio's filter on the grid of resolution r: central-band crop, alias sum."""
    *lead, M, N = F.shape
    m, n = M >> r, N >> r
    F = F.copy()
    F[..., m // 2: m // 2 + M - m, :] = 0
    F[..., :, n // 2: n // 2 + N - n] = 0
    return F.reshape(*lead, 2**r, m, 2**r, n).sum(axis=(-4, -2))


def lowpass_kernel(size, J, r):
    """1-D factor of φ on the grid of resolution r (spatial, periodic, length size >> r)."""
    sigma = SIGMA0 * 2 ** (J - 1)
    x = np.arange(size)[None, :] + size * np.arange(-2, 3)[:, None]
    g_hat = np.fft.fft(np.exp(-x**2 / (2 * sigma**2)).sum(axis=0)).real
    m = size >> r
    g_hat[m // 2: m // 2 + size - m] = 0
    g_hat = g_hat.reshape(2**r, m).sum(axis=0)
    return np.fft.ifft(g_hat).real


def lowpass_matrix(size, J, r, count):
    """(count, size >> r): φ's 1-D factor at the output samples 2^(J−r) (m + 1)."""
    p = lowpass_kernel(size, J, r)
    m = size >> r
    positions = 2 ** (J - r) * (np.arange(count) + 1)
    return p[(positions[:, None] - np.arange(m)[None, :]) % m]


def lowpass_matrices(padded, J, r):
    """(D, E) of resolution r for Kymatio's output grid; φ's gain is in D."""
    M, N = padded
    h, w = M // 2**J - 2, N // 2**J - 2
    gain = 1 / (2 * PI_KYMATIO * (SIGMA0 * 2 ** (J - 1)) ** 2)
    return gain * lowpass_matrix(M, J, r, h), lowpass_matrix(N, J, r, w)
