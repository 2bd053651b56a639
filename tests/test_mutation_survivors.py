"""Tests written for the mutants that survived the first mutation audit (issue 20 item 5).

Each test names the mutant(s) of ``benchmarks/mutants.json`` it kills. Expected values are
closed forms, plain loops, PyWavelets or numpy FFTs, never the package's own output.
"""

import inspect

import numpy as np
import pytest
import pywt
import sklearn

from sklearn_sparsecode._core.bands import Band, complex_pairs
from sklearn_sparsecode._core.batching import map_in_batches, resolve_batch_size
from sklearn_sparsecode._core.shrinkage import shrinkage_gain
from sklearn_sparsecode.contourlets import ContourletTransformer, contourlet_transform
from sklearn_sparsecode.contourlets._filters import dd_interpolator, lp_filters_1d
from sklearn_sparsecode.curvelets import CurveletTransformer, curvelet_transform
from sklearn_sparsecode.morlet import MorletTransformer, morlet_transform
from sklearn_sparsecode.scattering import (
    ScatteringTransformer,
    plan_scattering,
    scattering_transform,
)
from sklearn_sparsecode.wavelets import (
    WaveletTransformer,
    plan_wavelets,
    wavelet_transform,
)


@pytest.fixture(scope="module")
def rng():
    return np.random.default_rng(20)


# ------------------------------------------------------------------ _core


def test_hard_gain_is_strict_at_the_threshold():
    """_core.shrinkage#9: g = 1{m > tau}; a magnitude equal to tau is dropped."""
    m = np.array([0.5, 1.0, 1.5])
    np.testing.assert_array_equal(shrinkage_gain(m, 1.0, "hard"), [0.0, 0.0, 1.0])


def test_feature_layout_rows_and_columns_follow_c_order():
    """_core.bands#2: row/col of each column are its position in the band (C order)."""
    est = WaveletTransformer(wavelet="haar", n_scales=1).fit(np.zeros((1, 6, 10)))
    layout = est.feature_layout()
    for band in est.bands_:  # (3, 5) bands
        rows, cols = np.unravel_index(np.arange(band.size), band.shape)
        np.testing.assert_array_equal(layout["row"][band.start:band.stop], rows)
        np.testing.assert_array_equal(layout["col"][band.start:band.stop], cols)


def test_channel_blocks_carry_their_channel():
    """_core.bands#3: channel k's blocks are labelled k (layout and Band.channel)."""
    est = WaveletTransformer(wavelet="haar", n_scales=1, channel_axis=-1)
    est.fit(np.zeros((1, 8, 8, 3)))
    per_channel = 64
    np.testing.assert_array_equal(est.feature_layout()["channel"],
                                  np.repeat(np.arange(3), per_channel))
    assert [b.channel for b in est.bands_] == [k for k in range(3) for _ in range(4)]


def test_complex_pairs_are_re_then_im_whatever_the_order():
    """_core.bands#5: complex_pairs returns (re, im) for either listing order."""
    def band(part, start):
        return Band(scale=1, name=f"a0_{part}", shape=(2,), start=start, stop=start + 2,
                    part=part, angle=0, orientation=0.0)
    for bands in ([band("re", 0), band("im", 2)], [band("im", 0), band("re", 2)]):
        (pair,) = complex_pairs(bands)
        assert [b.part for b in pair] == ["re", "im"]


def test_atom_refuses_the_column_one_past_the_end():
    """_core.base#2: atom(n_coefs) is out of range (a ValueError naming the column)."""
    est = WaveletTransformer(wavelet="haar", n_scales=1).fit(np.zeros((1, 4, 4)))
    est.atom(-16)  # the first column, counted from the end
    with pytest.raises(ValueError, match="column=16 is out of range"):
        est.atom(16)


def test_plan_of_another_width_is_refused():
    """_core.base#4: a plan for 8x8 images does not transform 8x16 images."""
    plan = plan_wavelets((8, 8), wavelet="haar", n_scales=1)
    with pytest.raises(ValueError, match="the plan is for samples of shape"):
        wavelet_transform(np.zeros((1, 8, 16)), plan=plan)


def test_chunks_of_an_explicit_batch_size():
    """_core.batching#4: batch_size=4 over 10 samples runs chunks of 4, 4 and 2."""
    sizes = []

    def func(chunk, out):
        sizes.append(len(chunk))
        out[:] = chunk

    out = map_in_batches(func, np.arange(10.0)[:, None], 1, np.float64, batch_size=4)
    assert sizes == [4, 4, 2]
    np.testing.assert_array_equal(out[:, 0], np.arange(10.0))


def test_batch_size_from_working_memory_and_row_bytes():
    """_core.batching#3: batch_size=None is floor(working_memory * 2^20 / row_bytes)."""
    with sklearn.config_context(working_memory=1):
        assert resolve_batch_size(None, 1000, 10**6) == 2**20 // 1000
        assert resolve_batch_size(None, 3 * 2**20, 10**6) == 1  # at least one row
        assert resolve_batch_size(None, 1000, 7) == 7  # never more than the samples


def test_channel_axis_zero_is_the_sample_axis():
    """_core.validation#5: channel_axis=0 is refused (it is the sample axis)."""
    with pytest.raises(ValueError, match="sample axis"):
        WaveletTransformer(channel_axis=0).fit(np.zeros((3, 8, 8, 3)))


