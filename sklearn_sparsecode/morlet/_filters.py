"""Oriented Morlet filters built directly in the Fourier domain.

A Gabor atom is a Gaussian envelope times a plane wave; a Morlet atom
subtracts a multiple of the envelope so that it has zero mean:

    ψ(u) = g_Σ(u) (exp(i ξᵀu) − κ),        ψ̂(ω) = ĝ(ω − ξ) − κ ĝ(ω),

with ĝ(ω) = exp(−ωᵀΣω / 2) (an envelope of unit integral, so ĝ(0) = 1) and
κ = ĝ(ξ) (so ψ̂(0) = 0). The envelope's covariance is
Σ = σ² R_θ diag(1, 1/s²) R_θᵀ: width σ along the direction θ of the plane wave
and σ/s across it; a slant s < 1 stretches the atom along its crests, which
narrows its angular bandwidth. Scale j of a dyadic bank has σ_j = σ₀ 2^j and
ξ_j = ξ₀ 2^-j at orientations θ_k = kπ/L, k = 0 … L−1; the low-pass φ is an
isotropic Gaussian of width σ₀ 2^(J−1). Because ψ(−u) = conj ψ(u), every ψ̂ is
real.

On a discrete M × N grid the filters are the Fourier series of the sampled
atoms: ψ̂ evaluated at the grid frequencies 2πk/M summed over the aliases
ω + 2π(a, b), which is what sampling and periodising the atom in space gives.

These are the filters of Bruna & Mallat (2013) and of Kymatio's
``filter_bank`` (σ₀ = 0.8, ξ₀ = 3π/4, s = 4/L), written here from the formulas.

Littlewood–Paley sum. For a real image x, ‖x⋆ψ‖² = Σ_ω |x̂(ω)|² |ψ̂(ω)|² and
|x̂(ω)| = |x̂(−ω)|, so what a bank preserves of the energy of real images is

    A(ω) = |φ̂(ω)|² + ½ Σ_{j,k} (|ψ̂_{j,k}(ω)|² + |ψ̂_{j,k}(−ω)|²),

and min A ‖x‖² ≤ ‖x⋆φ‖² + Σ ‖x⋆ψ‖² ≤ max A ‖x‖². ``normalize="tight"``
divides every filter by √A, which makes A = 1 exactly: the bank is then a
Parseval frame of real images (an isometry, inverse = adjoint).
``normalize="peak"`` keeps the unit-peak filters (Kymatio's gains); their
bounds are returned by :func:`littlewood_paley`.

References
----------
.. [1] J. Bruna and S. Mallat, "Invariant scattering convolution networks",
   IEEE TPAMI 35(8), 2013.
.. [2] M. Andreux et al., "Kymatio: Scattering transforms in Python", JMLR 21(60), 2020.
"""

import numpy as np

SIGMA0 = 0.8           # envelope width at scale 0, pixels
XI0 = 3 * np.pi / 4    # centre frequency at scale 0, radians per pixel


def grid_frequencies(shape):
    """Row and column angular frequencies (radians per pixel) of an FFT grid."""
    rows = 2 * np.pi * np.fft.fftfreq(shape[0])
    cols = 2 * np.pi * np.fft.fftfreq(shape[1])
    return np.meshgrid(rows, cols, indexing="ij")


def _gaussian_hat(w_rows, w_cols, sigma, theta, slant, centre):
    """Σ over aliases of exp(−(ω−c)ᵀΣ(ω−c)/2) for the envelope (σ, θ, slant).

    Orientation θ is counter-clockwise from the horizontal frequency axis with
    the vertical frequency pointing up, i.e. along (ω_col, −ω_row).
    """
    cos, sin = np.cos(theta), np.sin(theta)
    total = np.zeros(w_rows.shape)
    for a in range(-2, 3):
        for b in range(-2, 3):
            wx = w_cols + 2 * np.pi * b - centre[0]
            wy = -(w_rows + 2 * np.pi * a) - centre[1]
            along = cos * wx + sin * wy
            across = -sin * wx + cos * wy
            total += np.exp(-0.5 * sigma**2 * (along**2 + (across / slant) ** 2))
    return total


def morlet_hat(shape, sigma, theta, xi, slant=0.5):
    """Fourier transform (real, on the FFT grid of ``shape``) of one Morlet atom."""
    w_rows, w_cols = grid_frequencies(shape)
    centre = (xi * np.cos(theta), xi * np.sin(theta))
    gabor = _gaussian_hat(w_rows, w_cols, sigma, theta, slant, centre)
    envelope = _gaussian_hat(w_rows, w_cols, sigma, theta, slant, (0.0, 0.0))
    # Zero mean on the grid: ψ̂ vanishes at frequency 0 exactly.
    return gabor - (gabor[0, 0] / envelope[0, 0]) * envelope


def gaussian_hat(shape, sigma):
    """Fourier transform of the isotropic low-pass φ of width ``sigma`` (φ̂(0) = 1)."""
    w_rows, w_cols = grid_frequencies(shape)
    hat = _gaussian_hat(w_rows, w_cols, sigma, 0.0, 1.0, (0.0, 0.0))
    return hat / hat[0, 0]


def orientations(n_orientations):
    """Orientation of each filter index, in radians: kπ/L."""
    return np.arange(n_orientations) * np.pi / n_orientations


def littlewood_paley(phi_hat, psi_hat):
    """A(ω) = |φ̂|² + ½ Σ (|ψ̂(ω)|² + |ψ̂(−ω)|²): the energy a bank keeps of a real image.

    ``psi_hat`` has shape (..., M, N); every leading index is one filter.
    """
    psi = psi_hat.reshape(-1, *psi_hat.shape[-2:])
    energy = np.sum(psi**2, axis=0)
    mirrored = np.roll(energy[::-1, ::-1], 1, axis=(0, 1))  # energy(−ω)
    return phi_hat**2 + 0.5 * (energy + mirrored)


def morlet_bank(shape, n_scales, n_orientations=8, *, slant=None, normalize="peak",
                sigma0=SIGMA0, xi0=XI0):
    """Low-pass and Morlet filters of a dyadic bank on one FFT grid.

    Parameters
    ----------
    shape : (M, N)
        FFT grid.
    n_scales : int
        J: wavelet scales j = 0 … J−1; the low-pass has width σ₀ 2^(J−1).
    n_orientations : int, default=8
        L orientations kπ/L per scale.
    slant : float or None
        Envelope aspect ratio (across / along = 1/slant); None is 4/L.
    normalize : {"peak", "tight"}
        Unit-peak filters, or divided by √A so that the Littlewood–Paley sum is 1.

    Returns
    -------
    phi_hat : ndarray (M, N)
    psi_hat : ndarray (J, L, M, N)
    """
    slant = 4.0 / n_orientations if slant is None else float(slant)
    phi_hat = gaussian_hat(shape, sigma0 * 2.0 ** (n_scales - 1))
    psi_hat = np.stack([
        np.stack([morlet_hat(shape, sigma0 * 2.0**j, theta, xi0 / 2.0**j, slant)
                  for theta in orientations(n_orientations)])
        for j in range(n_scales)]) if n_scales else np.zeros((0, n_orientations, *shape))
    if normalize == "tight":
        norm = np.sqrt(littlewood_paley(phi_hat, psi_hat))
        phi_hat, psi_hat = phi_hat / norm, psi_hat / norm
    return phi_hat, psi_hat
