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

# Annotations stay strings: help() shows `X: ArrayLike`, not numpy's expanded union.
from __future__ import annotations

from dataclasses import dataclass
from numbers import Integral
from typing import NamedTuple

import numpy as np
import scipy.fft
from numpy.typing import ArrayLike
from sklearn.utils._param_validation import StrOptions, validate_params

from .._core.bands import stack_bands
from .._core.base import resolve_plan, run_forward, run_inverse
from .._core.validation import (
    BATCH_SIZE,
    IMAGE_SHAPE,
    N_JOBS,
    VERBOSE,
    Interval,
    check_batch,
    work_dtype,
)
from ._windows import build_wedges, default_n_scales

SQRT2 = np.sqrt(2.0)



CURVELET_CONSTRAINTS = {
    "n_scales": [Interval(Integral, 2, None, closed="left"), None],
    "n_orientations": [Interval(Integral, 4, None, closed="left")],
    "finest": [StrOptions({"curvelets", "wavelets"})],
    "decimated": ["boolean"],
}


def _block_name(wedge, part):
    if wedge.angle is not None:
        return f"a{wedge.angle}_{part}"
    return "lowpass" if wedge.scale == 1 else "fine"


def _curvelet_bands(wedges):
    """The :class:`Band` records of a list of wedges, in output order.

    ``scale`` 1 = coarsest (low-pass) to ``n_scales`` = finest, ``angle`` the
    wedge index at that scale, ``orientation`` the wedge's frequency direction
    in degrees in [0, 180) for the stored half, ``part`` "real" or the "re"/"im"
    halves of a wedge, ``shape`` its wrapping rectangle (or the full grid when
    undecimated).
    """
    entries = []
    for w in wedges:
        for part in (("re", "im") if w.paired else ("real",)):
            name = _block_name(w, part)
            entries.append(dict(scale=w.scale, name=name, shape=tuple(w.shape),
                                orientation=w.orientation, part=part,
                                lowpass=w.scale == 1, angle=w.angle,
                                prefix=f"curvelet_s{w.scale}_{name}"))
    return stack_bands(entries)


