"""n-term approximation (largest coefficients, normalised IHT) and band atom norms."""

import numpy as np
import pytest
import pywt
from sklearn.base import clone

from sklearn_sparsecode import CurveletTransformer, WaveletTransformer
from sklearn_sparsecode.datasets import make_cartoon
from sklearn_sparsecode.restoration import band_atom_norms, nterm_approximation


def _pywt_keep_n(image, wavelet, n):
    """Reference: PyWavelets' own orthonormal DWT, keep the n largest |c|, invert."""
    coeffs = pywt.wavedec2(image, wavelet, mode="periodization")
    array, slices = pywt.coeffs_to_array(coeffs)
    flat = array.ravel()
    threshold = np.sort(np.abs(flat))[::-1][n - 1]
    kept = np.where(np.abs(flat) >= threshold, flat, 0.0).reshape(array.shape)
    return pywt.waverec2(pywt.array_to_coeffs(kept, slices, output_format="wavedec2"),
                         wavelet, mode="periodization")


@pytest.mark.parametrize("wavelet", ["haar", "db4", "sym8"])
@pytest.mark.parametrize("n", [1, 37, 300, 2000])
def test_largest_with_an_orthonormal_wavelet_is_pywt_keep_n(wavelet, n):
    # A whisper of noise: Haar coefficients of the cartoon's flat parts tie
    # exactly, and which of tied coefficients is kept is arbitrary.
    image = make_cartoon(64, random_state=1) + np.random.default_rng(0).normal(
        scale=1e-6, size=(64, 64))
    approx = nterm_approximation(image, WaveletTransformer(wavelet=wavelet), n)
    np.testing.assert_allclose(approx, _pywt_keep_n(image, wavelet, n), atol=1e-12)


def test_full_budget_is_exact_and_zero_budget_is_zero():
    image = make_cartoon(64, random_state=0)
    ct = CurveletTransformer(n_scales=3).fit(image[None])
    n_coefs = ct.bands_[-1].stop
    for method in ("largest", "iht"):
        np.testing.assert_allclose(nterm_approximation(image, ct, n_coefs, method=method),
                                   image, atol=1e-12)
        np.testing.assert_array_equal(nterm_approximation(image, ct, 0, method=method), 0)


@pytest.mark.parametrize("transformer", [
    CurveletTransformer(n_scales=3, n_orientations=4),
    CurveletTransformer(n_scales=4, n_orientations=8, finest="wavelets"),
    CurveletTransformer(n_scales=3, decimated=False),
    WaveletTransformer(wavelet="db4"),
])
@pytest.mark.parametrize("seed", [0, 1])
def test_iht_is_never_worse_than_largest(transformer, seed):
    image = make_cartoon(64, random_state=seed)
    est = clone(transformer).fit(image[None])
    norms = band_atom_norms(est)
    for n in (20, 100, 400, 1500):
        largest = nterm_approximation(image, est, n, atom_norms=norms)
        iht, info = nterm_approximation(image, est, n, method="iht", atom_norms=norms,
                                        max_iter=20, return_info=True)
        assert np.linalg.norm(image - iht) <= np.linalg.norm(image - largest) + 1e-12
        # The returned coefficients have n non-zeros and synthesise the result.
        assert np.count_nonzero(info["coefficients"]) <= n
        np.testing.assert_allclose(est.inverse_transform(info["coefficients"][None])[0], iht,
                                   atol=1e-10)


def test_iht_gains_a_lot_in_a_redundant_frame():
    # Analysis coefficients of a tight frame are the minimum-norm synthesis,
    # not the sparsest: sparse synthesis needs far fewer terms.
    image = make_cartoon(128, random_state=0)
    ct = CurveletTransformer(n_orientations=8)
    largest = nterm_approximation(image, ct, 1024)
    iht = nterm_approximation(image, ct, 1024, method="iht")
    assert np.sum((image - iht) ** 2) < 0.5 * np.sum((image - largest) ** 2)


