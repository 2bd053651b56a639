"""Contourlet transform: Laplacian pyramid + directional filter bank (core algorithm).

Do & Vetterli's contourlet transform (2005): a Laplacian pyramid (LP) splits
the image into a coarse low-pass and one band-pass image per level; a
directional filter bank (DFB) splits each band-pass image into 2^l wedge-shaped
directional subbands, critically sampled. Filters, tree and the maths are in
:mod:`._contourlet_filters`.

Boundaries are periodic, which lets every step run in the frequency domain on
one FFT of the image:

* LP level (spectrum X of an n1 x n2 image): C = ¼ fold₂(Ĥ X) is the spectrum
  of the n1/2 x n2/2 low-pass (folding the four aliases is ↓2 in frequency),
  D = X − Ĝ · tile₂(C) that of the band-pass image; C feeds the next level.
* DFB: subband k is ↓S_k(h_k * d), S_k = diag(a, b), h_k the product of the
  tree's upsampled fan filters along the subband's path (precomputed on the
  grid), so its spectrum is (ab)⁻¹ fold_{a,b}(H_k D) and one small inverse FFT
  gives the subband. Only the columns of a Hermitian half are folded and
  inverted (``irfft2``): the subbands are real.
* Inverse: every subband is FFT'd, tiled (that is ↑S_k) and multiplied by its
  synthesis product G_k; the LP is undone with the standard left inverse
  X = Ĝ tile(C) + D or the dual-frame one X = Ĝ tile(C − ¼ fold(Ĥ D)) + D.

Everything is batched over images (arrays (n, ...)); Python loops run over
levels, filter families, aliases and subbands, never over images.

``decimated=False`` drops the sampling: every band is irfft2(W · X̂) on the
full grid with W the same filters upsampled (see :func:`_plan_undecimated`).
"""

from dataclasses import dataclass, field
from numbers import Integral
from typing import NamedTuple

import numpy as np
from sklearn.utils._param_validation import StrOptions, validate_params

from .._core.bands import stack_bands
from .._core.validation import IMAGE_SHAPE, Interval
from ._filters import (
    DFB_FILTERS,
    LIFTING,
    dfb_tree,
    fan_filters,
    lp_filters_1d,
    lp_response_1d,
    wedge_orientation,
)

RECONSTRUCTIONS = ("dual", "standard")

# One source of truth for the estimator's and the functions' parameter checks.
# n_orientations must also hold powers of two (checked by _log2_orientations).
CONTOURLET_CONSTRAINTS = {
    "n_orientations": [Interval(Integral, 1, None, closed="left"), "array-like"],
    "lp_filters": [StrOptions(set(LIFTING))],
    "dfb_filters": [StrOptions(set(DFB_FILTERS))],
    "decimated": ["boolean"],
    "reconstruction": [StrOptions(set(RECONSTRUCTIONS))],
}


class _Family(NamedTuple):
    """Subbands of one level that share a diagonal sampling diag(a, b).

    ``analysis`` (K, a, P1, b, P2 // 2 + 1) holds (ab)⁻¹ H_k on the columns of
    the Hermitian half that fold onto the subband's half spectrum;
    ``synthesis`` (K, a, P1, b, P2) the full G_k; ``columns[m]`` is where
    member m's samples go: (band start, band shape, first row, row step); the
    step is 2 for the two row parities of a quincunx (2-direction) subband.
    """

    a: int
    b: int
    analysis: np.ndarray
    synthesis: np.ndarray
    columns: list


class _Undecimated(NamedTuple):
    analysis: np.ndarray   # (n_bands, n1, n2 // 2 + 1) complex
    synthesis: np.ndarray  # canonical dual, same shape


class _Level(NamedTuple):
    shape: tuple        # input (band-pass) shape of this level
    lp_analysis: np.ndarray   # ¼ Ĥ, shape (2, n1/2, 2, n2/2)
    lp_synthesis: np.ndarray  # Ĝ, shape (2, n1/2, 2, n2/2)
    families: list


