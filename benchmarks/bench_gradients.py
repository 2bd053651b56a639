"""Cost of ``transform_vjp`` against ``transform``, per transformer, same images, same script.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python benchmarks/bench_gradients.py \
        [--n-images 2000] [--size 28] [--repeat 3] [--dtype float32]

For each fitted transformer: the CPU time (``time.process_time``, one thread)
of ``transform(X)`` and of ``transform_vjp(X, G)`` with G the shape of the
output, best of ``--repeat`` runs taken alternately, their ratio (target:
<= 3), and the peak traced memory of each (tracemalloc). A ratio is measured
against its own forward in the same run, so it does not depend on the
machine's load. Writes ``benchmarks/results/bench_gradients[_SIZE].json``.
"""

import argparse
import time
import tracemalloc

import numpy as np

from _common import print_table, write_results
from sklearn_sparsecode import (
    CNNFeatureExtractor,
    ContourletTransformer,
    CurveletTransformer,
    LocalPooling,
    MorletTransformer,
    ScatteringTransformer,
    ThresholdTransformer,
    WaveletTransformer,
)


def transformers(size):
    """(name, estimator, input kind) for every transformer that has a VJP."""
    items = [
        ("wavelets db2 periodization", WaveletTransformer(wavelet="db2", mode="periodization")),
        ("wavelets db2 symmetric", WaveletTransformer(wavelet="db2", mode="symmetric")),
        ("curvelets decimated", CurveletTransformer(n_scales=3, n_orientations=8)),
        ("curvelets undecimated", CurveletTransformer(n_scales=3, n_orientations=4, decimated=False)),
        ("contourlets decimated", ContourletTransformer(n_orientations=(4, 8))),
        ("contourlets undecimated", ContourletTransformer(n_orientations=(4, 8), decimated=False)),
        ("morlet J=2 L=8", MorletTransformer(n_scales=2, n_orientations=8)),
        ("scattering J=2 L=8", ScatteringTransformer(n_scales=2, n_orientations=8)),
        ("scattering J=2 L=8 rotation=fourier",
         ScatteringTransformer(n_scales=2, n_orientations=8, rotation="fourier")),
        ("pooled curvelets (LocalPooling)",
         LocalPooling(transformer=CurveletTransformer(n_scales=3, n_orientations=4, decimated=False),
                      grid=7, power=0.5)),
        ("threshold soft split", ThresholdTransformer(tau=0.1, shrinkage="soft", sign="split")),
    ]
    cnn = CNNFeatureExtractor(random_state=0, output_layer="act3")
    if hasattr(cnn, "transform_vjp") and size == 28:
        items.append(("CNN LeNet-5 to act3", cnn))
    return items


def cpu_seconds(func):
    tic = time.process_time()
    func()
    return time.process_time() - tic


def peak_bytes(func):
    tracemalloc.start()
    func()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-images", type=int, default=2000)
    parser.add_argument("--size", type=int, default=28)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    X = rng.random((args.n_images, args.size, args.size)).astype(args.dtype)
    rows = []
    for name, est in transformers(args.size):
        data = X
        if isinstance(est, ThresholdTransformer):  # thresholds act on codes
            data = WaveletTransformer(wavelet="db2").fit(X[:1]).transform(X)
        est.fit(data[:2])
        G = rng.normal(size=est.transform(data[:1]).shape[1:]).astype(args.dtype)
        G = np.broadcast_to(G, (len(data), G.size))
        est.transform(data[:8])
        est.transform_vjp(data[:8], G[:8])  # plans, caches
        forward, backward = [], []
        for _ in range(args.repeat):  # alternate, best of each
            forward.append(cpu_seconds(lambda: est.transform(data)))
            backward.append(cpu_seconds(lambda: est.transform_vjp(data, G)))
        f, b = min(forward), min(backward)
        rows.append({
            "transformer": name,
            "forward_s": round(f, 3),
            "vjp_s": round(b, 3),
            "ratio": round(b / f, 2),
            "forward_MiB": round(peak_bytes(lambda: est.transform(data)) / 2**20, 1),
            "vjp_MiB": round(peak_bytes(lambda: est.transform_vjp(data, G)) / 2**20, 1),
        })
        print(f"{name}: ratio {b / f:.2f}", flush=True)
    print()
    print_table(rows, ["transformer", "forward_s", "vjp_s", "ratio", "forward_MiB",
                       "vjp_MiB"])
    suffix = "" if args.size == 28 else f"_{args.size}"
    write_results(f"bench_gradients{suffix}", {
        "settings": {"n_images": args.n_images, "size": args.size, "dtype": args.dtype,
                     "repeat": args.repeat, "timer": "time.process_time, best of repeat"},
        "rows": rows,
    })


if __name__ == "__main__":
    main()
