"""The maths pinned by closed forms written here, never read back from the package.

Curvelet windows: Candès, Demanet, Donoho & Ying, "Fast Discrete Curvelet
Transforms" (2006), section 3, in the variant `_curvelet_windows.py` documents
(Meyer-type low-pass φ on squares, m_s = 2^-(J-s)/4, pseudo-angle wedges with
a cos/sin crossing over half a wedge). Every formula below is re-derived in
this file; the package's plan is only the thing under test.

Pooling: a brute-force area-weighted average, pixel by pixel.
"""

import numpy as np
import pytest

from sklearn_sparsecode import CurveletTransformer, LocalPooling
from sklearn_sparsecode.curvelets import curvelet_transform, plan_curvelets
from sklearn_sparsecode.layers import pool_coefficients

RNG = np.random.default_rng(0)


# --- curvelet windows, from the paper ------------------------------------------------------

def meyer_nu(x):
    """Meyer's auxiliary ν: 0 below 0, 1 above 1, ν(x) + ν(1 − x) = 1."""
    x = np.clip(x, 0.0, 1.0)
    return x**4 * (35 - 84 * x + 70 * x**2 - 20 * x**3)


def phi(t):
    """1 on [-1, 1], 0 outside (-2, 2), cos(π/2 · ν(|t| − 1)) in between."""
    t = np.abs(t)
    return np.where(t <= 1, 1.0, np.where(t >= 2, 0.0, np.cos(np.pi / 2 * meyer_nu(t - 1))))


def normalised_frequencies(shape):
    """u (vertical, pointing up: −k1/N1) and v (horizontal: k2/N2) in FFT order."""
    n1, n2 = shape
    k1 = np.fft.fftfreq(n1) * n1
    k2 = np.fft.fftfreq(n2) * n2
    return np.meshgrid(-k1 / n1, k2 / n2, indexing="ij")


def scale_windows(shape, n_scales):
    """W_1 = Φ_1, W_s = sqrt(Φ_s² − Φ_{s−1}²), W_J = sqrt(1 − Φ_{J−1}²)."""
    u, v = normalised_frequencies(shape)
    J = n_scales
    low = {s: phi(u / (2.0 ** -(J - s) / 4)) * phi(v / (2.0 ** -(J - s) / 4)) for s in range(1, J)}
    W = {1: low[1], J: np.sqrt(np.maximum(1 - low[J - 1] ** 2, 0))}
    for s in range(2, J):
        W[s] = np.sqrt(np.maximum(low[s] ** 2 - low[s - 1] ** 2, 0))
    return W


