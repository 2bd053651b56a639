"""Roto-translation scattering: ``rotation="roto-translation"`` (orbit average).

References here are plain loops: full-resolution convolutions with numpy FFTs,
φ applied in the Fourier domain at every pixel, and the orbit average read with
``scipy.ndimage.map_coordinates`` (bilinear, zero outside the image), one
rotation and one path at a time.
"""

import numpy as np
import pytest
from scipy import ndimage

from sklearn_sparsecode import ScatteringTransformer
from sklearn_sparsecode.scattering import plan_scattering, scattering_transform
from sklearn_sparsecode.morlet._filters import SIGMA0, gaussian_hat, morlet_bank

ROTO = "roto-translation"


def dense_reference(x, J, L):
    """Raw paths (), (j1, θ1), (j1, θ1, j2, θ2) as φ-averaged maps at every pixel."""
    step = 2**J
    pad = tuple((step, -(-(s + 2 * step) // step) * step - s - step) for s in x.shape)
    xp = np.pad(x, pad, mode="reflect")
    M, N = xp.shape
    _, psi = morlet_bank((M, N), J, L)
    phi = gaussian_hat((M, N), SIGMA0 * 2 ** (J - 1))

    def conv(u, filt):
        return np.fft.ifft2(np.fft.fft2(u) * filt)

    def average(u):
        return conv(u, phi).real[pad[0][0]:pad[0][0] + x.shape[0],
                                 pad[1][0]:pad[1][0] + x.shape[1]]

    maps, paths = [average(xp)], [()]
    for j1 in range(J):
        for t1 in range(L):
            maps.append(average(np.abs(conv(xp, psi[j1, t1]))))
            paths.append((j1, t1))
    for j1 in range(J):
        for t1 in range(L):
            U1 = np.abs(conv(xp, psi[j1, t1]))
            for j2 in range(j1 + 1, J):
                for t2 in range(L):
                    maps.append(average(np.abs(conv(U1, psi[j2, t2]))))
                    paths.append((j1, t1, j2, t2))
    return np.array(maps), paths


def orbit_reference(x, J, L, steps, weights):
    """Σ_m w_m F(R_−m u, path rotated by −m), one rotation and one path at a time."""
    maps, paths = dense_reference(x, J, L)
    H, W = x.shape
    step = 2**J
    h, w = -(-H // step), -(-W // step)
    c = ((H - 1) / 2, (W - 1) / 2)
    rows = c[0] + step * (np.arange(h) - (h - 1) / 2)
    cols = c[1] + step * (np.arange(w) - (w - 1) / 2)
    R, C = np.meshgrid(rows, cols, indexing="ij")
    index = {p: i for i, p in enumerate(paths)}
    out = np.zeros((len(paths), h, w))
    for m, wm in zip(steps, weights):
        a = m * np.pi / L
        pr = c[0] + np.cos(a) * (R - c[0]) + np.sin(a) * (C - c[1])
        pc = c[1] - np.sin(a) * (R - c[0]) + np.cos(a) * (C - c[1])
        for i, p in enumerate(paths):
            source = tuple((v - m) % L if k % 2 else v for k, v in enumerate(p))
            out[i] += wm * ndimage.map_coordinates(maps[index[source]], [pr, pc], order=1,
                                                   mode="grid-constant", cval=0.0)
    return out.reshape(-1)


@pytest.fixture(scope="module")
def images():
    """Smooth random 16 x 16 images: Gaussian blobs, an edge, a bar (no symmetry)."""
    rng = np.random.default_rng(1)
    X = np.zeros((3, 16, 16))
    rows, cols = np.mgrid[0:16, 0:16]
    for img in X:
        for _ in range(3):
            r, c, s = rng.uniform(3, 13), rng.uniform(3, 13), rng.uniform(1, 3)
            img += np.exp(-((rows - r) ** 2 + (cols - c) ** 2) / (2 * s**2))
        img += (rows + 0.5 * cols > rng.uniform(8, 14)) * 0.5
        img += np.exp(-((rows - 4) ** 2) / 2) * (cols > 9)
    return X


def test_orbit_average_matches_plain_loop_reference(images):
    """Full resolution (every modulus at every pixel): the sparse orbit matrix is the
    loop over rotations, paths and bilinear readings."""
    J, L = 2, 4
    for window, steps, weights in ((45.0, [-1, 0, 1], [1, 2, 1]),
                                   (180.0, range(-3, 5), [1] * 8),
                                   (0.0, [0], [1])):
        weights = np.array(weights, float) / np.sum(weights)
        S = scattering_transform(images, n_scales=J, n_orientations=L, rotation=ROTO,
                                 rotation_window=window,
                                 subsampling=-J, compression=None)
        for x, s in zip(images, S):
            np.testing.assert_allclose(s, orbit_reference(x, J, L, steps, weights),
                                       rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("L", [4, 6, 8])
def test_full_orbit_is_invariant_to_quarter_turns(images, L):
    """L even: a quarter turn is L/2 steps of 180/L degrees, so it permutes the 2L
    rotations of the whole orbit (and maps the centred output grid onto itself)."""
    plan = plan_scattering((16, 16), n_scales=2, n_orientations=L, rotation=ROTO,
                           rotation_window=180,
                           subsampling=-2, compression=None)
    S = scattering_transform(images, plan=plan)
    for k in (1, 2, 3):
        turned = scattering_transform(np.rot90(images, k, axes=(1, 2)), plan=plan)
        np.testing.assert_allclose(turned, S, rtol=1e-10, atol=1e-12 * np.abs(S).max())
    # the plain features are not invariant, nor are the full-orbit features under a flip
    plain = scattering_transform(images, n_scales=2, n_orientations=L, subsampling=-2,
                                 compression=None)
    plain_turned = scattering_transform(np.rot90(images, 1, axes=(1, 2)), n_scales=2,
                                        n_orientations=L,
                                        subsampling=-2, compression=None)
    assert np.abs(plain_turned - plain).max() > 1e-2 * np.abs(plain).max()


def test_default_grids_are_nearly_invariant(images):
    """With the moduli subsampled (the default), the sampling lattices are not symmetric
    about the centre: quarter turns are then invariant to about 1e-3."""
    est = ScatteringTransformer(rotation=ROTO, rotation_window=180, compression=None).fit(images)
    S = est.transform(images)
    turned = est.transform(np.rot90(images, 1, axes=(1, 2)))
    assert np.abs(turned - S).max() < 5e-3 * np.abs(S).max()


def test_window_is_equivariant_to_quarter_turns(images):
    """S_w(R_t x)(u, θ) = S_w(x)(R_−t u, θ − t): a quarter turn of the image turns each
    output block and shifts the orientations of the path by L/2."""
    J, L = 2, 8
    plan = plan_scattering((16, 16), n_scales=J, n_orientations=L, rotation=ROTO,
                           rotation_window=45,
                           subsampling=-J, compression=None)
    S = scattering_transform(images, plan=plan).reshape(3, plan.n_raw_paths, 4, 4)
    turned = scattering_transform(np.rot90(images, 1, axes=(1, 2)), plan=plan).reshape(S.shape)
    index = {p: i for i, p in enumerate(plan.paths)}
    source = [index[tuple((v - L // 2) % L if k % 2 else v for k, v in enumerate(p))]
              for p in plan.paths]
    expected = np.rot90(S[:, source], 1, axes=(2, 3))
    np.testing.assert_allclose(turned, expected, rtol=1e-10, atol=1e-12 * np.abs(S).max())
    assert not np.allclose(turned, S, atol=1e-3 * np.abs(S).max())


def test_more_invariant_than_plain_features_under_small_rotations(images):
    """Relative change under rotations that are not multiples of 180/L degrees."""
    X = np.pad(images, ((0, 0), (8, 8), (8, 8)))  # room to rotate
    plain = ScatteringTransformer(compression=None).fit(X)
    roto = ScatteringTransformer(rotation=ROTO, rotation_window=180, compression=None).fit(X)
    window = ScatteringTransformer(rotation=ROTO, rotation_window=45, compression=None).fit(X)
    for angle in (10, 22.5, 30):
        moved = ndimage.rotate(X, angle, axes=(1, 2), reshape=False, order=3)
        change = {}
        for name, est in (("plain", plain), ("roto", roto), ("window", window)):
            S0, S1 = est.transform(X), est.transform(moved)
            change[name] = np.mean(np.linalg.norm(S1 - S0, axis=1) / np.linalg.norm(S0, axis=1))
        # the whole orbit moves by interpolation errors only (rotating the orientations
        # the wrong way along the orbit would leave about 0.2 of the plain change)
        assert change["roto"] < 0.1 * change["plain"]
        assert change["roto"] < change["window"] < change["plain"]


def test_layout_names_and_bands_are_those_of_the_plain_transform(images):
    plain = ScatteringTransformer().fit(images)
    roto = ScatteringTransformer(rotation=ROTO).fit(images)
    S = roto.transform(images)
    assert S.shape == plain.transform(images).shape == (3, plain.plan_.n_features)
    np.testing.assert_array_equal(roto.get_feature_names_out(), plain.get_feature_names_out())
    assert [b.path for b in roto.bands_] == [b.path for b in plain.bands_]
    assert [b.orientation for b in roto.bands_] == [b.orientation for b in plain.bands_]
    assert roto.plan_.out_shape == plain.plan_.out_shape == (4, 4)
    assert roto.plan_.spec.out_shape == (16, 16)  # φ at every pixel before the average
    # order 0 of the full orbit is radially symmetric: equal at the four quarter-turned
    # positions of the output grid
    full = scattering_transform(images, rotation=ROTO, rotation_window=180, subsampling=-2)
    block = full[:, :16].reshape(3, 4, 4)
    np.testing.assert_allclose(block, np.rot90(block, 1, axes=(1, 2)), rtol=1e-10)
    # scale averaging composes with the orbit average (mean over j1 afterwards)
    both = scattering_transform(images, rotation=ROTO, scale="average", compression=None)
    alone = scattering_transform(images, rotation=ROTO, compression=None).reshape(3, -1, 16)
    np.testing.assert_allclose(both.reshape(3, -1, 16)[:, 1], alone[:, [1, 9]].mean(axis=1),
                               rtol=1e-6)


def test_dtype_batch_size_and_n_jobs(images):
    X = images.astype(np.float32)
    est = ScatteringTransformer(rotation=ROTO, batch_size=2).fit(X)
    S = est.transform(X)
    assert S.dtype == np.float32
    one = ScatteringTransformer(rotation=ROTO, batch_size=1, n_jobs=2).fit(X).transform(X)
    np.testing.assert_array_equal(S, one)
    S64 = ScatteringTransformer(rotation=ROTO).fit(images).transform(images)
    np.testing.assert_allclose(S, S64, rtol=2e-4, atol=1e-5)


def test_channels_match_grey_images_for_every_batch_size(images):
    """channel_axis: each channel is one more grey image, and the aligned inner chunks
    (start and total counted in grey images) keep the results bit-identical."""
    X = np.stack([images, images[::-1] ** 2], axis=-1).astype(np.float32)  # (3, 16, 16, 2)
    est = ScatteringTransformer(rotation=ROTO, channel_axis=-1).fit(X)
    S = est.transform(X)
    grey = ScatteringTransformer(rotation=ROTO).fit(X[..., 0])
    per_channel = [grey.transform(X[..., c]) for c in range(2)]
    np.testing.assert_allclose(S, np.concatenate(per_channel, axis=1), rtol=1e-5, atol=1e-6)
    for batch_size, n_jobs in ((1, 1), (2, 2)):
        other = est.set_params(batch_size=batch_size, n_jobs=n_jobs).transform(X)
        np.testing.assert_array_equal(other, S)


def test_lowpass_between_samples_matches_the_sampled_lowpass():
    """φ evaluated from its Fourier series at whole positions is the sampled φ; between
    samples it is the Gaussian of the same width (its periodisation is negligible)."""
    from sklearn_sparsecode.scattering._plan import _lowpass_matrices, _lowpass_matrices_at

    sampled = _lowpass_matrices((36, 20), 1.6, 4, (4, 2), (7, 4))
    between = _lowpass_matrices_at((36, 20), 1.6, [4 + 4 * np.arange(7), 2 + 4 * np.arange(4)])
    for a, b in zip(sampled, between):
        np.testing.assert_allclose(b, a, atol=1e-12)
    (rows,) = _lowpass_matrices_at((36,), 1.6, [np.array([10.25])])
    gauss = np.exp(-0.5 * ((10.25 - np.arange(36)) / 1.6) ** 2) / np.sqrt(2 * np.pi * 1.6**2)
    np.testing.assert_allclose(rows[0], gauss, atol=1e-6)


def test_window_steps_and_weights():
    from sklearn_sparsecode.scattering._invariants import rotation_steps

    steps, weights = rotation_steps(45, 8)  # 2 steps of 22.5 degrees each way
    np.testing.assert_array_equal(steps, [-2, -1, 0, 1, 2])
    np.testing.assert_allclose(weights, np.array([1, 2, 3, 2, 1]) / 9)
    steps, weights = rotation_steps(30, 8)  # rounded down to whole steps
    np.testing.assert_array_equal(steps, [-1, 0, 1])
    steps, weights = rotation_steps(180, 8)  # the whole circle, each rotation once
    assert sorted(np.mod(steps, 16)) == list(range(16))
    np.testing.assert_allclose(weights, 1 / 16)
    np.testing.assert_array_equal(rotation_steps(0, 8)[0], [0])


@pytest.mark.parametrize("kwargs, match", [
    (dict(rotation="roto"), "rotation"),
    (dict(rotation=ROTO, rotation_window=-1), "rotation_window"),
    (dict(rotation=ROTO, rotation_window=181), "rotation_window"),
    (dict(rotation=ROTO, rotation_window=True), "rotation_window"),
    (dict(rotation=ROTO, rotation_window="45"), "rotation_window"),
    (dict(rotation=ROTO, frame="curvelet"), "rotation"),
])
def test_bad_parameters(images, kwargs, match):
    with pytest.raises(ValueError, match=match):
        ScatteringTransformer(**kwargs).fit(images)
    plan_kwargs = {k: v for k, v in kwargs.items()}
    with pytest.raises((ValueError, TypeError), match=match):
        plan_scattering((16, 16), **plan_kwargs)
