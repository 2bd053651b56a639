"""Multilevel discrete wavelet transforms (PyWavelets' ``wavedec2`` on batches).

:func:`plan_wavelets` fixes the wavelet, number of scales, mode and output
layout for one sample shape; :func:`wavelet_transform` and
:func:`inverse_wavelet_transform` run on batches with it;
:class:`WaveletTransformer` is the estimator around them.
"""

from ._estimator import WaveletTransformer
from ._transform import (
    WaveletPlan,
    inverse_wavelet_transform,
    max_n_scales,
    plan_wavelets,
    wavelet_transform,
)

__all__ = [
    "WaveletPlan",
    "WaveletTransformer",
    "inverse_wavelet_transform",
    "max_n_scales",
    "plan_wavelets",
    "wavelet_transform",
]
