"""A fitted model as a chain of differentiable steps: transformers, then maybe a head.

A :class:`~sklearn.pipeline.Pipeline` (nested pipelines are flattened,
``"passthrough"`` steps dropped) is read as steps f_1, …, f_k and an optional
classifier head. The forward keeps every step's input; the backward runs each
step's vector–Jacobian product from the last to the first:

* this package's transformers: their ``transform_vjp``;
* scikit-learn's scalers, in closed form: ``StandardScaler`` (divide by
  ``scale_``), ``MaxAbsScaler`` (divide by ``scale_``), ``MinMaxScaler``
  (multiply by ``scale_``; 0 where ``clip=True`` clipped), and ``PCA``
  (the components, divided by √explained_variance when whitened);
* the head's decision function for one class: a linear head (``coef_``,
  e.g. LogisticRegression, LinearSVC) or a kernel SVC (linear, RBF,
  polynomial or sigmoid kernel) through its pairwise (one-vs-one) decision
  functions; see :meth:`Chain.head_score`.
"""

import numpy as np
from sklearn.decomposition import PCA
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MaxAbsScaler, MinMaxScaler, StandardScaler
from sklearn.svm import SVC, NuSVC
from sklearn.utils.validation import check_is_fitted

KERNELS = ("linear", "rbf", "poly", "sigmoid")


def _flatten(model):
    if isinstance(model, Pipeline):
        steps = []
        for _, step in model.steps:
            if step is None or (isinstance(step, str) and step == "passthrough"):
                continue
            steps.extend(_flatten(step))
        return steps
    return [model]


def _is_head(step):
    return hasattr(step, "classes_") or (hasattr(step, "predict") and
                                         not hasattr(step, "transform"))


def _scaler_vjp(step, h, g):
    """Cotangent of the input of a scikit-learn scaler or PCA, in closed form."""
    if isinstance(step, StandardScaler):
        return g if step.scale_ is None else g / step.scale_
    if isinstance(step, MaxAbsScaler):
        return g / step.scale_
    if isinstance(step, MinMaxScaler):
        g = g * step.scale_
        if step.clip:
            out = h * step.scale_ + step.min_
            low, high = step.feature_range
            g = np.where((out < low) | (out > high), 0, g)
        return g
    if isinstance(step, PCA):
        if step.whiten:
            g = g / np.sqrt(step.explained_variance_)
        return g @ step.components_
    raise TypeError


SCALERS = (StandardScaler, MaxAbsScaler, MinMaxScaler, PCA)


