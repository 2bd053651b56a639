"""The Morlet filter bank as a scikit-learn estimator (see :mod:`._transform`).
"""

from .._core.base import MultiscaleTransformer
from ._adjoint import morlet_adjoint
from ._transform import MORLET_CONSTRAINTS, _forward, _inverse, _row_bytes, plan_morlet


class MorletTransformer(MultiscaleTransformer):
    """Undecimated oriented Morlet filter bank (periodic boundary) as a transformer.

    Each image becomes its low-pass x⋆φ and the real and imaginary parts of
    x⋆ψ_{j,k} at J dyadic scales and L orientations, every block on the full
    image grid. The filters are those of Bruna & Mallat's scattering networks
    (Gaussian envelopes with a slant, zero-mean Morlet wavelets), built in the
    Fourier domain. With ``normalize="tight"`` the bank is a Parseval frame of
    real images: ‖coefs‖ = ‖x‖, and ``inverse_transform`` (the adjoint) is
    exact. Wrapped in :class:`LocalPooling` it gives pooled first-order
    scattering features; :class:`ScatteringTransformer` cascades it.

    Parameters
    ----------
    n_scales : int, default=3
        J dyadic scales.
    n_orientations : int, default=8
        L orientations kπ/L per scale, in [0, 180) degrees.
    slant : float or None, default=None
        Envelope aspect ratio; None is 4/L (Kymatio's choice).
    normalize : {"tight", "peak"}, default="tight"
        Littlewood–Paley sum exactly 1 (isometry), or unit-peak filters
        (frame bounds in ``plan_.frame_bounds``; the inverse is then the dual frame).
    image_shape : tuple (height, width) or None, default=None
        Image shape when X is 2-D with one flattened image per row.
    channel_axis : int or None, default=None
        Axis of X that holds the channels of colour images (e.g. -1 for
        ``(n_samples, height, width, 3)``): one block of coefficients per
        channel. None: grey images.
    batch_size : int or None, default=None
        Images per chunk; None sizes chunks from ``working_memory``.
    n_jobs : int or None, default=None
        Threads over chunks. Results do not depend on it.
    verbose : int, default=0
        Progress lines on stderr during ``transform`` when > 0.

    Attributes
    ----------
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Defined when X is a data frame with string column names.
    input_shape_ : (height, width)
    n_channels_ : int or None
        Channels per image (None for grey input).
    plan_ : MorletPlan
    bands_ : list of Band

    See Also
    --------
    sklearn_sparsecode.morlet.morlet_transform : The function behind ``transform``.
    ScatteringTransformer : The cascade of this bank.
    LocalPooling : Pooled moduli of any transform.

    References
    ----------
    .. [1] J. Bruna and S. Mallat, "Invariant scattering convolution networks",
       IEEE TPAMI 35(8), 2013.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_sparsecode import MorletTransformer
    >>> X = np.random.default_rng(0).normal(size=(3, 16, 16))
    >>> mt = MorletTransformer(n_scales=2, n_orientations=4).fit(X)
    >>> C = mt.transform(X)
    >>> bool(np.allclose(np.linalg.norm(C), np.linalg.norm(X)))
    True
    >>> bool(np.allclose(mt.inverse_transform(C), X))
    True
    >>> mt.get_feature_names_out()[[0, 256]]
    array(['morlet_lowpass_0_0', 'morlet_s1_a0_re_0_0'], dtype=object)
    """

    _parameter_constraints: dict = {
        **MORLET_CONSTRAINTS,
        **MultiscaleTransformer._parameter_constraints,
    }
    _images_only = True

    def __init__(self, *, n_scales=3, n_orientations=8, slant=None, normalize="tight",
                 image_shape=None, channel_axis=None, batch_size=None, n_jobs=None, verbose=0):
        self.n_scales = n_scales
        self.n_orientations = n_orientations
        self.slant = slant
        self.normalize = normalize
        super().__init__(image_shape=image_shape, channel_axis=channel_axis,
                         batch_size=batch_size, n_jobs=n_jobs, verbose=verbose)

    def _make_plan(self, input_shape):
        return plan_morlet(input_shape, n_scales=self.n_scales,
                           n_orientations=self.n_orientations, slant=self.slant,
                           normalize=self.normalize)

    _forward = staticmethod(_forward)
    _inverse = staticmethod(_inverse)
    _adjoint = staticmethod(morlet_adjoint)

    def _row_bytes(self, itemsize):
        return _row_bytes(self.plan_, itemsize)
