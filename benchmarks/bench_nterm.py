"""n-term approximation of a cartoon image: Fourier vs wavelets vs curvelets.

    python benchmarks/bench_nterm.py [--sizes 256,512] [--seed 0]

Reproduces the comparison behind the curvelet claim (Candès & Donoho 2004: for
piecewise-C² images with C² edges the best n-term squared error decays as n^-1/2
for Fourier, n^-1 for wavelets and n^-2 log³ n for curvelets). Prints the
relative squared error at log-spaced n, the fitted log-log slopes over
n in [N/4000, N/100] (the small-n regime the asymptotics describe) and over the
whole range, and where curvelets cross the best wavelet if they do. Writes
benchmarks/results/bench_nterm.json and nterm.png. Report, don't tune: finite
sizes and pixel-scale anti-aliasing matter a lot here.
"""

import argparse
import time

import numpy as np

from _common import RESULTS, print_table, write_results
from sklearn_sparsecode._nterm import fitted_slope, nterm_errors
from sklearn_sparsecode.datasets import make_cartoon

SYSTEMS = {
    "Fourier": ("fourier", {}),
    "Haar": ("wavelet", {"wavelet": "haar"}),
    "db4": ("wavelet", {"wavelet": "db4"}),
    "sym8": ("wavelet", {"wavelet": "sym8"}),
    "curvelets (8 angles)": ("curvelet", {"n_angles": 8}),
    "curvelets (16 angles)": ("curvelet", {"n_angles": 16}),
    "curvelets (16, wavelets finest)": ("curvelet", {"n_angles": 16, "finest": "wavelets"}),
}


def crossover(ns, a, b):
    """Smallest n from which a < b holds for every larger n in the grid (None if never)."""
    below = np.asarray(a) < np.asarray(b)
    for i in range(len(ns)):
        if below[i:].all():
            return int(ns[i])
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="256,512")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    results, curves = {}, {}
    for size in map(int, args.sizes.split(",")):
        image = make_cartoon(size, random_state=args.seed)
        N = size * size
        ns = np.unique(np.geomspace(N / 4000, N / 8, 20).astype(int))
        small = ns <= N / 100
        rows = []
        for label, (system, params) in SYSTEMS.items():
            tic = time.perf_counter()
            errors = nterm_errors(image, ns, system, **params)
            curves[(size, label)] = (ns, errors)
            rows.append({"system": label,
                         "slope n<=N/100": round(fitted_slope(ns[small], errors[small]), 2),
                         "slope all n": round(fitted_slope(ns, errors), 2),
                         f"err n={ns[len(ns) // 2]}": f"{errors[len(ns) // 2]:.2e}",
                         f"err n={ns[-1]}": f"{errors[-1]:.2e}",
                         "seconds": round(time.perf_counter() - tic, 2)})
        best_wavelet = min(("Haar", "db4", "sym8"), key=lambda w: curves[(size, w)][1][-1])
        for row in rows:
            if row["system"].startswith("curvelets"):
                row["beats best wavelet from n"] = crossover(
                    ns, curves[(size, row["system"])][1], curves[(size, best_wavelet)][1])
            else:
                row["beats best wavelet from n"] = "-"
        print(f"\nCartoon {size}x{size} (seed {args.seed}), relative squared n-term error")
        print_table(rows, list(rows[0]))
        results[str(size)] = {"n": ns.tolist(), "rows": rows,
                              "errors": {label: curves[(size, label)][1].tolist()
                                         for label in SYSTEMS}}
    _plot(curves, RESULTS / "nterm.png")
    write_results("bench_nterm", results)


def _plot(curves, path):
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    sizes = sorted({s for s, _ in curves})
    fig, axes = plt.subplots(1, len(sizes), figsize=(5.5 * len(sizes), 4.5), squeeze=False)
    for ax, size in zip(axes[0], sizes):
        for label in SYSTEMS:
            ns, errors = curves[(size, label)]
            keep = errors > 1e-12
            ax.loglog(ns[keep], errors[keep], marker=".", label=label)
        ax.set_title(f"cartoon {size}x{size}")
        ax.set_xlabel("n (terms kept)")
        ax.set_ylabel("‖x − x_n‖² / ‖x‖²")
        ax.grid(True, which="both", alpha=0.3)
    axes[0][0].legend(fontsize=7)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
