"""sklearn-sparsecode: fixed multiresolution first layers for scikit-learn pipelines.

The two-layer model h = σ(W x), classifier(h): W a fixed transform
(:class:`WaveletTransformer`), σ a threshold (:class:`ThresholdTransformer`),
then any scikit-learn classifier.
"""

from ._threshold import ThresholdTransformer, threshold, universal_threshold
from ._wavelet import (
    Band,
    WaveletTransformer,
    inverse_wavelet_transform,
    max_wavelet_level,
    wavelet_layout,
    wavelet_transform,
)

__version__ = "0.1.0"

__all__ = [
    "Band",
    "ThresholdTransformer",
    "WaveletTransformer",
    "inverse_wavelet_transform",
    "max_wavelet_level",
    "threshold",
    "universal_threshold",
    "wavelet_layout",
    "wavelet_transform",
]
