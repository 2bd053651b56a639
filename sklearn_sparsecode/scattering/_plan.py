"""Second-order scattering cascade on an oriented Morlet bank.

For a dyadic bank with low-pass φ (width ∝ 2^J) and wavelets ψ_λ, λ = (j, θ),
the scattering coefficients of an image x are (Mallat 2012; Bruna & Mallat 2013)

    S0 x = x⋆φ,    S1 x(λ1) = |x⋆ψ_λ1|⋆φ,    S2 x(λ1, λ2) = ||x⋆ψ_λ1|⋆ψ_λ2|⋆φ,

sampled every 2^J pixels, over frequency-decreasing paths (j2 > j1: the
modulus |x⋆ψ_λ1| has little energy at frequencies above those of ψ_λ1).

How it is computed: :mod:`._kernels` (the same kernels as the Kymatio
drop-in :class:`Scattering2D`). The plan gives them the filters of every
resolution, the resolution r1 = j1 + ``subsampling`` (clipped to [0, J −
oversampling]) at which |x⋆ψ_j1| is sampled, r2 for ||x⋆ψ_j1|⋆ψ_j2|, and the
separable low-pass φ (a Gaussian of width 0.8·2^(J−1) pixels) with the output
sampling and crop as two small matrices per resolution.

Invariants built on S: averaging (or the modulus of the DFT) over the
orientations of a path, jointly rotated (Sifre & Mallat 2013), averaging
over scales with the same scale difference, and the roto-translation orbit
average (``rotation="roto-translation"``: every map averaged over a window of
rotations of the image, rotation acting on position and orientation together;
see :mod:`._invariants`).

References
----------
.. [1] S. Mallat, "Group invariant scattering", CPAM 65(10), 2012.
.. [2] J. Bruna and S. Mallat, "Invariant scattering convolution networks",
   IEEE TPAMI 35(8), 2013.
.. [3] L. Sifre and S. Mallat, "Rotation, scaling and deformation invariant
   scattering for texture discrimination", CVPR 2013.
.. [4] M. Andreux et al., "Kymatio: Scattering transforms in Python", JMLR 21(60), 2020.
"""

from dataclasses import dataclass, field
from numbers import Integral, Real

import numpy as np

from sklearn.utils._param_validation import StrOptions, validate_params

from .._core.bands import stack_bands
from .._core.validation import IMAGE_SHAPE, Interval
from ..morlet._filters import SIGMA0, morlet_bank, orientations
from ._filter_bank import pad_index
from ._invariants import ROTO, OrbitAverage, _output_groups, _raw_paths
from ._kernels import CascadeSpec

FRAMES = ("morlet", "curvelet")
PADDINGS = ("reflect", "symmetric", "zero", "periodic")
ROTATIONS = (None, "average", "fourier", ROTO)
SCALES = (None, "average")


@dataclass(frozen=True)
class _Grid:
    """Filters of one resolution r (stride 2^r) of the padded image."""

    shape: tuple
    psi: dict            # j -> (L, M, N) float filters, for the scales j >= r
    lowpass: tuple       # (h × M, w × N): φ, output sampling and crop, one matrix per axis


