"""sklearn-sparsecode: fixed multiresolution first layers for scikit-learn pipelines.

The two-layer model h = σ(W x), classifier(h): W a fixed transform
(:class:`WaveletTransformer`, :class:`CurveletTransformer`,
:class:`CNNFeatureExtractor`), σ a threshold (:class:`ThresholdTransformer`),
then any scikit-learn classifier; :class:`LocalPooling` turns a transform's
magnitudes into shift-stable local averages.
"""

from ._cnn import CNNFeatureExtractor
from ._curvelet import (
    CurveletBand,
    CurveletTransformer,
    curvelet_layout,
    curvelet_transform,
    inverse_curvelet_transform,
    plan_curvelets,
)
from ._pooling import LocalPooling, PooledBand, pool_coefficients, pooling_layout, pooling_matrix
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
    "CNNFeatureExtractor",
    "CurveletBand",
    "CurveletTransformer",
    "curvelet_layout",
    "curvelet_transform",
    "inverse_curvelet_transform",
    "LocalPooling",
    "PooledBand",
    "pool_coefficients",
    "pooling_layout",
    "pooling_matrix",
    "plan_curvelets",
    "ThresholdTransformer",
    "WaveletTransformer",
    "inverse_wavelet_transform",
    "max_wavelet_level",
    "threshold",
    "universal_threshold",
    "wavelet_layout",
    "wavelet_transform",
]

# The two-layer model and scale-out helpers (issue 15).
from ._model import make_two_layer_model  # noqa: E402

__all__ += ["make_two_layer_model"]
from ._dask import dask_transform  # noqa: E402

__all__ += ["dask_transform"]
