"""transform_vjp of every transformer against central finite differences, and its contract.

The reference is the transform itself: for random directions D and cotangents G,
⟨G, f(X + εD) − f(X − εD)⟩ / 2ε must agree with ⟨transform_vjp(X, G), D⟩ to a
relative 1e-6 in float64. Linear transforms are also checked for adjointness,
⟨C x, y⟩ = ⟨x, Cᵀ y⟩, with C computed by ``transform`` (PyWavelets for the
wavelets), which is independent of how the adjoint is written.
"""

import inspect

import numpy as np
import pytest
import pywt
import sklearn
from sklearn.exceptions import NotFittedError

import sklearn_sparsecode as ss
from sklearn_sparsecode import (
    Band,
    ContourletTransformer,
    CurveletTransformer,
    LocalPooling,
    MorletTransformer,
    ScatteringTransformer,
    ThresholdTransformer,
    WaveletTransformer,
)
from sklearn_sparsecode.layers._gradient import band_modulus_vjp
from sklearn_sparsecode.layers._modulus import band_modulus



def rng(seed=22):
    """A fresh generator per test: the data do not depend on which tests ran before."""
    return np.random.default_rng(seed)


def finite_difference_errors(est, X, *, steps=(1e-6, 1e-7), n_directions=3, seed=0):
    """Relative errors of ⟨vjp, D⟩ against central differences, float64.

    Relative to max(|⟨vjp, D⟩|, ‖vjp‖): ⟨vjp, D⟩ is N(0, ‖vjp‖²) for a random
    Gaussian D, so ‖vjp‖ is its typical size; a direction where it cancels by
    chance (0.002 against 88 for one LeNet-5 layer) does not inflate the error.
    Central differences at each step of ``steps``, the better of them per
    direction: where a complex response passes near 0, its modulus has a large
    third derivative and the truncation error of ε = 1e-6 alone can exceed 1e-6
    (it falls as ε²; round-off takes over below 1e-7).
    """
    generator = np.random.default_rng(seed)
    Y = est.transform(X)
    G = generator.normal(size=Y.shape)
    gradient = est.transform_vjp(X, G)
    assert gradient.shape == np.shape(X)
    errors = []
    for _ in range(n_directions):
        D = generator.normal(size=np.shape(X))
        analytic = np.sum(gradient * D)
        scale = max(abs(analytic), np.linalg.norm(gradient))
        best = np.inf
        for eps in steps:
            fd = (np.sum(G * est.transform(X + eps * D))
                  - np.sum(G * est.transform(X - eps * D))) / (2 * eps)
            best = min(best, abs(fd - analytic) / scale)
        errors.append(best)
    return errors


WAVELET_CASES = [(mode, wavelet) for mode in pywt.Modes.modes
                 for wavelet in ("db2", "bior2.2", "sym3")]


@pytest.mark.parametrize("mode, wavelet", WAVELET_CASES)
def test_wavelet_vjp_matches_finite_differences_in_every_mode(mode, wavelet):
    r = rng()
    X = r.normal(size=(2, 29, 35))  # odd sides: the modes pad differently
    est = WaveletTransformer(wavelet=wavelet, n_scales=2, mode=mode).fit(X)
    assert max(finite_difference_errors(est, X)) < 1e-6
    signals = r.normal(size=(2, 37))
    est = WaveletTransformer(wavelet=wavelet, n_scales=2, mode=mode).fit(signals)
    assert max(finite_difference_errors(est, signals)) < 1e-6


