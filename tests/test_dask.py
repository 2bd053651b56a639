"""dask_transform: every transformer on a dask array, on a small cluster, equals the in-memory result."""

import numpy as np
import pytest

from sklearn_sparsecode import (
    CNNFeatureExtractor,
    CurveletTransformer,
    LocalPooling,
    ThresholdTransformer,
    WaveletTransformer,
    make_two_layer_model,
)
from sklearn_sparsecode.dask import dask_transform

da = pytest.importorskip("dask.array")

RNG = np.random.default_rng(0)
IMAGES = RNG.random((90, 28, 28)).astype(np.float32)

TRANSFORMERS = [
    WaveletTransformer(wavelet="db2", n_scales=2),
    CurveletTransformer(n_scales=3, n_orientations=4),
    LocalPooling(transformer=CurveletTransformer(n_scales=3, n_orientations=4, decimated=False),
                 grid=7, power=0.5),
    ThresholdTransformer(tau=0.3, shrinkage="soft", sign="split"),
    CNNFeatureExtractor(output_layer="pool2", random_state=0),
    make_two_layer_model(WaveletTransformer(wavelet="haar", n_scales=1))[:1],  # a Pipeline
]


@pytest.mark.parametrize("estimator", TRANSFORMERS, ids=lambda e: type(e).__name__)
def test_dask_transform_equals_the_in_memory_transform(estimator):
    fitted = estimator.fit(IMAGES[:2])
    X = da.from_array(IMAGES, chunks=(32, 28, 28))  # uneven last block
    out = dask_transform(fitted, X)
    assert out.chunks[0] == X.chunks[0]
    expected = fitted.transform(IMAGES)
    result = out.compute(scheduler="sync")
    assert result.dtype == expected.dtype
    np.testing.assert_array_equal(result, expected)


def test_flat_input_and_chunked_feature_axis():
    wavelet = WaveletTransformer(wavelet="haar", n_scales=2, image_shape=(28, 28)).fit(
        IMAGES[:1].reshape(1, -1))
    X = da.from_array(IMAGES.reshape(90, -1), chunks=(45, 392))  # feature axis split too
    np.testing.assert_array_equal(dask_transform(wavelet, X).compute(scheduler="sync"),
                                  wavelet.transform(IMAGES.reshape(90, -1)))


def test_errors_are_clear():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        dask_transform(WaveletTransformer(), da.zeros((4, 8, 8)))
    with pytest.raises(TypeError, match="dask.array"):
        dask_transform(WaveletTransformer().fit(IMAGES[:1]), IMAGES)


def test_on_a_local_cluster_with_bounded_memory():
    pytest.importorskip("distributed")
    from distributed import Client, LocalCluster

    pooled = LocalPooling(transformer=CurveletTransformer(n_scales=3, n_orientations=4,
                                                          decimated=False), grid=7, power=0.5)
    pooled.fit(IMAGES[:1])

    def images(block_id=None):  # generated lazily, per block, on the workers
        rng = np.random.default_rng(block_id[0])
        return rng.random((250, 28, 28)).astype(np.float32)

    n_blocks = 8
    X = da.map_blocks(images, dtype=np.float32, chunks=((250,) * n_blocks, (28,), (28,)))
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      memory_limit="512MiB", dashboard_address=None) as cluster, \
            Client(cluster) as client:
        client.wait_for_workers(2)
        workers = set(client.scheduler_info()["workers"])
        features = dask_transform(pooled, X)
        total = features.sum(axis=0).compute()
        first = features[:250].compute()
        # The same two workers: none was killed (and restarted) for exceeding its memory.
        assert set(client.scheduler_info()["workers"]) == workers and len(workers) == 2
    local = np.concatenate([pooled.transform(images((b,))) for b in range(n_blocks)])
    np.testing.assert_array_equal(first, local[:250])
    np.testing.assert_allclose(total, local.sum(axis=0), rtol=1e-5)


# ------------------------------------------------------------------ dask_predict

def _digits_model():
    from sklearn.datasets import load_digits
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from sklearn_sparsecode import ThresholdTransformer, WaveletTransformer

    digits = load_digits()
    X, y = digits.images / 16, digits.target
    model = make_pipeline(WaveletTransformer(wavelet="haar"), ThresholdTransformer(tau=0.05),
                          LogisticRegression(max_iter=2000)).fit(X[:600], y[:600])
    return model, X[600:900]


@pytest.mark.parametrize("method", ["predict", "predict_proba", "predict_log_proba",
                                    "decision_function"])
def test_dask_predict_equals_in_memory(method):
    from sklearn_sparsecode.dask import dask_predict

    model, X = _digits_model()
    lazy = dask_predict(model, da.from_array(X, chunks=(70, 4, 8)), method=method)
    expected = getattr(model, method)(X)
    assert lazy.shape == expected.shape and lazy.chunks[0] == (70, 70, 70, 70, 20)
    if method == "predict":
        np.testing.assert_array_equal(lazy.compute(), expected)
    else:  # the head's BLAS products may sum a block in another order than the whole
        np.testing.assert_allclose(lazy.compute(), expected, rtol=1e-12, atol=1e-12)


def test_dask_predict_errors():
    from sklearn.utils._param_validation import InvalidParameterError

    from sklearn_sparsecode.dask import dask_predict

    model, X = _digits_model()
    with pytest.raises(TypeError, match="dask.array.Array.*model.predict|in-memory"):
        dask_predict(model, X)
    with pytest.raises(InvalidParameterError, match="method"):
        dask_predict(model, da.from_array(X), method="score")
    with pytest.raises(TypeError, match="has no method 'predict'"):
        dask_predict(model[0], da.from_array(X))


def test_dask_transform_with_denoiser_keeps_image_blocks():
    # The Denoiser returns images, not feature rows: blocks keep their image axes.
    from sklearn_sparsecode import Denoiser

    X = RNG.normal(size=(12, 32, 32)).astype(np.float32)
    denoiser = Denoiser(sigma=0.5).fit(X[:1])
    lazy = dask_transform(denoiser, da.from_array(X, chunks=(5, 32, 32)))
    assert lazy.shape == X.shape and lazy.dtype == np.float32
    np.testing.assert_array_equal(lazy.compute(), denoiser.transform(X))


def test_denoiser_in_a_pandas_pipeline():
    # set_output(transform="pandas") on a pipeline: the Denoiser's image batches stay
    # arrays (they are not tables) and the last step's features become a data frame.
    pd = pytest.importorskip("pandas")
    from sklearn.pipeline import make_pipeline

    from sklearn_sparsecode import Denoiser, WaveletTransformer

    X = RNG.random((4, 32, 32))
    model = make_pipeline(Denoiser(sigma=0.1), WaveletTransformer(n_scales=2))
    frame = model.set_output(transform="pandas").fit_transform(X)
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == list(model[-1].get_feature_names_out())
    np.testing.assert_array_equal(frame.to_numpy(), make_pipeline(
        Denoiser(sigma=0.1), WaveletTransformer(n_scales=2)).fit_transform(X))
    denoiser = Denoiser(sigma=0.1).set_output(transform="pandas")
    assert isinstance(denoiser.fit_transform(X), np.ndarray)
    assert isinstance(denoiser.fit_transform(X.reshape(4, -1)), pd.DataFrame)
