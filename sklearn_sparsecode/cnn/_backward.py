"""Backward passes of the numpy CNN: weight gradients and input vector–Jacobian products.

:func:`forward_cached` runs the layers like :func:`forward` and keeps what each
layer's backward pass needs; :func:`backward` then carries a cotangent (the
gradient of a scalar with respect to the network's output) down the stack,
returning the gradients of the conv and dense weights it is asked for and, if
asked, the gradient with respect to the input images. Maps stay in the
forward's channels-first layout (channels, n, height, width), so every
convolution's backward pass is two matrix products with the column matrix the
forward built, plus kh·kw slab additions (the adjoint of the slab copies) for
the input gradient.

What each layer keeps:

- conv: the column matrix (C·kh·kw, n·Ho·Wo) and the padded input's shape;
- dense: its input (n, F);
- pool: the input shape, and for max pooling the index of the winner in each
  window (the first maximum, as PyTorch; ties are measure-zero for real data);
- activation: its output, from which every derivative is read: tanh 1 − y²,
  sigmoid y(1 − y), relu [y > 0], hardtanh [|y| < 1] (0 at the kinks, as
  PyTorch), identity 1;
- flatten: the shape of its input.
"""

import numpy as np

from ._layers import ACTIVATIONS, images_to_maps, maps_to_images


def _window(start, count, stride):
    return slice(start, start + stride * (count - 1) + 1, stride)


