"""Fast discrete curvelet transform via wrapping (core algorithm and estimator).

Forward, for each image: unitary 2-D FFT; for each wedge, multiply by its
window U, wrap (periodise) the product onto the wedge's rectangle, unitary
inverse FFT there. Inverse = adjoint, in reverse: FFT of each rectangle,
unwrap, multiply by the window, sum, inverse FFT. The windows and rectangles
come from :mod:`._curvelet_windows`; Σ U² = 1 and injective wrapping make the
transform an exact isometry (tight frame, Parseval).

Real images get real coefficients (the paper's real transform): wedge l and
its mirror l + n/2 see conjugate spectra, so only wedge l is computed and
stored as √2·Re and √2·Im of its complex coefficients, which keeps ‖C‖ = ‖x‖.
"""

from numbers import Integral
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike
import scipy.fft
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted

from ._base import MultiscaleTransformMixin
from ._batching import map_in_batches
from ._curvelet_windows import build_wedges, default_n_scales
from ._validation import validate_images

SQRT2 = np.sqrt(2.0)


class CurveletBand(NamedTuple):
    """Where one block of curvelet coefficients sits in the flattened output.

    Attributes
    ----------
    scale : int
        1 = coarsest (low-pass), ``n_scales`` = finest.
    angle : int or None
        Wedge index at that scale (None for the low-pass and a wavelet finest scale).
    orientation : float or None
        Centre of the wedge's frequency direction in degrees, counter-clockwise
        from the horizontal frequency axis, in [0, 180) for the stored half;
        atoms oscillate along it and respond to edges perpendicular to it.
    part : str
        ``"real"`` for real bands, ``"re"``/``"im"`` for the two halves of a wedge.
    shape : tuple of int
        Spatial grid of the block (the wrapping rectangle).
    start, stop : int
        Columns ``start:stop`` of the output, reshaped to ``shape``.
    """

    scale: int
    angle: object
    orientation: object
    part: str
    shape: tuple
    start: int
    stop: int


def curvelet_layout(wedges: list) -> list[CurveletBand]:
    """The list of :class:`CurveletBand` of a list of wedges, in output order."""
    bands, start = [], 0
    for w in wedges:
        size = w.shape[0] * w.shape[1]
        for part in (("re", "im") if w.paired else ("real",)):
            bands.append(CurveletBand(w.scale, w.angle, w.orientation, part, w.shape,
                                      start, start + size))
            start += size
    return bands


@dataclass(frozen=True)
class CurveletPlan:
    """Everything a transform of one image shape needs, built once.

    Attributes
    ----------
    image_shape : (height, width)
    wedges : list of Wedge
        Windows and wrapping rectangles, coarse to fine.
    bands : list of CurveletBand
        Output layout.
    groups : list of _WedgeGroup
        Runs of consecutive wedges with the same rectangle, wrapped and
        transformed together with one gather and one batched FFT (the per-wedge
        Python overhead dominated at 256x256 otherwise).
    """

    image_shape: tuple
    wedges: list
    bands: list
    groups: list

    @property
    def n_coefficients(self):
        return self.bands[-1].stop


class _WedgeGroup(NamedTuple):
    shape: tuple        # rectangle of every wedge in the group
    count: int          # wedges in the group
    paired: bool
    source: np.ndarray  # concatenated supports (flat spectrum indices)
    target: np.ndarray  # index into the stacked (count * L1 * L2) rectangles
    weight: np.ndarray
    layers: list        # partition of the entries into runs of distinct sources
    start: int          # first output column
    stop: int


def _distinct_layers(index):
    """Split positions of ``index`` into layers in which no value repeats."""
    order = np.argsort(index, kind="stable")
    sorted_index = index[order]
    first = np.r_[True, sorted_index[1:] != sorted_index[:-1]]
    run_start = np.maximum.accumulate(np.where(first, np.arange(len(index)), 0))
    rank = np.empty(len(index), dtype=np.intp)
    rank[order] = np.arange(len(index)) - run_start  # occurrence number of each value
    return [np.flatnonzero(rank == r) for r in range(int(rank.max()) + 1)]


def _group_wedges(wedges):
    groups, start, first = [], 0, 0
    for k in range(1, len(wedges) + 1):
        if k < len(wedges) and (wedges[k].shape, wedges[k].paired) == (
                wedges[first].shape, wedges[first].paired):
            continue
        run = wedges[first:k]
        size = run[0].shape[0] * run[0].shape[1]
        width = size * len(run) * (2 if run[0].paired else 1)
        source = np.concatenate([w.source for w in run])
        groups.append(_WedgeGroup(
            run[0].shape, len(run), run[0].paired, source,
            np.concatenate([w.target + i * size for i, w in enumerate(run)]),
            np.concatenate([w.weight for w in run]), _distinct_layers(source),
            start, start + width))
        start += width
        first = k
    return groups


