"""Maths pinned against references computed here (issue 20, item 4).

Each test compares a transform with an expected value built in this file from
a closed form or a plain reference (numpy FFTs, loops, np.pad, PyWavelets'
filter taps), so that a wrong constant in the package fails it:

* the angular frequencies of ``rotation="fourier"`` (a DFT over θ1 done here);
* the √2 gain of paired curvelet wedges (complex wedges and mirrors computed here);
* the padding modes of the scattering transform (np.pad of the right mode);
* the scale numbering and centre frequencies of Morlet bands (measured peaks);
* the fan-filter normalisation and the directional filter bank's energy;
* the undecimated contourlet's scaling per level and à-trous factor;
* the Laplacian pyramid's detail bands and both of its reconstructions.
"""

import numpy as np
import pytest
import pywt

from sklearn_sparsecode import ScatteringTransformer
from sklearn_sparsecode.contourlets import (
    contourlet_transform,
    inverse_contourlet_transform,
    plan_contourlets,
)
from sklearn_sparsecode.contourlets._filters import fan_filters
from sklearn_sparsecode.curvelets import curvelet_transform, plan_curvelets
from sklearn_sparsecode.morlet import morlet_transform, plan_morlet
from sklearn_sparsecode.scattering import plan_scattering, scattering_transform

RNG = np.random.default_rng(20)


def blocks(plan, row):
    """{(scale, name): block} of one output row."""
    return {(b.scale, b.name): row[b.start:b.stop].reshape(b.shape) for b in plan.bands}


# --- 1. rotation="fourier": |DFT over θ1| at frequencies 0 … L/2 -------------------------

@pytest.mark.parametrize("L", [4, 6])
def test_fourier_rotation_is_the_dft_over_theta1(L):
    J, shape = 2, (16, 16)
    X = RNG.normal(size=(2, *shape))
    common = dict(n_scales=J, n_orientations=L, max_order=2, compression=None,
                  padding="periodic")
    raw_plan = plan_scattering(shape, **common)
    hw = raw_plan.out_shape[0] * raw_plan.out_shape[1]
    raw = scattering_transform(X, plan=raw_plan).reshape(len(X), -1, hw)
    # Raw layout (documented): order 0, order 1 by (j1, θ1), order 2 by (j1, θ1, j2, θ2).
    s1 = raw[:, 1:1 + J * L].reshape(len(X), J, L, hw)
    pairs = [(j1, j2) for j1 in range(J) for j2 in range(j1 + 1, J)]
    s2 = raw[:, 1 + J * L:].reshape(len(X), len(pairs) and J - 1, L, L, hw)  # J = 2: one pair
    assert len(pairs) == 1

    n_freq = L // 2 + 1  # frequencies 0 … L/2 of a real sequence of length L
    expected = [raw[:, :1]]
    for j1 in range(J):
        expected.append(np.abs(np.fft.fft(s1[:, j1], axis=1))[:, :n_freq] / L)
    for delta in range(L):  # joint rotation: θ2 = θ1 + Δ, DFT over θ1
        t1 = np.arange(L)
        seq = s2[:, 0, t1, (t1 + delta) % L]  # (n, L, hw)
        expected.append(np.abs(np.fft.fft(seq, axis=1))[:, :n_freq] / L)
    expected = np.concatenate(expected, axis=1).reshape(len(X), -1)

    fourier = scattering_transform(X, rotation="fourier", **common)
    assert fourier.shape == (len(X), (1 + J * n_freq + L * n_freq) * hw)
    np.testing.assert_allclose(fourier, expected, rtol=1e-10, atol=1e-12)
    est = ScatteringTransformer(rotation="fourier", **common).fit(X)
    assert est.transform(X).shape[1] == expected.shape[1]
    names = [b.name for b in est.plan_.bands if b.name.startswith("s1_q")]
    assert names == [f"s1_q{q}" for q in range(n_freq)]


# --- 2. √2 gain of paired curvelet wedges --------------------------------------------------

