"""A small convolutional network in numpy: forward, gradients and training.

:class:`CNNFeatureExtractor` runs LeNet-5 or a custom stack forward as a fixed
first layer (with ``transform_vjp``, the gradient with respect to the input);
:class:`CNNClassifier` trains the same networks, whole or layer by layer, with
exact backward passes (SGD with momentum or Adam).
"""

from ._classifier import CNNClassifier
from ._extractor import CNNFeatureExtractor

__all__ = ["CNNClassifier", "CNNFeatureExtractor"]
