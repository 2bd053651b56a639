"""sklearn-sparsecode: fixed multiresolution first layers for scikit-learn pipelines.

The two-layer model h = σ(W x), classifier(h): W a fixed transform
(:class:`WaveletTransformer`, :class:`CurveletTransformer`,
:class:`ContourletTransformer`, :class:`CNNFeatureExtractor`), σ a threshold (:class:`ThresholdTransformer`),
then any scikit-learn classifier; :class:`LocalPooling` turns a transform's
magnitudes into shift-stable local averages. Every multiscale output is laid
out by :class:`Band` records; :class:`MultiscaleTransformer` is the base a new
transform subclasses.
"""

from ._core.bands import Band
from ._core.base import MultiscaleTransformer
from ._core.validation import FlattenedImagesWarning
from ._model import make_two_layer_model
from .cnn import CNNFeatureExtractor
from .contourlets import (
    ContourletPlan,
    ContourletTransformer,
    contourlet_layout,
    contourlet_transform,
    inverse_contourlet_transform,
    plan_contourlets,
)
from .curvelets import (
    CurveletBand,
    CurveletTransformer,
    curvelet_layout,
    curvelet_transform,
    inverse_curvelet_transform,
    plan_curvelets,
)
from .dask import dask_transform
from .layers import (
    LocalPooling,
    PooledBand,
    ThresholdTransformer,
    band_modulus,
    cascade_bands,
    pool_coefficients,
    pooling_layout,
    pooling_matrix,
    threshold,
    universal_threshold,
)
from .morlet import (
    MorletPlan,
    MorletTransformer,
    inverse_morlet_transform,
    morlet_layout,
    morlet_transform,
    plan_morlet,
)
from .restoration import (
    Denoiser,
    band_atom_norms,
    denoise,
    estimate_sigma,
    nterm_approximation,
)
from .scattering import (
    ScatteringPlan,
    ScatteringTransformer,
    plan_scattering,
    scattering_transform,
)
from .wavelets import (
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

