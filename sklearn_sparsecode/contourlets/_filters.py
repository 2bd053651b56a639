"""Filters of the contourlet transform: the Laplacian pyramid and the directional filter bank.

Written from the papers (Do & Vetterli 2005, 2003; Bamberger & Smith 1992); no
toolbox code was read. Conventions: an image x[n], n = (n1, n2) = (row,
column), is periodic; a 2-D filter f acts by (f * x)[n] = Σ_k f[k] x[n − k]
and has frequency response F(ω) = Σ_k f[k] exp(−i ω·k); "↓M" keeps
y[m] = x[M m] for an integer matrix M, whose Fourier transform folds the
spectrum: Y(ω) = |det M|⁻¹ Σ_p X(M⁻ᵀ(ω + 2πp)).

Laplacian pyramid (Burt & Adelson; Do & Vetterli, "Framing pyramids" 2003).
With separable analysis and synthesis low-pass filters h, g, one level maps x
to c = ↓2(h * x) and d = x − g * ↑2 c. The 9-7 filters (CDF 9/7, the same taps
as PyWavelets' ``bior4.4``, each summing to √2 per axis) are biorthogonal,
Σ_k h[k] g[2m − k] = δ[m], so H G = I (the taps are computed from their lifting
steps, which makes that identity hold to rounding error): the pyramid is a frame with the usual
left inverse x = g * ↑2 c + d and the dual-frame one
x = g * ↑2(c − ↓2(h * d)) + d, which is the pseudo-inverse for orthogonal
filters and reconstructs better from perturbed coefficients.

Directional filter bank (Bamberger & Smith 1992, in Do & Vetterli's form,
2005, section III-B): a binary tree of two-channel quincunx filter banks with
fan filters. One node filters with f0, f1 and keeps ↓Q, Q = [[1, −1], [1, 1]];
it reconstructs exactly when the synthesis filters satisfy
G0 F0 + G1 F1 = 2 and G0 F0(ω + π̄) + G1 F1(ω + π̄) = 0, π̄ = (π, π).

Fan filters here are quincunx *ladder* (lifting) filters, the structure of
Phoong, Kim, Vaidyanathan & Ansari (1995): even samples (n1 + n2 even) are
averaged with a prediction from odd ones, s = ½(x_even + P x_odd), then the odd
samples are predicted from s, d = x_odd − P s. Any P gives perfect
reconstruction. P is separable in the 45°-rotated coordinates
(n1 + n2, n1 − n2), a product of two 1-D half-band interpolators of ``order``
taps (Kaiser-windowed sinc, "kaiserN", or Deslauriers–Dubuc, maximally flat,
"ddN"; PKVA design theirs by optimisation, we do not use their coefficients),
so (s, d) is a diamond low/high-pass pair; modulating every filter by (−1)^n1
turns the diamonds into the two fans |ω1| ≥ |ω2| (f0) and |ω1| ≤ |ω2| (f1).
Both are scaled by √2, so both channels have gain about √2 in their passbands
(close to orthogonal). Synthesis filters follow from the two conditions above:
G0(ω) = 2 F1(ω + π̄) / Δ(ω), G1(ω) = −2 F0(ω + π̄) / Δ(ω) with
Δ = F0(ω) F1(ω + π̄) − F1(ω) F0(ω + π̄), a monomial for a ladder structure, so
they are FIR too.

Tree (our derivation of the resampling, checked against the wedges it must
produce): level 1 splits x into the fans; level 2 applies the same bank to both
channels, which (after a unimodular re-indexing) leaves four channels sampled
by 2I, the four quadrant-wedges. From level 2 on a channel is sampled by a
diagonal S, and its wedge of slopes (ω1/ω2 for the "horizontal" family
|ω1| ≤ |ω2|, ω2/ω1 for the other) covers, in the channel's own frequencies
Sᵀω, slopes [j, j + 1] for an integer j. It is split by resampling with
N = E B_j A, E = I (horizontal) or the axis swap (vertical), B_j = [[1, 0],
[−j, 1]] (shear of the slopes onto [0, 1]) and A = [[−1, 1], [1, 0]] (maps the
fan onto the lower half-wedge), then the fan bank and ↓Q. N Q spans the
lattice of diag(2, 1) (horizontal) or diag(1, 2) (vertical), so after
re-indexing every level-l subband is sampled by the diagonal
diag(2^(l−1), 2) or diag(2, 2^(l−1)), as in Do & Vetterli. By the noble
identities a subband is ↓S_k(h_k * x) with H_k(ω) = Π F_i(M_iᵀ ω) over the
nodes of its path, M_i the sampling matrix (times the node's resampling)
before node i; the synthesis filter is the same product of the G_i. That
product form is what :mod:`._contourlet` computes with, in the frequency
domain.
"""

from typing import NamedTuple

