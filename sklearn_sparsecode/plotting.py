"""Pictures of the fixed first layers: atoms of transforms, CNN filters and responses.

Needs matplotlib (``pip install "sklearn-sparsecode[plot]"``).
"""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._core.bands import complex_pairs

__all__ = [
    "atom_image",
    "linearised_filters",
    "plot_atoms",
    "plot_band_importance",
    "plot_coefficient_maps",
    "plot_filter_combinations",
    "plot_filters",
    "plot_input_gradients",
    "plot_maximized_activations",
    "plot_reconstructions",
    "plot_responses",
]


def atom_image(estimator, column):
    """The atom of output column ``column`` of a fitted transform (``estimator.atom``)."""
    check_is_fitted(estimator)
    return estimator.atom(column)


def _row_label(band):
    """Row title of a band's scale, saying which way the numbering runs."""
    if band.scale_label == "level":
        return f"level {band.scale}" + (" (finest)" if band.scale == 1 else "")
    return f"scale {band.scale}" + (" (coarsest)" if band.scale == 1 else "")


def _panel_label(band):
    """Panel title: the orientation (frequency direction) or the band's name."""
    if band.orientation is not None:
        return f"{band.orientation:.0f}°"
    return {"lowpass": "low-pass", "fine": "isotropic"}.get(band.stem, band.stem)


def _rows_by_scale(bands):
    """Bands grouped into rows by (path, scale), coarse to fine, in layout order.

    Every layout here lists its bands coarse to fine, so the order of first
    appearance is the coarse-to-fine order for every transform, whatever its
    scale numbering.
    """
    rows = {}
    for band in bands:
        rows.setdefault((band.path, band.scale), []).append(band)
    return list(rows.values())


def _hide_ticks_and_empty(axes):
    for ax in axes.ravel():
        ax.set_xticks([])
        ax.set_yticks([])
        if not ax.images and not ax.lines:
            ax.set_axis_off()


