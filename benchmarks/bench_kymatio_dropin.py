"""The Kymatio drop-in beside Kymatio itself and beside the FFT floor, on one thread.

    python benchmarks/bench_kymatio_dropin.py [--kymatio-python kyvenv/bin/python] [--quick]

For 28×28 images (Fashion-MNIST test images, J=2, L=8) and 256×256 random
images (J=3, L=8), float32, one thread (``OMP_NUM_THREADS=1`` etc., set before
numpy is imported; scipy.fft ``workers=1``):

* Kymatio 0.3's numpy ``Scattering2D``, run in its own interpreter (it does not
  import with SciPy >= 1.17) through ``benchmarks/kymatio_worker.py`` on the
  same images: its CPU time (``time.process_time`` of that process) and its
  output;
* ``sklearn_sparsecode.scattering.Scattering2D`` (the drop-in) and
  ``ScatteringTransformer`` (the estimator: same kernels, its own filters and
  padding, orientation convention and square root), CPU time of this process;
* the floor: the CPU time of the FFTs that any exact algorithm must do, at
  their sizes (real forward FFT of the padded image; per scale j1 the L inverse
  FFTs of |x⋆ψ| at stride 2^j1; per j1 with a second layer the L real FFTs of
  those moduli and, per j2 > j1, the L² inverse FFTs of the second layer at
  stride 2^j2), each batched (last axes, out of place), best of 3 short bursts
  per FFT size;
* the same floor timed as one run of all the images' FFTs ("floor, timed as one
  run"): the protocol of the front ends, which are timed as one call on all
  images. On a shared machine short bursts dodge interruptions and cache
  pollution that a one-second run absorbs, so the first floor is the lower
  bound and the second the like-for-like comparison.

The timings alternate (Kymatio, ours, floors) ``--repeat`` times; the best of
each is kept (the machine is shared: the minimum is the least disturbed run),
and ratios are taken within the run. The drop-in's output is compared with
Kymatio's: max |difference| / max |Kymatio|. Writes
benchmarks/results/bench_kymatio_dropin.json and .md (with the load average).
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse
import json
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

import numpy as np
import scipy.fft
from _common import print_table, write_results

from sklearn_sparsecode import ScatteringTransformer
from sklearn_sparsecode.scattering import Scattering2D

HERE = Path(__file__).resolve().parent


def necessary_ffts(shape, J, L, max_order=2):
    """(kind, grid, count per image) of the FFTs any exact algorithm must do."""
    M, N = ((s // 2**J + 2) * 2**J for s in shape)
    ffts = [("rfft2", (M, N), 1)]
    for j1 in range(J):
        ffts.append(("ifft2", (M >> j1, N >> j1), L))
        if max_order == 2 and j1 < J - 1:
            ffts.append(("rfft2", (M >> j1, N >> j1), L))
            ffts += [("ifft2", (M >> j2, N >> j2), L * L) for j2 in range(j1 + 1, J)]
    return ffts


def _fft_calls(shape, J, L, batch_values=2**18):
    rng = np.random.default_rng(0)
    for kind, grid, count in necessary_ffts(shape, J, L):
        batch = max(1, batch_values // (grid[0] * grid[1]))
        if kind == "rfft2":
            a = rng.standard_normal((batch, *grid)).astype(np.float32)
            func = lambda a=a: scipy.fft.rfft2(a, workers=1)
        else:
            a = (rng.standard_normal((batch, *grid))
                 + 1j * rng.standard_normal((batch, *grid))).astype(np.complex64)
            func = lambda a=a: scipy.fft.ifft2(a, workers=1)
        yield func, batch, count


def floor_seconds(shape, J, L, repeat=3):
    """CPU seconds per image of :func:`necessary_ffts`, batched (last axes), best of ``repeat``
    for each FFT size (short bursts: under load they dodge interruptions)."""
    total = 0.0
    for func, batch, count in _fft_calls(shape, J, L):
        func()
        best = np.inf
        for _ in range(repeat):
            tic = time.process_time()
            func()
            best = min(best, time.process_time() - tic)
        total += best / batch * count
    return total


def floor_one_run_seconds(shape, J, L, n):
    """CPU seconds of the same FFTs for ``n`` images timed as one run, the protocol
    of the front ends (one call on all images): under load it absorbs the same
    interference they do."""
    calls = [(func, -(-count * n // batch)) for func, batch, count in _fft_calls(shape, J, L)]
    tic = time.process_time()
    for func, k in calls:
        for _ in range(k):
            func()
    return time.process_time() - tic


def kymatio_run(python, path, out, J, L):
    result = subprocess.run([python, str(HERE / "kymatio_worker.py"), str(path), str(out),
                             "--J", str(J), "--L", str(L), "--batch", "100"],
                            capture_output=True, text=True, check=True, env=os.environ)
    return json.loads(result.stdout.strip().splitlines()[-1])["cpu_seconds"]


def cpu_seconds(func):
    tic = time.process_time()
    func()
    return time.process_time() - tic


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kymatio-python", default="kyvenv/bin/python")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="500 small images, 4 large")
    args = parser.parse_args()
    load_start = os.getloadavg()
    kymatio = Path(args.kymatio_python)
    if not kymatio.exists():
        sys.exit(f"no Kymatio interpreter at {kymatio} (python3 -m venv kyvenv && "
                 f"kyvenv/bin/pip install 'scipy<1.17' kymatio)")

    from sklearn_sparsecode.datasets import load_fashion_mnist

    small = load_fashion_mnist(subset="test", return_X_y=True)[0].astype(np.float32) / 255
    n_small, n_large = (500, 4) if args.quick else (3000, 12)
    cases = [("28x28", small[:n_small], 2),
             ("256x256", np.random.default_rng(0).random((n_large, 256, 256), np.float32), 3)]
    L = 8
    rows, details = [], []
    for label, X, J in cases:
        n = len(X)
        drop_in = Scattering2D(J, X.shape[1:], L=L)
        estimator = ScatteringTransformer(n_scales=J, n_orientations=L).fit(X[:1])
        drop_in(X[:8])
        estimator.transform(X[:8])
        times = {"kymatio": [], "drop-in": [], "estimator": [], "floor": [], "floor-run": []}
        with tempfile.TemporaryDirectory() as tmp:
            images, features = Path(tmp) / "images.npy", Path(tmp) / "features.npy"
            np.save(images, X)
            for _ in range(args.repeat):
                times["kymatio"].append(kymatio_run(str(kymatio), images, features, J, L))
                times["drop-in"].append(cpu_seconds(partial(drop_in, X)))
                times["estimator"].append(cpu_seconds(partial(estimator.transform, X)))
                times["floor"].append(floor_seconds(X.shape[1:], J, L) * n)
                times["floor-run"].append(floor_one_run_seconds(X.shape[1:], J, L, n))
            reference = np.load(features).reshape(n, -1)
        ours = drop_in(X).reshape(n, -1)
        difference = float(np.abs(ours - reference).max() / np.abs(reference).max())
        best = {key: min(value) / n for key, value in times.items()}
        for name in ("kymatio", "drop-in", "estimator", "floor", "floor-run"):
            rows.append({
                "images": label, "n": n, "J": J, "front end": {
                    "kymatio": "Kymatio 0.3 Scattering2D (numpy)",
                    "drop-in": "sklearn_sparsecode.scattering.Scattering2D",
                    "estimator": "ScatteringTransformer()",
                    "floor": "FFT floor (necessary FFTs only)",
                    "floor-run": "FFT floor, timed as one run"}[name],
                "us/image": round(best[name] * 1e6, 1),
                "images/cpu-s": round(1 / best[name], 1),
                "x Kymatio": round(best["kymatio"] / best[name], 2),
                "x floor": round(best[name] / best["floor"], 2),
                "x floor (one run)": round(best[name] / best["floor-run"], 2),
                "max diff / max": (f"{difference:.1e}" if name == "drop-in" else "")})
            print(rows[-1], flush=True)
        details.append({"images": label, "n": n, "J": J, "L": L,
                        "cpu_seconds_per_image": {k: v for k, v in best.items()},
                        "all_runs_cpu_seconds": times,
                        "max_abs_difference_over_max": difference,
                        "ffts_per_image": [[k, list(g), c] for k, g, c in
                                           necessary_ffts(X.shape[1:], J, L)]})
    print()
    columns = ["images", "n", "J", "front end", "us/image", "images/cpu-s", "x Kymatio",
               "x floor", "x floor (one run)", "max diff / max"]
    print_table(rows, columns)
    command = "python benchmarks/bench_kymatio_dropin.py " + " ".join(sys.argv[1:])
    load = {"start": load_start, "end": os.getloadavg()}
    write_results("bench_kymatio_dropin", {
        "command": command, "threads": 1, "load_average": load, "rows": rows,
        "details": details})
    lines = [(f"`{command}` (one thread, CPU time, best of {args.repeat}; load average "
              f"{load['start'][0]:.1f} at the start, {load['end'][0]:.1f} at the end)"), "",
             "| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(f"{row[c]}" for c in columns) + " |" for row in rows]
    (HERE / "results" / "bench_kymatio_dropin.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
