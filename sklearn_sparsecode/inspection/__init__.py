"""What a fitted model relies on and responds to: gradients, images it asks for, bands it uses.

* :func:`input_gradient`: saliency, the gradient of a class score of a fitted
  two-layer model with respect to each pixel (:func:`class_score`: that score);
* :func:`maximize_activation`: an image that maximises a class score or one
  feature (activation maximisation);
* :func:`reconstruct_from_features`: an image with given features (scattering
  inversion, texture synthesis);
* :func:`band_importance`: how much each band or scale of the fixed first
  layer weighs in a fitted two-layer model (head coefficients or permutation).

The first three differentiate through every step's ``transform_vjp`` (the
vector–Jacobian products of this package's transformers), scikit-learn's
scalers and PCA, and a linear or SVC head. Plots: :func:`~sklearn_sparsecode.
plotting.plot_input_gradients`, :func:`~sklearn_sparsecode.plotting.
plot_maximized_activations`, :func:`~sklearn_sparsecode.plotting.
plot_reconstructions`, :func:`~sklearn_sparsecode.plotting.plot_band_importance`.
"""

from ._bands import band_importance
from ._gradient import class_score, input_gradient
from ._synthesis import maximize_activation, reconstruct_from_features

__all__ = [
    "band_importance",
    "class_score",
    "input_gradient",
    "maximize_activation",
    "reconstruct_from_features",
]
