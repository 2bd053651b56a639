"""Kymatio side of the scattering benchmarks: run with Kymatio's own interpreter.

    kyvenv/bin/python benchmarks/kymatio_worker.py IN.npy OUT.npy --J 2 --L 8 [--time]

Reads a float32 image batch (n, h, w) from IN.npy, writes the numpy
``Scattering2D(J, shape, L, max_order)`` features as float32 (n, n_features)
to OUT.npy and prints one JSON line (images/s, feature count). Only numpy and
kymatio are imported, so that this runs in a venv with ``scipy<1.17``
(Kymatio 0.3 does not import with SciPy >= 1.17).
"""

import argparse
import json
import time

import numpy as np


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("inp")
    parser.add_argument("out", nargs="?", default=None)
    parser.add_argument("--J", type=int, default=2)
    parser.add_argument("--L", type=int, default=8)
    parser.add_argument("--max-order", type=int, default=2)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()

    from kymatio.numpy import Scattering2D

    X = np.load(args.inp).astype(np.float32)
    scattering = Scattering2D(J=args.J, shape=X.shape[1:], L=args.L, max_order=args.max_order)
    scattering(X[:2])  # warm-up
    chunks = []
    cpu = time.process_time()
    tic = time.perf_counter()
    for start in range(0, len(X), args.batch):
        S = scattering(X[start:start + args.batch])
        chunks.append(S.reshape(len(S), -1).astype(np.float32))
    seconds = time.perf_counter() - tic
    cpu_seconds = time.process_time() - cpu
    features = np.concatenate(chunks)
    if args.out:
        np.save(args.out, features)
    print(json.dumps({"n_images": len(X), "seconds": seconds,
                      "images_per_s": len(X) / seconds, "cpu_seconds": cpu_seconds,
                      "images_per_cpu_s": len(X) / cpu_seconds,
                      "n_features": features.shape[1],
                      "J": args.J, "L": args.L, "max_order": args.max_order}))


if __name__ == "__main__":
    main()
