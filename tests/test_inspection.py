"""sklearn_sparsecode.inspection: saliency, activation maximisation, reconstruction from features.

References: central finite differences of the models' own ``decision_function``;
scikit-learn's one-vs-one decision values for SVC heads; closed forms for
linear maps (the matrix of a transform is built by transforming the pixel
basis, independently of any adjoint code).
"""

import numpy as np
import pytest
from sklearn.decomposition import PCA
from sklearn.ensemble import RandomForestClassifier
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, MaxAbsScaler, MinMaxScaler, StandardScaler
from sklearn.svm import SVC, LinearSVC, NuSVC
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_sparsecode import (
    ContourletTransformer,
    CurveletTransformer,
    LocalPooling,
    ScatteringTransformer,
    ThresholdTransformer,
    WaveletTransformer,
    make_two_layer_model,
)
from sklearn_sparsecode import inspection
from sklearn_sparsecode.datasets import load_train_test
from sklearn_sparsecode.inspection import (
    class_score,
    input_gradient,
    maximize_activation,
    reconstruct_from_features,
)

X_TRAIN, Y_TRAIN, X_TEST, Y_TEST = load_train_test("digits")
X_SMALL, Y_SMALL = X_TRAIN[:300], Y_TRAIN[:300]


def pooled_curvelets():
    return LocalPooling(transformer=CurveletTransformer(n_scales=2, n_orientations=8,
                                                        decimated=False), grid=4, power=0.5)


def transform_matrix(transformer, shape):
    """Rows: the transform of each pixel's unit image (the matrix of a linear map, transposed)."""
    basis = np.eye(shape[0] * shape[1]).reshape(-1, *shape)
    return transformer.transform(basis)  # (pixels, n_coefs)


def ovo_score(model, X, k):
    """Σ over the other classes of the pairwise decision values in favour of class index k."""
    head = model[-1][-1] if hasattr(model[-1], "steps") else model[-1]
    head.decision_function_shape = "ovo"
    try:
        dec = np.atleast_2d(model.decision_function(X).T).T
    finally:
        head.decision_function_shape = "ovr"
    n_classes = len(head.classes_)
    if n_classes == 2:
        return dec.ravel() if k == 1 else -dec.ravel()
    pairs = [(i, j) for i in range(n_classes) for j in range(i + 1, n_classes)]
    return sum(dec[:, p] if i == k else -dec[:, p] for p, (i, j) in enumerate(pairs)
               if k in (i, j))


def assert_matches_finite_differences(score, gradient, X, *, n_directions=3):
    rng = np.random.default_rng(0)
    for _ in range(n_directions):
        D = rng.normal(size=X.shape)
        analytic = np.sum((gradient * D).reshape(len(X), -1), axis=1)
        # Relative to the typical size of ⟨g, D⟩ for a Gaussian D, ‖g‖, at least.
        scale = np.maximum(np.abs(analytic), np.linalg.norm(gradient.reshape(len(X), -1), axis=1))
        best = np.inf
        for eps in (1e-6, 1e-7):
            fd = (score(X + eps * D) - score(X - eps * D)) / (2 * eps)
            best = min(best, np.max(np.abs(fd - analytic) / scale))
        assert best < 1e-6


MODELS = {
    "wavelets-soft-split-logistic": lambda: make_two_layer_model(
        WaveletTransformer(wavelet="haar", n_scales=2), tau=0.05, shrinkage="soft", sign="split",
        head="logistic"),
    "pooled-curvelets-rbf-svc": lambda: make_two_layer_model(pooled_curvelets(), sign="keep",
                                                             head="svc", C=3.0),
    "contourlets-garrote-linear-svm": lambda: make_two_layer_model(
        ContourletTransformer(n_orientations=(4,), decimated=False), tau=0.02, shrinkage="garrote",
        sign="magnitude", head="linear-svm"),
    "scalers-pca-poly-svc": lambda: make_pipeline(
        WaveletTransformer(wavelet="db2", n_scales=1, mode="symmetric"), MinMaxScaler(),
        PCA(n_components=20, whiten=True, random_state=0), MaxAbsScaler(),
        SVC(kernel="poly", degree=3, C=1.0)),
    "sigmoid-nusvc": lambda: make_pipeline(WaveletTransformer(wavelet="haar", n_scales=1),
                                           StandardScaler(),
                                           NuSVC(kernel="sigmoid", gamma=0.01, nu=0.3)),
    "scattering-linear-svc": lambda: make_pipeline(
        ScatteringTransformer(n_scales=1, n_orientations=4, oversampling=1),
        StandardScaler(), SVC(kernel="linear")),
}