@dataclass(frozen=True)
class ScatteringPlan:
    """Everything a scattering transform of one image shape needs, built once.

    Attributes
    ----------
    image_shape : (height, width)
    n_scales, n_orientations, max_order : int
    padding : str
    pads : ((top, bottom), (left, right))
        Padding of each image before the first FFT.
    out_shape : (h, w)
        Grid of every output block (one sample per 2^J pixels).
    res1, res2 : dict
        Resolution (log2 stride) of |x⋆ψ_j1| and of |U1⋆ψ_j2| per scale.
    grids : dict
        r -> filters and low-pass matrix of resolution r (with
        ``rotation="roto-translation"``: φ at every pixel of the image).
    paths : list of tuple
        Raw paths in output order: (), (j1, θ1), (j1, θ1, j2, θ2).
    bands : list of Band
        Layout of the output after the invariants.
    orbit : OrbitAverage or None
        With ``rotation="roto-translation"``: the orbit average from the dense
        maps to the output grid.
    """

    image_shape: tuple
    n_scales: int
    n_orientations: int
    max_order: int
    frame: str
    padding: str
    normalize: str
    subsampling: int
    oversampling: int
    rotation: object
    scale: object
    compression: object
    rotation_window: float
    pads: tuple
    out_shape: tuple
    counts: tuple
    res1: dict
    res2: dict
    grids: dict = field(repr=False)
    paths: list = field(repr=False)
    groups: list = field(repr=False)
    bands: list = field(repr=False)
    orbit: object = field(default=None, repr=False)
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def n_features(self):
        return self.bands[-1].stop

    @property
    def n_raw_paths(self):
        return len(self.paths)

    @property
    def spec(self):
        """The cascade specification of this plan (private kernels; built once)."""
        if "spec" not in self._cache:
            self._cache["spec"] = _cascade_spec(self)
        return self._cache["spec"]


def _cascade_spec(plan):
    J = plan.n_scales
    pairs = [(j1, j2) for j1 in range(J) for j2 in range(j1 + 1, J)] if plan.max_order == 2 else []
    H, W = plan.image_shape
    (top, bottom), (left, right) = plan.pads
    if plan.padding == "periodic":
        padding = None
    elif plan.padding == "zero":
        padding = ("zero", (top, left))
    else:
        rows = pad_index(H, top, bottom, plan.padding)
        cols = pad_index(W, left, right, plan.padding)
        padding = ("index", (rows[:, None] * W + cols[None, :]).ravel())
    return CascadeSpec(
        input_shape=plan.image_shape, padded=plan.grids[0].shape, padding=padding,
        filters1=[plan.grids[0].psi[j] for j in range(J)],
        res1=tuple(plan.res1[j] for j in range(J)),
        filters2={(j1, j2): plan.grids[plan.res1[j1]].psi[j2] for j1, j2 in pairs},
        res2={(j1, j2): plan.res2[j2][j1] for j1, j2 in pairs},
        lowpass={r: g.lowpass for r, g in plan.grids.items()}, max_order=plan.max_order)


def _lowpass_matrices(grid_shape, sigma, stride, offsets, out_shape):
    """Per axis, the matrix of u ↦ (u ⊛ g) sampled at offset + stride·k (circular).

    φ is the isotropic Gaussian of width ``sigma`` (in samples of this grid),
    periodised: φ(m, n) = g(m) g(n), so U ↦ (U ⊛ φ) sampled is D_rows U D_colsᵀ.
    """
    matrices = []
    for size, offset, count in zip(grid_shape, offsets, out_shape):
        w = 2 * np.pi * np.fft.fftfreq(size)
        g_hat = sum(np.exp(-0.5 * sigma**2 * (w + 2 * np.pi * a) ** 2) for a in range(-2, 3))
        g = np.fft.ifft(g_hat / g_hat[0]).real
        positions = offset + stride * np.arange(count)
        matrices.append(g[(positions[:, None] - np.arange(size)[None, :]) % size])
    return tuple(matrices)


def _lowpass_matrices_at(grid_shape, sigma, positions):
    """Per axis, the matrix of u ↦ (u ⊛ g) at (fractional) ``positions`` of the grid.

    The periodised Gaussian of :func:`_lowpass_matrices` evaluated between its
    samples from its Fourier series (the same values at whole positions).
    """
    matrices = []
    for size, where in zip(grid_shape, positions):
        k = np.fft.fftfreq(size) * size
        w = 2 * np.pi * k / size
        g_hat = sum(np.exp(-0.5 * sigma**2 * (w + 2 * np.pi * a) ** 2) for a in range(-2, 3))
        g_hat = g_hat / g_hat[0]
        t = np.asarray(where, dtype=float)[:, None] - np.arange(size)[None, :]
        matrices.append(np.cos(2 * np.pi * t[..., None] * k / size) @ g_hat / size)
    return tuple(matrices)


