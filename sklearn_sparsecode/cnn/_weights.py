"""Weights of the CNN feature extractor (filter construction).

``random``: PyTorch's default initialisation (uniform in ±1/sqrt(fan_in) for
weights and biases), seeded. ``wavelet`` / ``gabor``: the first convolution's
filters are oriented atoms of a known representation at the kernel size, the
later layers random. A mapping or ``.npz`` file in PyTorch ``state_dict``
naming (``conv1.weight``, ``conv1.bias``, ...) loads trained weights.
"""

import math
import os
import zipfile
from pathlib import Path

import numpy as np

from ..morlet._filters import SIGMA0, XI0, morlet_hat

TRAINED = {"lenet5-fashion-mnist": "lenet5_fashion_mnist.npz"}
# Smallest kernels on which every atom is non-zero for any number of filters
# (Gabor: wavelength size/2 must not put the samples on the zeros of its cosine or sine).
MIN_KERNEL_SIZE = {"gabor": 5, "wavelet": 2, "morlet": 3}
FRAMES = ("gabor", "wavelet", "morlet")


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


def random_weights(layers, shapes, rng, input_channels=1):
    """PyTorch's default init: U(±1/sqrt(fan_in)) for weight and bias, float64."""
    params = {}
    for layer, shape in _parametric_layers(layers, shapes, input_channels):
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
    ``"morlet"``: the real and imaginary parts of the finest Morlet atoms of
    :mod:`sklearn_sparsecode.morlet` (σ = 0.8 px, ξ = 3π/4 rad/px,
    slant 0.5; a coarser scale 2^j once the kernel holds six of its widths) at
    evenly spaced orientations, cropped to the kernel, zero mean.
    """
    if kind == "morlet":
        return _unit_norm(_morlet_atoms(n_filters, size), kind, size, n_filters)
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
    return _unit_norm(np.asarray(atoms[:n_filters]), kind, size, n_filters, envelope)


def _morlet_atoms(n_filters, size):
    """Real and imaginary parts of Morlet atoms at ceil(n/2) orientations, cropped."""
    n_orient = max(1, math.ceil(n_filters / 2))
    scale = max(0, math.floor(math.log2(size / (6 * SIGMA0))))
    grid = max(32, 4 * size)
    first = grid // 2 - size // 2
    atoms = []
    for k in range(n_orient):
        hat = morlet_hat((grid, grid), SIGMA0 * 2**scale, np.pi * k / n_orient,
                         XI0 / 2**scale, slant=0.5)
        atom = np.fft.fftshift(np.fft.ifft2(hat))[first:first + size, first:first + size]
        atoms += [atom.real, atom.imag]
    atoms = np.asarray(atoms[:n_filters])
    return atoms - atoms.mean(axis=(1, 2), keepdims=True)


def _unit_norm(atoms, kind, size, n_filters, envelope=None):
    norms = np.linalg.norm(atoms.reshape(n_filters, -1), axis=1)
    reference = np.max(norms) if envelope is None else np.linalg.norm(envelope)
    # On a tiny grid an atom can vanish (a sine sampled at its zeros, a derivative
    # on one pixel); dividing by its norm would give NaN or amplified rounding noise.
    vanished = np.flatnonzero(norms < 1e-3 * reference)
    if vanished.size:
        raise ValueError(
            f"weights={kind!r}: {size}x{size} kernels are too small for {n_filters} {kind} "
            f"atoms (atom {int(vanished[0])} vanishes on the grid); use kernel_size >= "
            f"{MIN_KERNEL_SIZE[kind]}.")
    return atoms / norms[:, None, None]


def representation_weights(kind, layers, shapes, rng, input_channels=1):
    """Random weights with the first convolution's filters replaced by oriented atoms."""
    params = random_weights(layers, shapes, rng, input_channels)
    for layer, shape in _parametric_layers(layers, shapes, input_channels):
        if layer["type"] == "conv":
            atoms = oriented_filters(kind, shape[0], shape[2])
            weight = np.repeat(atoms[:, None], shape[1], axis=1) / math.sqrt(shape[1])
            params[layer["name"]] = (weight, np.zeros(shape[0]))
            break
    return params


