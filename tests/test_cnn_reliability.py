"""CNNFeatureExtractor under adversarial specs, weights, inputs and threads; its analytic filters."""

import math
import threading
import tracemalloc

import numpy as np
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

from sklearn_sparsecode import CNNFeatureExtractor
from sklearn_sparsecode._core.batching import map_in_batches
from sklearn_sparsecode.cnn._weights import oriented_filters

RNG = np.random.default_rng(0)
X28 = RNG.random((4, 28, 28))


def conv(**kw):
    return {"type": "conv", "out_channels": 4, "kernel_size": 3, **kw}


# --- layer specs: checked in fit, never failing in transform --------------------------------

@pytest.mark.parametrize("layer, error, match", [
    (conv(padding=1.5), TypeError, "padding must be an integer; got 1.5"),
    (conv(padding="2"), TypeError, "padding must be an integer; got '2'"),
    (conv(padding=True), TypeError, "padding must be an integer"),
    (conv(padding=-1), ValueError, "padding must be >= 0"),
    (conv(padding=None), TypeError, "padding must be an integer"),
    (conv(stride=2.0), TypeError, "stride must be an integer"),
    (conv(stride=0), ValueError, "stride must be >= 1"),
    (conv(kernel_size=np.int64(0)), ValueError, "kernel_size must be >= 1"),
    (conv(out_channels=True), TypeError, "out_channels must be an integer"),
    (conv(out_channels="4"), TypeError, "out_channels must be an integer"),
    (conv(strides=2), ValueError, r"unknown keys \['strides'\]"),
    (conv(name=3), ValueError, "name must be a non-empty string"),
    ({"type": "pool", "size": 2.5}, TypeError, "size must be an integer"),
    ({"type": "pool", "kind": "median"}, ValueError, "kind must be 'avg' or 'max'"),
    ({"type": "pool", "kind": ["avg"]}, ValueError, "kind must be 'avg' or 'max'"),
    ({"type": "activation", "function": "gelu"}, ValueError, "function must be one of"),
    ({"type": "activation", "function": ["relu"]}, ValueError, "function must be one of"),
    ({"type": "dense"}, ValueError, "out_features must be a positive integer; it is missing"),
    ({"type": "Conv"}, ValueError, "must be a dict with 'type'"),
    ("conv", ValueError, "must be a dict with 'type'"),
])
def test_bad_layer_parameters_fail_in_fit(layer, error, match):
    with pytest.raises(error, match=match):
        CNNFeatureExtractor(architecture=[layer]).fit(X28)


@pytest.mark.parametrize("spec, match", [
    ([conv(), {"type": "flatten"}, {"type": "flatten"}], "Flatten layer 'flatten2' needs image maps"),
    ([conv(), {"type": "flatten"}, {"type": "dense", "out_features": 3}, {"type": "flatten"}],
     "needs image maps"),
    ([conv(), {"type": "flatten"}, conv()], "needs image maps"),
    ([conv(), {"type": "flatten"}, {"type": "pool"}], "needs image maps"),
    ([conv(), {"type": "dense", "out_features": 3}], "must follow a flatten"),
    ([conv(kernel_size=29)], "too small"),
    ([conv(name="a"), conv(name="a")], "unique"),
    ([], "non-empty list"),
])
def test_stacks_that_cannot_run_fail_in_fit(spec, match):
    with pytest.raises(ValueError, match=match):
        CNNFeatureExtractor(architecture=spec).fit(X28)


@pytest.mark.parametrize("spec", [
    [conv(padding=np.int32(1)), {"type": "pool", "kind": "max", "size": 3, "stride": 2}],
    [conv(stride=2), {"type": "activation", "function": "sigmoid"}, {"type": "flatten"},
     {"type": "dense", "out_features": 5}, {"type": "dense", "out_features": 2}],
    [{"type": "pool", "size": 28}],
    [{"type": "flatten"}],
    [{"type": "activation", "function": "identity"}],
])
def test_every_spec_that_fits_also_transforms(spec):
    cnn = CNNFeatureExtractor(architecture=spec, random_state=0).fit(X28)
    out = cnn.transform(X28)
    assert out.shape == (4, int(np.prod(cnn.layers_[-1]["output_shape"])))
    assert np.isfinite(out).all()
    assert len(cnn.get_feature_names_out()) == out.shape[1] == len(cnn.feature_layout())


# --- weights ------------------------------------------------------------------------------

@pytest.mark.parametrize("kind, size", [("gabor", 1), ("gabor", 2), ("gabor", 3), ("gabor", 4),
                                        ("wavelet", 1)])
