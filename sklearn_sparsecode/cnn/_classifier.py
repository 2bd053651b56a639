"""CNNClassifier: the numpy CNN trained end to end (or layer by layer) as a classifier."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    check_consistent_length,
    check_is_fitted,
    column_or_1d,
    validate_data,
)

from .._core.validation import FLOAT_DTYPES, VERBOSE, Interval, work_dtype
from ._backward import backward, forward_cached
from ._input import CHANNEL_AXIS, validate_cnn_images
from ._layers import ACTIVATIONS, forward, lenet5_spec, normalize_spec, output_shapes
from ._training import log_softmax, make_optimizer, softmax_cross_entropy, train_epoch
from ._weights import make_weights

HEAD = "output"


class CNNClassifier(ClassifierMixin, BaseEstimator):
    """A small CNN (or fully connected network) trained in numpy, as a classifier.

    The network of :class:`CNNFeatureExtractor` plus a dense output layer
    ``"output"`` with one unit per class, trained by minibatch gradient descent
    on the softmax cross-entropy (SGD with momentum or Adam, in the arithmetic
    of ``torch.optim``), with every layer or only some (``trainable``): a first
    layer frozen at a known frame, or one layer of a random network trained
    alone. No deep-learning framework is needed; gradients are exact
    (checked against finite differences and PyTorch's autograd).

    Parameters
    ----------
    architecture : "lenet5" or list of dict, default="lenet5"
        As in :class:`CNNFeatureExtractor`; the output layer ``"output"`` is
        appended (after a flatten if the last layer gives maps). A fully
        connected network is ``[{"type": "flatten"}, {"type": "dense",
        "out_features": 100}, {"type": "activation"}, ...]``; such a network
        (first layer a flatten) also takes 2-D X as a plain table of features.
    weights : str, dict or path, default="random"
        Initial weights, as in :class:`CNNFeatureExtractor` (``"random"``,
        ``"gabor"``, ``"wavelet"``, ``"morlet"``, ``"lenet5-fashion-mnist"``,
        a ``state_dict``-like mapping or ``.npz`` path). Layers the mapping does
        not name (the output layer, say) get PyTorch's default random
        initialisation.
    activation : {"tanh", "relu", "sigmoid", "hardtanh", "identity"}, default="tanh"
        Activation of the ``"lenet5"`` architecture.
    pooling : {"avg", "max"}, default="avg"
        Pooling of the ``"lenet5"`` architecture.
    trainable : list of str or None, default=None
        Names of the conv/dense layers to train (the others stay at their
        initial weights); None trains every layer, ``[]`` none (``fit`` then
        only builds the network and records its loss).
    solver : {"adam", "sgd"}, default="adam"
        ``"adam"``: Adam (β₁ = 0.9, β₂ = 0.999, ε = 1e-8); ``"sgd"``: SGD with
        ``momentum``.
    learning_rate : float, default=1e-3
    momentum : float, default=0.9
        Momentum of ``"sgd"`` (0 is plain SGD).
    batch_size : int, default=128
        Images per gradient step.
    max_iter : int, default=10
        Epochs (passes over the training set) of ``fit``.
    shuffle : bool, default=True
        Draw a new order of the images at each epoch (seeded by
        ``random_state``).
    random_state : int, RandomState or None, default=None
        Seeds the initial weights and the order of the images: with an int,
        ``fit`` is reproducible bit for bit.
    channel_axis : int or None, default=None
        Axis of X that holds colour channels (scikit-image's meaning); they
        are the first convolution's input channels. None: grey images.
    image_shape : tuple (height, width) or None, default=None
        Required when X is 2-D (one flattened grey image per row).
    verbose : int, default=0
        One line per epoch on stderr when > 0.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    layers_ : list of dict
        Each layer's spec, ``output_shape`` and, for conv and dense layers,
        the current ``weight`` and ``bias`` (in the dtype of the training data:
        float32 for float32 images, float64 otherwise).
    loss_curve_ : list of float
        Mean training loss of each epoch.
    n_iter_ : int
        Epochs run so far.
    t_ : int
        Gradient steps taken so far.
    n_features_in_ : int
    input_shape_ : (height, width)
    n_channels_ : int or None
        Channels of the input images (None for grey).

    Examples
    --------
    >>> from sklearn_sparsecode import CNNClassifier
    >>> from sklearn_sparsecode.datasets import load_train_test
    >>> X, y, X_test, y_test = load_train_test("digits")
    >>> mlp = [{"type": "flatten"}, {"type": "dense", "out_features": 32},
    ...        {"type": "activation", "function": "tanh"}]
    >>> clf = CNNClassifier(architecture=mlp, learning_rate=0.01, max_iter=30, random_state=0)
    >>> clf.fit(X, y).score(X_test, y_test) > 0.9
    True
    >>> sorted(clf.state_dict())
    ['dense1.bias', 'dense1.weight', 'output.bias', 'output.weight']
    """

    _parameter_constraints: dict = {
        "architecture": [StrOptions({"lenet5"}), list],
        "weights": "no_validation",  # str, dict or path: checked in fit
        "activation": [StrOptions(set(ACTIVATIONS))],
        "pooling": [StrOptions({"avg", "max"})],
        "trainable": [list, None],
        "solver": [StrOptions({"adam", "sgd"})],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "momentum": [Interval(Real, 0, 1, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "channel_axis": CHANNEL_AXIS,
        "image_shape": ["array-like", None],
        "verbose": VERBOSE,
    }

    def __init__(self, *, architecture="lenet5", weights="random", activation="tanh",
                 pooling="avg", trainable=None, solver="adam", learning_rate=1e-3,
                 momentum=0.9, batch_size=128, max_iter=10, shuffle=True, random_state=None,
                 channel_axis=None, image_shape=None, verbose=0):
        self.architecture = architecture
        self.weights = weights
        self.activation = activation
        self.pooling = pooling
        self.trainable = trainable
        self.solver = solver
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.channel_axis = channel_axis
        self.image_shape = image_shape
        self.verbose = verbose

    def _validate(self, X, reset):
        shape = X.shape if hasattr(X, "shape") else np.shape(np.asarray(X))
        if (self.image_shape is None and self.channel_axis is None and len(shape) == 2
                and not isinstance(self.architecture, str) and self.architecture
                and isinstance(self.architecture[0], dict)
                and self.architecture[0].get("type") == "flatten"):
            # A network that starts by flattening takes a table of features as it is:
            # one row of (1, n_features) "pixels" per sample, never an image.
            table = validate_data(self, X, reset=reset, dtype=FLOAT_DTYPES)
            if reset:
                self.input_shape_, self.n_channels_ = (1, table.shape[1]), None
            return table.reshape(len(table), 1, table.shape[1])
        return validate_cnn_images(self, X, reset=reset, image_shape=self.image_shape,
                                   channel_axis=self.channel_axis)

    def _targets(self, X, y):
        y = column_or_1d(y, warn=True)
        check_consistent_length(X, y)
        return y

    def _build(self, images, y, classes):
        """Layers, initial weights, optimizer and shuffling generator (first fit)."""
        check_classification_targets(y)
        self.classes_ = np.unique(y) if classes is None else np.unique(np.asarray(classes))
        if len(self.classes_) < 2:
            raise ValueError(f"CNNClassifier needs at least 2 classes; got 1 class: "
                             f"{self.classes_}.")
        spec = (lenet5_spec(self.activation, self.pooling) if isinstance(self.architecture, str)
                else list(self.architecture))
        shapes = output_shapes(normalize_spec(spec), self.input_shape_, self.n_channels_ or 1)
        if len(shapes[-1]) == 3:
            spec.append({"type": "flatten", "name": f"{HEAD}_flatten"})
        spec.append({"type": "dense", "name": HEAD, "out_features": len(self.classes_)})
        layers = normalize_spec(spec)
        shapes = output_shapes(layers, self.input_shape_, self.n_channels_ or 1)
        names = [layer["name"] for layer in layers if layer["type"] in ("conv", "dense")]
        trainable = names if self.trainable is None else list(self.trainable)
        unknown = [name for name in trainable if name not in names]
        if unknown:
            raise ValueError(f"trainable must name conv or dense layers among {names}; "
                             f"got {self.trainable!r}.")
        rng = check_random_state(self.random_state)
        params = make_weights(self.weights, layers, shapes, rng, self.n_channels_ or 1,
                              optional=(HEAD,))
        dtype = work_dtype(images.dtype)
        self.layers_ = []
        for layer, shape in zip(layers, shapes):
            entry = {**layer, "output_shape": shape}
            if layer["name"] in params:
                weight, bias = params[layer["name"]]
                entry["weight"] = np.array(weight, dtype=dtype)
                entry["bias"] = np.array(bias, dtype=dtype)
            self.layers_.append(entry)
        self._trainable = trainable
        self._optimizer = make_optimizer(self.solver, self.learning_rate, self.momentum)
        self._order_rng = np.random.default_rng(rng.randint(2**32, dtype=np.uint64))
        self.loss_curve_, self.n_iter_, self.t_ = [], 0, 0

    def _labels(self, y):
        index = np.searchsorted(self.classes_, y)
        index = np.minimum(index, len(self.classes_) - 1)
        unseen = self.classes_[index] != y
        if np.any(unseen):
            raise ValueError(f"y has labels {np.unique(y[unseen])[:5]} not in classes_ "
                             f"{self.classes_}.")
        return index

    def _epochs(self, images, y, epochs):
        labels = self._labels(y)
        dtype = self.layers_[0].get("weight", np.empty(0, work_dtype(images.dtype))).dtype
        params = {}
        for layer in self.layers_:
            if "weight" in layer:
                params[f"{layer['name']}.weight"] = layer["weight"]
                params[f"{layer['name']}.bias"] = layer["bias"]
        images = images.astype(dtype, copy=False)
        for _ in range(epochs):
            order = (self._order_rng.permutation(len(images)) if self.shuffle
                     else np.arange(len(images)))
            loss = train_epoch(images, labels, self.layers_, params, self._trainable,
                               self._optimizer, self.batch_size, order)
            self.loss_curve_.append(loss)
            self.n_iter_ += 1
            self.t_ += -(-len(images) // self.batch_size)
            if self.verbose:
                import sys

                print(f"CNNClassifier: epoch {self.n_iter_}, loss {loss:.4f}", file=sys.stderr)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: ArrayLike, y: ArrayLike) -> "CNNClassifier":
        """Initialise the network and train it for ``max_iter`` epochs.

        Parameters
        ----------
        X : array-like of shape (n_samples, height, width), (n_samples, h * w)
            with ``image_shape``, or with a channel axis (``channel_axis``)
        y : array-like of shape (n_samples,)

        Returns
        -------
        self : CNNClassifier
        """
        images = self._validate(X, reset=True)
        y = self._targets(images, y)
        self._build(images, y, None)
        return self._epochs(images, y, self.max_iter)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X: ArrayLike, y: ArrayLike, classes: ArrayLike | None = None
                    ) -> "CNNClassifier":
        """One epoch over (X, y); the first call initialises the network.

        ``fit(X, y)`` with ``max_iter=k`` gives the same weights as ``k`` calls
        of ``partial_fit(X, y)`` on a fresh estimator (same ``random_state``).

        Parameters
        ----------
        X : array-like, as in :meth:`fit`
        y : array-like of shape (n_samples,)
        classes : array-like or None
            Every class, needed at the first call if y does not show them all.

        Returns
        -------
        self : CNNClassifier
        """
        first = not hasattr(self, "layers_")
        images = self._validate(X, reset=first)
        y = self._targets(images, y)
        if first:
            self._build(images, y, classes)
        return self._epochs(images, y, 1)

    def loss_gradient(self, X: ArrayLike, y: ArrayLike) -> tuple[float, dict]:
        """The mean cross-entropy on (X, y) and its gradient with respect to every weight.

        Parameters
        ----------
        X : array-like, as in :meth:`fit`
        y : array-like of shape (n_samples,), labels among ``classes_``

        Returns
        -------
        loss : float
        gradients : dict
            ``"<layer>.weight"`` / ``"<layer>.bias"`` -> gradient, in
            :meth:`state_dict` naming and shapes, whether the layer is
            trainable or not.
        """
        check_is_fitted(self)
        images = self._validate(X, reset=False)
        labels = self._labels(self._targets(images, y))
        dtype = self.layers_[-1]["weight"].dtype
        params = {layer["name"]: (layer["weight"], layer["bias"])
                  for layer in self.layers_ if "weight" in layer}
        logits, caches = forward_cached(images.astype(dtype, copy=False), self.layers_, params)
        loss, grad = softmax_cross_entropy(logits, labels)
        grads = backward(grad, self.layers_, params, caches, weights=params)[0]
        return loss, {f"{name}.{part}": value for name, pair in grads.items()
                      for part, value in zip(("weight", "bias"), pair)}

    def decision_function(self, X: ArrayLike) -> np.ndarray:
        """The output layer's values (logits), shape (n_samples, n_classes).

        With two classes, scikit-learn's convention: the difference of the two
        logits (the log-odds of ``classes_[1]``), shape (n_samples,).
        """
        logits = self._logits(X)
        return logits[:, 1] - logits[:, 0] if logits.shape[1] == 2 else logits

    def _logits(self, X):
        check_is_fitted(self)
        images = self._validate(X, reset=False)
        dtype = self.layers_[-1]["weight"].dtype
        params = {layer["name"]: (layer["weight"], layer["bias"])
                  for layer in self.layers_ if "weight" in layer}
        return np.concatenate([
            forward(images[start:start + 256].astype(dtype, copy=False), self.layers_, params)
            for start in range(0, len(images), 256)])

    def predict_log_proba(self, X: ArrayLike) -> np.ndarray:
        """Log of the softmax of the logits."""
        return log_softmax(self._logits(X))

    def predict_proba(self, X: ArrayLike) -> np.ndarray:
        """Softmax of the logits, shape (n_samples, n_classes)."""
        return np.exp(self.predict_log_proba(X))

    def predict(self, X: ArrayLike) -> np.ndarray:
        """The class of largest logit."""
        logits = self._logits(X)
        return self.classes_[np.argmax(logits, axis=1)]

    def state_dict(self) -> dict:
        """Copies of the weights in PyTorch ``state_dict`` naming (``conv1.weight``, ...).

        The mapping :class:`CNNFeatureExtractor` and another CNNClassifier take
        as ``weights=``.
        """
        check_is_fitted(self)
        state = {}
        for layer in self.layers_:
            if "weight" in layer:
                state[f"{layer['name']}.weight"] = layer["weight"].copy()
                state[f"{layer['name']}.bias"] = layer["bias"].copy()
        return state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags
