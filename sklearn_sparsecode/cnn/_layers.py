"""A small CNN forward pass in numpy (core algorithm): layer specs and batched ops.

Activations are kept channels-first across the batch, (channels, n, height,
width), so that a convolution is kh·kw slab copies into a column matrix and
one BLAS matrix product per layer and chunk; weights are in PyTorch layout
(out_channels, in_channels, kh, kw) and ``flatten`` uses PyTorch's (channels,
height, width) order, so results match ``torch.nn`` layers with the same
weights. Backward passes are in :mod:`._backward`, training in :mod:`._training`.
"""

import numpy as np
from scipy.special import expit

ACTIVATIONS = {
    "tanh": np.tanh,
    "relu": lambda x: np.maximum(x, 0),
    # expit rather than 1 / (1 + exp(-x)): no overflow warning for x << 0.
    "sigmoid": expit,
    "identity": lambda x: x,
    # Hard tanh: clip to [-1, 1] (the activation of Raghu et al. 2016).
    "hardtanh": lambda x: np.clip(x, -1, 1),
}
LAYER_TYPES = ("conv", "pool", "activation", "flatten", "dense")


def lenet5_spec(activation="tanh", pooling="avg"):
    """LeNet-5 (LeCun et al. 1998) as layer specs, 28x28 input padded to 32x32.

    C1: 6 maps 5x5 → S2: 2x2 pooling → C3: 16 maps 5x5 → S4 → C5: 120 maps 5x5
    (1x1 output, fully connected in effect) → F6: 84 units. Activation after
    every convolution and F6. (C3 is fully connected to S2's maps, as in most
    modern re-implementations, not the original sparse connection table.)
    """
    act = {"type": "activation", "function": activation}
    pool = {"type": "pool", "kind": pooling, "size": 2, "stride": 2}
    return [
        {"type": "conv", "name": "conv1", "out_channels": 6, "kernel_size": 5, "padding": 2},
        {**act, "name": "act1"}, {**pool, "name": "pool1"},
        {"type": "conv", "name": "conv2", "out_channels": 16, "kernel_size": 5},
        {**act, "name": "act2"}, {**pool, "name": "pool2"},
        {"type": "conv", "name": "conv3", "out_channels": 120, "kernel_size": 5},
        {**act, "name": "act3"},
        {"type": "flatten", "name": "flatten"},
        {"type": "dense", "name": "fc1", "out_features": 84},
        {**act, "name": "act4"},
    ]


# Keys each layer type accepts: a misspelt key ("strides") is an error, not ignored.
LAYER_KEYS = {
    "conv": {"type", "name", "out_channels", "kernel_size", "stride", "padding"},
    "pool": {"type", "name", "kind", "size", "stride"},
    "activation": {"type", "name", "function"},
    "flatten": {"type", "name"},
    "dense": {"type", "name", "out_features"},
}


