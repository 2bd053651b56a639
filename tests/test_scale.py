"""Scale and ecosystem: chunking, n_jobs, progress, pandas output, layout metadata, Dask."""

import numpy as np
import pytest
import scipy.fft
from sklearn.pipeline import Pipeline

from sklearn_sparsecode import (
    CNNFeatureExtractor,
    CurveletTransformer,
    ThresholdTransformer,
    WaveletTransformer,
)

RNG = np.random.default_rng(0)
# ThresholdTransformer's chunking is tested in test_threshold.py (test_pickle_and_batches).
@pytest.mark.parametrize("estimator", [WaveletTransformer("db2", level=2),
                                       CurveletTransformer(n_scales=3)],
                         ids=lambda e: type(e).__name__)
def test_chunked_unchunked_and_parallel_identical(estimator):
    X = RNG.normal(size=(41, 32, 32)).astype(np.float32)
    whole = estimator.set_params(batch_size=None, n_jobs=None).fit_transform(X)
    for batch_size, n_jobs in [(1, None), (7, None), (7, 2), (None, 2), (41, 2)]:
        got = estimator.set_params(batch_size=batch_size, n_jobs=n_jobs).fit_transform(X)
        np.testing.assert_array_equal(got, whole)


def test_cnn_identical_for_every_n_jobs():
    X = RNG.random((41, 28, 28), dtype=np.float32)
    for batch_size in [5, None]:
        cnn = CNNFeatureExtractor(random_state=0, batch_size=batch_size)
        one = cnn.set_params(n_jobs=None).fit_transform(X)
        for n_jobs in [1, 2, 3]:
            np.testing.assert_array_equal(cnn.set_params(n_jobs=n_jobs).fit_transform(X), one)


@pytest.mark.parametrize("estimator, size", [
    (WaveletTransformer(batch_size=10, verbose=1), 16),
    (CurveletTransformer(batch_size=10, verbose=1, n_jobs=2), 16),
    (CNNFeatureExtractor(batch_size=10, verbose=1), 28),
])
def test_verbose_progress(estimator, size, capsys):
    X = RNG.random((35, size, size))
    estimator.fit(X)
    capsys.readouterr()
    estimator.transform(X)
    lines = capsys.readouterr().err.strip().splitlines()
    assert 1 <= len(lines) <= 4  # first chunk, maybe one a second, and the end
    assert lines[-1].endswith("s") and "35/35 samples (100%)" in lines[-1]
    assert "done in" in lines[-1] and "samples/s" in lines[0]
    estimator.set_params(verbose=0).transform(X)
    assert capsys.readouterr().err == ""


def test_pandas_output_names_for_every_transformer():
    pd = pytest.importorskip("pandas")
    X = RNG.random((6, 28, 28))
    for estimator in [WaveletTransformer("haar", level=1), CurveletTransformer(n_scales=2),
                      CNNFeatureExtractor(output_layer="pool2", random_state=0)]:
        pipe = Pipeline([("w", estimator), ("t", ThresholdTransformer(0.01, sign="magnitude"))])
        out = pipe.set_output(transform="pandas").fit_transform(X)
        assert isinstance(out, pd.DataFrame)
        assert list(out.columns) == list(estimator.get_feature_names_out())
        assert out.shape == (6, len(estimator.get_feature_names_out()))


def test_curvelet_band_columns_are_the_wedge_computed_directly():
    # Metadata round trip: one wedge's columns, reshaped, equal that wedge's
    # coefficients computed by hand from its window and wrapping rectangle.
    X = RNG.normal(size=(2, 32, 40))
    ct = CurveletTransformer(n_scales=3, n_angles=8).fit(X)
    C = ct.transform(X)
    wedge = next(w for w in ct.plan_.wedges if w.scale == 3 and w.angle == 2)
    re, im = [b for b in ct.bands_ if b.scale == 3 and b.angle == 2]
    spectrum = scipy.fft.fft2(X, norm="ortho").reshape(2, -1)
    wrapped = np.zeros((2, wedge.shape[0] * wedge.shape[1]), complex)
    wrapped[:, wedge.target] = spectrum[:, wedge.source] * wedge.weight
    direct = scipy.fft.ifft2(wrapped.reshape(2, *wedge.shape), norm="ortho")
    np.testing.assert_allclose(C[:, re.start:re.stop].reshape(2, *re.shape),
                               np.sqrt(2) * direct.real, atol=1e-12)
    np.testing.assert_allclose(C[:, im.start:im.stop].reshape(2, *im.shape),
                               np.sqrt(2) * direct.imag, atol=1e-12)


def test_grid_search_on_a_dask_cluster_matches_the_local_run():
    pytest.importorskip("distributed")
    import joblib
    from distributed import Client, LocalCluster
    from sklearn.datasets import load_digits
    from sklearn.model_selection import GridSearchCV

    from sklearn_sparsecode._demo import TAU, make_two_layer_model

    digits = load_digits()
    X, y = digits.images[:400] / 16.0, digits.target[:400]
    grid = {TAU: [0.0, 0.05, 0.1, 0.2]}
    local = GridSearchCV(make_two_layer_model(head="logistic"), grid, cv=3).fit(X, y)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster):
        with joblib.parallel_config(backend="dask"):
            remote = GridSearchCV(make_two_layer_model(head="logistic"), grid, cv=3,
                                  n_jobs=-1).fit(X, y)
    assert remote.best_params_ == local.best_params_
    np.testing.assert_allclose(remote.cv_results_["mean_test_score"],
                               local.cv_results_["mean_test_score"])