@dataclass(frozen=True)
class ContourletPlan:
    """Everything a contourlet transform of one image shape needs, built once.

    Attributes
    ----------
    image_shape : (height, width)
    n_orientations : tuple of int
        Directional subbands per pyramid level, coarse to fine.
    lp_filters, dfb_filters : str
    bands : list of Band
        Output layout: the low-pass (scale 1), then scales 2 (coarsest
        band-pass) to ``len(n_orientations) + 1`` (finest), each by angle index
        (orientation ascending).
    levels : list
        Frequency-domain filters per pyramid level, finest first.
    decimated : bool
        False: every band on the full grid (shift invariant), filters in
        ``undecimated`` (analysis W and canonical dual, Hermitian halves).
    reconstruction : str
        How the inverse undoes the Laplacian pyramid ("dual" or "standard").

    Memory: every subband's analysis (Hermitian half) and synthesis responses,
    about 31 bytes per pixel per finest-level direction in float64 (62 MB for
    512² and n_orientations=(4, 8, 8)); float32 input adds a complex64 copy.
    """

    image_shape: tuple
    n_orientations: tuple
    lp_filters: str
    dfb_filters: str
    bands: list
    levels: list
    lowpass_shape: tuple
    decimated: bool = True
    undecimated: object = field(default=None, repr=False)
    reconstruction: str = "dual"
    _cast: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def n_coefficients(self):
        return self.bands[-1].stop

    @property
    def redundancy(self):
        """Coefficients per pixel: 1 + 1/4 + ... + 4^-J for J levels (about 4/3),
        1 + Σ n_orientations undecimated."""
        return self.n_coefficients / (self.image_shape[0] * self.image_shape[1])

    def levels_for(self, dtype):
        """The level filters in the complex type matching ``dtype`` (cached)."""
        dtype = np.dtype(dtype)
        if dtype == np.float64:
            return self.levels
        if not self.decimated:
            if dtype not in self._cast:
                self._cast[dtype] = _Undecimated(
                    *(f.astype(np.complex64) for f in self.undecimated))
            return self._cast[dtype]
        if dtype not in self._cast:
            real, cplx = np.float32, np.complex64
            self._cast[dtype] = [
                lvl._replace(lp_analysis=lvl.lp_analysis.astype(real),
                             lp_synthesis=lvl.lp_synthesis.astype(real),
                             families=[f._replace(analysis=f.analysis.astype(cplx),
                                                  synthesis=f.synthesis.astype(cplx))
                                       for f in lvl.families])
                for lvl in self.levels]
        return self._cast[dtype]


def _log2_orientations(n_orientations):
    """Validated tuple of directions (coarse to fine) and their log2."""
    if isinstance(n_orientations, Integral):
        n_orientations = (int(n_orientations),)
    try:
        n_orientations = tuple(n_orientations)
    except TypeError:
        raise TypeError(f"n_orientations must be an int or a sequence of ints (one per "
                        f"pyramid level, coarse to fine); got {n_orientations!r}.") from None
    if not n_orientations:
        raise ValueError("n_orientations must give at least one pyramid level; got ().")
    logs = []
    for n in n_orientations:
        if not isinstance(n, Integral) or isinstance(n, bool) or n < 1 or n & (n - 1):
            raise ValueError(
                f"n_orientations must hold powers of two (1, 2, 4, 8, ...: directional "
                f"subbands per pyramid level, coarse to fine); got {n_orientations!r}.")
        logs.append(int(n).bit_length() - 1)
    return tuple(int(n) for n in n_orientations), logs


def required_multiple(n_orientations):
    """What each image side must be a multiple of for ``n_orientations`` (coarse to fine).

    The pyramid halves the image ``len(n_orientations)`` times; a DFB with 2^l
    directions (l >= 2) at pyramid level j (1 = finest) samples its band-pass
    image by up to 2^(l−1) per axis.
    """
    n_orientations, logs = _log2_orientations(n_orientations)
    n_levels = len(logs)
    multiple = 2 ** n_levels
    for j, l in zip(range(n_levels, 0, -1), logs):  # logs are coarse to fine
        if l >= 2:
            multiple = max(multiple, 2 ** (j - 1 + l - 1))
    return multiple


def _levels_for(image_shape, n_orientations):
    """``n_orientations`` as a tuple and its log2, for images of ``image_shape``.

    The sides must be a multiple of :func:`required_multiple`; the error says
    by how much to pad or crop.
    """
    n_orientations, logs = _log2_orientations(n_orientations)
    multiple = required_multiple(n_orientations)
    if min(image_shape) < multiple:
        raise ValueError(
            f"Images of {image_shape[0]}x{image_shape[1]} are too small for a contourlet "
            f"transform with n_orientations={n_orientations}: each side must be a multiple of "
            f"{multiple}. Use fewer pyramid levels or orientations, or larger images.")
    if any(s % multiple for s in image_shape):
        raise ValueError(
            f"image_shape={image_shape} is not allowed with n_orientations={n_orientations}: "
            f"each side must be a multiple of {multiple} (2^levels for the pyramid, "
            f"2^(j-1) * n_orientations/2 at level j for the directional filter bank). Pad "
            f"the images (numpy.pad) or crop them to a multiple of {multiple}.")
    return n_orientations, logs


