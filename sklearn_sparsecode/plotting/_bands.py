"""Pictures of multiscale layers: atoms, weights mapped back to bands, band importance."""

from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import validate_params
from sklearn.utils.validation import check_is_fitted

from .._core.bands import complex_pairs
from .._core.validation import Interval
from ._common import CMAP, COUNT, TITLE, _hide_ticks_and_empty, _require, _subsample


@validate_params({"estimator": "no_validation",
                  "column": [Interval(Integral, 0, None, closed="left")]},
                 prefer_skip_nested_validation=True)
def atom_image(estimator, column):
    """The atom of output column ``column`` of a fitted transform (``estimator.atom``).

    Parameters
    ----------
    estimator : fitted transformer with an ``atom`` method
        A fitted :class:`~sklearn_sparsecode.MultiscaleTransformer` with an inverse
        (wavelets, curvelets, contourlets, Morlet).
    column : int
        Index of the output column (see the estimator's ``bands_``).

    Returns
    -------
    atom : ndarray of shape (height, width)
        The image the estimator's inverse maps a unit coefficient in ``column`` to.
    """
    _require(estimator, "atom", "atom_image", "a transform with an inverse (wavelets, curvelets, "
             "contourlets, Morlet)")
    check_is_fitted(estimator)
    return estimator.atom(column)


def _row_label(band):
    """Row title of a band's scale, saying which way the numbering runs."""
    if band.path:  # scattering: one row per order and scale
        return f"order {len(band.path)}, scale {band.scale}"
    if band.scale_label == "level":
        return f"level {band.scale}" + (" (finest)" if band.scale == 1 else "")
    return f"scale {band.scale}" + (" (coarsest)" if band.scale == 1 else "")


def _panel_label(band):
    """Panel title: the orientation (frequency direction) or the band's name."""
    if len(band.path) > 1:  # a second-order path: its scales and angles say what it is
        return band.stem
    if band.orientation is not None:
        return f"{band.orientation:.0f}°"
    return {"lowpass": "low-pass", "fine": "isotropic"}.get(band.stem, band.stem)


def _rows_by_scale(bands):
    """Bands grouped into rows by (path length, scale), coarse to fine, in layout order.

    Every layout here lists its bands coarse to fine, so the order of first
    appearance is the coarse-to-fine order for every transform, whatever its
    scale numbering. Scattering paths share a row per order and scale (one row
    per path would make hundreds of rows).
    """
    rows = {}
    for band in bands:
        rows.setdefault((band.channel, len(band.path), band.scale), []).append(band)
    return list(rows.values())


def _centre(band):
    rows, cols = band.shape[0], band.shape[1] if len(band.shape) > 1 else 1
    return band.start + (rows // 2) * cols + cols // 2


def _atom_bands(estimator, max_per_scale):
    """(row label, [(panel label, band)]) to show, one row per scale."""
    # The imaginary half of a complex band is the same atom shifted in phase.
    shown = [b for b in estimator.bands_ if b.part != "im"]
    return [(_row_label(row[0]), _subsample([(_panel_label(b), b) for b in row], max_per_scale))
            for row in _rows_by_scale(shown)]


@validate_params({"estimator": "no_validation", "max_per_scale": COUNT, "zoom": ["boolean"],
                  "figsize": [tuple, None], "cmap": CMAP},
                 prefer_skip_nested_validation=True)
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

    _require(estimator, "bands_" if hasattr(estimator, "transformer") else "atom", "plot_atoms",
             "a transform with atoms (an invertible layer such as WaveletTransformer or "
             "CurveletTransformer, or LocalPooling over one)")
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


@validate_params({"estimator": "no_validation", "weights": ["array-like"],
                  "max_per_scale": COUNT, "cmap": CMAP, "title": TITLE},
                 prefer_skip_nested_validation=True)
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

    what = "a layer with bands (a transform of this package, LocalPooling, ...)"
    _require(estimator, "feature_layout", "plot_coefficient_maps", what)
    check_is_fitted(estimator)
    _require(estimator, "bands_", "plot_coefficient_maps", what)
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


@validate_params({"result": [dict], "ax": "no_validation", "max_groups": COUNT,
                  "title": TITLE},
                 prefer_skip_nested_validation=True)
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
