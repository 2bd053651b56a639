"""The front ends the main job compares, and the constants of its search.
"""

import warnings
from typing import NamedTuple

import numpy as np
from sklearn.base import clone

DATASETS = ("digits", "fashion-mnist")
# C candidates per head (as in benchmarks/bench_accuracy.py).
C_GRIDS = {"svc": (3.0, 10.0), "logistic": (0.01, 0.1), "linear-svm": (0.001, 0.01)}
DEFAULT_HEADS = ("svc", "logistic")
# τ candidates as quantiles of |features| on the training images: 0 (no
# threshold), then half, 80% and 95% of the entries zeroed (before pooling).
DEFAULT_QUANTILES = (0.0, 0.5, 0.8, 0.95)
# Default sizes: all of digits; a Fashion-MNIST subset (--full: 60,000 / 10,000).
SUBSET_SIZES = {"digits": (None, None), "fashion-mnist": (2000, 2000)}
FULL_TUNE_SIZE = 5000  # --full tunes on the first 5,000 images, refits on all


class FrontEnd(NamedTuple):
    """A fixed first layer in the demo: name, transformer, threshold sign."""

    name: str
    transformer: object  # estimator, or "passthrough" for pixels
    sign: str
    thresholded: bool  # whether τ is searched (not for pixels)
    key: str = ""  # --front-ends key matched exactly; "" matches by substring of the name
    heads: tuple = ()  # the heads it is run with (among --heads); () is every head


# Front ends contributed by other modules of the package, used when they are
# importable from ``sklearn_sparsecode``: (name, class name, factory). The
# factory gets the class and the image shape and returns (transformer, sign),
# or None when the image is too small. This is the extension point for the
# scattering and contourlet transforms.
def _key(name):
    return name.lower().replace(" ", "-")


def _scattering(cls, shape):
    # One octave on 8 x 8 digits (J=2 averages them to a 2 x 2 grid: 0.959
    # against 0.990 with J=1, benchmarks/results/accuracy_scattering_digits.json).
    return cls(n_scales=1 if min(shape) < 16 else 2), "keep"


def _pooled_contourlets(cls, shape):
    from ..layers import LocalPooling

    # Undecimated (shift invariant, any image size), pooled like the curvelets.
    return LocalPooling(transformer=cls(decimated=False), grid=4 if min(shape) < 16 else 7,
                        power=0.5), "keep"


def _curvelets_and_scattering(cls, shape):
    # Digits only: the pooled curvelets of the table beside one-octave
    # scattering, concatenated (their features have about the same norm, so
    # no weights). 0.9933 on the standard split and 0.9948 ± 0.0021 over 10
    # stratified random half splits with an RBF SVC (issue 25,
    # benchmarks/results/accuracy_targets.json), against 0.9922 / 0.9922
    # for the pooled curvelets alone.
    if min(shape) >= 16:
        return None
    from sklearn.pipeline import FeatureUnion

    from ..curvelets import CurveletTransformer
    from ..layers import LocalPooling

    curvelets = CurveletTransformer(n_scales=2, n_orientations=8, decimated=False)
    return FeatureUnion([("pooled_curvelets", LocalPooling(transformer=curvelets, grid=4,
                                                           power=0.5)),
                         ("scattering", cls(n_scales=1))]), "keep"


# (name, class name, factory, --front-ends key or "" to match the name, τ searched,
# heads or () for all)
OPTIONAL_FRONT_ENDS = [
    ("scattering", "ScatteringTransformer", _scattering, "", True, ()),
    ("pooled contourlets", "ContourletTransformer", _pooled_contourlets, "", True, ()),
    # Run as in benchmarks/bench_accuracy_targets.py: RBF SVC, no threshold
    # (τ = 0), C searched; thresholding and the other heads were not validated.
    ("curvelets + scattering", "ScatteringTransformer", _curvelets_and_scattering,
     "curvelets-scattering", False, ("svc",)),
]


def front_ends(image_shape, *, wavelet="haar", n_scales=2, include=None):
    """The demo's front ends for images of ``image_shape``, in table order."""
    from importlib import import_module

    from ..cnn import CNNFeatureExtractor
    from ..curvelets import CurveletTransformer
    from ..layers import LocalPooling
    from ..wavelets import WaveletTransformer

    small = min(image_shape) < 16
    # The accuracy study's settings: on 8 x 8 digits 2 scales, 16 angles, a
    # 4 x 4 grid; on 28 x 28 images 3 scales, 4 orientations (the old 8 wedges), 7 x 7 cells.
    curvelets = CurveletTransformer(n_scales=2 if small else 3, n_orientations=8 if small else 4,
                                    decimated=False)
    found = [
        FrontEnd("pixels", "passthrough", "keep", False),
        FrontEnd(f"{wavelet} L{n_scales} wavelets",
                 WaveletTransformer(wavelet=wavelet, n_scales=n_scales),
                 "split", True),
        FrontEnd("pooled curvelets",
                 LocalPooling(transformer=curvelets, grid=4 if small else 7, power=0.5),
                 "keep", True),
    ]
    package = import_module(__package__.rpartition(".")[0])
    for name, class_name, factory, key, thresholded, heads in OPTIONAL_FRONT_ENDS:
        cls = getattr(package, class_name, None)
        if cls is None:
            continue
        try:  # a front end that cannot handle this image size is left out, not fatal
            made = factory(cls, image_shape)
            if made is not None:
                clone(made[0]).fit(np.zeros((2, *image_shape)))
        except (ValueError, TypeError) as exc:
            warnings.warn(f"{name} left out for {image_shape[0]}x{image_shape[1]} images: {exc}",
                          stacklevel=2)
            continue
        if made is not None:
            found.append(FrontEnd(name, made[0], made[1], thresholded, key, heads))
    if min(image_shape) >= 28:  # LeNet-5 pads 28 x 28 to 32 x 32
        found.append(FrontEnd("LeNet-5 trained (act3)",
                              CNNFeatureExtractor(weights="lenet5-fashion-mnist",
                                                  output_layer="act3"), "split", True))
    if include is not None:
        found = [f for f in found
                 if any(key == f.key if f.key else key in _key(f.name) for key in include)]
    return found
