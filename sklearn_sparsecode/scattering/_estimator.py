"""The scattering transform as a scikit-learn estimator.
"""

from .._core.base import MultiscaleTransformer
from ._cascade import _forward, _row_bytes
from ._gradient import scattering_vjp
from ._plan import SCATTERING_CONSTRAINTS, plan_scattering


class ScatteringTransformer(MultiscaleTransformer):
    """Scattering coefficients of orders 0 to 2 (Mallat 2012) as a transformer.

    S0 = x⋆φ, S1 = |x⋆ψλ1|⋆φ and S2 = ||x⋆ψλ1|⋆ψλ2|⋆φ over frequency-decreasing
    paths, sampled every 2^J pixels: a fixed, translation-stable and
    deformation-stable representation for a linear or kernel head. The
    wavelets are an oriented Morlet bank (Bruna & Mallat 2013; the filters of
    Kymatio's ``Scattering2D``, built here in the Fourier domain) or this
    package's undecimated curvelet windows. See :func:`~sklearn_sparsecode.scattering.scattering_transform`
    for the algorithm.

    Parameters
    ----------
    n_scales : int, default=2
        J dyadic scales; one output sample per 2^J pixels per axis.
    n_orientations : int, default=8
        Orientations per scale (Morlet); curvelets use 2 × n_orientations
        wedges at the coarsest scale (n_orientations real orientations there,
        doubling every other scale).
    max_order : {1, 2}, default=2
    frame : {"morlet", "curvelet"}, default="morlet"
    padding : {"reflect", "symmetric", "zero", "periodic"}, default="reflect"
        Boundary handling (padding by 2^J pixels per side, cropped from the output).
    normalize : {"peak", "tight"}, default="peak"
        Morlet gains: unit peak (Kymatio's) or Littlewood–Paley sum exactly 1
        (the averaging φ is the Gaussian in both cases).
    subsampling : int, default=0
        The modulus |x⋆ψ_j| is sampled every 2^(j + subsampling) pixels
        (clipped to the output step).
    oversampling : int, default=0
        Outputs every 2^(J − oversampling) pixels (φ keeps its width).
    rotation : {None, "average", "fourier", "roto-translation"}, default=None
        Orientation invariants: mean over θ1 (θ2 − θ1 fixed), modulus of the
        DFT over θ1, or the roto-translation orbit average (Sifre & Mallat
        2013): each map averaged over the rotations of the image within
        ``rotation_window``, rotation acting jointly on the position (about the
        image centre) and on the orientations of the path; keeps the layout and
        names of None. See :func:`~sklearn_sparsecode.scattering.scattering_transform`.
    scale : {None, "average"}, default=None
        Mean over j1 (j2 − j1 fixed).
    compression : None, "log" or float in (0, 1], default=0.5
        Power (0.5: square root) or log(1 + S/0.01) of orders ≥ 1, for linear heads.
    slant : float or None, default=None
        Morlet envelope aspect ratio; None is 4/L.
    rotation_window : float in [0, 180], default=22.5
        Half-width in degrees of the rotations averaged by
        ``rotation="roto-translation"`` (180: the whole circle, full invariance);
        ignored by the other options.
    image_shape : tuple (height, width) or None, default=None
        Image shape when X is 2-D with one flattened image per row.
    channel_axis : int or None, default=None
        Axis of X that holds the channels of colour images (e.g. -1 for
        ``(n_samples, height, width, 3)``): one block of features per channel.
        None: grey images.
    batch_size : int or None, default=None
        Images per chunk; None sizes chunks from scikit-learn's ``working_memory``.
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
    plan_ : ScatteringPlan
    bands_ : list of Band
        One record per output block (``path`` gives ((scale1, angle1), (scale2,
        angle2)), ``len(path)`` is the order).

    See Also
    --------
    sklearn_sparsecode.scattering.scattering_transform : The function behind ``transform``.
    MorletTransformer : The first layer alone.
    LocalPooling : Pooled moduli of any transform (a first-order front end).

    References
    ----------
    .. [1] S. Mallat, "Group invariant scattering", CPAM 65(10), 2012.
    .. [2] J. Bruna and S. Mallat, "Invariant scattering convolution networks",
       IEEE TPAMI 35(8), 2013.
    .. [3] L. Sifre and S. Mallat, "Rotation, scaling and deformation invariant
       scattering for texture discrimination", CVPR 2013.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_sparsecode import ScatteringTransformer
    >>> X = np.random.default_rng(0).random((4, 28, 28)).astype(np.float32)
    >>> st = ScatteringTransformer(n_scales=2, n_orientations=8).fit(X)
    >>> S = st.transform(X)
    >>> S.shape, S.dtype
    ((4, 3969), dtype('float32'))
    >>> [b.path for b in st.bands_[:2]], st.bands_[-1].path
    ([(), ((1, 0),)], ((1, 7), (2, 7)))
    >>> st.get_feature_names_out()[[0, 49]]
    array(['scat_o0_lowpass_0_0', 'scat_o1_s1_a0_0_0'], dtype=object)
    """

    _parameter_constraints: dict = {
        **SCATTERING_CONSTRAINTS,
        **MultiscaleTransformer._parameter_constraints,
    }
    _images_only = True
    _uses_blas = True  # every filtering step and low-pass is a matrix product
    _pass_rows = True  # inner chunks aligned to the image index: bit-identical per batch_size

    def __init__(self, *, n_scales=2, n_orientations=8, max_order=2, frame="morlet",
                 padding="reflect", normalize="peak", subsampling=0, oversampling=0,
                 rotation=None,
                 scale=None, compression=0.5, slant=None, rotation_window=22.5,
                 image_shape=None, channel_axis=None, batch_size=None, n_jobs=None, verbose=0):
        self.n_scales = n_scales
        self.n_orientations = n_orientations
        self.max_order = max_order
        self.frame = frame
        self.padding = padding
        self.normalize = normalize
        self.subsampling = subsampling
        self.oversampling = oversampling
        self.rotation = rotation
        self.scale = scale
        self.compression = compression
        self.slant = slant
        self.rotation_window = rotation_window
        super().__init__(image_shape=image_shape, channel_axis=channel_axis,
                         batch_size=batch_size, n_jobs=n_jobs, verbose=verbose)

    def _make_plan(self, input_shape):
        return plan_scattering(
            input_shape, n_scales=self.n_scales, n_orientations=self.n_orientations,
            max_order=self.max_order, frame=self.frame,
            padding=self.padding, normalize=self.normalize, subsampling=self.subsampling,
            oversampling=self.oversampling,
            rotation=self.rotation, scale=self.scale, compression=self.compression,
            slant=self.slant, rotation_window=self.rotation_window)

    _forward = staticmethod(_forward)

    def _vjp(self, plan, chunk, cotangent, out, start=0, total=None):
        # Runs the forward kernels' pass again (their buffers keep every response),
        # then back through it; inner chunks aligned to the image index.
        scattering_vjp(plan, chunk, cotangent, out, start, total)

    def _row_bytes(self, itemsize):
        return _row_bytes(self.plan_, itemsize)

    def _vjp_row_bytes(self, itemsize):
        # The kept complex responses (two reals each) of both layers and their cotangents.
        return 4 * _row_bytes(self.plan_, itemsize)
