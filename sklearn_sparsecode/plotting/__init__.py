"""Pictures of the fixed first layers and of what fitted models use.

Atoms of transforms and weights mapped back to their bands (:func:`plot_atoms`,
:func:`plot_coefficient_maps`, :func:`plot_band_importance`), the numpy CNN's
filters and responses (:func:`plot_filters`, :func:`plot_responses`,
:func:`plot_filter_combinations`), and the inspection module's images
(:func:`plot_input_gradients`, :func:`plot_maximized_activations`,
:func:`plot_reconstructions`).

Needs matplotlib (``pip install "sklearn-sparsecode[plot]"``), imported when a
plot is drawn.
"""

from ._bands import atom_image, plot_atoms, plot_band_importance, plot_coefficient_maps
from ._cnn import (
    linearised_filters,
    plot_filter_combinations,
    plot_filters,
    plot_responses,
)
from ._inspection import (
    plot_input_gradients,
    plot_maximized_activations,
    plot_reconstructions,
)

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
