"""Helpers shared by the benchmark scripts: timing, peak memory, result files."""

import json
import platform
import statistics
import time
import tracemalloc
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results"


def measure(func, repeat=3):
    """Median wall time over ``repeat`` runs and the peak traced allocation of one run.

    tracemalloc sees numpy's buffers (and so PyWavelets' outputs); the first run
    is traced, the rest are timed untraced.
    """
    tracemalloc.start()
    func()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    times = []
    for _ in range(repeat):
        tic = time.perf_counter()
        func()
        times.append(time.perf_counter() - tic)
    return statistics.median(times), peak


def median_ms(func, repeat):
    """Median wall time of ``func()`` in milliseconds over ``repeat`` runs, after one warm-up."""
    func()  # warm up (plans, caches)
    times = []
    for _ in range(repeat):
        tic = time.perf_counter()
        func()
        times.append(time.perf_counter() - tic)
    return 1000 * statistics.median(times)


def write_results(name, payload, directory=None):
    """Write ``payload`` with the machine's versions to ``<directory>/<name>.json``.

    ``directory`` defaults to ``benchmarks/results``.
    """
    directory = RESULTS if directory is None else Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    import pywt
    import sklearn

    payload = {
        "machine": {"python": platform.python_version(), "processor": platform.processor(),
                    "numpy": np.__version__, "pywt": pywt.__version__,
                    "sklearn": sklearn.__version__},
        **payload,
    }
    path = directory / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2))
    print(f"\nwrote {path}")


def print_table(rows, columns):
    widths = [max(len(c), *(len(f"{r[c]}") for r in rows)) for c in columns]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths)))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print("  ".join(f"{r[c]}".ljust(w) for c, w in zip(columns, widths)))