def signed_frequencies(flat, shape):
    rows, cols = np.divmod(flat, shape[1])
    f1 = np.where(rows > shape[0] // 2, rows - shape[0], rows)
    f2 = np.where(cols > shape[1] // 2, cols - shape[1], cols)
    # The Nyquist bin −n/2 is also +n/2: it is labelled on the wedge's side.
    f1 = np.where((f1 == shape[0] // 2) & (f1.mean() <= 0), -(shape[0] // 2), f1)
    f2 = np.where((f2 == shape[1] // 2) & (f2.mean() <= 0), -(shape[1] // 2), f2)
    return f1, f2


def complex_wedge(spectrum, wedge, shape, mirror=False):
    """Complex coefficients of a wedge (or of its mirror, window U(−k) on −k), wrapped here."""
    f1, f2 = signed_frequencies(wedge.source, shape)
    values = spectrum.ravel()[wedge.source] * wedge.weight
    if mirror:  # the mirror's window at −k equals U(k); x̂(−k) = conj x̂(k)
        f1, f2, values = -f1, -f2, np.conj(values)
    L1, L2 = wedge.shape
    rect = np.zeros(wedge.shape, dtype=complex)
    np.add.at(rect, (f1 % L1, f2 % L2), values)
    return np.fft.ifft2(rect, norm="ortho")


@pytest.mark.parametrize("decimated", [True, False])
def test_paired_curvelet_wedges_are_sqrt2_re_im_of_the_complex_wedge(decimated):
    shape = (32, 32)
    plan = plan_curvelets(shape, n_scales=3, n_orientations=4, decimated=decimated)
    x = RNG.normal(size=shape)
    C = curvelet_transform(x[None], plan=plan)[0]
    got = blocks(plan, C)
    spectrum = np.fft.fft2(x, norm="ortho")
    energy = 0.0
    n_paired = 0
    for w in plan.wedges:
        if not w.paired:
            c = complex_wedge(spectrum, w, shape)
            np.testing.assert_allclose(c.imag, 0, atol=1e-12)
            energy += np.sum(c.real**2)
            continue
        n_paired += 1
        c = complex_wedge(spectrum, w, shape)
        m = complex_wedge(spectrum, w, shape, mirror=True)
        re, im = got[(w.scale, f"a{w.angle}_re")], got[(w.scale, f"a{w.angle}_im")]
        np.testing.assert_allclose(re, np.sqrt(2) * c.real, atol=1e-12)
        np.testing.assert_allclose(im, np.sqrt(2) * c.imag, atol=1e-12)
        # The pair (wedge, mirror) carries the energy the two real blocks hold.
        np.testing.assert_allclose(np.sum(np.abs(c) ** 2) + np.sum(np.abs(m) ** 2),
                                   np.sum(re**2) + np.sum(im**2), rtol=1e-12)
        energy += np.sum(np.abs(c) ** 2) + np.sum(np.abs(m) ** 2)
    assert n_paired >= 8
    # Parseval: the complex frame (every wedge and its mirror) and the real one.
    np.testing.assert_allclose(energy, np.sum(x**2), rtol=1e-12)
    np.testing.assert_allclose(np.sum(C**2), np.sum(x**2), rtol=1e-12)


def periodic_gaussian_hat(n, sigma):
    w = 2 * np.pi * np.fft.fftfreq(n)
    g = sum(np.exp(-0.5 * sigma**2 * (w + 2 * np.pi * a) ** 2) for a in range(-3, 4))
    return g / g[0]


def test_curvelet_scattering_first_order_is_the_pair_modulus():
    """frame="curvelet": |x⋆ψ| = |(√2·Re, √2·Im)| of the undecimated curvelet pair."""
    J, L, shape = 2, 4, (32, 32)
    X = RNG.normal(size=(2, *shape))
    plan = plan_scattering(shape, n_scales=J, n_orientations=L, frame="curvelet",
                           padding="periodic", max_order=1, compression=None,
                           subsampling=-J)  # moduli on the full grid: no sampling error
    S = scattering_transform(X, plan=plan).reshape(len(X), -1, *plan.out_shape)
    cplan = plan_curvelets(shape, n_scales=J + 1, n_orientations=L, decimated=False)
    C = curvelet_transform(X, plan=cplan)
    phi = np.outer(periodic_gaussian_hat(shape[0], 0.8 * 2 ** (J - 1)),
                   periodic_gaussian_hat(shape[1], 0.8 * 2 ** (J - 1)))
    step = 2**J

    def average(u):  # u ⋆ φ sampled every 2^J pixels
        return np.fft.ifft2(np.fft.fft2(u) * phi).real[..., ::step, ::step]

    expected = [average(X)[:, None]]
    for j in range(J):  # j = 0 finest = curvelet scale J + 1
        scale = J + 1 - j
        for i in range(len([b for b in cplan.bands if b.scale == scale]) // 2):
            b = blocks(cplan, np.zeros(C.shape[1]))  # names only
            assert (scale, f"a{i}_re") in b
            re = np.stack([blocks(cplan, c)[(scale, f"a{i}_re")] for c in C])
            im = np.stack([blocks(cplan, c)[(scale, f"a{i}_im")] for c in C])
            expected.append(average(np.hypot(re, im))[:, None])
    expected = np.concatenate(expected, axis=1)
    assert S.shape == expected.shape
    np.testing.assert_allclose(S, expected, rtol=1e-9, atol=1e-12)


# --- 3. padding modes of the scattering transform ----------------------------------------

@pytest.mark.parametrize("padding, numpy_mode", [("reflect", "reflect"),
                                                 ("symmetric", "symmetric"),
                                                 ("zero", "constant")])
def test_scattering_padding_is_numpy_pad_of_that_mode(padding, numpy_mode):
    J, shape = 2, (18, 21)
    step = 2**J
    X = RNG.normal(size=(2, *shape))
    common = dict(n_scales=J, n_orientations=4, max_order=2, compression=None)
    plan = plan_scattering(shape, padding=padding, **common)
    # Documented: at least 2^J per side, padded sides a multiple of 2^J (2^J before).
    pads = tuple((step, -(-(s + 2 * step) // step) * step - s - step) for s in shape)
    assert plan.pads == pads
    got = scattering_transform(X, plan=plan).reshape(len(X), -1, *plan.out_shape)
    # Reference: pad here, then the periodic transform of the padded image; output
    # sample k of the padded image's grid sits at pixel 2^J k, so the unpadded
    # image's outputs are samples 1, 2, ... (the first 2^J pixels are padding).
    padded = np.pad(X, ((0, 0),) + pads, mode=numpy_mode)
    ref_plan = plan_scattering(padded.shape[1:], padding="periodic", **common)
    ref = scattering_transform(padded, plan=ref_plan).reshape(len(X), -1, *ref_plan.out_shape)
    h, w = plan.out_shape
    np.testing.assert_allclose(got, ref[:, :, 1:1 + h, 1:1 + w], rtol=1e-10, atol=1e-12)


def test_reflect_and_symmetric_padding_differ():
    X = RNG.normal(size=(1, 16, 16))
    a, b = (scattering_transform(X, n_scales=2, n_orientations=4, padding=p)
            for p in ("reflect", "symmetric"))
    assert np.abs(a - b).max() > 1e-3 * np.abs(a).max()


# --- 4. Morlet scale numbering and centre frequencies --------------------------------------

def morlet_hat_reference(shape, sigma, theta, xi, slant):
    """ψ̂ from the closed form of the morlet module docstring, summed over aliases."""
    w_rows = 2 * np.pi * np.fft.fftfreq(shape[0])[:, None]
    w_cols = 2 * np.pi * np.fft.fftfreq(shape[1])[None, :]

    def envelope(cx, cy):
        total = 0.0
        for a in range(-3, 4):
            for b in range(-3, 4):
                wx = w_cols + 2 * np.pi * b - cx       # horizontal frequency
                wy = -(w_rows + 2 * np.pi * a) - cy    # vertical frequency, pointing up
                along = np.cos(theta) * wx + np.sin(theta) * wy
                across = -np.sin(theta) * wx + np.cos(theta) * wy
                total = total + np.exp(-0.5 * sigma**2 * (along**2 + (across / slant) ** 2))
        return total

    gabor = envelope(xi * np.cos(theta), xi * np.sin(theta))
    env = envelope(0.0, 0.0)
    return gabor - gabor[0, 0] / env[0, 0] * env


def test_morlet_band_scale_is_its_documented_centre_frequency():
    J, L, shape = 3, 4, (64, 64)
    plan = plan_morlet(shape, n_scales=J, n_orientations=L, normalize="peak")
    delta = np.zeros((1, *shape))
    delta[0, 0, 0] = 1.0
    got = blocks(plan, morlet_transform(delta, plan=plan)[0])
    w_rows = 2 * np.pi * np.fft.fftfreq(shape[0])[:, None]
    w_cols = 2 * np.pi * np.fft.fftfreq(shape[1])[None, :]
    grid_step = 2 * np.pi / shape[0]
    peaks = {}
    for b in plan.bands:
        if b.lowpass or b.part != "re":
            continue
        k = b.angle
        # Documented: scale 1 is the finest, centre frequency 3π/4 · 2^-(scale−1),
        # orientation kπ/L (degrees in the band).
        xi = 0.75 * np.pi / 2.0 ** (b.scale - 1)
        theta = k * np.pi / L
        assert b.orientation == pytest.approx(np.degrees(theta))
        psi = got[(b.scale, f"a{k}_re")] + 1j * got[(b.scale, f"a{k}_im")]
        psi_hat = np.fft.fft2(psi)  # the filter's response: x = δ gives x⋆ψ = ψ
        np.testing.assert_allclose(psi_hat.imag, 0, atol=1e-10)
        # Measured peak: where |ψ̂| is largest, as a (horizontal, up) frequency.
        r, c = np.unravel_index(np.argmax(np.abs(psi_hat)), shape)
        peak = np.array([w_cols[0, c], -w_rows[r, 0]])
        direction = np.array([np.cos(theta), np.sin(theta)])
        # Peak along ±direction (ψ̂ is real: only one side is kept), at |ω| ≈ ξ_j.
        assert abs(abs(peak @ direction) - xi) <= 0.1 * xi + grid_step, (b.scale, k, peak)
        assert abs(peak @ np.array([-direction[1], direction[0]])) <= grid_step
        peaks[(b.scale, k)] = abs(peak @ direction)
        # And the whole filter from the closed form (σ_j = 0.8·2^j, slant 4/L, unit peak).
        j = b.scale - 1
        expected = morlet_hat_reference(shape, 0.8 * 2.0**j, theta, xi, 4.0 / L)
        np.testing.assert_allclose(psi_hat.real, expected, atol=1e-9)
    # Coarser scale ⇒ larger scale number ⇒ lower frequency (halved per scale).
    for k in range(L):
        assert peaks[(1, k)] > peaks[(2, k)] > peaks[(3, k)]
    low = blocks(plan, morlet_transform(delta, plan=plan)[0])[(J, "lowpass")]
    assert np.fft.fft2(low).real[0, 0] == pytest.approx(1.0)  # φ̂(0) = 1


# --- 5. fan filters and the directional filter bank ----------------------------------------

def response(f, shape):
    """F(ω) = Σ_k f[k] e^{−iω·k} on the DFT grid, from the taps and their origin."""
    out = np.zeros(shape, dtype=complex)
    w1 = 2 * np.pi * np.fft.fftfreq(shape[0])[:, None]
    w2 = 2 * np.pi * np.fft.fftfreq(shape[1])[None, :]
    for i, j in zip(*np.nonzero(f.taps)):
        k1, k2 = i - f.origin[0], j - f.origin[1]
        out += f.taps[i, j] * np.exp(-1j * (w1 * k1 + w2 * k2))
    return out


@pytest.mark.parametrize("name", ["kaiser12", "dd4"])
def test_fan_filter_normalisation_and_perfect_reconstruction(name):
    n = 32
    f0, f1, g0, g1 = fan_filters(name)
    F0, F1, G0, G1 = (response(f, (n, n)) for f in (f0, f1, g0, g1))
    # Passband gain √2 at the middle of each fan, 0 at the middle of the other
    # (closed form: a half-band ladder step P has P = 1 at 0 and −1 at (π, π)).
    # Index n/2 is ω = π.
    assert abs(F0[n // 2, 0]) == pytest.approx(np.sqrt(2), abs=1e-12)   # ω = (π, 0)
    assert abs(F0[0, n // 2]) == pytest.approx(0, abs=1e-12)            # ω = (0, π)
    assert abs(F1[0, n // 2]) == pytest.approx(np.sqrt(2), abs=1e-12)
    assert abs(F1[n // 2, 0]) == pytest.approx(0, abs=1e-12)
    # Perfect reconstruction of a quincunx node (ω + π̄ is a shift by n/2 on both axes).
    def alias(F):
        return np.roll(F, (n // 2, n // 2), axis=(0, 1))
    np.testing.assert_allclose(G0 * F0 + G1 * F1, 2, atol=1e-10)
    np.testing.assert_allclose(G0 * alias(F0) + G1 * alias(F1), 0, atol=1e-10)


@pytest.mark.parametrize("n_dirs", [2, 4, 8])
def test_dfb_energy_and_reconstruction_of_a_bandpass_image(n_dirs):
    """The DFB alone on a band-pass image: its energy, and exact inversion."""
    shape = (32, 32)
    x = RNG.normal(size=(4, *shape))
    lp_only = plan_contourlets(shape, n_orientations=(1,))
    plan = plan_contourlets(shape, n_orientations=(n_dirs,))
    d = np.stack([blocks(lp_only, c)[(2, "bandpass")]
                  for c in contourlet_transform(x, plan=lp_only)])
    C = contourlet_transform(x, plan=plan)
    sub = np.stack([np.concatenate([blocks(plan, c)[(2, b.name)].ravel()
                                    for b in plan.bands if b.scale == 2]) for c in C])
    energy = np.sum(sub**2, axis=1)
    if n_dirs == 2:
        # One quincunx node: the subbands are f_c ⋆ d at n1 + n2 even, exactly.
        f0, f1 = fan_filters("kaiser12")[:2]
        even = (np.add.outer(np.arange(shape[0]), np.arange(shape[1])) % 2) == 0
        expected = sum(np.sum((conv2d_upsampled(d, f, 1) * even) ** 2, axis=(1, 2))
                       for f in (f0, f1))
        np.testing.assert_allclose(energy, expected, rtol=1e-10)
    # Each node has gain √2 on half of the frequencies and keeps half of the
    # samples, so the tree is close to orthogonal: on white-ish band-pass images
    # the subbands hold the band-pass energy up to the fans' transition bands
    # (measured 1.02-1.14 for kaiser12 with 2-8 directions; without the √2 of
    # either fan a level would lose about a quarter of it).
    ratio = energy / np.sum(d**2, axis=(1, 2))
    assert np.all((ratio > 0.97) & (ratio < 1.2)), ratio
    # The low-pass is untouched by the DFB, and the whole inverts exactly.
    np.testing.assert_allclose(C[:, :plan.bands[0].stop],
                               contourlet_transform(x, plan=lp_only)[:, :lp_only.bands[0].stop])
    np.testing.assert_allclose(inverse_contourlet_transform(C, plan=plan), x, atol=1e-10)


# --- 6-8. Laplacian pyramid, undecimated scaling per level, à trous ---------------------

def lp_taps():
    w = pywt.Wavelet("bior4.4")  # the 9-7 pair, each summing to √2
    h, g = (np.trim_zeros(np.asarray(f)) for f in (w.dec_lo, w.rec_lo))
    return h, g


def a_trous(taps, level):
    """Centred taps with 2^level − 1 zeros inserted between neighbours."""
    step = 2**level
    out = np.zeros(step * (len(taps) - 1) + 1)
    out[::step] = taps
    return out


def conv_rows_cols(x, taps):
    """Circular separable convolution with centred 1-D taps, along both image axes."""
    half = len(taps) // 2
    for axis in (-2, -1):
        x = sum(t * np.roll(x, k - half, axis=axis) for k, t in enumerate(taps) if t != 0)
    return x


def reduce_(x, h):
    return conv_rows_cols(x, h)[..., ::2, ::2]


def expand(c, g):
    up = np.zeros(c.shape[:-2] + (2 * c.shape[-2], 2 * c.shape[-1]))
    up[..., ::2, ::2] = c
    return conv_rows_cols(up, g)


def test_laplacian_pyramid_details_and_both_reconstructions():
    h, g = lp_taps()
    shape, n_levels = (32, 32), 3
    x = RNG.normal(size=(2, *shape))
    # Reference pyramid: d_j = c_{j−1} − expand(reduce(c_{j−1})), finest first.
    c, details = x, []
    for _ in range(n_levels):
        coarse = reduce_(c, h)
        details.append(c - expand(coarse, g))
        c = coarse
    for how in ("standard", "dual"):
        plan = plan_contourlets(shape, n_orientations=(1,) * n_levels, reconstruction=how)
        C = contourlet_transform(x, plan=plan)
        for i in range(len(x)):
            got = blocks(plan, C[i])
            np.testing.assert_allclose(got[(1, "lowpass")], c[i], atol=1e-10)
            for level, d in enumerate(details, start=1):  # level 1 = finest = scale n+1
                np.testing.assert_allclose(got[(n_levels + 2 - level, "bandpass")], d[i],
                                           atol=1e-10)
        # Synthesis from perturbed coefficients, coarse to fine, both formulas.
        P = C + 0.1 * RNG.normal(size=C.shape)
        for i in range(len(x)):
            got = blocks(plan, P[i])
            rec = got[(1, "lowpass")]
            for scale in range(2, n_levels + 2):
                d = got[(scale, "bandpass")]
                if how == "dual":  # x = g * ↑2(c − ↓2(h * d)) + d
                    rec = expand(rec - reduce_(d, h), g) + d
                else:  # x = g * ↑2 c + d
                    rec = expand(rec, g) + d
            np.testing.assert_allclose(inverse_contourlet_transform(P[i:i + 1], plan=plan)[0],
                                       rec, atol=1e-10)
        # Exact pyramids reconstruct exactly either way.
        np.testing.assert_allclose(inverse_contourlet_transform(C, plan=plan), x, atol=1e-10)


def test_undecimated_pyramid_is_the_a_trous_pyramid():
    """Level j (0 = finest) uses h, g with 2^j − 1 zeros inserted, each halved (unit DC)."""
    h, g = lp_taps()
    shape, n_levels = (32, 40), 3
    x = RNG.normal(size=(2, *shape))
    plan = plan_contourlets(shape, n_orientations=(1,) * n_levels, decimated=False)
    C = contourlet_transform(x, plan=plan)
    low, expected = x, {}
    for j in range(n_levels):
        hj, gj = a_trous(h / np.sqrt(2), j), a_trous(g / np.sqrt(2), j)
        smooth = conv_rows_cols(low, hj)
        expected[n_levels + 1 - j] = low - conv_rows_cols(smooth, gj)  # scale of level j
        low = smooth
    for i in range(len(x)):
        got = blocks(plan, C[i])
        np.testing.assert_allclose(got[(1, "lowpass")], low[i], atol=1e-10)
        for scale, band in expected.items():
            np.testing.assert_allclose(got[(scale, "bandpass")], band[i], atol=1e-10)
    np.testing.assert_allclose(inverse_contourlet_transform(C, plan=plan), x, atol=1e-10)


def conv2d_upsampled(x, f, up):
    """Circular 2-D convolution with a Filter2D whose taps are placed ``up`` apart."""
    out = np.zeros_like(x)
    for i, j in zip(*np.nonzero(f.taps)):
        k1, k2 = up * (i - f.origin[0]), up * (j - f.origin[1])
        out += f.taps[i, j] * np.roll(x, (k1, k2), axis=(-2, -1))
    return out


def test_undecimated_directional_bands_scaling_per_level():
    """Two fans per level: band = bandpass ⋆ (fan filter upsampled by 2^j) / √2."""
    h, g = lp_taps()
    shape, n_levels = (32, 32), 3
    x = RNG.normal(size=(2, *shape))
    f0, f1 = fan_filters("kaiser12")[:2]
    plan = plan_contourlets(shape, n_orientations=(2,) * n_levels, decimated=False)
    C = contourlet_transform(x, plan=plan)
    low = x
    for j in range(n_levels):  # level j (0 = finest) is scale n_levels + 1 − j
        hj, gj = a_trous(h / np.sqrt(2), j), a_trous(g / np.sqrt(2), j)
        smooth = conv_rows_cols(low, hj)
        bandpass = low - conv_rows_cols(smooth, gj)
        scale = n_levels + 1 - j
        # Orientation-sorted: d0 is the fan |ω1| <= |ω2| (0°), d1 the fan |ω1| >= |ω2| (90°).
        for name, fan in (("d0", f1), ("d1", f0)):
            expected = conv2d_upsampled(bandpass, fan, 2**j) / np.sqrt(2)
            got = np.stack([blocks(plan, c)[(scale, name)] for c in C])
            np.testing.assert_allclose(got, expected, atol=1e-10, err_msg=f"{scale} {name}")
        low = smooth
    np.testing.assert_allclose(inverse_contourlet_transform(C, plan=plan), x, atol=1e-10)
