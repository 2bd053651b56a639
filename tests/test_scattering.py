"""Morlet bank, MorletTransformer and the scattering cascade.

The references here are written from the formulas: Morlet atoms sampled in
space (as Kymatio and Bruna & Mallat define them) and a plain loop over
images and paths for the cascade, at full resolution, with numpy FFTs.
"""

import numpy as np
import pytest

from sklearn_sparsecode import LocalPooling, MorletTransformer, ScatteringTransformer
from sklearn_sparsecode.morlet import morlet_transform, plan_morlet
from sklearn_sparsecode.morlet._filters import littlewood_paley, morlet_bank
from sklearn_sparsecode.scattering import plan_scattering, scattering_transform

# ---------------------------------------------------------------- references

def spatial_gabor(M, N, sigma, theta, xi, slant):
    """g(u) exp(i ξ·u), g a Gaussian of unit integral, periodised over 7 x 7 periods.

    u = (x, y) with x the column and y pointing up (row index down), θ counter-
    clockwise from the x axis; the envelope has width σ along θ and σ/slant across.
    """
    rows, cols = np.mgrid[0:M, 0:N].astype(float)
    total = np.zeros((M, N), complex)
    for a in range(-3, 4):
        for b in range(-3, 4):
            x = cols + b * N
            y = -(rows + a * M)
            along = np.cos(theta) * x + np.sin(theta) * y
            across = -np.sin(theta) * x + np.cos(theta) * y
            envelope = np.exp(-(along**2 + (slant * across) ** 2) / (2 * sigma**2))
            total += envelope * np.exp(1j * xi * along) / (2 * np.pi * sigma**2 / slant)
    return total


def spatial_bank(M, N, J, L):
    """φ̂ and the Morlet ψ̂ built in space then FFT'd (σ0 = 0.8, ξ0 = 3π/4, slant 4/L)."""
    slant = 4.0 / L
    phi = spatial_gabor(M, N, 0.8 * 2 ** (J - 1), 0.0, 0.0, 1.0)
    phi_hat = np.fft.fft2(phi).real
    psi_hat = np.zeros((J, L, M, N))
    for j in range(J):
        for k in range(L):
            theta = k * np.pi / L
            wave = spatial_gabor(M, N, 0.8 * 2**j, theta, 0.75 * np.pi / 2**j, slant)
            envelope = spatial_gabor(M, N, 0.8 * 2**j, theta, 0.0, slant)
            psi = wave - wave.sum() / envelope.sum() * envelope
            psi_hat[j, k] = np.fft.fft2(psi).real
    return phi_hat / phi_hat[0, 0], psi_hat