def _forward_chunk(X, out, plan, workers):
    n = len(X)
    spectrum = scipy.fft.fft2(X, norm="ortho", workers=workers).reshape(n, -1)
    for g in plan.groups:
        size = g.shape[0] * g.shape[1]
        wrapped = np.zeros((n, g.count * size), dtype=spectrum.dtype)
        wrapped[:, g.target] = spectrum[:, g.source] * g.weight.astype(X.dtype)
        coefs = scipy.fft.ifft2(wrapped.reshape(n, g.count, *g.shape), norm="ortho",
                                workers=workers).reshape(n, g.count, size)
        block = out[:, g.start:g.stop]
        if g.paired:  # per wedge: √2·Re block, then √2·Im block
            block = block.reshape(n, g.count, 2, size)
            np.multiply(coefs.real, SQRT2, out=block[:, :, 0])
            np.multiply(coefs.imag, SQRT2, out=block[:, :, 1])
        else:
            block[:] = coefs.real.reshape(n, -1)


def _inverse_chunk(C, out, plan, workers):
    n = len(C)
    complex_dtype = np.result_type(C.dtype, np.complex64)
    spectrum = np.zeros((n, out.shape[1]), dtype=complex_dtype)
    for g in plan.groups:
        size = g.shape[0] * g.shape[1]
        block = C[:, g.start:g.stop]
        if g.paired:
            # Adjoint of (√2·Re, √2·Im): √2·Re(A*(a + i b)); Re is taken once, at the end.
            block = block.reshape(n, g.count, 2, size)
            coefs = block[:, :, 0] + 1j * block[:, :, 1]
            weight = SQRT2 * g.weight
        else:
            coefs = block.reshape(n, g.count, size).astype(complex_dtype)
            weight = g.weight
        wrapped = scipy.fft.fft2(coefs.reshape(n, g.count, *g.shape), norm="ortho",
                                 workers=workers).reshape(n, -1)
        contribution = wrapped[:, g.target] * weight.astype(C.dtype)
        # Neighbouring wedges share frequencies, and a fancy-indexed += with a
        # repeated index adds only once: add one layer of distinct indices at a time.
        for layer in g.layers:
            spectrum[:, g.source[layer]] += contribution[:, layer]
    images = scipy.fft.ifft2(spectrum.reshape(n, *plan.image_shape), norm="ortho",
                             workers=workers)
    out[:] = images.real.reshape(n, -1)


def _check_curvelet_params(image_shape, n_scales, n_angles, finest):
    image_shape = tuple(int(s) for s in image_shape)
    if n_angles < 8 or n_angles % 4:
        raise ValueError(f"n_angles must be a multiple of 4 and at least 8; got {n_angles}.")
    if finest not in ("curvelets", "wavelets"):
        raise ValueError(f"finest must be 'curvelets' or 'wavelets'; got {finest!r}.")
    n_scales = default_n_scales(image_shape) if n_scales is None else int(n_scales)
    smallest = 2 ** (n_scales + 1)
    if min(image_shape) < max(smallest, 8):
        raise ValueError(
            f"Images of {image_shape[0]}x{image_shape[1]} are too small for a curvelet "
            f"transform with {n_scales} scales: each side needs at least "
            f"{max(smallest, 8)} pixels (2^(n_scales+1)). Use fewer scales or larger images."
        )
    return image_shape, n_scales


def plan_curvelets(image_shape: tuple[int, int], n_scales: int | None = None, n_angles: int = 16,
                   finest: str = "curvelets", decimated: bool = True) -> "CurveletPlan":
    """Build the windows and wrapping rectangles of a curvelet transform.

    The plan is reused by :func:`curvelet_transform` and
    :func:`inverse_curvelet_transform`; :class:`CurveletTransformer` builds it
    once in ``fit``. Parameters are those of :func:`curvelet_transform`.

    Returns
    -------
    plan : CurveletPlan
    """
    image_shape, n_scales = _check_curvelet_params(image_shape, n_scales, n_angles, finest)
    wedges = build_wedges(image_shape, n_scales, n_angles, finest, bool(decimated))
    return CurveletPlan(image_shape, wedges, curvelet_layout(wedges), _group_wedges(wedges))


