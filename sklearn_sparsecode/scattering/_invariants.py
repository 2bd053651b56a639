"""Invariants built on the raw scattering paths: averages and angular DFTs over
orientations (joint rotation) and scales, the roto-translation orbit average, and
the compression of orders >= 1.

Roto-translation invariance (``rotation="roto-translation"``)
-------------------------------------------------------------
Both layers of the cascade are equivariant to rotations of the image by
multiples of π/L about its centre c: with R_m the rotation by mπ/L,

    U1(R_m x)(u, θ1) = U1 x(R_−m u, θ1 − m),
    U2(R_m x)(u, θ1, θ2) = U2 x(R_−m u, θ1 − m, θ2 − m),

because the second-layer wavelet of path (θ1, θ2) is the wavelet of (0, θ2 − θ1)
rotated by θ1 (Sifre & Mallat's roto-translation convolution, here with a Dirac
along the angle). A scattering map F (φ-averaged, every pixel) is thus a
function on the rigid-motion group, rotation acting *jointly* on the position u
and the orientation index θ1. The orbit average

    S_w x(u, θ) = Σ_{|m| ≤ s} w_m F x(R_−m u, θ − m)

is a convolution along that joint action (position and angle together) over a
window of rotations (s = ``rotation_window`` / (180°/L) steps; the whole circle,
2L rotations, for 180°): S_w(R_t x)(u, θ) is S_w x shifted by t along the same
orbit, so a window of ±s steps makes S_w stable to rotations smaller than it
and the whole circle makes it invariant to rotations by multiples of π/L (up to
the sampling of the maps: exactly for quarter turns of square images whose
maps are computed at full resolution, ``subsampling=-n_scales``). Unlike
averaging over θ1 at a fixed position (``rotation="average"``), nothing of the
angular structure is averaged away that a rotation does not move: the feature
at (u, θ) still says "orientation θ at position u", averaged over the rotated
copies of the image.

The positions R_−m u fall between the pixels: F is computed at every pixel
(the cascade's low-pass, φ, sampled at every pixel of the image) and read by
bilinear interpolation, zero outside the image (where a rotated image, as
``scipy.ndimage.rotate`` makes it, has no content). The whole average is one
sparse matrix from the dense maps of all raw paths to the output grid, which is
symmetric about the image centre (every 2^(J − oversampling) pixels).

.. [1] L. Sifre and S. Mallat, "Rotation, scaling and deformation invariant
   scattering for texture discrimination", CVPR 2013.
.. [2] L. Sifre and S. Mallat, "Rigid-motion scattering for texture
   classification", arXiv:1403.1687, 2014.
"""

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse

ROTO = "roto-translation"


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


def rotation_steps(rotation_window, n_orientations):
    """Rotations m (in steps of π/L) of the orbit average and their weights.

    ``rotation_window`` in degrees: every m with |m| (180/L) <= window (rounded to
    whole steps), triangular weights (s + 1 − |m|) that fall to zero beyond the
    window; 180 (or a window of L steps or more) is the whole circle, 2L distinct
    rotations with equal weights.
    """
    L = int(n_orientations)
    s = int(np.floor(rotation_window * L / 180.0 + 1e-9))
    if s >= L:
        steps = np.arange(-L + 1, L + 1)
        weights = np.ones(len(steps))
    else:
        steps = np.arange(-s, s + 1)
        weights = (s + 1 - np.abs(steps)).astype(float)
    return steps, weights / weights.sum()


def _bilinear(rows, cols, shape):
    """Flat indices (P, 4) and weights (P, 4) of bilinear interpolation at (rows, cols);
    corners outside the image get weight zero."""
    H, W = shape
    r0, c0 = np.floor(rows), np.floor(cols)
    fr, fc = rows - r0, cols - c0
    r0, c0 = r0.astype(np.intp), c0.astype(np.intp)
    index, weight = [], []
    for dr, dc, w in ((0, 0, (1 - fr) * (1 - fc)), (1, 0, fr * (1 - fc)),
                      (0, 1, (1 - fr) * fc), (1, 1, fr * fc)):
        r, c = r0 + dr, c0 + dc
        inside = (r >= 0) & (r < H) & (c >= 0) & (c < W)
        index.append(np.where(inside, np.clip(r, 0, H - 1) * W + np.clip(c, 0, W - 1), 0))
        weight.append(np.where(inside, w, 0.0))
    return np.stack(index, axis=-1), np.stack(weight, axis=-1)


