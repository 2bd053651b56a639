"""Frequency windows of the fast discrete curvelet transform (filter construction).

Candès, Demanet, Donoho & Ying, "Fast Discrete Curvelet Transforms" (2006),
section 3: a smooth partition of unity of the frequency plane into
concentric squared rings (scales) and, inside each ring, wedges bounded by
equally spaced slopes (angles). Written from the paper; the window functions
and the choice of wrapping rectangles are our own.

Construction, for an image of N1 x N2 pixels with integer DFT frequencies
k = (k1, k2), k_i in [-N_i/2, N_i/2), and normalised coordinates
u = −k1 / N1 (vertical, pointing up in the displayed image), v = k2 / N2
(horizontal):

* Low-pass Φ_s(k) = φ(u / m_s) φ(v / m_s) with φ = 1 on [-1, 1], 0 outside
  [-2, 2], a Meyer-type decreasing transition in between, and m_s = 2^-(J-s) / 4
  for s = 1..J-1, so Φ_{J-1} reaches the Nyquist frequency. Scale windows:
  W_1 = Φ_1 (coarse), W_s = sqrt(Φ_s² − Φ_{s-1}²) for 1 < s < J, and the
  finest W_J = sqrt(1 − Φ_{J-1}²) (the corners included). Σ_s W_s² = 1.
* A pseudo-angle t in [0, 8) runs once counter-clockwise around the square:
  t = v/u-type slopes in each of the four cones, continuous across the
  diagonals, so equal steps in t are equally spaced slopes. A ring with n
  wedges is split at t = 8 l / n; each wedge window V_l is 1 inside its slope
  interval and crosses to its neighbour with cos/sin of a smooth step over a
  width ``ANGULAR_OVERLAP`` of the wedge, so Σ_l V_l² = 1.
* U_{s,l} = W_s · V_l, then symmetrised so that U_{s,l+n/2}(−k) = U_{s,l}(k)
  holds on the discrete grid too (even sizes put the Nyquist line on itself):
  this is what makes the real-valued transform exact.

Wrapping. The coefficients of a wedge are the inverse DFT of U·X̂ periodised
onto an L1 x L2 rectangle. The map k -> (k1 mod L1, k2 mod L2) is injective on
the wedge's support when L along the wedge's radial axis is at least the
number of frequency lines the support spans, and L across it is at least the
longest run of the support on any one line: then two support points either lie
on different lines (different residues) or on one line closer than L. We take
exactly those sizes, measured on the support, so the transform is an exact
isometry for every image size, odd and non-square included.
"""

from dataclasses import dataclass

import numpy as np
import scipy.fft

# Fraction of a wedge's angular width over which it crosses to each neighbour.
# 1/2 makes every window rise from its left neighbour's centre and fall to its
# right neighbour's: smooth atoms, about twice the minimal redundancy.
ANGULAR_OVERLAP = 0.5


def smooth_step(x):
    """Meyer's auxiliary function: 0 below 0, 1 above 1, ν(x) + ν(1 − x) = 1."""
    x = np.clip(x, 0.0, 1.0)
    return x**4 * (35 - 84 * x + 70 * x**2 - 20 * x**3)


def lowpass_1d(t):
    """φ(t): 1 for |t| <= 1, 0 for |t| >= 2, decreasing smoothly in between."""
    t = np.abs(t)
    # Exact zeros beyond 2 (cos(π/2) is 6e-17, which would widen every support).
    return np.where(t < 2, np.cos(np.pi / 2 * smooth_step(t - 1.0)), 0.0)


def frequency_grid(shape):
    """Integer DFT frequencies (k1, k2) in numpy's FFT order, as broadcastable arrays."""
    n1, n2 = shape
    k1 = np.fft.fftfreq(n1, 1.0 / n1)[:, None]
    k2 = np.fft.fftfreq(n2, 1.0 / n2)[None, :]
    return k1, k2


def pseudo_angle(u, v):
    """t in [0, 8): counter-clockwise position on the square, east = 0 (v > 0, u = 0).

    Horizontal frequency v is the x axis and vertical frequency u the y axis.
    On each cone t is affine in the slope, so equal steps in t are equal steps
    in slope, as the paper's wedges require.
    """
    au, av = np.abs(u), np.abs(v)
    with np.errstate(divide="ignore", invalid="ignore"):
        east_west = av >= au
        t = np.where(
            east_west,
            np.where(v > 0, u / v, 4 + u / v),    # east: [-1, 1]; west: [3, 5]
            np.where(u > 0, 2 - v / u, 6 - v / u),  # north: [1, 3]; south: [5, 7]
        )
    t = np.where((u == 0) & (v == 0), 0.0, t)
    return np.mod(t, 8.0)