def curvelet_transform(X: ArrayLike, n_scales: int | None = None, n_angles: int = 16,
                       finest: str = "curvelets", decimated: bool = True, *, plan: "CurveletPlan | None" = None,
                       batch_size: int | None = None, n_jobs: int | None = None,
                       verbose: int = 0) -> np.ndarray:
    """Real fast discrete curvelet transform of a batch of images, one row per image.

    Parameters
    ----------
    X : array-like of shape (n_samples, height, width)
        Real images; float32 gives float32 coefficients.
    n_scales : int or None, default=None
        Scales including the coarse low-pass and the finest; None is
        ceil(log2(min(height, width)) − 3), at least 2.
    n_angles : int, default=16
        Wedges at the coarsest curvelet scale (multiple of 4, >= 8); doubled
        every other scale (16, 32, 32, 64, ...).
    finest : {"curvelets", "wavelets"}, default="curvelets"
        Curvelets at the finest scale, or one isotropic (wavelet-like) band.
    decimated : bool, default=True
        Each band on its wrapping rectangle (the FDCT, about 3 coefficients per
        pixel), or every band on the full image grid (undecimated: shift
        invariant, one coefficient per pixel and real band, still a tight frame).
    plan : CurveletPlan, default=None
        A plan from :func:`plan_curvelets` (then the three parameters above are
        ignored); built here when None.
    batch_size, n_jobs :
        Images per chunk (None: from ``working_memory``) and threads over chunks.
    verbose : int, default=0
        Progress lines on stderr when > 0.

    Returns
    -------
    coefs : ndarray of shape (n_samples, n_coefficients)
        Laid out as :func:`curvelet_layout` says; ‖coefs[i]‖ = ‖X[i]‖.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_sparsecode import curvelet_transform, inverse_curvelet_transform
    >>> X = np.random.default_rng(0).normal(size=(2, 32, 32))
    >>> C = curvelet_transform(X, n_scales=3, n_angles=8)
    >>> bool(np.allclose(np.linalg.norm(C, axis=1), np.linalg.norm(X, axis=(1, 2))))
    True
    >>> bool(np.allclose(inverse_curvelet_transform(C, (32, 32), 3, 8), X))
    True
    """
    X = np.asarray(X)
    if X.ndim != 3:
        raise ValueError(f"X must have shape (n_samples, height, width); got {X.shape}.")
    if np.iscomplexobj(X):
        raise ValueError("Complex images are not supported: the transform is the real one.")
    if not np.issubdtype(X.dtype, np.floating):
        X = X.astype(np.float64)
    if plan is None:
        plan = plan_curvelets(X.shape[1:], n_scales, n_angles, finest, decimated)
    if tuple(X.shape[1:]) != plan.image_shape:
        raise ValueError(f"The plan is for {plan.image_shape} images; got {X.shape[1:]}.")
    n_coefs = plan.n_coefficients
    pixels = X.shape[1] * X.shape[2]
    # Per image: the complex spectrum, the complex wrapped rectangles, the output.
    row_bytes = X.dtype.itemsize * (4 * pixels + 3 * n_coefs)
    return map_in_batches(lambda chunk, out: _forward_chunk(chunk, out, plan, 1),
                          X, n_coefs, X.dtype, batch_size=batch_size, n_jobs=n_jobs,
                          row_bytes=row_bytes, verbose=verbose, label="curvelet_transform")


def inverse_curvelet_transform(coefs: ArrayLike, image_shape: tuple[int, int],
                               n_scales: int | None = None, n_angles: int = 16,
                               finest: str = "curvelets", decimated: bool = True, *, plan: "CurveletPlan | None" = None,
                               batch_size: int | None = None,
                               n_jobs: int | None = None) -> np.ndarray:
    """Images from their curvelet coefficients (the adjoint, which is the inverse).

    Returns an array of shape ``(n_samples, *image_shape)``.
    """
    coefs = np.asarray(coefs)
    if not np.issubdtype(coefs.dtype, np.floating):
        coefs = coefs.astype(np.float64)
    if plan is None:
        plan = plan_curvelets(image_shape, n_scales, n_angles, finest, decimated)
    image_shape = plan.image_shape
    n_coefs = plan.n_coefficients
    if coefs.ndim != 2 or coefs.shape[1] != n_coefs:
        raise ValueError(f"Expected coefficients of shape (n_samples, {n_coefs}); "
                         f"got {coefs.shape}.")
    pixels = image_shape[0] * image_shape[1]
    row_bytes = coefs.dtype.itemsize * (4 * pixels + 3 * n_coefs)
    flat = map_in_batches(
        lambda chunk, out: _inverse_chunk(chunk, out, plan, 1),
        coefs, pixels, coefs.dtype, batch_size=batch_size, n_jobs=n_jobs, row_bytes=row_bytes)
    return flat.reshape(len(coefs), *image_shape)


