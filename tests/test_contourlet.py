"""Contourlet transform: exact inverse, LP and DFB against plain-convolution references,
directions, layout, dtypes, batching, errors.

The references here are written from the papers' definitions with explicit
circular indexing (no FFT, no product form): the Laplacian pyramid with
PyWavelets' bior4.4 taps, and the directional filter bank as the literal tree
of quincunx fan filter banks with its resampling matrices.
"""

import dataclasses
import math

import numpy as np
import pytest
import pywt

from sklearn_sparsecode.contourlets import (
    contourlet_transform,
    inverse_contourlet_transform,
    plan_contourlets,
)
from sklearn_sparsecode.contourlets._filters import fan_filters

RNG = np.random.default_rng(0)

CASES = [
    ((8, 8), (1,)), ((16, 16), (2,)), ((16, 16), (4,)), ((32, 32), (4, 8)),
    ((28, 28), (4, 8)), ((32, 48), (2, 4)), ((64, 32), (1, 16)), ((48, 48), (8, 4, 8)),
    ((64, 64), (4, 8, 8)), ((64, 64), (8, 16, 32)), ((96, 64), (4, 4, 4, 8)),
    ((40, 24), (8,)), ((40, 24), (1, 2, 4)),
]


@pytest.mark.parametrize("dfb_filters", ["dd2", "kaiser12", "dd8"])
@pytest.mark.parametrize("lp_filters", ["9-7", "5-3"])
@pytest.mark.parametrize("shape, n_orientations", CASES)
def test_perfect_reconstruction(shape, n_orientations, lp_filters, dfb_filters):
    plan = plan_contourlets(shape, n_orientations=n_orientations, lp_filters=lp_filters, dfb_filters=dfb_filters)
    X = RNG.normal(size=(3, *shape))
    C = contourlet_transform(X, plan=plan)
    assert C.shape == (3, plan.n_coefficients)
    for how in ("dual", "standard"):
        back = inverse_contourlet_transform(C, plan=dataclasses.replace(plan, reconstruction=how))
        assert np.linalg.norm(back - X) <= 1e-12 * np.linalg.norm(X), how


def test_functions_build_the_same_plan():
    X = RNG.normal(size=(2, 32, 32))
    C = contourlet_transform(X, n_orientations=(4, 8), dfb_filters='kaiser8')
    np.testing.assert_array_equal(
        C, contourlet_transform(X, plan=plan_contourlets((32, 32), n_orientations=(4, 8), dfb_filters='kaiser8')))
    back = inverse_contourlet_transform(C, plan=plan_contourlets((32, 32), n_orientations=(4, 8), dfb_filters='kaiser8'))
    np.testing.assert_allclose(back, X, atol=1e-12)


# ----------------------------------------------------------------- references

def circular_convolve(x, taps, origin):
    """(f * x)[n] = Σ_k f[k] x[n − k], indices mod the shape, by explicit shifts."""
    out = np.zeros_like(x)
    for i, j in zip(*np.nonzero(taps)):
        out += taps[i, j] * np.roll(x, (i - origin[0], j - origin[1]), axis=(0, 1))
    return out


def resample(x, matrix, shape=None):
    """y[m] = x[M m mod x.shape] for m in [0, shape)."""
    shape = x.shape if shape is None else shape
    m = np.indices(shape).reshape(2, -1)
    n = np.asarray(matrix) @ m
    return x[n[0] % x.shape[0], n[1] % x.shape[1]].reshape(shape)


def pyramid_reference(x, n_levels):
    """Laplacian pyramid with PyWavelets' bior4.4 low-pass taps, separable, circular."""
    w = pywt.Wavelet("bior4.4")
    h, g = (np.trim_zeros(np.asarray(f)) for f in (w.dec_lo, w.rec_lo))
    h2, g2 = np.outer(h, h), np.outer(g, g)
    bands = []
    for _ in range(n_levels):
        c = circular_convolve(x, h2, (4, 4))[::2, ::2]
        up = np.zeros_like(x)
        up[::2, ::2] = c
        bands.append(x - circular_convolve(up, g2, (3, 3)))
        x = c
    return x, bands[::-1]  # low-pass, band-pass images coarse to fine


