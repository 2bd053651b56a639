"""Pictures of the inspection module: saliency, activation maximisation, reconstructions."""

import numpy as np
from sklearn.utils._param_validation import validate_params

from ._common import CMAP, COUNT, _image_grid


def _display_shape(model, X):
    """The (height, width) to draw rows of X at: the model's first step's images."""
    from ..inspection._chain import Chain

    first = Chain(model, "plotting").first
    shape = getattr(first, "input_shape_", None)
    if shape is not None and len(shape) == 2:
        return tuple(shape)
    if np.ndim(X) == 3:
        return tuple(np.shape(X)[1:])
    raise ValueError("Cannot tell the image shape: pass X of shape (n, height, width).")


@validate_params({"model": "no_validation", "X": ["array-like"], "targets": ["array-like", None],
                  "max_images": COUNT, "cmap": CMAP},
                 prefer_skip_nested_validation=False)
def plot_input_gradients(model, X, *, targets=None, max_images=8, cmap="RdBu_r"):
    """Plot images (top row) and the gradient of a class score at each (bottom row).

    The gradient is :func:`~sklearn_sparsecode.inspection.input_gradient`:
    red pixels raise the score of the class in the panel's title where they
    brighten, blue ones lower it; each panel has its own symmetric colour
    scale.

    Parameters
    ----------
    model : fitted classifier or Pipeline
    X : array-like of shape (n_samples, height, width) or (n_samples, n_features)
    targets : label, list of labels or None, default=None
        The class of each image's gradient: None is the model's prediction,
        one label is used for every image.
    max_images : int, default=8
    cmap : str, default="RdBu_r"

    Returns
    -------
    fig : matplotlib Figure
    """
    from ..inspection import input_gradient

    X = np.asarray(X)[:max_images]
    shape = _display_shape(model, X)
    if targets is None:
        targets = list(model.predict(X))
    elif np.ndim(targets) == 0:
        targets = [targets] * len(X)
    else:
        targets = list(targets)[:len(X)]
    fig, axes = _image_grid(2, len(X))
    for k, target in enumerate(targets):
        gradient = input_gradient(model, X[k:k + 1], target=target).reshape(shape)
        axes[0, k].imshow(X[k].reshape(shape), cmap="gray", interpolation="nearest")
        limit = np.abs(gradient).max() or 1.0
        axes[1, k].imshow(gradient, cmap=cmap, vmin=-limit, vmax=limit,
                          interpolation="nearest")
        axes[0, k].set_title(f"class {target}", fontsize=8)
    axes[0, 0].set_ylabel("image", fontsize=8)
    axes[1, 0].set_ylabel("gradient", fontsize=8)
    fig.suptitle("Gradient of the class score with respect to the pixels", fontsize=9)
    fig.tight_layout()
    return fig


@validate_params({"model_or_transformer": "no_validation", "targets": ["array-like", None],
                  "features": ["array-like", None], "n_cols": COUNT + [None], "cmap": CMAP},
                 prefer_skip_nested_validation=False)
