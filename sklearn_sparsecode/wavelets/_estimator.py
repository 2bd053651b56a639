"""The wavelet transform as a scikit-learn estimator (see :mod:`._transform`).
"""

# Annotations stay strings: help() shows `X: ArrayLike`, not numpy's expanded union.
from __future__ import annotations

from .._core.base import MultiscaleTransformer
from ._adjoint import wavelet_adjoint
from ._transform import WAVELET_CONSTRAINTS, _forward_chunk, _inverse_chunk, plan_wavelets


class WaveletTransformer(MultiscaleTransformer):
    """Multilevel discrete wavelet transform as a scikit-learn transformer.

    The first, fixed layer of a two-layer model: each image (or 1-D signal) is
    mapped to all its wavelet coefficients, flattened into one row. Follow it
    with :class:`ThresholdTransformer` to get a sparse code, then a linear model.

    Parameters
    ----------
    wavelet : str or pywt.Wavelet, default="db2"
        Any discrete wavelet of PyWavelets, e.g. ``"haar"``, ``"db4"``,
        ``"sym8"``, ``"bior2.2"`` (``pywt.wavelist(kind="discrete")``).
        All but ``"dmey"`` are perfectly reconstructing; ``"dmey"`` is
        PyWavelets' FIR approximation of the Meyer wavelet and inverts only to
        about 1e-3.
    n_scales : int or None, default=None
        Number of decomposition levels (PyWavelets' ``level``), from 1 to
        :func:`~sklearn_sparsecode.wavelets.max_n_scales` (PyWavelets' maximum
        useful level of the shortest side); None takes that maximum. More is an
        error.
    mode : str, default="periodization"
        PyWavelets extension mode (``pywt.Modes.modes``). With
        ``"periodization"`` and an orthogonal wavelet the transform is
        orthonormal: as many coefficients as pixels, energy preserved. Other
        modes give slightly more coefficients than pixels.
    image_shape : tuple (height, width) or None, default=None
        Shape of the images when X is 2-D with one flattened image per row.
        With None, 3-D X is a batch of images and 2-D X a batch of 1-D signals.
    channel_axis : int or None, default=None
        Axis of X that holds the channels of colour images (e.g. -1 for
        ``(n_samples, height, width, 3)``): one block of coefficients per
        channel. None: grey images.
    batch_size : int or None, default=None
        Samples transformed at once; None sizes chunks from scikit-learn's
        ``working_memory`` so memory stays bounded on large inputs.
    n_jobs : int or None, default=None
        Threads over chunks (None means 1, -1 all cores). Results do not depend
        on it.
    verbose : int, default=0
        Progress lines on stderr during ``transform`` when > 0.

    Attributes
    ----------
    n_features_in_ : int
        Values per sample seen in ``fit`` (pixels per image).
    feature_names_in_ : ndarray of str
        Names of features seen during ``fit``, when X is a data frame with
        string column names.
    input_shape_ : tuple of int
        Shape of one sample: ``(height, width)`` or ``(length,)``.
    n_channels_ : int or None
        Channels per image (None for grey input).
    n_scales_ : int
        The number of levels used.
    plan_ : WaveletPlan
        The wavelet, number of scales, mode and layout of one channel, built
        in ``fit``.
    bands_ : list of Band
        Layout of the output columns: ``bands_[i].level`` (= ``.scale``),
        ``.name``, ``.shape`` and the columns ``.start:.stop`` of each band,
        coarse to fine.

    See Also
    --------
    LocalPooling : Pooled magnitudes of the bands, for a linear head.
    wavelet_transform : The function this estimator wraps.
    ThresholdTransformer : The non-linearity of the two-layer model.

    Notes
    -----
    The transform does not learn from the data: ``fit`` only records the input
    shape and builds the layout. In a grid search over later steps, use
    ``Pipeline(memory=...)`` so that it is computed once per split.

    References
    ----------
    .. [1] S. Mallat, "A wavelet tour of signal processing", 3rd ed., Academic
       Press, 2009.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_sparsecode import WaveletTransformer
    >>> X = np.random.default_rng(0).normal(size=(4, 16, 16))
    >>> wt = WaveletTransformer(wavelet="db2", n_scales=2).fit(X)
    >>> C = wt.transform(X)
    >>> C.shape
    (4, 256)
    >>> [(b.level, b.name, b.shape) for b in wt.bands_[:2]]
    [(2, 'aa', (4, 4)), (2, 'da', (4, 4))]
    >>> bool(np.allclose(wt.inverse_transform(C), X))
    True
    """

    _parameter_constraints: dict = {
        **WAVELET_CONSTRAINTS,
        **MultiscaleTransformer._parameter_constraints,
    }

    def __init__(self, *, wavelet="db2", n_scales=None, mode="periodization", image_shape=None,
                 channel_axis=None, batch_size=None, n_jobs=None, verbose=0):
        self.wavelet = wavelet
        self.n_scales = n_scales
        self.mode = mode
        super().__init__(image_shape=image_shape, channel_axis=channel_axis,
                         batch_size=batch_size, n_jobs=n_jobs, verbose=verbose)

    def _make_plan(self, input_shape):
        plan = plan_wavelets(input_shape, wavelet=self.wavelet, n_scales=self.n_scales,
                             mode=self.mode)
        self.n_scales_ = plan.n_scales
        return plan

    _forward = staticmethod(_forward_chunk)
    _inverse = staticmethod(_inverse_chunk)
    _adjoint = staticmethod(wavelet_adjoint)