LINEAR = {
    "wavelets-periodization-db2": lambda: WaveletTransformer(wavelet="db2", n_scales=2),
    "wavelets-symmetric-db4": lambda: WaveletTransformer(wavelet="db4", n_scales=2,
                                                         mode="symmetric"),
    "wavelets-smooth-bior4.4": lambda: WaveletTransformer(wavelet="bior4.4", n_scales=1,
                                                          mode="smooth"),
    "wavelets-periodization-bior2.2": lambda: WaveletTransformer(wavelet="bior2.2", n_scales=2),
    "curvelets": lambda: CurveletTransformer(n_scales=3, n_orientations=4),
    "curvelets-finest-wavelets": lambda: CurveletTransformer(n_scales=3, n_orientations=8,
                                                             finest="wavelets"),
    "curvelets-undecimated": lambda: CurveletTransformer(n_scales=3, decimated=False),
    "contourlets-9-7": lambda: ContourletTransformer(n_orientations=(4, 8)),
    "contourlets-5-3-quincunx": lambda: ContourletTransformer(n_orientations=(1, 2),
                                                              lp_filters="5-3"),
    "contourlets-three-levels": lambda: ContourletTransformer(n_orientations=(2, 4, 8)),
    "contourlets-undecimated": lambda: ContourletTransformer(n_orientations=(4, 8),
                                                             decimated=False),
    "morlet-tight": lambda: MorletTransformer(n_scales=2, n_orientations=4),
    "morlet-peak": lambda: MorletTransformer(n_scales=2, n_orientations=6, normalize="peak"),
}

# Where the adjoint is the inverse: orthonormal bases and Parseval frames.
TIGHT = {"wavelets-periodization-db2", "curvelets", "curvelets-finest-wavelets",
         "curvelets-undecimated", "morlet-tight"}


@pytest.mark.parametrize("name", LINEAR)
def test_linear_vjp_is_the_adjoint(name):
    r = rng()
    X = r.normal(size=(3, 32, 32))
    est = LINEAR[name]().fit(X)
    assert max(finite_difference_errors(est, X)) < 1e-6
    # <C x, y> = <x, Cᵀ y> with C from transform (independent of the adjoint code).
    Y = r.normal(size=est.transform(X).shape)
    lhs = np.sum(est.transform(X) * Y)
    rhs = np.sum(X * est.transform_vjp(X, Y))
    assert abs(lhs - rhs) <= 1e-12 * np.linalg.norm(X) * np.linalg.norm(Y)
    # The VJP of a linear map does not depend on the point.
    np.testing.assert_allclose(est.transform_vjp(2 * X + 1, Y), est.transform_vjp(X, Y),
                               rtol=0, atol=1e-12 * np.abs(est.transform_vjp(X, Y)).max())
    inverse = est.inverse_transform(Y)
    gap = np.linalg.norm(inverse - est.transform_vjp(X, Y)) / np.linalg.norm(inverse)
    if name in TIGHT:
        assert gap < 1e-12
    else:  # not a tight frame: the adjoint is not the inverse
        assert gap > 1e-2


SCATTERING = {
    "default": dict(),
    "no-compression-periodic": dict(padding="periodic", compression=None),
    "zero-padding": dict(padding="zero"),
    "symmetric-padding": dict(padding="symmetric"),
    "order-1": dict(max_order=1),
    "subsampling+1": dict(subsampling=1),
    "subsampling-1": dict(subsampling=-1),
    "oversampling": dict(oversampling=1),
    "rotation-average": dict(rotation="average"),
    "rotation-fourier": dict(rotation="fourier"),
    "scale-average-log": dict(scale="average", rotation="fourier", compression="log"),
    "curvelet-frame": dict(frame="curvelet", n_orientations=4),
    "tight": dict(normalize="tight"),
    "three-scales": dict(n_scales=3, n_orientations=4),
}


@pytest.mark.parametrize("name", SCATTERING)
def test_scattering_vjp_matches_finite_differences(name):
    r = rng()
    X = r.random((2, 28, 28))
    est = ScatteringTransformer(**SCATTERING[name]).fit(X)
    assert max(finite_difference_errors(est, X)) < 1e-6


POOLED = {
    "curvelets-sqrt": lambda: LocalPooling(
        transformer=CurveletTransformer(n_scales=2, n_orientations=4, decimated=False), grid=3,
        power=0.5),
    "curvelets": lambda: LocalPooling(
        transformer=CurveletTransformer(n_scales=3, n_orientations=4), grid=4),
    "wavelets-symmetric": lambda: LocalPooling(
        transformer=WaveletTransformer(wavelet="db2", n_scales=2, mode="symmetric"), grid=3),
    "contourlets": lambda: LocalPooling(
        transformer=ContourletTransformer(n_orientations=(4,)), grid=2),
    "morlet-sqrt": lambda: LocalPooling(
        transformer=MorletTransformer(n_scales=2, n_orientations=4), grid=4, power=0.5),
    "scattering-averaged": lambda: LocalPooling(transformer=ScatteringTransformer(), grid=1),
}