def _centre(band):
    rows, cols = band.shape[0], band.shape[1] if len(band.shape) > 1 else 1
    return band.start + (rows // 2) * cols + cols // 2


def _subsample(items, most):
    step = max(1, int(np.ceil(len(items) / most)))
    return items[::step][:most]


def _atom_bands(estimator, max_per_scale):
    """(row label, [(panel label, band)]) to show, one row per scale."""
    # The imaginary half of a complex band is the same atom shifted in phase.
    shown = [b for b in estimator.bands_ if b.part != "im"]
    return [(_row_label(row[0]), _subsample([(_panel_label(b), b) for b in row], max_per_scale))
            for row in _rows_by_scale(shown)]


def plot_atoms(estimator, *, max_per_scale=8, zoom=True, figsize=None, cmap="RdBu_r"):
    """Plot the atoms of a fitted transform: one row per scale, one panel per band.

    Each panel is the atom at the centre of its band (the real part of a
    complex band), with a symmetric colour scale. Rows run coarse to fine
    ("level 1" is the finest wavelet level, "scale 1" the coarsest curvelet
    scale). Panels are titled by orientation: the direction, in degrees from
    the horizontal frequency axis, along which the atom oscillates; it responds
    to edges running perpendicular to it. Bands without orientation are titled
    by name (aa, da, ad, dd for wavelets). 1-D transforms are drawn as curves.

    Parameters
    ----------
    estimator : fitted transform with ``bands_`` and ``atom``
        WaveletTransformer, CurveletTransformer, ContourletTransformer, ...
    max_per_scale : int, default=8
    zoom : bool, default=True
        Crop each panel to the atom's support (where it exceeds 3% of its
        maximum), so that fine-scale atoms are visible.
    figsize : tuple or None
    cmap : str, default="RdBu_r"

    Returns
    -------
    fig : matplotlib Figure

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_sparsecode import CurveletTransformer
    >>> from sklearn_sparsecode.plotting import plot_atoms
    >>> ct = CurveletTransformer(n_scales=3, n_orientations=4).fit(np.zeros((1, 64, 64)))
    >>> fig = plot_atoms(ct)  # doctest: +SKIP
    >>> fig.savefig("curvelet_atoms.png")  # doctest: +SKIP
    """
    import matplotlib.pyplot as plt

    check_is_fitted(estimator)
    if not hasattr(estimator, "atom") and hasattr(getattr(estimator, "transformer_", None),
                                                  "atom"):
        # A pooled layer has no atoms of its own: show those of the transform it pools.
        estimator = estimator.transformer_
    if not hasattr(estimator, "atom"):
        raise TypeError(f"plot_atoms needs a transform with atoms (an invertible layer such as "
                        f"WaveletTransformer or CurveletTransformer); {type(estimator).__name__} "
                        f"has none. For pooled features, plot the atoms of its transformer_.")
    rows = _atom_bands(estimator, max_per_scale)
    n_cols = max(len(bands) for _, bands in rows)
    figsize = figsize or (1.6 * n_cols, 1.7 * len(rows))
    fig, axes = plt.subplots(len(rows), n_cols, figsize=figsize, squeeze=False)
    for axes_row, (key, bands) in zip(axes, rows):
        for ax, (label, band) in zip(axes_row, bands):
            atom = atom_image(estimator, _centre(band))
            if atom.ndim == 1:
                ax.plot(atom, lw=0.8)
                ax.set_title(label, fontsize=8)
                continue
            if zoom:
                mask = np.abs(atom) > 0.03 * np.abs(atom).max()
                r, c = np.nonzero(mask)
                pad = 2
                atom = atom[max(r.min() - pad, 0):r.max() + pad + 1,
                            max(c.min() - pad, 0):c.max() + pad + 1]
            limit = np.abs(atom).max() or 1.0
            ax.imshow(atom, cmap=cmap, vmin=-limit, vmax=limit, interpolation="nearest")
            ax.set_title(label, fontsize=8)
        axes_row[0].set_ylabel(key, fontsize=9)
    _hide_ticks_and_empty(axes)
    fig.suptitle(f"Atoms of {type(estimator).__name__}", fontsize=10)
    fig.tight_layout()
    return fig


def plot_filters(cnn, layer="conv1", *, max_filters=64, cmap="RdBu_r"):
    """Plot the filters of one convolution of a fitted CNNFeatureExtractor.

    One panel per (output channel, input channel) pair, up to ``max_filters``,
    each with a symmetric colour scale.

    Returns
    -------
    fig : matplotlib Figure
    """
    import matplotlib.pyplot as plt

    check_is_fitted(cnn)
    entry = next((e for e in cnn.layers_ if e["name"] == layer), None)
    if entry is None or entry["type"] != "conv":
        convs = [e["name"] for e in cnn.layers_ if e["type"] == "conv"]
        raise ValueError(f"{layer!r} is not a convolution layer; those are {convs}.")
    weight = entry["weight"]
    filters = weight.reshape(-1, *weight.shape[2:])[:max_filters]
    n_cols = min(len(filters), 8 if weight.shape[1] > 1 else len(filters))
    n_rows = int(np.ceil(len(filters) / n_cols))
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(1.3 * n_cols, 1.4 * n_rows + 0.4),
                             squeeze=False)
    for k, ax in enumerate(axes.ravel()):
        ax.set_xticks([])
        ax.set_yticks([])
        if k >= len(filters):
            ax.set_axis_off()
            continue
        limit = np.abs(filters[k]).max() or 1.0
        ax.imshow(filters[k], cmap=cmap, vmin=-limit, vmax=limit, interpolation="nearest")
        out_channel, in_channel = divmod(k, weight.shape[1])
        ax.set_title(f"{out_channel}" if weight.shape[1] == 1 else f"{out_channel}←{in_channel}",
                     fontsize=7)
    fig.suptitle(f"{layer}: {weight.shape[0]} filters of {weight.shape[2]}x{weight.shape[3]}"
                 f" × {weight.shape[1]} input maps", fontsize=9)
    fig.tight_layout()
    return fig


