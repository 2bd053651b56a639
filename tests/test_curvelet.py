"""CurveletTransformer: tight frame, exact inverse, adjointness, directions, layout, errors."""

import pickle

import numpy as np
import pytest

from sklearn_sparsecode import CurveletTransformer
from sklearn_sparsecode.curvelets import (
    curvelet_transform,
    inverse_curvelet_transform,
    plan_curvelets,
)
from sklearn_sparsecode.curvelets._windows import wedge_orientation

RNG = np.random.default_rng(0)
SHAPES = [(16, 16), (17, 17), (28, 28), (32, 48), (33, 47), (64, 31), (100, 37)]
SETTINGS = [(None, 16, "curvelets"), (None, 8, "wavelets"), (2, 12, "curvelets"),
            (3, 8, "curvelets"), (3, 32, "wavelets"), (4, 16, "curvelets")]


def _cases():
    for shape in SHAPES:
        for n_scales, n_angles, finest in SETTINGS:
            if n_scales is not None and min(shape) < 2 ** (n_scales + 1):
                continue
            yield shape, n_scales, n_angles, finest


@pytest.mark.parametrize("decimated", [True, False])
@pytest.mark.parametrize("shape, n_scales, n_angles, finest", list(_cases()))
def test_tight_frame_inverse_and_adjoint(shape, n_scales, n_angles, finest, decimated):
    plan = plan_curvelets(shape, n_scales=n_scales, n_orientations=n_angles // 2, finest=finest, decimated=decimated)
    X = RNG.normal(size=(3, *shape))
    C = curvelet_transform(X, plan=plan)
    norm = np.linalg.norm(X, axis=(1, 2))
    # Parseval, image by image.
    np.testing.assert_allclose(np.linalg.norm(C, axis=1), norm, rtol=1e-12)
    # Perfect reconstruction.
    back = inverse_curvelet_transform(C, plan=plan)
    assert np.linalg.norm(back - X) <= 1e-12 * np.linalg.norm(X)
    # Adjointness with a random coefficient vector: <Cx, y> = <x, C*y>.
    Y = RNG.normal(size=C.shape)
    lhs = np.sum(C * Y)
    rhs = np.sum(X * inverse_curvelet_transform(Y, plan=plan))
    assert abs(lhs - rhs) <= 1e-12 * np.linalg.norm(C) * np.linalg.norm(Y)


def test_linearity():
    X1, X2 = RNG.normal(size=(2, 2, 40, 40))
    ct = CurveletTransformer(n_scales=3).fit(X1)
    np.testing.assert_allclose(ct.transform(2.5 * X1 - 3 * X2),
                               2.5 * ct.transform(X1) - 3 * ct.transform(X2), atol=1e-12)


@pytest.mark.parametrize("image", ["constant", "delta"])
def test_constant_and_delta_images(image):
    X = np.zeros((1, 64, 64))
    if image == "constant":
        X[:] = 3.0
    else:
        X[0, 20, 41] = 1.0
    ct = CurveletTransformer().fit(X)
    C = ct.transform(X)
    np.testing.assert_allclose(np.linalg.norm(C), np.linalg.norm(X), rtol=1e-12)
    np.testing.assert_allclose(ct.inverse_transform(C), X, atol=1e-13)
    if image == "constant":  # all energy in the low-pass
        low = ct.bands_[0]
        assert np.linalg.norm(C[0, low.start:low.stop]) == pytest.approx(np.linalg.norm(X))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype(dtype):
    X = RNG.normal(size=(4, 32, 32)).astype(dtype)
    ct = CurveletTransformer(n_scales=3).fit(X)
    C = ct.transform(X)
    assert C.dtype == dtype
    back = ct.inverse_transform(C)
    assert back.dtype == dtype
    tol = 1e-5 if dtype == np.float32 else 1e-12
    assert np.linalg.norm(back - X) <= tol * np.linalg.norm(X)
    ref = CurveletTransformer(n_scales=3).fit_transform(X.astype(np.float64))
    np.testing.assert_allclose(C, ref, atol=1e-5 * np.abs(ref).max())


def _edge_image(theta_deg, size=128):
    """A sharp straight edge whose normal points at theta (degrees, x right, y up).

    Tapered smoothly to zero before the border, so that the periodic extension
    the FFT sees has no jumps along the image borders (those would put energy at
    0 and 90 degrees whatever theta is).
    """
    y, x = np.mgrid[0:size, 0:size] - (size - 1) / 2
    y = -y  # row index grows downwards; y grows upwards
    theta = np.radians(theta_deg)
    distance = x * np.cos(theta) + y * np.sin(theta)
    radius = np.hypot(x, y) / (0.45 * size)
    taper = np.where(radius < 1, 0.5 * (1 + np.cos(np.pi * np.minimum(radius, 1))), 0.0)
    return np.tanh(distance / 0.7) * taper


@pytest.mark.parametrize("theta", [0, 20, 45, 70, 90, 112.5, 135, 160])
def test_directional_selectivity(theta):
    # An edge's spectrum lies along its normal, so the finest-scale energy
    # concentrates in the wedges whose orientation matches the normal.
    ct = CurveletTransformer(n_scales=4, n_orientations=8).fit(np.zeros((1, 128, 128)))
    C = ct.transform(_edge_image(theta)[None])[0]
    finest = [b for b in ct.bands_ if b.scale == ct.n_scales_]
    energy = {}
    for band in finest:
        energy[band.orientation] = energy.get(band.orientation, 0) + np.sum(
            C[band.start:band.stop] ** 2)
    total = sum(energy.values())

    def angular_distance(a):  # orientations are directions mod 180 degrees
        d = abs(a - theta % 180) % 180
        return min(d, 180 - d)

    best = max(energy, key=energy.get)
    spacing = 360 / (2 * len(energy))  # wedges are stored for half the circle
    assert angular_distance(best) <= spacing  # the wedge at θ or its neighbour
    near = sum(e for o, e in energy.items() if angular_distance(o) <= 1.5 * spacing)
    assert near >= 0.8 * total


def test_orientations_cover_half_circle():
    n = 32
    orientations = [wedge_orientation(l, n) for l in range(n // 2)]
    # 8 wedges per cone: the first is centred on slope 1/16 + 1/16 = 0.125.
    assert orientations[0] == pytest.approx(np.degrees(np.arctan(0.125)))
    assert all(0 <= o < 180 for o in orientations)
    assert orientations == sorted(orientations)


def test_layout_and_feature_names():
    ct = CurveletTransformer(n_scales=3, n_orientations=4).fit(np.zeros((1, 32, 32)))
    C = ct.transform(RNG.normal(size=(2, 32, 32)))
    assert ct.bands_[0].start == 0 and ct.bands_[-1].stop == C.shape[1]
    assert all(a.stop == b.start for a, b in zip(ct.bands_, ct.bands_[1:]))
    assert ct.redundancy_ == pytest.approx(C.shape[1] / 1024)
    names = ct.get_feature_names_out()
    assert len(names) == C.shape[1] and len(set(names)) == len(names)
    assert names[0] == "curvelet_s1_lowpass_0_0"
    wedge = ct.bands_[1]
    assert (wedge.scale, wedge.angle, wedge.part) == (2, 0, "re")
    assert names[wedge.start] == "curvelet_s2_a0_re_0_0"
    # Scale 2 has 8 wedges, 4 stored (re and im), scale 3 has 16, 8 stored.
    assert sum(b.scale == 2 for b in ct.bands_) == 8
    assert sum(b.scale == 3 for b in ct.bands_) == 16


def test_atoms_are_the_analysis_vectors():
    ct = CurveletTransformer(n_scales=4, n_orientations=8).fit(np.zeros((1, 64, 64)))
    X = RNG.normal(size=(2, 64, 64))
    C = ct.transform(X)
    for band in [ct.bands_[0], *(b for b in ct.bands_ if b.scale == 3)][:5]:
        column = band.start + (band.shape[0] // 2) * band.shape[1] + band.shape[1] // 2
        atom = ct.atom(column)
        assert atom.shape == (64, 64)
        # A coefficient is the inner product of the image with its atom.
        np.testing.assert_allclose(np.tensordot(X, atom, axes=2), C[:, column], atol=1e-12)
        # Elements of a Parseval frame have norm at most 1.
        assert 0 < np.linalg.norm(atom) <= 1 + 1e-12


def test_batched_parallel_and_flat_input_identical():
    X = RNG.normal(size=(23, 32, 32)).astype(np.float32)
    ref = CurveletTransformer(n_scales=3).fit_transform(X)
    for batch_size, n_jobs in [(1, None), (5, 2), (None, 2)]:
        got = CurveletTransformer(n_scales=3, batch_size=batch_size,
                                  n_jobs=n_jobs).fit_transform(X)
        np.testing.assert_array_equal(got, ref)
    flat = CurveletTransformer(n_scales=3, image_shape=(32, 32)).fit(X.reshape(23, -1))
    np.testing.assert_array_equal(flat.transform(X.reshape(23, -1)), ref)
    assert flat.inverse_transform(ref).shape == (23, 1024)


def test_set_params_pickle_and_input_untouched():
    X = RNG.normal(size=(3, 32, 32))
    X_copy = X.copy()
    ct = CurveletTransformer(n_scales=2, n_orientations=4).fit(X)
    ct.set_params(n_scales=3, n_orientations=8, finest="wavelets").fit(X)
    fresh = CurveletTransformer(n_scales=3, n_orientations=8, finest="wavelets").fit(X)
    np.testing.assert_array_equal(ct.transform(X), fresh.transform(X))
    again = pickle.loads(pickle.dumps(ct))
    np.testing.assert_array_equal(again.transform(X), fresh.transform(X))
    np.testing.assert_array_equal(X, X_copy)


@pytest.mark.parametrize("kwargs, X, match", [
    ({}, np.zeros((2, 64)), "transforms images"),
    ({"n_scales": 4}, np.zeros((2, 24, 24)), r"too small .* 4 scales.*32 pixels"),
    ({}, np.zeros((2, 6, 6)), "too small"),
    ({"n_orientations": 5}, np.zeros((2, 32, 32)), "must be even"),
    ({"n_orientations": 2}, np.zeros((2, 32, 32)), "'n_orientations' parameter"),
    ({"finest": "ridgelets"}, np.zeros((2, 32, 32)), "'finest' parameter"),
    ({"image_shape": (8, 8)}, np.zeros((2, 60)), "needs 64 features"),
])
def test_bad_input(kwargs, X, match):
    with pytest.raises(ValueError, match=match):
        CurveletTransformer(**kwargs).fit(X)


def test_nan_and_wrong_shape_at_transform():
    ct = CurveletTransformer().fit(np.zeros((1, 32, 32)))
    X = np.zeros((1, 32, 32))
    X[0, 3, 3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        ct.transform(X)
    with pytest.raises(ValueError, match="expecting 1024 features"):
        ct.transform(np.zeros((1, 30, 30)))
    with pytest.raises(ValueError, match="images of shape"):
        ct.transform(np.zeros((1, 16, 64)))


@pytest.mark.parametrize("shape", [(32, 32), (29, 40)])
def test_undecimated_bands_are_circular_filterings(shape):
    """Each undecimated band is the image filtered by its window on the full grid.

    Reference: a direct circular convolution of the image with the window's
    spatial kernel (computed here by a plain inverse DFT of the window), so the
    check does not reuse the transform's own FFT-and-wrap path.
    """
    plan = plan_curvelets(shape, n_scales=3, n_orientations=4, decimated=False)
    X = RNG.normal(size=(1, *shape))
    C = curvelet_transform(X, plan=plan)[0]
    n1, n2 = shape
    for wedge, band in zip(plan.wedges, [b for b in plan.bands if b.part != "im"]):
        window = np.zeros(n1 * n2)
        window[wedge.source] = wedge.weight
        kernel = np.fft.ifft2(window.reshape(shape))  # unnormalised inverse DFT
        rows, cols = np.indices(shape)
        # (x ⊛ kernel)[p] = Σ_q x[q] kernel[p − q]
        direct = np.array([
            np.sum(X[0] * kernel[(p1 - rows) % n1, (p2 - cols) % n2])
            for p1, p2 in np.ndindex(*shape)]).reshape(shape)
        scale = np.sqrt(2.0) if wedge.paired else 1.0
        got = C[band.start:band.stop].reshape(shape)
        np.testing.assert_allclose(got, scale * direct.real, atol=1e-12)
        if wedge.paired:
            im = C[band.stop:band.stop + n1 * n2].reshape(shape)
            np.testing.assert_allclose(im, scale * direct.imag, atol=1e-12)


def test_undecimated_is_shift_equivariant():
    ct = CurveletTransformer(n_scales=3, n_orientations=4, decimated=False).fit(RNG.normal(size=(1, 24, 24)))
    X = RNG.normal(size=(2, 24, 24))
    shifted = np.roll(X, (3, -5), axis=(1, 2))
    C, Cs = ct.transform(X), ct.transform(shifted)
    for band in ct.bands_:
        assert band.shape == (24, 24)
        maps = C[:, band.start:band.stop].reshape(2, 24, 24)
        np.testing.assert_allclose(Cs[:, band.start:band.stop].reshape(2, 24, 24),
                                   np.roll(maps, (3, -5), axis=(1, 2)), atol=1e-12)
    assert ct.redundancy_ == len(ct.bands_)
