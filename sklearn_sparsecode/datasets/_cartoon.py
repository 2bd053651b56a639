"""Cartoon images: piecewise smooth with a smooth edge, the curvelets' model class."""

from numbers import Integral

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import validate_params

from .._core.validation import Interval


@validate_params({"size": [Interval(Integral, 4, None, closed="left"), tuple],
                  "n_harmonics": [Interval(Integral, 0, None, closed="left")],
                  "supersample": [Interval(Integral, 1, None, closed="left")],
                  "random_state": ["random_state"]},
                 prefer_skip_nested_validation=True)
def make_cartoon(size: int | tuple[int, int] = 256, *, n_harmonics: int = 3,
                 supersample: int = 4, random_state=None) -> np.ndarray:
    """A piecewise-C² image with a C² edge (Candès & Donoho's cartoon model).

    Two smooth functions, one inside and one outside a smooth star-shaped
    curve r(θ) = r0 (1 + Σ_k a_k cos(kθ + φ_k)), anti-aliased by averaging
    ``supersample``² sub-pixel samples per pixel. Values lie roughly in [0, 1]; the
    image is smooth across its borders when tiled periodically.

    Parameters
    ----------
    size : int or (int, int), default=256
        Image shape.
    n_harmonics : int, default=3
        Harmonics of the boundary curve (more gives a wigglier edge).
    supersample : int, default=4
        Sub-pixel samples per axis.
    random_state : int, RandomState or None

    Returns
    -------
    image : ndarray of shape (height, width), float64

    Examples
    --------
    >>> from sklearn_sparsecode.datasets import make_cartoon
    >>> make_cartoon(64, random_state=0).shape
    (64, 64)
    """
    rng = check_random_state(random_state)
    height, width = (size, size) if np.isscalar(size) else size
    if min(height, width) < 4 or supersample < 1:
        raise ValueError("make_cartoon needs size >= 4 and supersample >= 1.")
    # Sub-pixel centres in [0, 1] x [0, 1] (aspect ratio kept by the shorter side).
    s = supersample
    y = (np.arange(height * s) + 0.5) / (height * s)
    x = (np.arange(width * s) + 0.5) / (width * s)
    yy, xx = np.meshgrid(y * height / min(height, width), x * width / min(height, width),
                         indexing="ij")
    cy, cx = yy.mean() + rng.uniform(-0.05, 0.05), xx.mean() + rng.uniform(-0.05, 0.05)
    theta = np.arctan2(yy - cy, xx - cx)
    radius = np.hypot(yy - cy, xx - cx)
    k = np.arange(2, 2 + n_harmonics)[:, None, None]
    amplitude = rng.uniform(0.04, 0.12, size=n_harmonics)[:, None, None] / k * 2
    phase = rng.uniform(0, 2 * np.pi, size=n_harmonics)[:, None, None]
    boundary = 0.3 * (1 + np.sum(amplitude * np.cos(k * theta + phase), axis=0))
    # Smooth (C-infinity) functions inside and outside.
    a = rng.uniform(0.5, 1.5, size=4)
    inside = 0.7 + 0.15 * np.sin(a[0] * 3 * xx + a[1]) * np.cos(a[2] * 2 * yy)
    # Periodic outside (integer frequencies on the unit square), so that the
    # periodic extension every FFT-based transform sees has no border edges.
    outside = 0.2 + 0.1 * np.cos(2 * np.pi * (xx + yy)) * a[3]
    fine = np.where(radius < boundary, inside, outside)
    return fine.reshape(height, s, width, s).mean(axis=(1, 3))