def test_analytic_weights_refuse_kernels_too_small(kind, size):
    spec = [conv(out_channels=6, kernel_size=size)]
    with pytest.raises(ValueError, match=f"kernel_size >= {5 if kind == 'gabor' else 2}"):
        CNNFeatureExtractor(architecture=spec, weights=kind).fit(X28)


@pytest.mark.parametrize("kind, size", [("gabor", 5), ("gabor", 6), ("wavelet", 2),
                                        ("wavelet", 3)])
@pytest.mark.parametrize("n", [1, 2, 3, 7, 16])
def test_analytic_weights_at_the_smallest_sizes_are_finite_unit_atoms(kind, size, n):
    atoms = oriented_filters(kind, n, size)
    assert np.isfinite(atoms).all()
    np.testing.assert_allclose(np.linalg.norm(atoms.reshape(n, -1), axis=1), 1.0)
    spec = [conv(out_channels=n, kernel_size=size)]
    out = CNNFeatureExtractor(architecture=spec, weights=kind).fit(X28).transform(X28)
    assert np.isfinite(out).all()


def test_weights_files(tmp_path):
    np.save(tmp_path / "w.npy", np.zeros((6, 1, 5, 5)))
    (tmp_path / "w.txt").write_text("conv1.weight = 0\n")
    np.savez(tmp_path / "objects.npz", **{"conv1.weight": np.array([{}], dtype=object)})
    for name, match in [("w.npy", r"single array \(\.npy\)"), ("w.txt", "cannot be read"),
                        ("objects.npz", "without unpickling")]:
        with pytest.raises(ValueError, match=match) as info:
            CNNFeatureExtractor(weights=str(tmp_path / name)).fit(X28)
        assert ".npz archives" in str(info.value)
        assert "allow_pickle" not in str(info.value)


def test_weights_file_round_trip_from_a_path_object(tmp_path):
    ref = CNNFeatureExtractor(random_state=0).fit(X28)
    state = {f"{layer['name']}.{part}": layer[part] for layer in ref.layers_ if "weight" in layer
             for part in ("weight", "bias")}
    np.savez(tmp_path / "w.npz", **state)
    for source in (tmp_path / "w.npz", str(tmp_path / "w.npz"), state):
        got = CNNFeatureExtractor(weights=source).fit(X28).transform(X28)
        np.testing.assert_array_equal(got, ref.transform(X28))


@pytest.mark.parametrize("value, match", [
    ("abc", "must be a numeric array"),
    (np.full((6, 1, 5, 5), np.nan), "NaN or infinity"),
    (np.zeros((6, 5, 5)), "has shape"),
])
def test_bad_weight_values(value, match):
    state = {f"{layer['name']}.{part}": layer[part]
             for layer in CNNFeatureExtractor(random_state=0).fit(X28).layers_ if "weight" in layer
             for part in ("weight", "bias")}
    state["conv1.weight"] = value
    with pytest.raises(ValueError, match=match):
        CNNFeatureExtractor(weights=state).fit(X28)


@pytest.mark.parametrize("weights", [3, None, 1.5, ["random"], b"random"])
def test_weights_of_the_wrong_type(weights):
    with pytest.raises((TypeError, ValueError), match="weights"):
        CNNFeatureExtractor(weights=weights).fit(X28)


# --- analytic filters against their formulas ----------------------------------------------

def _grid(size):
    centre = (size - 1) / 2
    rows, cols = np.mgrid[0:size, 0:size] - centre
    return rows, cols