def _dfb_members(shape, n_levels, fans, up=1):
    """Subbands of an l-level DFB on an image of ``shape``: list of dicts, orientation sorted.

    Each member: orientation, angle, sampling (a, b), band shape, and the
    analysis/synthesis responses of the parts that make its samples (two
    interleaved row parities for l = 1, whose subbands are quincunx-sampled).
    ``up`` > 1 evaluates every response at up·ω (the filters upsampled, for
    the undecimated transform).
    """
    f = fans[:2]
    g = fans[2:]
    cache = {}

    def response(bank, i, matrix):
        key = (bank, i, matrix.tobytes())
        if key not in cache:
            cache[key] = (f, g)[bank][i].response(shape, up * np.asarray(matrix))
        return cache[key]

    members = []
    if n_levels == 0:
        ones = np.ones(shape, dtype=complex)
        return [dict(orientation=None, sampling=(1, 1), shape=shape,
                     parts=[(ones, ones)])]
    if n_levels == 1:
        # Quincunx subbands z[Qm] stored as (n1, n2/2): row r holds z[r, 2c + r % 2].
        # Odd rows are ↓2I of z shifted by (1, 1): a phase e^{iω·(1,1)} on analysis.
        k1 = np.fft.fftfreq(shape[0])[:, None]
        k2 = np.fft.fftfreq(shape[1])[None, :]
        phase = np.exp(2j * np.pi * (k1 + k2))
        eye = np.eye(2, dtype=np.int64)
        for c, orientation in ((0, 90.0), (1, 0.0)):
            h, s = response(0, c, eye), response(1, c, eye)
            members.append(dict(orientation=orientation, sampling=(2, 2),
                                shape=(shape[0], shape[1] // 2),
                                parts=[(h, s), (h * phase, s * np.conj(phase))]))
    else:
        for leaf in dfb_tree(n_levels):
            h = np.ones(shape, dtype=complex)
            s = np.ones(shape, dtype=complex)
            for i, matrix in leaf.path:
                h = h * response(0, i, matrix)
                s = s * response(1, i, matrix)
            a, b = int(leaf.sampling[0, 0]), int(leaf.sampling[1, 1])
            members.append(dict(orientation=wedge_orientation(leaf, n_levels),
                                sampling=(a, b), shape=(shape[0] // a, shape[1] // b),
                                parts=[(h, s)]))
    members.sort(key=lambda m: m["orientation"])
    return members


def _build_level(shape, n_levels, lp, fans, starts):
    """Filters of one pyramid level whose band-pass image has ``shape``."""
    h, g = lp
    n1, n2 = shape
    hat_h = np.outer(lp_response_1d(h, n1), lp_response_1d(h, n2)) / 4
    hat_g = np.outer(lp_response_1d(g, n1), lp_response_1d(g, n2))
    halves = (2, n1 // 2, 2, n2 // 2)
    members = _dfb_members(shape, n_levels, fans)
    by_sampling = {}
    for member, start in zip(members, starts):
        parts = member["parts"]
        for p, (ha, hs) in enumerate(parts):
            # (band start, first row, row step) of this part's samples in its band
            by_sampling.setdefault(member["sampling"], []).append(
                (ha, hs, (start, member["shape"], p, len(parts))))
    families = []
    for (a, b), entries in by_sampling.items():
        p1, p2 = n1 // a, n2 // b
        half = p2 // 2 + 1
        analysis = np.stack([ha.reshape(a, p1, b, p2)[..., :half] / (a * b)
                             for ha, _, _ in entries])
        synthesis = np.stack([hs.reshape(a, p1, b, p2) for _, hs, _ in entries])
        families.append(_Family(a, b, np.ascontiguousarray(analysis), synthesis,
                                [column for _, _, column in entries]))
    return _Level(shape, hat_h.reshape(halves), hat_g.reshape(halves), families)


@validate_params({"image_shape": IMAGE_SHAPE, **CONTOURLET_CONSTRAINTS},
                 prefer_skip_nested_validation=True)
def plan_contourlets(image_shape: tuple[int, int], *, n_orientations=(4, 8),
                     lp_filters: str = "9-7", dfb_filters: str = "kaiser12",
                     decimated: bool = True, reconstruction: str = "dual") -> ContourletPlan:
    """Build the frequency-domain filters and the output layout of a contourlet transform.

    A Laplacian pyramid with ``len(n_orientations)`` levels, each band-pass
    image split by a directional filter bank into ``n_orientations[i]``
    wedge-shaped subbands (Do & Vetterli 2005); periodic boundaries. The plan
    is reused by :func:`contourlet_transform` and :func:`inverse_contourlet_transform`.

    Parameters
    ----------
    image_shape : (height, width)
        Each side must be a multiple of :func:`required_multiple`
        ``(n_orientations)``: 2^levels for the pyramid, and 2^(j−1) · n/2 for n
        orientations at pyramid level j (1 = finest). Pad or crop other sizes
        (any size works with ``decimated=False``).
    n_orientations : int or sequence of int, default=(4, 8)
        Directional subbands per pyramid level, coarse to fine: powers of two.
        Each subband covers a wedge pair (an orientation in [0°, 180°)). 1 keeps
        that level's band-pass image whole; 2 gives the two fans
        (quincunx-sampled, stored as (h, w/2) with rows interleaved).
    lp_filters : {"9-7", "5-3"}, default="9-7"
        Laplacian pyramid filters (CDF 9/7 = PyWavelets' bior4.4; 5/3 = bior2.2).
    dfb_filters : str, default="kaiser12"
        Fan filters of the directional filter bank: quincunx ladder (PKVA
        structure) filters whose ladder step is a Kaiser-windowed sinc
        ("kaiser8", "kaiser12", "kaiser16") or a maximally flat
        Deslauriers–Dubuc interpolator ("dd2", "dd4", "dd6", "dd8") with that
        many taps per axis. Longer: sharper wedges, longer atoms. The length
        does not change the transform's speed (it filters by FFT).
    decimated : bool, default=True
        The contourlet transform (critically sampled subbands, about 4/3
        coefficients per pixel), or every band on the full image grid: the same
        filters upsampled (à trous) and no sampling, so shift invariant, with
        1 + Σ n_orientations coefficients per pixel, any image size, and the
        canonical dual frame as inverse (``reconstruction`` is then ignored).
        Not da Cunha, Zhou & Do's nonsubsampled contourlet (their filters are
        designed for the undecimated case).
    reconstruction : {"dual", "standard"}, default="dual"
        How :func:`inverse_contourlet_transform` inverts the Laplacian pyramid.
        Both are exact left inverses; "dual" is the dual-frame reconstruction of
        "Framing pyramids" (x = g * ↑2(c − ↓2(h * d)) + d), which projects the
        band-pass images before adding them back and so reconstructs modified
        (thresholded, noisy) coefficients with less error; "standard" is Burt &
        Adelson's x = g * ↑2 c + d.

    Returns
    -------
    plan : ContourletPlan
        With ``.bands`` (the :class:`~sklearn_sparsecode.Band` layout: the
        low-pass (scale 1), then each scale's subbands by increasing
        orientation), ``.n_coefficients`` and ``.redundancy``.

    Examples
    --------
    >>> from sklearn_sparsecode.contourlets import plan_contourlets
    >>> plan = plan_contourlets((32, 32), n_orientations=(4, 8))
    >>> [(b.scale, b.name, b.shape) for b in plan.bands[:3]]
    [(1, 'lowpass', (8, 8)), (2, 'd0', (8, 8)), (2, 'd1', (8, 8))]
    >>> plan.n_coefficients, round(plan.redundancy, 4)
    (1344, 1.3125)
    >>> round(plan_contourlets((28, 28)).bands[-1].orientation, 1)
    166.7

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
    """
    image_shape = tuple(int(s) for s in image_shape)
    if not decimated:
        return _plan_undecimated(image_shape, n_orientations, lp_filters, dfb_filters)
    n_orientations, logs = _levels_for(image_shape, n_orientations)
    lp = lp_filters_1d(lp_filters)
    fans = fan_filters(dfb_filters)
    n_levels = len(logs)
    low = (image_shape[0] >> n_levels, image_shape[1] >> n_levels)
    entries = [dict(scale=1, name="lowpass", shape=low, lowpass=True,
                    prefix="contourlet_s1_lowpass")]
    member_info = []
    for scale, l in enumerate(logs, start=2):  # coarse to fine
        j = n_levels + 2 - scale  # pyramid level, 1 = finest
        shape = (image_shape[0] >> (j - 1), image_shape[1] >> (j - 1))
        members = _dfb_members_layout(shape, l)
        member_info.append((shape, l))
        for angle, (orientation, band_shape) in enumerate(members):
            if orientation is None:
                entries.append(dict(scale=scale, name="bandpass", shape=band_shape,
                                    prefix=f"contourlet_s{scale}_bandpass"))
            else:
                entries.append(dict(scale=scale, name=f"d{angle}", shape=band_shape,
                                    orientation=orientation, angle=angle,
                                    prefix=f"contourlet_s{scale}_d{angle}"))
    bands = stack_bands(entries)
    levels = []
    for scale, (shape, l) in enumerate(member_info, start=2):
        starts = [b.start for b in bands if b.scale == scale]
        levels.append(_build_level(shape, l, lp, fans, starts))
    return ContourletPlan(image_shape, n_orientations, lp_filters, dfb_filters, bands,
                          levels[::-1], low, reconstruction=reconstruction)


def _plan_undecimated(image_shape, n_orientations, lp_filters, dfb_filters):
    """Every band on the full grid: the same filters upsampled (à trous), no sampling.

    Band (level j, subband k) is W = Π_{i<j} H_i/2 · (1 − G_j H_j / 4) · D_k,j / 2^(l/2)
    with H_i, G_i the LP filters upsampled by 2^(i−1) (halved: unit DC gain)
    and D_k,j the DFB subband filter upsampled by 2^(j−1) (its passband gain
    2^(l/2) divided out); the low-pass is Π H_i/2. Coefficients are
    irfft2(W · X̂): shift invariant. The inverse is the canonical dual frame,
    X̂ = Σ conj(W) Ŷ / Σ |W|², exact whatever the filters (Σ |W|² > 0: a PR
    fan pair never vanishes together, and the pyramid's terms sum to more than
    0 at every frequency), and no size restriction applies.
    """
    n_orientations, logs = _log2_orientations(n_orientations)
    h, g = lp_filters_1d(lp_filters)
    fans = fan_filters(dfb_filters)
    n1, n2 = image_shape
    n_levels = len(logs)
    entries = [dict(scale=1, name="lowpass", shape=image_shape, lowpass=True,
                     prefix="contourlet_s1_lowpass")]
    lowpass = np.ones(image_shape)
    by_level = []  # finest first: (LP band-pass response, DFB members)
    for j in range(1, n_levels + 1):
        up = 2 ** (j - 1)
        hat_h = np.outer(lp_response_1d(h, n1, up), lp_response_1d(h, n2, up)) / 2
        hat_g = np.outer(lp_response_1d(g, n1, up), lp_response_1d(g, n2, up)) / 2
        l = logs[n_levels - j]
        members = _dfb_members(image_shape, l, fans, up)
        by_level.append((lowpass * (1 - hat_g * hat_h), members, l))
        lowpass = lowpass * hat_h
    responses = [lowpass.astype(complex)]
    for scale in range(2, n_levels + 2):
        bandpass, members, l = by_level[n_levels + 1 - scale]
        for angle, member in enumerate(members):
            responses.append(bandpass * member["parts"][0][0] / 2 ** (l / 2))
            if member["orientation"] is None:
                entries.append(dict(scale=scale, name="bandpass", shape=image_shape,
                                    prefix=f"contourlet_s{scale}_bandpass"))
            else:
                entries.append(dict(scale=scale, name=f"d{angle}", shape=image_shape,
                                    orientation=member["orientation"], angle=angle,
                                    prefix=f"contourlet_s{scale}_d{angle}"))
    analysis = np.stack(responses)
    dual = np.conj(analysis) / np.sum(np.abs(analysis) ** 2, axis=0)
    half = n2 // 2 + 1
    filters = _Undecimated(np.ascontiguousarray(analysis[..., :half]),
                           np.ascontiguousarray(dual[..., :half]))
    return ContourletPlan(image_shape, n_orientations, lp_filters, dfb_filters,
                          stack_bands(entries), [], image_shape, decimated=False,
                          undecimated=filters)


def _dfb_members_layout(shape, n_levels):
    """(orientation, band shape) of the subbands, in output order, without filters."""
    if n_levels == 0:
        return [(None, shape)]
    if n_levels == 1:
        return [(0.0, (shape[0], shape[1] // 2)), (90.0, (shape[0], shape[1] // 2))]
    out = []
    for leaf in dfb_tree(n_levels):
        a, b = int(leaf.sampling[0, 0]), int(leaf.sampling[1, 1])
        out.append((wedge_orientation(leaf, n_levels), (shape[0] // a, shape[1] // b)))
    return sorted(out, key=lambda m: m[0])