@pytest.mark.parametrize("shape", [(0, 8), (8, 0)])
def test_image_shape_with_an_empty_side_is_refused_by_name(shape):
    """_core.validation#2: a zero side is not an image shape (the error names it)."""
    with pytest.raises(ValueError, match="image_shape"):
        plan_wavelets(shape)


# ------------------------------------------------- function and estimator defaults


@pytest.mark.parametrize("estimator, function, shape", [
    (WaveletTransformer, wavelet_transform, (16, 16)),
    (CurveletTransformer, curvelet_transform, (32, 32)),
    (ContourletTransformer, contourlet_transform, (32, 32)),
    (MorletTransformer, morlet_transform, (16, 16)),
    (ScatteringTransformer, scattering_transform, (16, 16)),
])
def test_estimator_defaults_are_the_function_defaults(rng, estimator, function, shape):
    """wavelets._estimator#1, curvelets._estimator#2, contourlets._estimator#1,
    morlet._estimator#1, scattering._estimator#1-2, scattering._plan#10: issue 20
    item 1, function and estimator defaults agree (same output, default arguments)."""
    X = rng.standard_normal((2, *shape))
    np.testing.assert_allclose(estimator().fit_transform(X), function(X), rtol=1e-12,
                               atol=1e-12)
    own = {k: v.default for k, v in inspect.signature(estimator).parameters.items()}
    assert own["n_jobs"] is None and own["batch_size"] is None


def test_morlet_estimator_passes_slant(rng):
    """morlet._estimator#2: MorletTransformer(slant=s) is morlet_transform(slant=s)."""
    X = rng.standard_normal((1, 16, 16))
    np.testing.assert_allclose(MorletTransformer(slant=0.3).fit_transform(X),
                               morlet_transform(X, slant=0.3), rtol=1e-12, atol=1e-12)
    assert not np.allclose(morlet_transform(X, slant=0.3), morlet_transform(X))


# ------------------------------------------------------------------ filters


@pytest.mark.parametrize("name, wavelet", [("5-3", "bior2.2"), ("9-7", "bior4.4")])
def test_pyramid_filters_are_pywavelets_cdf_filters(name, wavelet):
    """contourlets._filters#3: the lifting gives CDF 5/3 and 9/7 with PyWavelets' scale."""
    h, g = lp_filters_1d(name)
    w = pywt.Wavelet(wavelet)
    np.testing.assert_allclose(h, np.trim_zeros(np.array(w.dec_lo)), atol=1e-9)
    np.testing.assert_allclose(g, np.trim_zeros(np.array(w.rec_lo)), atol=1e-9)


@pytest.mark.parametrize("order, weights", [
    (2, [1 / 2, 1 / 2]),
    (4, [-1 / 16, 9 / 16, 9 / 16, -1 / 16]),
    (6, [3 / 256, -25 / 256, 150 / 256, 150 / 256, -25 / 256, 3 / 256]),
])
def test_dubuc_interpolator_weights(order, weights):
    """contourlets._filters#6: Lagrange interpolation at the half-sample point 0 from
    the nodes -order+1, ..., order-1 (step 2): the Deslauriers-Dubuc weights."""
    nodes, got = dd_interpolator(order)
    np.testing.assert_array_equal(nodes, np.arange(-order + 1, order, 2))
    np.testing.assert_allclose(got, weights, rtol=1e-12)


def test_morlet_lowpass_keeps_constants():
    """morlet._filters#3: phi has DC gain exactly 1 (aliases included), so the low-pass
    of a constant image is that constant, to rounding. The aliases weigh 3e-6 at one
    scale (sigma = 0.8), e^-200 at three: one scale is where an unnormalised phi shows."""
    X = np.full((1, 16, 16), 3.0)
    for n_scales in (1, 3):
        C = morlet_transform(X, n_scales=n_scales, normalize="peak")
        np.testing.assert_allclose(C[0, :256], 3.0, rtol=1e-12)


# ------------------------------------------------------------------ scattering


def _gaussian_blur_reference(x, sigma):
    """Periodic Gaussian blur by numpy FFT, DC gain exactly 1 (aliases summed)."""
    out = x
    for axis, n in enumerate(x.shape):
        w = 2 * np.pi * np.fft.fftfreq(n)
        g = sum(np.exp(-0.5 * sigma**2 * (w + 2 * np.pi * a) ** 2) for a in range(-3, 4))
        shape = [1, 1]
        shape[axis] = n
        out = np.fft.ifft(np.fft.fft(out, axis=axis) * (g / g[0]).reshape(shape),
                          axis=axis).real
    return out


