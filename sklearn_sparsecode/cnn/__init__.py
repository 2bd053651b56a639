"""A small convolutional network run forward in numpy (LeNet-5 and custom stacks)."""

from ._extractor import CNNFeatureExtractor

__all__ = ["CNNFeatureExtractor"]