def trained_path(name):
    return Path(__file__).resolve().parent / "data" / TRAINED[name]


def _read_npz(path, name):
    """Arrays of a ``.npz`` archive, never unpickling anything."""
    accepted = ("weights files must be .npz archives (numpy.savez) of numeric arrays "
                "named like a PyTorch state_dict ('conv1.weight', 'conv1.bias', ...)")
    try:
        data = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
        raise ValueError(f"weights={name!r} cannot be read: {accepted}.") from exc
    if not isinstance(data, np.lib.npyio.NpzFile):
        raise ValueError(f"weights={name!r} is a single array (.npy); {accepted}.")
    try:
        with data:
            return {key: data[key] for key in data.files}
    except (ValueError, OSError, zipfile.BadZipFile) as exc:
        # Object arrays inside the archive would need pickle: refused.
        raise ValueError(f"weights={name!r} cannot be read without unpickling: "
                         f"{accepted}.") from exc


def make_weights(weights, layers, shapes, rng, input_channels=1, optional=()):
    """The ``weights`` parameter of the CNN estimators turned into {name: (weight, bias)}.

    Layers named in ``optional`` may be missing from a mapping or file: they
    get the random initialisation.
    """
    if isinstance(weights, str) and weights == "random":
        return random_weights(layers, shapes, rng, input_channels)
    if isinstance(weights, str) and weights in FRAMES:
        return representation_weights(weights, layers, shapes, rng, input_channels)
    if isinstance(weights, (str, dict)) or hasattr(weights, "__fspath__"):
        params = random_weights(layers, shapes, rng, input_channels) if optional else {}
        params.update(loaded_weights(weights, layers, shapes, input_channels, optional))
        return params
    raise ValueError(f"weights must be 'random', {', '.join(map(repr, FRAMES))}, "
                     f"{sorted(TRAINED)}, a dict or a .npz path; got {weights!r}.")


def loaded_weights(source, layers, shapes, input_channels=1, optional=()):
    """Weights from a mapping or ``.npz`` path in PyTorch state_dict naming.

    Every conv/dense layer needs ``<name>.weight`` and ``<name>.bias`` of the
    right shape, except those named in ``optional`` (left out when absent);
    keys for other layers (a classifier head, say) are ignored.
    """
    if isinstance(source, (str, os.PathLike)):
        path = trained_path(source) if source in TRAINED else Path(source)
        if not path.is_file():
            raise ValueError(f"weights={source!r}: no such file, and not one of "
                             f"'random', 'wavelet', 'gabor', {sorted(TRAINED)}.")
        source = _read_npz(path, source)
    params = {}
    for layer, shape in _parametric_layers(layers, shapes, input_channels):
        if layer["name"] in optional and not any(
                f"{layer['name']}.{part}" in source for part in ("weight", "bias")):
            continue
        arrays = []
        for part, expected in (("weight", shape), ("bias", shape[:1])):
            key = f"{layer['name']}.{part}"
            if key not in source:
                raise ValueError(f"The weights have no {key!r} (expected shape {expected}); "
                                 f"keys present: {sorted(source)}.")
            try:
                value = np.asarray(source[key], dtype=np.float64)
            except (TypeError, ValueError) as exc:
                raise ValueError(f"{key!r} must be a numeric array; got "
                                 f"{type(source[key]).__name__}.") from exc
            if value.shape != tuple(expected):
                raise ValueError(f"{key!r} has shape {value.shape}, but layer "
                                 f"{layer['name']!r} needs {tuple(expected)}.")
            if not np.all(np.isfinite(value)):
                raise ValueError(f"{key!r} contains NaN or infinity.")
            arrays.append(value)
        params[layer["name"]] = tuple(arrays)
    return params
