"""Data sets used by the examples and benchmarks. Nothing here downloads."""

from ._cartoon import make_cartoon
from ._fashion_mnist import load_fashion_mnist
from ._splits import load_train_test

__all__ = ["load_fashion_mnist", "load_train_test", "make_cartoon"]