def pseudo_angle(shape):
    """Position t in [0, 8) on the square, counter-clockwise, east = 0, affine in the slope."""
    u, v = normalised_frequencies(shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(np.abs(v) >= np.abs(u), np.where(v > 0, u / v, 4 + u / v),
                     np.where(u > 0, 2 - v / u, 6 - v / u))
    return np.mod(np.where((u == 0) & (v == 0), 0.0, t), 8.0)


def expected_windows(shape, n_scales, n_angles, finest):
    """[(scale, angle, U)] for the stored wedges, coarse to fine."""
    W = scale_windows(shape, n_scales)
    t = pseudo_angle(shape)
    windows = []
    for s in range(1, n_scales + 1):
        if s == 1 or (s == n_scales and finest == "wavelets"):
            windows.append((s, None, W[s]))
            continue
        n = n_angles * 2 ** int(np.ceil((s - 2) / 2))  # doubled every other scale
        width = 8.0 / n
        for angle in range(n // 2):  # the other half are the mirrors
            d = np.mod(t - angle * width + 4, 8) - 4  # from the left border, periodic
            rise = np.sin(np.pi / 2 * meyer_nu(d / (width / 2) + 0.5))
            fall = np.sin(np.pi / 2 * meyer_nu((width - d) / (width / 2) + 0.5))
            windows.append((s, angle, W[s] * rise * fall))
    return windows


@pytest.mark.parametrize("shape, n_scales, n_angles, finest", [
    ((33, 45), 3, 8, "curvelets"),
    ((33, 33), 3, 16, "wavelets"),
    ((63, 57), 4, 8, "curvelets"),
    ((32, 32), 3, 8, "curvelets"),
    ((64, 48), 4, 16, "wavelets"),
])
def test_curvelet_windows_match_the_closed_form(shape, n_scales, n_angles, finest):
    plan = plan_curvelets(shape, n_scales=n_scales, n_orientations=n_angles // 2, finest=finest)
    expected = expected_windows(shape, n_scales, n_angles, finest)
    assert [(w.scale, w.angle) for w in plan.wedges] == [(s, a) for s, a, _ in expected]
    for (scale, angle, window), wedge in zip(expected, plan.wedges):
        got = np.zeros(shape)
        got.flat[wedge.source] = wedge.weight
        diff = np.abs(got - window)
        # Even sizes: the Nyquist line is its own mirror; there the package
        # symmetrises U_l and U_{l+n/2}(−k) (documented), so it is not the bare formula.
        if shape[0] % 2 == 0:
            diff[shape[0] // 2, :] = 0
        if shape[1] % 2 == 0:
            diff[:, shape[1] // 2] = 0
        assert diff.max() < 1e-12, (scale, angle)


def test_meyer_transition_values():
    # Pinned points of the low-pass profile: a linear transition or another
    # polynomial gives other values at 1.25 and 1.5.
    plan = plan_curvelets((64, 64), n_scales=4, n_orientations=4, finest="wavelets")
    finest = plan.wedges[-1]
    dense = np.zeros((64, 64))
    dense.flat[finest.source] = finest.weight
    # finest W_J = sqrt(1 − Φ_3²) with m_3 = 1/8 = 8/64: along the axis k2 = 8 t.
    for k, t in [(10, 1.25), (12, 1.5), (14, 1.75)]:
        nu = t - 1
        nu = nu**4 * (35 - 84 * nu + 70 * nu**2 - 20 * nu**3)
        assert dense[0, k] == pytest.approx(np.sin(np.pi / 2 * nu), abs=1e-12)
    assert dense[0, 12] == pytest.approx(np.sqrt(0.5), abs=1e-12)  # ν(1/2) = 1/2
    # ν(1/4) = (35 − 21 + 70/16 − 20/64)/256 = 18.0625/256; sin(π/2 · that) = 0.110603
    assert dense[0, 10] == pytest.approx(0.110603, abs=1e-6)


def _support(plan, scale, shape):
    """Union of the supports of a scale's stored wedges and of their mirrors (−k)."""
    n1, n2 = shape
    mask = np.zeros(shape, dtype=bool)
    for w in plan.wedges:
        if w.scale == scale:
            rows, cols = np.divmod(w.source, n2)
            mask[rows, cols] = True
            mask[(-rows) % n1, (-cols) % n2] = True
    return mask


def test_scale_boundaries_on_64x64():
    # J = 4 on 64x64: m_s = 2^-(4-s)/4 = 1/32, 1/16, 1/8 -> in integer
    # frequencies 64 m_s = 2, 4, 8. Φ_s > 0 where max|k| < 2·64 m_s and
    # Φ_s = 1 where max|k| <= 64 m_s, so (counting points of squares):
    # scale 1: max|k| <= 3 -> 7² = 49
    # scale 2: max|k| <= 7 minus max|k| <= 2 -> 15² − 5² = 200
    # scale 3: max|k| <= 15 minus max|k| <= 4 -> 31² − 9² = 880
    # scale 4: all minus max|k| <= 8 -> 64² − 17² = 3807
    plan = plan_curvelets((64, 64), n_scales=4, n_orientations=4, finest="curvelets")
    counts = [int(_support(plan, s, (64, 64)).sum()) for s in (1, 2, 3, 4)]
    assert counts == [49, 200, 880, 3807]
    # The low-pass rectangle is exactly its support: 7x7 points need 7x7.
    assert plan.wedges[0].shape == (7, 7)


def test_scale_partition_of_unity():
    # Σ_s W_s² = 1 at every frequency, from the windows the plan stores.
    shape = (45, 38)
    plan = plan_curvelets(shape, n_scales=3, n_orientations=4)
    total = np.zeros(shape)
    n1, n2 = shape
    for w in plan.wedges:
        dense = np.zeros(shape)
        dense.flat[w.source] = w.weight**2
        total += dense
        if w.paired:  # the mirror wedge U(−k), folded into the real coefficients
            total += dense[(-np.arange(n1)) % n1][:, (-np.arange(n2)) % n2]
    np.testing.assert_allclose(total, 1.0, atol=1e-12)


# --- redundancy, literal numbers ----------------------------------------------------------

# Checked by hand for 64x64, 16 angles, 3 scales (CurveLab default): low-pass
# 15x15 = 225; scale 2: 8 stored wedges x (re, im) x 11x11 = 1936; scale 3: 32
# wedges, 16 stored x 2 x 12x24 = 9216; total 11377 = 2.7776 x 4096. (The paper's
# wrapping gives about 2.8 with wavelets and 7.2 with curvelets at the finest
# scale; ours wraps onto rectangles measured on each support, see the module.)
REDUNDANCY = {
    ((28, 28), "curvelets", 16): 1956 / 784,
    ((28, 28), "wavelets", 16): 980 / 784,
    ((32, 32), "curvelets", 8): 2465 / 1024,
    ((64, 64), "curvelets", 16): 11377 / 4096,
    ((64, 64), "wavelets", 8): 6241 / 4096,
    ((33, 45), "curvelets", 8): 4695 / 1485,
    ((128, 128), "curvelets", 16): 49009 / 16384,
    ((128, 128), "wavelets", 16): 27761 / 16384,
}


@pytest.mark.parametrize("key", sorted(REDUNDANCY), ids=str)
def test_redundancy_pinned(key):
    shape, finest, n_angles = key
    X = RNG.normal(size=(1, *shape))
    ct = CurveletTransformer(n_orientations=n_angles // 2, finest=finest).fit(X)
    assert ct.redundancy_ == pytest.approx(REDUNDANCY[key], abs=1e-12)
    assert ct.transform(X).shape[1] == round(REDUNDANCY[key] * np.prod(shape))


@pytest.mark.parametrize("n_scales, n_angles, finest, bands", [
    (3, 8, "curvelets", 1 + 8 + 16),      # low-pass + n_2 + n_3 real bands
    (3, 16, "wavelets", 1 + 16 + 1),
    (4, 8, "curvelets", 1 + 8 + 16 + 16),
])
def test_undecimated_redundancy_is_the_number_of_real_bands(n_scales, n_angles, finest, bands):
    # Undecimated: every band is on the full grid, and a scale with n wedges
    # stores n/2 complex wedges as 2 real bands each, i.e. n real bands.
    X = RNG.normal(size=(1, 64, 64))
    ct = CurveletTransformer(n_scales=n_scales, n_orientations=n_angles // 2, finest=finest,
                             decimated=False).fit(X)
    assert ct.redundancy_ == bands


# --- pooling against a brute-force reference ----------------------------------------------

def brute_force_pool(band, cells):
    """Area-weighted average of a 2-D band onto cells[0] x cells[1] equal cells, pixel by pixel."""
    h, w = band.shape
    ch, cw = cells
    out = np.zeros(cells)
    for i in range(ch):
        for j in range(cw):
            total = 0.0
            for p in range(h):
                a = max(0.0, min(p + 1, (i + 1) * h / ch) - max(p, i * h / ch))
                if a == 0:
                    continue
                for q in range(w):
                    b = max(0.0, min(q + 1, (j + 1) * w / cw) - max(q, j * w / cw))
                    total += a * b * band[p, q]
            out[i, j] = total / ((h / ch) * (w / cw))
    return out


def brute_force_pooled(coefs, bands, grid, power):
    """Pooled features of one sample: first block signed (the low-pass), real
    blocks |c|, (re, im) pairs their modulus; ``power`` on the magnitudes."""
    gh, gw = (grid, grid) if np.isscalar(grid) else grid
    features, k = [], 0
    while k < len(bands):
        band = bands[k]
        block = coefs[band.start:band.stop].reshape(band.shape)
        if band.part == "re":
            im = bands[k + 1]
            block = np.hypot(block, coefs[im.start:im.stop].reshape(im.shape)) ** power
            k += 2
        else:
            block = block if k == 0 else np.abs(block) ** power
            k += 1
        cells = (min(gh, band.shape[0]), min(gw, band.shape[1]))
        features.append(brute_force_pool(block, cells).ravel())
    return np.concatenate(features)


@pytest.mark.parametrize("shape, decimated, grid, power", [
    ((33, 45), True, 7, 1.0),        # decimated, non-square bands of odd sizes
    ((33, 45), True, (3, 5), 0.5),   # tuple grid
    ((33, 45), True, 20, 1.0),       # grid larger than most bands: they keep their size
    ((19, 23), False, (4, 9), 1.0),  # undecimated odd sizes, tuple grid
    ((28, 28), False, 7, 0.5),
])
def test_pooling_matches_brute_force(shape, decimated, grid, power):
    plan = plan_curvelets(shape, n_scales=3, n_orientations=4, decimated=decimated)
    X = RNG.normal(size=(2, *shape))
    coefs = curvelet_transform(X, plan=plan)
    got = pool_coefficients(coefs, plan.bands, grid=grid, power=power)
    for row in range(2):
        want = brute_force_pooled(coefs[row], plan.bands, grid, power)
        np.testing.assert_allclose(got[row], want, rtol=1e-10, atol=1e-12)


def test_local_pooling_estimator_matches_brute_force():
    X = RNG.normal(size=(3, 21, 26))
    est = LocalPooling(transformer=CurveletTransformer(n_scales=3, n_orientations=4), grid=(2, 5), power=0.5)
    got = est.fit(X).transform(X)
    ct = est.transformer_
    coefs = ct.transform(X)
    for row in range(3):
        want = brute_force_pooled(coefs[row], ct.bands_, (2, 5), 0.5)
        np.testing.assert_allclose(got[row], want, rtol=1e-10, atol=1e-12)