@pytest.mark.parametrize("name", MODELS)
def test_input_gradient_matches_finite_differences_of_the_decision_function(name):
    model = MODELS[name]().fit(X_SMALL, Y_SMALL)
    head = model[-1][-1] if hasattr(model[-1], "steps") else model[-1]
    X = X_TEST[:4]
    for k in (0, 7):
        target = head.classes_[k]
        if isinstance(head, (SVC, NuSVC)):
            def score(Z, k=k):
                return ovo_score(model, Z, k)
        else:
            def score(Z, k=k):
                return model.decision_function(Z)[:, k]
        gradient = input_gradient(model, X, target=target)
        assert gradient.shape == X.shape
        assert_matches_finite_differences(score, gradient, X)


@pytest.mark.parametrize("head", [LogisticRegression(max_iter=2000), LinearSVC(C=0.1),
                                  SVC(kernel="rbf", C=3.0), SVC(kernel="linear")])
def test_binary_heads_differentiate_the_decision_function_with_its_sign(head):
    mask = Y_SMALL < 2
    model = make_pipeline(WaveletTransformer(wavelet="haar", n_scales=1), StandardScaler(),
                          head).fit(X_SMALL[mask], Y_SMALL[mask])
    X = X_TEST[:3]
    for label, sign in ((1, 1.0), (0, -1.0)):
        gradient = input_gradient(model, X, target=label)

        def score(Z, sign=sign):
            return sign * model.decision_function(Z)
        assert_matches_finite_differences(score, gradient, X)


def test_class_score_is_what_input_gradient_differentiates():
    svc = MODELS["pooled-curvelets-rbf-svc"]().fit(X_SMALL, Y_SMALL)
    np.testing.assert_allclose(class_score(svc, X_TEST[:5], target=4), ovo_score(svc, X_TEST[:5], 4))
    linear = MODELS["wavelets-soft-split-logistic"]().fit(X_SMALL, Y_SMALL)
    np.testing.assert_allclose(class_score(linear, X_TEST[:5], target=4),
                               linear.decision_function(X_TEST[:5])[:, 4])
    with pytest.raises(ValueError, match="not a class"):
        class_score(linear, X_TEST[:1], target=10)


def test_svc_pairwise_score_is_scikit_learns_and_versus_selects_one_pair():
    model = make_pipeline(WaveletTransformer(wavelet="haar", n_scales=1),
                          SVC(kernel="rbf", C=3.0)).fit(X_SMALL, Y_SMALL)
    X = X_TEST[:5]
    model[-1].decision_function_shape = "ovo"
    dec = model.decision_function(X)
    model[-1].decision_function_shape = "ovr"
    # The pair (2, 5) is the 2·10 − 3 + 2 = 19th pairwise classifier (0-based 2·9 − 1 + 2 = 19).
    pair = [(i, j) for i in range(10) for j in range(i + 1, 10)].index((2, 5))
    gradient = input_gradient(model, X, target=5, versus=2)
    assert_matches_finite_differences(lambda Z: -ovo_decision(model, Z)[:, pair], gradient, X)
    np.testing.assert_allclose(ovo_score(model, X, 3),
                               sum(dec[:, p] if i == 3 else -dec[:, p] for p, (i, j) in
                                   enumerate([(i, j) for i in range(10) for j in
                                              range(i + 1, 10)]) if 3 in (i, j)))


def ovo_decision(model, X):
    model[-1].decision_function_shape = "ovo"
    try:
        return model.decision_function(X)
    finally:
        model[-1].decision_function_shape = "ovr"


def test_input_gradient_of_a_linear_model_on_a_linear_transform_is_its_class_template():
    wavelets = WaveletTransformer(wavelet="db2", n_scales=1)
    model = make_pipeline(wavelets, StandardScaler(), LogisticRegression(max_iter=2000))
    model.fit(X_SMALL, Y_SMALL)
    W = transform_matrix(model[0], (8, 8))
    coef, scale = model[-1].coef_, model[1].scale_
    for k in (0, 4, 9):
        template = (W @ (coef[k] / scale)).reshape(8, 8)
        gradient = input_gradient(model, X_TEST[:3], target=k)
        for g in gradient:  # the same for every image: the score is affine
            np.testing.assert_allclose(g, template, atol=1e-10)


