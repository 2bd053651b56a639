"""Checks and layout helpers shared by the plots."""

from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import HasMethods
from sklearn.utils.validation import check_is_fitted

from .._core.validation import Interval

# Shared constraints of the plotting functions (validate_params): the estimator
# arguments are checked by _require/_require_cnn, with messages that name the fix.
COUNT = [Interval(Integral, 1, None, closed="left")]
CMAP = [str, HasMethods(["__call__"])]
TITLE = [str, None]


def _require(estimator, attribute, function, what):
    """A clear TypeError, before any fitted check, for estimators a plot cannot draw."""
    if not hasattr(estimator, attribute):
        raise TypeError(f"{function} needs {what}; got {type(estimator).__name__}, which has "
                        f"no {attribute}.")


def _require_cnn(cnn, function):
    from ..cnn import CNNClassifier, CNNFeatureExtractor

    if not isinstance(cnn, (CNNFeatureExtractor, CNNClassifier)):
        raise TypeError(f"{function} draws a CNNFeatureExtractor or CNNClassifier; got "
                        f"{type(cnn).__name__}. For a multiscale transform, use plot_atoms.")
    check_is_fitted(cnn)


def _hide_ticks_and_empty(axes):
    for ax in axes.ravel():
        ax.set_xticks([])
        ax.set_yticks([])
        if not ax.images and not ax.lines:
            ax.set_axis_off()


def _subsample(items, most):
    step = max(1, int(np.ceil(len(items) / most)))
    return items[::step][:most]


def _image_grid(n_rows, n_cols, size=1.5):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(n_rows, n_cols, figsize=(size * n_cols + 0.4, size * n_rows + 0.5),
                             squeeze=False)
    for ax in axes.ravel():
        ax.set_xticks([])
        ax.set_yticks([])
    return fig, axes
