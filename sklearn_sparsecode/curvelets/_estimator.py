"""The curvelet transform as a scikit-learn estimator (see :mod:`._transform`).
"""

# Annotations stay strings: help() shows `X: ArrayLike`, not numpy's expanded union.
from __future__ import annotations

import numpy as np

from .._core.base import MultiscaleTransformer
from ._transform import (
    CURVELET_CONSTRAINTS,
    _forward,
    _inverse,
    _row_bytes,
    plan_curvelets,
)


class CurveletTransformer(MultiscaleTransformer):
    """Real fast discrete curvelet transform (via wrapping) as a transformer.

    Curvelets are needle-shaped atoms at dyadic scales, equally spaced
    orientations (doubling every other scale) and positions: for images made of
    smooth regions separated by smooth edges, the best n-term approximation
    error decays as n^-2 log³ n, against n^-1 for wavelets (Candès & Donoho).
    This is our own numpy implementation of the transform of Candès, Demanet,
    Donoho & Ying (2006): an exact tight frame (‖C‖ = ‖x‖, inverse = adjoint)
    for every image size, with real coefficients for real images.

    Parameters
    ----------
    n_scales : int or None, default=None
        Number of scales including the coarse low-pass and the finest; None is
        CurveLab's default ceil(log2(min(h, w)) − 3), at least 2. Each side
        needs at least 2^(n_scales+1) pixels.
    n_orientations : int, default=8
        Orientations in [0°, 180°) at the coarsest curvelet scale: even, at
        least 4; doubled every other scale. (CurveLab counts the wedges of the
        full circle, 2 × n_orientations; each stored wedge folds its mirror
        image into real and imaginary parts.)
    finest : {"curvelets", "wavelets"}, default="curvelets"
        Angular wedges at the finest scale too, or one isotropic band there
        (fewer coefficients).
    decimated : bool, default=True
        Wrap each band onto a small rectangle (the fast discrete curvelet
        transform, about 3 real coefficients per pixel), or keep every band on
        the full image grid: undecimated, shift invariant, one coefficient per
        pixel and real band. Both are tight frames with the same windows; the
        undecimated one is what :class:`LocalPooling` pools best.
    image_shape : tuple (height, width) or None, default=None
        Image shape when X is 2-D with one flattened image per row. Required
        for 2-D X: 1-D signals have no curvelet transform.
    channel_axis : int or None, default=None
        Axis of X that holds the channels of colour images (e.g. -1 for
        ``(n_samples, height, width, 3)``): one block of coefficients per
        channel. None: grey images.
    batch_size : int or None, default=None
        Images per chunk; None sizes chunks from scikit-learn's
        ``working_memory``.
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
    n_scales_ : int
    plan_ : CurveletPlan
        The frequency windows and wrapping rectangles (``plan_.wedges``), built
        once in ``fit``.
    bands_ : list of Band
        Layout of the output: scale, angle, orientation, part, shape and the
        columns ``start:stop`` of each block; names like ``curvelet_s3_a5_re``.
    redundancy_ : float
        Coefficients per pixel.

    References
    ----------
    .. [1] E. Candès, L. Demanet, D. Donoho and L. Ying, "Fast discrete curvelet
       transforms", Multiscale Model. Simul. 5(3), 861–899, 2006.
    .. [2] E. Candès and D. Donoho, "New tight frames of curvelets and optimal
       representations of objects with piecewise C² singularities", Comm. Pure
       Appl. Math. 57(2), 219–266, 2004.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_sparsecode import CurveletTransformer
    >>> X = np.random.default_rng(0).normal(size=(3, 64, 64))
    >>> ct = CurveletTransformer(n_scales=3).fit(X)
    >>> C = ct.transform(X)
    >>> bool(np.allclose(np.linalg.norm(C), np.linalg.norm(X)))
    True
    >>> bool(np.allclose(ct.inverse_transform(C), X))
    True
    """

    _parameter_constraints: dict = {
        **CURVELET_CONSTRAINTS,
        **MultiscaleTransformer._parameter_constraints,
    }
    _images_only = True

    def __init__(self, *, n_scales=None, n_orientations=8, finest="curvelets", decimated=True,
                 image_shape=None, channel_axis=None, batch_size=None, n_jobs=None, verbose=0):
        self.n_scales = n_scales
        self.n_orientations = n_orientations
        self.finest = finest
        self.decimated = decimated
        super().__init__(image_shape=image_shape, channel_axis=channel_axis,
                         batch_size=batch_size, n_jobs=n_jobs, verbose=verbose)

    def _make_plan(self, input_shape):
        plan = plan_curvelets(input_shape, n_scales=self.n_scales,
                              n_orientations=self.n_orientations, finest=self.finest,
                              decimated=self.decimated)
        self.n_scales_ = plan.wedges[-1].scale
        self.redundancy_ = float(plan.n_coefficients / np.prod(input_shape))
        return plan

    _forward = staticmethod(_forward)
    _inverse = staticmethod(_inverse)
    # A tight frame: _inverse is written as the adjoint, so it is the VJP map too.
    _adjoint = staticmethod(_inverse)

    def _row_bytes(self, itemsize):
        return _row_bytes(self.plan_, itemsize)