import numpy as np

Q = np.array([[1, -1], [1, 1]])
A_HALF = np.array([[-1, 1], [1, 0]])
SWAP = np.array([[0, 1], [1, 0]])

DFB_FILTERS = ("kaiser8", "kaiser12", "kaiser16", "dd2", "dd4", "dd6", "dd8")
# Kaiser window shape of the windowed-sinc ladder step. Measured on 64² atoms
# (finest scale, 8 and 16 directions, share of the atom's spectrum within one
# wedge of its own): β = 2 and 3 tie (0.87 / 0.83 mean at order 12), β → 0
# (truncated sinc) 0.83 / 0.75, maximally flat (dd8) 0.78 / 0.69.
KAISER_BETA = 2.0


class Filter2D(NamedTuple):
    """FIR taps ``taps[i, j]`` at positions ``(i, j) − origin``."""

    taps: np.ndarray
    origin: tuple

    def positions(self):
        """Integer positions (2, n_taps) and values of the non-zero taps."""
        index = np.nonzero(self.taps)
        return (np.stack(index) - np.asarray(self.origin)[:, None]), self.taps[index]

    def response(self, shape, matrix=None):
        """F(Mᵀ ω) on the DFT grid of ``shape``: taps placed at M n (mod shape), FFT.

        With M the identity this is the usual frequency response; with the
        sampling matrix of a tree node it is the response of the filter
        upsampled by M, which is how a node's filter acts on the input image.
        """
        position, value = self.positions()
        if matrix is not None:
            position = np.asarray(matrix) @ position
        grid = np.zeros(shape)
        np.add.at(grid, (position[0] % shape[0], position[1] % shape[1]), value)
        return np.fft.fft2(grid)


# Lifting factorisations (Daubechies & Sweldens 1998) of the two LP filter pairs:
# predict steps d += c·(s[n] + s[n+1]), update steps s += c·(d[n] + d[n−1]),
# then s·ζ, d/ζ. Filters read off a lifting scheme are biorthogonal to rounding
# error whatever the precision of the constants; PyWavelets' tabulated 9/7 taps
# (the same filters to 1e-13) are biorthogonal only to 2e-13, which left the
# dual-frame reconstruction at 1e-12 instead of 1e-15.
LIFTING = {
    "9-7": ([("p", -1.586134342059924), ("u", -0.052980118572961),
             ("p", 0.882911075530934), ("u", 0.443506852043971)], 1.149604398860241),
    "5-3": ([("p", -0.5), ("u", 0.25)], np.sqrt(2.0)),
}


