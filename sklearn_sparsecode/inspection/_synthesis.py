"""Images from a fitted model: the ones that maximise a response, the ones with given features."""

# Annotations stay strings: help() shows `X: ArrayLike`, not numpy's expanded union.
from __future__ import annotations

import re
from numbers import Integral, Real

import numpy as np
import scipy.optimize
from numpy.typing import ArrayLike
from sklearn.utils import check_array, check_random_state
from sklearn.utils._param_validation import HasMethods, StrOptions, validate_params

from .._core.batching import _single_threaded_blas
from .._core.validation import Interval, check_image_shape
from ._chain import Chain
from ._gradient import score_and_gradient

__all__ = ["maximize_activation", "reconstruct_from_features"]

REGULARIZERS = ("l2", "tv", "jitter")


# -- what the model takes ------------------------------------------------------

def _input_form(chain, image_shape, caller):
    """(image_shape, flat): the shape of one image and whether the model takes rows."""
    first = chain.first
    seen = getattr(first, "input_shape_", None)
    given = check_image_shape(image_shape) if image_shape is not None else None
    if seen is not None and len(seen) == 2:
        seen = tuple(int(s) for s in seen)
        if given is not None and given != seen:
            raise ValueError(f"image_shape={given} does not match the images the model was "
                             f"fitted on, {seen}.")
        return seen, getattr(first, "image_shape", None) is not None
    if given is None:
        raise ValueError(f"{caller}: the model does not record an image shape (its first "
                         f"step is {type(first).__name__}); pass image_shape=(height, width).")
    n_features = getattr(first, "n_features_in_", None)
    if n_features is not None and n_features != given[0] * given[1]:
        raise ValueError(f"image_shape={given} has {given[0] * given[1]} pixels, but the "
                         f"model takes {n_features} features per sample.")
    return given, True


def _as_input(images, shape, flat):
    """(n, h, w) images in the form the model takes."""
    return images.reshape(len(images), -1) if flat else images.reshape(len(images), *shape)


def _check_range(pixel_range):
    if pixel_range is None:
        return None
    try:
        low, high = (float(v) for v in pixel_range)
    except (TypeError, ValueError):
        raise ValueError(f"pixel_range must be (low, high) or None; got {pixel_range!r}.") from None
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise ValueError(f"pixel_range must be (low, high) with low < high; got {pixel_range!r}.")
    return low, high


def _check_regularization(regularization):
    weights = {"l2": 0.0, "tv": 0.0, "jitter": 0}
    for key, value in (regularization or {}).items():
        if key not in weights:
            raise ValueError(f"regularization has an unknown key {key!r}; the keys are "
                             f"{list(REGULARIZERS)}.")
        integer = key == "jitter"
        kind = Integral if integer else Real
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, kind) or value < 0:
            raise ValueError(f"regularization[{key!r}] must be a non-negative "
                             f"{'int' if integer else 'number'}; got {value!r}.")
        weights[key] = value
    return weights


# -- which feature -------------------------------------------------------------

def _trailing_indices(name, prefix):
    rest = name[len(prefix) + 1:]
    if not re.fullmatch(r"\d+(_\d+)*", rest):
        return None
    return tuple(int(v) for v in rest.split("_"))


