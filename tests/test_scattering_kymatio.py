"""The Kymatio drop-in ``Scattering2D``.

Two independent references:

* a plain loop over images and paths of Kymatio 0.3's algorithm, written here
  from its definitions (filters built in space with explicit loops, numpy's
  ``pad``, FFT products, alias means, low-pass in Fourier, ``unpad``);
* outputs of Kymatio 0.3 itself, generated once and checked in
  (``tests/data/kymatio_scattering2d.npz``, see
  ``tests/data/generate_kymatio_reference.py``).
"""

import json
from pathlib import Path

import numpy as np
import pytest

from sklearn_sparsecode import ScatteringTransformer
from sklearn_sparsecode.scattering import Scattering2D

DATA = Path(__file__).parent / "data" / "kymatio_scattering2d.npz"


# ------------------------------------------------------------ plain-loop reference

def gabor(M, N, sigma, theta, xi, slant=1.0):
    """Σ over 5 x 5 periods of exp(−uᵀ Q u + i ξ (u0 cos θ + u1 sin θ)), u = (row, col)."""
    c, s = np.cos(theta), np.sin(theta)
    R = np.array([[c, -s], [s, c]])
    Q = R @ np.diag([1.0, slant**2]) @ R.T / (2 * sigma**2)
    out = np.zeros((M, N), complex)
    for a in range(-2, 3):
        for b in range(-2, 3):
            for m in range(M):
                for n in range(N):
                    x, y = m + a * M, n + b * N
                    q = Q[0, 0] * x * x + 2 * Q[0, 1] * x * y + Q[1, 1] * y * y
                    out[m, n] += np.exp(-q + 1j * xi * (x * c + y * s))
    return out / (2 * 3.1415 * sigma**2 / slant)


def morlet(M, N, sigma, theta, xi, slant):
    wave = gabor(M, N, sigma, theta, xi, slant)
    envelope = gabor(M, N, sigma, theta, 0.0, slant)
    return wave - wave.sum() / envelope.sum() * envelope


