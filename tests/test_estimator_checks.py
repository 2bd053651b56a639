"""scikit-learn's estimator checks on every estimator, in several configurations."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_sparsecode import (
    CNNClassifier,
    CNNFeatureExtractor,
    ContourletTransformer,
    CurveletTransformer,
    LocalPooling,
    MorletTransformer,
    ScatteringTransformer,
    ThresholdTransformer,
    WaveletTransformer,
)

ESTIMATORS = [
    WaveletTransformer(),
    WaveletTransformer(wavelet="haar", n_scales=1, mode="symmetric"),
    WaveletTransformer(wavelet="bior2.2", mode="zero", batch_size=7, n_jobs=2),
    ThresholdTransformer(),
    ThresholdTransformer(tau=0.1, shrinkage="soft", sign="split"),
    ThresholdTransformer(tau="universal", shrinkage="garrote", sign="magnitude"),
    ThresholdTransformer(shrinkage="hard", top_k=2),
    ThresholdTransformer(tau=0.05, shrinkage="soft", top_k=0.5),
    CurveletTransformer(),
    CNNFeatureExtractor(random_state=0),
    CurveletTransformer(n_scales=2, decimated=False),
    LocalPooling(transformer=WaveletTransformer(wavelet="haar", n_scales=1), grid=2),
    LocalPooling(transformer=WaveletTransformer(wavelet="db2", mode="symmetric"), grid=3, power=0.5, n_jobs=2),
    LocalPooling(),
    MorletTransformer(n_scales=2, n_orientations=4),
    ScatteringTransformer(),
    ScatteringTransformer(frame="curvelet", padding="periodic", rotation=None, n_jobs=2),
    ScatteringTransformer(rotation="fourier", scale="average", compression="log",
                          batch_size=3),
    ContourletTransformer(),
    ContourletTransformer(n_orientations=(2, 4), lp_filters="5-3", dfb_filters="dd4",
                          reconstruction="standard", batch_size=3, n_jobs=2),
    LocalPooling(transformer=ContourletTransformer(n_orientations=(4, 8)), grid=2),
    # A fully connected network takes tables (its first layer flattens); the
    # convolutional ones are checked on images in test_cnn_training.py.
    CNNClassifier(architecture=[{"type": "flatten"}, {"type": "dense", "out_features": 16},
                                {"type": "activation", "function": "tanh"}],
                  max_iter=100, learning_rate=1e-2, random_state=0),
]
IMAGES_ONLY = (CurveletTransformer, CNNFeatureExtractor, ContourletTransformer,
               MorletTransformer, ScatteringTransformer)

# The common checks fit on small 2-D tables (2 to 10 features, or 1). A curvelet
# transform or a CNN needs images (at least 8x8 pixels for curvelets, 14x14 for
# LeNet-5), given as 3-D X or as 2-D X with image_shape; 1-D signals have no
# such transform. So every check that fits raises our "transforms images"
# ValueError by design (the issues ask for that error rather than a guess at a
# shape). What these checks cover is tested on images in test_curvelet.py and
# test_cnn.py (dtypes, NaN, pickling, set_params, n_jobs and batching, feature
# names, input left untouched) and in test_images_only_api below.
_IMAGES_ONLY = (
    "fits on a 2-D table without image_shape; CurveletTransformer requires images "
    "(3-D X or image_shape) and raises a ValueError saying so"
)
IMAGES_ONLY_EXPECTED_FAILURES = {
    name: _IMAGES_ONLY for name in [
        "check_fit_score_takes_y", "check_estimators_overwrite_params",
        "check_dont_overwrite_parameters", "check_estimators_fit_returns_self",
        "check_readonly_memmap_input", "check_n_features_in_after_fitting",
        "check_positive_only_tag_during_fit", "check_estimators_dtypes", "check_dtype_object",
        "check_pipeline_consistency", "check_estimators_nan_inf", "check_estimators_pickle",
        "check_f_contiguous_array_estimator", "check_transformer_data_not_an_array",
        "check_transformer_general", "check_transformer_preserve_dtypes",
        "check_methods_sample_order_invariance", "check_methods_subset_invariance",
        "check_fit2d_1sample", "check_fit2d_1feature", "check_dict_unchanged",
        "check_fit_idempotent", "check_fit_check_is_fitted", "check_n_features_in",
        "check_fit2d_predict1d",
    ]
}


def _needs_images(estimator):
    if isinstance(estimator, LocalPooling):  # as the transform it pools
        return estimator.transformer is None or _needs_images(estimator.transformer)
    return isinstance(estimator, IMAGES_ONLY)


def _expected_failures(estimator):
    return IMAGES_ONLY_EXPECTED_FAILURES if _needs_images(estimator) else {}


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failures)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


@pytest.mark.parametrize("estimator, size", [(CurveletTransformer(), 16),
                                             (CNNFeatureExtractor(random_state=0), 28),
                                             (LocalPooling(), 16),
                                             (MorletTransformer(n_scales=2), 16),
                                             (ScatteringTransformer(), 16),
                                             (ScatteringTransformer(max_order=1), 16),
                                             (ContourletTransformer(), 28),
                                             (LocalPooling(transformer=ContourletTransformer(),
                                                           grid=3), 28)])
def test_images_only_api(estimator, size):
    """What the expected failures above would check, on images."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(12, size, size))
    est = clone(estimator)
    with pytest.raises(NotFittedError):
        est.transform(X)
    assert est.fit(X) is est  # fit returns self
    params = est.get_params()
    out = est.transform(X)
    assert est.get_params() == params  # fit does not change parameters
    assert est.n_features_in_ == size * size
    np.testing.assert_array_equal(clone(est).fit(X).transform(X), out)  # idempotent
    order = rng.permutation(12)
    np.testing.assert_allclose(est.transform(X[order]), out[order], atol=1e-12)  # sample order
    np.testing.assert_allclose(est.transform(X[:5]), out[:5], atol=1e-12)  # subset invariance
    np.testing.assert_allclose(est.transform(np.asfortranarray(X)), out, atol=1e-12)
    readonly = X.copy()
    readonly.setflags(write=False)
    np.testing.assert_array_equal(est.transform(readonly), out)
    np.testing.assert_array_equal(est.transform(X.tolist()), out)  # not an array
    assert est.transform(X.astype(np.int64)).dtype == np.float64
    assert est.fit(X.astype(np.float32)).transform(X.astype(np.float32)).dtype == np.float32
    with pytest.raises(ValueError, match="NaN"):
        clone(est).fit(np.full((2, size, size), np.nan))
