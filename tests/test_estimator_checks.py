"""scikit-learn's estimator checks on every estimator, in several configurations."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_sparsecode import ThresholdTransformer, WaveletTransformer

ESTIMATORS = [
    WaveletTransformer(),
    WaveletTransformer("haar", level=1, mode="symmetric"),
    WaveletTransformer("bior2.2", mode="zero", batch_size=7, n_jobs=2),
    ThresholdTransformer(),
    ThresholdTransformer(tau=0.1, mode="soft", sign="split"),
    ThresholdTransformer(tau="universal", mode="garrote", sign="magnitude"),
    ThresholdTransformer(mode="hard", top_k=2),
    ThresholdTransformer(tau=0.05, mode="soft", top_k=0.5),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
