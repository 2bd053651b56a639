"""The cartoon generator and the orderings of the n-term approximation study."""

import numpy as np
import pytest

from sklearn_sparsecode import CurveletTransformer, WaveletTransformer
from sklearn_sparsecode.datasets import make_cartoon
from sklearn_sparsecode.restoration import band_atom_norms, nterm_approximation


def test_cartoon_is_piecewise_smooth_and_reproducible():
    a = make_cartoon(64, random_state=3)
    np.testing.assert_array_equal(a, make_cartoon(64, random_state=3))
    assert not np.array_equal(a, make_cartoon(64, random_state=4))
    assert a.shape == (64, 64) and 0 <= a.min() and a.max() <= 1
    # Two levels of value (inside ~0.7, outside ~0.2) with a sharp edge between.
    assert np.mean(a > 0.45) > 0.1 and np.mean(a < 0.45) > 0.1
    assert make_cartoon((32, 48), random_state=0).shape == (32, 48)
    with pytest.raises(ValueError, match="size"):
        make_cartoon(2)


def _fourier_error(image, n):
    """Reference written here: unitary DFT, keep the n largest complex coefficients."""
    power = np.sort(np.abs(np.fft.fft2(image, norm="ortho")).ravel() ** 2)[::-1]
    return 1 - power[:n].sum() / power.sum()


def test_orderings_on_a_256_cartoon():
    # Measured behaviour at this size (benchmarks/bench_nterm.py has the full
    # table). Both multiscale systems beat Fourier by far; sparse synthesis in
    # the curvelet frame beats keeping its largest coefficients; at large n the
    # orthonormal wavelet's error collapses below the curvelets'.
    image = make_cartoon(256, random_state=0)
    energy = np.sum(image**2)
    ct = CurveletTransformer(n_orientations=8).fit(image[None])
    norms = band_atom_norms(ct)
    n = image.size // 64

    def err(approx):
        return np.sum((image - approx) ** 2) / energy

    fourier = _fourier_error(image, n)
    db4 = err(nterm_approximation(image, WaveletTransformer(wavelet="db4"), n))
    largest = err(nterm_approximation(image, ct, n, atom_norms=norms))
    iht = err(nterm_approximation(image, ct, n, method="iht", atom_norms=norms, max_iter=30))
    assert db4 < fourier / 5 and iht < fourier / 5
    assert iht < largest / 2
    big = image.size // 8
    assert err(nterm_approximation(image, WaveletTransformer(wavelet="db4"), big)) < err(
        nterm_approximation(image, ct, big, method="iht", atom_norms=norms, max_iter=30))
