"""Invariants built on the raw scattering paths: averages and angular DFTs over
orientations (joint rotation) and scales, and the compression of orders >= 1.
"""


import numpy as np


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
