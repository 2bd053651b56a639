"""CNNFeatureExtractor: a CNN forward pass as a fixed first layer (frontend)."""

# Annotations stay strings: help() shows `X: ArrayLike`, not numpy's expanded union.
from __future__ import annotations

from numbers import Integral

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils import check_array, check_random_state
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted

from .._core.base import ImageInputMixin
from .._core.batching import map_in_batches, resolve_batch_size
from .._core.validation import BATCH_SIZE, N_JOBS, VERBOSE, as_work_chunk, work_dtype
from ._backward import backward, forward_cached
from ._input import CHANNEL_AXIS, validate_cnn_images
from ._layers import ACTIVATIONS, forward, lenet5_spec, normalize_spec, output_shapes
from ._weights import make_weights


class CNNFeatureExtractor(ImageInputMixin, TransformerMixin, BaseEstimator):
    """Activations of a small convolutional network, run forward in numpy, as features.

    The CNN side of the two-layer model: a network whose layers are fixed
    (random, initialised from a known representation, or trained elsewhere)
    maps each image to the activations of one layer; a linear model or SVC on
    top is the only learned part. No deep-learning framework is needed.

    Parameters
    ----------
    architecture : "lenet5" or list of dict, default="lenet5"
        ``"lenet5"``: C1 6@5x5 (28x28 input padded to 32x32 as in LeCun et al.
        1998) → S2 2x2 pooling → C3 16@5x5 → S4 → C5 120@5x5 → F6 84, named
        conv1, act1, pool1, conv2, act2, pool2, conv3, act3, flatten, fc1, act4.
        Or a list of layer dicts: ``{"type": "conv", "out_channels", "kernel_size",
        "stride"=1, "padding"=0}``, ``{"type": "pool", "kind"="avg"|"max",
        "size"=2, "stride"=size}``, ``{"type": "activation", "function"=
        "tanh"|"relu"|"sigmoid"|"hardtanh"|"identity"}``, ``{"type": "flatten"}``,
        ``{"type": "dense", "out_features"}``, each with an optional ``"name"``.
    weights : str, dict or path, default="random"
        ``"random"``: PyTorch's default initialisation, seeded by
        ``random_state``. ``"wavelet"`` / ``"gabor"`` / ``"morlet"``: the first
        convolution's filters are oriented wavelet (Gaussian derivative), Gabor
        or Morlet atoms (real and imaginary parts of the finest atoms of
        :class:`MorletTransformer`'s bank) at the kernel size, later layers
        random. ``"lenet5-fashion-mnist"``: a LeNet-5
        trained on Fashion-MNIST, shipped with the package (see the README).
        Or a mapping / ``.npz`` path in PyTorch ``state_dict`` naming and layout
        (``conv1.weight`` of shape (out, in, kh, kw), ``conv1.bias``, ...).
    activation : {"tanh", "relu", "sigmoid", "hardtanh", "identity"}, default="tanh"
        Activation of the ``"lenet5"`` architecture.
    pooling : {"avg", "max"}, default="avg"
        Pooling of the ``"lenet5"`` architecture.
    output_layer : str, int or None, default=None
        The layer whose activations are the features (name or index); None is
        the last layer. Maps are flattened in PyTorch's (channel, row, column)
        order.
    random_state : int, RandomState or None, default=None
    channel_axis : int or None, default=None
        Axis of X that holds colour channels (scikit-image's meaning): X is a
        batch with 4 axes, e.g. (n, height, width, 3) with ``channel_axis=-1``
        or (n, 3, height, width) with 1. The channels are the first
        convolution's input channels, as in PyTorch (its weight has shape
        (out, channels, kh, kw)). None: grey images.
    image_shape : tuple (height, width) or None, default=None
        Required when X is 2-D (one flattened grey image per row).
    batch_size : int or None, default=None
        Images per chunk; None is 256 (or fewer if ``working_memory`` is small).
        In float32 the last bit of a result can depend on the chunk size (BLAS
        picks kernels by matrix size); it never depends on ``n_jobs``.
    n_jobs : int or None, default=None
        Threads over chunks, each with a single-threaded BLAS (None: one
        thread). Results are bit-identical for every value.
    verbose : int, default=0
        Progress lines on stderr during ``transform`` when > 0.

    Attributes
    ----------
    layers_ : list of dict
        Each layer's spec, ``output_shape`` and, for conv and dense layers,
        ``weight`` and ``bias`` in PyTorch layout (float64).
    output_index_ : int
        Index of the output layer in ``layers_``.
    n_features_in_ : int
    input_shape_ : (height, width)
    n_channels_ : int or None
        Channels of the input images (None for grey).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_sparsecode import CNNFeatureExtractor
    >>> X = np.random.default_rng(0).random((4, 28, 28), dtype=np.float32)
    >>> cnn = CNNFeatureExtractor(output_layer="act3", random_state=0).fit(X)
    >>> cnn.transform(X).shape
    (4, 120)
    >>> cnn.layers_[0]["weight"].shape
    (6, 1, 5, 5)
    """

    _parameter_constraints: dict = {
        "architecture": [StrOptions({"lenet5"}), list],
        "weights": "no_validation",  # str, dict or path: checked in fit
        "activation": [StrOptions(set(ACTIVATIONS))],
        "pooling": [StrOptions({"avg", "max"})],
        "output_layer": [str, Integral, None],
        "random_state": ["random_state"],
        "channel_axis": CHANNEL_AXIS,
        "image_shape": ["array-like", None],
        "batch_size": BATCH_SIZE,
        "n_jobs": N_JOBS,
        "verbose": VERBOSE,
    }

    def __init__(self, *, architecture="lenet5", weights="random", activation="tanh",
                 pooling="avg", output_layer=None, random_state=None, channel_axis=None,
                 image_shape=None, batch_size=None, n_jobs=None, verbose=0):
        self.architecture = architecture
        self.weights = weights
        self.activation = activation
        self.pooling = pooling
        self.output_layer = output_layer
        self.random_state = random_state
        self.channel_axis = channel_axis
        self.image_shape = image_shape
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.verbose = verbose

    def _validate(self, X, reset):
        # keep_dtype: uint8/float16 batches are converted chunk by chunk in
        # transform, never copied whole to float64.
        return validate_cnn_images(self, X, reset=reset, image_shape=self.image_shape,
                                   channel_axis=self.channel_axis, keep_dtype=True)

    def _resolve_output(self, layers):
        if self.output_layer is None:
            return len(layers) - 1
        if isinstance(self.output_layer, (bool, np.bool_)):
            raise TypeError(f"output_layer must be a layer name, an int index or None; "
                            f"got {self.output_layer!r}.")
        names = [layer["name"] for layer in layers]
        if isinstance(self.output_layer, str):
            if self.output_layer not in names:
                raise ValueError(f"output_layer={self.output_layer!r} is not a layer; "
                                 f"layers are {names}.")
            return names.index(self.output_layer)
        if not -len(layers) <= self.output_layer < len(layers):
            raise ValueError(f"output_layer={self.output_layer} is out of range for "
                             f"{len(layers)} layers.")
        return self.output_layer % len(layers)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: ArrayLike, y: None = None) -> "CNNFeatureExtractor":
        """Build the network (layers and weights) for the image shape.

        Parameters
        ----------
        X : array-like of shape (n_samples, height, width), (n_samples, h * w)
            with ``image_shape``, or with channels on ``channel_axis``
        y : None
            Ignored.

        Returns
        -------
        self : CNNFeatureExtractor
        """
        self._validate(X, reset=True)
        spec = (lenet5_spec(self.activation, self.pooling) if isinstance(self.architecture, str)
                else self.architecture)
        layers = normalize_spec(spec)
        shapes = output_shapes(layers, self.input_shape_, self.n_channels_ or 1)
        rng = check_random_state(self.random_state)
        params = make_weights(self.weights, layers, shapes, rng, self.n_channels_ or 1)
        self.layers_ = []
        for layer, shape in zip(layers, shapes):
            entry = {**layer, "output_shape": shape}
            if layer["name"] in params:
                entry["weight"], entry["bias"] = params[layer["name"]]
            self.layers_.append(entry)
        self.output_index_ = self._resolve_output(layers)
        return self

    def transform(self, X: ArrayLike) -> np.ndarray:
        """Activations of the output layer for each image, flattened.

        Parameters
        ----------
        X : array-like of shape (n_samples, height, width), (n_samples, h * w)
            with ``image_shape``, or with channels on ``channel_axis``

        Returns
        -------
        features : ndarray of shape (n_samples, n_features_out)
            float32 for float32 input, float64 otherwise.

        Raises
        ------
        ValueError
            If the activations overflow the dtype (finite input of huge
            magnitude, e.g. near the float32 maximum): never a silent NaN.
        """
        check_is_fitted(self)
        images = self._validate(X, reset=False)
        dtype = work_dtype(images.dtype)
        params = self._params(dtype)
        n_out = int(np.prod(self.layers_[self.output_index_]["output_shape"]))
        # Widest activation of the stack, times a margin for im2col copies.
        widest = max(self._layer_sizes())
        row_bytes = 3 * dtype.itemsize * (widest + images[0].size)

        def run(chunk, out):
            chunk = as_work_chunk(chunk)
            # Overflow (inf, then NaN from inf - inf) is detected on the output
            # and reported, rather than warned about layer by layer.
            with np.errstate(over="ignore", invalid="ignore"):
                out[:] = forward(chunk, self.layers_, params, self.output_index_).reshape(
                    len(chunk), -1)
            self._check_finite(out, chunk, dtype)

        return map_in_batches(run, images, n_out, dtype,
                              batch_size=self._batch_size(row_bytes, len(images)),
                              n_jobs=self.n_jobs, uses_blas=True, verbose=self.verbose,
                              label=type(self).__name__)

    def transform_vjp(self, X: ArrayLike, cotangent: ArrayLike) -> np.ndarray:
        """Gradient of ``sum(cotangent * transform(X))`` with respect to X, shaped like X.

        The network's backward pass (a vector–Jacobian product), chunk by chunk
        like :meth:`transform`: for each chunk, a forward pass that keeps each
        convolution's column matrix and each activation's output, then the
        adjoint of every layer from the output layer down to the pixels: about
        twice the forward's work. Exact for every layer; at the kinks of
        ``relu`` and ``hardtanh`` and at ties in max pooling it takes PyTorch's
        choices (derivative 0 at the kink, the first maximum of a window).

        Parameters
        ----------
        X : array-like, as in :meth:`transform`
        cotangent : array-like of shape (n_samples, n_features_out)
            One weight per output feature and image (e.g. a one-hot row to get
            the gradient of one feature).

        Returns
        -------
        gradient : ndarray of the shape of X
            float32 for float32 X, float64 otherwise. With ``channel_axis``,
            the channels stay on that axis; flattened rows stay flattened.
        """
        check_is_fitted(self)
        images = self._validate(X, reset=False)
        dtype = work_dtype(images.dtype)
        n_out = int(np.prod(self.layers_[self.output_index_]["output_shape"]))
        cotangent = check_array(cotangent, dtype=(np.float64, np.float32),
                                input_name="cotangent")
        if cotangent.shape != (len(images), n_out):
            raise ValueError(f"cotangent must have shape (n_samples, n_features_out) = "
                             f"({len(images)}, {n_out}), one weight per output of "
                             f"transform(X); got {cotangent.shape}.")
        params = self._params(dtype)
        caches = self.layers_[:self.output_index_ + 1]
        # Every cached column matrix and activation, plus the gradients in flight.
        row_bytes = 2 * dtype.itemsize * (sum(self._layer_sizes()) + images[0].size)

        def run(rows, out):
            chunk = as_work_chunk(images[rows[0]:rows[-1] + 1])
            with np.errstate(over="ignore", invalid="ignore"):
                value, kept = forward_cached(chunk, caches, params, weights=())
                self._check_finite(value, chunk, dtype)
                grad = cotangent[rows[0]:rows[-1] + 1].astype(dtype, copy=False)
                grad = backward(grad.reshape(value.shape), caches, params, kept,
                                inputs=True)[1]
            out[:] = grad.reshape(len(chunk), -1)

        gradient = map_in_batches(run, np.arange(len(images)), images[0].size, dtype,
                                  batch_size=self._batch_size(row_bytes, len(images)),
                                  n_jobs=self.n_jobs, uses_blas=True, verbose=self.verbose,
                                  label=f"{type(self).__name__}.transform_vjp")
        if self.channel_axis is None:
            return gradient.reshape(np.shape(X))
        return np.moveaxis(gradient.reshape(images.shape), 1, self.channel_axis)

    def _params(self, dtype):
        return {layer["name"]: (layer["weight"].astype(dtype, copy=False),
                                layer["bias"].astype(dtype, copy=False))
                for layer in self.layers_ if "weight" in layer}

    def _layer_sizes(self):
        """Values per image of each layer's output (times k² for a conv's columns)."""
        return [int(np.prod(layer["output_shape"])) * (
            layer.get("kernel_size", 1) ** 2 if layer["type"] == "conv" else 1)
            for layer in self.layers_[:self.output_index_ + 1]]

    def _batch_size(self, row_bytes, n_images):
        # 256 images keep the column matrices in cache.
        return self.batch_size or min(256, resolve_batch_size(None, row_bytes, n_images))

    @staticmethod
    def _check_finite(out, chunk, dtype):
        if not np.isfinite(out).all():
            raise ValueError(
                f"The forward pass overflowed {dtype} (finite input up to "
                f"{float(np.abs(chunk).max()):.3g} in absolute value gave infinite or NaN "
                f"activations); rescale the images, e.g. to [0, 1], or pass float64.")

    def feature_layout(self) -> np.ndarray:
        """Where every output column comes from, as a numpy structured array.

        Fields ``layer`` (name), ``channel`` (map or unit index), ``row`` and
        ``col`` (position in the map; -1 for vector layers), in output order.
        """
        check_is_fitted(self)
        layer = self.layers_[self.output_index_]
        shape = layer["output_shape"]
        layout = np.empty(int(np.prod(shape)), dtype=[("layer", "U32"), ("channel", np.int64),
                                                      ("row", np.int64), ("col", np.int64)])
        index = np.indices(shape).reshape(len(shape), -1)
        layout["layer"] = layer["name"]
        layout["channel"] = index[0]
        layout["row"] = index[1] if len(shape) == 3 else -1
        layout["col"] = index[2] if len(shape) == 3 else -1
        return layout

    def get_feature_names_out(self, input_features: ArrayLike | None = None) -> np.ndarray:
        """Names ``{layer}_{channel}_{row}_{col}`` for maps, ``{layer}_{unit}`` otherwise."""
        check_is_fitted(self)
        _check_feature_names_in(self, input_features, generate_names=False)
        layer = self.layers_[self.output_index_]
        return np.asarray([f"{layer['name']}_" + "_".join(map(str, idx))
                           for idx in np.ndindex(*layer["output_shape"])], dtype=object)
