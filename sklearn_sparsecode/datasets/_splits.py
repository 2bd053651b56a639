"""The train/test splits the demo, the tests and the accuracy study share."""

from numbers import Integral

import numpy as np
from sklearn.datasets import load_digits
from sklearn.utils._param_validation import StrOptions, validate_params

from .._core.validation import Interval
from ._fashion_mnist import load_fashion_mnist

DATASETS = ("digits", "fashion-mnist")


# Counts are positive integers (booleans refused): a slice bound would silently read
# n_train=-5 as "all but the last 5" and n_train=True as 1.
@validate_params({"name": [StrOptions(set(DATASETS))],
                  "n_train": [Interval(Integral, 1, None, closed="left"), None],
                  "n_test": [Interval(Integral, 1, None, closed="left"), None]},
                 prefer_skip_nested_validation=True)
def load_train_test(name, n_train=None, n_test=None):
    """Images scaled to [0, 1] with their train/test split.

    Parameters
    ----------
    name : {"digits", "fashion-mnist"}
        ``"digits"``: the split of scikit-learn's digits classification example
        (first half train, second half test; 8 x 8 images). ``"fashion-mnist"``:
        the published 60,000 / 10,000 split of the local IDX files (see
        :func:`load_fashion_mnist`; never downloads), as float32.
    n_train, n_test : int or None, default=None
        Keep only the first n images of each part (a positive integer; more
        than the part holds keeps the whole part).

    Returns
    -------
    X_train, y_train, X_test, y_test : ndarray
        Images of shape (n, height, width) and their labels.

    Examples
    --------
    >>> from sklearn_sparsecode.datasets import load_train_test
    >>> X_train, y_train, X_test, y_test = load_train_test("digits")
    >>> X_train.shape, X_test.shape
    ((898, 8, 8), (899, 8, 8))
    """
    if name == "digits":
        digits = load_digits()
        images, target = digits.images / 16.0, digits.target
        half = len(images) // 2
        train, test = (images[:half], target[:half]), (images[half:], target[half:])
    else:
        train = load_fashion_mnist(subset="train", return_X_y=True)
        test = load_fashion_mnist(subset="test", return_X_y=True)
        train = (train[0].astype(np.float32) / 255, train[1])
        test = (test[0].astype(np.float32) / 255, test[1])
    (X_train, y_train), (X_test, y_test) = train, test
    return X_train[:n_train], y_train[:n_train], X_test[:n_test], y_test[:n_test]
