"""Bad input gets a clear error naming the problem, for every estimator."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import NotFittedError

from sklearn_sparsecode import ThresholdTransformer, WaveletTransformer

RNG = np.random.default_rng(0)
IMAGES = RNG.normal(size=(4, 16, 16))
ESTIMATORS = [WaveletTransformer, ThresholdTransformer]


def _with_value(value):
    X = IMAGES.copy()
    X[1, 2, 3] = value
    return X


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("value, word", [(np.nan, "NaN"), (np.inf, "infinity"),
                                         (-np.inf, "infinity")])
def test_non_finite(Estimator, value, word):
    X = _with_value(value)
    with pytest.raises(ValueError, match=word):
        Estimator().fit(X)
    fitted = Estimator().fit(IMAGES)
    with pytest.raises(ValueError, match=word):
        fitted.transform(X)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_empty(Estimator):
    with pytest.raises(ValueError, match="0 sample"):
        Estimator().fit(np.empty((0, 16, 16)))
    with pytest.raises(ValueError, match="0 sample"):
        Estimator().fit(np.empty((0, 5)))
    with pytest.raises(ValueError, match="0 feature"):
        Estimator().fit(np.empty((3, 0)))


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_sparse_rejected(Estimator):
    with pytest.raises(TypeError, match="[Ss]parse"):
        Estimator().fit(sp.csr_matrix(IMAGES.reshape(4, -1)))


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_complex_rejected(Estimator):
    with pytest.raises(ValueError, match="[Cc]omplex"):
        Estimator().fit(IMAGES + 1j)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_wrong_dimensions(Estimator):
    with pytest.raises(ValueError, match="Reshape your data"):
        Estimator().fit(np.ones(10))
    with pytest.raises(ValueError, match="4 dimensions"):
        Estimator().fit(np.ones((2, 3, 8, 8)))


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_wrong_number_of_features_at_transform(Estimator):
    fitted = Estimator().fit(IMAGES.reshape(4, -1))
    with pytest.raises(ValueError, match="255 features.*expecting 256"):
        fitted.transform(IMAGES.reshape(4, -1)[:, :255])


def test_wrong_image_shape_at_transform():
    fitted = WaveletTransformer().fit(RNG.normal(size=(2, 16, 16)))
    with pytest.raises(ValueError, match=r"images of shape \(8, 32\).*\(16, 16\)"):
        fitted.transform(RNG.normal(size=(2, 8, 32)))


def test_image_shape_mismatch():
    with pytest.raises(ValueError, match=r"image_shape=\(8, 8\) needs 64 features.*has 256"):
        WaveletTransformer(image_shape=(8, 8)).fit(IMAGES.reshape(4, -1))
    with pytest.raises(ValueError, match=r"does not match the shape of the images"):
        WaveletTransformer(image_shape=(8, 32)).fit(IMAGES)
    with pytest.raises(ValueError, match="pair of positive integers"):
        WaveletTransformer(image_shape=(256,)).fit(IMAGES.reshape(4, -1))


def test_image_too_small_for_level():
    with pytest.raises(ValueError, match=r"n_scales=4 is too deep for 16x16 images.*maximum is 2"):
        WaveletTransformer(wavelet="db2", n_scales=4).fit(IMAGES)
    with pytest.raises(ValueError, match=r"n_scales=3 is too deep for 40 signals"):
        WaveletTransformer(wavelet="db4", n_scales=3).fit(RNG.normal(size=(3, 40)))


@pytest.mark.parametrize("params, word", [
    ({"wavelet": "db99"}, "wavelet"), ({"wavelet": "morl"}, "wavelet"),
    ({"mode": "mirror"}, "mode"), ({"n_scales": 0}, "n_scales"), ({"batch_size": 0}, "batch_size"),
])
def test_bad_wavelet_parameters(params, word):
    with pytest.raises(ValueError, match=f"'{word}' parameter"):
        WaveletTransformer(**params).fit(IMAGES)


@pytest.mark.parametrize("params, word", [
    ({"tau": -0.1}, "tau"), ({"tau": "visu"}, "tau"), ({"shrinkage": "firmish"}, "shrinkage"),
    ({"sign": "abs"}, "sign"), ({"top_k": 0}, "top_k"), ({"top_k": 1.5}, "top_k"),
])
def test_bad_threshold_parameters(params, word):
    with pytest.raises(ValueError, match=f"'{word}' parameter"):
        ThresholdTransformer(**params).fit(IMAGES)


def test_threshold_function_rejects_bad_arguments():
    from sklearn_sparsecode.layers import threshold

    with pytest.raises(ValueError, match="'tau' parameter of threshold"):
        threshold(np.ones((2, 2)), -1.0)
    with pytest.raises(ValueError, match="'shrinkage' parameter of threshold"):
        threshold(np.ones((2, 2)), shrinkage="nope")
    with pytest.raises(ValueError, match="2-D"):
        threshold(np.ones(3))


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_not_fitted(Estimator):
    with pytest.raises(NotFittedError):
        Estimator().transform(IMAGES)


def test_inverse_transform_wrong_width():
    fitted = WaveletTransformer().fit(IMAGES)
    with pytest.raises(ValueError, match="produces 256 coefficients"):
        fitted.inverse_transform(np.zeros((2, 100)))