@pytest.mark.parametrize("name", POOLED)
def test_pooling_vjp_matches_finite_differences(name):
    r = rng()
    X = r.random((2, 16, 16))
    est = POOLED[name]().fit(X)
    assert max(finite_difference_errors(est, X)) < 1e-6


@pytest.mark.parametrize("output_layer", ["act1", "pool2", "act4"])
def test_cnn_vjp_matches_finite_differences(output_layer):
    # The CNN's VJP is the cnn branch's; checked here as every other transformer is.
    from sklearn_sparsecode import CNNFeatureExtractor

    if not hasattr(CNNFeatureExtractor, "transform_vjp"):
        pytest.skip("the CNN's input VJP comes with the cnn branch")
    X = rng().random((2, 28, 28))
    est = CNNFeatureExtractor(weights="lenet5-fashion-mnist", output_layer=output_layer).fit(X)
    assert max(finite_difference_errors(est, X)) < 1e-6


@pytest.mark.parametrize("shrinkage", ["hard", "soft", "garrote"])
@pytest.mark.parametrize("sign", ["keep", "magnitude", "split"])
@pytest.mark.parametrize("top_k", [None, 12, 0.5])
def test_threshold_vjp_matches_finite_differences(shrinkage, sign, top_k):
    r = rng()
    X = r.normal(size=(4, 40))
    est = ThresholdTransformer(tau=0.5, shrinkage=shrinkage, sign=sign, top_k=top_k).fit(X)
    assert max(finite_difference_errors(est, X)) < 1e-6


def test_threshold_derivatives_in_closed_form():
    x = np.array([[-2.0, -0.5, 0.3, 1.0, 4.0]])
    ones = np.ones((1, 5))
    tau = 0.8
    soft = ThresholdTransformer(tau=tau, shrinkage="soft").fit(x).transform_vjp(x, ones)
    hard = ThresholdTransformer(tau=tau, shrinkage="hard").fit(x).transform_vjp(x, ones)
    garrote = ThresholdTransformer(tau=tau, shrinkage="garrote").fit(x).transform_vjp(x, ones)
    outside = np.abs(x) > tau
    np.testing.assert_array_equal(soft, outside * 1.0)
    np.testing.assert_array_equal(hard, outside * 1.0)  # the jump at τ is not seen
    np.testing.assert_allclose(garrote, np.where(outside, 1 + tau**2 / x**2, 0))
    magnitude = ThresholdTransformer(tau=tau, shrinkage="soft", sign="magnitude").fit(x)
    np.testing.assert_array_equal(magnitude.transform_vjp(x, ones), np.sign(x) * outside)


def test_band_modulus_vjp_matches_finite_differences():
    r = rng()
    bands = [Band(1, "low", (3,), 0, 3, lowpass=True),
             Band(2, "a_re", (3,), 3, 6, part="re"), Band(2, "b", (3,), 6, 9),
             Band(2, "a_im", (3,), 9, 12, part="im")]
    coefs = r.normal(size=(2, 12))
    coefs[:, 3:] += np.sign(coefs[:, 3:])  # away from 0, where r^p has no derivative
    for power in (1.0, 0.5, 2.0):
        values, _ = band_modulus(coefs, bands, power=power)
        G = r.normal(size=values.shape)
        grad = band_modulus_vjp(coefs, bands, G, power=power)
        D = r.normal(size=coefs.shape)
        eps = 1e-6
        fd = (np.sum(G * band_modulus(coefs + eps * D, bands, power=power)[0])
              - np.sum(G * band_modulus(coefs - eps * D, bands, power=power)[0])) / (2 * eps)
        assert abs(fd - np.sum(grad * D)) < 1e-7 * abs(fd)
    # The gradient of r = |z| is (Re z, Im z)/r, and 0 at z = 0.
    zero = np.zeros((1, 12))
    assert not band_modulus_vjp(zero, bands, np.ones((1, 9)))[:, 3:].any()
    with pytest.raises(ValueError, match="cotangent"):
        band_modulus_vjp(coefs, bands, np.ones((2, 8)))


