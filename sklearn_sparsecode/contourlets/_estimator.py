"""The contourlet transform as a scikit-learn estimator.
"""

from .._core.base import MultiscaleTransformer
from ._adjoint import contourlet_adjoint
from ._plan import CONTOURLET_CONSTRAINTS, plan_contourlets
from ._transform import _forward, _inverse, _row_bytes


class ContourletTransformer(MultiscaleTransformer):
    """Contourlet transform (Laplacian pyramid + directional filter bank) as a transformer.

    Contourlets (Do & Vetterli 2005) are a discrete, filter-bank construction
    of directional multiscale atoms: a Laplacian pyramid separates scales, and
    a directional filter bank splits each band-pass image into 2^l wedge-shaped
    subbands, critically sampled, so the whole transform has about 4/3
    coefficients per pixel (curvelets: about 3 to 7). Its atoms are elongated
    and oriented like curvelets' but it is a biorthogonal frame, not a tight
    one: the inverse is exact, not the adjoint, so ``atom(column)`` (the
    inverse of a unit coefficient) is a synthesis atom, and ``transform`` takes
    inner products with slightly different analysis atoms. Written from the
    papers, with periodic boundaries and every filter applied in the frequency
    domain.

    Parameters
    ----------
    n_orientations : int or tuple of int, default=(4, 8)
        Directional subbands per pyramid level, coarse to fine, each a power of
        two (1: the level's band-pass image kept whole). The number of levels is
        its length. Each image side must be a multiple of 2^levels and of
        2^(j−1) · n/2 for n orientations at level j (1 = finest): 4 for the
        default (so 28x28 works), 8 for (4, 8, 8), 16 for (8, 16, 16), 32
        for (8, 8, 16, 16).
    lp_filters : {"9-7", "5-3"}, default="9-7"
        Laplacian pyramid filters (PyWavelets' bior4.4 and bior2.2 low-passes).
    dfb_filters : str, default="kaiser12"
        Fan filters of the directional filter bank ("kaiser8", "kaiser12",
        "kaiser16", "dd2", "dd4", "dd6", "dd8"); see
        :func:`~sklearn_sparsecode.contourlets.plan_contourlets`.
    reconstruction : {"dual", "standard"}, default="dual"
        How ``inverse_transform`` (and ``atom``) undo the pyramid: the
        dual-frame reconstruction of "Framing pyramids" or Burt & Adelson's.
        Both are exact on unmodified coefficients.
    decimated : bool, default=True
        False keeps every band on the full image grid (the same filters
        upsampled, no sampling): shift invariant, 1 + Σ n_orientations
        coefficients per pixel, any image size; inverse by the canonical dual
        frame. The input :class:`LocalPooling` pools best.
    image_shape : tuple (height, width) or None, default=None
        Image shape when X is 2-D with one flattened image per row. Required
        for 2-D X: 1-D signals have no contourlet transform.
    channel_axis : int or None, default=None
        Axis of X that holds the channels of colour images (e.g. -1 for
        ``(n_samples, height, width, 3)``): one block of coefficients per
        channel. None: grey images.
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
    n_levels_ : int
        Pyramid levels.
    plan_ : ContourletPlan
        The frequency-domain filters, built once in ``fit``.
    bands_ : list of Band
        Layout of the output: the low-pass (scale 1, ``contourlet_s1_lowpass``),
        then scales 2 (coarsest) to ``n_levels_ + 1`` (finest), subbands
        ``d0``, ``d1``, ... in increasing orientation (degrees in [0, 180),
        frequency direction of the wedge's middle), prefixes like
        ``contourlet_s3_d5``.
    redundancy_ : float
        Coefficients per pixel (1 + 1/4 + ... + 4^-levels, about 4/3).

    See Also
    --------
    sklearn_sparsecode.contourlets.contourlet_transform : The function behind ``transform``.
    CurveletTransformer : A tight frame of directional atoms.

    References
    ----------
    .. [1] M. N. Do and M. Vetterli, "The contourlet transform: an efficient
       directional multiresolution image representation", IEEE Trans. Image
       Process. 14(12), 2091–2106, 2005.
    .. [2] M. N. Do and M. Vetterli, "Framing pyramids", IEEE Trans. Signal
       Process. 51(9), 2329–2342, 2003.
    .. [3] R. H. Bamberger and M. J. T. Smith, "A filter bank for the
       directional decomposition of images: theory and design", IEEE Trans.
       Signal Process. 40(4), 882–893, 1992.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_sparsecode import ContourletTransformer
    >>> X = np.random.default_rng(0).normal(size=(3, 28, 28))
    >>> ct = ContourletTransformer(n_orientations=(4, 8)).fit(X)
    >>> C = ct.transform(X)
    >>> C.shape, round(ct.redundancy_, 4)
    ((3, 1029), 1.3125)
    >>> [b.prefix for b in ct.bands_[:2]]
    ['contourlet_s1_lowpass', 'contourlet_s2_d0']
    >>> bool(np.abs(ct.inverse_transform(C) - X).max() < 1e-12)
    True
    """

    _parameter_constraints: dict = {
        **CONTOURLET_CONSTRAINTS,
        **MultiscaleTransformer._parameter_constraints,
    }
    _images_only = True

    def __init__(self, *, n_orientations=(4, 8), lp_filters="9-7", dfb_filters="kaiser12",
                 reconstruction="dual", decimated=True, image_shape=None, channel_axis=None,
                 batch_size=None, n_jobs=None, verbose=0):
        self.n_orientations = n_orientations
        self.lp_filters = lp_filters
        self.dfb_filters = dfb_filters
        self.reconstruction = reconstruction
        self.decimated = decimated
        super().__init__(image_shape=image_shape, channel_axis=channel_axis,
                         batch_size=batch_size, n_jobs=n_jobs, verbose=verbose)

    def _make_plan(self, input_shape):
        plan = plan_contourlets(input_shape, n_orientations=self.n_orientations,
                                lp_filters=self.lp_filters, dfb_filters=self.dfb_filters,
                                decimated=self.decimated, reconstruction=self.reconstruction)
        self.n_levels_ = len(plan.n_orientations)
        self.redundancy_ = float(plan.redundancy)
        return plan

    _forward = staticmethod(_forward)
    _inverse = staticmethod(_inverse)
    _adjoint = staticmethod(contourlet_adjoint)  # not the inverse: the frame is not tight

    def _row_bytes(self, itemsize):
        return _row_bytes(self.plan_, itemsize, inverse=True)