def periodize(F, r):
    """Zero |k| >= M/2^(r+1) per axis, then sum the 2^r x 2^r aliases (explicit loops)."""
    M, N = F.shape
    m, n = M // 2**r, N // 2**r
    F = F.copy()
    F[m // 2: m // 2 + M - m, :] = 0
    F[:, n // 2: n // 2 + N - n] = 0
    out = np.zeros((m, n))
    for k in range(m):
        for l in range(n):
            for i in range(2**r):
                for j in range(2**r):
                    out[k, l] += F[k + i * m, l + j * n]
    return out


def alias_mean(Z, k):
    M, N = Z.shape
    return Z.reshape(k, M // k, k, N // k).mean(axis=(0, 2))


def kymatio_reference(x, J, L, max_order=2, pre_pad=False):
    """One image: Kymatio 0.3's cascade, path by path. Returns (K, h, w)."""
    if pre_pad:
        xp = x
    else:
        M0, N0 = x.shape
        M, N = (M0 // 2**J + 2) * 2**J, (N0 // 2**J + 2) * 2**J
        xp = np.pad(x, (((M - M0) // 2, (M - M0 + 1) // 2), ((N - N0) // 2, (N - N0 + 1) // 2)),
                    mode="reflect")
    M, N = xp.shape
    psi = {}
    for j in range(J):
        for t in range(L):
            angle = (int(L - L / 2 - 1) - t) * np.pi / L
            P = np.fft.fft2(morlet(M, N, 0.8 * 2**j, angle, 0.75 * np.pi / 2**j, 4 / L)).real
            psi[j, t] = [periodize(P, r) for r in range(min(j + 1, max(J - 1, 1)))]
    phi_full = np.fft.fft2(gabor(M, N, 0.8 * 2 ** (J - 1), 0.0, 0.0)).real
    phi = [periodize(phi_full, r) for r in range(J)]

    def lowpass(U_hat, r):
        return np.fft.ifft2(alias_mean(U_hat * phi[r], 2 ** (J - r))).real[1:-1, 1:-1]

    X = np.fft.fft2(xp)
    order0, order1, order2 = [lowpass(X, 0)], [], []
    for j1 in range(J):
        for t1 in range(L):
            U1 = np.abs(np.fft.ifft2(alias_mean(X * psi[j1, t1][0], 2**j1)))
            U1_hat = np.fft.fft2(U1)
            order1.append(lowpass(U1_hat, j1))
            if max_order == 2:
                for j2 in range(j1 + 1, J):
                    for t2 in range(L):
                        U2 = np.abs(np.fft.ifft2(alias_mean(U1_hat * psi[j2, t2][j1],
                                                            2 ** (j2 - j1))))
                        order2.append(lowpass(np.fft.fft2(U2), j2))
    return np.stack(order0 + order1 + order2)


def padded(shape, J):
    return tuple((s // 2**J + 2) * 2**J for s in shape)


@pytest.mark.parametrize("J, L, shape, max_order, pre_pad", [
    (1, 3, (5, 7), 2, False),
    (2, 4, (12, 9), 2, False),
    (2, 5, (8, 8), 1, True),
    (3, 2, (9, 16), 2, False),
    (3, 3, (8, 8), 2, False),   # padding wider than the image: repeated reflections
    (2, 8, (10, 6), 2, False),
])
def test_matches_the_plain_loop_reference(J, L, shape, max_order, pre_pad):
    rng = np.random.default_rng(J * 100 + L)
    x = rng.random((2,) + (padded(shape, J) if pre_pad else shape))
    S = Scattering2D(J, shape, L=L, max_order=max_order, pre_pad=pre_pad)
    out = S(x)
    ref = np.stack([kymatio_reference(image, J, L, max_order, pre_pad) for image in x])
    assert out.shape == ref.shape == (2, S.n_channels) + S.out_shape
    assert out.dtype == np.float64
    np.testing.assert_allclose(out, ref, rtol=0, atol=1e-10 * np.abs(ref).max())
    single = S(x.astype(np.float32))
    assert single.dtype == np.float32
    np.testing.assert_allclose(single, ref, rtol=0, atol=2e-6 * np.abs(ref).max())


# ------------------------------------------------------------ Kymatio's own outputs

def kymatio_cases():
    data = np.load(DATA)
    settings = json.loads(str(data["settings"]))
    return [(i, s, data) for i, s in enumerate(settings)]


@pytest.mark.parametrize("case", kymatio_cases(), ids=lambda c: json.dumps(c[1]))
def test_matches_kymatio_outputs(case):
    i, s, data = case
    x = data[f"x{i}"].astype(np.float32) / 255
    expected = data[f"y{i}"]
    S = Scattering2D(J=s["J"], shape=tuple(s["shape"]), L=s["L"], max_order=s["max_order"],
                     pre_pad=s["pre_pad"], out_type=s["out_type"])
    for dtype in (np.float32, np.float64):
        out = S(x.astype(dtype))
        if s["out_type"] == "list":
            meta = json.loads(str(data[f"meta{i}"]))
            assert [[list(e["j"]), list(e["n"]), list(e["theta"])] for e in out] == meta
            assert all(isinstance(e[key], tuple) for e in out for key in ("j", "n", "theta"))
            assert all(e["coef"].dtype == dtype for e in out)
            out = np.stack([e["coef"] for e in out], axis=-3)
        assert out.shape == expected.shape and out.dtype == dtype
        error = np.abs(out - expected).max() / np.abs(expected).max()
        assert error < 1e-5, error


# ------------------------------------------------------------ layout, dtypes, chunks

def test_meta_is_the_list_layout():
    S = Scattering2D(3, (16, 16), L=4)
    meta = S.meta()
    entries = Scattering2D(3, (16, 16), L=4, out_type="list")(np.ones((16, 16)))
    assert len(entries) == S.n_channels == 1 + 3 * 4 + 16 * 3
    for i, e in enumerate(entries):
        order = len(e["j"])
        assert meta["order"][i] == order
        assert tuple(meta["j"][i][:order]) == e["j"] and tuple(meta["theta"][i][:order]) == e["theta"]
        assert tuple(meta["n"][i][:order]) == e["n"]
        assert tuple(meta["key"][i]) == (order, *[v for p in zip(
            list(e["j"]) + [-1] * (2 - order), list(e["theta"]) + [-1] * (2 - order)) for v in p])
    # order 1 at 1 + j1 L + θ1; order 2 by (j1, θ1, j2, θ2), θ2 fastest
    assert tuple(meta["key"][1 + 2 * 4 + 3]) == (1, 2, 3, -1, -1)
    assert tuple(meta["key"][13]) == (2, 0, 0, 1, 0) and tuple(meta["key"][13 + 5]) == (2, 0, 0, 2, 1)
    np.testing.assert_allclose(meta["angle"][1:5, 0], (1 - np.arange(4)) * np.pi / 4)


def test_batch_shapes_dtypes_and_list_views():
    rng = np.random.default_rng(0)
    x = rng.random((2, 3, 12, 12))
    S = Scattering2D(2, (12, 12), L=4)
    out = S(x)
    assert out.shape == (2, 3, S.n_channels, 3, 3)
    np.testing.assert_array_equal(out.reshape(6, -1, 3, 3), S(x.reshape(6, 12, 12)))
    # one image alone: other matrix sizes, the same values up to rounding
    np.testing.assert_allclose(S(x[0, 0]), out[0, 0], rtol=1e-13, atol=1e-15)
    pixels = (x * 255).astype(np.uint8)
    np.testing.assert_array_equal(S(pixels), S(pixels.astype(np.float64)))
    listed = Scattering2D(2, (12, 12), L=4, out_type="list")(x)
    assert listed[0]["coef"].shape == (2, 3, 3, 3)
    np.testing.assert_array_equal(np.stack([e["coef"] for e in listed], axis=-3), out)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_identical_for_every_batch_size_and_n_jobs(dtype):
    rng = np.random.default_rng(1)
    x = rng.random((23, 28, 28)).astype(dtype)
    reference = Scattering2D(2, (28, 28))(x)
    for batch_size in (1, 2, 5, 9, 22):
        np.testing.assert_array_equal(Scattering2D(2, (28, 28), batch_size=batch_size)(x),
                                      reference)
    np.testing.assert_array_equal(Scattering2D(2, (28, 28), batch_size=4, n_jobs=2)(x),
                                  reference)


def test_orientation_map_to_scattering_transformer():
    """For even L, ScatteringTransformer's orientation a is Kymatio's L − 1 − a (the
    filters differ slightly: different constructions of the same Morlet bank)."""
    rng = np.random.default_rng(2)
    x = rng.random((3, 28, 28))
    L = 8
    ours = ScatteringTransformer(compression=None).fit(x).transform(x).reshape(3, -1, 7, 7)
    kymatio = Scattering2D(2, (28, 28), L=L)(x)
    for j in range(2):
        for a in range(L):
            mine = ours[:, 1 + j * L + a]
            errors = [np.abs(mine - kymatio[:, 1 + j * L + t]).max() for t in range(L)]
            assert int(np.argmin(errors)) == L - 1 - a
            assert min(errors) < 0.02 * np.abs(mine).max()


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(J=0, shape=(8, 8)), ValueError, "J"),
    (dict(J=2.0, shape=(8, 8)), TypeError, "J"),
    (dict(J=4, shape=(8, 20)), ValueError, "2\\^J"),
    (dict(J=1, shape=(8,)), ValueError, "shape"),
    (dict(J=1, shape=(8, 8), max_order=3), ValueError, "max_order"),
    (dict(J=1, shape=(8, 8), out_type="dict"), ValueError, "out_type"),
    (dict(J=1, shape=(8, 8), backend="torch"), ValueError, "backend"),
    (dict(J=1, shape=(8, 8), L=0), ValueError, "L"),
])
def test_bad_parameters(kwargs, error, match):
    with pytest.raises(error, match=match):
        Scattering2D(**kwargs)


def test_bad_input():
    S = Scattering2D(2, (8, 8))
    with pytest.raises(TypeError, match="numpy array"):
        S([[0.0] * 8] * 8)
    with pytest.raises(TypeError, match="real"):
        S(np.zeros((8, 8), complex))
    with pytest.raises(ValueError, match="two dimensions"):
        S(np.zeros(8))
    with pytest.raises(ValueError, match="spatial size"):
        S(np.zeros((2, 8, 9)))
    with pytest.raises(ValueError, match="Padded array"):
        Scattering2D(2, (8, 8), pre_pad=True)(np.zeros((8, 8)))
    with pytest.raises(ValueError, match="NaN"):
        S(np.full((8, 8), np.nan))


def test_second_layer_hook_sees_the_complex_responses():
    """The insertion point for a joint filtering along θ1 (roto-translation scattering):
    ``spec.second_layer_hook(z, j1, j2)`` gets z = U1 ⋆ ψ_j2 sampled, (M2, N2, n, C1, C2)
    complex, before the modulus."""
    from sklearn_sparsecode.scattering._kernels import cascade
    from sklearn_sparsecode.scattering._kymatio import kymatio_spec

    rng = np.random.default_rng(3)
    x = rng.random((3, 12, 12))
    spec = kymatio_spec(3, (12, 12), L=2)
    plain = cascade(spec, x, np.empty((3, spec.n_paths) + spec.out_shape))
    seen = []

    def hook(z, j1, j2):
        seen.append((j1, j2, z.shape, z.dtype))
        z *= 2

    spec.second_layer_hook = hook
    doubled = cascade(spec, x, np.empty_like(plain))
    grids = {1: (12, 12), 2: (6, 6)}  # padded 24 x 24, sampled every 2^j2
    assert sorted({s[:2] for s in seen}) == [(0, 1), (0, 2), (1, 2)]
    for j1, j2, shape, dtype in seen:
        assert shape == grids[j2] + (3, 2, 2) and dtype == np.complex128
    order1 = 1 + 3 * 2
    np.testing.assert_allclose(doubled[:, :order1], plain[:, :order1], rtol=1e-14)
    np.testing.assert_allclose(doubled[:, order1:], 2 * plain[:, order1:], rtol=1e-12)


def test_pickle_after_use():
    """The kernels' per-thread buffers are not pickled; both front ends pickle after a call."""
    import pickle

    rng = np.random.default_rng(4)
    x = rng.random((3, 16, 16))
    S = Scattering2D(2, (16, 16), L=4)
    expected = S(x)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(S))(x), expected)
    st = ScatteringTransformer(n_orientations=4).fit(x)
    features = st.transform(x)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(st)).transform(x), features)


def test_banded_lowpass_equals_the_dense_product():
    """Large grids use the low-pass in banded blocks (``band_pieces``); the pieces put
    back together are the matrix (entries below 1e-10 of its maximum dropped), and
    the cascade gives the dense product's result to float rounding."""
    from sklearn_sparsecode.scattering._kernels import band_pieces, cascade
    from sklearn_sparsecode.scattering._kymatio import kymatio_spec

    spec = kymatio_spec(3, (192, 160), L=2)
    kern = spec.kernels(np.float64)
    D = kern.D[0]
    pieces = band_pieces(D)
    assert pieces is not None and kern.E_pieces[0] is not None
    assert any(len(windows) == 2 for _, _, windows in pieces)  # a window wraps around
    rebuilt = np.zeros_like(D)
    for o0, o1, windows in pieces:
        for i0, i1, block in windows:
            rebuilt[o0:o1, i0:i1] += block
    kept = np.abs(D) > 1e-10 * np.abs(D).max()
    np.testing.assert_array_equal(rebuilt[kept], D[kept])
    assert np.abs(rebuilt - D).max() <= 1e-10 * np.abs(D).max()

    x = np.random.default_rng(5).random((2, 192, 160))
    banded = cascade(spec, x, np.empty((2, spec.n_paths) + spec.out_shape))
    dense_spec = kymatio_spec(3, (192, 160), L=2)
    dense = dense_spec.kernels(np.float64)
    dense.D_pieces = dict.fromkeys(dense.D_pieces)
    dense.E_pieces = dict.fromkeys(dense.E_pieces)
    expected = cascade(dense_spec, x, np.empty_like(banded))
    # dropped entries are below 1e-10 of the maximum, at most a few hundred per row
    # and column: a bound of a few 1e-8 of the output (measured: 1.6e-11)
    assert 0 < np.abs(banded - expected).max() <= 1e-8 * np.abs(expected).max()