def test_input_gradient_is_chunked_without_changing_the_result():
    model = MODELS["pooled-curvelets-rbf-svc"]().fit(X_SMALL, Y_SMALL)
    full = input_gradient(model, X_TEST[:7], target=3)
    np.testing.assert_allclose(input_gradient(model, X_TEST[:7], target=3, batch_size=2), full,
                               rtol=1e-12, atol=1e-14)
    flat = input_gradient(make_pipeline(WaveletTransformer(wavelet="haar", n_scales=1,
                                                           image_shape=(8, 8)),
                                        LogisticRegression(max_iter=500)).fit(
        X_SMALL.reshape(300, -1), Y_SMALL), X_TEST[:2].reshape(2, -1), target=1)
    assert flat.shape == (2, 64)


# -- activation maximisation ------------------------------------------------------

@pytest.mark.parametrize("make, feature", [
    (lambda: CurveletTransformer(n_scales=3, n_orientations=4), "curvelet_s2_a1_re"),
    (lambda: ContourletTransformer(n_orientations=(4, 8)), "contourlet_s3_d5"),
    (lambda: WaveletTransformer(wavelet="bior2.2", n_scales=1, mode="symmetric"), 100),
])
def test_the_maximiser_of_a_linear_feature_under_an_l2_bound_is_its_normalised_atom(make,
                                                                                     feature):
    transformer = make().fit(np.zeros((1, 16, 16)))
    image = maximize_activation(transformer, feature=feature, pixel_range=None, max_norm=2.0,
                                random_state=0)
    rows = transform_matrix(transformer, (16, 16))  # analysis atoms are its columns
    if isinstance(feature, str):
        band = next(b for b in transformer.bands_ if b.prefix == feature)
        column = band.start + (band.shape[0] // 2) * band.shape[1] + band.shape[1] // 2
    else:
        column = feature
    atom = rows[:, column].reshape(16, 16)
    np.testing.assert_allclose(image, 2.0 * atom / np.linalg.norm(atom), atol=1e-7)
    if isinstance(transformer, ContourletTransformer):  # analysis ≠ synthesis atom
        synthesis = transformer.atom(column)
        cosine = np.sum(synthesis * atom) / np.linalg.norm(synthesis) / np.linalg.norm(atom)
        assert cosine < 0.999


def test_the_maximiser_of_a_first_layer_cnn_unit_is_its_normalised_filter():
    from sklearn_sparsecode import CNNFeatureExtractor

    if not hasattr(CNNFeatureExtractor, "transform_vjp"):
        pytest.skip("the CNN's input VJP comes with the cnn branch")
    cnn = CNNFeatureExtractor(weights="lenet5-fashion-mnist", output_layer="act1").fit(
        np.zeros((1, 28, 28)))
    # tanh(w·x + b) increases with w·x: under ‖x‖ <= 1 the best x is w/‖w‖ on the
    # 5 x 5 field of the centre unit (14, 14) (padding 2), 0 elsewhere.
    images = maximize_activation(cnn, feature=["act1_2", "act1_5"], pixel_range=None,
                                 max_norm=1.0, random_state=0)
    for image, channel in zip(images, (2, 5)):
        w = cnn.layers_[0]["weight"][channel, 0]
        expected = np.zeros((28, 28))
        expected[12:17, 12:17] = w / np.linalg.norm(w)
        np.testing.assert_allclose(image, expected, atol=1e-7)


def test_class_template_of_a_linear_head_on_a_linear_transform():
    model = make_pipeline(WaveletTransformer(wavelet="db2", n_scales=1), StandardScaler(),
                          LogisticRegression(max_iter=2000)).fit(X_SMALL, Y_SMALL)
    W = transform_matrix(model[0], (8, 8))
    k = 6
    template = (W @ (model[-1].coef_[k] / model[1].scale_)).reshape(8, 8)
    bounded = maximize_activation(model, target=k, pixel_range=None, max_norm=1.0,
                                  random_state=0)
    np.testing.assert_allclose(bounded, template / np.linalg.norm(template), atol=1e-7)
    # Unbounded with an L2 penalty λ/2 ‖x‖²: the maximiser of ⟨t, x⟩ − λ/2 ‖x‖² is t/λ.
    penalised = maximize_activation(model, target=k, pixel_range=None,
                                    regularization={"l2": 4.0}, max_iter=400, random_state=0)
    np.testing.assert_allclose(penalised, template / 4.0,
                               atol=2e-3 * np.abs(template / 4.0).max())


def test_maximising_images_score_above_real_images_of_their_class():
    model = MODELS["pooled-curvelets-rbf-svc"]().fit(X_SMALL, Y_SMALL)
    classes = [0, 3, 8]
    images = maximize_activation(model, target=classes, max_iter=100,
                                 regularization={"tv": 0.05}, random_state=0)
    assert images.shape == (3, 8, 8)
    assert images.min() >= 0 and images.max() <= 1
    for image, k in zip(images, classes):
        real = ovo_score(model, X_TEST[Y_TEST == k], k)
        assert ovo_score(model, image[None], k)[0] > real.mean()
    np.testing.assert_array_equal(model.predict(images), classes)


def test_maximize_activation_is_reproducible_and_features_resolve_by_name():
    transformer = ScatteringTransformer(n_scales=2, n_orientations=4).fit(np.zeros((1, 16, 16)))
    a = maximize_activation(transformer, feature="scat_o2_s1_a0_s2_a1", max_iter=5,
                            random_state=3)
    b = maximize_activation(transformer, feature="scat_o2_s1_a0_s2_a1", max_iter=5,
                            random_state=3)
    np.testing.assert_array_equal(a, b)
    names = transformer.get_feature_names_out()
    by_name = maximize_activation(transformer, feature=str(names[20]), max_iter=5,
                                  random_state=3)
    by_index = maximize_activation(transformer, feature=[20], max_iter=5, random_state=3)
    np.testing.assert_array_equal(by_name, by_index[0])


# -- reconstruction from features --------------------------------------------------

def feature_distance(transformer, images, features):
    return np.linalg.norm(transformer.transform(images) - features) / np.linalg.norm(features)


@pytest.mark.parametrize("make", [
    lambda: ScatteringTransformer(n_scales=2, n_orientations=4, max_order=1),
    lambda: ScatteringTransformer(n_scales=2, n_orientations=4),
    lambda: LocalPooling(transformer=ScatteringTransformer(n_scales=2, n_orientations=4),
                         grid=1),
    lambda: make_pipeline(CurveletTransformer(n_scales=2, n_orientations=4, decimated=False),
                          ThresholdTransformer(tau=0.05, shrinkage="soft", sign="split")),
])
def test_reconstruction_lowers_the_feature_distance_tenfold_from_the_documented_start(make):
    rng = np.random.default_rng(0)
    images = rng.random((2, 16, 16))
    images[:, 4:12, 6:10] += 1.0  # some structure
    transformer = make().fit(images)
    features = transformer.transform(images)
    start = np.random.default_rng(5).uniform(0, 1, size=images.shape)  # the documented start
    back = reconstruct_from_features(transformer, features, max_iter=100, random_state=5)
    assert back.shape == images.shape
    assert feature_distance(transformer, back, features) * 10 <= feature_distance(
        transformer, start, features)
    one = reconstruct_from_features(transformer, features[0], max_iter=3, random_state=5)
    assert one.shape == (16, 16)


def test_reconstruction_of_an_invertible_transform_is_the_image():
    image = np.random.default_rng(1).random((1, 16, 16))
    transformer = ContourletTransformer(n_orientations=(4,)).fit(image)
    back = reconstruct_from_features(transformer, transformer.transform(image), max_iter=200,
                                     pixel_range=(0, 1), random_state=0)
    np.testing.assert_allclose(back, image, atol=1e-5)


# -- bad input ---------------------------------------------------------------------

def test_errors_are_clear():
    model = MODELS["wavelets-soft-split-logistic"]().fit(X_SMALL, Y_SMALL)
    with pytest.raises(NotFittedError):
        input_gradient(MODELS["wavelets-soft-split-logistic"](), X_TEST[:1], target=0)
    with pytest.raises(ValueError, match=r"target=11 is not a class .*\[0, 1, 2"):
        input_gradient(model, X_TEST[:1], target=11)
    with pytest.raises(ValueError, match="not a class"):
        maximize_activation(model, target="3", max_iter=1)
    for head in (RandomForestClassifier(n_estimators=3, random_state=0),
                 KNeighborsClassifier()):
        forest = make_pipeline(WaveletTransformer(wavelet="haar", n_scales=1), head)
        forest.fit(X_SMALL, Y_SMALL)
        with pytest.raises(TypeError, match="differentiable decision function"):
            input_gradient(forest, X_TEST[:1], target=0)
    opaque = make_pipeline(FunctionTransformer(lambda Z: Z.reshape(len(Z), -1)),
                           LogisticRegression(max_iter=200)).fit(X_SMALL, Y_SMALL)
    with pytest.raises(TypeError, match="cannot differentiate through FunctionTransformer"):
        input_gradient(opaque, X_TEST[:1], target=0)
    precomputed = make_pipeline(WaveletTransformer(wavelet="haar", n_scales=1),
                                SVC(kernel=lambda A, B: A @ B.T)).fit(X_SMALL, Y_SMALL)
    with pytest.raises(TypeError, match="kernel"):
        input_gradient(precomputed, X_TEST[:1], target=0)
    with pytest.raises(ValueError, match="exactly one of target"):
        maximize_activation(model, target=0, feature=1)
    with pytest.raises(ValueError, match="exactly one of target"):
        maximize_activation(model)
    with pytest.raises(ValueError, match="ends with a classifier"):
        maximize_activation(model, feature=0)
    transformer = WaveletTransformer(wavelet="haar", n_scales=1).fit(X_SMALL)
    with pytest.raises(ValueError, match="target needs a classifier"):
        maximize_activation(transformer, target=0)
    with pytest.raises(ValueError, match="not an output column"):
        maximize_activation(transformer, feature="nope")
    with pytest.raises(ValueError, match="out of range"):
        maximize_activation(transformer, feature=64)
    with pytest.raises(ValueError, match="unknown key 'blur'"):
        maximize_activation(transformer, feature=0, regularization={"blur": 1.0})
    with pytest.raises(ValueError, match="jitter"):
        maximize_activation(transformer, feature=0, regularization={"jitter": 1.5})
    with pytest.raises(ValueError, match="pixel_range"):
        maximize_activation(transformer, feature=0, pixel_range=(1, 0))
    with pytest.raises(InvalidParameterError, match="max_iter"):
        maximize_activation(transformer, feature=0, max_iter=0)
    with pytest.raises(ValueError, match="features has 10 columns"):
        reconstruct_from_features(transformer, np.ones(10))
    with pytest.raises(InvalidParameterError, match="transform"):  # a classifier
        reconstruct_from_features(model, np.ones(10))
    with pytest.raises(ValueError, match="versus"):
        input_gradient(model, X_TEST[:1], target=0, versus=1)


def test_the_module_is_public_and_sorted():
    assert inspection.__all__ == sorted(inspection.__all__)
    for name in inspection.__all__:
        assert callable(getattr(inspection, name))


def test_plots_draw_figures():
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sklearn_sparsecode.plotting import (
        plot_input_gradients,
        plot_maximized_activations,
        plot_reconstructions,
    )

    model = MODELS["wavelets-soft-split-logistic"]().fit(X_SMALL, Y_SMALL)
    fig = plot_input_gradients(model, X_TEST[:3])
    assert len(fig.axes) == 6
    fig = plot_maximized_activations(model, targets=[0, 1, 2], max_iter=3, random_state=0)
    assert [ax.get_title().split("\n")[0] for ax in fig.axes] == ["class 0", "class 1",
                                                                  "class 2"]
    transformer = ScatteringTransformer(n_scales=1, n_orientations=4).fit(X_TEST[:2])
    fig = plot_reconstructions([transformer], X_TEST[:2], max_iter=3, random_state=0)
    assert len(fig.axes) == 4
    plt.close("all")


@pytest.mark.parametrize("module_name", ["inspection", "plotting"])
def test_public_module_lists_its_functions_sorted(module_name):
    import importlib
    import inspect as pyinspect

    module = importlib.import_module(f"sklearn_sparsecode.{module_name}")
    assert module.__all__ == sorted(module.__all__)
    defined = {name for name, obj in vars(module).items()
               if pyinspect.isfunction(obj) and not name.startswith("_")
               and obj.__module__.startswith(module.__name__)}
    assert defined <= set(module.__all__)
    assert all(callable(getattr(module, name)) for name in module.__all__)
