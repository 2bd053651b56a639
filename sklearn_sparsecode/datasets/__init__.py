"""Data sets used by the examples and benchmarks. Nothing here downloads."""

from ._cartoon import make_cartoon
from ._fashion_mnist import load_fashion_mnist

__all__ = ["load_fashion_mnist", "make_cartoon"]
