"""Saliency: the gradient of a fitted model's class score with respect to its input images."""

# Annotations stay strings: help() shows `X: ArrayLike`, not numpy's expanded union.
from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from sklearn.utils import gen_batches
from sklearn.utils._param_validation import HasMethods, validate_params

from .._core.batching import _single_threaded_blas
from .._core.validation import BATCH_SIZE
from ._chain import Chain

__all__ = ["class_score", "input_gradient"]


def _images(X, caller):
    """X as an ndarray of numbers, for slicing into chunks (transformers validate it)."""
    if hasattr(X, "iloc"):  # data frames keep their columns for the first step
        return X
    X = np.asarray(X)
    if X.dtype.kind not in "biuf":
        raise ValueError(f"{caller} expects numeric images; got an array of dtype {X.dtype}.")
    return X


def _rows(X, rows):
    return X.iloc[rows] if hasattr(X, "iloc") else X[rows]


def class_scores(chain, X, target, versus=None):
    """The differentiated score (see :func:`input_gradient`) of each image, without gradient."""
    _, h = chain.forward(X)
    return chain.head_score(h, target, versus)[0]


def score_and_gradient(chain, X, target, versus=None):
    """Scores (n,) and their gradients with respect to X (shaped like X)."""
    inputs, h = chain.forward(X)
    score, g = chain.head_score(h, target, versus)
    return score, chain.backward(inputs, g)


@validate_params(
    {"model": [HasMethods(["fit", "predict"])], "X": ["array-like"], "target": "no_validation",
     "versus": "no_validation"},
    prefer_skip_nested_validation=True)
def class_score(model, X: ArrayLike, *, target, versus=None) -> np.ndarray:
    """The score of class ``target`` that :func:`input_gradient` differentiates, per image.

    ``decision_function(X)[:, k]`` for a linear head with more than two
    classes; the decision function or its negative for a binary head; for a
    multiclass SVC the sum over the other classes of the pairwise decision
    values in favour of ``target`` (or the one pair with ``versus``). See
    :func:`input_gradient`.

    Parameters
    ----------
    model : fitted classifier or Pipeline
    X : array-like of shape (n_samples, height, width) or (n_samples, n_features)
    target : label
    versus : label or None, default=None

    Returns
    -------
    scores : ndarray of shape (n_samples,)

    Examples
    --------
    >>> from sklearn.svm import SVC
    >>> from sklearn_sparsecode.datasets import load_train_test
    >>> from sklearn_sparsecode.inspection import class_score
    >>> X, y, _, _ = load_train_test("digits")
    >>> svc = SVC().fit(X.reshape(len(X), -1), y)
    >>> class_score(svc, X[:3].reshape(3, -1), target=0).shape
    (3,)
    """
    chain = Chain(model, "class_score")
    if chain.head is None:
        raise TypeError(f"class_score needs a classifier at the end of the model; "
                        f"{type(model).__name__} ends with a transformer.")
    chain.check_target(target, versus)
    return np.asarray(class_scores(chain, _images(X, "class_score"), target, versus))


@validate_params(
    {"model": [HasMethods(["fit", "predict"])], "X": ["array-like"], "target": "no_validation",
     "versus": "no_validation", "batch_size": BATCH_SIZE},
    prefer_skip_nested_validation=True)
def input_gradient(model, X: ArrayLike, *, target, versus=None,
                   batch_size: int | None = 256) -> np.ndarray:
    """Gradient of a fitted model's decision function for one class with respect to X.

    A saliency map: how the score of class ``target`` changes with each pixel
    of each image. The model is a fitted two-layer model, a
    :class:`~sklearn.pipeline.Pipeline` of this package's transformers (each
    differentiated by its ``transform_vjp``), scikit-learn scalers
    (``StandardScaler``, ``MinMaxScaler``, ``MaxAbsScaler``) or ``PCA``, and a
    classifier head whose decision function is differentiable: a linear head
    (``coef_``: LogisticRegression, LinearSVC, ...) or an SVC with a linear,
    RBF, polynomial or sigmoid kernel.

    The score differentiated:

    * linear head, more than two classes: ``decision_function(X)[:, k]`` for
      ``classes_[k] == target``;
    * binary heads (linear or SVC): the decision function, which is the score
      of ``classes_[1]``, for ``target == classes_[1]``, its negative for
      ``classes_[0]``;
    * multiclass SVC: the sum over the other classes j of the pairwise
      (one-vs-one) decision values d_kj in favour of ``target``, positive where
      the pair's classifier votes for it. That sum is the confidence
      scikit-learn adds to the votes in its one-vs-rest ``decision_function``;
      the votes themselves are piecewise constant, with zero gradient almost
      everywhere. ``versus=j`` differentiates the single pair d_kj instead.

    Non-linear steps have their kinks handled as their ``transform_vjp``
    documents (a hard threshold's jump is invisible to the gradient).

    Parameters
    ----------
    model : fitted classifier or Pipeline
    X : array-like of shape (n_samples, height, width) or (n_samples, n_features)
        Images in the form ``model`` takes.
    target : label
        A class of ``model.classes_``.
    versus : label or None, default=None
        For an SVC head: differentiate only the pairwise decision function of
        ``target`` against this class.
    batch_size : int or None, default=256
        Images whose intermediate features are held at once (None: all).

    Returns
    -------
    gradient : ndarray of the shape of X

    Raises
    ------
    sklearn.exceptions.NotFittedError
        If the model is not fitted.
    ValueError
        If ``target`` (or ``versus``) is not a class of the model.
    TypeError
        If a step cannot be differentiated, or the head has no differentiable
        decision function (trees, nearest neighbours, ...).

    References
    ----------
    .. [1] K. Simonyan, A. Vedaldi and A. Zisserman, "Deep inside convolutional
       networks: visualising image classification models and saliency maps",
       ICLR workshop, 2014.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn_sparsecode import WaveletTransformer
    >>> from sklearn_sparsecode.datasets import load_train_test
    >>> from sklearn_sparsecode.inspection import input_gradient
    >>> X, y, _, _ = load_train_test("digits")
    >>> model = make_pipeline(WaveletTransformer(wavelet="haar"),
    ...                       LogisticRegression(max_iter=1000)).fit(X, y)
    >>> input_gradient(model, X[:2], target=3).shape
    (2, 8, 8)
    """
    chain = Chain(model, "input_gradient")
    if chain.head is None:
        raise TypeError(f"input_gradient needs a classifier at the end of the model; "
                        f"{type(model).__name__} ends with a transformer (use its "
                        f"transform_vjp for features).")
    chain.check_target(target, versus)
    X = _images(X, "input_gradient")
    n = X.shape[0]
    if n == 0:
        raise ValueError("input_gradient needs at least one image; got X with 0 samples.")
    pieces = []
    with _single_threaded_blas():  # held once for every chunk's steps
        for rows in gen_batches(n, batch_size or n):
            pieces.append(np.asarray(
                score_and_gradient(chain, _rows(X, rows), target, versus)[1]))
    return np.concatenate(pieces) if len(pieces) > 1 else pieces[0]
