"""Layers that act on a transform's bands: thresholds, modulus, local pooling."""

from ._gradient import band_modulus_vjp
from ._modulus import band_modulus, cascade_bands
from ._pooling import (
    LocalPooling,
    PooledBand,
    pool_coefficients,
    pooling_layout,
    pooling_matrix,
)
from ._threshold import ThresholdTransformer, threshold, universal_threshold

__all__ = [
    "LocalPooling",
    "PooledBand",
    "ThresholdTransformer",
    "band_modulus",
    "band_modulus_vjp",
    "cascade_bands",
    "pool_coefficients",
    "pooling_layout",
    "pooling_matrix",
    "threshold",
    "universal_threshold",
]