def reference_scattering(x, J, L, max_order=2, padding="periodic", out_step=None):
    """Plain loops: full-resolution convolutions, modulus, φ, then one sample per 2^J."""
    step = 2**J
    out_step = out_step or step
    if padding == "periodic":
        pad = ((0, 0), (0, 0))
    else:
        pad = tuple((step, -(-(s + 2 * step) // step) * step - s - step) for s in x.shape)
        x = np.pad(x, pad, mode=padding)
    M, N = x.shape
    phi_hat, psi_hat = spatial_bank(M, N, J, L)
    h, w = -(-(M - sum(pad[0])) // out_step), -(-(N - sum(pad[1])) // out_step)
    r0, c0 = pad[0][0] // out_step, pad[1][0] // out_step

    def conv(u, filt):
        return np.fft.ifft2(np.fft.fft2(u) * filt)

    def average(u):
        return conv(u, phi_hat).real[::out_step, ::out_step][r0:r0 + h, c0:c0 + w].ravel()

    out = [average(x)]
    for j1 in range(J):
        for t1 in range(L):
            out.append(average(np.abs(conv(x, psi_hat[j1, t1]))))
    if max_order == 2:
        for j1 in range(J):
            for t1 in range(L):
                U1 = np.abs(conv(x, psi_hat[j1, t1]))
                for j2 in range(j1 + 1, J):
                    for t2 in range(L):
                        out.append(average(np.abs(conv(U1, psi_hat[j2, t2]))))
    return np.concatenate(out)


@pytest.fixture(scope="module")
def images():
    rng = np.random.default_rng(0)
    # smooth-ish random images: a few Gaussian blobs and edges
    X = np.zeros((4, 16, 16))
    rows, cols = np.mgrid[0:16, 0:16]
    for img in X:
        for _ in range(4):
            r, c, s = rng.uniform(3, 13), rng.uniform(3, 13), rng.uniform(1, 3)
            img += np.exp(-((rows - r) ** 2 + (cols - c) ** 2) / (2 * s**2))
        img += (rows > rng.uniform(4, 12)) * 0.5
    return X


# ---------------------------------------------------------------- the bank

def test_fourier_filters_match_spatial_construction():
    phi_hat, psi_hat = morlet_bank((20, 24), 2, 4)
    ref_phi, ref_psi = spatial_bank(20, 24, 2, 4)
    np.testing.assert_allclose(phi_hat, ref_phi, atol=1e-10)
    np.testing.assert_allclose(psi_hat, ref_psi, atol=1e-10)


def test_littlewood_paley_tight_and_peak_bounds():
    phi_hat, psi_hat = morlet_bank((32, 32), 3, 8, normalize="tight")
    np.testing.assert_allclose(littlewood_paley(phi_hat, psi_hat), 1.0, atol=1e-12)
    plan = plan_morlet((32, 32), n_scales=3, n_orientations=8, normalize='peak')
    low, high = plan.frame_bounds
    assert 0 < low < high < 1.1  # unit-peak filters overlap little
    rng = np.random.default_rng(1)
    X = rng.normal(size=(5, 32, 32))
    ratio = (np.linalg.norm(morlet_transform(X, plan=plan), axis=1)
             / np.linalg.norm(X, axis=(1, 2))) ** 2
    assert np.all(ratio >= low - 1e-12) and np.all(ratio <= high + 1e-12)


def test_each_layer_is_an_isometry_and_the_modulus_keeps_energy(images):
    """‖x‖² = ‖x⋆φ‖² + Σ‖x⋆ψ‖² (tight bank, all paths, no pooling), at every layer."""
    transformer = MorletTransformer(n_scales=2, n_orientations=8).fit(images)
    C = transformer.transform(images)
    np.testing.assert_allclose(np.sum(C**2, axis=1), np.sum(images**2, axis=(1, 2)),
                               rtol=1e-12)
    pixels = 16 * 16
    pairs = C[:, pixels:].reshape(len(images), -1, 2, 16, 16)
    U1 = np.hypot(pairs[:, :, 0], pairs[:, :, 1])  # modulus of each complex band
    np.testing.assert_allclose(np.sum(U1**2, axis=(1, 2, 3)),
                               np.sum(C[:, pixels:] ** 2, axis=1), rtol=1e-12)
    # second layer: the same tight bank on every modulus map, every path
    maps = U1.reshape(-1, 16, 16)
    C2 = transformer.transform(maps)
    np.testing.assert_allclose(np.sum(C2**2, axis=1), np.sum(maps**2, axis=(1, 2)),
                               rtol=1e-12)
    # and the inverse (adjoint) is exact
    np.testing.assert_allclose(transformer.inverse_transform(C), images, atol=1e-12)


def test_peak_bank_inverse_is_the_dual_frame(images):
    transformer = MorletTransformer(n_scales=2, n_orientations=6, normalize="peak").fit(images)
    np.testing.assert_allclose(transformer.inverse_transform(transformer.transform(images)),
                               images, atol=1e-10)


def test_morlet_bands_and_local_pooling(images):
    transformer = MorletTransformer(n_scales=2, n_orientations=4).fit(images)
    bands = transformer.bands_
    assert bands[0].lowpass and bands[0].part == "real"
    assert [b.part for b in bands[1:3]] == ["re", "im"] and bands[1].key == bands[2].key
    assert bands[-1].stop == transformer.transform(images).shape[1]
    assert [b.orientation for b in bands[1::2]][:4] == [0.0, 45.0, 90.0, 135.0]
    pooled = LocalPooling(transformer=transformer, grid=4).fit(images).transform(images)
    assert pooled.shape == (4, (1 + 2 * 4) * 16)
    assert np.all(pooled[:, 16:] >= 0)


# ---------------------------------------------------------------- the cascade

@pytest.mark.parametrize("padding", ["periodic", "reflect"])
@pytest.mark.parametrize("max_order", [1, 2])
def test_cascade_matches_plain_loop_reference(images, padding, max_order):
    # subsampling=-2: every modulus at full resolution, as in the reference
    S = scattering_transform(images, n_scales=2, n_orientations=4, max_order=max_order, padding=padding, subsampling=-2, compression=None)
    ref = np.stack([reference_scattering(x, 2, 4, max_order, padding) for x in images])
    np.testing.assert_allclose(S, ref, rtol=1e-9, atol=1e-12)


def test_subsampled_moduli_stay_close_to_the_full_resolution_cascade(images):
    """Kymatio's sampling (|x⋆ψ_j| every 2^j pixels) changes little."""
    exact = np.stack([reference_scattering(x, 2, 4) for x in images])
    for subsampling, bound in ((0, 0.05), (1, 0.15)):
        S = scattering_transform(images, n_scales=2, n_orientations=4, subsampling=subsampling, padding='periodic', compression=None)
        assert np.linalg.norm(S - exact) / np.linalg.norm(exact) < bound


def test_energy_of_paths_decreases_with_order(images):
    S = scattering_transform(images, n_scales=2, n_orientations=8, padding='periodic', compression=None)
    plan = plan_scattering((16, 16), n_scales=2, n_orientations=8, padding='periodic')
    energy = {0: 0.0, 1: 0.0, 2: 0.0}
    for band in plan.bands:
        energy[len(band.path)] += np.sum(S[:, band.start:band.stop] ** 2)
    assert energy[0] > energy[1] > energy[2] > 0


def test_translation_equivariance_by_the_output_step(images):
    """A circular shift by 2^J pixels shifts every output block by one sample."""
    plan = plan_scattering((16, 16), n_scales=2, n_orientations=8, padding='periodic')
    S = scattering_transform(images, plan=plan).reshape(4, -1, 4, 4)
    shifted = scattering_transform(np.roll(images, (4, -8), axis=(1, 2)), plan=plan)
    np.testing.assert_allclose(shifted.reshape(4, -1, 4, 4),
                               np.roll(S, (1, -2), axis=(2, 3)), atol=1e-12)


def test_small_shifts_change_scattering_less_than_pixels(images):
    plan = plan_scattering((16, 16), n_scales=2, n_orientations=8, padding='periodic')
    S = scattering_transform(images, plan=plan)
    for shift in (1, 2):
        moved = np.roll(images, shift, axis=2)
        change = np.linalg.norm(scattering_transform(moved, plan=plan) - S) / np.linalg.norm(S)
        pixel_change = np.linalg.norm(moved - images) / np.linalg.norm(images)
        assert change < pixel_change


def test_rotation_average_is_invariant_to_quarter_turns(images):
    """On the torus a quarter turn about pixel (0, 0) maps the bank onto itself."""
    def quarter_turn(a):  # rotate, then move pixel (0, 0) back to (0, 0)
        return np.roll(np.rot90(a, axes=(-2, -1)), 1, axis=-2)

    plan = plan_scattering((16, 16), n_scales=2, n_orientations=8, padding='periodic', rotation='average')
    S = scattering_transform(images, plan=plan).reshape(4, -1, 4, 4)
    turned = scattering_transform(quarter_turn(images), plan=plan).reshape(4, -1, 4, 4)
    np.testing.assert_allclose(turned, quarter_turn(S), atol=1e-10)
    fourier = plan_scattering((16, 16), n_scales=2, n_orientations=8, padding='periodic', rotation='fourier')
    F = scattering_transform(images, plan=fourier).reshape(4, -1, 4, 4)
    np.testing.assert_allclose(scattering_transform(quarter_turn(images), plan=fourier)
                               .reshape(4, -1, 4, 4), quarter_turn(F), atol=1e-10)
    raw = scattering_transform(images, n_scales=2, n_orientations=8, padding='periodic', compression=None).reshape(4, -1, 4, 4)
    raw_turned = scattering_transform(quarter_turn(images), n_scales=2, n_orientations=8, padding='periodic')
    assert not np.allclose(raw_turned.reshape(4, -1, 4, 4), quarter_turn(raw), atol=1e-3)


def test_invariant_options_are_averages_of_raw_paths(images):
    raw = scattering_transform(images, n_scales=2, n_orientations=8, padding='periodic', compression=None).reshape(4, -1, 16)
    avg = scattering_transform(images, n_scales=2, n_orientations=8, padding='periodic', rotation='average', scale='average', compression=None).reshape(4, -1, 16)
    np.testing.assert_allclose(avg[:, 0], raw[:, 0])
    np.testing.assert_allclose(avg[:, 1], raw[:, 1:17].mean(axis=1))
    # order 2, Δ = θ2 − θ1 = 3: the mean over θ1 of (θ1, θ1 + 3)
    members = [17 + t1 * 8 + (t1 + 3) % 8 for t1 in range(8)]
    np.testing.assert_allclose(avg[:, 2 + 3], raw[:, members].mean(axis=1))
    fourier = scattering_transform(images, n_scales=2, n_orientations=8, padding='periodic', rotation='fourier', compression=None)
    fourier = fourier.reshape(4, -1, 16)
    np.testing.assert_allclose(fourier[:, 1], raw[:, 1:9].mean(axis=1))  # q = 0: the mean


def test_compression(images):
    raw = scattering_transform(images, n_scales=2, n_orientations=4, padding='periodic', compression=None)
    root = scattering_transform(images, n_scales=2, n_orientations=4, padding='periodic', compression=0.5)
    log = scattering_transform(images, n_scales=2, n_orientations=4, padding='periodic', compression='log')
    np.testing.assert_allclose(root[:, :16], raw[:, :16])  # order 0 keeps its sign
    np.testing.assert_allclose(root[:, 16:], np.sqrt(np.maximum(raw[:, 16:], 0)))
    np.testing.assert_allclose(log[:, 16:], np.log1p(np.maximum(raw[:, 16:], 0) / 0.01))


def test_curvelet_frame(images):
    st = ScatteringTransformer(frame="curvelet", n_scales=2, n_orientations=4,
                               padding="periodic", compression=None).fit(images)
    S = st.transform(images)
    assert st.plan_.counts == (8, 4)  # finest curvelet scale has twice the orientations
    assert S.shape == (4, (1 + 8 + 4 + 8 * 4) * 16)
    assert np.all(S[:, 16:] >= 0)
    orders = [len(b.path) for b in st.bands_]
    assert orders.count(1) == 12 and orders.count(2) == 32


# ---------------------------------------------------------------- estimator

def test_bands_names_layout_and_pandas(images):
    pd = pytest.importorskip("pandas")
    st = ScatteringTransformer(n_scales=2, n_orientations=4).fit(images)
    S = st.transform(images)
    bands = st.bands_
    assert bands[-1].stop == S.shape[1]
    for band in bands:
        assert band.shape == (4, 4)
        assert band.lowpass == (len(band.path) == 0)
    order2 = [b for b in bands if len(b.path) == 2]
    assert len(order2) == 4 * 4 and all(b.path[0][0] < b.path[1][0] for b in order2)
    assert order2[5].path == ((1, 1), (2, 1)) and order2[5].name == "s1_a1_s2_a1"
    names = st.get_feature_names_out()
    assert len(set(names)) == len(names) == S.shape[1]
    assert names[16] == "scat_o1_s1_a0_0_0" and names[-1] == "scat_o2_s1_a3_s2_a3_3_3"
    layout = st.feature_layout()
    assert layout.shape == (S.shape[1],) and layout["row"].max() == 3
    assert np.isnan(layout["orientation"][0]) and layout["orientation"][16] == 0.0
    frame = st.set_output(transform="pandas").transform(images)
    assert isinstance(frame, pd.DataFrame) and list(frame.columns) == list(names)


@pytest.mark.parametrize("estimator", [ScatteringTransformer(n_scales=2, n_orientations=4),
                                       MorletTransformer(n_scales=2, n_orientations=4)])
def test_dtype_n_jobs_and_batch_size_invariance(images, estimator):
    est = estimator.fit(images)
    reference = est.transform(images)
    assert reference.dtype == np.float64
    single = est.transform(images.astype(np.float32))
    assert single.dtype == np.float32
    np.testing.assert_allclose(single, reference, rtol=1e-4, atol=1e-5)
    X = np.concatenate([images] * 5)
    full = est.set_params(batch_size=20, n_jobs=1).transform(X)
    np.testing.assert_array_equal(est.set_params(batch_size=20, n_jobs=2).transform(X), full)
    np.testing.assert_array_equal(est.set_params(batch_size=3, n_jobs=2).transform(X),
                                  est.set_params(batch_size=3, n_jobs=1).transform(X))
    for batch_size in (1, 3, 7):
        if isinstance(est, ScatteringTransformer):  # float64 too: bit-identical
            np.testing.assert_array_equal(est.set_params(batch_size=batch_size).transform(X),
                                          full)
        else:
            np.testing.assert_allclose(est.set_params(batch_size=batch_size).transform(X),
                                       full, rtol=1e-13, atol=1e-15)


def test_flattened_input_and_image_shape(images):
    st = ScatteringTransformer(image_shape=(16, 16)).fit(images.reshape(4, -1))
    np.testing.assert_allclose(st.transform(images.reshape(4, -1)),
                               ScatteringTransformer().fit(images).transform(images))


# ---------------------------------------------------------------- bad input

@pytest.mark.parametrize("kwargs, error, match", [
    (dict(n_scales=0), ValueError, "n_scales"),
    (dict(n_scales=2.0), TypeError, "n_scales"),
    (dict(max_order=3), ValueError, "max_order"),
    (dict(padding="wrap"), ValueError, "padding"),
    (dict(normalize="unit"), ValueError, "normalize"),
    (dict(rotation="max"), ValueError, "rotation"),
    (dict(scale="max"), ValueError, "scale"),
    (dict(compression=2.0), ValueError, "compression"),
    (dict(compression="sqrt"), TypeError, "compression"),
    (dict(subsampling=0.5), TypeError, "subsampling"),
    (dict(frame="wavelet"), ValueError, "frame"),
    (dict(frame="curvelet", rotation="average"), ValueError, "rotation"),
    (dict(frame="curvelet", n_orientations=3), ValueError, "n_orientations"),
    (dict(n_scales=3, padding="periodic"), ValueError, "periodic"),
    (dict(n_scales=5), ValueError, "too small"),
])
def test_bad_parameters(kwargs, error, match):
    with pytest.raises(error, match=match):
        plan_scattering((20, 20), **{"n_scales": 2, **kwargs})


def test_bad_input(images):
    with pytest.raises(ValueError, match="n_samples, height, width"):
        scattering_transform(images[0])
    with pytest.raises(ValueError, match="real"):
        scattering_transform(images + 1j)
    plan = plan_scattering((16, 16))
    with pytest.raises(ValueError, match="plan is for"):
        scattering_transform(np.zeros((2, 20, 20)), plan=plan)
    with pytest.raises(TypeError, match="plan"):
        scattering_transform(images, plan="plan")
    with pytest.raises(ValueError, match="transforms images"):
        ScatteringTransformer().fit(np.zeros((3, 10)))
    st = ScatteringTransformer().fit(images)
    with pytest.raises(ValueError, match="16, 16"):
        st.transform(np.zeros((2, 8, 32)))
    with pytest.raises(ValueError, match="NaN"):
        st.transform(np.full((2, 16, 16), np.nan))
    with pytest.raises(ValueError, match="compression"):
        ScatteringTransformer(compression=3.0).fit(images)
    with pytest.raises(TypeError, match="plan"):
        morlet_transform(images, plan=plan)


def test_oversampled_output_grid_matches_reference(images):
    """oversampling=1: outputs every 2^(J-1) pixels, the same φ."""
    S = scattering_transform(images, n_scales=2, n_orientations=4, padding='periodic', subsampling=-2, oversampling=1, compression=None)
    ref = np.stack([reference_scattering(x, 2, 4, out_step=2) for x in images])
    np.testing.assert_allclose(S, ref, rtol=1e-9, atol=1e-12)
    assert S.shape == (4, (1 + 8 + 16) * 64)


# ------------------------------------------------------------------ Morlet inverse on degenerate banks

@pytest.mark.parametrize("params, dtype", [
    ({"n_orientations": 1, "normalize": "peak"}, np.float64),   # A_min ~ 1e-32: no inverse
    ({"slant": 0.1, "normalize": "peak"}, np.float64),          # A_min ~ 1e-14
    ({"slant": 0.3, "normalize": "peak"}, np.float32),           # cond 77: invertible
])
def test_morlet_inverse_refuses_what_it_cannot_invert(params, dtype):
    # Before: the dual-frame inverse returned errors of 1e15 without a word.
    X = np.random.default_rng(0).normal(size=(2, 32, 32)).astype(dtype)
    est = MorletTransformer(**params).fit(X)
    low, high = est.plan_.frame_bounds
    coefs = est.transform(X)
    # The rule: refuse iff rounding would be amplified past 1e-3 of the image.
    if high / low * np.finfo(dtype).eps > 1e-3:
        with pytest.raises(ValueError, match="frame bounds A_min=.*normalize='tight'"):
            est.inverse_transform(coefs)
    else:
        back = est.inverse_transform(coefs)
        assert np.abs(back - X).max() <= 1e-3 * np.abs(X).max()


def test_morlet_inverse_tight_is_exact_even_for_one_orientation():
    X = np.random.default_rng(0).normal(size=(2, 32, 32))
    est = MorletTransformer(n_orientations=1).fit(X)
    np.testing.assert_allclose(est.inverse_transform(est.transform(X)), X, atol=1e-12)


@pytest.mark.parametrize("n_scales, subsampling", [(2, 2), (3, 2), (3, 3), (2, 5)])
def test_coarse_subsampling(images, n_scales, subsampling):
    """subsampling > 1 (issue 20: a KeyError in transform): every modulus on a coarser
    grid, the finer wavelets of the second layer sampled on it (aliased)."""
    st = ScatteringTransformer(n_scales=n_scales, n_orientations=4, subsampling=subsampling,
                               compression=None).fit(images)
    S = st.transform(images)
    exact = ScatteringTransformer(n_scales=n_scales, n_orientations=4,
                                  compression=None).fit(images).transform(images)
    assert S.shape == exact.shape and np.all(np.isfinite(S))
    blocks = [b for b in st.bands_]
    order0 = blocks[0]
    np.testing.assert_allclose(S[:, order0.start:order0.stop],
                               exact[:, order0.start:order0.stop], rtol=1e-12)
    assert np.all(S[:, order0.stop:] >= -1e-12)
    res1 = st.plan_.res1
    assert all(res1[j] == min(j + subsampling, n_scales) for j in range(n_scales))
    # at most 2^(J + subsampling) apart: the first order stays within a factor of 2
    first = [b for b in blocks if len(b.path) == 1]
    ratio = (np.linalg.norm(S[:, first[0].start:first[-1].stop])
             / np.linalg.norm(exact[:, first[0].start:first[-1].stop]))
    assert 0.5 < ratio < 2


def test_function_and_estimator_share_the_compression_default(images):
    np.testing.assert_array_equal(scattering_transform(images),
                                  ScatteringTransformer().fit(images).transform(images))
    assert plan_scattering((16, 16)).compression == 0.5
