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
import scipy.fft
from numpy.typing import ArrayLike

from sklearn.utils._param_validation import StrOptions

from ._bands import stack_bands
from ._base import MultiscaleTransformer, run_forward
from ._morlet_filters import SIGMA0, morlet_bank, orientations
from ._validation import Interval, check_batch, work_dtype

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


def _apply_lowpass(U, matrices):
    """(M, N, X) maps → (h w, X): D_rows U D_colsᵀ for every column of X."""
    rows, cols = matrices
    M, N, X = U.shape
    h, w = rows.shape[0], cols.shape[0]
    half = (rows @ U.reshape(M, N * X)).reshape(h, N, X)           # (h, N, X)
    out = cols @ half.transpose(1, 0, 2).reshape(N, h * X)          # (w, h X)
    return out.reshape(w, h, X).transpose(1, 0, 2).reshape(h * w, X)


def _check_choice(value, name, choices):
    if value not in choices:
        raise ValueError(f"{name} must be one of {choices}; got {value!r}.")


def _check_scattering_params(image_shape, n_scales, n_orientations, max_order, padding,
                             normalize, subsampling, rotation, scale, compression, slant,
                             oversampling=0):
    for name, value, low in (("n_scales", n_scales, 1), ("n_orientations", n_orientations, 1),
                             ("max_order", max_order, 1)):
        if isinstance(value, bool) or not isinstance(value, Integral):
            raise TypeError(f"{name} must be an int; got {type(value).__name__}.")
        if value < low:
            raise ValueError(f"{name} must be >= {low}; got {value}.")
    if max_order > 2:
        raise ValueError(f"max_order must be 1 or 2; got {max_order}.")
    if isinstance(subsampling, bool) or not isinstance(subsampling, Integral):
        raise TypeError(f"subsampling must be an int; got {type(subsampling).__name__}.")
    if isinstance(oversampling, bool) or not isinstance(oversampling, Integral):
        raise TypeError(f"oversampling must be an int; got {type(oversampling).__name__}.")
    if not 0 <= oversampling <= n_scales:
        raise ValueError(f"oversampling must be in [0, n_scales={n_scales}]; got {oversampling}.")
    _check_choice(padding, "padding", PADDINGS)
    _check_choice(normalize, "normalize", ("peak", "tight"))
    _check_choice(rotation, "rotation", ROTATIONS)
    _check_choice(scale, "scale", SCALES)
    if compression is not None and compression != "log":
        if isinstance(compression, bool) or not isinstance(compression, Real):
            raise TypeError(f"compression must be None, 'log' or a float; got {compression!r}.")
        if not 0 < compression <= 1:
            raise ValueError(f"compression (a power) must be in (0, 1]; got {compression}.")
    if slant is not None and (isinstance(slant, bool) or not isinstance(slant, Real)
                              or not slant > 0):
        raise ValueError(f"slant must be a positive float or None; got {slant!r}.")
    shape = tuple(int(s) for s in image_shape)
    if len(shape) != 2:
        raise ValueError(f"image_shape must be (height, width); got {image_shape!r}.")
    step = 2**n_scales
    if padding == "periodic" and (shape[0] % step or shape[1] % step):
        raise ValueError(
            f"padding='periodic' needs image sides divisible by 2^n_scales = {step}; got "
            f"{shape[0]}x{shape[1]}. Use padding='reflect' or fewer scales.")
    if min(shape) < step:
        raise ValueError(f"Images of {shape[0]}x{shape[1]} are too small for n_scales="
                         f"{n_scales}: each side needs at least 2^n_scales = {step} pixels.")
    return shape


def _raw_paths(counts, max_order):
    """Paths in output order; ``counts[j]`` orientations at scale j (0 = finest)."""
    J = len(counts)
    paths = [()]
    paths += [(j1, t1) for j1 in range(J) for t1 in range(counts[j1])]
    if max_order == 2:
        paths += [(j1, t1, j2, t2) for j1 in range(J) for t1 in range(counts[j1])
                  for j2 in range(j1 + 1, J) for t2 in range(counts[j2])]
    return paths