def plot_responses(cnn, image, *, max_maps=16, cmap="viridis"):
    """Plot the input image and the feature maps of every map-valued layer of a CNN.

    One row per convolution, activation or pooling layer (up to ``max_maps``
    maps each), then bar rows for the vector-valued layers (dense units).

    Parameters
    ----------
    cnn : fitted CNNFeatureExtractor
    image : array-like of shape ``cnn.input_shape_``, or one colour image
        (the fitted batch's layout without its sample axis)

    Returns
    -------
    fig : matplotlib Figure
    """
    import matplotlib.pyplot as plt

    from .cnn._layers import forward

    check_is_fitted(cnn)
    if getattr(cnn, "channel_axis", None) is None:
        image = np.asarray(image, dtype=np.float64).reshape(1, *cnn.input_shape_)
        shown = image[0]
    else:  # one colour image: validated as a batch of one, channels first
        from .cnn._input import validate_cnn_images

        image = validate_cnn_images(cnn, np.asarray(image)[None], reset=False, image_shape=None,
                                    channel_axis=cnn.channel_axis).astype(np.float64)
        shown = np.moveaxis(image[0], 0, -1)
        shown = ((shown - shown.min()) / (np.ptp(shown) or 1.0) if shown.shape[-1] == 3
                 else shown[..., 0])
    params = {e["name"]: (e["weight"], e["bias"]) for e in cnn.layers_ if "weight" in e}
    outputs = [(e["name"], forward(image, cnn.layers_, params, i)[0])
               for i, e in enumerate(cnn.layers_) if e["type"] != "flatten"]
    # 1x1 maps (LeNet's C5) read better as a vector of units.
    outputs = [(name, out.ravel() if out.ndim == 3 and out.shape[1:] == (1, 1) else out)
               for name, out in outputs]
    n_cols = max([1] + [min(len(out), max_maps) for _, out in outputs if out.ndim == 3])
    fig, axes = plt.subplots(len(outputs) + 1, n_cols,
                             figsize=(1.2 * n_cols + 1, 1.25 * (len(outputs) + 1)),
                             squeeze=False)
    for ax in axes.ravel():
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_axis_off()
    axes[0, 0].set_axis_on()
    axes[0, 0].imshow(shown, cmap="gray")
    axes[0, 0].set_ylabel("input", fontsize=8)
    for row, (name, out) in zip(axes[1:], outputs):
        row[0].set_axis_on()
        row[0].set_ylabel(name, fontsize=8)
        if out.ndim == 3:
            for ax, fmap in zip(row, out[:max_maps]):
                ax.set_axis_on()
                ax.imshow(fmap, cmap=cmap, interpolation="nearest")
        else:
            row[0].bar(np.arange(len(out)), out, width=1.0)
    fig.suptitle("Responses of each layer to one image", fontsize=9)
    fig.tight_layout()
    return fig


def plot_coefficient_maps(estimator, weights, *, max_per_scale=8, cmap="RdBu_r", title=None):
    """Map a vector over a layer's outputs back to its bands: one panel per band.

    Typical use: the coefficients of a linear head, to see which scales,
    orientations and positions it relies on, e.g.
    ``plot_coefficient_maps(pipe["wavelet"], np.abs(pipe["clf"].coef_).sum(axis=0))``.
    Works for every layer with ``bands_``: wavelets, curvelets (decimated bands
    are shown on their wrapping rectangles, which are not image positions),
    pooled features (one cell per pixel), scattering paths; 1-D bands are
    drawn as curves.

    Parameters
    ----------
    estimator : fitted layer with ``bands_``
    weights : array-like of shape (n_outputs,) or (2 * n_outputs,)
        One value per output column of ``estimator``. Twice as many (after
        ``ThresholdTransformer(sign="split")``) are folded as |pos| + |neg|.
        The "re" and "im" halves of a complex band are shown as
        sqrt(re² + im²). For a multi-class ``coef_`` of shape (n_classes, n)
        pass one row, ``coef_[k]``, or ``abs(coef_).sum(axis=0)``.
    max_per_scale : int, default=8
    cmap : str, default="RdBu_r"
        Used with a symmetric range when ``weights`` has negative values,
        otherwise "viridis".

    Returns
    -------
    fig : matplotlib Figure
    """
    import matplotlib.pyplot as plt

    check_is_fitted(estimator)
    if not hasattr(estimator, "bands_"):
        raise TypeError(f"plot_coefficient_maps needs a layer with bands_ (a transform, "
                        f"LocalPooling, ...); got {type(estimator).__name__}.")
    weights = np.asarray(weights, dtype=np.float64)
    if weights.ndim == 2 and weights.shape[0] > 1:
        raise ValueError(f"weights has shape {weights.shape}: one row per class. Pass one "
                         f"row (coef_[k]) or a summary such as np.abs(coef_).sum(axis=0).")
    weights = weights.ravel()
    n_out = estimator.bands_[-1].stop
    if weights.size == 2 * n_out:
        weights = np.abs(weights[:n_out]) + np.abs(weights[n_out:])
    if weights.size != n_out:
        raise ValueError(f"weights has {weights.size} values; {type(estimator).__name__} has "
                         f"{n_out} outputs (or pass twice that after sign='split').")
    signed = weights.min() < 0
    # One panel per band: the halves of a complex band as their modulus.
    panels = {}
    for group in complex_pairs(estimator.bands_):
        first = group[0]
        values = weights[first.start:first.stop]
        if len(group) == 2:
            values = np.hypot(values, weights[group[1].start:group[1].stop])
        panels[first] = values.reshape(first.shape)
    rows = [(_row_label(row[0]),
             _subsample([(_panel_label(b), panels[b]) for b in row], max_per_scale))
            for row in _rows_by_scale(list(panels))]
    n_cols = max(len(items) for _, items in rows)
    limit = np.abs(weights).max() or 1.0
    fig, axes = plt.subplots(len(rows), n_cols, figsize=(1.6 * n_cols, 1.7 * len(rows)),
                             squeeze=False)
    image = None
    for axes_row, (key, items) in zip(axes, rows):
        for ax, (label, panel) in zip(axes_row, items):
            if panel.ndim == 1:
                ax.plot(panel, lw=0.8)
                ax.set_ylim(-limit if signed else 0, limit)
            else:
                image = ax.imshow(panel, cmap=cmap if signed else "viridis",
                                  vmin=-limit if signed else 0, vmax=limit,
                                  interpolation="nearest")
            ax.set_title(label, fontsize=8)
        axes_row[0].set_ylabel(key, fontsize=9)
    _hide_ticks_and_empty(axes)
    if image is not None:
        fig.colorbar(image, ax=axes.ravel().tolist(), shrink=0.6)
    fig.suptitle(title or f"Weights on the {type(estimator).__name__} outputs "
                          f"(angles: frequency direction)", fontsize=10)
    return fig