def normalize_spec(spec):
    """Check a list of layer specs and fill defaults and names; returns new dicts.

    Integer parameters must be integers (not bools, floats or strings): they are
    checked here rather than coerced, so that ``fit`` fails, not ``transform``.
    """
    if not isinstance(spec, (list, tuple)) or not spec:
        raise ValueError("architecture must be 'lenet5' or a non-empty list of layer dicts.")
    layers, counts, names = [], {}, set()
    for i, layer in enumerate(spec):
        if not isinstance(layer, dict) or layer.get("type") not in LAYER_TYPES:
            raise ValueError(f"Layer {i} must be a dict with 'type' in {LAYER_TYPES}; "
                             f"got {layer!r}.")
        kind = layer["type"]
        unknown = sorted(map(str, set(layer) - LAYER_KEYS[kind]))
        if unknown:
            raise ValueError(f"Layer {i} ({kind}) has unknown keys {unknown}; a {kind} layer "
                             f"takes {sorted(LAYER_KEYS[kind])}.")
        counts[kind] = counts.get(kind, 0) + 1
        layer = {"name": f"{kind}{counts[kind]}", **layer}
        if not isinstance(layer["name"], str) or not layer["name"]:
            raise ValueError(f"Layer {i}: name must be a non-empty string; "
                             f"got {layer['name']!r}.")
        if layer["name"] in names:
            raise ValueError(f"Layer names must be unique; {layer['name']!r} repeats.")
        names.add(layer["name"])
        if kind == "conv":
            layer = {"stride": 1, "padding": 0, **layer}
            _check_positive(layer, ("out_channels", "kernel_size", "stride"))
            _check_integer(layer, "padding", 0)
        elif kind == "pool":
            layer = {"kind": "avg", "size": 2, **layer}
            layer.setdefault("stride", layer["size"])
            _check_positive(layer, ("size", "stride"))
            if not isinstance(layer["kind"], str) or layer["kind"] not in ("avg", "max"):
                raise ValueError(f"Layer {layer['name']!r}: kind must be 'avg' or 'max'; "
                                 f"got {layer['kind']!r}.")
        elif kind == "activation":
            layer = {"function": "tanh", **layer}
            if not isinstance(layer["function"], str) or layer["function"] not in ACTIVATIONS:
                raise ValueError(f"Layer {layer['name']!r}: function must be one of "
                                 f"{sorted(ACTIVATIONS)}; got {layer['function']!r}.")
        elif kind == "dense":
            _check_positive(layer, ("out_features",))
        layers.append(layer)
    return layers


def _check_integer(layer, key, minimum):
    if key not in layer:
        raise ValueError(f"Layer {layer['name']!r}: {key} must be a positive integer; "
                         f"it is missing.")
    value = layer[key]
    # bool is an int subclass; 1.0, 1.5 and "2" are rejected rather than coerced.
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"Layer {layer['name']!r}: {key} must be an integer; got "
                        f"{value!r} of type {type(value).__name__}.")
    if value < minimum:
        raise ValueError(f"Layer {layer['name']!r}: {key} must be >= {minimum}; got {value!r}.")
    layer[key] = int(value)


def _check_positive(layer, keys):
    for key in keys:
        _check_integer(layer, key, 1)