@pytest.mark.parametrize("n", [2, 6, 8, 9])
def test_gabor_atoms_formula(n):
    # Atom i: orientation θ = π·⌊i/2⌋/⌈n/2⌉, cosine phase for even i, sine for odd,
    # wavelength size/2, Gaussian envelope σ = size/4, DC removed with the envelope.
    size = 9
    rows, cols = _grid(size)
    envelope = np.exp(-(rows**2 + cols**2) / (2 * (size / 4) ** 2))
    atoms = oriented_filters("gabor", n, size)
    for i in range(n):
        theta = math.pi * (i // 2) / math.ceil(n / 2)
        along = cols * math.cos(theta) + rows * math.sin(theta)
        carrier = np.cos(2 * np.pi * along / (size / 2) + (0 if i % 2 == 0 else np.pi / 2))
        want = envelope * carrier
        want -= want.sum() / envelope.sum() * envelope
        want /= np.linalg.norm(want)
        np.testing.assert_allclose(atoms[i], want, atol=1e-12)


@pytest.mark.parametrize("n", [4, 8, 12])
def test_gabor_orientations_measured_in_the_spectrum(n):
    # The peak of |FFT| of atom i sits along θ_i = π·⌊i/2⌋/⌈n/2⌉ (row axis
    # pointing down, as the atoms are laid out), at frequency 2/size cycles/px.
    size, pad = 21, 512
    atoms = oriented_filters("gabor", n, size)
    freqs = np.fft.fftfreq(pad)
    for i, atom in enumerate(atoms):
        spectrum = np.abs(np.fft.fft2(atom, (pad, pad)))
        r, c = np.unravel_index(spectrum.argmax(), spectrum.shape)
        fr, fc = freqs[r], freqs[c]
        measured = math.atan2(fr, fc) % math.pi
        want = (math.pi * (i // 2) / math.ceil(n / 2)) % math.pi
        gap = min(abs(measured - want), math.pi - abs(measured - want))
        assert gap < math.radians(3), (i, math.degrees(measured), math.degrees(want))
        assert math.hypot(fr, fc) == pytest.approx(2 / size, rel=0.15)
        # cosine atoms are even, sine atoms odd
        parity = 1 if i % 2 == 0 else -1
        np.testing.assert_allclose(atom[::-1, ::-1], parity * atom, atol=1e-12)


@pytest.mark.parametrize("n", [2, 5, 8])
def test_wavelet_atoms_formula_and_orientation(n):
    # Atom 0: Gaussian σ = size/4; atom i >= 1: −(x cos θ + y sin θ)·G with
    # θ = π(i − 1)/(n − 1), x the column and y the row offset from the centre.
    size = 7
    rows, cols = _grid(size)
    gauss = np.exp(-(rows**2 + cols**2) / (2 * (size / 4) ** 2))
    atoms = oriented_filters("wavelet", n, size)
    np.testing.assert_allclose(atoms[0], gauss / np.linalg.norm(gauss), atol=1e-12)
    for i in range(1, n):
        theta = math.pi * (i - 1) / (n - 1)
        want = -(cols * math.cos(theta) + rows * math.sin(theta)) * gauss
        np.testing.assert_allclose(atoms[i], want / np.linalg.norm(want), atol=1e-12)
        # measured orientation: the first moment points along −(cos θ, sin θ)
        mx, my = -(atoms[i] * cols).sum(), -(atoms[i] * rows).sum()
        assert math.atan2(my, mx) == pytest.approx(math.atan2(math.sin(theta), math.cos(theta)),
                                                   abs=1e-9)


def test_representation_weights_fill_only_the_first_conv():
    cnn = CNNFeatureExtractor(weights="gabor", random_state=0).fit(X28)
    conv1 = cnn.layers_[0]
    atoms = oriented_filters("gabor", 6, 5)
    np.testing.assert_allclose(conv1["weight"][:, 0], atoms)
    np.testing.assert_array_equal(conv1["bias"], 0)
    random = CNNFeatureExtractor(weights="random", random_state=0).fit(X28)
    assert not np.allclose(cnn.layers_[3]["weight"], 0)
    assert cnn.layers_[3]["weight"].shape == random.layers_[3]["weight"].shape


# --- overflow and non-finite input --------------------------------------------------------

@pytest.mark.parametrize("activation", ["relu", "identity"])
def test_overflow_is_an_error_not_nan(activation):
    X = np.full((2, 28, 28), 3e38, dtype=np.float32)
    cnn = CNNFeatureExtractor(activation=activation, random_state=0).fit(X)
    with pytest.raises(ValueError, match="overflowed float32"):
        cnn.transform(X)
    # float64 holds these values: a finite result.
    assert np.isfinite(cnn.transform(X.astype(np.float64))).all()


def test_saturating_activations_stay_finite_on_huge_input():
    X = np.full((2, 28, 28), 3e38, dtype=np.float32)
    for activation in ["tanh", "sigmoid"]:
        out = CNNFeatureExtractor(activation=activation, random_state=0).fit(X).transform(X)
        assert np.isfinite(out).all()


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_input_is_refused(bad):
    cnn = CNNFeatureExtractor(random_state=0).fit(X28)
    X = X28.copy()
    X[1, 3, 4] = bad
    with pytest.raises(ValueError, match="NaN|infinity"):
        cnn.transform(X)


@pytest.mark.parametrize("dtype", [np.uint8, np.int64, np.float16, np.float32, np.float64, bool])
def test_input_dtypes(dtype):
    X = (RNG.random((3, 28, 28)) * (255 if dtype == np.uint8 else 1)).astype(dtype)
    cnn = CNNFeatureExtractor(random_state=0).fit(X)
    out = cnn.transform(X)
    assert out.dtype == (np.float32 if dtype == np.float32 else np.float64)
    np.testing.assert_allclose(out, cnn.transform(X.astype(np.float64)),
                               rtol=1e-5 if dtype == np.float32 else 1e-12, atol=1e-6)


def test_non_contiguous_and_fortran_input():
    cnn = CNNFeatureExtractor(random_state=0).fit(X28)
    ref = cnn.transform(X28)
    np.testing.assert_array_equal(cnn.transform(np.asfortranarray(X28)), ref)
    wide = np.zeros((4, 28, 56))
    wide[:, :, ::2] = X28
    np.testing.assert_array_equal(cnn.transform(wide[:, :, ::2]), ref)


# --- threads and refits -------------------------------------------------------------------

def _blas_threads():
    return sorted({i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"})


def test_overlapping_calls_restore_the_blas_limits():
    # A enters, B enters, A leaves, B leaves: the order in which the old code
    # restored "1" (saved by B while A held the limit) for the rest of the process.
    if not _blas_threads():
        pytest.skip("no BLAS found by threadpoolctl")
    X = np.zeros((3, 2))
    a_in, b_in, a_done = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def func_a(chunk, out):
        a_in.set()
        assert b_in.wait(10)
        out[:] = 0

    def func_b(chunk, out):
        b_in.set()
        assert a_done.wait(10)
        seen["b_after_a"] = _blas_threads()  # A has left, B still runs: still 1
        out[:] = 0

    def thread_a():
        map_in_batches(func_a, X, 1, np.float64, uses_blas=True)
        a_done.set()

    before = _blas_threads()
    if before == [1]:
        pytest.skip("BLAS is single-threaded already")
    ta = threading.Thread(target=thread_a)
    tb = threading.Thread(target=lambda: map_in_batches(func_b, X, 1, np.float64,
                                                        uses_blas=True))
    ta.start()
    assert a_in.wait(10)
    tb.start()
    ta.join(20)
    tb.join(20)
    assert seen["b_after_a"] == [1]
    assert _blas_threads() == before
    # The main thread can still set and restore its own limits afterwards.
    with threadpool_limits(limits=1, user_api="blas"):
        assert _blas_threads() == [1]
    assert _blas_threads() == before


def test_concurrent_transforms_from_threads():
    X = RNG.random((40, 28, 28)).astype(np.float32)
    cnn = CNNFeatureExtractor(random_state=0, batch_size=8).fit(X)
    ref = cnn.transform(X)
    before = _blas_threads()
    results = [None] * 4

    def work(i):
        results[i] = cnn.transform(X)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for got in results:
        np.testing.assert_array_equal(got, ref)
    assert _blas_threads() == before


def test_an_exception_in_a_chunk_still_restores_the_limits():
    before = _blas_threads()

    def boom(chunk, out):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        map_in_batches(boom, np.zeros((4, 2)), 1, np.float64, batch_size=1, n_jobs=2,
                       uses_blas=True)
    assert _blas_threads() == before


def test_refit_on_another_shape_and_set_params():
    cnn = CNNFeatureExtractor(random_state=0, output_layer="pool1").fit(X28)
    assert cnn.transform(X28).shape == (4, 6 * 14 * 14)
    X32 = RNG.random((2, 32, 32))
    assert cnn.fit(X32).transform(X32).shape == (2, 6 * 16 * 16)
    with pytest.raises(ValueError):
        cnn.transform(X28)
    cnn.set_params(weights="gabor", output_layer="conv1").fit(X28)
    np.testing.assert_allclose(cnn.layers_[0]["weight"][:, 0], oriented_filters("gabor", 6, 5))
    assert cnn.transform(X28).shape == (4, 6 * 28 * 28)


@pytest.mark.parametrize("dtype", [np.uint8, np.float16])
def test_low_precision_input_is_converted_per_chunk(dtype):
    # Whole-batch conversion to float64 made the working set grow with n
    # (bench_memory.py, uint8, 60k images: 430 MiB above the output).
    X = (RNG.random((20000, 28, 28)) * 255).astype(dtype)
    cnn = CNNFeatureExtractor(architecture=[{"type": "pool", "size": 2}]).fit(X[:2])
    tracemalloc.start()
    out = cnn.transform(X)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert out.dtype == np.float64
    np.testing.assert_allclose(out[:3], cnn.transform(X[:3].astype(np.float64)))
    assert peak - out.nbytes < X.size * 8 / 4