def plot_band_importance(result, *, ax=None, max_groups=40, title=None):
    """Horizontal bars of :func:`~sklearn_sparsecode.inspection.band_importance`.

    Parameters
    ----------
    result : Bunch
        The output of :func:`~sklearn_sparsecode.inspection.band_importance`.
    ax : matplotlib Axes or None, default=None
        Where to draw; a new figure when None (its height grows with the
        number of groups, up to ``max_groups`` bars).
    max_groups : int, default=40
        Draw at most this many groups, the most important ones, in the
        layer's band order (a scattering network has hundreds of paths; group
        them with ``by="scale"`` to see all of them).
    title : str or None, default=None

    Returns
    -------
    ax : matplotlib Axes
    """
    import matplotlib.pyplot as plt

    if not all(key in result for key in ("names", "importances_mean", "importances_std")):
        raise TypeError("plot_band_importance draws the Bunch returned by "
                        "sklearn_sparsecode.inspection.band_importance.")
    mean = np.asarray(result["importances_mean"])
    keep = np.sort(np.argsort(mean)[::-1][:max_groups])
    if ax is None:
        _, ax = plt.subplots(figsize=(6, min(0.25 * len(keep) + 1.2, 12)))
    positions = np.arange(len(keep))[::-1]  # the first band at the top
    ax.barh(positions, mean[keep], xerr=np.asarray(result["importances_std"])[keep],
            color="tab:blue")
    ax.set_yticks(positions, [str(result["names"][i]) for i in keep], fontsize=8)
    permutation = "baseline_score" in result
    ax.set_xlabel("score drop when shuffled" if permutation else
                  "share of the head's squared coefficients")
    if title:
        ax.set_title(title)
    return ax


def _conv_index(cnn, layer):
    names = [e["name"] for e in cnn.layers_]
    convs = [e["name"] for e in cnn.layers_ if e["type"] == "conv"]
    if layer not in names or cnn.layers_[names.index(layer)]["type"] != "conv":
        raise ValueError(f"{layer!r} is not a convolution layer; those are {convs}.")
    index = names.index(layer)
    if convs.index(layer) == 0:
        raise ValueError(f"{layer!r} is the first convolution: it combines input channels, "
                         f"not filters; pick one of {convs[1:]}.")
    return index


def linearised_filters(cnn, layer="conv2"):
    """Each filter of a convolution seen in the input: the layers up to it linearised.

    Activations become the identity (the slope of tanh at 0), max pooling
    becomes average pooling, biases and padding are dropped; what is left is
    linear, and the filter of output channel o is the gradient of its value at
    one position with respect to the input: the sum over input maps c of the
    weights ``W[o, c]`` spread over the previous filters.

    Returns
    -------
    filters : ndarray of shape (out_channels, in_channels_of_the_image, R, R)
        R is the receptive field of ``layer`` (14 for LeNet-5's conv2).
    """
    from .cnn._backward import backward, forward_cached

    check_is_fitted(cnn)
    stop = _conv_index(cnn, layer)
    linear, size = [], 1
    for entry in cnn.layers_[:stop + 1]:
        if entry["type"] == "conv":
            linear.append({**entry, "padding": 0})
        elif entry["type"] == "pool":
            linear.append({**entry, "kind": "avg"})
        elif entry["type"] == "activation":
            linear.append({**entry, "function": "identity"})
    for entry in linear[::-1]:
        if entry["type"] == "conv":
            size = (size - 1) * entry["stride"] + entry["kernel_size"]
        elif entry["type"] == "pool":
            size = (size - 1) * entry["stride"] + entry["size"]
    params = {e["name"]: (np.asarray(e["weight"], dtype=np.float64),
                          np.zeros(len(e["bias"]))) for e in linear if e["type"] == "conv"}
    n_out, channels = linear[-1]["weight"].shape[0], getattr(cnn, "n_channels_", None) or 1
    images = np.zeros((n_out, channels, size, size))
    out, caches = forward_cached(images, linear, params)
    cotangent = np.zeros(out.shape)
    cotangent[np.arange(n_out), np.arange(n_out), 0, 0] = 1.0
    return backward(cotangent, linear, params, caches, inputs=True)[1]