class Chain:
    """The differentiable view of a fitted model (see the module docstring).

    Parameters
    ----------
    model : fitted estimator
        A Pipeline of transformers with or without a final classifier, a
        single transformer, or a single classifier.
    caller : str
        The public function, for error messages.
    """

    def __init__(self, model, caller):
        check_is_fitted(model)
        steps = _flatten(model)
        self.caller = caller
        self.head = steps[-1] if _is_head(steps[-1]) else None
        self.steps = steps[:-1] if self.head is not None else steps
        for step in self.steps:
            if not (hasattr(step, "transform_vjp") or isinstance(step, SCALERS)):
                raise TypeError(
                    f"{caller} cannot differentiate through {type(step).__name__}: it has "
                    f"no transform_vjp. Supported steps: this package's transformers, "
                    f"StandardScaler, MinMaxScaler, MaxAbsScaler and PCA.")
        if self.head is not None:
            self._check_head(self.head)

    # -- the head ------------------------------------------------------------

    def _check_head(self, head):
        name = type(head).__name__
        if isinstance(head, (SVC, NuSVC)):
            if head.kernel not in KERNELS:
                raise TypeError(f"{self.caller} differentiates SVC decision functions with "
                                f"a {', '.join(KERNELS)} kernel; this {name} has "
                                f"kernel={head.kernel!r}.")
            return
        if not (hasattr(head, "coef_") and hasattr(head, "intercept_")
                and hasattr(head, "decision_function")):
            raise TypeError(
                f"{self.caller} needs a head with a differentiable decision function: a "
                f"linear classifier (coef_ and decision_function: LogisticRegression, "
                f"LinearSVC, ...) or an SVC; {name} is neither.")

    @property
    def classes(self):
        return self.head.classes_

    def check_target(self, target, versus=None):
        """The indices of ``target`` (and ``versus``) in ``classes_``, or a ValueError."""
        if self.head is None:
            raise ValueError(f"{self.caller}: target needs a classifier at the end of the "
                             f"model; this model ends with a transformer (pass feature=).")
        classes = np.asarray(self.classes).tolist()
        indices = []
        for name, label in (("target", target), ("versus", versus)):
            if name == "versus" and label is None:
                indices.append(None)
                continue
            matches = [i for i, c in enumerate(classes) if c == label]
            if not matches or isinstance(label, (bool, np.bool_)) != isinstance(
                    classes[matches[0]], (bool, np.bool_)):
                raise ValueError(f"{name}={label!r} is not a class of the model; its "
                                 f"classes_ are {classes}.")
            indices.append(matches[0])
        if indices[1] is not None and indices[1] == indices[0]:
            raise ValueError(f"versus={versus!r} must be another class than target.")
        if indices[1] is not None and not isinstance(self.head, (SVC, NuSVC)):
            raise ValueError("versus applies to SVC heads (pairwise decision functions).")
        return indices

    def _svc_terms(self, h, pairs):
        """Pairwise decision values and their gradients for the listed (i, j, sign)."""
        head = self.head
        sv = head.support_vectors_
        sv = sv.toarray() if hasattr(sv, "toarray") else np.asarray(sv)
        gamma = head._gamma
        n_classes = len(head.classes_)
        starts = np.concatenate([[0], np.cumsum(head.n_support_)])
        if head.kernel == "linear":
            products = h @ sv.T
            kernel, slope = products, None
        elif head.kernel == "rbf":
            distances = (np.sum(h**2, axis=1)[:, None] - 2 * h @ sv.T
                         + np.sum(sv**2, axis=1)[None, :])
            kernel = np.exp(-gamma * np.maximum(distances, 0))
        else:
            base = gamma * (h @ sv.T) + head.coef0
            kernel = base**head.degree if head.kernel == "poly" else np.tanh(base)
        value = np.zeros(len(h))
        weights = np.zeros((len(h), len(sv)))  # Σ weight · ∇K(sv, h) gives the gradient
        for i, j, sign in pairs:
            if n_classes == 2:  # scikit-learn's sign: positive is classes_[1]
                alpha = head.dual_coef_[0]
                intercept = head.intercept_[0]
                sign = -sign  # pairs are written (i, j) = (0, 1) with "positive is i"
            else:
                alpha = np.zeros(len(sv))
                alpha[starts[i]:starts[i + 1]] = head.dual_coef_[j - 1, starts[i]:starts[i + 1]]
                alpha[starts[j]:starts[j + 1]] = head.dual_coef_[i, starts[j]:starts[j + 1]]
                p = n_classes * i - i * (i + 1) // 2 + (j - i - 1)
                intercept = head.intercept_[p]
            value += sign * (kernel @ alpha + intercept)
            weights += sign * alpha[None, :]
        if head.kernel == "linear":
            return value, weights @ sv
        if head.kernel == "rbf":
            wk = weights * kernel
            return value, 2 * gamma * (wk @ sv - np.sum(wk, axis=1)[:, None] * h)
        base = gamma * (h @ sv.T) + head.coef0
        if head.kernel == "poly":
            slope = head.degree * base ** (head.degree - 1) if head.degree else 0 * base
        else:
            slope = 1 - np.tanh(base) ** 2
        return value, gamma * ((weights * slope) @ sv)

    def _svc_pairs(self, c, versus):
        """(i, j, sign): the pairs of the score of class c, as "decision of i over j"."""
        others = [versus] if versus is not None else [
            k for k in range(len(self.classes)) if k != c]
        return [(min(c, k), max(c, k), 1.0 if c < k else -1.0) for k in others]

    def head_score(self, h, target, versus=None):
        """The differentiated score of class ``target`` and its gradient in h.

        Linear head with K > 2 classes: ``decision_function(h)[:, k]``, gradient
        ``coef_[k]``. Binary linear head: the decision function (the score of
        ``classes_[1]``) for ``classes_[1]``, its negative for ``classes_[0]``.
        SVC: the sum over the other classes j of the pairwise decision values
        d_kj(h) in favour of k (positive when the pair's classifier votes for
        k), which is the confidence scikit-learn adds to the votes in its
        one-vs-rest view (the votes themselves are piecewise constant); with
        ``versus=j``, the one pairwise value d_kj. For two classes this is the
        decision function (``classes_[1]``) or its negative.
        """
        k, other = self.check_target(target, versus)
        head = self.head
        if isinstance(head, (SVC, NuSVC)):
            return self._svc_terms(h, self._svc_pairs(k, other))
        coef = np.atleast_2d(head.coef_)
        intercept = np.atleast_1d(head.intercept_)
        if coef.shape[0] == 1:  # binary: one decision function, for classes_[1]
            sign = 1.0 if k == 1 else -1.0
            return sign * (h @ coef[0] + intercept[0]), np.tile(sign * coef[0], (len(h), 1))
        return h @ coef[k] + intercept[k], np.tile(coef[k], (len(h), 1))

    # -- the steps -----------------------------------------------------------

    def forward(self, X):
        """The inputs of every step and the output of the last: ``(inputs, output)``."""
        inputs, h = [], X
        for step in self.steps:
            inputs.append(h)
            h = step.transform(h)
        return inputs, np.asarray(h)

    def backward(self, inputs, g):
        """The cotangent of X from that of the last step's output."""
        for step, h in zip(self.steps[::-1], inputs[::-1]):
            if hasattr(step, "transform_vjp"):
                g = step.transform_vjp(h, g)
            else:
                g = _scaler_vjp(step, np.asarray(h), g)
        return g

    @property
    def first(self):
        return self.steps[0] if self.steps else self.head
