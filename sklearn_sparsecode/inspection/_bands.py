"""Which bands a fitted two-layer model relies on: :func:`band_importance`.

A two-layer model is a fixed first layer (a transform of this package, whose
``bands_`` say which output columns form which band) followed by learned steps.
The importance of a band is read two ways:

* ``"coef"``: the share of the linear head's squared coefficient norm that falls
  on the band's columns (after the elementwise steps between the layer and the
  head: thresholds, split signs, scalers). Cheap, but only as meaningful as the
  scale of the head's inputs (standardise them).
* ``"permutation"``: the drop of the model's score when the band's columns of
  the first layer's output are shuffled across samples (jointly, so the band's
  own structure stays intact), as scikit-learn's ``permutation_importance`` does
  for single columns. Works for any head.
"""

from numbers import Integral

import numpy as np
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MaxAbsScaler, MinMaxScaler, StandardScaler
from sklearn.utils import Bunch, check_random_state
from sklearn.utils._param_validation import HasMethods, StrOptions, validate_params
from sklearn.utils.validation import check_is_fitted

from .._core.validation import Interval

__all__ = ["band_importance"]

# Steps that map column i of their input to column i (or i and i + n for split signs).
_COLUMNWISE = (StandardScaler, MinMaxScaler, MaxAbsScaler)


def _flat_steps(model):
    """The steps of a (possibly nested) pipeline, in order, as (name, estimator)."""
    steps = []
    for name, step in model.steps:
        if isinstance(step, Pipeline):
            steps += [(f"{name}__{inner}", est) for inner, est in _flat_steps(step)]
        else:
            steps.append((name, step))
    return steps


def _split_model(model):
    """(first layer, the learned rest as a Pipeline) of a fitted two-layer pipeline."""
    if not isinstance(model, Pipeline):
        raise TypeError(f"band_importance needs a fitted Pipeline whose first step is a "
                        f"transform of this package; got {type(model).__name__}.")
    steps = [(n, s) for n, s in _flat_steps(model) if s not in (None, "passthrough")]
    layer = steps[0][1]
    check_is_fitted(layer)
    if not hasattr(layer, "bands_"):
        raise TypeError(f"The first step of the model, {type(layer).__name__}, has no bands_: "
                        f"band_importance needs one of this package's multiscale transforms "
                        f"(or LocalPooling) first.")
    return layer, steps[1:]


def _group_of_bands(bands, by):
    labels = []
    for band in bands:
        if by == "scale":
            channel = "" if band.channel is None else f"c{band.channel}_"
            label = f"{channel}{band.scale_label} {band.scale}"
            if band.lowpass:
                label += " lowpass"
        else:
            label = band.prefix
            if band.part in ("re", "im"):  # both halves of a complex band are one band
                label = label[: -len(band.part) - 1]
        labels.append(label)
    return labels


def _column_groups(layer, by):
    """Group index of every output column of ``layer`` and the group labels, in order."""
    labels = _group_of_bands(layer.bands_, by)
    names = list(dict.fromkeys(labels))
    index = {name: i for i, name in enumerate(names)}
    columns = np.empty(layer.bands_[-1].stop, dtype=np.intp)
    for band, label in zip(layer.bands_, labels):
        columns[band.start:band.stop] = index[label]
    bands_of = [[b for b, lab in zip(layer.bands_, labels) if lab == name] for name in names]
    return columns, names, bands_of


def _through_columnwise(groups, steps):
    """Carry column groups through the elementwise steps up to the linear head."""
    from ..layers import ThresholdTransformer

    for name, step in steps[:-1]:
        if isinstance(step, ThresholdTransformer):
            groups = np.tile(groups, 2) if step.sign == "split" else groups
        elif not isinstance(step, _COLUMNWISE):
            raise ValueError(f"method='coef' reads the head's coefficients column by column, "
                             f"but step {name!r} ({type(step).__name__}) mixes columns; use "
                             f"method='permutation'.")
    return groups


def _score(steps, features, y):
    """Score of the learned steps on first-layer features (the last step's own score)."""
    for _, step in steps[:-1]:
        features = step.transform(features)
    return steps[-1][1].score(features, y)