def plot_filter_combinations(cnn, layer="conv2", *, max_filters=8, cmap="RdBu_r"):
    """Each filter of a second convolution as a weighted combination of the first's filters.

    Top row: the filters of the previous convolution (the "atoms"). Then one
    row per filter o of ``layer`` (up to ``max_filters``): the weight map
    ``W[o, c]`` with which atom c enters it (titled with its norm), and on the
    right the resulting filter in the input (:func:`linearised_filters`: the
    atoms placed by the weight maps through the pooling, summed). Colour
    scales are symmetric: one per row for the weight maps.

    Parameters
    ----------
    cnn : fitted CNNFeatureExtractor or CNNClassifier
    layer : str, default="conv2"
        A convolution that follows another one.
    max_filters : int, default=8
    cmap : str, default="RdBu_r"

    Returns
    -------
    fig : matplotlib Figure
    """
    import matplotlib.pyplot as plt

    index = _conv_index(cnn, layer)
    previous = [e for e in cnn.layers_[:index] if e["type"] == "conv"][-1]
    atoms = np.asarray(previous["weight"]).mean(axis=1)  # colour input: mean over channels
    weight = np.asarray(cnn.layers_[index]["weight"])
    combined = linearised_filters(cnn, layer).mean(axis=1)
    shown = range(min(max_filters, len(weight)))
    n_cols = weight.shape[1] + 2
    fig, axes = plt.subplots(len(shown) + 1, n_cols, squeeze=False,
                             figsize=(1.0 * n_cols + 0.6, 1.05 * (len(shown) + 1) + 0.5))
    for ax in axes.ravel():
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_axis_off()

    def draw(ax, image, limit=None, title=None):
        ax.set_axis_on()
        limit = limit or np.abs(image).max() or 1.0
        ax.imshow(image, cmap=cmap, vmin=-limit, vmax=limit, interpolation="nearest")
        if title:
            ax.set_title(title, fontsize=6)

    for c, atom in enumerate(atoms):
        draw(axes[0, c + 1], atom, title=f"{previous['name']} {c}")
    axes[0, 0].text(0.5, 0.5, "atoms", ha="center", va="center", fontsize=7,
                    transform=axes[0, 0].transAxes)
    for row, o in zip(axes[1:], shown):
        row[0].text(0.5, 0.5, f"{layer} {o}\n=", ha="center", va="center", fontsize=7,
                    transform=row[0].transAxes)
        limit = np.abs(weight[o]).max()
        for c in range(weight.shape[1]):
            draw(row[c + 1], weight[o, c], limit, f"‖w‖ {np.linalg.norm(weight[o, c]):.2f}")
        draw(row[-1], combined[o], title="in the input")
    fig.suptitle(f"{layer}: each filter is a weighted combination of {previous['name']}'s "
                 f"{len(atoms)} filters (weight map per filter; right: the sum in pixels)",
                 fontsize=8)
    fig.tight_layout()
    return fig


def _image_grid(n_rows, n_cols, size=1.5):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(n_rows, n_cols, figsize=(size * n_cols + 0.4, size * n_rows + 0.5),
                             squeeze=False)
    for ax in axes.ravel():
        ax.set_xticks([])
        ax.set_yticks([])
    return fig, axes


def _display_shape(model, X):
    """The (height, width) to draw rows of X at: the model's first step's images."""
    from .inspection._chain import Chain

    first = Chain(model, "plotting").first
    shape = getattr(first, "input_shape_", None)
    if shape is not None and len(shape) == 2:
        return tuple(shape)
    if np.ndim(X) == 3:
        return tuple(np.shape(X)[1:])
    raise ValueError("Cannot tell the image shape: pass X of shape (n, height, width).")


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
    from .inspection import input_gradient

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
    from .inspection import maximize_activation
    from .inspection._chain import Chain
    from .inspection._synthesis import _as_input, _input_form, _resolve_feature

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
    from .inspection import reconstruct_from_features

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
