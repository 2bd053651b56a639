"""Layers that act on a transform's output: thresholds and local pooling.

:func:`threshold` and :class:`ThresholdTransformer` are the non-linearity
σ(x; τ) of the two-layer model (:func:`universal_threshold` estimates a
denoising τ); :func:`pool_coefficients` and :class:`LocalPooling` average the
moduli of a transform's bands on a coarse grid.
"""

from ._pooling import LocalPooling, pool_coefficients
from ._threshold import ThresholdTransformer, threshold, universal_threshold

__all__ = [
    "LocalPooling",
    "ThresholdTransformer",
    "pool_coefficients",
    "threshold",
    "universal_threshold",
]