def output_positions(image_shape, out_shape, step):
    """Output grid of the orbit average: every ``step`` pixels, symmetric about the centre."""
    return tuple(((size - 1) / 2 + step * (np.arange(count) - (count - 1) / 2))
                 for size, count in zip(image_shape, out_shape))


def path_rotation(paths, L, m):
    """Index of the raw path (j1, θ1 − m, j2, θ2 − m) for every raw path (j1, θ1, j2, θ2)."""
    index = {p: i for i, p in enumerate(paths)}
    moved = []
    for p in paths:
        q = tuple((v - m) % L if i % 2 else v for i, v in enumerate(p))
        moved.append(index[q])
    return np.array(moved)


@dataclass(eq=False)
class OrbitAverage:
    """The roto-translation orbit average as one sparse matrix (see the module notes).

    ``matrix`` maps the dense raw maps of a chunk, ``(n_paths · H · W)`` per
    image, to ``(n_paths · h · w)``: for every rotation m of the window, the
    bilinear reading at R_−m u of path (θ1 − m, θ2 − m), weighted.
    """

    image_shape: tuple
    out_shape: tuple
    steps: np.ndarray
    weights: np.ndarray
    matrix: scipy.sparse.csr_matrix = field(repr=False)
    _cache: dict = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, paths, L, image_shape, out_shape, step, rotation_window):
        H, W = image_shape
        steps, weights = rotation_steps(rotation_window, L)
        rows, cols = output_positions(image_shape, out_shape, step)
        rows, cols = np.meshgrid(rows, cols, indexing="ij")
        centre = ((H - 1) / 2, (W - 1) / 2)
        dr, dc = (rows - centre[0]).ravel(), (cols - centre[1]).ravel()
        P, hw, HW = len(paths), dr.size, H * W
        data, row_index, col_index = [], [], []
        out_rows = np.arange(P)[:, None, None] * hw + np.arange(hw)[None, :, None]
        for m, wm in zip(steps, weights):
            a = m * np.pi / L
            # R_−m u about the centre (row index down, orientations counter-clockwise)
            pr = centre[0] + np.cos(a) * dr + np.sin(a) * dc
            pc = centre[1] - np.sin(a) * dr + np.cos(a) * dc
            index, weight = _bilinear(pr, pc, image_shape)              # (hw, 4)
            source = path_rotation(paths, L, m)                          # (P,)
            cols_m = source[:, None, None] * HW + index[None]            # (P, hw, 4)
            data.append(np.broadcast_to(wm * weight[None], cols_m.shape).ravel())
            row_index.append(np.broadcast_to(out_rows, cols_m.shape).ravel())
            col_index.append(cols_m.ravel())
        matrix = scipy.sparse.csr_matrix(
            (np.concatenate(data), (np.concatenate(row_index), np.concatenate(col_index))),
            shape=(P * hw, P * HW))
        matrix.sum_duplicates()
        matrix.eliminate_zeros()
        return cls(tuple(image_shape), tuple(out_shape), steps, weights, matrix)

    def __call__(self, dense):
        """(n, n_paths, H W) → (n, n_paths, h w), in the dtype of ``dense``."""
        n, P = dense.shape[:2]
        dtype = dense.dtype
        if dtype not in self._cache:
            self._cache[dtype] = self.matrix.astype(dtype)
        matrix = self._cache[dtype]
        flat = dense.reshape(n, -1)
        out = np.empty((n, matrix.shape[0]), dtype)
        for i in range(n):  # one sparse product per image: no transposed copy of the maps
            out[i] = matrix @ flat[i]
        return out.reshape(n, P, -1)


def _finish_chunk(raw, out, plan):
    """Invariants (orbit average, orientation/scale averaging, DFT), compression, into ``out``."""
    if plan.rotation == ROTO:
        raw = plan.orbit(raw)
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
