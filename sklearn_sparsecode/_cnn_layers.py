"""A small CNN forward pass in numpy (core algorithm): layer specs and batched ops.

Activations are kept channels-last (n, height, width, channels) so that a
convolution is one im2col copy and one BLAS matrix product per layer and
chunk; weights are in PyTorch layout (out_channels, in_channels, kh, kw) and
``flatten`` uses PyTorch's (channels, height, width) order, so results match
``torch.nn`` layers with the same weights.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

ACTIVATIONS = {
    "tanh": np.tanh,
    "relu": lambda x: np.maximum(x, 0),
    "sigmoid": lambda x: 1 / (1 + np.exp(-x)),
    "identity": lambda x: x,
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


def normalize_spec(spec):
    """Check a list of layer specs and fill defaults and names; returns new dicts."""
    if not isinstance(spec, (list, tuple)) or not spec:
        raise ValueError("architecture must be 'lenet5' or a non-empty list of layer dicts.")
    layers, counts, names = [], {}, set()
    for i, layer in enumerate(spec):
        if not isinstance(layer, dict) or layer.get("type") not in LAYER_TYPES:
            raise ValueError(f"Layer {i} must be a dict with 'type' in {LAYER_TYPES}; "
                             f"got {layer!r}.")
        kind = layer["type"]
        counts[kind] = counts.get(kind, 0) + 1
        layer = {"name": f"{kind}{counts[kind]}", **layer}
        if layer["name"] in names:
            raise ValueError(f"Layer names must be unique; {layer['name']!r} repeats.")
        names.add(layer["name"])
        if kind == "conv":
            layer = {"stride": 1, "padding": 0, **layer}
            _check_positive(layer, ("out_channels", "kernel_size", "stride"))
            if int(layer["padding"]) < 0:
                raise ValueError(f"Layer {layer['name']!r}: padding must be >= 0.")
        elif kind == "pool":
            layer = {"kind": "avg", "size": 2, **layer}
            layer.setdefault("stride", layer["size"])
            _check_positive(layer, ("size", "stride"))
            if layer["kind"] not in ("avg", "max"):
                raise ValueError(f"Layer {layer['name']!r}: kind must be 'avg' or 'max'.")
        elif kind == "activation":
            layer = {"function": "tanh", **layer}
            if layer["function"] not in ACTIVATIONS:
                raise ValueError(f"Layer {layer['name']!r}: function must be one of "
                                 f"{sorted(ACTIVATIONS)}; got {layer['function']!r}.")
        elif kind == "dense":
            _check_positive(layer, ("out_features",))
        layers.append(layer)
    return layers


def _check_positive(layer, keys):
    for key in keys:
        value = layer.get(key)
        if not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"Layer {layer['name']!r}: {key} must be a positive integer; "
                             f"got {value!r}.")


def output_shapes(layers, input_shape):
    """Shape of each layer's output for one image, (C, H, W) or (F,), checking sizes.

    Raises a ValueError naming the layer where the image becomes too small.
    """
    shape, shapes = (1, *input_shape), []
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
            shape = (int(np.prod(shape)),)
        elif kind == "dense":
            if len(shape) != 1:
                raise ValueError(f"Dense layer {layer['name']!r} must follow a flatten layer.")
            shape = (layer["out_features"],)
        shapes.append(shape)
    return shapes


def conv2d(x, weight, bias, stride=1, padding=0):
    """Convolution (cross-correlation, as torch.nn.functional.conv2d) of NHWC maps.

    x : (n, H, W, C); weight : (O, C, kh, kw); bias : (O,). Returns (n, Ho, Wo, O).
    """
    if padding:
        x = np.pad(x, ((0, 0), (padding, padding), (padding, padding), (0, 0)))
    out_channels, _, kh, kw = weight.shape
    windows = sliding_window_view(x, (kh, kw), axis=(1, 2))[:, ::stride, ::stride]
    n, ho, wo = windows.shape[:3]
    # im2col: (n·Ho·Wo, C·kh·kw) in the (C, kh, kw) order of the weight's rows.
    patches = windows.reshape(n * ho * wo, -1)
    out = patches @ weight.reshape(out_channels, -1).T
    out += bias
    return out.reshape(n, ho, wo, out_channels)


def pool2d(x, size, stride, kind):
    """Average or max pooling of NHWC maps (floor mode, no padding, as PyTorch)."""
    n, h, w, c = x.shape
    if size == stride and h % size == 0 and w % size == 0:
        blocks = x.reshape(n, h // size, size, w // size, size, c)
        return blocks.mean(axis=(2, 4)) if kind == "avg" else blocks.max(axis=(2, 4))
    windows = sliding_window_view(x, (size, size), axis=(1, 2))[:, ::stride, ::stride]
    return windows.mean(axis=(-2, -1)) if kind == "avg" else windows.max(axis=(-2, -1))


def forward(images, layers, params, stop=None):
    """Run ``layers`` on a batch of images, returning the output of layer ``stop``.

    Parameters
    ----------
    images : ndarray of shape (n, H, W), float32 or float64
    layers : list of normalised layer dicts
    params : dict name -> (weight, bias) in PyTorch layout, of the images' dtype
    stop : int, default=None
        Index of the last layer to run (None: all).

    Returns
    -------
    out : ndarray (n, C, H, W) for maps (PyTorch order) or (n, F)
    """
    x = images[..., None]  # NHWC with one channel
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
            x = x.transpose(0, 3, 1, 2).reshape(len(x), -1)  # PyTorch's (C, H, W) order
        else:
            weight, bias = params[layer["name"]]
            x = x @ weight.T + bias
    return x.transpose(0, 3, 1, 2) if x.ndim == 4 else x