def _output_groups(counts, max_order, rotation, scale):
    """Output channels as (order, path fields, name) with the raw paths they combine.

    Each group is (order, path, name, combine) where ``combine`` is
    ("raw", index) or (op, [indices...]) on the raw path list.
    """
    index = {p: i for i, p in enumerate(_raw_paths(counts, max_order))}
    groups = [(0, (), "lowpass", ("raw", [0]))]
    J, L = len(counts), counts[0]
    if rotation is None and scale is None:
        for path in index:
            if len(path) == 2:
                groups.append((1, ((path[0] + 1, path[1]),), f"s{path[0] + 1}_a{path[1]}",
                               ("raw", [index[path]])))
            elif len(path) == 4:
                groups.append((2, ((path[0] + 1, path[1]), (path[2] + 1, path[3])),
                               f"s{path[0] + 1}_a{path[1]}_s{path[2] + 1}_a{path[3]}",
                               ("raw", [index[path]])))
        return groups
    n_freq = L // 2 + 1

    # order 1: key = j1 (or None when averaged over scales)
    scales1 = [None] if scale == "average" else list(range(J))
    order1 = []
    for j in scales1:
        js = range(J) if j is None else [j]
        # members in θ1 order; scale averaging groups every j with the same θ1
        members = [[index[(jj, t)] for jj in js] for t in range(L)]
        order1.append((j, members))
    for key, members in order1:
        lvl = "savg" if key is None else f"s{key + 1}"
        if rotation is None:
            for t in range(L):
                groups.append((1, ((None if key is None else key + 1, t),), f"{lvl}_a{t}",
                               ("mean", members[t])))
        elif rotation == "average":
            groups.append((1, ((None if key is None else key + 1, None),), f"{lvl}_avg",
                           ("mean", [i for m in members for i in m])))
        else:
            for q in range(n_freq):
                groups.append((1, ((None if key is None else key + 1, None),), f"{lvl}_q{q}",
                               ("dft", members, q)))
    if max_order < 2:
        return groups
    # order 2: joint rotation keeps Δ = θ2 − θ1 (mod L); scale averaging keeps j2 − j1.
    pairs = sorted({(j1, j2) for j1 in range(J) for j2 in range(j1 + 1, J)})
    keys = sorted({j2 - j1 for j1, j2 in pairs}) if scale == "average" else pairs
    for key in keys:
        chosen = [p for p in pairs if (p[1] - p[0] == key if scale == "average" else p == key)]
        if scale == "average":
            lvl, path_scales = f"dj{key}", (None, None)
        else:
            lvl, path_scales = f"s{key[0] + 1}_s{key[1] + 1}", (key[0] + 1, key[1] + 1)
        if rotation is None:
            for t1 in range(L):
                for t2 in range(L):
                    members = [index[(j1, t1, j2, t2)] for j1, j2 in chosen]
                    groups.append((2, ((path_scales[0], t1), (path_scales[1], t2)),
                                   f"{lvl}_a{t1}_a{t2}", ("mean", members)))
        else:
            for delta in range(L):
                members = [[index[(j1, t1, j2, (t1 + delta) % L)] for j1, j2 in chosen]
                           for t1 in range(L)]
                if rotation == "average":
                    groups.append((2, ((path_scales[0], None), (path_scales[1], delta)),
                                   f"{lvl}_d{delta}_avg",
                                   ("mean", [i for m in members for i in m])))
                else:
                    for q in range(n_freq):
                        groups.append((2, ((path_scales[0], None), (path_scales[1], delta)),
                                       f"{lvl}_d{delta}_q{q}", ("dft", members, q)))
    return groups