ALL = {**LINEAR, **{f"pool-{k}": v for k, v in POOLED.items()},
       "scattering": lambda: ScatteringTransformer(),
       "threshold": lambda: ThresholdTransformer(tau=0.3, shrinkage="soft", sign="split")}


# Maps computed with BLAS matrix products, like their forwards: bit-identical for
# every n_jobs at a given batch_size, equal to rounding across batch sizes (BLAS
# picks its kernels by matrix size).
BLAS = {"pool-scattering-averaged"}  # the pooling's own chunks are not index-aligned


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_vjp_does_not_depend_on_n_jobs_or_batch_size(name, dtype):
    r = rng()
    X = r.random((7, 32, 32)).astype(dtype)
    est = ALL[name]().fit(X)
    G = r.normal(size=est.transform(X).shape)
    reference = est.transform_vjp(X, G)
    assert reference.dtype == dtype
    if "batch_size" not in est.get_params():  # ThresholdTransformer: elementwise
        return
    for batch_size in (1, 3):
        est.set_params(batch_size=batch_size, n_jobs=None)
        one_thread = est.transform_vjp(X, G)
        for n_jobs in (2, -1):
            est.set_params(n_jobs=n_jobs)
            np.testing.assert_array_equal(est.transform_vjp(X, G), one_thread)
        if name in BLAS:
            tol = 1e-12 if dtype == np.float64 else 1e-5
            np.testing.assert_allclose(one_thread, reference, rtol=0,
                                       atol=tol * np.abs(reference).max())
        else:
            np.testing.assert_array_equal(one_thread, reference)


@pytest.mark.parametrize("name", ALL)
def test_float32_vjp_agrees_with_float64(name):
    r = rng()
    X = r.random((2, 32, 32))
    est = ALL[name]().fit(X)
    G = r.normal(size=est.transform(X).shape)
    full = est.transform_vjp(X, G)
    single = est.transform_vjp(X.astype(np.float32), G.astype(np.float32))
    assert single.dtype == np.float32
    np.testing.assert_allclose(single, full, rtol=0, atol=2e-4 * np.abs(full).max())


def test_vjp_keeps_the_input_form():
    r = rng()
    images = r.random((3, 16, 16))
    flat = images.reshape(3, -1)
    est = WaveletTransformer(wavelet="db2", n_scales=1, image_shape=(16, 16)).fit(flat)
    G = r.normal(size=est.transform(flat).shape)
    from_flat = est.transform_vjp(flat, G)
    assert from_flat.shape == (3, 256)
    cube = WaveletTransformer(wavelet="db2", n_scales=1).fit(images).transform_vjp(images, G)
    assert cube.shape == (3, 16, 16)
    np.testing.assert_allclose(cube.reshape(3, -1), from_flat)
    threshold = ThresholdTransformer(tau=0.1, shrinkage="soft").fit(images)
    assert threshold.transform_vjp(images, np.ones((3, 256))).shape == (3, 16, 16)


def test_vjp_rejects_bad_cotangents_with_clear_errors():
    r = rng()
    X = r.random((3, 16, 16))
    est = CurveletTransformer(n_scales=2).fit(X)
    n_out = est.transform(X).shape[1]
    with pytest.raises(ValueError, match=r"cotangent must have shape .*\(3, %d\)" % n_out):
        est.transform_vjp(X, np.ones((3, n_out + 1)))
    with pytest.raises(ValueError, match="cotangent must have shape"):
        est.transform_vjp(X, np.ones(n_out))
    bad = np.ones((3, n_out))
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        est.transform_vjp(X, bad)
    with pytest.raises(ValueError, match="[Cc]omplex"):
        est.transform_vjp(X, np.ones((3, n_out)) * 1j)
    with pytest.raises(ValueError, match="features"):  # X is checked as by transform
        est.transform_vjp(r.random((3, 16, 17)), np.ones((3, n_out)))
    pooled = LocalPooling(transformer=CurveletTransformer(n_scales=2), grid=2).fit(X)
    with pytest.raises(ValueError, match="cotangent must have shape"):
        pooled.transform_vjp(X, np.ones((2, pooled.bands_[-1].stop)))
    threshold = ThresholdTransformer(sign="split").fit(X)
    with pytest.raises(ValueError, match=r"\(3, 512\)"):
        threshold.transform_vjp(X, np.ones((3, 256)))


