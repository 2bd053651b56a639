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
