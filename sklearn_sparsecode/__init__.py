"""sklearn-sparsecode: fixed multiresolution first layers for scikit-learn pipelines.

The two-layer model h = σ(W x), classifier(h): W a fixed transform
(:class:`WaveletTransformer`, :class:`CurveletTransformer`,
:class:`ContourletTransformer`, :class:`MorletTransformer`,
:class:`ScatteringTransformer`, :class:`CNNFeatureExtractor`), σ a threshold
(:class:`ThresholdTransformer`), then any scikit-learn classifier
(:class:`CNNClassifier` trains the numpy CNN end to end instead);
:class:`LocalPooling` turns a transform's magnitudes into shift-stable local
averages; :func:`make_two_layer_model` builds the pipeline. Every multiscale
output is laid out by :class:`Band` records; :class:`MultiscaleTransformer` is
the base a new transform subclasses.

The functions behind the estimators live in one public submodule per family
(:mod:`~sklearn_sparsecode.wavelets`, :mod:`~sklearn_sparsecode.curvelets`,
:mod:`~sklearn_sparsecode.contourlets`, :mod:`~sklearn_sparsecode.morlet`,
:mod:`~sklearn_sparsecode.scattering`, :mod:`~sklearn_sparsecode.cnn`,
:mod:`~sklearn_sparsecode.layers`); denoising and n-term approximation in
:mod:`~sklearn_sparsecode.restoration`; pictures in
:mod:`~sklearn_sparsecode.plotting`; gradients with respect to the input
images (saliency, activation maximisation, feature inversion) in
:mod:`~sklearn_sparsecode.inspection`; out-of-core extraction in
:mod:`~sklearn_sparsecode.dask`; data in :mod:`~sklearn_sparsecode.datasets`.
"""

from ._core.bands import Band
from ._core.base import MultiscaleTransformer
from ._core.validation import FlattenedImagesWarning
from ._model import make_two_layer_model
from .cnn import CNNClassifier, CNNFeatureExtractor
from .contourlets import ContourletTransformer
from .curvelets import CurveletTransformer
from .layers import LocalPooling, ThresholdTransformer
from .morlet import MorletTransformer
from .restoration import Denoiser
from .scattering import ScatteringTransformer
from .wavelets import WaveletTransformer

__version__ = "0.2.0.dev0"

__all__ = [
    "Band",
    "CNNClassifier",
    "CNNFeatureExtractor",
    "ContourletTransformer",
    "CurveletTransformer",
    "Denoiser",
    "FlattenedImagesWarning",
    "LocalPooling",
    "MorletTransformer",
    "MultiscaleTransformer",
    "ScatteringTransformer",
    "ThresholdTransformer",
    "WaveletTransformer",
    "make_two_layer_model",
]