SCATTERING_CONSTRAINTS = {
    "n_scales": [Interval(Integral, 1, None, closed="left")],
    "n_orientations": [Interval(Integral, 1, None, closed="left")],
    "max_order": [Interval(Integral, 1, 2, closed="both")],
    "frame": [StrOptions(set(FRAMES))],
    "padding": [StrOptions(set(PADDINGS))],
    "normalize": [StrOptions({"peak", "tight"})],
    "subsampling": [Interval(Integral, None, None, closed="neither")],
    "oversampling": [Interval(Integral, 0, None, closed="left")],
    "rotation": [StrOptions({"average", "fourier", ROTO}), None],
    "scale": [StrOptions({"average"}), None],
    "compression": [StrOptions({"log"}), Interval(Real, 0, 1, closed="right"), None],
    "slant": [Interval(Real, 0, None, closed="neither"), None],
    "rotation_window": [Interval(Real, 0, 180, closed="both")],
}


def _checked_geometry(image_shape, n_scales, padding, oversampling):
    """The image shape as ints, if the scales, padding and oversampling fit it."""
    shape = tuple(int(s) for s in image_shape)
    if oversampling > n_scales:
        raise ValueError(f"oversampling must be in [0, n_scales={n_scales}]; got {oversampling}.")
    step = 2**n_scales
    if padding == "periodic" and (shape[0] % step or shape[1] % step):
        raise ValueError(
            f"padding='periodic' needs image sides divisible by 2^n_scales = {step}; got "
            f"{shape[0]}x{shape[1]}. Use padding='reflect' or fewer scales.")
    if min(shape) < step:
        raise ValueError(f"Images of {shape[0]}x{shape[1]} are too small for n_scales="
                         f"{n_scales}: each side needs at least 2^n_scales = {step} pixels.")
    return shape


@validate_params({"image_shape": IMAGE_SHAPE, **SCATTERING_CONSTRAINTS},
                 prefer_skip_nested_validation=True)