def test_the_user_transformer_is_not_modified():
    image = make_cartoon(32, random_state=0)
    unfitted = CurveletTransformer(n_scales=3)
    nterm_approximation(image, unfitted, 10, method="iht", max_iter=2)
    assert not hasattr(unfitted, "bands_")
    fitted_elsewhere = WaveletTransformer(wavelet="haar").fit(np.zeros((1, 16, 16)))
    nterm_approximation(image, fitted_elsewhere, 10)
    assert fitted_elsewhere.input_shape_ == (16, 16)


def _brute_force_norms(est, shape):
    """Every atom: the inverse transform of each unit vector, grouped by band."""
    n_coefs = est.bands_[-1].stop
    atoms = est.inverse_transform(np.eye(n_coefs)).reshape(n_coefs, -1)
    norms = np.linalg.norm(atoms, axis=1)
    return [norms[b.start:b.stop] for b in est.bands_]


@pytest.mark.parametrize("transformer", [
    CurveletTransformer(n_scales=2, n_orientations=4),
    CurveletTransformer(n_scales=3, n_orientations=4, finest="wavelets"),
    CurveletTransformer(n_scales=2, n_orientations=4, decimated=False),
    WaveletTransformer(wavelet="db2"),
    WaveletTransformer(wavelet="bior2.2"),
])
def test_band_atom_norms_against_every_atom(transformer):
    est = clone(transformer).fit(np.zeros((1, 16, 16)))
    exact = band_atom_norms(est, method="exact")
    for band, norm, every in zip(est.bands_, exact, _brute_force_norms(est, (16, 16))):
        centre = np.ravel_multi_index(tuple(s // 2 for s in band.shape), band.shape)
        assert norm == pytest.approx(every[centre], rel=1e-12)
        if isinstance(transformer, WaveletTransformer):
            # Periodic translates by whole pixels: one norm per band (and 1
            # for the orthonormal db2; not for the biorthogonal bior2.2).
            np.testing.assert_allclose(every, norm, rtol=1e-10)
        else:
            # A wrapping rectangle whose side does not divide the image's
            # steps by a fractional number of pixels: norms vary by ~1%.
            np.testing.assert_allclose(every, norm, rtol=0.02)
    if transformer.get_params().get("wavelet") == "db2":
        np.testing.assert_allclose(exact, 1.0, rtol=1e-12)
    if transformer.get_params().get("wavelet") == "bior2.2":
        assert not np.allclose(exact, 1.0, rtol=1e-3)


def test_band_atom_norms_monte_carlo_agrees_with_exact():
    est = CurveletTransformer(n_orientations=8).fit(np.zeros((1, 128, 128)))
    exact = band_atom_norms(est, method="exact")
    noise = band_atom_norms(est, method="noise")
    np.testing.assert_allclose(noise, exact, rtol=0.04)
    # Tight frame: every atom norm is at most 1, and the frame is not normalised.
    assert exact.max() <= 1 + 1e-12 and exact.min() < 0.6
    np.testing.assert_array_equal(noise, band_atom_norms(est, method="noise"))  # seeded


@pytest.mark.parametrize("kwargs, match", [
    ({"n": -1}, "n must be between 0 and"),
    ({"n": 10**9}, "n must be between 0 and the number of coefficients"),
    ({"n": 2.5}, "n must be an integer"),
    ({"n": 5, "method": "omp"}, "method must be"),
    ({"n": 5, "max_iter": -1}, "max_iter"),
    ({"n": 5, "tol": -1.0}, "tol"),
    ({"n": 5, "atom_norms": np.ones(3)}, "atom_norms"),
])
def test_bad_parameters(kwargs, match):
    image = make_cartoon(32, random_state=0)
    with pytest.raises(ValueError, match=match):
        nterm_approximation(image, WaveletTransformer(wavelet="haar"), **kwargs)


def test_bad_images():
    with pytest.raises(ValueError, match="image must be a 2-D array"):
        nterm_approximation(np.zeros((2, 16, 16)), WaveletTransformer(wavelet="haar"), 3)
    bad = np.zeros((16, 16))
    bad[3, 4] = np.nan
    with pytest.raises(ValueError, match="image contains NaN"):
        nterm_approximation(bad, WaveletTransformer(wavelet="haar"), 3)
    with pytest.raises(ValueError, match="method must be"):
        band_atom_norms(WaveletTransformer(wavelet="haar").fit(np.zeros((1, 8, 8))), method="x")
