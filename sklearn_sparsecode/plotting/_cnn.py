"""Pictures of the numpy CNN: filters, responses, second-layer filters seen in pixels."""

import numpy as np
from sklearn.utils._param_validation import validate_params

from ._common import CMAP, COUNT, _require_cnn


@validate_params({"cnn": "no_validation", "layer": [str], "max_filters": COUNT, "cmap": CMAP},
                 prefer_skip_nested_validation=True)
def plot_filters(cnn, layer="conv1", *, max_filters=64, cmap="RdBu_r"):
    """Plot the filters of one convolution of a fitted CNNFeatureExtractor.

    One panel per (output channel, input channel) pair, up to ``max_filters``,
    each with a symmetric colour scale.

    Parameters
    ----------
    cnn : fitted CNNFeatureExtractor
    layer : str, default="conv1"
        Name of a convolution layer (one of the ``"conv"`` entries of ``cnn.layers_``).
    max_filters : int, default=64
        At most this many panels.
    cmap : str, default="RdBu_r"
        Matplotlib colour map (the scale is symmetric about 0 in each panel).

    Returns
    -------
    fig : matplotlib Figure
    """
    import matplotlib.pyplot as plt

    _require_cnn(cnn, "plot_filters")
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


@validate_params({"cnn": "no_validation", "image": ["array-like"], "max_maps": COUNT,
                  "cmap": CMAP},
                 prefer_skip_nested_validation=True)
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

    from ..cnn._layers import forward

    _require_cnn(cnn, "plot_responses")
    if getattr(cnn, "channel_axis", None) is None:
        image = np.asarray(image, dtype=np.float64)
        if image.shape not in (tuple(cnn.input_shape_), (int(np.prod(cnn.input_shape_)),)):
            raise ValueError(f"image has shape {image.shape}; the network was fitted on images "
                             f"of shape {tuple(cnn.input_shape_)}. Pass one image of that shape.")
        image = image.reshape(1, *cnn.input_shape_)
        shown = image[0]
    else:  # one colour image: validated as a batch of one, channels first
        from ..cnn._input import validate_cnn_images

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


@validate_params({"cnn": "no_validation", "layer": [str]}, prefer_skip_nested_validation=True)
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
    from ..cnn._backward import backward, forward_cached

    _require_cnn(cnn, "linearised_filters")
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


@validate_params({"cnn": "no_validation", "layer": [str], "max_filters": COUNT, "cmap": CMAP},
                 prefer_skip_nested_validation=True)
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

    _require_cnn(cnn, "plot_filter_combinations")
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