@pytest.mark.parametrize("Estimator", [WaveletTransformer, CurveletTransformer,
                                       ThresholdTransformer, LocalPooling,
                                       ScatteringTransformer])
def test_vjp_of_an_unfitted_transformer_raises(Estimator):
    with pytest.raises(NotFittedError):
        Estimator().transform_vjp(np.ones((1, 16, 16)), np.ones((1, 4)))


ESTIMATORS = [getattr(ss, name) for name in ss.__all__
              if inspect.isclass(getattr(ss, name))
              and issubclass(getattr(ss, name), sklearn.base.TransformerMixin)]


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
def test_every_transformer_has_a_vjp(cls):
    if cls.__name__ == "CNNFeatureExtractor" and not hasattr(cls, "transform_vjp"):
        pytest.skip("the CNN's input VJP comes with the cnn branch")
    if cls.__name__ == "Denoiser":
        pytest.skip("a denoiser is not a feature map")
    assert callable(getattr(cls, "transform_vjp", None))


@pytest.mark.parametrize("make", [
    lambda: MorletTransformer(n_scales=2, n_orientations=4, batch_size=8),
    lambda: ScatteringTransformer(batch_size=8),
    lambda: LocalPooling(transformer=CurveletTransformer(n_scales=2, decimated=False), grid=4,
                         batch_size=8)])
def test_vjp_memory_is_bounded_by_its_chunks(make):
    import tracemalloc

    r = rng()
    X = r.random((256, 32, 32))
    est = make().fit(X)
    G = r.normal(size=est.transform(X[:1]).shape[1:])
    G = np.ascontiguousarray(np.broadcast_to(G, (len(X), G.size)))
    est.transform_vjp(X[:16], G[:16])  # plans and caches outside the measurement
    peaks = {}
    for n in (64, 256):
        tracemalloc.start()
        est.transform_vjp(X[:n], G[:n])
        peaks[n] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    # Four times the images: the peak grows by the larger result only (8 bytes a pixel),
    # the working set is one chunk's whatever the batch.
    grown = X[:256].nbytes - X[:64].nbytes
    assert peaks[256] - peaks[64] < 1.5 * grown


@pytest.mark.parametrize("make", [
    lambda: WaveletTransformer(wavelet="db2", n_scales=1, channel_axis=-1),
    lambda: LocalPooling(transformer=CurveletTransformer(n_scales=2, decimated=False,
                                                         channel_axis=1), grid=2),
], ids=["wavelets-channels-last", "pooling-channels-first"])
def test_vjp_of_channel_images_is_the_grey_vjp_per_channel(make):
    # Every channel is one grey image: the gradient of channel c is the grey
    # transformer's VJP of that channel with the cotangent of its block of columns.
    X = rng().normal(size=(3, 16, 16, 2)) if make().__class__ is WaveletTransformer else \
        rng().normal(size=(3, 2, 16, 16))
    est = make().fit(X)
    axis = est.channel_axis if hasattr(est, "channel_axis") else est.transformer.channel_axis
    G = rng(5).normal(size=est.transform(X).shape)
    grad = est.transform_vjp(X, G)
    assert grad.shape == X.shape
    grey = make().set_params(**({"channel_axis": None} if hasattr(est, "channel_axis")
                                else {"transformer__channel_axis": None}))
    channels = np.moveaxis(X, axis, 1)
    grey.fit(channels[:, 0])
    width = grey.bands_[-1].stop
    for c in range(2):
        expected = grey.transform_vjp(channels[:, c], G[:, c * width:(c + 1) * width])
        np.testing.assert_allclose(np.take(grad, c, axis=axis), expected, rtol=1e-10,
                                   atol=1e-12)