@validate_params(
    {
        "model": [HasMethods(["fit", "predict"])],
        "X": ["array-like", None],
        "y": ["array-like", None],
        "method": [StrOptions({"coef", "permutation"})],
        "by": [StrOptions({"band", "scale"})],
        "n_repeats": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def band_importance(model, X=None, y=None, *, method="coef", by="band", n_repeats=5,
                    random_state=None):
    """How much each band (or scale) of the fixed first layer weighs in a fitted model.

    Parameters
    ----------
    model : Pipeline
        A fitted pipeline whose first step is one of this package's multiscale
        transformers (or :class:`~sklearn_sparsecode.LocalPooling`), e.g. from
        :func:`~sklearn_sparsecode.make_two_layer_model`. Nested pipelines are
        read step by step.
    X, y : array-like, optional
        Held-out images and labels; needed for ``method="permutation"``.
    method : {"coef", "permutation"}, default="coef"
        ``"coef"``: share of the linear head's squared coefficients (``coef_``)
        on each group's columns; the steps between the layer and the head must
        act column by column (thresholds, scalers). ``"permutation"``: mean drop
        of ``model``'s score when the group's first-layer columns are shuffled
        across the samples of ``X``.
    by : {"band", "scale"}, default="band"
        Group the columns by band (both halves of a complex band together) or
        by scale (and channel).
    n_repeats : int, default=5
        Shuffles per group for ``method="permutation"``.
    random_state : int, RandomState instance or None, default=None
        Seeds the shuffles.

    Returns
    -------
    result : Bunch
        ``names`` (group labels, in the layer's band order), ``scale``,
        ``orientation`` (degrees, NaN where undefined or mixed), ``n_columns``,
        ``importances_mean`` and ``importances_std`` (0 for ``"coef"``) and
        ``importances`` of shape (n_groups, n_repeats) for ``"permutation"``;
        ``baseline_score`` for ``"permutation"``.

    See Also
    --------
    sklearn.inspection.permutation_importance : the same idea, column by column.
    sklearn_sparsecode.plotting.plot_band_importance : draws the result.

    References
    ----------
    .. [1] L. Breiman, "Random forests", Machine Learning 45 (2001) 5–32
       (permutation importance).

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn_sparsecode import WaveletTransformer
    >>> from sklearn_sparsecode.inspection import band_importance
    >>> digits = load_digits()
    >>> model = make_pipeline(WaveletTransformer(wavelet="haar", n_scales=2), StandardScaler(),
    ...                       LogisticRegression(max_iter=2000)).fit(digits.images, digits.target)
    >>> result = band_importance(model, by="scale")
    >>> list(result.names)
    ['level 2 lowpass', 'level 2', 'level 1']
    >>> bool(abs(result.importances_mean.sum() - 1) < 1e-12)
    True
    """
    layer, steps = _split_model(model)
    if not steps:
        raise ValueError("The model has no step after its first layer to inspect.")
    columns, names, bands_of = _column_groups(layer, by)
    n_groups = len(names)
    result = Bunch(names=np.asarray(names, dtype=object),
                   scale=np.array([bands[0].scale for bands in bands_of]),
                   orientation=np.array([_common_orientation(bands) for bands in bands_of]),
                   n_columns=np.bincount(columns, minlength=n_groups))
    if method == "coef":
        head = steps[-1][1]
        if not hasattr(head, "coef_"):
            raise ValueError(f"method='coef' needs a linear head with coef_; "
                             f"{type(head).__name__} has none. Use method='permutation'.")
        groups = _through_columnwise(columns, steps)
        weights = np.atleast_2d(np.asarray(head.coef_, dtype=float))
        if weights.shape[1] != groups.size:
            raise ValueError(f"The head has {weights.shape[1]} input columns but the first "
                             f"layer gives {groups.size} after the steps between them.")
        energy = np.bincount(groups, weights=(weights ** 2).sum(axis=0), minlength=n_groups)
        result.importances_mean = energy / energy.sum()
        result.importances_std = np.zeros(n_groups)
        return result
    if X is None or y is None:
        raise ValueError("method='permutation' needs held-out images X and labels y.")
    features = layer.transform(X)
    rng = check_random_state(random_state)
    baseline = _score(steps, features, y)
    drops = np.empty((n_groups, n_repeats))
    shuffled = features.copy()
    for g in range(n_groups):
        cols = np.flatnonzero(columns == g)
        for r in range(n_repeats):
            # Gather only the group's columns (not a shuffled copy of every column).
            shuffled[:, cols] = features[rng.permutation(len(features))[:, None], cols]
            drops[g, r] = baseline - _score(steps, shuffled, y)
        shuffled[:, cols] = features[:, cols]
    result.update(importances=drops, importances_mean=drops.mean(axis=1),
                  importances_std=drops.std(axis=1), baseline_score=baseline)
    return result


def _common_orientation(bands):
    angles = {b.orientation for b in bands}
    if len(angles) == 1 and None not in angles:
        return float(angles.pop())
    return np.nan