def plot_maximized_activations(model_or_transformer, *, targets=None, features=None,
                               n_cols=None, cmap="gray", **kwargs):
    """Plot the images that maximise class scores or features, one panel each.

    Each panel is :func:`~sklearn_sparsecode.inspection.maximize_activation`
    for one class of ``targets`` or one feature of ``features``, drawn on the
    pixel range (``pixel_range``, default (0, 1)) or, without one, on a
    symmetric colour scale. Its title gives the class or feature and the
    value reached.

    Parameters
    ----------
    model_or_transformer : fitted estimator
    targets : list of labels, optional
    features : list of int or str, optional
    n_cols : int or None
        Panels per row (None: all in one row, at most 10).
    cmap : str, default="gray"
    **kwargs :
        Passed to ``maximize_activation`` (``max_iter``, ``regularization``,
        ``pixel_range``, ``max_norm``, ``random_state``, ...).

    Returns
    -------
    fig : matplotlib Figure
    """
    from ..inspection import maximize_activation
    from ..inspection._chain import Chain
    from ..inspection._synthesis import _as_input, _input_form, _resolve_feature

    if (targets is None) == (features is None):
        raise ValueError("Pass targets (classes) or features, not both.")
    items = list(targets if targets is not None else features)
    chain = Chain(model_or_transformer, "plot_maximized_activations")
    shape, flat = _input_form(chain, kwargs.get("image_shape"), "plot_maximized_activations")
    key = "target" if targets is not None else "feature"
    images = maximize_activation(model_or_transformer, **{key: items}, **kwargs)
    inputs, out = chain.forward(_as_input(images, shape, flat))
    if targets is not None:
        values = [chain.head_score(out[i:i + 1], item)[0][0] for i, item in enumerate(items)]
        labels = [f"class {item}" for item in items]
    else:
        values = [out[i, _resolve_feature(chain, item, out.shape[1])]
                  for i, item in enumerate(items)]
        labels = [str(item) for item in items]
    n_cols = n_cols or min(len(items), 10)
    n_rows = -(-len(items) // n_cols)
    fig, axes = _image_grid(n_rows, n_cols)
    box = kwargs.get("pixel_range", (0.0, 1.0))
    for ax, image, label, value in zip(axes.ravel(), images, labels, values):
        if box is None:
            limit = np.abs(image).max() or 1.0
            ax.imshow(image, cmap="RdBu_r" if cmap == "gray" else cmap, vmin=-limit,
                      vmax=limit, interpolation="nearest")
        else:
            ax.imshow(image, cmap=cmap, vmin=box[0], vmax=box[1], interpolation="nearest")
        ax.set_title(f"{label}\n{value:.3g}", fontsize=7)
    for ax in axes.ravel()[len(items):]:
        ax.set_axis_off()
    fig.suptitle("Images that maximise each " + ("class score" if targets is not None
                                                 else "feature"), fontsize=9)
    fig.tight_layout()
    return fig


@validate_params({"transformers": "no_validation", "X": ["array-like"],
                  "labels": ["array-like", None], "cmap": CMAP},
                 prefer_skip_nested_validation=False)
def plot_reconstructions(transformers, X, *, labels=None, cmap="gray", **kwargs):
    """Plot images beside the images reconstructed from their features.

    One row per image of X: the original, then for each fitted transformer
    the result of :func:`~sklearn_sparsecode.inspection.reconstruct_from_features`
    from ``transformer.transform(X)``. Titles give the relative feature
    distance reached, ‖Φ(x̂) − Φ(x)‖ / ‖Φ(x)‖, and the relative pixel error
    ‖x̂ − x‖ / ‖x‖ (the features keep what the image shares with the
    original, so a small feature distance need not give a small pixel error).

    Parameters
    ----------
    transformers : fitted transformer or list of them
    X : array-like of shape (n_samples, height, width)
        The images the transformers were fitted for.
    labels : list of str or None
        Column titles (default: the transformers' class names).
    cmap : str, default="gray"
    **kwargs :
        Passed to ``reconstruct_from_features`` (``max_iter``,
        ``pixel_range``, ``random_state``, ...).

    Returns
    -------
    fig : matplotlib Figure
    """
    from ..inspection import reconstruct_from_features

    if not isinstance(transformers, (list, tuple)):
        transformers = [transformers]
    labels = labels or [type(t).__name__ for t in transformers]
    X = np.asarray(X, dtype=np.float64)
    fig, axes = _image_grid(len(X), len(transformers) + 1, size=1.9)
    low, high = X.min(), X.max()
    for row, image in zip(axes, X):
        row[0].imshow(image, cmap=cmap, vmin=low, vmax=high, interpolation="nearest")
    axes[0, 0].set_title("original", fontsize=8)
    for col, (transformer, label) in enumerate(zip(transformers, labels), start=1):
        features = transformer.transform(X)
        images = reconstruct_from_features(transformer, features, **kwargs)
        reached = transformer.transform(images)
        for row, image, back, f, g in zip(axes, X, images, features, reached):
            feature_error = np.linalg.norm(g - f) / np.linalg.norm(f)
            pixel_error = np.linalg.norm(back - image) / np.linalg.norm(image)
            row[col].imshow(back, cmap=cmap, vmin=low, vmax=high, interpolation="nearest")
            row[col].set_xlabel(f"features {feature_error:.1e}\npixels {pixel_error:.2f}",
                                fontsize=7)
        axes[0, col].set_title(label, fontsize=8)
    fig.suptitle("Images reconstructed from their features (relative errors)", fontsize=9)
    fig.tight_layout()
    return fig
