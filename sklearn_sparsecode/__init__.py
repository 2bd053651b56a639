"""sklearn-sparsecode: fixed multiresolution first layers for scikit-learn pipelines.

The two-layer model h = σ(W x), classifier(h): W a fixed transform
(:class:`WaveletTransformer`, :class:`CurveletTransformer`,
:class:`ContourletTransformer`, :class:`CNNFeatureExtractor`), σ a threshold (:class:`ThresholdTransformer`),
then any scikit-learn classifier; :class:`LocalPooling` turns a transform's
magnitudes into shift-stable local averages. Every multiscale output is laid
out by :class:`Band` records; :class:`MultiscaleTransformer` is the base a new
transform subclasses.
"""

from ._approximation import band_atom_norms, nterm_approximation
from ._bands import Band
from ._base import MultiscaleTransformer
from ._cnn import CNNFeatureExtractor
from ._contourlet import (
    ContourletPlan,
    ContourletTransformer,
    contourlet_layout,
    contourlet_transform,
    inverse_contourlet_transform,
    plan_contourlets,
)
from ._curvelet import (
    CurveletBand,
    CurveletTransformer,
    curvelet_layout,
    curvelet_transform,
    inverse_curvelet_transform,
    plan_curvelets,
)
from ._dask import dask_transform
from ._denoise import Denoiser, denoise, estimate_sigma
from ._layers import band_modulus, cascade_bands
from ._model import make_two_layer_model
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
from ._validation import FlattenedImagesWarning
from ._wavelet import (
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
    "ContourletPlan",
    "ContourletTransformer",
    "CurveletBand",
    "CurveletTransformer",
    "Denoiser",
    "FlattenedImagesWarning",
    "LocalPooling",
    "MorletPlan",
    "MorletTransformer",
    "MultiscaleTransformer",
    "PooledBand",
    "ScatteringPlan",
    "ScatteringTransformer",
    "ThresholdTransformer",
    "WaveletTransformer",
    "band_atom_norms",
    "band_modulus",
    "cascade_bands",
    "contourlet_layout",
    "contourlet_transform",
    "curvelet_layout",
    "curvelet_transform",
    "dask_transform",
    "denoise",
    "estimate_sigma",
    "inverse_contourlet_transform",
    "inverse_curvelet_transform",
    "inverse_morlet_transform",
    "inverse_wavelet_transform",
    "make_two_layer_model",
    "max_wavelet_level",
    "morlet_layout",
    "morlet_transform",
    "nterm_approximation",
    "plan_contourlets",
    "plan_curvelets",
    "plan_morlet",
    "plan_scattering",
    "pool_coefficients",
    "pooling_layout",
    "pooling_matrix",
    "scattering_transform",
    "threshold",
    "universal_threshold",
    "wavelet_layout",
    "wavelet_transform",
]