def lp_filters_1d(name="9-7"):
    """Centred 1-D analysis and synthesis low-pass taps ``(h, g)`` (odd lengths).

    Each sums to √2 and Σ_k h[k] g[2m − k] = δ[m] to rounding error. They are
    PyWavelets' ``bior4.4`` (9-7) and ``bior2.2`` (5-3) low-pass filters,
    computed from their lifting steps.
    """
    if name not in LIFTING:
        raise ValueError(f"lp_filters must be one of {sorted(LIFTING)}; got {name!r}.")
    steps, zeta = LIFTING[name]
    n = 32  # longer than both filters: the periodic impulse responses do not wrap

    def analysis_lowpass(x):
        s, d = x[0::2].copy(), x[1::2].copy()
        for kind, c in steps:
            if kind == "p":
                d = d + c * (s + np.roll(s, -1))
            else:
                s = s + c * (d + np.roll(d, 1))
        return zeta * s

    def synthesis(s, d):
        s, d = s / zeta, d * zeta
        for kind, c in steps[::-1]:
            if kind == "p":
                d = d - c * (s + np.roll(s, -1))
            else:
                s = s - c * (d + np.roll(d, 1))
        x = np.empty(2 * len(s))
        x[0::2], x[1::2] = s, d
        return x

    # s[0] = Σ_m h[−m] x[m]; the synthesis of a unit s[0] is g.
    h = np.roll(np.array([analysis_lowpass(row)[0] for row in np.eye(n)])[::-1], 1)
    g = synthesis(np.eye(n // 2)[0], np.zeros(n // 2))
    taps = []
    for f in (h, g):
        f = np.fft.fftshift(f)
        f[np.abs(f) < 1e-15] = 0.0
        nonzero = np.flatnonzero(f)
        radius = max(n // 2 - nonzero[0], nonzero[-1] - n // 2)
        taps.append(f[n // 2 - radius:n // 2 + radius + 1])
    return tuple(taps)


def lp_response_1d(taps, n, up=1):
    """Response H(up·ω) of centred 1-D taps on an n-point DFT grid (real: symmetric taps).

    ``up`` > 1 is the filter upsampled by ``up`` (taps ``up`` apart: à trous).
    """
    half = len(taps) // 2
    grid = np.zeros(n)
    np.add.at(grid, (up * np.arange(-half, half + 1)) % n, taps)
    return np.fft.fft(grid).real


def dd_interpolator(order):
    """Deslauriers–Dubuc weights at odd offsets −order+1, …, −1, 1, …, order−1.

    The Lagrange interpolator of the midpoint from ``order`` equally spaced
    samples at the odd half-integers, e.g. order 4: (−1, 9, 9, −1)/16: the
    maximally flat half-band ladder step.
    """
    nodes = np.arange(-order + 1, order, 2).astype(np.float64)
    weights = np.empty(order)
    for i, node in enumerate(nodes):
        others = np.delete(nodes, i)
        weights[i] = np.prod((0.0 - others) / (node - others))
    return nodes.astype(int), weights


def kaiser_interpolator(order, beta=KAISER_BETA):
    """Kaiser-windowed ideal half-band interpolator (sinc(n/2)) at the same offsets.

    Sharper transition than the maximally flat one of the same length (the
    flat ones spend their degrees of freedom on flatness at 0 and π).
    """
    nodes = np.arange(-order + 1, order, 2)
    window = np.i0(beta * np.sqrt(1 - (nodes / order) ** 2)) / np.i0(beta)
    weights = np.sinc(nodes / 2.0) * window
    return nodes, weights / weights.sum()


def ladder_fan_filters(order=12, kind="kaiser"):
    """Analysis and synthesis fan filters ``(f0, f1, g0, g1)`` of one quincunx node.

    f0 passes the fan |ω1| ≥ |ω2|, f1 the fan |ω1| ≤ |ω2|; see the module
    docstring. ``kind`` is the 1-D ladder step: "kaiser" (windowed sinc) or
    "dd" (Deslauriers–Dubuc, maximally flat), with ``order`` taps.
    """
    if order < 2 or order % 2:
        raise ValueError(f"ladder order must be even and at least 2; got {order}.")
    nodes, weights = (kaiser_interpolator if kind == "kaiser" else dd_interpolator)(order)
    radius = order  # |k1|, |k2| <= order - 1 for the predictor; the update doubles it
    size = 4 * radius + 1
    centre = 2 * radius

    def blank():
        return np.zeros((size, size))

    # Predictor p[k], k = ((r + s)/2, (r − s)/2) for odd r, s (rotated coordinates).
    p = blank()
    for r, wr in zip(nodes, weights):
        for s, ws in zip(nodes, weights):
            p[centre + (r + s) // 2, centre + (r - s) // 2] += wr * ws
    delta = blank()
    delta[centre, centre] = 1.0
    # PKVA's order of the two ladder steps: the half-band low-pass first,
    # s = ½(x_even + P x_odd), then d = x_odd − P s. Both responses are then as
    # sharp as P (the other order, d first, left the low-pass with a transition
    # twice as wide: 21% of f0's energy outside its fan against 8% for f1).
    h0 = (delta + p) / 2                  # s = (h0 * x) on the even coset
    h1 = delta - _convolve_same(p, h0)    # d = (h1 * x) on the odd coset
    h0, h1 = np.sqrt(2.0) * h0, np.sqrt(2.0) * h1
    sign = (-1.0) ** np.arange(size)[:, None]  # modulation by (π, 0): diamonds -> fans
    h0, h1 = h0 * sign, h1 * sign
    # The odd coset is read at Qm + e, e = (0, 1): f1[n] = h1[n + e].
    f0 = Filter2D(h0, (centre, centre))
    f1 = Filter2D(h1, (centre, centre - 1))
    g0, g1 = _synthesis_filters(f0, f1)
    return tuple(_trim(f) for f in (f0, f1, g0, g1))


def _convolve_same(a, b):
    """Full 2-D convolution of two same-size centred arrays, cropped to that size."""
    from scipy.signal import convolve2d

    full = convolve2d(a, b)
    n = a.shape[0]
    start = (full.shape[0] - n) // 2
    return full[start:start + n, start:start + n]


def _trim(f):
    position, value = f.positions()
    lo, hi = position.min(axis=1), position.max(axis=1)
    taps = np.zeros(hi - lo + 1)
    taps[position[0] - lo[0], position[1] - lo[1]] = value
    return Filter2D(taps, (int(-lo[0]), int(-lo[1])))


def _synthesis_filters(f0, f1):
    """G0, G1 from the perfect-reconstruction conditions (exact taps: Δ is a monomial)."""
    n = 64
    F0, F1 = f0.response((n, n)), f1.response((n, n))
    shift = np.roll(np.arange(n), -n // 2)
    F0s, F1s = F0[shift][:, shift], F1[shift][:, shift]  # F(ω + π̄)
    det = F0 * F1s - F1 * F0s
    # Δ(ω) = c·exp(−i ω·t): read c and t from its inverse DFT, a single spike.
    spike = np.fft.ifft2(det)
    t = np.unravel_index(np.argmax(np.abs(spike)), spike.shape)
    c = spike[t].real
    rest = np.abs(spike).sum() - abs(spike[t])
    if rest > 1e-9 * abs(c):
        raise RuntimeError("fan filters are not a ladder pair (determinant not a monomial)")
    t = np.where(np.asarray(t) > n // 2, np.asarray(t) - n, np.asarray(t))

    def from_alias(f, scale):
        # g[m] = scale · f[m + t] · (−1)^(m1 + t1 + m2 + t2),
        # so that G(ω) = scale · e^{iω·t} F(ω + π̄).
        position, value = f.positions()
        m = position - t[:, None]
        sign = (-1.0) ** (position[0] + position[1])
        return _trim(_from_positions(m, scale * value * sign))

    return from_alias(f1, 2.0 / c), from_alias(f0, -2.0 / c)


def _from_positions(position, value):
    lo = position.min(axis=1)
    taps = np.zeros(position.max(axis=1) - lo + 1)
    taps[position[0] - lo[0], position[1] - lo[1]] = value
    return Filter2D(taps, (int(-lo[0]), int(-lo[1])))


def fan_filters(name="kaiser12"):
    """``(f0, f1, g0, g1)`` of a fan filter family by name (see ``DFB_FILTERS``)."""
    if name not in DFB_FILTERS:
        raise ValueError(f"dfb_filters must be one of {list(DFB_FILTERS)}; got {name!r}.")
    kind = name.rstrip("0123456789")
    return ladder_fan_filters(int(name[len(kind):]), kind)


class DFBLeaf(NamedTuple):
    """One subband of an l-level directional filter bank, in product form.

    family : "h" (|ω1| <= |ω2|, slopes s = ω1/ω2) or "v" (|ω1| >= |ω2|, s = ω2/ω1)
    k : index of the wedge within its family, slopes [−1 + k w, −1 + (k+1) w], w = 2^(2−l)
    path : tuple of (filter index 0/1, matrix M): the subband filter is Π F_i(Mᵀω)
    sampling : diagonal sampling matrix S of the subband
    """

    family: str
    k: int
    path: tuple
    sampling: np.ndarray


def dfb_tree(n_levels):
    """The 2^l leaves of an l-level tree (l >= 2), each with its filter path and sampling."""
    if n_levels < 2:
        raise ValueError("dfb_tree needs at least 2 levels")
    eye = np.eye(2, dtype=np.int64)
    leaves = []
    for c in (0, 1):  # level 1: fans; level 2: the same bank, sampled by Q·Q ~ 2I
        for i in (0, 1):
            family = "v" if c == 0 else "h"
            k = 1 if i == 0 else 0  # i = 0 keeps ω1ω2 >= 0: positive slopes
            leaves.append(DFBLeaf(family, k, ((c, eye), (i, Q.copy())), 2 * eye))
    for level in range(2, n_levels):
        children = []
        for leaf in leaves:
            j = leaf.k - 2 ** (level - 2)  # the channel sees slopes [j, j + 1]
            shear = np.array([[1, 0], [-j, 1]])
            node = shear @ A_HALF if leaf.family == "h" else SWAP @ shear @ A_HALF
            matrix = leaf.sampling @ node
            step = np.diag([2, 1]) if leaf.family == "h" else np.diag([1, 2])
            for i in (0, 1):  # i = 0: lower half of the slopes
                children.append(DFBLeaf(leaf.family, 2 * leaf.k + i,
                                        leaf.path + ((i, matrix),), leaf.sampling @ step))
        leaves = children
    return leaves


def wedge_slopes(leaf, n_levels):
    """Slope interval of a leaf's wedge (ω1/ω2 for family "h", ω2/ω1 for "v")."""
    width = 2.0 ** (2 - n_levels)
    return -1.0 + leaf.k * width, -1.0 + (leaf.k + 1) * width


def wedge_orientation(leaf, n_levels):
    """Frequency direction (degrees in [0, 180)) of the middle of a leaf's wedge.

    Horizontal frequency ω2 is the x axis and vertical frequency −ω1 (up in a
    displayed image) the y axis, as in :mod:`._bands`; the wedge's two bounding
    directions are averaged.
    """
    s0, s1 = wedge_slopes(leaf, n_levels)
    if leaf.family == "h":  # direction (ω2, −ω1) ∝ (1, −s)
        angles = [np.degrees(np.arctan2(-s, 1.0)) for s in (s0, s1)]
    else:  # ∝ (s, −1) ~ (−s, 1)
        angles = [np.degrees(np.arctan2(1.0, -s)) for s in (s0, s1)]
    return float(np.mod(np.mean(angles), 180.0))