def band_blocks(plan, C):
    return {(b.scale, b.name): C[b.start:b.stop].reshape(b.shape) for b in plan.bands}


@pytest.mark.parametrize("shape, n_levels", [((32, 32), 1), ((32, 48), 2), ((64, 64), 3)])
def test_laplacian_pyramid_against_convolution(shape, n_levels):
    plan = plan_contourlets(shape, n_orientations=(1,) * n_levels)  # no DFB: the pyramid's bands
    x = RNG.normal(size=shape)
    blocks = band_blocks(plan, contourlet_transform(x[None], plan=plan)[0])
    low, bands = pyramid_reference(x, n_levels)
    # PyWavelets tabulates the 9/7 taps to about 1e-13.
    np.testing.assert_allclose(blocks[(1, "lowpass")], low, atol=1e-10)
    for scale, d in enumerate(bands, start=2):
        np.testing.assert_allclose(blocks[(scale, "bandpass")], d, atol=1e-10)


def test_dual_and_standard_reconstruction_formulas():
    """Both inverses of perturbed pyramid coefficients, against the papers' formulas."""
    w = pywt.Wavelet("bior4.4")
    h, g = (np.trim_zeros(np.asarray(f)) for f in (w.dec_lo, w.rec_lo))
    h2, g2 = np.outer(h, h), np.outer(g, g)
    plan = plan_contourlets((32, 32), n_orientations=(1,))
    x = RNG.normal(size=(32, 32))
    C = contourlet_transform(x[None], plan=plan)[0]
    C = C + 0.1 * RNG.normal(size=C.shape)  # no longer a valid pyramid
    blocks = band_blocks(plan, C)
    c, d = blocks[(1, "lowpass")], blocks[(2, "bandpass")]

    def synthesise(coarse):
        up = np.zeros((32, 32))
        up[::2, ::2] = coarse
        return circular_convolve(up, g2, (3, 3))

    standard = synthesise(c) + d
    dual = synthesise(c - circular_convolve(d, h2, (4, 4))[::2, ::2]) + d
    for how, expected in (("standard", standard), ("dual", dual)):
        got = inverse_contourlet_transform(C[None], plan=dataclasses.replace(plan, reconstruction=how))[0]
        np.testing.assert_allclose(got, expected, atol=1e-10)
    # The dual frame reconstruction is the better one from noisy coefficients.
    assert np.linalg.norm(dual - x) < np.linalg.norm(standard - x)


# The tree, from the description in the module docstring of _contourlet_filters.
Q = np.array([[1, -1], [1, 1]])
A = np.array([[-1, 1], [1, 0]])
SWAP = np.array([[0, 1], [1, 0]])


