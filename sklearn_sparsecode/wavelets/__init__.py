"""Multilevel discrete wavelet transforms (PyWavelets' ``wavedec2`` on batches)."""

from ._estimator import WaveletTransformer
from ._transform import (
    inverse_wavelet_transform,
    max_wavelet_level,
    wavelet_layout,
    wavelet_transform,
)

__all__ = [
    "WaveletTransformer",
    "inverse_wavelet_transform",
    "max_wavelet_level",
    "wavelet_layout",
    "wavelet_transform",
]