def plan_scattering(image_shape: tuple[int, int], *, n_scales: int = 2, n_orientations: int = 8,
                    max_order: int = 2, frame: str = "morlet", padding: str = "reflect", normalize: str = "peak",
                    subsampling: int = 0, oversampling: int = 0, rotation: str | None = None,
                    scale: str | None = None, compression: float | str | None = 0.5,
                    slant: float | None = None,
                    rotation_window: float = 22.5) -> ScatteringPlan:
    """Build the filters, low-pass matrices and output layout of a scattering transform.

    Parameters
    ----------
    image_shape : (height, width)
    n_scales : int, default=2
        J: wavelet scales j = 0 … J−1; outputs are sampled every 2^J pixels.
    n_orientations : int, default=8
        L orientations kπ/L per scale, in both layers.
    max_order : {1, 2}, default=2
    padding : {"reflect", "symmetric", "zero", "periodic"}, default="reflect"
        Boundary handling: pad by at least 2^J pixels per side (cropped from the
        output), or treat the image as periodic (sides divisible by 2^J).
    normalize : {"peak", "tight"}, default="peak"
        Unit-peak Morlet filters (Kymatio's gains) or wavelets divided by √A so
        that the bank's Littlewood–Paley sum is 1 (see :class:`~sklearn_sparsecode.MorletTransformer`).
        The averaging φ is the Gaussian in both cases.
    subsampling : int, default=0
        The moduli |x⋆ψ_j| are computed every 2^(j + subsampling) pixels
        (clipped to [1, 2^(J − oversampling)]); 0 is Kymatio's choice, 1 halves
        every grid (4x fewer samples), −1 doubles them.
    oversampling : int, default=0
        Outputs every 2^(J − oversampling) pixels instead of every 2^J (φ keeps
        its width 2^J): denser grids for small images (8 x 8 digits).
    rotation : {None, "average", "fourier", "roto-translation"}, default=None
        Orientation invariants per path: the mean over θ1 (order 2: with
        Δ = θ2 − θ1 fixed, the joint rotation), the modulus of the DFT over
        θ1 (frequencies 0 … L/2, a rotation-invariant but more selective code),
        or the roto-translation orbit average (Sifre & Mallat 2013): every map
        averaged over the rotations of the image within ``rotation_window``,
        rotation acting jointly on position (about the image centre) and on
        the orientations (θ1, θ2) of the path; same layout and names as None.
    scale : {None, "average"}, default=None
        Average over j1 (order 2: with j2 − j1 fixed).
    compression : None, "log" or float in (0, 1], default=0.5
        Applied to orders ≥ 1 after averaging: a power (0.5 is the square
        root) or log(1 + S/0.01). Helps a linear head.
    slant : float or None, default=None
        Envelope aspect ratio of the Morlet filters; None is 4/L.
    rotation_window : float in [0, 180], default=22.5
        With ``rotation="roto-translation"``: the half-width, in degrees, of the
        window of rotations (steps of 180/L degrees, triangular weights); 180
        averages over the whole circle (invariant to rotations by multiples of
        180/L degrees), 0 keeps the plain maps on a grid centred on the image.

    Returns
    -------
    plan : ScatteringPlan
        ``plan.bands``: order 0, order 1 by (j1, θ1), order 2 by (j1, θ1, j2, θ2)
        (after the invariants, when any).

    Examples
    --------
    >>> from sklearn_sparsecode.scattering import plan_scattering
    >>> plan = plan_scattering((28, 28), n_scales=2, n_orientations=8)
    >>> plan.out_shape, plan.n_raw_paths, plan.n_features
    ((7, 7), 81, 3969)
    """
    shape = _checked_geometry(image_shape, n_scales, padding, oversampling)
    if frame == "curvelet" and (rotation or scale):
        raise ValueError("rotation and scale invariants need the same orientations at "
                         "every scale: use frame='morlet' with them.")
    J, L = int(n_scales), int(n_orientations)
    step = 2**J
    if padding == "periodic":
        pads = ((0, 0), (0, 0))
    else:  # at least 2^J on each side, total a multiple of 2^J, as many on each side
        pads = tuple((step, -(-(s + 2 * step) // step) * step - s - step) for s in shape)
    padded = (shape[0] + sum(pads[0]), shape[1] + sum(pads[1]))
    out_level = J - int(oversampling)  # outputs every 2^out_level pixels
    out_shape = (-(-shape[0] // 2**out_level), -(-shape[1] // 2**out_level))
    res1 = {j: min(max(j + subsampling, 0), out_level) for j in range(J)}
    res2 = {j2: {j1: min(max(j2 + subsampling, res1[j1]), out_level) for j1 in range(j2)}
            for j2 in range(J)}
    needed = {0} | set(res1.values()) | {r for d in res2.values() for r in d.values()}
    if frame == "curvelet":
        fine_filters, degrees = _curvelet_filters(padded, J, L)
    else:
        fine_filters = morlet_bank(padded, J, L, slant=slant, normalize=normalize)[1]
        degrees = [np.degrees(orientations(L))] * J
    counts = [len(d) for d in degrees]
    grids = {}
    sources = {0} | set(res1.values())  # grids that carry wavelets (the others: φ only)
    for r in sorted(needed):
        grid_shape = (padded[0] >> r, padded[1] >> r)
        offsets = (pads[0][0] >> r, pads[1][0] >> r)
        # Every scale on every grid: the Morlet bank of the grid of stride 2^r for
        # j >= r (its scale j − r); a finer filter (j < r, with subsampling > 1)
        # or a curvelet window is the full-grid filter sampled every 2^r pixels:
        # its spectrum summed over the aliases.
        k = 2**r
        psi = {j: fine_filters[j].reshape(-1, k, grid_shape[0], k, grid_shape[1]).sum(axis=(1, 3))
               for j in range(J)} if r in sources else {}
        if frame != "curvelet" and 0 < r < J and r in sources:
            _, psi_hat = morlet_bank(grid_shape, J - r, L, slant=slant, normalize=normalize)
            psi.update({j: psi_hat[j - r] for j in range(r, J)})
        # φ: the Gaussian of width σ0 2^(J−1) pixels (the bank's low-pass before any
        # tight normalisation), separable, so each low-pass is two small products.
        sigma = SIGMA0 * 2.0 ** (J - 1 - r)
        if rotation == ROTO:  # φ at every pixel of the image, for the orbit average
            lowpass = _lowpass_matrices_at(grid_shape, sigma, [
                (before + np.arange(size)) / k for (before, _), size in zip(pads, shape)])
        else:
            lowpass = _lowpass_matrices(grid_shape, sigma, 2 ** (out_level - r), offsets,
                                        out_shape)
        grids[r] = _Grid(grid_shape, psi, lowpass)
    paths = _raw_paths(counts, max_order)
    # the orbit average keeps the raw paths (θ1, θ2): the groups of rotation=None
    groups = _output_groups(counts, max_order, None if rotation == ROTO else rotation, scale)
    orbit = (OrbitAverage.build(paths, L, shape, out_shape, 2**out_level, rotation_window)
             if rotation == ROTO else None)
    entries = []
    for order, path, name, _ in groups:
        scale_index, angle = path[-1] if path else (J, None)
        orientation = None
        if angle is not None and scale_index is not None and not (
                order == 2 and rotation not in (None, ROTO)):
            orientation = float(degrees[scale_index - 1][angle])
        entries.append(dict(
            scale=J if scale_index is None else scale_index, name=name, shape=out_shape,
            orientation=orientation, lowpass=order == 0, angle=angle, path=path,
            prefix=f"scat_o{order}_{name}", scale_label="level"))
    return ScatteringPlan(shape, J, L, int(max_order), frame, padding, normalize,
                          int(subsampling), int(oversampling), rotation, scale, compression,
                          float(rotation_window), pads, out_shape,
                          tuple(counts), res1, res2, grids, paths, groups,
                          stack_bands(entries), orbit)


def _curvelet_filters(shape, J, L):
    """Undecimated curvelet windows as Fourier filters: J band-pass scales, finest first.

    Curvelet scales 2 … J + 1 of ``CurveletTransformer(n_scales=J + 1,
    n_orientations=1L, decimated=False)``; each stored (one-sided) wedge is a filter
    √2·U, whose modulus is the magnitude of the curvelet's (√2·Re, √2·Im) pair.
    """
    from ..curvelets._windows import build_wedges

    if L < 4 or L % 2:
        raise ValueError(f"frame='curvelet' needs n_orientations even and >= 4 (n_angles = "
                         f"2 n_orientations); got {L}.")
    if min(shape) < 2 ** (J + 2):
        raise ValueError(f"frame='curvelet' with n_scales={J} needs padded images of at least "
                         f"{2 ** (J + 2)} pixels per side; got {shape}.")
    wedges = build_wedges(shape, J + 1, 2 * L, "curvelets", decimated=False)
    filters, degrees = [], []
    for s in range(J + 1, 1, -1):  # finest first: j = J + 1 − s
        at_scale = [w for w in wedges if w.scale == s]
        bank = np.zeros((len(at_scale), shape[0] * shape[1]))
        for i, w in enumerate(at_scale):
            bank[i, w.source] = w.weight * (np.sqrt(2.0) if w.paired else 1.0)
        filters.append(bank.reshape(len(at_scale), *shape))
        degrees.append(np.array([0.0 if w.orientation is None else w.orientation
                                 for w in at_scale]))
    return filters, degrees