def conv2d_cached(x, weight, bias, stride, padding, keep_columns=True):
    """:func:`conv2d` that also returns (columns, padded input shape) for the backward pass.

    Without ``keep_columns`` (no weight gradient wanted) the columns are
    released at once: only the input gradient's shape is kept.
    """
    if padding:
        x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    channels, n, h, w = x.shape
    out_channels, _, kh, kw = weight.shape
    ho, wo = (h - kh) // stride + 1, (w - kw) // stride + 1
    columns = np.empty((channels, kh, kw, n, ho, wo), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            columns[:, i, j] = x[:, :, _window(i, ho, stride), _window(j, wo, stride)]
    columns = columns.reshape(channels * kh * kw, -1)
    out = weight.reshape(out_channels, -1) @ columns
    out += bias[:, None]
    return out.reshape(out_channels, n, ho, wo), (columns if keep_columns else None, x.shape)


def conv2d_backward(grad, weight, cache, stride, padding, *, weights=True, inputs=True):
    """Gradients of a convolution: (d input, d weight, d bias), None where not asked.

    grad : (O, n, Ho, Wo), the cotangent of the output. d weight is
    grad · columnsᵀ, d bias the sum of grad over (n, Ho, Wo), and d input the
    adjoint of the column copies applied to weightᵀ · grad, cropped of the
    padding.
    """
    columns, padded_shape = cache
    out_channels, channels, kh, kw = weight.shape
    grad2 = grad.reshape(out_channels, -1)
    d_weight = d_bias = d_input = None
    if weights:
        d_weight = (grad2 @ columns.T).reshape(weight.shape)
        d_bias = grad2.sum(axis=1)
    if inputs:
        _, n, h, w = padded_shape
        ho, wo = grad.shape[2:]
        d_columns = (weight.reshape(out_channels, -1).T @ grad2).reshape(
            channels, kh, kw, n, ho, wo)
        d_input = np.zeros(padded_shape, dtype=grad.dtype)
        for i in range(kh):
            for j in range(kw):
                d_input[:, :, _window(i, ho, stride), _window(j, wo, stride)] += d_columns[:, i, j]
        if padding:
            d_input = d_input[:, :, padding:h - padding, padding:w - padding]
    return d_input, d_weight, d_bias


def pool2d_cached(x, size, stride, kind):
    """:func:`pool2d` that also returns what its backward pass needs."""
    h, w = x.shape[-2:]
    ho, wo = (h - size) // stride + 1, (w - size) // stride + 1
    out = winner = None
    for i in range(size):
        for j in range(size):
            part = x[..., _window(i, ho, stride), _window(j, wo, stride)]
            if out is None:
                out = part.copy()
                if kind == "max":
                    winner = np.zeros(out.shape, dtype=np.int16)
            elif kind == "avg":
                out += part
            else:
                # Strictly greater: the first maximum wins, as in PyTorch.
                better = part > out
                np.copyto(out, part, where=better)
                winner[better] = i * size + j
    if kind == "avg":
        out *= out.dtype.type(1.0 / (size * size))
    return out, (x.shape, winner)


def pool2d_backward(grad, cache, size, stride, kind):
    """Gradient of a pooling layer with respect to its input."""
    shape, winner = cache
    ho, wo = grad.shape[-2:]
    if kind == "avg":
        grad = grad * grad.dtype.type(1.0 / (size * size))
        if size == stride and shape[-2:] == (ho * size, wo * size):
            # Non-overlapping windows tiling the map: size² strided copies
            # (three times faster than one broadcast copy through a 6-D view).
            d_input = np.empty(shape, dtype=grad.dtype)
            for i in range(size):
                for j in range(size):
                    d_input[..., i::size, j::size] = grad
            return d_input
    d_input = np.zeros(shape, dtype=grad.dtype)
    for i in range(size):
        for j in range(size):
            target = d_input[..., _window(i, ho, stride), _window(j, wo, stride)]
            if kind == "avg":
                target += grad
            else:
                target += np.where(winner == i * size + j, grad, 0)
    return d_input


def activation_backward(grad, output, function):
    """Gradient of an activation, read from its output."""
    if function in ("tanh", "sigmoid"):
        slope = output * output
        if function == "tanh":  # 1 − y²
            np.subtract(1, slope, out=slope)
        else:  # y − y² = y(1 − y)
            np.subtract(output, slope, out=slope)
        slope *= grad
        return slope
    if function == "relu":
        return grad * (output > 0)
    if function == "hardtanh":
        return grad * (np.abs(output) < 1)
    return grad


def forward_cached(images, layers, params, stop=None, *, weights=None):
    """Run ``layers[:stop + 1]`` like :func:`forward`, keeping each layer's cache.

    ``weights``: names of the layers whose weight gradients will be wanted
    (None: all); the other convolutions do not keep their column matrices.
    Returns the output (in :func:`forward`'s layout) and the list of caches.
    """
    x = images_to_maps(images)
    stop = len(layers) - 1 if stop is None else stop
    caches = []
    for layer in layers[:stop + 1]:
        kind = layer["type"]
        if kind == "conv":
            weight, bias = params[layer["name"]]
            x, cache = conv2d_cached(x, weight, bias, layer["stride"], layer["padding"],
                                     weights is None or layer["name"] in weights)
        elif kind == "pool":
            x, cache = pool2d_cached(x, layer["size"], layer["stride"], layer["kind"])
        elif kind == "activation":
            x = ACTIVATIONS[layer["function"]](x)
            cache = x
        elif kind == "flatten":
            cache = x.shape
            x = x.transpose(1, 0, 2, 3).reshape(x.shape[1], -1)
        else:
            weight, bias = params[layer["name"]]
            cache = x
            x = x @ weight.T + bias
        caches.append(cache)
    return maps_to_images(x), caches


def backward(grad, layers, params, caches, *, weights=(), inputs=False):
    """Carry the cotangent ``grad`` of the last cached layer's output down the stack.

    Parameters
    ----------
    grad : ndarray
        Cotangent of the output of ``layers[len(caches) - 1]``, in
        :func:`forward`'s layout ((n, C, H, W) for maps, (n, F) for vectors).
    layers, params : the network, as for :func:`forward`
    caches : list, from :func:`forward_cached`
    weights : collection of str
        Names of the conv/dense layers whose weight gradients are wanted.
    inputs : bool
        Whether to return the gradient with respect to the input images.

    Returns
    -------
    grads : dict name -> (d weight, d bias)
    d_images : ndarray shaped like the images given to :func:`forward_cached`, or None
    """
    weights = set(weights)
    indices = [i for i, layer in enumerate(layers[:len(caches)]) if layer["name"] in weights]
    # Nothing below the lowest layer that needs a gradient is visited.
    lowest = 0 if inputs else min(indices, default=len(caches))
    grad = images_to_maps(grad) if grad.ndim == 4 else grad
    grads = {}
    for index in range(len(caches) - 1, lowest - 1, -1):
        layer, cache = layers[index], caches[index]
        kind, name = layer["type"], layer["name"]
        below = index > lowest or inputs
        if kind == "conv":
            weight = params[name][0]
            grad, d_weight, d_bias = conv2d_backward(
                grad, weight, cache, layer["stride"], layer["padding"],
                weights=name in weights, inputs=below)
            if name in weights:
                grads[name] = (d_weight, d_bias)
        elif kind == "dense":
            if name in weights:
                grads[name] = (grad.T @ cache, grad.sum(axis=0))
            if below:
                grad = grad @ params[name][0]
        elif kind == "pool":
            grad = pool2d_backward(grad, cache, layer["size"], layer["stride"], layer["kind"])
        elif kind == "activation":
            grad = activation_backward(grad, cache, layer["function"])
        else:  # flatten
            channels, n, h, w = cache
            grad = grad.reshape(n, channels, h, w).transpose(1, 0, 2, 3)
    if not inputs:
        return grads, None
    return grads, maps_to_images(grad)
