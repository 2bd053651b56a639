"""Noise level of images: the robust MAD estimate on a transform's finest bands."""

import numpy as np
from sklearn import get_config
from sklearn.utils._param_validation import HasMethods, validate_params

from .._core.shrinkage import robust_sigma
from .._core.validation import CHANNEL_AXIS
from ._images import as_image_batch
from ._plans import transform_info

SIGMA_WAVELET = "sym4"  # the default transform σ is estimated in (its diagonal details)


def wavelet_transformer(wavelet, n_scales):
    """A periodized :class:`WaveletTransformer` with ``n_scales`` levels."""
    from ..wavelets import WaveletTransformer

    return WaveletTransformer(wavelet=wavelet, n_scales=int(n_scales))


CHUNK_BYTES = 64 << 20  # working set per chunk: big fresh arrays cost page faults


def rows_per_chunk(bytes_per_row):
    """Rows per chunk: within scikit-learn's ``working_memory`` and at most 64 MiB."""
    budget = min(get_config()["working_memory"] * 2**20, CHUNK_BYTES)
    return max(1, int(budget // max(int(bytes_per_row), 1)))


def sigma_of(data, transformer=None):
    """σ̂ of each grey image of a float batch ``(n, h, w)`` (float64, shape (n,)).

    The images are cropped to even height and width (at most one row and one
    column dropped) so that decimated transforms see whole pairs of pixels.
    """
    if transformer is None:
        transformer = wavelet_transformer(SIGMA_WAVELET, 1)
    crop = tuple(slice(0, s - s % 2 if s > 1 else s) for s in data.shape[1:])
    data = data[(slice(None), *crop)]
    info = transform_info(transformer, data.shape[1:])
    bands = [info.bands[i] for i in info.noise_bands()]
    norms = info.analysis_norms()[info.noise_bands()]
    sigma = np.empty(len(data))
    step = rows_per_chunk(24 * info.n_coefs)
    for first in range(0, len(data), step):
        coefs = info.forward(data[first:first + step]).astype(np.float64, copy=False)
        values = np.concatenate(
            [coefs[:, b.start:b.stop] / norm for b, norm in zip(bands, norms) if norm > 0],
            axis=1)
        sigma[first:first + step] = robust_sigma(values, axis=1)
    return sigma


@validate_params({"images": ["array-like"],
                  "transformer": [HasMethods(["fit", "transform"]), None],
                  "channel_axis": CHANNEL_AXIS},
                 prefer_skip_nested_validation=True)
def estimate_sigma(images, transformer=None, *, channel_axis=None):
    """Noise standard deviation of each image (and channel), from its finest bands.

    σ̂ = median(|c| / ‖a‖) / Φ⁻¹(3/4) over the coefficients c of the noise bands
    of a transform, ‖a‖ the standard deviation of a band's coefficients for
    unit white noise (the norm of its *analysis* atoms). For white Gaussian
    noise each c/‖a‖ is N(0, σ²) and the median of |N(0, 1)| is 0.6745
    (Donoho & Johnstone's MAD rule); image content in those bands biases σ̂ up.

    The noise bands are the transform's finest scale, read from each band's
    scale numbering (never from the order of the bands), and within it the
    bands whose atoms respond most to the diagonal frequencies near Nyquist,
    where images hold the least energy: the ``dd`` band of a wavelet transform
    (Donoho & Johnstone's choice, and scikit-image's), the diagonal wedges of
    curvelets and contourlets, the diagonal Morlet filters. The analysis norms
    are exact for orthonormal bases and tight frames and measured on white
    noise otherwise (contourlets), so σ̂ is unbiased on pure noise for every
    transform.

    Parameters
    ----------
    images : array-like
        One image ``(height, width)`` or a batch ``(n_images, height, width)``;
        with ``channel_axis``, one image ``(height, width, channels)`` or a batch
        ``(n_images, height, width, channels)`` (channels on that axis). One
        image iff ``ndim == 2 + (channel_axis is not None)``. Integer images are
        scaled as :func:`skimage.util.img_as_float` does, so σ̂ is in the units
        of the scaled image ([0, 1] for unsigned integers).
    transformer : transformer of this package or None, default=None
        The transform σ is measured in; None is one level of ``sym4`` wavelets
        (its ``dd`` band). Cloned and fitted when not fitted on this shape.
    channel_axis : int or None, default=None
        The axis of the channels (scikit-image's meaning); None for grey.

    Returns
    -------
    sigma : float or ndarray
        A float for one grey image; shape (channels,) for one colour image,
        (n_images,) for a grey batch, (n_images, channels) for a colour batch.

    References
    ----------
    D. L. Donoho and I. M. Johnstone, "Ideal spatial adaptation by wavelet
    shrinkage", Biometrika 81(3) (1994) 425–455.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_sparsecode.restoration import estimate_sigma
    >>> noise = np.random.default_rng(0).normal(scale=0.1, size=(128, 128))
    >>> round(estimate_sigma(noise), 2)
    0.1
    """
    batch = as_image_batch(images, channel_axis)
    data = batch.data
    if channel_axis is None:
        sigma = sigma_of(data, transformer)
    else:
        n, h, w, c = data.shape
        grey = np.moveaxis(data, -1, 1).reshape(n * c, h, w)
        sigma = sigma_of(grey, transformer).reshape(n, c)
    if batch.single:
        sigma = sigma[0]
        return float(sigma) if np.ndim(sigma) == 0 else sigma
    return sigma