def output_shapes(layers, input_shape, in_channels=1):
    """Shape of each layer's output for one image, (C, H, W) or (F,), checking sizes.

    ``in_channels`` is the number of channels of the input images (colour).
    Raises a ValueError naming the layer where the image becomes too small.
    """
    shape, shapes = (in_channels, *input_shape), []
    for layer in layers:
        kind = layer["type"]
        if kind in ("conv", "pool") and len(shape) != 3:
            raise ValueError(f"Layer {layer['name']!r} needs image maps, but follows a "
                             f"flatten or dense layer.")
        if kind == "conv":
            k, s, p = layer["kernel_size"], layer["stride"], layer["padding"]
            h, w = shape[1] + 2 * p, shape[2] + 2 * p
            if min(h, w) < k:
                raise ValueError(
                    f"Images of {input_shape[0]}x{input_shape[1]} are too small for this "
                    f"architecture: layer {layer['name']!r} gets {shape[1]}x{shape[2]} maps "
                    f"(padded to {h}x{w}) and has {k}x{k} kernels.")
            shape = (layer["out_channels"], (h - k) // s + 1, (w - k) // s + 1)
        elif kind == "pool":
            k, s = layer["size"], layer["stride"]
            if min(shape[1:]) < k:
                raise ValueError(
                    f"Images of {input_shape[0]}x{input_shape[1]} are too small for this "
                    f"architecture: layer {layer['name']!r} gets {shape[1]}x{shape[2]} maps "
                    f"and pools {k}x{k}.")
            shape = (shape[0], (shape[1] - k) // s + 1, (shape[2] - k) // s + 1)
        elif kind == "flatten":
            if len(shape) != 3:
                raise ValueError(f"Flatten layer {layer['name']!r} needs image maps, but "
                                 f"follows a flatten or dense layer.")
            shape = (int(np.prod(shape)),)
        elif kind == "dense":
            if len(shape) != 1:
                raise ValueError(f"Dense layer {layer['name']!r} must follow a flatten layer.")
            shape = (layer["out_features"],)
        shapes.append(shape)
    return shapes


def conv2d(x, weight, bias, stride=1, padding=0):
    """Convolution (cross-correlation, as torch.nn.functional.conv2d) of CNHW maps.

    x : (C, n, H, W); weight : (O, C, kh, kw); bias : (O,). Returns (O, n, Ho, Wo).

    The column matrix (C·kh·kw, n·Ho·Wo) is filled with kh·kw slab copies
    (rows of pixels stay contiguous, unlike a per-patch im2col), then one GEMM
    with a long inner dimension does the work.
    """
    if padding:
        x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    channels, n, h, w = x.shape
    out_channels, _, kh, kw = weight.shape
    ho, wo = (h - kh) // stride + 1, (w - kw) // stride + 1
    columns = np.empty((channels, kh, kw, n, ho, wo), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            columns[:, i, j] = x[:, :, i:i + stride * (ho - 1) + 1:stride,
                                 j:j + stride * (wo - 1) + 1:stride]
    out = weight.reshape(out_channels, -1) @ columns.reshape(channels * kh * kw, -1)
    out += bias[:, None]
    return out.reshape(out_channels, n, ho, wo)


def pool2d(x, size, stride, kind):
    """Average or max pooling over the last two axes (floor mode, as PyTorch).

    Accumulates the size² strided slices instead of reducing over window axes,
    which is several times faster in numpy.
    """
    h, w = x.shape[-2:]
    ho, wo = (h - size) // stride + 1, (w - size) // stride + 1
    out = None
    for i in range(size):
        for j in range(size):
            part = x[..., i:i + stride * (ho - 1) + 1:stride, j:j + stride * (wo - 1) + 1:stride]
            if out is None:
                out = part.copy()
            elif kind == "avg":
                out += part
            else:
                np.maximum(out, part, out=out)
    if kind == "avg":
        out *= out.dtype.type(1.0 / (size * size))
    return out


def images_to_maps(images):
    """(n, H, W) or (n, C, H, W) images as channels-first maps (C, n, H, W)."""
    return images[None] if images.ndim == 3 else images.transpose(1, 0, 2, 3)


def maps_to_images(x):
    """Maps (C, n, H, W) back to PyTorch's (n, C, H, W); vectors (n, F) unchanged."""
    return x.transpose(1, 0, 2, 3) if x.ndim == 4 else x


def forward(images, layers, params, stop=None):
    """Run ``layers`` on a batch of images, returning the output of layer ``stop``.

    Parameters
    ----------
    images : ndarray of shape (n, H, W) or (n, C, H, W), float32 or float64
    layers : list of normalised layer dicts
    params : dict name -> (weight, bias) in PyTorch layout, of the images' dtype
    stop : int, default=None
        Index of the last layer to run (None: all).

    Returns
    -------
    out : ndarray (n, C, H, W) for maps (PyTorch order) or (n, F)
    """
    x = images_to_maps(images)
    stop = len(layers) - 1 if stop is None else stop
    for layer in layers[:stop + 1]:
        kind = layer["type"]
        if kind == "conv":
            weight, bias = params[layer["name"]]
            x = conv2d(x, weight, bias, layer["stride"], layer["padding"])
        elif kind == "pool":
            x = pool2d(x, layer["size"], layer["stride"], layer["kind"])
        elif kind == "activation":
            x = ACTIVATIONS[layer["function"]](x)
        elif kind == "flatten":
            x = x.transpose(1, 0, 2, 3).reshape(x.shape[1], -1)  # PyTorch's (C, H, W) order
        else:
            weight, bias = params[layer["name"]]
            x = x @ weight.T + bias
    return maps_to_images(x)
