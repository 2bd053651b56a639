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
@pytest.mark.parametrize("estimator", [WaveletTransformer(wavelet="db2", n_scales=2),
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
    for estimator in [WaveletTransformer(wavelet="haar", n_scales=1), CurveletTransformer(n_scales=2),
                      CNNFeatureExtractor(output_layer="pool2", random_state=0)]:
        pipe = Pipeline([("w", estimator), ("t", ThresholdTransformer(tau=0.01, sign="magnitude"))])
        out = pipe.set_output(transform="pandas").fit_transform(X)
        assert isinstance(out, pd.DataFrame)
        assert list(out.columns) == list(estimator.get_feature_names_out())
        assert out.shape == (6, len(estimator.get_feature_names_out()))


def test_curvelet_band_columns_are_the_wedge_computed_directly():
    # Metadata round trip: one wedge's columns, reshaped, equal that wedge's
    # coefficients computed by hand from its window and wrapping rectangle.
    X = RNG.normal(size=(2, 32, 40))
    ct = CurveletTransformer(n_scales=3, n_orientations=4).fit(X)
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

    from sklearn_sparsecode import make_two_layer_model

    TAU = "head__threshold__tau"

    digits = load_digits()
    X, y = digits.images[:400] / 16.0, digits.target[:400]
    grid = {TAU: [0.0, 0.05, 0.1, 0.2]}
    local = GridSearchCV(make_two_layer_model(head="logistic", C=1.0), grid, cv=3).fit(X, y)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster):
        with joblib.parallel_config(backend="dask"):
            remote = GridSearchCV(make_two_layer_model(head="logistic", C=1.0), grid, cv=3,
                                  n_jobs=-1).fit(X, y)
    assert remote.best_params_ == local.best_params_
    np.testing.assert_allclose(remote.cv_results_["mean_test_score"],
                               local.cv_results_["mean_test_score"])


@pytest.mark.parametrize("estimator, shape", [
    (WaveletTransformer(wavelet="db2", n_scales=2, mode="symmetric"), (20, 26)),
    (CurveletTransformer(n_scales=3, n_orientations=4), (32, 40)),
    (WaveletTransformer(wavelet="haar", n_scales=2), (24,)),
])
def test_feature_layout_selects_each_band(estimator, shape):
    X = RNG.normal(size=(3, *shape))
    C = estimator.fit(X).transform(X)
    layout = estimator.feature_layout()
    assert len(layout) == C.shape[1]
    for band in estimator.bands_:
        label = getattr(band, "name", None) or (
            ("lowpass" if band.scale == 1 else "fine") if band.angle is None
            else f"a{band.angle}_{band.part}")
        scale = getattr(band, "level", None) or band.scale
        mask = (layout["scale"] == scale) & (layout["band"] == label)
        # The masked columns are exactly the band's, in row-major order.
        np.testing.assert_array_equal(np.flatnonzero(mask), np.arange(band.start, band.stop))
        rows = layout["row"][mask]
        assert rows.max() == band.shape[0] - 1
        if len(band.shape) == 2:
            assert layout["col"][mask].max() == band.shape[1] - 1
        else:
            assert np.all(layout["col"][mask] == -1)


def test_coefficient_maps_plot():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    from sklearn_sparsecode.plotting import plot_coefficient_maps

    ct = CurveletTransformer(n_scales=3, n_orientations=4).fit(np.zeros((1, 32, 32)))
    n_out = ct.bands_[-1].stop
    fig = plot_coefficient_maps(ct, RNG.normal(size=2 * n_out))  # split-sign weights fold
    # low-pass + 4 wedges at scale 2 + 8 at scale 3 (re/im folded together)
    assert sum(bool(ax.images) for ax in fig.axes) == 1 + 4 + 8
    wt = WaveletTransformer(wavelet="haar", n_scales=2).fit(np.zeros((1, 16, 16)))
    weights = np.zeros(256)
    weights[wt.bands_[-1].start + 5] = 1.0  # one finest diagonal coefficient
    fig = plot_coefficient_maps(wt, weights)
    panel = next(ax for ax in fig.axes if ax.get_title() == "dd" and
                 ax.images[0].get_array().shape == (8, 8))
    assert panel.images[0].get_array()[0, 5] == 1.0
    with pytest.raises(ValueError, match="outputs"):
        plot_coefficient_maps(wt, np.zeros(10))


def test_feature_layout_of_cnn_and_threshold():
    X = RNG.random((4, 28, 28))
    cnn = CNNFeatureExtractor(output_layer="pool2", random_state=0).fit(X)
    layout = cnn.feature_layout()
    out = cnn.transform(X)
    assert len(layout) == out.shape[1] == 400
    # Channel 3's columns, reshaped, are that channel's 5x5 map in PyTorch order.
    mask = layout["channel"] == 3
    assert layout["row"][mask].max() == 4 and layout["col"][mask].max() == 4
    np.testing.assert_array_equal(out[:, mask].reshape(4, 5, 5),
                                  out.reshape(4, 16, 5, 5)[:, 3])
    dense = cnn.set_params(output_layer="act4").fit(X).feature_layout()
    assert len(dense) == 84 and np.all(dense["row"] == -1) and dense["layer"][0] == "act4"
    t = ThresholdTransformer(tau=0.1, sign="split").fit(RNG.normal(size=(3, 5)))
    layout = t.feature_layout()
    assert list(layout["feature"]) == [0, 1, 2, 3, 4] * 2
    assert list(layout["part"]) == ["pos"] * 5 + ["neg"] * 5
    assert list(ThresholdTransformer().fit(np.ones((2, 3))).feature_layout()["part"]) == \
        ["value"] * 3