def _resolve_feature(chain, feature, n_out):
    """The output column of ``feature``: an index, a column name, a band or block name."""
    if isinstance(feature, Integral):
        if not -n_out <= feature < n_out:
            raise ValueError(f"feature={feature} is out of range: the model has {n_out} "
                             f"output features.")
        return int(feature) % n_out
    last = chain.steps[-1]
    names = None
    if hasattr(last, "get_feature_names_out"):
        try:
            names = [str(v) for v in last.get_feature_names_out()]
        except (AttributeError, ValueError, TypeError):
            names = None
    if names is not None and feature in names:
        return names.index(feature)
    bands = getattr(last, "bands_", None)
    if bands:
        chosen = [b for b in bands if feature in (b.prefix, b.name)]
        if len(chosen) > 1:
            raise ValueError(f"feature={feature!r} names {len(chosen)} bands; use one of "
                             f"their prefixes: {[b.prefix for b in chosen][:8]}.")
        if chosen:
            band = chosen[0]
            rows, cols = band.shape[0], band.shape[1] if len(band.shape) > 1 else 1
            return band.start + (rows // 2) * cols + cols // 2
    if names is not None:  # a block of names: prefix_row_col (e.g. a CNN channel)
        block = {}
        for i, name in enumerate(names):
            if name.startswith(feature + "_"):
                index = _trailing_indices(name, feature)
                if index is not None:
                    block[index] = i
        if block:
            extent = np.max(np.array(list(block)), axis=0)
            centre = tuple((int(e) + 1) // 2 for e in extent)  # size // 2, as for bands
            return block.get(centre, block[min(block)])
    examples = ([b.prefix for b in bands][:6] if bands else (names or [])[:6])
    raise ValueError(f"feature={feature!r} is not an output column, band or block of "
                     f"{type(last).__name__}; e.g. {examples}.")


# -- regularisers ----------------------------------------------------------------

def _total_variation_gradient(x, eps):
    """∇ of Σ sqrt(dx² + dy² + ε²) (forward differences, replicated border)."""
    dy = np.zeros_like(x)
    dx = np.zeros_like(x)
    dy[:-1] = x[1:] - x[:-1]
    dx[:, :-1] = x[:, 1:] - x[:, :-1]
    norm = np.sqrt(dx * dx + dy * dy + eps * eps)
    py, px = dy / norm, dx / norm
    grad = -py - px
    grad[1:] += py[:-1]
    grad[:, 1:] += px[:, :-1]
    return grad


# -- the two public functions ----------------------------------------------------

@validate_params(
    {"model_or_transformer": [HasMethods(["fit"])], "target": "no_validation",
     "feature": [Integral, str, list, tuple, None], "image_shape": ["array-like", None],
     "max_iter": [Interval(Integral, 1, None, closed="left")],
     "regularization": [dict, None], "pixel_range": ["array-like", None],
     "max_norm": [Interval(Real, 0, None, closed="neither"), None],
     "step_size": [Interval(Real, 0, None, closed="neither")],
     "random_state": ["random_state"]},
    prefer_skip_nested_validation=True)
def maximize_activation(model_or_transformer, *, target=None, feature: int | str | None = None,
                        image_shape: tuple[int, int] | None = None, max_iter: int = 200,
                        regularization: dict | None = None,
                        pixel_range: tuple[float, float] | None = (0.0, 1.0),
                        max_norm: float | None = None, step_size: float = 0.05,
                        random_state=None) -> np.ndarray:
    """An image that maximises a class score or one feature of a fitted model.

    Projected gradient ascent on the input image (activation maximisation,
    Erhan et al. 2009; Simonyan et al. 2014; Yosinski et al. 2015) of

        J(x) = f(x) − l2/2 ‖x − c‖² − tv · Σ sqrt(|∇x|² + ε²),

    with f the class score of ``target`` (the score :func:`input_gradient`
    differentiates) or the output column ``feature`` of a transformer, c the
    centre of ``pixel_range`` (0 without one) and ε = 10⁻³ · (high − low).
    Each step moves every pixel by ``step_size`` · (high − low) in root mean
    square along the gradient of J, with a cosine decay to 1% at the last
    iteration; the image is then clipped to ``pixel_range`` and, with
    ``max_norm``, scaled back into the ball ‖x − c‖ <= max_norm. With
    jitter j, each gradient is taken at the image rolled (circularly) by a
    random shift of up to j pixels per axis and rolled back.

    The start is fixed: c plus white noise of standard deviation
    0.01 · (high − low) (0.01 without a range) drawn from ``random_state``.
    For a linear feature ⟨a, x⟩ with ``max_norm=r``, ``pixel_range=None`` and
    no regulariser, the result is r·a/‖a‖: the normalised atom.

    Parameters
    ----------
    model_or_transformer : fitted estimator
        A classifier or Pipeline ending in one (with ``target``), or a
        transformer or Pipeline of transformers (with ``feature``); steps as
        for :func:`input_gradient`.
    target : label or list of labels, default=None
        A class of the model's ``classes_``. A list gives one image per
        class, computed together (one forward and backward per step for all).
    feature : int, str or list of them, default=None
        An output column of the (last) transformer: an index; a name from
        ``get_feature_names_out()``; a band's ``prefix`` or ``name`` (e.g.
        ``"curvelet_s3_a2_re"``, ``"scat_o2_s1_a0_s2_a3"``), meaning the
        column at the band's centre; or the stem of a block of names
        ``{stem}_{row}_{col}`` (e.g. ``"act1_3"``, channel 3 of a CNN layer),
        meaning its centre unit. A list gives one image per feature.
    image_shape : (height, width) or None, default=None
        Needed only when the model does not record it (a first step fitted on
        flattened pixels).
    max_iter : int, default=200
        Gradient steps.
    regularization : dict or None, default=None
        Weights ``{"l2": float, "tv": float, "jitter": int}`` (missing keys: 0),
        in units of the objective f.
    pixel_range : (low, high) or None, default=(0.0, 1.0)
        Box the pixels are kept in; None leaves them free.
    max_norm : float or None, default=None
        Bound on ‖x − c‖.
    step_size : float, default=0.05
        First step, in units of the pixel range per pixel (root mean square).
    random_state : int, RandomState instance or None, default=None
        Seeds the start and the jitter.

    Returns
    -------
    image : ndarray of shape (height, width), or (n_items, height, width) for a list

    Raises
    ------
    sklearn.exceptions.NotFittedError
        If the model is not fitted.
    ValueError
        If ``target`` is not a class of the model, ``feature`` not one of its
        outputs, or both (or neither) are given.
    TypeError
        If a step or the head cannot be differentiated.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_sparsecode import WaveletTransformer
    >>> from sklearn_sparsecode.inspection import maximize_activation
    >>> wt = WaveletTransformer(wavelet="haar").fit(np.zeros((1, 8, 8)))
    >>> x = maximize_activation(wt, feature=20, pixel_range=None, max_norm=1.0,
    ...                         random_state=0)
    >>> bool(np.allclose(x, wt.atom(20), atol=1e-6))
    True
    """
    if (target is None) == (feature is None):
        raise ValueError("maximize_activation needs exactly one of target (a class of the "
                         "model) or feature (an output column of a transformer).")
    chain = Chain(model_or_transformer, "maximize_activation")
    if feature is not None and chain.head is not None:
        raise ValueError("feature selects an output of a transformer, but this model ends "
                         "with a classifier: pass target, or the transformer part.")
    chosen = target if target is not None else feature
    single = not isinstance(chosen, (list, tuple, np.ndarray))
    items = [chosen] if single else list(chosen)
    if not items:
        raise ValueError("maximize_activation got an empty list of targets or features.")
    if target is not None:
        for item in items:
            chain.check_target(item)
    shape, flat = _input_form(chain, image_shape, "maximize_activation")
    box = _check_range(pixel_range)
    weights = _check_regularization(regularization)
    rng = check_random_state(random_state)
    scale = 1.0 if box is None else box[1] - box[0]
    centre = 0.0 if box is None else (box[0] + box[1]) / 2
    k = len(items)

    if feature is not None:
        _, out = chain.forward(_as_input(np.full((1, *shape), centre), shape, flat))
        columns = [_resolve_feature(chain, item, out.shape[1]) for item in items]

        def ascent_direction(images):
            inputs, out = chain.forward(_as_input(images, shape, flat))
            cotangent = np.zeros(out.shape)
            cotangent[np.arange(k), columns] = 1.0
            return np.asarray(chain.backward(inputs, cotangent)).reshape(k, *shape)
    else:
        def ascent_direction(images):
            inputs, h = chain.forward(_as_input(images, shape, flat))
            cotangent = np.zeros(h.shape)
            for i, item in enumerate(items):
                cotangent[i] = chain.head_score(h[i:i + 1], item)[1][0]
            return np.asarray(chain.backward(inputs, cotangent)).reshape(k, *shape)

    x = centre + 0.01 * scale * rng.standard_normal((k, *shape))
    with _single_threaded_blas():  # held once: each transform would set and restore it
        x = _ascend(x, ascent_direction, weights, rng, max_iter, step_size, scale, centre,
                    box, max_norm)
    return x[0] if single else x


def _roll_each(images, shifts):
    return np.stack([np.roll(image, tuple(shift), axis=(0, 1))
                     for image, shift in zip(images, shifts)])


def _ascend(x, ascent_direction, weights, rng, max_iter, step_size, scale, centre, box,
            max_norm):
    """The projected, normalised gradient ascent of :func:`maximize_activation`.

    ``x`` is a batch (k, h, w); each image takes its own steps.
    """
    jitter = int(weights["jitter"])
    for t in range(max_iter):
        if jitter:
            shifts = rng.randint(-jitter, jitter + 1, size=(len(x), 2))
            grad = _roll_each(ascent_direction(_roll_each(x, shifts)), -shifts)
        else:
            grad = ascent_direction(x)
        if weights["l2"]:
            grad = grad - weights["l2"] * (x - centre)
        if weights["tv"]:
            grad = grad - weights["tv"] * np.stack(
                [_total_variation_gradient(image, 1e-3 * scale) for image in x])
        rms = np.sqrt(np.mean(grad * grad, axis=(1, 2), keepdims=True))
        rate = step_size * scale * (0.01 + 0.99 * 0.5 * (1 + np.cos(np.pi * t / max_iter)))
        x = x + rate * np.divide(grad, rms, out=np.zeros_like(grad), where=rms > 0)
        if box is not None:
            np.clip(x, box[0], box[1], out=x)
        if max_norm is not None:
            norms = np.sqrt(np.sum((x - centre) ** 2, axis=(1, 2), keepdims=True))
            x = centre + (x - centre) * np.minimum(1.0, max_norm / np.maximum(norms, 1e-300))
    return x


@validate_params(
    {"transformer": [HasMethods(["fit", "transform"])], "features": ["array-like"],
     "image_shape": ["array-like", None], "init": [StrOptions({"noise"}), "array-like"],
     "pixel_range": ["array-like", None],
     "max_iter": [Interval(Integral, 1, None, closed="left")],
     "tol": [Interval(Real, 0, None, closed="left")],
     "random_state": ["random_state"]},
    prefer_skip_nested_validation=True)
def reconstruct_from_features(transformer, features: ArrayLike, *,
                              image_shape: tuple[int, int] | None = None,
                              init: str | ArrayLike = "noise",
                              pixel_range: tuple[float, float] | None = None,
                              max_iter: int = 200, tol: float = 1e-12,
                              random_state=None) -> np.ndarray:
    """Images whose features under a fitted transformer match given ones.

    Minimises the relative feature distance ½‖Φ(x) − f‖² / ‖f‖² per image
    with L-BFGS-B (its gradient by the transformer's ``transform_vjp``),
    within ``pixel_range`` when given. What Φ keeps of an image is what the
    result shares with the original: scattering coefficients of order 1
    against orders 1 and 2 (Bruna & Mallat 2013), or, for texture synthesis,
    features averaged over the whole image (``LocalPooling(transformer=...,
    grid=1)``: the result has the texture's statistics, not its layout).

    The start is fixed and documented: white noise uniform in ``pixel_range``
    (in [0, 1) without one) drawn from ``random_state``, or ``init``.

    Parameters
    ----------
    transformer : fitted transformer or Pipeline of transformers
        Steps as for :func:`input_gradient` (no classifier).
    features : array-like of shape (n_features,) or (n_samples, n_features)
        Target features, e.g. ``transformer.transform(images)``.
    image_shape : (height, width) or None, default=None
        Needed only when the transformer does not record it.
    init : "noise" or array-like of shape (n_samples, height, width), default="noise"
        The start (see above).
    pixel_range : (low, high) or None, default=None
        Bounds on the pixels.
    max_iter : int, default=200
        L-BFGS-B iterations.
    tol : float, default=1e-12
        Stop when the relative decrease of the distance, or the largest
        gradient entry, falls below it.
    random_state : int, RandomState instance or None, default=None
        Seeds the noise start.

    Returns
    -------
    images : ndarray of shape (height, width), or (n_samples, height, width)
        One image per row of ``features``.

    References
    ----------
    .. [1] J. Bruna and S. Mallat, "Audio texture synthesis with scattering
       moments", arXiv:1311.0407, 2013; "Invariant scattering convolution
       networks", IEEE TPAMI 35(8), 2013.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_sparsecode import WaveletTransformer
    >>> from sklearn_sparsecode.inspection import reconstruct_from_features
    >>> image = np.random.default_rng(0).random((1, 8, 8))
    >>> wt = WaveletTransformer(wavelet="haar").fit(image)
    >>> back = reconstruct_from_features(wt, wt.transform(image)[0], random_state=0)
    >>> bool(np.allclose(back, image[0], atol=1e-6))
    True
    """
    chain = Chain(transformer, "reconstruct_from_features")
    if chain.head is not None:
        raise TypeError("reconstruct_from_features matches the features of a transformer; "
                        f"{type(transformer).__name__} ends with a classifier.")
    shape, flat = _input_form(chain, image_shape, "reconstruct_from_features")
    single = np.ndim(features) == 1
    targets = check_array(np.atleast_2d(features), dtype=np.float64, input_name="features")
    n = len(targets)
    box = _check_range(pixel_range)
    _, probe = chain.forward(_as_input(np.zeros((1, *shape)), shape, flat))
    if targets.shape[1] != probe.shape[1]:
        raise ValueError(f"features has {targets.shape[1]} columns, but the transformer "
                         f"gives {probe.shape[1]} features per image.")
    if isinstance(init, str):
        low, high = box if box is not None else (0.0, 1.0)
        start = check_random_state(random_state).uniform(low, high, size=(n, *shape))
    else:
        start = np.asarray(init, dtype=np.float64).reshape(-1, *shape)
        if len(start) != n:
            raise ValueError(f"init has {len(start)} images for {n} rows of features.")
    weights = 1.0 / np.maximum(np.sum(targets**2, axis=1, keepdims=True), np.finfo(float).tiny)

    def objective(flat_images):
        images = flat_images.reshape(n, *shape)
        inputs, out = chain.forward(_as_input(images, shape, flat))
        residual = np.asarray(out, dtype=np.float64) - targets
        value = 0.5 * float(np.sum(weights * residual**2))
        grad = chain.backward(inputs, weights * residual)
        return value, np.asarray(grad, dtype=np.float64).ravel()

    bounds = None if box is None else [box] * start.size
    with _single_threaded_blas():  # held once: each transform would set and restore it
        result = scipy.optimize.minimize(objective, start.ravel(), jac=True, method="L-BFGS-B",
                                         bounds=bounds,
                                         options={"maxiter": max_iter, "ftol": tol,
                                                  "gtol": tol, "maxcor": 20})
    images = result.x.reshape(n, *shape)
    return images[0] if single else images
