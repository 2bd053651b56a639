"""Second-order scattering cascade on an oriented Morlet bank.

For a dyadic bank with low-pass φ (width ∝ 2^J) and wavelets ψ_λ, λ = (j, θ),
the scattering coefficients of an image x are (Mallat 2012; Bruna & Mallat 2013)

    S0 x = x⋆φ,    S1 x(λ1) = |x⋆ψ_λ1|⋆φ,    S2 x(λ1, λ2) = ||x⋆ψ_λ1|⋆ψ_λ2|⋆φ,

sampled every 2^J pixels, over frequency-decreasing paths (j2 > j1: the
modulus |x⋆ψ_λ1| has little energy at frequencies above those of ψ_λ1).

How it is computed (per chunk of images, every step batched over filters):

1. pad (reflect, symmetric, zero) or not (periodic) to a multiple of 2^J;
   one FFT;
2. each |x⋆ψ_{j1,θ}| is computed at stride 2^r1 by periodising the spectrum
   x̂·ψ̂ onto the coarser grid before the inverse FFT — exact sampling of the
   convolution, so the only approximation is how densely the modulus is
   sampled (r1 = j1 + ``subsampling``, clipped to [0, J]);
3. the second layer filters that sampled modulus with ψ_{j2} on its own grid
   (the filters are built on every grid they are used on) and samples at
   stride 2^r2 the same way;
4. the low-pass φ (a Gaussian of width 0.8·2^(J−1) pixels, separable) and the
   output sampling every 2^J pixels (and the crop of the padding) are one
   small real matrix per axis and grid, applied to all moduli of a layer in
   two matrix products.

Arrays are laid out frequencies (or pixels) first and images × filters last,
so that each step is one broadcast product, one batched matrix product or one
FFT call for the whole chunk.

Invariants built on S: averaging (or the modulus of the DFT) over the
orientations of a path, jointly rotated (Sifre & Mallat 2013), and averaging
over scales with the same scale difference.

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
from ._invariants import _output_groups, _raw_paths

FRAMES = ("morlet", "curvelet")
PADDINGS = ("reflect", "symmetric", "zero", "periodic")
ROTATIONS = (None, "average", "fourier")
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
        r -> filters and low-pass matrix of resolution r.
    paths : list of tuple
        Raw paths in output order: (), (j1, θ1), (j1, θ1, j2, θ2).
    bands : list of Band
        Layout of the output after the invariants.
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
    pads: tuple
    out_shape: tuple
    counts: tuple
    res1: dict
    res2: dict
    grids: dict = field(repr=False)
    paths: list = field(repr=False)
    groups: list = field(repr=False)
    bands: list = field(repr=False)
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def n_features(self):
        return self.bands[-1].stop

    @property
    def n_raw_paths(self):
        return len(self.paths)

    def filter_blocks(self, dtype):
        """{(r, j, r_out): filters of scale j on grid r, blocked for sampling at r_out}."""
        key = ("filters", np.dtype(dtype).str)
        if key not in self._cache:
            blocks = {}
            for j1 in range(self.n_scales):
                r1 = self.res1[j1]
                blocks[(0, j1, r1)] = _filter_blocks(self.grids[0].psi[j1], 2**r1, dtype)
                for j2 in range(j1 + 1, self.n_scales):
                    r2 = self.res2[j2][j1]
                    blocks[(r1, j2, r2)] = _filter_blocks(self.grids[r1].psi[j2],
                                                          2 ** (r2 - r1), dtype)
            self._cache[key] = blocks
        return self._cache[key]

    def lowpass_matrices(self, dtype):
        """{r: (h w, M_r N_r) matrix of the low-pass, output sampling and crop}."""
        key = ("lowpass", np.dtype(dtype).str)
        if key not in self._cache:
            self._cache[key] = {r: tuple(np.ascontiguousarray(D, dtype=dtype)
                                         for D in g.lowpass)
                                for r, g in self.grids.items()}
        return self._cache[key]


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


SCATTERING_CONSTRAINTS = {
    "n_scales": [Interval(Integral, 1, None, closed="left")],
    "n_orientations": [Interval(Integral, 1, None, closed="left")],
    "max_order": [Interval(Integral, 1, 2, closed="both")],
    "frame": [StrOptions(set(FRAMES))],
    "padding": [StrOptions(set(PADDINGS))],
    "normalize": [StrOptions({"peak", "tight"})],
    "subsampling": [Interval(Integral, None, None, closed="neither")],
    "oversampling": [Interval(Integral, 0, None, closed="left")],
    "rotation": [StrOptions({"average", "fourier"}), None],
    "scale": [StrOptions({"average"}), None],
    "compression": [StrOptions({"log"}), Interval(Real, 0, 1, closed="right"), None],
    "slant": [Interval(Real, 0, None, closed="neither"), None],
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
                    slant: float | None = None) -> ScatteringPlan:
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
    rotation : {None, "average", "fourier"}, default=None
        Orientation invariants per path: the mean over θ1 (order 2: with
        Δ = θ2 − θ1 fixed, the joint rotation), or the modulus of the DFT over
        θ1 (frequencies 0 … L/2, a rotation-invariant but more selective code).
    scale : {None, "average"}, default=None
        Average over j1 (order 2: with j2 − j1 fixed).
    compression : None, "log" or float in (0, 1], default=0.5
        Applied to orders ≥ 1 after averaging: a power (0.5 is the square
        root) or log(1 + S/0.01). Helps a linear head.
    slant : float or None, default=None
        Envelope aspect ratio of the Morlet filters; None is 4/L.

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
        degrees = [np.degrees(orientations(L))] * J
    counts = [len(d) for d in degrees]
    grids = {}
    for r in sorted(needed):
        grid_shape = (padded[0] >> r, padded[1] >> r)
        offsets = (pads[0][0] >> r, pads[1][0] >> r)
        if frame == "curvelet":  # the windows of the full grid, periodised onto this one
            k = 2**r
            psi = {j: fine_filters[j].reshape(-1, k, grid_shape[0], k, grid_shape[1]).sum(
                axis=(1, 3)) for j in range(r, J)}
        elif r < J:  # the Morlet bank of a grid of stride 2^r: scale j is its scale j − r
            _, psi_hat = morlet_bank(grid_shape, J - r, L, slant=slant, normalize=normalize)
            psi = {j: psi_hat[j - r] for j in range(r, J)}
        else:  # only the low-pass lives on the output grid itself
            psi = {}
        # φ: the Gaussian of width σ0 2^(J−1) pixels (the bank's low-pass before any
        # tight normalisation), separable, so each low-pass is two small products.
        grids[r] = _Grid(grid_shape, psi, _lowpass_matrices(
            grid_shape, SIGMA0 * 2.0 ** (J - 1 - r), 2 ** (out_level - r), offsets, out_shape))
    paths = _raw_paths(counts, max_order)
    groups = _output_groups(counts, max_order, rotation, scale)
    entries = []
    for order, path, name, _ in groups:
        scale_index, angle = path[-1] if path else (J, None)
        orientation = None
        if angle is not None and scale_index is not None and not (order == 2 and rotation):
            orientation = float(degrees[scale_index - 1][angle])
        entries.append(dict(
            scale=J if scale_index is None else scale_index, name=name, shape=out_shape,
            orientation=orientation, lowpass=order == 0, angle=angle, path=path,
            prefix=f"scat_o{order}_{name}", scale_label="level"))
    return ScatteringPlan(shape, J, L, int(max_order), frame, padding, normalize,
                          int(subsampling), int(oversampling), rotation, scale, compression,
                          pads, out_shape,
                          tuple(counts), res1, res2, grids, paths, groups,
                          stack_bands(entries))


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


def _filter_blocks(filters, k, dtype):
    """(C, M, N) real filters → (M/k · N/k, C, k²), scaled by 1/k² (see _filtered_modulus)."""
    C, M, N = filters.shape
    blocks = filters.reshape(C, k, M // k, k, N // k).transpose(2, 4, 0, 1, 3)
    return np.ascontiguousarray(blocks.reshape((M // k) * (N // k), C, k * k) / (k * k),
                                dtype=dtype)