@dataclass(frozen=True)
class CurveletPlan:
    """Everything a transform of one image shape needs, built once.

    Attributes
    ----------
    image_shape : (height, width)
    wedges : list of Wedge
        Windows and wrapping rectangles, coarse to fine.
    bands : list of Band
        Output layout (scale 1 = the coarsest, the low-pass).
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


# One FFT thread per chunk: the cores are used through n_jobs (threads over chunks).
def _forward(plan, X, out):
    """Write the curvelet coefficients of the images ``X`` into ``out``."""
    n = len(X)
    spectrum = scipy.fft.fft2(X, norm="ortho", workers=1).reshape(n, -1)
    for g in plan.groups:
        size = g.shape[0] * g.shape[1]
        wrapped = np.zeros((n, g.count * size), dtype=spectrum.dtype)
        wrapped[:, g.target] = spectrum[:, g.source] * g.weight.astype(X.dtype)
        coefs = scipy.fft.ifft2(wrapped.reshape(n, g.count, *g.shape), norm="ortho",
                                workers=1).reshape(n, g.count, size)
        block = out[:, g.start:g.stop]
        if g.paired:  # per wedge: √2·Re block, then √2·Im block
            block = block.reshape(n, g.count, 2, size)
            np.multiply(coefs.real, SQRT2, out=block[:, :, 0])
            np.multiply(coefs.imag, SQRT2, out=block[:, :, 1])
        else:
            block[:] = coefs.real.reshape(n, -1)


def _inverse(plan, C, out):
    """Write the images of the coefficients ``C`` (the adjoint) into ``out``."""
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
                                 workers=1).reshape(n, -1)
        contribution = wrapped[:, g.target] * weight.astype(C.dtype)
        # Neighbouring wedges share frequencies, and a fancy-indexed += with a
        # repeated index adds only once: add one layer of distinct indices at a time.
        for layer in g.layers:
            spectrum[:, g.source[layer]] += contribution[:, layer]
    images = scipy.fft.ifft2(spectrum.reshape(n, *plan.image_shape), norm="ortho", workers=1)
    out[:] = images.real.reshape(n, -1)


@validate_params({"image_shape": IMAGE_SHAPE, **CURVELET_CONSTRAINTS},
                 prefer_skip_nested_validation=True)
def plan_curvelets(image_shape: tuple[int, int], *, n_scales: int | None = None,
                   n_orientations: int = 8, finest: str = "curvelets",
                   decimated: bool = True) -> CurveletPlan:
    """Build the windows and wrapping rectangles of a curvelet transform.

    The plan is reused by :func:`curvelet_transform` and
    :func:`inverse_curvelet_transform`; :class:`CurveletTransformer` builds it
    once in ``fit``.

    Parameters
    ----------
    image_shape : (height, width)
    n_scales : int or None, default=None
        Scales including the coarse low-pass and the finest; None is CurveLab's
        ceil(log2(min(height, width)) − 3), at least 2. Each side needs at least
        2^(n_scales+1) pixels.
    n_orientations : int, default=8
        Orientations in [0°, 180°) at the coarsest curvelet scale (even, >= 4),
        doubled every other scale (8, 16, 16, 32, ...). CurveLab counts wedges
        over the full circle: its ``nbangles_coarse`` is 2 × n_orientations.
    finest : {"curvelets", "wavelets"}, default="curvelets"
        Curvelets at the finest scale, or one isotropic (wavelet-like) band.
    decimated : bool, default=True
        Each band on its wrapping rectangle (the FDCT, about 3 coefficients per
        pixel), or every band on the full image grid (undecimated: shift
        invariant, one coefficient per pixel and real band, still a tight frame).

    Returns
    -------
    plan : CurveletPlan

    Examples
    --------
    >>> from sklearn_sparsecode.curvelets import plan_curvelets
    >>> plan = plan_curvelets((32, 32), n_scales=3, n_orientations=4)
    >>> [(b.scale, b.name) for b in plan.bands[:3]]
    [(1, 'lowpass'), (2, 'a0_re'), (2, 'a0_im')]
    """
    image_shape = tuple(int(s) for s in image_shape)
    if n_orientations % 2:
        raise ValueError(f"n_orientations must be even (CurveLab's 2 x n_orientations wedges "
                         f"are a multiple of 4); got {n_orientations}.")
    n_scales = default_n_scales(image_shape) if n_scales is None else int(n_scales)
    smallest = max(2 ** (n_scales + 1), 8)
    if min(image_shape) < smallest:
        raise ValueError(
            f"Images of {image_shape[0]}x{image_shape[1]} are too small for a curvelet "
            f"transform with {n_scales} scales: each side needs at least {smallest} pixels "
            f"(2^(n_scales+1)). Use fewer scales or larger images.")
    wedges = build_wedges(image_shape, n_scales, 2 * n_orientations, finest, bool(decimated))
    return CurveletPlan(image_shape, wedges, _curvelet_bands(wedges), _group_wedges(wedges))


def _row_bytes(plan, itemsize):
    """Per image: the complex spectrum, the complex wrapped rectangles, the output."""
    pixels = plan.image_shape[0] * plan.image_shape[1]
    return itemsize * (4 * pixels + 3 * plan.n_coefficients)


@validate_params({"images": ["array-like"], "plan": [CurveletPlan, None],
                  "batch_size": BATCH_SIZE, "n_jobs": N_JOBS, "verbose": VERBOSE},
                 # plan_params are checked by the plan function, which must not be skipped.
                 prefer_skip_nested_validation=False)
def curvelet_transform(images: ArrayLike, *, plan: CurveletPlan | None = None,
                       batch_size: int | None = None, n_jobs: int | None = None,
                       verbose: int = 0, **plan_params) -> np.ndarray:
    """Real fast discrete curvelet transform of a batch of images, one row per image.

    Parameters
    ----------
    images : array-like of shape (n_samples, height, width)
        Real images; float32 gives float32 coefficients.
    plan : CurveletPlan or None, default=None
        From :func:`plan_curvelets`; None builds one from ``plan_params``.
    batch_size : int or None, default=None
        Images per chunk (None: from scikit-learn's ``working_memory``).
    n_jobs : int or None, default=None
        Threads over chunks.
    verbose : int, default=0
        Progress lines on stderr when > 0.
    **plan_params
        ``n_scales``, ``n_orientations``, ``finest``, ``decimated``: the
        parameters of :func:`plan_curvelets`, when no plan is given.

    Returns
    -------
    coefs : ndarray of shape (n_samples, n_coefficients)
        Laid out as ``plan.bands`` says; ‖coefs[i]‖ = ‖images[i]‖.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_sparsecode.curvelets import (curvelet_transform,
    ...                                           inverse_curvelet_transform, plan_curvelets)
    >>> X = np.random.default_rng(0).normal(size=(2, 32, 32))
    >>> plan = plan_curvelets((32, 32), n_scales=3, n_orientations=4)
    >>> C = curvelet_transform(X, plan=plan)
    >>> bool(np.allclose(np.linalg.norm(C, axis=1), np.linalg.norm(X, axis=(1, 2))))
    True
    >>> bool(np.allclose(inverse_curvelet_transform(C, plan=plan), X))
    True
    """
    X = check_batch(images, name="curvelet_transform", ndims=(3,))
    plan = resolve_plan(plan, CurveletPlan, plan_curvelets, X.shape[1:], plan_params,
                        "curvelet_transform")
    return run_forward(_forward, plan, X, plan.n_coefficients, batch_size=batch_size,
                       n_jobs=n_jobs, verbose=verbose,
                       row_bytes=_row_bytes(plan, work_dtype(X.dtype).itemsize),
                       label="curvelet_transform")


@validate_params({"coefs": ["array-like"], "plan": [CurveletPlan], "batch_size": BATCH_SIZE,
                  "n_jobs": N_JOBS}, prefer_skip_nested_validation=True)
def inverse_curvelet_transform(coefs: ArrayLike, *, plan: CurveletPlan,
                               batch_size: int | None = None,
                               n_jobs: int | None = None) -> np.ndarray:
    """Images from their curvelet coefficients (the adjoint, which is the inverse).

    Parameters
    ----------
    coefs : array-like of shape (n_samples, n_coefficients)
        The output of :func:`curvelet_transform`.
    plan : CurveletPlan
        The plan of the forward transform.
    batch_size, n_jobs :
        As in :func:`curvelet_transform`.

    Returns
    -------
    images : ndarray of shape ``(n_samples, *plan.image_shape)``

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_sparsecode.curvelets import (curvelet_transform,
    ...                                           inverse_curvelet_transform, plan_curvelets)
    >>> plan = plan_curvelets((32, 32), n_scales=3)
    >>> X = np.random.default_rng(0).normal(size=(1, 32, 32))
    >>> bool(np.allclose(inverse_curvelet_transform(curvelet_transform(X, plan=plan),
    ...                                             plan=plan), X))
    True
    """
    return run_inverse(_inverse, plan, coefs, name="inverse_curvelet_transform",
                       plan_type=CurveletPlan, batch_size=batch_size, n_jobs=n_jobs,
                       row_bytes=_row_bytes)