def angular_weights(t, n_wedges, overlap=ANGULAR_OVERLAP):
    """Sparse angular windows: the (point, wedge, V_wedge(t)) triples that are non-zero.

    Wedge l covers t in [l·w, (l+1)·w), w = 8/n, and crosses to each neighbour
    with cos/sin of a smooth step over ``overlap``·w centred on the border, so
    Σ_l V_l(t)² = 1. Every point belongs to its own wedge and, near a border,
    to one neighbour: computed for all points at once instead of n dense windows.

    Parameters
    ----------
    t : ndarray of shape (n_points,)
        Pseudo-angles in [0, 8).

    Returns
    -------
    point, wedge, value : ndarrays of equal length
    """
    width = 8.0 / n_wedges
    half = overlap * width / 2
    own = np.minimum((t // width).astype(np.int64), n_wedges - 1)
    pos = t - own * width
    points = np.arange(len(t))
    value = np.ones_like(t)
    near_left, near_right = pos < half, pos > width - half
    s_left = smooth_step((pos[near_left] + half) / (2 * half))
    s_right = smooth_step((pos[near_right] - width + half) / (2 * half))
    value[near_left] = np.sin(np.pi / 2 * s_left)
    value[near_right] = np.cos(np.pi / 2 * s_right)
    point = np.concatenate([points, points[near_left], points[near_right]])
    wedge = np.concatenate([own, (own[near_left] - 1) % n_wedges,
                            (own[near_right] + 1) % n_wedges])
    value = np.concatenate([value, np.cos(np.pi / 2 * s_left), np.sin(np.pi / 2 * s_right)])
    keep = value > 0
    return point[keep], wedge[keep], value[keep]


def wedge_orientation(l, n_wedges):
    """Angle in degrees (0 = horizontal frequency axis, counter-clockwise) of wedge l's centre.

    In the image, the atoms of this wedge oscillate along that direction, so
    they respond to edges perpendicular to it.
    """
    t = (l + 0.5) * 8.0 / n_wedges
    cone, offset = divmod(t + 1.0, 2.0)  # cone 0: east, 1: north, 2: west, 3: south
    slope = offset - 1.0
    # Position on the square of side 2 centred at 0, then its polar angle.
    x, y = {0: (1.0, slope), 1: (-slope, 1.0), 2: (-1.0, -slope), 3: (slope, -1.0)}[int(cone)]
    return float(np.degrees(np.arctan2(y, x)) % 360.0)


def default_n_scales(shape):
    """CurveLab's default: ceil(log2(min(N1, N2)) − 3), and at least 2."""
    return max(2, int(np.ceil(np.log2(min(shape)) - 3)))


def n_wedges_at(scale, n_angles):
    """Wedges at curvelet scale ``scale`` (2 = coarsest): n_angles doubled every other scale."""
    return n_angles * 2 ** int(np.ceil((scale - 2) / 2))


@dataclass(frozen=True)
class Wedge:
    """One band of the transform: where its window lives and where it wraps to.

    Attributes
    ----------
    scale : int
        1 = coarsest (low-pass), J = finest.
    angle : int or None
        Wedge index at that scale, None for bands without angular split.
    n_wedges : int
        Wedges at that scale (1 for unsplit bands).
    orientation : float or None
        Centre direction in degrees (see :func:`wedge_orientation`).
    shape : (L1, L2)
        Wrapping rectangle, the spatial shape of the coefficients.
    source : ndarray of int
        Flat indices (FFT order) of the support of the window.
    target : ndarray of int
        Flat index in the L1 x L2 rectangle of each source point.
    weight : ndarray of float
        Window values on the support.
    paired : bool
        True for a wedge that stands for itself and its mirror (real transform):
        its coefficients are stored as √2·Re and √2·Im.
    """

    scale: int
    angle: object
    n_wedges: int
    orientation: object
    shape: tuple
    source: np.ndarray
    target: np.ndarray
    weight: np.ndarray
    paired: bool


def _support_frequencies(flat, shape, k1, k2):
    """Integer frequencies (f1, f2) of a support given by flat FFT indices."""
    rows, cols = np.divmod(flat, shape[1])
    freqs = []
    for f, n in ((k1[rows, 0].astype(np.int64), shape[0]), (k2[0, cols].astype(np.int64), shape[1])):
        if n % 2 == 0 and f.mean() > 0:
            # The Nyquist bin -n/2 is also +n/2: label it on the wedge's side so
            # that it does not stretch the support across the whole axis.
            f = np.where(f == -n // 2, n // 2, f)
        freqs.append(f)
    return freqs


def _minimal_rectangle(f1, f2, radial_axis):
    """Smallest (L1, L2) on which wrapping the support is injective (module docstring)."""
    radial, across = (f1, f2) if radial_axis == 0 else (f2, f1)
    length_radial = int(radial.max() - radial.min() + 1)
    order = np.lexsort((across, radial))  # longest run across any one radial line
    line, position = radial[order], across[order]
    starts = np.flatnonzero(np.r_[True, line[1:] != line[:-1]])
    ends = np.r_[starts[1:], len(line)] - 1
    length_across = int((position[ends] - position[starts]).max() + 1)
    return (length_radial, length_across) if radial_axis == 0 else (length_across, length_radial)


def _wrap_targets(f1, f2, rect):
    return (np.mod(f1, rect[0]) * rect[1] + np.mod(f2, rect[1])).astype(np.intp)


def _fast_rectangles(minimal, classes):
    """One FFT-friendly rectangle per orientation class of a scale.

    Any rectangle at least as large as the minimal one wraps injectively too;
    sharing one per class lets wedges be transformed together, and
    ``next_fast_len`` avoids prime FFT lengths (97 x 23 was 5x slower).
    """
    rects = {}
    for cls in set(classes):
        sizes = np.array([m for m, c in zip(minimal, classes) if c == cls])
        rects[cls] = tuple(scipy.fft.next_fast_len(int(n)) for n in sizes.max(axis=0))
    return [rects[c] for c in classes]


def _mirror_index(flat, shape):
    """Flat FFT index of −k for the flat FFT index of k."""
    rows, cols = np.divmod(flat, shape[1])
    return ((-rows) % shape[0]) * shape[1] + (-cols) % shape[1]


def build_wedges(shape, n_scales, n_angles, finest, decimated=True):
    """The list of :class:`Wedge` of a real curvelet transform, coarse to fine.

    Parameters
    ----------
    shape : (N1, N2)
    n_scales : int >= 2
    n_angles : int, multiple of 4, >= 8
        Wedges at the coarsest curvelet scale (scale 2).
    finest : {"curvelets", "wavelets"}
    decimated : bool, default=True
        Wrap each wedge onto its small rectangle (the FDCT), or keep every band
        on the full N1 x N2 grid (undecimated: one coefficient per pixel and
        band, the same windows; still a tight frame, since wrapping onto the
        full grid is the identity).

    Returns
    -------
    wedges : list of Wedge
        For angular scales, only the first half of the wedges (the other half
        are their mirrors, folded into the real coefficients).
    """
    k1, k2 = frequency_grid(shape)
    # u points up in the displayed image (rows grow downwards), so that wedge
    # orientations are ordinary angles: 0 = x to the right, 90 = y up.
    u, v = -k1 / shape[0], k2 / shape[1]
    lowpass = [np.outer(lowpass_1d(u[:, 0] / m), lowpass_1d(v[0] / m))
               for m in (2.0 ** -(n_scales - s) / 4 for s in range(1, n_scales))]
    rings = [lowpass[0]]
    rings += [np.sqrt(np.clip(hi**2 - lo**2, 0, None)) for lo, hi in zip(lowpass, lowpass[1:])]
    rings.append(np.sqrt(np.clip(1.0 - lowpass[-1] ** 2, 0, None)))
    t_all = pseudo_angle(u, v).ravel()

    wedges = []
    for scale, ring in enumerate(rings, start=1):
        support = np.flatnonzero(ring)
        ring_values = ring.ravel()[support]
        angular = 1 < scale < n_scales or (scale == n_scales and finest == "curvelets")
        if not angular:
            # Symmetric under k -> -k already; its coefficients are real.
            f1, f2 = _support_frequencies(support, shape, k1, k2)
            rect = _minimal_rectangle(f1, f2, radial_axis=0)
            if not decimated:
                rect = shape
            elif rect != shape:
                rect = _fast_rectangles([rect], [0])[0]
            wedges.append(Wedge(scale, None, 1, None, rect, support,
                                _wrap_targets(f1, f2, rect), ring_values, False))
            continue
        n = n_wedges_at(scale, n_angles)
        point, wedge, value = angular_weights(t_all[support], n)
        value = value * ring_values[point]
        flat = support[point]
        order = np.argsort(wedge, kind="stable")
        bounds = np.searchsorted(wedge[order], np.arange(n + 1))
        members = [order[bounds[l]:bounds[l + 1]] for l in range(n)]
        pending = []
        for l in range(n // 2):
            # Average the squares of wedge l and its mirror's reflection: equal
            # up to rounding, except on the Nyquist lines of even sizes, where
            # only this makes U_{l+n/2}(−k) = U_l(k) hold exactly.
            mine, mirror = members[l], members[l + n // 2]
            if len(mine) == 0:
                raise ValueError(
                    f"{n} angles at scale {scale} leave wedge {l} without any frequency "
                    f"on a {shape[0]}x{shape[1]} grid: use fewer angles or scales.")
            index = np.concatenate([flat[mine], _mirror_index(flat[mirror], shape)])
            squares = np.concatenate([value[mine] ** 2, value[mirror] ** 2])
            source, inverse = np.unique(index, return_inverse=True)
            weight = np.sqrt(np.bincount(inverse, weights=squares) / 2)
            orientation = wedge_orientation(l, n)
            radial_axis = 1 if (orientation + 45) % 180 < 90 else 0  # east/west: columns
            f1, f2 = _support_frequencies(source, shape, k1, k2)
            pending.append((l, orientation, radial_axis, source.astype(np.intp), weight, f1, f2,
                            _minimal_rectangle(f1, f2, radial_axis)))
        rects = _fast_rectangles([p[-1] for p in pending], [p[2] for p in pending])
        if not decimated:
            rects = [shape] * len(pending)
        for (l, orientation, _, source, weight, f1, f2, _), rect in zip(pending, rects):
            wedges.append(Wedge(scale, l, n, orientation, rect, source,
                                _wrap_targets(f1, f2, rect), weight, True))
    return wedges
