"""Data sets used by the examples and benchmarks. Nothing here downloads."""

from ._fashion_mnist import load_fashion_mnist

__all__ = ["load_fashion_mnist"]