def dfb_reference(d, n_levels, fans):
    """Literal DFB tree on a square periodic image; returns {(family, k): subband}.

    Every channel is kept as an N x N array (periodic with N along both axes:
    the resampling matrices are integer), filtered by circular convolution and
    resampled by index maps, with the re-indexing ("backsampling") that makes
    each subband's sampling diagonal.
    """
    f = fans[:2]
    n = d.shape[0]
    conv = lambda x, i: circular_convolve(x, f[i].taps, f[i].origin)
    level1 = {c: resample(conv(d, c), Q) for c in (0, 1)}  # x[Qm]
    if n_levels == 1:  # quincunx subbands stored with rows interleaved
        out = {}
        for c in (0, 1):
            z = conv(d, c)
            rows = np.arange(n)[:, None]
            cols = 2 * np.arange(n // 2)[None, :] + rows % 2
            out[("v" if c == 0 else "h", 0)] = z[rows, cols]
        return out
    # Level 2: Q·Q = 2·R90; re-index by R90⁻¹ so that the channel is x[2n].
    r90_inv = np.array([[0, 1], [-1, 0]])
    channels = {}
    for c in (0, 1):
        for i in (0, 1):
            v = resample(conv(level1[c], i), Q)
            channels[("v" if c == 0 else "h", 1 if i == 0 else 0)] = resample(v, r90_inv)
    for level in range(2, n_levels):
        children = {}
        for (family, k), w in channels.items():
            j = k - 2 ** (level - 2)
            shear = np.array([[1, 0], [-j, 1]])
            node = shear @ A if family == "h" else SWAP @ shear @ A
            # N Q = diag(2, 1) V (or diag(1, 2) V'): read the child at V⁻¹ n.
            if family == "h":
                back = np.array([[2 * j + 1, 1], [1, 0]])
            else:
                back = np.array([[1, 2 * j + 1], [0, 1]])
            shifted = resample(w, node)
            for i in (0, 1):
                z = resample(conv(shifted, i), Q)
                children[(family, 2 * k + i)] = resample(z, back)
        channels = children
    out = {}
    for (family, k), w in channels.items():
        a, b = (2 ** (n_levels - 1), 2) if family == "h" else (2, 2 ** (n_levels - 1))
        out[(family, k)] = w[:n // a, :n // b]
    return out


def wedge_angle(family, k, n_levels):
    """Middle frequency direction of wedge k of a family, from its slope interval."""
    width = 2.0 ** (2 - n_levels) if n_levels > 1 else 2.0
    s0, s1 = -1 + k * width, -1 + (k + 1) * width
    if family == "h":  # slopes ω1/ω2, direction (ω2, −ω1)
        angles = [math.degrees(math.atan2(-s, 1)) for s in (s0, s1)]
    else:  # slopes ω2/ω1
        angles = [math.degrees(math.atan2(1, -s)) for s in (s0, s1)]
    return np.mod(np.mean(angles), 180)


@pytest.mark.parametrize("dfb_filters", ["dd2", "kaiser12"])
@pytest.mark.parametrize("size, n_levels", [(16, 1), (16, 2), (16, 3), (32, 4), (32, 3)])
def test_dfb_against_literal_tree(size, n_levels, dfb_filters):
    plan = plan_contourlets((size, size), n_orientations=(2 ** n_levels,), dfb_filters=dfb_filters)
    x = RNG.normal(size=(size, size))
    C = contourlet_transform(x[None], plan=plan)[0]
    _, (d,) = pyramid_reference(x, 1)
    reference = dfb_reference(d, n_levels, fan_filters(dfb_filters))
    directional = [b for b in plan.bands if b.scale == 2]
    assert len(directional) == len(reference) == 2 ** n_levels
    matched = set()
    for (family, k), expected in reference.items():
        errors = [np.abs(C[b.start:b.stop].reshape(b.shape) - expected).max()
                  if b.shape == expected.shape else np.inf for b in directional]
        best = int(np.argmin(errors))
        assert errors[best] < 1e-9, (family, k, errors[best])
        assert directional[best].orientation == pytest.approx(wedge_angle(family, k, n_levels))
        matched.add(best)
    assert len(matched) == len(directional)


# ---------------------------------------------------------------- directions

def edge_image(size, angle, radius=6):
    """Straight edges whose normal points along about ``angle``, and that exact angle.

    A smoothed square wave across the integer frequency k closest to
    ``radius``·(cos, sin)(angle): tanh(3 sin(2π k·n / size)). It is periodic, so
    the edges continue across the borders and the spectrum lies on the line
    through k's harmonics (x axis = columns, y axis = up = minus rows, as in
    the Band convention).
    """
    t = np.radians(angle)
    k_col, k_up = round(radius * np.cos(t)), round(radius * np.sin(t))
    r, c = np.mgrid[:size, :size]
    phase = 2 * np.pi * (k_col * c - k_up * r) / size
    return np.tanh(3 * np.sin(phase)), np.degrees(np.arctan2(k_up, k_col)) % 180


@pytest.mark.parametrize("angle", [0, 20, 45, 70, 90, 110, 135, 160])
def test_edge_energy_in_matching_orientation(angle):
    size, n_dirs = 128, 16
    plan = plan_contourlets((size, size), n_orientations=(4, n_dirs))
    image, angle = edge_image(size, angle)
    C = contourlet_transform(image[None], plan=plan)[0]
    fine = [b for b in plan.bands if b.scale == 3]
    energy = np.array([np.sum(C[b.start:b.stop] ** 2) for b in fine])
    gaps = np.array([abs((b.orientation - angle + 90) % 180 - 90) for b in fine])
    # The strongest subband is the one whose wedge holds the edge normal ...
    assert gaps[np.argmax(energy)] <= 180 / n_dirs, (angle, gaps)
    # ... and holds a large share of the fine-scale energy: measured 0.44 (oblique
    # angles) to 0.95 (axes), 7x to 15x the uniform share 1/16. The rest is the
    # Laplacian pyramid's aliasing (the coarse channel's alias re-enters the
    # band-pass image at mirrored frequencies; Lu & Do 2006), inherent to the
    # contourlet transform, not to the directional filter bank: see
    # test_dfb_wedges_are_selective.
    assert energy.max() > 0.35 * energy.sum(), (angle, energy.max() / energy.sum())


def test_dfb_wedges_are_selective():
    """At a frequency inside wedge k, the DFB's subband filters pass almost only k."""
    from sklearn_sparsecode.contourlets._plan import _dfb_members

    n, n_dirs = 128, 16
    members = _dfb_members((n, n), 4, fan_filters("kaiser12"))
    rng = np.random.default_rng(1)
    shares = []
    for _ in range(200):
        radius, angle = rng.uniform(12, 45), rng.uniform(0, 180)
        t = np.radians(angle)
        k_col, k_up = round(radius * np.cos(t)), round(radius * np.sin(t))
        angle = np.degrees(np.arctan2(k_up, k_col)) % 180
        gain = np.array([abs(m["parts"][0][0][-k_up % n, k_col % n]) ** 2 for m in members])
        gaps = np.array([abs((m["orientation"] - angle + 90) % 180 - 90) for m in members])
        shares.append(gain[gaps <= 180 / n_dirs].sum() / gain.sum())
    # Own wedge or the neighbour across the nearest border.
    assert np.median(shares) > 0.95 and np.mean(shares) > 0.85, np.percentile(shares, [5, 50])


@pytest.mark.parametrize("n_dirs", [4, 8, 16])
def test_atoms_are_directional(n_dirs):
    """An atom's spectrum lies mostly in the frequency wedge its orientation names."""
    size = 64
    plan = plan_contourlets((size, size), n_orientations=(4, n_dirs))
    k1 = np.fft.fftfreq(size)[:, None]
    k2 = np.fft.fftfreq(size)[None, :]
    direction = np.degrees(np.arctan2(-k1, k2)) % 180  # (horizontal, up) frequency
    radius = np.hypot(k1, k2)
    shares = []
    for band in (b for b in plan.bands if b.scale == 3):
        unit = np.zeros((1, plan.n_coefficients))
        rows, cols = band.shape
        unit[0, band.start + (rows // 2) * cols + cols // 2] = 1.0
        atom = inverse_contourlet_transform(unit, plan=plan)[0]
        power = np.abs(np.fft.fft2(atom)) ** 2
        gap = np.abs((direction - band.orientation + 90) % 180 - 90)
        inside = (gap <= 180 / n_dirs) & (radius > 0.05)  # own wedge and its borders
        shares.append(power[inside].sum() / power.sum())
        # The power-weighted mean direction (angles doubled: axial data) is the band's.
        mean = np.degrees(np.angle(np.sum(power * np.exp(2j * np.radians(direction))))) / 2
        assert abs((mean - band.orientation + 90) % 180 - 90) < 90 / n_dirs, band.name
    # Measured (64², kaiser12): mean share 0.85 (4 directions), 0.77 (8), 0.75 (16);
    # the worst atoms, next to the axes, 0.46 (LP aliasing, see above).
    assert min(shares) > 0.4 and np.mean(shares) > 0.7, shares


# ------------------------------------------------------------------- layout

def test_layout_and_redundancy():
    plan = plan_contourlets((64, 64), n_orientations=(4, 8, 8))
    bands = plan.bands
    assert bands == plan_contourlets((64, 64), n_orientations=(4, 8, 8)).bands
    assert [b.start for b in bands[1:]] == [b.stop for b in bands[:-1]]
    low = bands[0]
    assert (low.scale, low.name, low.shape, low.lowpass, low.orientation) == (
        1, "lowpass", (8, 8), True, None)
    assert low.prefix == "contourlet_s1_lowpass"
    for scale, n_dirs, size in ((2, 4, 16), (3, 8, 32), (4, 8, 64)):
        directional = [b for b in bands if b.scale == scale]
        assert [b.angle for b in directional] == list(range(n_dirs))
        assert [b.name for b in directional] == [f"d{a}" for a in range(n_dirs)]
        assert all(b.prefix == f"contourlet_s{scale}_{b.name}" for b in directional)
        assert all(b.scale_label == "scale" and b.part == "real" and not b.lowpass
                   for b in directional)
        orientations = [b.orientation for b in directional]
        assert orientations == sorted(orientations)
        assert all(0 <= o < 180 for o in orientations)
        # Critically sampled DFB: its subbands hold as many samples as its input.
        assert sum(b.size for b in directional) == size * size
    # 1 + 1/4 + 1/16 + 1/64 coefficients per pixel, about 4/3.
    assert plan.n_coefficients == 64 * 64 + 32 * 32 + 16 * 16 + 8 * 8
    assert plan.redundancy == pytest.approx(4 / 3, abs=0.01)


def test_quincunx_and_undivided_levels_layout():
    bands = plan_contourlets((32, 32), n_orientations=(1, 2)).bands
    assert [(b.scale, b.name, b.shape, b.orientation) for b in bands] == [
        (1, "lowpass", (8, 8), None), (2, "bandpass", (16, 16), None),
        (3, "d0", (32, 16), 0.0), (3, "d1", (32, 16), 90.0)]


# ----------------------------------------------------------- dtypes, batching

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_kept(dtype):
    X = RNG.normal(size=(4, 32, 32)).astype(dtype)
    plan = plan_contourlets((32, 32), n_orientations=(4, 8))
    C = contourlet_transform(X, plan=plan)
    assert C.dtype == dtype
    back = inverse_contourlet_transform(C, plan=plan)
    assert back.dtype == dtype
    tol = 1e-5 if dtype == np.float32 else 1e-12
    assert np.linalg.norm(back - X) <= tol * np.linalg.norm(X)
    if dtype == np.float32:  # same coefficients as float64 to single precision
        C64 = contourlet_transform(X.astype(np.float64), plan=plan)
        np.testing.assert_allclose(C, C64, atol=1e-5 * np.abs(C64).max())


def test_integer_input_becomes_float64():
    X = RNG.integers(0, 255, size=(2, 16, 16))
    assert contourlet_transform(X, n_orientations=(4,)).dtype == np.float64


def test_batch_size_and_n_jobs_bit_identical():
    X = RNG.normal(size=(23, 32, 32))
    plan = plan_contourlets((32, 32), n_orientations=(4, 8))
    reference = contourlet_transform(X, plan=plan)
    for batch_size, n_jobs in ((1, None), (5, 2), (7, 1), (None, 2), (100, 2)):
        C = contourlet_transform(X, plan=plan, batch_size=batch_size, n_jobs=n_jobs)
        np.testing.assert_array_equal(C, reference)
        back = inverse_contourlet_transform(C, plan=plan, batch_size=batch_size, n_jobs=n_jobs)
        np.testing.assert_array_equal(back, inverse_contourlet_transform(reference, plan=plan))
    # Each image is transformed alone: the same row as in the batch.
    np.testing.assert_array_equal(contourlet_transform(X[3:4], plan=plan)[0], reference[3])


def test_input_not_modified():
    X = RNG.normal(size=(2, 16, 16))
    copy = X.copy()
    C = contourlet_transform(X, n_orientations=(4,))
    Ccopy = C.copy()
    inverse_contourlet_transform(C, plan=plan_contourlets((16, 16), n_orientations=(4,)))
    np.testing.assert_array_equal(X, copy)
    np.testing.assert_array_equal(C, Ccopy)


# --------------------------------------------------------------------- errors

@pytest.mark.parametrize("n_orientations", [3, (4, 6), (0,), (4, -8), ()])
def test_bad_n_orientations(n_orientations):
    with pytest.raises(ValueError, match="n_orientations"):
        plan_contourlets((64, 64), n_orientations=n_orientations)


def test_bad_n_orientations_type():
    with pytest.raises(TypeError, match="n_orientations"):
        plan_contourlets((64, 64), n_orientations=4.5)


def test_sizes_not_allowed():
    with pytest.raises(ValueError, match=r"image_shape=\(30, 32\).*multiple of 4"):
        plan_contourlets((30, 32), n_orientations=(4, 8))
    with pytest.raises(ValueError, match=r"image_shape=\(28, 28\).*multiple of 8"):
        plan_contourlets((28, 28), n_orientations=(4, 8, 8))
    with pytest.raises(ValueError, match="too small.*multiple of 16"):
        plan_contourlets((8, 32), n_orientations=(4, 8, 8, 8))
    with pytest.raises(ValueError, match="image_shape"):
        plan_contourlets((0, 16), n_orientations=(4,))
    with pytest.raises(ValueError, match="n_orientations=\\(4, 8\\)"):
        contourlet_transform(RNG.normal(size=(1, 30, 30)), n_orientations=(4, 8))


def test_bad_filters_and_reconstruction():
    with pytest.raises(ValueError, match="lp_filters"):
        plan_contourlets((32, 32), n_orientations=(4,), lp_filters='db2')
    with pytest.raises(ValueError, match="dfb_filters"):
        plan_contourlets((32, 32), n_orientations=(4,), dfb_filters='pkva')
    C = contourlet_transform(RNG.normal(size=(1, 16, 16)), n_orientations=(4,))
    with pytest.raises(ValueError, match="reconstruction"):
        inverse_contourlet_transform(C, plan=plan_contourlets((16, 16), n_orientations=(4,), reconstruction='adjoint'))


def test_bad_shapes_against_plan():
    plan = plan_contourlets((16, 16), n_orientations=(4,))
    with pytest.raises(ValueError, match=r"plan is for samples of shape \(16, 16\)"):
        contourlet_transform(RNG.normal(size=(1, 32, 32)), plan=plan)
    with pytest.raises(ValueError, match="n_samples, height, width"):
        contourlet_transform(RNG.normal(size=(16, 16)))
    with pytest.raises(ValueError, match="Complex"):
        contourlet_transform(np.ones((1, 16, 16), dtype=complex), plan=plan)
    n_coefs = plan.n_coefficients
    with pytest.raises(ValueError, match=f"the plan makes {n_coefs} coefficients per sample"):
        inverse_contourlet_transform(np.ones((1, 10)), plan=plan)
    # The inverse reads the image shape from its plan only, so it needs one.
    with pytest.raises(ValueError, match="'plan' parameter .*ContourletPlan"):
        inverse_contourlet_transform(np.ones((1, plan.n_coefficients)), plan=None)
    with pytest.raises(TypeError, match="plan"):
        contourlet_transform(RNG.normal(size=(1, 16, 16)), plan="plan")


# ------------------------------------------------------------------ estimator

def test_estimator_matches_functions_and_inverts():
    from sklearn_sparsecode import ContourletTransformer

    X = RNG.normal(size=(5, 28, 28))
    ct = ContourletTransformer(n_orientations=(4, 8)).fit(X)
    C = ct.transform(X)
    np.testing.assert_array_equal(C, contourlet_transform(X, n_orientations=(4, 8)))
    assert ct.n_levels_ == 2 and ct.redundancy_ == pytest.approx(1.3125)
    assert ct.bands_ == plan_contourlets((28, 28), n_orientations=(4, 8)).bands
    np.testing.assert_allclose(ct.inverse_transform(C), X, atol=1e-12)
    standard = ct.set_params(reconstruction="standard").inverse_transform(C)
    np.testing.assert_allclose(standard, X, atol=1e-12)
    # Flattened images with image_shape: flat output, same coefficients.
    flat = ContourletTransformer(image_shape=(28, 28)).fit(X.reshape(5, -1))
    np.testing.assert_array_equal(flat.transform(X.reshape(5, -1)), C)
    assert flat.inverse_transform(C).shape == (5, 28 * 28)


def test_estimator_names_layout_and_atoms():
    from sklearn_sparsecode import ContourletTransformer

    X = RNG.normal(size=(2, 32, 32))
    ct = ContourletTransformer(n_orientations=(4, 8)).fit(X)
    names = ct.get_feature_names_out()
    assert names[0] == "contourlet_s1_lowpass_0_0"
    d5 = next(b for b in ct.bands_ if b.scale == 3 and b.angle == 5)
    assert names[d5.start] == "contourlet_s3_d5_0_0"
    layout = ct.feature_layout()
    assert layout[d5.start]["band"] == "d5" and layout[d5.start]["scale"] == 3
    assert layout[d5.start]["orientation"] == pytest.approx(d5.orientation)
    assert np.isnan(layout[0]["orientation"])
    # atom() is a synthesis atom (inverse of a unit coefficient). The frame is
    # redundant and not tight, so transform(atom) is not the unit vector but its
    # projection onto the range of the transform: applying the pair twice
    # changes nothing, and the atom's own coefficient dominates.
    column = d5.start + 3 * d5.shape[1] + 2
    atom = ct.atom(column)
    coefs = ct.transform(atom[None])
    np.testing.assert_allclose(ct.transform(ct.inverse_transform(coefs)), coefs, atol=1e-12)
    assert np.argmax(np.abs(coefs[0])) == column


def test_pickle_and_set_params_rebuild_the_plan():
    import pickle

    from sklearn_sparsecode import ContourletTransformer

    X = RNG.normal(size=(3, 32, 32))
    ct = ContourletTransformer(n_orientations=(4, 8)).fit(X)
    again = pickle.loads(pickle.dumps(ct))
    np.testing.assert_array_equal(again.transform(X), ct.transform(X))
    ct.set_params(n_orientations=(8, 16)).fit(X)
    assert [b.name for b in ct.bands_ if b.scale == 3][-1] == "d15"


def test_local_pooling_of_contourlets():
    from sklearn_sparsecode import ContourletTransformer, LocalPooling

    X = RNG.normal(size=(4, 28, 28)).astype(np.float32)
    pool = LocalPooling(transformer=ContourletTransformer(n_orientations=(4, 8)), grid=2).fit(X)
    F = pool.transform(X)
    assert F.dtype == np.float32
    # One pooled block per band (low-pass signed, subbands magnitudes), 2 x 2 cells.
    assert F.shape == (4, 13 * 4)
    assert (F[:, 4:] >= 0).all()
    assert pool.get_feature_names_out()[4].startswith("pool_s2_d0")


def test_plot_atoms_runs():
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    from sklearn_sparsecode import ContourletTransformer
    from sklearn_sparsecode.plotting import plot_atoms, plot_coefficient_maps

    ct = ContourletTransformer(n_orientations=(4, 8)).fit(np.zeros((1, 32, 32)))
    fig = plot_atoms(ct)
    assert len(fig.axes) >= 3 * 8
    fig = plot_coefficient_maps(ct, RNG.normal(size=ct.bands_[-1].stop))
    assert len(fig.axes) >= 3 * 8


# ---------------------------------------------------------------- undecimated

@pytest.mark.parametrize("shape, n_orientations", [((32, 32), (4, 8)), ((28, 28), (4, 8, 8)),
                                                 ((30, 17), (2, 4)), ((27, 27), (8,)),
                                                 ((64, 48), (1, 16))])
def test_undecimated_exact_shift_invariant_any_size(shape, n_orientations):
    plan = plan_contourlets(shape, n_orientations=n_orientations, decimated=False)
    assert all(b.shape == shape for b in plan.bands)
    assert plan.redundancy == 1 + sum(n_orientations)
    X = RNG.normal(size=(3, *shape))
    C = contourlet_transform(X, plan=plan)
    back = inverse_contourlet_transform(C, plan=plan)
    assert np.linalg.norm(back - X) <= 1e-12 * np.linalg.norm(X)
    # A circular shift of the image shifts every band by the same amount.
    shifted = contourlet_transform(np.roll(X, (3, 5), axis=(1, 2)), plan=plan)
    expected = np.roll(C.reshape(3, -1, *shape), (3, 5), axis=(2, 3)).reshape(3, -1)
    np.testing.assert_allclose(shifted, expected, atol=1e-12)
    # Same filters as the decimated transform, without sampling: the band-pass
    # with no DFB equals the decimated pyramid's finest band-pass image.
    if n_orientations == (1, 16) or n_orientations[-1] == 1:
        return
    X32 = X.astype(np.float32)
    C32 = contourlet_transform(X32, plan=plan)
    assert C32.dtype == np.float32
    np.testing.assert_allclose(C32, C, atol=1e-5 * np.abs(C).max())


def test_undecimated_finest_bandpass_is_the_pyramids():
    x = RNG.normal(size=(32, 32))
    decimated = plan_contourlets((32, 32), n_orientations=(1,))
    undecimated = plan_contourlets((32, 32), n_orientations=(1,), decimated=False)
    d = band_blocks(decimated, contourlet_transform(x[None], plan=decimated)[0])
    u = band_blocks(undecimated, contourlet_transform(x[None], plan=undecimated)[0])
    # One level: d = x − g * ↑2↓2(h * x) and u = x − (g/2) * (h/2) * x differ only
    # by the sampling (↑2↓2 keeps one sample in four, ×4 in gain): same DC, and
    # both vanish on constants.
    np.testing.assert_allclose(u[(2, "bandpass")].sum(), 0, atol=1e-10)
    np.testing.assert_allclose(d[(2, "bandpass")].sum(), 0, atol=1e-10)
    np.testing.assert_allclose(u[(1, "lowpass")].mean(), x.mean(), atol=1e-12)


def test_undecimated_estimator_and_pooling():
    from sklearn_sparsecode import ContourletTransformer, LocalPooling

    X = RNG.normal(size=(4, 28, 28))
    ct = ContourletTransformer(n_orientations=(4, 8), decimated=False).fit(X)
    assert ct.redundancy_ == 13 and ct.bands_[5].shape == (28, 28)
    np.testing.assert_allclose(ct.inverse_transform(ct.transform(X)), X, atol=1e-12)
    pool = LocalPooling(transformer=ContourletTransformer(decimated=False), grid=7).fit(X)
    assert pool.transform(X).shape == (4, 13 * 49)
