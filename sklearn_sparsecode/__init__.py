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
from ._morlet import (
    MorletPlan,
    MorletTransformer,
    inverse_morlet_transform,
    morlet_layout,
    morlet_transform,
    plan_morlet,
)
from ._pooling import LocalPooling, PooledBand, pool_coefficients, pooling_layout, pooling_matrix
from ._scattering import (
    ScatteringPlan,
    ScatteringTransformer,
    plan_scattering,
    scattering_transform,
)
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
    "MorletPlan",
    "MorletTransformer",
    "inverse_morlet_transform",
    "morlet_layout",
    "morlet_transform",
    "plan_morlet",
    "ScatteringPlan",
    "ScatteringTransformer",
    "plan_scattering",
    "scattering_transform",
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
