"""Atom pictures for wavelets and curvelets."""

import numpy as np
import pytest

from sklearn_sparsecode import CurveletTransformer, WaveletTransformer
from sklearn_sparsecode.plotting import atom_image, plot_atoms

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")


def test_wavelet_atom_is_the_pywt_basis_function():
    wt = WaveletTransformer(wavelet="db2", n_scales=2).fit(np.zeros((1, 16, 16)))
    X = np.random.default_rng(0).normal(size=(3, 16, 16))
    C = wt.transform(X)
    for column in [0, 17, 100, 255]:
        # Orthonormal transform: coefficient = inner product with the atom.
        np.testing.assert_allclose(np.tensordot(X, atom_image(wt, column), axes=2), C[:, column],
                                   atol=1e-12)


@pytest.mark.parametrize("estimator, n_rows", [
    (CurveletTransformer(n_scales=3, n_orientations=4), 3),
    (WaveletTransformer(wavelet="haar", n_scales=2), 2),
])
def test_plot_atoms_grid(estimator, n_rows, tmp_path):
    estimator.fit(np.zeros((1, 32, 32)))
    fig = plot_atoms(estimator, max_per_scale=4)
    images = [ax for ax in fig.axes if ax.images]
    assert len({ax.get_subplotspec().rowspan.start for ax in images}) == n_rows
    assert all(len(ax.images) == 1 for ax in images)
    fig.savefig(tmp_path / "atoms.png")
    assert (tmp_path / "atoms.png").stat().st_size > 2000


def test_plot_atoms_of_signals_draws_curves():
    # Issue 15: 1-D transforms are drawn (this test used to expect a refusal).
    import matplotlib.pyplot as plt

    wt = WaveletTransformer().fit(np.zeros((2, 32)))
    fig = plot_atoms(wt)
    curves = [ax for ax in fig.axes if ax.lines]
    assert len(curves) == len(wt.bands_) and not any(ax.images for ax in fig.axes)
    assert all(len(ax.lines[0].get_ydata()) == 32 for ax in curves)
    plt.close("all")


def test_cnn_filters_and_responses(tmp_path):
    from sklearn_sparsecode import CNNFeatureExtractor
    from sklearn_sparsecode.plotting import plot_filters, plot_responses

    cnn = CNNFeatureExtractor(weights="gabor", random_state=0).fit(np.zeros((1, 28, 28)))
    fig = plot_filters(cnn, "conv1")
    assert sum(bool(ax.images) for ax in fig.axes) == 6
    fig = plot_filters(cnn, "conv2", max_filters=20)
    assert sum(bool(ax.images) for ax in fig.axes) == 20
    image = np.random.default_rng(0).random((28, 28))
    fig = plot_responses(cnn, image, max_maps=4)
    # input + conv1/act1/pool1/conv2/act2/pool2 maps (4 each at most) = 1 + 6 * 4
    assert sum(bool(ax.images) for ax in fig.axes) == 25
    fig.savefig(tmp_path / "responses.png")
    with pytest.raises(ValueError, match="not a convolution layer"):
        plot_filters(cnn, "pool1")


def test_coefficient_maps_of_every_kind_of_layer(tmp_path):
    from sklearn_sparsecode import LocalPooling
    from sklearn_sparsecode.plotting import plot_coefficient_maps

    rng = np.random.default_rng(1)
    images = rng.normal(size=(2, 32, 32))
    pooled = LocalPooling(transformer=CurveletTransformer(n_scales=3, n_orientations=4,
                                                          decimated=False), grid=4).fit(images)
    n = pooled.bands_[-1].stop
    fig = plot_coefficient_maps(pooled, rng.random(n))
    panels = [ax for ax in fig.axes if ax.images]
    # low-pass + 4 orientations at scale 2 + 8 at scale 3, one 4x4 cell map each
    assert len(panels) == 1 + 4 + 8 and all(ax.images[0].get_array().shape == (4, 4)
                                             for ax in panels)
    assert {ax.get_ylabel() for ax in fig.axes if ax.get_ylabel()} == {
        "scale 1 (coarsest)", "scale 2", "scale 3"}
    fig.savefig(tmp_path / "pooled.png")

    # Complex halves are shown as their modulus: a weight only on one wedge's im half.
    ct = CurveletTransformer(n_scales=2, n_orientations=4).fit(images)
    weights = np.zeros(ct.bands_[-1].stop)
    im = next(b for b in ct.bands_ if b.part == "im")
    weights[im.start:im.stop] = -2.0
    fig = plot_coefficient_maps(ct, weights)
    values = [ax.images[0].get_array() for ax in fig.axes if ax.images]
    assert sum(np.allclose(v, 2.0) for v in values) == 1

    signals = WaveletTransformer(wavelet="haar", n_scales=2).fit(rng.normal(size=(2, 32)))
    fig = plot_coefficient_maps(signals, rng.normal(size=32))
    assert sum(bool(ax.lines) for ax in fig.axes) == 3  # a, d2, d1 drawn as curves
    assert {ax.get_ylabel() for ax in fig.axes if ax.get_ylabel()} == {"level 2",
                                                                       "level 1 (finest)"}
    with pytest.raises(ValueError, match=r"coef_\[k\]"):
        plot_coefficient_maps(signals, rng.normal(size=(3, 32)))
    with pytest.raises(TypeError, match="bands_"):
        from sklearn_sparsecode import ThresholdTransformer
        plot_coefficient_maps(ThresholdTransformer().fit(np.ones((2, 3))), np.ones(3))


def test_plot_atoms_of_a_pooled_layer_shows_the_pooled_transform():
    from sklearn_sparsecode import LocalPooling

    pooled = LocalPooling(transformer=CurveletTransformer(n_scales=2, n_orientations=4,
                                                          decimated=False), grid=4)
    fig = plot_atoms(pooled.fit(np.zeros((1, 32, 32))))
    assert sum(bool(ax.images) for ax in fig.axes) == 1 + 4
    assert "CurveletTransformer" in fig._suptitle.get_text()
