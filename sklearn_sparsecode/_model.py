"""The two-layer model as one scikit-learn pipeline: :func:`make_two_layer_model`.

h = σ_τ(W x), then a learned classifier on h. W is any fixed transformer of
this package (or ``"passthrough"`` for pixels), σ_τ a
:class:`ThresholdTransformer`, and the classifier a named head with the
feature scaling it needs.
"""

from numbers import Real

from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC, LinearSVC
from sklearn.utils._param_validation import HasMethods, StrOptions, validate_params

from .layers import ThresholdTransformer
from ._core.validation import Interval

__all__ = ["HEADS", "TAU", "make_two_layer_model"]

#: The grid-search key of τ in a model from :func:`make_two_layer_model`.
TAU = "head__threshold__tau"

#: Named heads: classifier, default C, whether features are standardised first.
#: Linear heads need standardised features. The RBF SVC does not: its
#: ``gamma="scale"`` already adapts to the overall variance, and unit variance
#: inflates near-constant features (border cells of pooled maps): on digits
#: that cost a point (99.1% -> 98.1%, benchmarks/bench_accuracy.py).
HEADS = {
    "svc": (SVC(gamma="scale"), 10.0, False),
    "logistic": (LogisticRegression(max_iter=2000), 0.1, True),
    "linear-svm": (LinearSVC(), 0.01, True),
}


@validate_params(
    {
        "transformer": [HasMethods(["fit", "transform"]), StrOptions({"passthrough"}), None],
        "tau": [Interval(Real, 0, None, closed="left")],
        "shrinkage": [StrOptions({"hard", "soft", "garrote"})],
        "sign": [StrOptions({"keep", "magnitude", "split"})],
        "head": [StrOptions(set(HEADS)), HasMethods(["fit", "predict"])],
        "C": [Interval(Real, 0, None, closed="neither"), None],
        "memory": [None, str, HasMethods(["cache"])],
    },
    prefer_skip_nested_validation=True,
)
def make_two_layer_model(transformer=None, *, tau=0.0, shrinkage="soft", sign="split", head="svc",
                         C=None, memory=None):
    """Pipeline W → (σ_τ → classifier): the two-layer model, ready for a τ search.

    The fixed first layer is the outer step ``"transform"``; the τ-dependent
    steps sit in a nested pipeline ``"head"`` (threshold ``"threshold"``,
    optional ``"scale"``, classifier ``"clf"``), so τ is
    ``head__threshold__tau`` (:data:`TAU`) and C is ``head__clf__C``.
    ``Pipeline(memory=...)`` caches every transformer step of the *outer*
    pipeline: nested this way it caches only W, which a search over τ and C
    then computes once per split instead of once per split and candidate.
    Flat, it would also write the thresholded codes to disk at every fit, a
    cache that never hits when τ changes (a 10-value τ search took 33% longer
    than on precomputed coefficients; 2% nested).

    Parameters
    ----------
    transformer : estimator, "passthrough" or None, default=None
        The fixed first layer W (cloned). None is
        ``WaveletTransformer(wavelet="haar", n_scales=2)``; ``"passthrough"``
        classifies the pixels themselves (the threshold step flattens images).
    tau : float, default=0.0
        Threshold τ of σ_τ.
    shrinkage : {"soft", "hard", "garrote"}, default="soft"
        Threshold rule, see :class:`ThresholdTransformer`.
    sign : {"split", "magnitude", "keep"}, default="split"
        Sign handling. A linear head needs ``"split"`` or ``"magnitude"`` on
        signed coefficients; pooled magnitudes are already non-negative, so
        ``"keep"`` suits them.
    head : {"svc", "logistic", "linear-svm"} or classifier, default="svc"
        ``"svc"``: RBF ``SVC(gamma="scale")`` on the codes as they are;
        ``"logistic"``: ``StandardScaler`` + ``LogisticRegression``;
        ``"linear-svm"``: ``StandardScaler`` + ``LinearSVC``. A classifier
        instance is used as is (cloned, no scaler).
    C : float or None, default=None
        Regularisation of a named head; None: 10 (svc), 0.1 (logistic), 0.01
        (linear-svm), the values the accuracy study picked most often on
        digits. Must be None when ``head`` is an instance.
    memory : str, joblib.Memory or None, default=None
        Cache for the first layer, passed to the outer ``Pipeline``. Use a
        temporary folder (``tempfile.TemporaryDirectory()``).

    Returns
    -------
    model : Pipeline
        ``Pipeline([("transform", W), ("head", Pipeline([("threshold", σ_τ),
        ("scale", ...), ("clf", classifier)]))], memory=memory)``.

    See Also
    --------
    ThresholdTransformer, LocalPooling, WaveletTransformer

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.model_selection import GridSearchCV
    >>> from sklearn_sparsecode import CurveletTransformer, LocalPooling, make_two_layer_model
    >>> digits = load_digits()
    >>> X, y = digits.images / 16.0, digits.target
    >>> pooled = LocalPooling(transformer=CurveletTransformer(
    ...     n_scales=2, n_orientations=8, decimated=False), grid=4, power=0.5)
    >>> model = make_two_layer_model(pooled, sign="keep", head="svc", C=3.0)
    >>> search = GridSearchCV(model, {"head__threshold__tau": [0.0, 0.05]}, cv=3)
    >>> search.fit(X[:898], y[:898]).score(X[898:], y[898:]) > 0.98
    True
    """
    if transformer is None:
        from .wavelets import WaveletTransformer

        transformer = WaveletTransformer(wavelet="haar", n_scales=2)
    elif transformer != "passthrough":
        transformer = clone(transformer)
    if isinstance(head, str):
        classifier, default_C, standardise = HEADS[head]
        classifier = clone(classifier).set_params(C=default_C if C is None else C)
    else:
        if C is not None:
            raise ValueError("C applies to a named head; set it on the classifier instead.")
        classifier, standardise = clone(head), False
    steps = [("threshold", ThresholdTransformer(tau=tau, shrinkage=shrinkage, sign=sign))]
    if standardise:
        steps.append(("scale", StandardScaler()))
    steps.append(("clf", classifier))
    return Pipeline([("transform", transformer), ("head", Pipeline(steps))], memory=memory)