def plan_scattering(image_shape: tuple[int, int], n_scales: int = 2, n_orientations: int = 8,
                    max_order: int = 2, *, frame: str = "morlet", padding: str = "reflect", normalize: str = "peak",
                    subsampling: int = 0, oversampling: int = 0, rotation: str | None = None,
                    scale: str | None = None, compression: float | str | None = None,
                    slant: float | None = None) -> ScatteringPlan:
    """Build the filters, low-pass matrices and output layout of a scattering transform.

    Parameters are those of :func:`scattering_transform`.

    Returns
    -------
    plan : ScatteringPlan

    Examples
    --------
    >>> from sklearn_sparsecode import plan_scattering
    >>> plan = plan_scattering((28, 28), n_scales=2, n_orientations=8)
    >>> plan.out_shape, plan.n_raw_paths, plan.n_features
    ((7, 7), 81, 3969)
    """
    shape = _check_scattering_params(image_shape, n_scales, n_orientations, max_order,
                                     padding, normalize, subsampling, rotation, scale,
                                     compression, slant, oversampling)
    _check_choice(frame, "frame", FRAMES)
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
    n_angles=2L, decimated=False)``; each stored (one-sided) wedge is a filter
    √2·U, whose modulus is the magnitude of the curvelet's (√2·Re, √2·Im) pair.
    """
    from ._curvelet_windows import build_wedges

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


def _blocks(A, k):
    """(M, N, X) → (M/k · N/k, k², X): the k × k aliases of each coarse frequency."""
    M, N = A.shape[0] // k, A.shape[1] // k
    return A.reshape(k, M, k, N, -1).transpose(1, 3, 0, 2, 4).reshape(M * N, k * k, -1)


def _filter_blocks(filters, k, dtype):
    """(C, M, N) real filters → (M/k · N/k, C, k²), scaled by 1/k² (see _filtered_modulus)."""
    C, M, N = filters.shape
    blocks = filters.reshape(C, k, M // k, k, N // k).transpose(2, 4, 0, 1, 3)
    return np.ascontiguousarray(blocks.reshape((M // k) * (N // k), C, k * k) / (k * k),
                                dtype=dtype)


def _filtered_modulus(spectrum, filter_blocks, k):
    """|x⋆ψ| sampled every k pixels, for every filter and every column of ``spectrum``.

    ``spectrum`` is (M, N, X) complex (frequencies first); the result is
    (M/k, N/k, C, X) real. Sampling a convolution every k pixels is the inverse
    FFT, on the coarse grid, of its spectrum summed over the k × k aliases of
    each frequency (divided by k²); that sum of products is one real matrix
    product per coarse frequency: (C, k²) filters times (k², 2X) re/im parts.
    """
    M, N, X = spectrum.shape
    if k == 1:  # no aliases: a plain broadcast product
        Z = filter_blocks.reshape(M, N, -1, 1) * spectrum[:, :, None, :]
        return np.abs(scipy.fft.ifft2(Z, axes=(0, 1), workers=1, overwrite_x=True))
    M1, N1 = M // k, N // k
    real = filter_blocks.dtype
    blocks = _blocks(spectrum, k).view(real)  # (M1 N1, k², 2X): interleaved re, im
    Z = np.matmul(filter_blocks, blocks)       # (M1 N1, C, 2X)
    Z = Z.view(spectrum.dtype).reshape(M1, N1, -1, X)
    return np.abs(scipy.fft.ifft2(Z, axes=(0, 1), workers=1, overwrite_x=True))


def _raw_chunk(X, plan):
    """Raw scattering coefficients (n, n_paths, h * w) of a chunk of images.

    Everything is laid out frequencies (or pixels) first, images and filters
    last, so that each filtering step and each low-pass is one matrix product.
    """
    n = len(X)
    J, counts = plan.n_scales, plan.counts
    real = X.dtype
    complex_dtype = np.result_type(real, np.complex64)
    if plan.padding != "periodic":
        mode = {"zero": "constant"}.get(plan.padding, plan.padding)
        X = np.pad(X, ((0, 0),) + plan.pads, mode=mode)
    hw = plan.out_shape[0] * plan.out_shape[1]
    x = np.ascontiguousarray(X.transpose(1, 2, 0))  # (M, N, n)
    M, N = x.shape[:2]
    filters = plan.filter_blocks(real)
    lowpass = plan.lowpass_matrices(real)
    orders = [_apply_lowpass(x, lowpass[0])]  # (hw, n)
    spectrum = scipy.fft.fft2(x, axes=(0, 1), workers=1).astype(complex_dtype, copy=False)
    order1, order2 = [], []
    for j1 in range(J):
        r1 = plan.res1[j1]
        L1 = counts[j1]
        U1 = _filtered_modulus(spectrum, filters[(0, j1, r1)], 2**r1)  # (M1, N1, L1, n)
        M1, N1 = U1.shape[:2]
        order1.append(_apply_lowpass(U1.reshape(M1, N1, -1), lowpass[r1]).reshape(hw, L1, n))
        if plan.max_order < 2 or j1 == J - 1:
            continue
        U1_hat = scipy.fft.fft2(U1.reshape(M1, N1, L1 * n), axes=(0, 1), workers=1)
        per_j2 = []
        for j2 in range(j1 + 1, J):
            r2 = plan.res2[j2][j1]
            U2 = _filtered_modulus(U1_hat, filters[(r1, j2, r2)], 2 ** (r2 - r1))
            M2, N2 = U2.shape[:2]  # U2: (M2, N2, L2, L1 * n)
            S2 = _apply_lowpass(U2.reshape(M2, N2, -1), lowpass[r2]).reshape(
                hw, counts[j2], L1, n)
            per_j2.append(S2.transpose(0, 2, 1, 3))  # (hw, θ1, θ2, n)
        # raw order (j1, θ1, j2, θ2): θ2 of every j2 inside each θ1
        order2.append(np.concatenate(per_j2, axis=2).reshape(hw, -1, n))
    raw = np.concatenate([orders[0][:, None]] + order1 + order2, axis=1)  # (hw, paths, n)
    return np.ascontiguousarray(raw.transpose(2, 1, 0))


def _finish_chunk(raw, out, plan):
    """Invariants (orientation/scale averaging, DFT), compression, into ``out``."""
    n = len(raw)
    hw = raw.shape[2]
    blocks = out.reshape(n, -1, hw)
    for k, (order, _, _, combine) in enumerate(plan.groups):
        op = combine[0]
        if op == "raw":
            values = raw[:, combine[1][0]]
        elif op == "mean":
            values = raw[:, combine[1]].mean(axis=1)
        else:  # modulus of the DFT over θ1 at frequency q (of the scale-averaged paths)
            members, q = combine[1], combine[2]
            stacked = np.stack([raw[:, m].mean(axis=1) for m in members], axis=1)
            L = len(members)
            phase = np.exp(-2j * np.pi * q * np.arange(L) / L).astype(
                np.result_type(raw.dtype, np.complex64))
            values = np.abs(np.tensordot(stacked, phase, axes=([1], [0]))) / L
        if order > 0 and plan.compression is not None:
            values = np.maximum(values, 0)
            values = (np.log1p(values / 0.01) if plan.compression == "log"
                      else values ** plan.compression)
        blocks[:, k] = values


def _row_bytes(plan, itemsize):
    """Working memory of one image: the padded spectrum, the filtered spectra of
    the widest layer (complex, with their moduli), the raw output."""
    padded = plan.grids[0].shape[0] * plan.grids[0].shape[1]
    L = max(plan.counts)
    layer = max(L * padded, L * L * padded // 4 ** max(plan.res1[0], 0)
                if plan.max_order == 2 else 0)
    return itemsize * (4 * padded + 6 * layer
                       + 2 * plan.n_raw_paths * plan.out_shape[0] * plan.out_shape[1])


def _forward(plan, X, out):
    raw = _raw_chunk(X, plan)
    if plan.rotation is None and plan.scale is None and plan.compression is None:
        out[:] = raw.reshape(len(X), -1)
    else:
        _finish_chunk(raw, out, plan)


def scattering_transform(X: ArrayLike, n_scales: int = 2, n_orientations: int = 8,
                         max_order: int = 2, *, padding: str = "reflect",
                         normalize: str = "peak", subsampling: int = 0,
                         oversampling: int = 0, rotation: str | None = None, scale: str | None = None,
                         compression: float | str | None = None, slant: float | None = None,
                         plan: ScatteringPlan | None = None, batch_size: int | None = None,
                         n_jobs: int | None = None, verbose: int = 0) -> np.ndarray:
    """Scattering coefficients of orders 0 to ``max_order`` of a batch of images.

    Parameters
    ----------
    X : array-like of shape (n_samples, height, width)
        Real images; float32 is kept (float32 FFTs).
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
        that the bank's Littlewood–Paley sum is 1 (see :class:`MorletTransformer`).
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
    compression : None, "log" or float in (0, 1], default=None
        Applied to orders ≥ 1 after averaging: a power (0.5 is the square
        root) or log(1 + S/0.01). Helps a linear head.
    slant : float or None, default=None
        Envelope aspect ratio of the Morlet filters; None is 4/L.
    plan : ScatteringPlan or None
        From :func:`plan_scattering`; the parameters above are then ignored.
    batch_size, n_jobs, verbose :
        Images per chunk (None: from ``working_memory``), threads over chunks,
        progress lines.

    Returns
    -------
    S : ndarray of shape (n_samples, n_features)
        Blocks of ``plan.out_shape`` laid out as ``plan.bands`` says: order 0,
        order 1 by (j1, θ1), order 2 by (j1, θ1, j2, θ2), Kymatio's order.

    References
    ----------
    .. [1] J. Bruna and S. Mallat, "Invariant scattering convolution networks",
       IEEE TPAMI 35(8), 2013.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_sparsecode import scattering_transform
    >>> X = np.random.default_rng(0).random((3, 28, 28)).astype(np.float32)
    >>> S = scattering_transform(X, n_scales=2, n_orientations=8)
    >>> S.shape, S.dtype
    ((3, 3969), dtype('float32'))
    """
    X = check_batch(X, name="scattering_transform", ndims=(3,))
    if plan is None:
        plan = plan_scattering(X.shape[1:], n_scales, n_orientations, max_order,
                               padding=padding, normalize=normalize, subsampling=subsampling,
                               oversampling=oversampling,
                               rotation=rotation, scale=scale, compression=compression,
                               slant=slant)
    elif not isinstance(plan, ScatteringPlan):
        raise TypeError(f"plan must be a ScatteringPlan; got {type(plan).__name__}.")
    if tuple(X.shape[1:]) != plan.image_shape:
        raise ValueError(f"The plan is for {plan.image_shape} images; got {X.shape[1:]}.")
    return run_forward(_forward, plan, X, plan.n_features, batch_size=batch_size,
                       n_jobs=n_jobs, verbose=verbose, uses_blas=True,
                       row_bytes=_row_bytes(plan, work_dtype(X.dtype).itemsize),
                       label="scattering_transform")


class ScatteringTransformer(MultiscaleTransformer):
    """Scattering coefficients of orders 0 to 2 (Mallat 2012) as a transformer.

    S0 = x⋆φ, S1 = |x⋆ψλ1|⋆φ and S2 = ||x⋆ψλ1|⋆ψλ2|⋆φ over frequency-decreasing
    paths, sampled every 2^J pixels: a fixed, translation-stable and
    deformation-stable representation for a linear or kernel head. The
    wavelets are an oriented Morlet bank (Bruna & Mallat 2013; the filters of
    Kymatio's ``Scattering2D``, built here in the Fourier domain) or this
    package's undecimated curvelet windows. See :func:`scattering_transform`
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
    rotation : {None, "average", "fourier"}, default=None
        Orientation invariants: mean over θ1 (θ2 − θ1 fixed) or modulus of the
        DFT over θ1 (Sifre & Mallat 2013).
    scale : {None, "average"}, default=None
        Mean over j1 (j2 − j1 fixed).
    compression : None, "log" or float in (0, 1], default=0.5
        Power (0.5: square root) or log(1 + S/0.01) of orders ≥ 1, for linear heads.
    slant : float or None, default=None
        Morlet envelope aspect ratio; None is 4/L.
    image_shape : tuple (height, width) or None, default=None
        Image shape when X is 2-D with one flattened image per row.
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
    plan_ : ScatteringPlan
    bands_ : list of Band
        One record per output block (``path`` gives ((scale1, angle1), (scale2,
        angle2)), ``len(path)`` is the order).

    See Also
    --------
    scattering_transform, MorletTransformer, LocalPooling

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
        "n_scales": [Interval(Integral, 1, None, closed="left")],
        "n_orientations": [Interval(Integral, 1, None, closed="left")],
        "max_order": [Interval(Integral, 1, 2, closed="both")],
        "frame": [StrOptions(set(FRAMES))],
        "padding": [StrOptions(set(PADDINGS))],
        "normalize": [StrOptions({"peak", "tight"})],
        "subsampling": [Integral],
        "oversampling": [Interval(Integral, 0, None, closed="left")],
        "rotation": [StrOptions({"average", "fourier"}), None],
        "scale": [StrOptions({"average"}), None],
        "compression": [StrOptions({"log"}), Interval(Real, 0, 1, closed="right"), None],
        "slant": [Interval(Real, 0, None, closed="neither"), None],
        **MultiscaleTransformer._parameter_constraints,
    }
    _images_only = True
    _uses_blas = True  # every filtering step and low-pass is a matrix product

    def __init__(self, *, n_scales=2, n_orientations=8, max_order=2, frame="morlet",
                 padding="reflect", normalize="peak", subsampling=0, oversampling=0,
                 rotation=None,
                 scale=None, compression=0.5, slant=None, image_shape=None, batch_size=None,
                 n_jobs=None, verbose=0):
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
        super().__init__(image_shape=image_shape, batch_size=batch_size, n_jobs=n_jobs,
                         verbose=verbose)

    def _make_plan(self, input_shape):
        return plan_scattering(
            input_shape, self.n_scales, self.n_orientations, self.max_order, frame=self.frame,
            padding=self.padding, normalize=self.normalize, subsampling=self.subsampling,
            oversampling=self.oversampling,
            rotation=self.rotation, scale=self.scale, compression=self.compression,
            slant=self.slant)

    _forward = staticmethod(_forward)

    def _row_bytes(self, itemsize):
        return _row_bytes(self.plan_, itemsize)
