"""Scattering throughput: ScatteringTransformer beside Kymatio's numpy Scattering2D.

    python benchmarks/bench_scattering.py [--kymatio-python kyvenv/bin/python] [--quick]

Images per second on 10,000 Fashion-MNIST images (28²) and 100 random 256²
images, orders 0–2 at matched J and L (J=2, L=8 on 28²; J=3, L=8 on 256²),
float32. Kymatio runs in its own interpreter (Kymatio 0.3 does not import
with SciPy ≥ 1.17), called from here through ``benchmarks/kymatio_worker.py``
on the same images, alternating with our runs so both see the same machine
load:

    python3 -m venv kyvenv && kyvenv/bin/pip install "scipy<1.17" kymatio

Our rows: Kymatio's sampling and padding (``padding="reflect"``, subsampling=0,
the same output size and numbers within 0.2%), single-threaded and with
``n_jobs=2``; then the options that change the work: periodic boundary
(no padding) and ``subsampling=1`` (every modulus on a grid twice coarser).
Both wall-clock images/s and images per CPU-second (time.process_time, all
threads of the process) are reported: on a shared machine the wall clock
measures the load as much as the code, while CPU time measures the work;
``n_jobs=2`` only pays off in wall time when two cores are free.
Writes benchmarks/results/bench_scattering.json.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _common import print_table, write_results

from sklearn_sparsecode import ScatteringTransformer

HERE = Path(__file__).resolve().parent


def kymatio_rate(python, X, J, L, repeat):
    """Median images/s (wall, CPU) of Kymatio's numpy Scattering2D, in its own interpreter."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "images.npy"
        np.save(path, X.astype(np.float32))
        rates, cpu_rates, n_features = [], [], None
        for _ in range(repeat):
            env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
            result = subprocess.run([python, str(HERE / "kymatio_worker.py"), str(path),
                                     "--J", str(J), "--L", str(L)],
                                    capture_output=True, text=True, check=True, env=env)
            report = json.loads(result.stdout.strip().splitlines()[-1])
            rates.append(report["images_per_s"])
            cpu_rates.append(report["images_per_cpu_s"])
            n_features = report["n_features"]
    return statistics.median(rates), statistics.median(cpu_rates), n_features


def our_rate(X, repeat, **params):
    est = ScatteringTransformer(compression=None, **params).fit(X[:1])
    est.transform(X[:64])  # warm-up (filter caches)
    times, cpu_times = [], []
    for _ in range(repeat):
        cpu = time.process_time()
        tic = time.perf_counter()
        out = est.transform(X)
        times.append(time.perf_counter() - tic)
        cpu_times.append(time.process_time() - cpu)
    return len(X) / statistics.median(times), len(X) / statistics.median(cpu_times), out.shape[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kymatio-python", default="kyvenv/bin/python")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="2,000 small images, 20 large")
    args = parser.parse_args()
    kymatio = Path(args.kymatio_python)
    if not kymatio.exists():
        print(f"no Kymatio interpreter at {kymatio}: our rows only", file=sys.stderr)
        kymatio = None

    from sklearn_sparsecode.datasets import load_fashion_mnist

    small = load_fashion_mnist(subset="test", return_X_y=True)[0].astype(np.float32) / 255
    n_small, n_large = (2000, 20) if args.quick else (10000, 100)
    cases = [("28x28", small[:n_small], 2),
             ("256x256", np.random.default_rng(0).random((n_large, 256, 256), np.float32), 3)]
    variants = [
        ("ours, Kymatio's sampling (reflect)", dict(padding="reflect"), 1),
        ("ours, Kymatio's sampling (reflect), n_jobs=2", dict(padding="reflect"), 2),
        ("ours, periodic", dict(padding="periodic"), 1),
        ("ours, periodic, n_jobs=2", dict(padding="periodic"), 2),
        ("ours, periodic, subsampling=1, n_jobs=2", dict(padding="periodic", subsampling=1), 2),
    ]
    rows = []
    for label, X, J in cases:
        ky_rate, ky_cpu, ky_features = (kymatio_rate(str(kymatio), X, J, 8, args.repeat)
                                        if kymatio else (float("nan"), float("nan"), None))
        rows.append({"images": label, "n": len(X), "front end": "Kymatio Scattering2D (numpy)",
                     "features": ky_features, "images/s": round(ky_rate, 1), "ratio": 1.0,
                     "images/cpu-s": round(ky_cpu, 1), "cpu ratio": 1.0})
        print(rows[-1], flush=True)
        for name, params, n_jobs in variants:
            rate, cpu_rate, n_features = our_rate(X, args.repeat, n_scales=J, n_orientations=8,
                                                  n_jobs=n_jobs, **params)
            rows.append({"images": label, "n": len(X), "front end": name,
                         "features": n_features, "images/s": round(rate, 1),
                         "ratio": round(rate / ky_rate, 2), "images/cpu-s": round(cpu_rate, 1),
                         "cpu ratio": round(cpu_rate / ky_cpu, 2)})
            print(rows[-1], flush=True)
    print()
    print_table(rows, ["images", "n", "front end", "features", "images/s", "ratio",
                       "images/cpu-s", "cpu ratio"])
    write_results("bench_scattering", {"cpu_count": os.cpu_count(),
                                       "load_average": os.getloadavg(), "rows": rows})


if __name__ == "__main__":
    main()
