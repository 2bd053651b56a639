"""Weights of the CNN feature extractor (filter construction).

``random``: PyTorch's default initialisation (uniform in ±1/sqrt(fan_in) for
weights and biases), seeded. ``wavelet`` / ``gabor``: the first convolution's
filters are oriented atoms of a known representation at the kernel size, the
later layers random. A mapping or ``.npz`` file in PyTorch ``state_dict``
naming (``conv1.weight``, ``conv1.bias``, ...) loads trained weights.
"""

import math
from pathlib import Path

import numpy as np

TRAINED = {"lenet5-fashion-mnist": "lenet5_fashion_mnist.npz"}


def _parametric_layers(layers, shapes, input_channels=1):
    """(layer, weight shape) of every conv and dense layer."""
    previous, result = (input_channels,), []
    for layer, shape in zip(layers, shapes):
        if layer["type"] == "conv":
            k = layer["kernel_size"]
            result.append((layer, (layer["out_channels"], previous[0], k, k)))
        elif layer["type"] == "dense":
            result.append((layer, (layer["out_features"], previous[0])))
        previous = shape
    return result


def random_weights(layers, shapes, rng):
    """PyTorch's default init: U(±1/sqrt(fan_in)) for weight and bias, float64."""
    params = {}
    for layer, shape in _parametric_layers(layers, shapes):
        bound = 1.0 / math.sqrt(int(np.prod(shape[1:])))
        params[layer["name"]] = (rng.uniform(-bound, bound, size=shape),
                                 rng.uniform(-bound, bound, size=shape[0]))
    return params


def oriented_filters(kind, n_filters, size):
    """``n_filters`` unit-norm oriented atoms of ``size`` x ``size``.

    ``"gabor"``: Gabor atoms, cosine and sine phase in turn, at evenly spaced
    orientations, wavelength about half the kernel, zero mean.
    ``"wavelet"``: a Gaussian low-pass and first derivatives of a Gaussian
    (oriented wavelets) at evenly spaced orientations.
    """
    centre = (size - 1) / 2
    y, x = np.mgrid[0:size, 0:size] - centre
    sigma = max(size / 4, 0.5)
    envelope = np.exp(-(x**2 + y**2) / (2 * sigma**2))
    atoms = []
    if kind == "gabor":
        n_orient = max(1, math.ceil(n_filters / 2))
        wavelength = max(size / 2, 2.0)
        for i in range(n_filters):
            theta = np.pi * (i // 2) / n_orient
            along = x * np.cos(theta) + y * np.sin(theta)
            phase = 0.0 if i % 2 == 0 else np.pi / 2
            atom = envelope * np.cos(2 * np.pi * along / wavelength + phase)
            # Remove the DC part with a multiple of the envelope (sine atoms are odd).
            atoms.append(atom - atom.sum() / envelope.sum() * envelope)
    else:
        atoms.append(envelope)
        n_orient = max(1, n_filters - 1)
        for i in range(n_filters - 1):
            theta = np.pi * i / n_orient
            atoms.append(-(x * np.cos(theta) + y * np.sin(theta)) * envelope)
    atoms = np.asarray(atoms[:n_filters])
    return atoms / np.linalg.norm(atoms.reshape(n_filters, -1), axis=1)[:, None, None]


def representation_weights(kind, layers, shapes, rng):
    """Random weights with the first convolution's filters replaced by oriented atoms."""
    params = random_weights(layers, shapes, rng)
    for layer, shape in _parametric_layers(layers, shapes):
        if layer["type"] == "conv":
            atoms = oriented_filters(kind, shape[0], shape[2])
            weight = np.repeat(atoms[:, None], shape[1], axis=1) / math.sqrt(shape[1])
            params[layer["name"]] = (weight, np.zeros(shape[0]))
            break
    return params


def trained_path(name):
    return Path(__file__).resolve().parent / "data" / TRAINED[name]


def loaded_weights(source, layers, shapes):
    """Weights from a mapping or ``.npz`` path in PyTorch state_dict naming.

    Every conv/dense layer needs ``<name>.weight`` and ``<name>.bias`` of the
    right shape; keys for other layers (a classifier head, say) are ignored.
    """
    if isinstance(source, (str, Path)):
        path = trained_path(source) if source in TRAINED else Path(source)
        if not path.is_file():
            raise ValueError(f"weights={source!r}: no such file, and not one of "
                             f"'random', 'wavelet', 'gabor', {sorted(TRAINED)}.")
        with np.load(path) as data:
            source = {key: data[key] for key in data.files}
    params = {}
    for layer, shape in _parametric_layers(layers, shapes):
        arrays = []
        for part, expected in (("weight", shape), ("bias", shape[:1])):
            key = f"{layer['name']}.{part}"
            if key not in source:
                raise ValueError(f"The weights have no {key!r} (expected shape {expected}); "
                                 f"keys present: {sorted(source)}.")
            value = np.asarray(source[key], dtype=np.float64)
            if value.shape != tuple(expected):
                raise ValueError(f"{key!r} has shape {value.shape}, but layer "
                                 f"{layer['name']!r} needs {tuple(expected)}.")
            if not np.all(np.isfinite(value)):
                raise ValueError(f"{key!r} contains NaN or infinity.")
            arrays.append(value)
        params[layer["name"]] = tuple(arrays)
    return params