class CurveletTransformer(MultiscaleTransformMixin, TransformerMixin, BaseEstimator):
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
    n_angles : int, default=16
        Wedges at the coarsest curvelet scale: a multiple of 4, at least 8.
        Doubled every other scale. Half of them are stored (the other half are
        their mirror images, folded into real and imaginary parts).
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
    n_scales_ : int
    plan_ : CurveletPlan
        The frequency windows and wrapping rectangles (``plan_.wedges``), built
        once in ``fit``.
    bands_ : list of CurveletBand
        Layout of the output: scale, angle, orientation, part, shape and the
        columns ``start:stop`` of each block.
    redundancy_ : float
        Coefficients per pixel.

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
        "n_scales": [Interval(Integral, 2, None, closed="left"), None],
        "n_angles": [Interval(Integral, 8, None, closed="left")],
        "finest": [StrOptions({"curvelets", "wavelets"})],
        "decimated": ["boolean"],
        "image_shape": ["array-like", None],
        "batch_size": [Interval(Integral, 1, None, closed="left"), None],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
    }

    def __init__(self, n_scales=None, n_angles=16, finest="curvelets", decimated=True,
                 image_shape=None,
                 batch_size=None, n_jobs=None, verbose=0):
        self.n_scales = n_scales
        self.n_angles = n_angles
        self.finest = finest
        self.decimated = decimated
        self.image_shape = image_shape
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.verbose = verbose

    def _validate(self, X, reset):
        return validate_images(self, X, reset=reset, image_shape=self.image_shape,
                               images_only=True)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: ArrayLike, y: None = None) -> "CurveletTransformer":
        """Build the frequency windows and wrapping rectangles for the image shape.

        Parameters
        ----------
        X : array-like of shape (n_samples, height, width) or (n_samples, h * w)
        y : None
            Ignored.

        Returns
        -------
        self : CurveletTransformer
        """
        self._validate(X, reset=True)
        self.plan_ = plan_curvelets(self.input_shape_, self.n_scales, self.n_angles, self.finest,
                                    self.decimated)
        self.n_scales_ = self.plan_.wedges[-1].scale
        self.bands_ = self.plan_.bands
        self.redundancy_ = float(self.plan_.n_coefficients / np.prod(self.input_shape_))
        return self

    def transform(self, X: ArrayLike) -> np.ndarray:
        """Curvelet coefficients of each image, one row per image.

        Parameters
        ----------
        X : array-like of shape (n_samples, height, width) or (n_samples, h * w)

        Returns
        -------
        coefs : ndarray of shape (n_samples, n_coefficients)
        """
        check_is_fitted(self)
        images = self._validate(X, reset=False)
        return self._transform_images(images, n_jobs=self.n_jobs, verbose=self.verbose)

    def _transform_images(self, images, n_jobs, verbose):
        """The transform of already validated ``(n_samples, height, width)`` images."""
        return curvelet_transform(images, plan=self.plan_, batch_size=self.batch_size,
                                  n_jobs=n_jobs, verbose=verbose)

    def inverse_transform(self, X: ArrayLike) -> np.ndarray:
        """Images from coefficients (exact inverse, and the adjoint of ``transform``).

        Returns (n_samples, height, width) when ``fit`` saw 3-D images and
        (n_samples, height * width) otherwise.
        """
        check_is_fitted(self)
        coefs = self._check_coefficients(X)
        images = inverse_curvelet_transform(coefs, self.input_shape_, plan=self.plan_,
                                            batch_size=self.batch_size, n_jobs=self.n_jobs)
        return images if self.image_shape is None else images.reshape(len(images), -1)

    def get_feature_names_out(self, input_features: ArrayLike | None = None) -> np.ndarray:
        """Names such as ``curvelet_s3_a5_re_4_7`` (scale, angle, part, row, column).

        The low-pass is ``curvelet_s1_lowpass_r_c`` and an isotropic finest
        scale ``curvelet_sJ_fine_r_c``.
        """
        check_is_fitted(self)
        _check_feature_names_in(self, input_features, generate_names=False)
        names = []
        for band in self.bands_:
            if band.angle is None:
                kind = "lowpass" if band.scale == 1 else "fine"
                prefix = f"curvelet_s{band.scale}_{kind}"
            else:
                prefix = f"curvelet_s{band.scale}_a{band.angle}_{band.part}"
            names.extend(f"{prefix}_{r}_{c}" for r, c in np.ndindex(*band.shape))
        return np.asarray(names, dtype=object)