@pytest.mark.parametrize("size, padding", [(18, "reflect"), (22, "symmetric"), (16, "periodic")])
def test_order_zero_is_a_blurred_sampled_image(rng, size, padding):
    """scattering._plan#3 (output grid rounded down) and the low-pass constants: order 0
    is the padded image blurred by a Gaussian of width 0.8 * 2^(J-1), sampled every 2^J
    pixels from the image's first pixel, ceil(size / 2^J) samples per side."""
    J = 2
    step = 2**J
    x = rng.standard_normal((size, size))
    if padding == "periodic":
        pads = ((0, 0), (0, 0))
        padded = x
    else:
        pads = tuple((step, -(-(size + 2 * step) // step) * step - size - step)
                     for _ in range(2))
        padded = np.pad(x, pads, mode=padding)
    blurred = _gaussian_blur_reference(padded, 0.8 * 2 ** (J - 1))
    n_out = -(-size // step)
    ref = blurred[pads[0][0]::step, pads[1][0]::step][:n_out, :n_out]
    S = scattering_transform(x[None], n_scales=J, n_orientations=4, max_order=1,
                             padding=padding, compression=None)
    np.testing.assert_allclose(S[0, :n_out * n_out], ref.ravel(), rtol=1e-9, atol=1e-12)
    assert S.shape[1] == (1 + J * 4) * n_out * n_out


@pytest.mark.parametrize("subsampling", [-1, 0, 1])
def test_every_scattering_lowpass_keeps_constants(subsampling):
    """scattering._plan#5: the low-pass of every grid has DC gain 1 (rows sum to 1)."""
    plan = plan_scattering((16, 16), n_scales=2, n_orientations=4, subsampling=subsampling)
    for grid in plan.grids.values():
        for matrix in grid.lowpass:
            np.testing.assert_allclose(matrix.sum(axis=1), 1.0, rtol=1e-12)


@pytest.mark.parametrize("subsampling, oversampling", [(0, 0), (1, 0), (-1, 0), (0, 1)])
def test_moduli_sampling_steps(subsampling, oversampling):
    """scattering._plan#11: |x * psi_j| is sampled every 2^(j + subsampling) pixels
    (Kymatio's 2^j by default), clipped to [0, J - oversampling]."""
    J = 3
    plan = plan_scattering((32, 32), n_scales=J, n_orientations=4, subsampling=subsampling,
                           oversampling=oversampling)
    assert plan.res1 == {j: min(max(j + subsampling, 0), J - oversampling) for j in range(J)}


def test_blas_layers_are_not_rechunked_per_worker(rng):
    """scattering._estimator#3: a layer working in BLAS products keeps one chunk size
    whatever n_jobs (float32 BLAS results depend on the matrix sizes), so n_jobs=2 does
    not split 3 samples into chunks of 2 and 1 when the memory budget allows one chunk."""
    X = rng.standard_normal((3, 16, 16)).astype(np.float32)
    est = ScatteringTransformer(n_scales=2, n_orientations=4, n_jobs=2).fit(X)
    sizes, write = [], est._write

    def recording(chunk, out, *position):  # (start, total) for index-aligned layers
        sizes.append(len(chunk))
        write(chunk, out, *position)

    est._write = recording
    est.transform(X)
    assert sizes == [3]


# ------------------------------------------------------------------ layers


def test_universal_threshold_uses_the_finest_band(rng):
    """layers._threshold#2: sigma from the MAD of the last (finest) band only:
    tau = median(|d|) / Phi^-1(3/4) * sqrt(2 log n_features)."""
    from scipy.stats import norm

    from sklearn_sparsecode.layers import universal_threshold

    est = WaveletTransformer(wavelet="haar", n_scales=1).fit(np.zeros((1, 8, 8)))
    X = np.zeros((4, 64))
    X[:, :16] = 100.0 + rng.standard_normal((4, 16))      # the low-pass: large
    d = rng.standard_normal((4, 16)) * 0.3
    X[:, 48:] = d                                         # the finest 'dd' band: noise
    expected = np.median(np.abs(d)) / norm.ppf(0.75) * np.sqrt(2 * np.log(64))
    assert universal_threshold(X, est.bands_) == pytest.approx(expected, rel=1e-12)


def test_fractional_top_k_keeps_the_ceiling():
    """layers._threshold#3: top_k=0.25 of 10 features keeps ceil(2.5) = 3 per row."""
    from sklearn_sparsecode.layers import threshold

    X = np.arange(1.0, 11.0)[None] * np.array([[1.0], [-1.0]])
    out = threshold(X, 0.0, top_k=0.25)
    np.testing.assert_array_equal(np.count_nonzero(out, axis=1), [3, 3])
    np.testing.assert_array_equal(out[0, 7:], [8.0, 9.0, 10.0])


# ------------------------------------------------------------------ CNN


def test_pool_stride_defaults_to_its_size():
    """cnn._layers#4: a pool layer without stride pools non-overlapping windows
    (PyTorch's default stride = kernel size): 2x2 means of a 4x4 image."""
    from sklearn_sparsecode.cnn import CNNFeatureExtractor

    X = np.arange(16.0).reshape(1, 4, 4)
    est = CNNFeatureExtractor(architecture=[{"type": "pool", "kind": "avg", "size": 2}])
    expected = X[0].reshape(2, 2, 2, 2).mean(axis=(1, 3)).ravel()
    np.testing.assert_allclose(est.fit_transform(X)[0], expected)


def test_random_weights_follow_pytorch_default_bounds():
    """cnn._weights#1: weights and biases uniform in +-1/sqrt(fan_in) (PyTorch's default
    init): conv1 fan_in 25, fc1 fan_in 120."""
    from sklearn_sparsecode.cnn import CNNFeatureExtractor

    est = CNNFeatureExtractor(random_state=0).fit(np.zeros((1, 28, 28)))
    layers = {layer["name"]: layer for layer in est.layers_}
    for name, fan_in in (("conv1", 25), ("conv2", 150), ("fc1", 120)):
        bound = 1 / np.sqrt(fan_in)
        for values in (layers[name]["weight"], layers[name]["bias"]):
            assert np.abs(values).max() <= bound
        assert np.abs(layers[name]["weight"]).max() > 0.9 * bound


def test_partial_overflow_is_an_error():
    """cnn._extractor#2: one activation overflowing float32 is enough for the error."""
    from sklearn_sparsecode.cnn import CNNFeatureExtractor

    weight = np.zeros((2, 4))
    weight[0, 0] = 2.0  # output 0 = 2 * 3e38 overflows; output 1 = 0 stays finite
    est = CNNFeatureExtractor(
        architecture=[{"type": "flatten"}, {"type": "dense", "out_features": 2}],
        weights={"dense1.weight": weight, "dense1.bias": np.zeros(2)})
    X = np.zeros((1, 2, 2), dtype=np.float32)
    X[0, 0, 0] = 3e38
    est.fit(X)
    with pytest.raises(ValueError, match="overflowed"):
        est.transform(X)


def test_output_layer_past_the_last_is_refused():
    """cnn._extractor#3: LeNet-5 has 11 layers; output_layer=11 is out of range."""
    from sklearn_sparsecode.cnn import CNNFeatureExtractor

    X = np.zeros((1, 28, 28))
    CNNFeatureExtractor(output_layer=-11).fit(X)
    with pytest.raises(ValueError, match="out of range"):
        CNNFeatureExtractor(output_layer=11).fit(X)


# ------------------------------------------------------------------ restoration


@pytest.mark.parametrize("shape, expected", [((16, 16), (16, 16)), ((70, 75), (72, 80)),
                                             ((30, 33), (30, 34)), ((130, 64), (136, 64))])
def test_denoiser_pads_to_the_next_multiple(shape, expected):
    """restoration._engine#12: each side padded up to the next multiple of 2^k,
    k = clip(floor(log2(min side)) - 3, 1, 6)."""
    from sklearn_sparsecode.restoration._engine import padded_shape

    assert padded_shape(shape) == expected
    k = int(np.clip(np.floor(np.log2(min(shape))) - 3, 1, 6))
    assert all(e % 2**k == 0 and 0 <= e - s < 2**k for s, e in zip(shape, expected))


def test_wiener_stage_shrinks_the_lowpass_when_asked():
    """restoration._engine#14: with keep_lowpass=False the Wiener stage applies
    p^2 / (p^2 + sigma^2) to the Haar low-pass too. A constant image c with a
    pass-through first stage (fixed, k=0): the one-level Haar low-pass is 2c, so
    the output is c * 4c^2 / (4c^2 + sigma^2); keep_lowpass=True keeps c."""
    from sklearn_sparsecode.restoration import denoise

    c, sigma = 1.0, 1.0
    X = np.full((16, 16), c)
    kept = denoise(X, sigma=sigma, method="fixed", k=0.0, keep_lowpass=True)
    shrunk = denoise(X, sigma=sigma, method="fixed", k=0.0, keep_lowpass=False)
    np.testing.assert_allclose(kept, c, rtol=1e-9)
    np.testing.assert_allclose(shrunk, c * 4 * c**2 / (4 * c**2 + sigma**2), rtol=1e-9)


def test_opponent_colour_transform_is_orthonormal():
    """restoration._images#1: rows (1, 1, 1)/sqrt3, (1, 0, -1)/sqrt2, (1, -2, 1)/sqrt6:
    orthonormal, so white noise of level sigma stays white with level sigma."""
    from sklearn_sparsecode.restoration._images import OPPONENT

    expected = np.array([[1 / np.sqrt(3)] * 3, [1 / np.sqrt(2), 0, -1 / np.sqrt(2)],
                         [1 / np.sqrt(6), -2 / np.sqrt(6), 1 / np.sqrt(6)]])
    np.testing.assert_allclose(OPPONENT, expected, rtol=1e-12)
    np.testing.assert_allclose(OPPONENT @ OPPONENT.T, np.eye(3), atol=1e-12)


# ------------------------------------------------------------------ model, dask, datasets


def test_two_layer_model_passes_its_parameters():
    """_model#1-3: logistic and linear-svm heads are standardised (svc is not), C and
    shrinkage reach the classifier and the threshold layer."""
    from sklearn_sparsecode import make_two_layer_model

    for head, scaled in (("svc", False), ("logistic", True), ("linear-svm", True)):
        steps = make_two_layer_model(head=head).named_steps["head"].named_steps
        assert list(steps) == (["threshold", "scale", "clf"] if scaled else
                               ["threshold", "clf"])
    model = make_two_layer_model(head="svc", C=3.0, shrinkage="garrote")
    head = model.named_steps["head"].named_steps
    assert head["clf"].C == 3.0
    assert head["threshold"].shrinkage == "garrote"


def test_dask_one_sample_blocks_and_dtype():
    """dask#1-2: blocks of one sample are transformed; uint8 images give float64 features."""
    da = pytest.importorskip("dask.array")
    from sklearn_sparsecode.dask import dask_transform

    X = np.arange(3 * 8 * 8, dtype=np.uint8).reshape(3, 8, 8)
    est = WaveletTransformer(wavelet="haar", n_scales=1).fit(X)
    lazy = dask_transform(est, da.from_array(X, chunks=(2, 8, 8)))  # blocks of 2 and 1
    assert lazy.dtype == np.float64
    out = lazy.compute(scheduler="synchronous")
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, est.transform(X))


def test_train_test_counts_and_fashion_scaling():
    """datasets._splits#2-3: n_train and n_test cut images and labels alike; Fashion-MNIST
    pixels are the IDX bytes / 255."""
    from sklearn_sparsecode.datasets import load_fashion_mnist, load_train_test

    X_train, y_train, X_test, y_test = load_train_test("digits", n_train=10, n_test=20)
    assert (len(X_train), len(y_train), len(X_test), len(y_test)) == (10, 10, 20, 20)
    try:
        raw, _ = load_fashion_mnist(subset="train", return_X_y=True)
    except FileNotFoundError:
        pytest.skip("Fashion-MNIST is not installed")
    X_train, y_train, _, _ = load_train_test("fashion-mnist", n_train=5, n_test=5)
    np.testing.assert_allclose(X_train, raw[:5] / 255.0, rtol=1e-6)
    assert X_train.dtype == np.float32


def test_cartoon_refuses_no_supersampling():
    """datasets._cartoon#3: supersample=0 is an error naming supersample."""
    from sklearn_sparsecode.datasets import make_cartoon

    with pytest.raises(ValueError, match="supersample"):
        make_cartoon(16, supersample=0)


# ------------------------------------------------------------------ plotting


def _drawn_images(fig):
    return [np.asarray(im.get_array()) for ax in fig.axes for im in ax.images]


def test_plot_atoms_draws_the_centre_atom_of_each_real_half():
    """plotting#1-2: each panel is the synthesis atom of the centre column of a band
    (the real half of complex bands)."""
    plt = pytest.importorskip("matplotlib.pyplot")
    from sklearn_sparsecode.plotting import plot_atoms

    est = MorletTransformer(n_scales=1, n_orientations=2).fit(np.zeros((1, 16, 16)))
    fig = plot_atoms(est, zoom=False)
    drawn = _drawn_images(fig)
    plt.close(fig)
    shown = [b for b in est.bands_ if b.part != "im"]
    assert len(drawn) == len(shown)
    for band in shown:
        centre = band.start + (band.shape[0] // 2) * band.shape[1] + band.shape[1] // 2
        expected = est.atom(centre)
        assert any(np.allclose(d, expected, atol=1e-12) for d in drawn), band.name


def test_coefficient_maps_add_split_sign_magnitudes(rng):
    """plotting#4: a split-sign weight vector (positive part, negative part) is shown as
    |w_pos| + |w_neg| per coefficient."""
    plt = pytest.importorskip("matplotlib.pyplot")
    from sklearn_sparsecode.plotting import plot_coefficient_maps

    est = WaveletTransformer(wavelet="haar", n_scales=1).fit(np.zeros((1, 8, 8)))
    w = rng.uniform(0.5, 1.0, 64)
    fig = plot_coefficient_maps(est, np.concatenate([w, -w]))
    drawn = _drawn_images(fig)
    plt.close(fig)
    for band in est.bands_:
        expected = 2 * w[band.start:band.stop].reshape(band.shape)
        assert any(np.allclose(d, expected) for d in drawn), band.name


# ------------------------------------------------------------------ command line


@pytest.mark.parametrize("text", ["1", "0,1", "-0.1"])
def test_tau_quantiles_out_of_range_exit_2(text, capsys):
    """_cli.main#1: a quantile of 1 (it zeroes every feature) is a usage error (exit 2)."""
    from sklearn_sparsecode._cli.main import build_parser

    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(["--tau-quantiles", text])
    assert exit_info.value.code == 2
    assert "in [0, 1)" in capsys.readouterr().err


def test_tau_quantiles_nan_exit_2(capsys):
    # Reported by the mutation audit (NaN passed the range check); fixed in _quantiles.
    from sklearn_sparsecode._cli.main import build_parser

    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(["--tau-quantiles", "0,nan"])
    assert exit_info.value.code == 2


def _spatial_gabor(M, N, sigma, theta, xi, slant):
    """A Gabor atom built in space (periodised Gaussian of unit integral times a wave)."""
    rows, cols = np.mgrid[0:M, 0:N].astype(float)
    total = np.zeros((M, N), complex)
    for a in range(-3, 4):
        for b in range(-3, 4):
            x, y = cols + b * N, -(rows + a * M)
            along = np.cos(theta) * x + np.sin(theta) * y
            across = -np.sin(theta) * x + np.cos(theta) * y
            envelope = np.exp(-(along**2 + (slant * across) ** 2) / (2 * sigma**2))
            total += envelope * np.exp(1j * xi * along) / (2 * np.pi * sigma**2 / slant)
    return total


def test_tight_scattering_uses_the_parseval_bank(rng):
    """scattering._plan#8: normalize='tight' divides every psi by sqrt(A(w)),
    A = phi^2 + 1/2 sum_k (psi_k(w)^2 + psi_k(-w)^2) (the Parseval bank of the Morlet
    transform); the averaging phi stays the unit-DC Gaussian. Order 0 and 1 against
    full-resolution plain convolutions with that bank, built in space here."""
    J, L, n = 2, 4, 16
    phi = np.fft.fft2(_spatial_gabor(n, n, 0.8 * 2 ** (J - 1), 0.0, 0.0, 1.0)).real
    psi = []
    for j in range(J):
        for k in range(L):
            theta, sigma = k * np.pi / L, 0.8 * 2**j
            wave = _spatial_gabor(n, n, sigma, theta, 0.75 * np.pi / 2**j, 4.0 / L)
            envelope = _spatial_gabor(n, n, sigma, theta, 0.0, 4.0 / L)
            psi.append(np.fft.fft2(wave - wave.sum() / envelope.sum() * envelope).real)
    phi, psi = phi / phi[0, 0], np.array(psi)
    energy = np.sum(psi**2, axis=0)
    mirrored = np.roll(energy[::-1, ::-1], 1, axis=(0, 1))
    norm = np.sqrt(phi**2 + 0.5 * (energy + mirrored))
    psi = psi / norm
    x = rng.standard_normal((n, n))

    def average(u):
        return np.fft.ifft2(np.fft.fft2(u) * phi).real[::2**J, ::2**J].ravel()

    ref = [average(x)] + [average(np.abs(np.fft.ifft2(np.fft.fft2(x) * p))) for p in psi]
    S = scattering_transform(x[None], n_scales=J, n_orientations=L, max_order=1,
                             padding="periodic", subsampling=-J, compression=None,
                             normalize="tight")
    np.testing.assert_allclose(S[0], np.concatenate(ref), rtol=1e-9, atol=1e-12)


def test_tau_grid_is_the_magnitude_quantiles(rng):
    """_cli.search#3: tau for quantile q is the q-quantile of |features| (0 for q = 0)."""
    from sklearn_sparsecode._cli.search import _tau_grid

    F = rng.standard_normal((50, 20))
    expected = [0.0] + [float(np.quantile(np.abs(F).ravel(), q)) for q in (0.5, 0.9)]
    assert _tau_grid(F, [0.0, 0.5, 0.9]) == pytest.approx(expected, rel=1e-12)


# ------------------------------------------------------------------ gradients


def test_vjp_keeps_float32_with_a_float64_cotangent(rng):
    """_core.gradients#3: float32 X gives a float32 gradient whatever the cotangent's dtype."""
    X = rng.standard_normal((2, 8, 8)).astype(np.float32)
    est = WaveletTransformer(wavelet="haar", n_scales=1).fit(X)
    grad = est.transform_vjp(X, rng.standard_normal((2, 64)))
    assert grad.dtype == np.float32


@pytest.mark.parametrize("length, mode", [(37, "symmetric"), (40, "zero")])
def test_signal_wavelet_adjoint_dot_test(rng, length, mode):
    """wavelets._adjoint#3: <W x, g> = <x, W^T g> for 1-D signals over several levels
    of a non-periodic mode (the adjoint exactly, not the inverse)."""
    est = WaveletTransformer(wavelet="db2", n_scales=3, mode=mode).fit(np.zeros((1, length)))
    x = rng.standard_normal((1, length))
    g = rng.standard_normal((1, est.bands_[-1].stop))
    lhs = float(np.sum(est.transform(x) * g))
    rhs = float(np.sum(x * est.transform_vjp(x, g)))
    assert lhs == pytest.approx(rhs, rel=1e-10)


def test_max_pool_ties_send_the_gradient_to_the_first_maximum():
    """cnn._backward#4: like PyTorch, a tie in a max-pool window gives the whole gradient
    to the first maximum in row-major order."""
    torch = pytest.importorskip("torch")
    from sklearn_sparsecode.cnn import CNNFeatureExtractor

    X = np.array([[[1.0, 1.0, 0.0, 2.0], [1.0, 0.0, 2.0, 2.0],
                   [3.0, 3.0, 5.0, 0.0], [3.0, 3.0, 0.0, 5.0]]])
    est = CNNFeatureExtractor(architecture=[{"type": "pool", "kind": "max", "size": 2}])
    est.fit(X)
    cot = np.array([[1.0, 2.0, 3.0, 4.0]])
    t = torch.tensor(X[:, None], requires_grad=True)
    torch.nn.functional.max_pool2d(t, 2).backward(torch.tensor(cot.reshape(1, 1, 2, 2)))
    np.testing.assert_array_equal(est.transform_vjp(X, cot), t.grad.numpy()[:, 0])


def test_classifier_counts_partial_batches_as_steps(rng):
    """cnn._classifier#2: t_ counts ceil(n_samples / batch_size) steps per epoch."""
    from sklearn_sparsecode import CNNClassifier

    X = rng.standard_normal((10, 4, 4))
    y = np.arange(10) % 2
    clf = CNNClassifier(architecture=[{"type": "flatten"}], max_iter=2, batch_size=4,
                        random_state=0).fit(X, y)
    assert clf.t_ == 2 * 3


def test_total_variation_gradient_matches_finite_differences(rng):
    """inspection._synthesis#1: the TV gradient is the derivative of
    sum sqrt(dx^2 + dy^2 + eps^2) (forward differences, replicated border)."""
    from sklearn_sparsecode.inspection._synthesis import _total_variation_gradient

    eps = 0.1
    x = rng.standard_normal((5, 6))

    def tv(u):
        dy = np.zeros_like(u)
        dx = np.zeros_like(u)
        dy[:-1] = u[1:] - u[:-1]
        dx[:, :-1] = u[:, 1:] - u[:, :-1]
        return np.sum(np.sqrt(dx * dx + dy * dy + eps * eps))

    h = 1e-6
    numeric = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[index] = h
        numeric[index] = (tv(x + step) - tv(x - step)) / (2 * h)
    np.testing.assert_allclose(_total_variation_gradient(x, eps), numeric, atol=1e-6)


def _tight_morlet_bank(n, J, L):
    """The Parseval Morlet bank (J scales, L orientations) on an n x n grid, built in space:
    psi / sqrt(phi^2 + 1/2 sum_k (psi_k(w)^2 + psi_k(-w)^2)), phi the unit-DC Gaussian."""
    phi = np.fft.fft2(_spatial_gabor(n, n, 0.8 * 2 ** (J - 1), 0.0, 0.0, 1.0)).real
    phi = phi / phi[0, 0]
    psi = []
    for j in range(J):
        for k in range(L):
            theta, sigma = k * np.pi / L, 0.8 * 2**j
            wave = _spatial_gabor(n, n, sigma, theta, 0.75 * np.pi / 2**j, 4.0 / L)
            envelope = _spatial_gabor(n, n, sigma, theta, 0.0, 4.0 / L)
            psi.append(np.fft.fft2(wave - wave.sum() / envelope.sum() * envelope).real)
    psi = np.array(psi).reshape(J, L, n, n)
    energy = np.sum(psi**2, axis=(0, 1))
    mirrored = np.roll(energy[::-1, ::-1], 1, axis=(0, 1))
    return psi / np.sqrt(phi**2 + 0.5 * (energy + mirrored))


def test_tight_scattering_second_layer_on_a_subsampled_grid(rng):
    """scattering._plan#8 (survived the second audit: the first test runs at full
    resolution, where no subsampled bank is built): with subsampling=0, the order-2 paths
    (j1=1, j2=2) filter |x*psi_1| sampled every 2 pixels with the Parseval bank of the
    half-size grid (2 scales there). Plain FFT convolutions, sampled by slicing."""
    J, L, n = 3, 4, 32
    x = rng.standard_normal((n, n))
    fine = _tight_morlet_bank(n, J, L)             # first layer, 32 x 32
    coarse = _tight_morlet_bank(n // 2, J - 1, L)  # second layer on the grid of j1 = 1
    m = n // 4                                     # grid of j2 = 2, then phi every 2 pixels
    phi = np.fft.fft2(_spatial_gabor(m, m, 0.8, 0.0, 0.0, 1.0)).real

    def conv(u, f):
        return np.fft.ifft2(np.fft.fft2(u) * f)

    ref = []
    for t1 in range(L):
        U1 = np.abs(conv(x, fine[1, t1]))[::2, ::2]
        for t2 in range(L):
            U2 = np.abs(conv(U1, coarse[1, t2]))[::2, ::2]
            ref.append(conv(U2, phi / phi[0, 0]).real[::2, ::2])
    S = scattering_transform(x[None], n_scales=J, n_orientations=L, max_order=2,
                             padding="periodic", subsampling=0, compression=None,
                             normalize="tight")
    paths = S[0].reshape(-1, n // 2**J, n // 2**J)
    np.testing.assert_allclose(paths[-L * L:], np.array(ref), rtol=1e-9, atol=1e-12)


# ------------------------------------------------------------------ second audit: inspection


def test_class_score_with_versus_is_scikit_learns_pairwise_value():
    """inspection._gradient#2: class_score(..., versus=j) is the one ovo decision value
    d_kj (scikit-learn's, sign positive for target), not the sum over every pair."""
    from sklearn.datasets import load_digits
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import SVC

    from sklearn_sparsecode.inspection import class_score

    digits = load_digits()
    X, y = digits.images / 16, digits.target
    model = make_pipeline(WaveletTransformer(wavelet="haar", n_scales=1),
                          SVC(decision_function_shape="ovo")).fit(X[:400], y[:400])
    pairs = [(i, j) for i in range(10) for j in range(i + 1, 10)]
    dec = model.decision_function(X[400:405])
    np.testing.assert_allclose(class_score(model, X[400:405], target=5, versus=2),
                               -dec[:, pairs.index((2, 5))], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(class_score(model, X[400:405], target=2, versus=5),
                               dec[:, pairs.index((2, 5))], rtol=1e-10, atol=1e-12)


def test_band_importance_orientation_of_a_group_is_nan_unless_shared():
    """inspection._bands#7: a scale group of curvelet bands (several orientations) has no
    orientation (NaN); a single band keeps its own. Expected values read off bands_."""
    from sklearn.datasets import load_digits
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from sklearn_sparsecode.inspection import band_importance

    digits = load_digits()
    X, y = digits.images / 16, digits.target
    model = make_pipeline(CurveletTransformer(n_scales=2, n_orientations=4),
                          LogisticRegression(max_iter=500)).fit(X[:200], y[:200])
    bands = model[0].bands_
    by_scale = band_importance(model, by="scale")
    for scale, orientation in zip(by_scale.scale, by_scale.orientation):
        angles = {b.orientation for b in bands if b.scale == scale}
        if len(angles) == 1 and None not in angles:
            assert orientation == angles.pop()
        else:
            assert np.isnan(orientation), (scale, angles, orientation)
    assert np.isnan(by_scale.orientation).any()


# ------------------------------------------------------------------ second audit: plotting


def test_plot_band_importance_keeps_the_largest_in_band_order_top_down():
    """plotting._bands#1, #2: max_groups keeps the largest means, drawn in the layer's order
    from the top."""
    pytest.importorskip("matplotlib")
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sklearn_sparsecode.plotting import plot_band_importance

    result = {"names": np.array(["a", "b", "c", "d", "e"], dtype=object),
              "importances_mean": np.array([0.1, 0.5, 0.2, 0.9, 0.05]),
              "importances_std": np.zeros(5)}
    ax = plot_band_importance(result, max_groups=2)
    ticks = {label.get_text(): y for label, y in zip(ax.get_yticklabels(), ax.get_yticks())}
    assert set(ticks) == {"b", "d"}
    assert ticks["b"] > ticks["d"]  # "b" comes first in the layer: drawn above "d"
    widths = {round(p.get_y() + p.get_height() / 2): p.get_width() for p in ax.patches}
    assert widths == {round(ticks["b"]): 0.5, round(ticks["d"]): 0.9}
    plt.close("all")


def test_coefficient_maps_colour_scale_follows_the_sign_of_the_weights(rng):
    """plotting._bands#3: weights with negative values get the diverging map on
    [-max|w|, max|w|]; non-negative weights get viridis on [0, max w]."""
    pytest.importorskip("matplotlib")
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sklearn_sparsecode.plotting import plot_coefficient_maps

    layer = WaveletTransformer(wavelet="haar", n_scales=1).fit(np.zeros((1, 8, 8)))
    n = layer.bands_[-1].stop
    for weights, cmap, clim in ((np.linspace(-1.0, 2.0, n), "RdBu_r", (-2.0, 2.0)),
                                (np.linspace(0.5, 3.0, n), "viridis", (0.0, 3.0)),
                                (-np.linspace(0.5, 3.0, n), "RdBu_r", (-3.0, 3.0))):
        fig = plot_coefficient_maps(layer, weights)
        images = [im for ax in fig.axes for im in ax.get_images()]
        assert images and all(im.get_cmap().name == cmap for im in images)
        assert all(np.allclose(im.get_clim(), clim) for im in images)
        plt.close(fig)


def test_plot_atoms_zoom_keeps_every_lobe_of_an_orthonormal_atom():
    """plotting._bands#4: the zoom crops to where |atom| exceeds 3% of its maximum, both
    signs. Haar atoms are orthonormal and piecewise constant (+c / -c): every panel keeps
    the whole atom, so each drawn image has unit energy and the detail atoms both signs."""
    pytest.importorskip("matplotlib")
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sklearn_sparsecode.plotting import plot_atoms

    # level-3 atoms are 8 x 8: half of one is wider than the zoom's 2-pixel margin
    layer = WaveletTransformer(wavelet="haar", n_scales=3).fit(np.zeros((1, 32, 32)))
    fig = plot_atoms(layer, zoom=True)
    images = [np.asarray(im.get_array()) for ax in fig.axes for im in ax.get_images()]
    assert len(images) == 10  # 1 low-pass + 3 levels x 3 details
    for image in images:
        np.testing.assert_allclose(np.sum(image**2), 1.0, rtol=1e-10)
    assert sum(image.min() < 0 < image.max() for image in images) == 9
    plt.close(fig)


# ------------------------------------------------------------------ second audit: the rest


def test_float32_inverse_refused_where_float64_is_accepted():
    """morlet._transform#6: the invertibility check uses the coefficients' own dtype. A bank
    with A_max / A_min ~ 2e10 amplifies float32 rounding (eps 1.2e-7) past 1e-3, float64
    rounding (eps 2.2e-16) not."""
    X = np.random.default_rng(6).normal(size=(2, 32, 32))
    est = MorletTransformer(n_scales=2, n_orientations=1, slant=1.0, normalize="peak").fit(X)
    low, high = est.plan_.frame_bounds
    assert high / low * np.finfo(np.float32).eps > 1e-3 > high / low * np.finfo(np.float64).eps
    back = est.inverse_transform(est.transform(X))
    assert np.abs(back - X).max() <= 1e-3 * np.abs(X).max()
    with pytest.raises(ValueError, match="frame bounds"):
        est.inverse_transform(est.transform(X.astype(np.float32)))


def test_demo_scattering_front_end_is_one_octave_on_digits():
    """_cli.catalogue#5: the demo's scattering front end uses n_scales=1 on 8 x 8 digits (the
    setting of benchmarks/results/accuracy_scattering_digits.json) and 2 on 28 x 28."""
    from sklearn_sparsecode._cli.catalogue import front_ends

    small, = front_ends((8, 8), include=["scattering"])
    large, = front_ends((28, 28), include=["scattering"])
    assert small.transformer.n_scales == 1 and large.transformer.n_scales == 2
