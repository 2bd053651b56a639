"""CurveletTransformer speed and exactness vs one fft2 (the floor) and the `curvelets` package.

    python benchmarks/bench_curvelet.py [--repeat 5] [--batch 10000]

For 256², 512², 1024² images and a batch of 28x28 images: forward and inverse
time, redundancy (real numbers stored per pixel), and the relative
reconstruction error, side by side in one process with numpy.fft.fft2 of the
same data and, when installed, the UDCT of the `curvelets` PyPI package
(``pip install curvelets typing_extensions``; not a dependency of ours).
Targets: forward within 10x of one fft2; no slower than `curvelets` at
comparable redundancy while staying exact.
"""

import argparse
import statistics
import time

import numpy as np
from _common import print_table, write_results

from sklearn_sparsecode import CurveletTransformer


def median_ms(func, repeat):
    func()  # warm up (plans, caches)
    times = []
    for _ in range(repeat):
        tic = time.perf_counter()
        func()
        times.append(time.perf_counter() - tic)
    return 1000 * statistics.median(times)


def ours(X, repeat, **params):
    est = CurveletTransformer(**params).fit(X[:1])
    C = est.transform(X)
    error = np.linalg.norm(est.inverse_transform(C) - X) / np.linalg.norm(X)
    return {"forward_ms": median_ms(lambda: est.transform(X), repeat),
            "inverse_ms": median_ms(lambda: est.inverse_transform(C), repeat),
            "redundancy": est.redundancy_, "recon_error": error,
            "settings": f"n_scales={est.n_scales_}, n_angles={est.n_angles}, finest={est.finest}"}


def udct(image, repeat, num_scales, wedges):
    try:
        from curvelets.numpy import UDCT
    except ImportError:
        return None
    try:
        transform = UDCT(image.shape, num_scales=num_scales, wedges_per_direction=wedges)
        coefs = transform.forward(image)
    except Exception as exc:  # the package rejects some sizes/settings
        print(f"  curvelets UDCT {image.shape} failed: {exc}")
        return None
    back = transform.backward(coefs)
    n_complex = transform.vect(coefs).size
    return {"forward_ms": median_ms(lambda: transform.forward(image), repeat),
            "inverse_ms": median_ms(lambda: transform.backward(coefs), repeat),
            "redundancy": 2 * n_complex / image.size,  # complex = 2 real numbers
            "recon_error": float(np.linalg.norm(back - image) / np.linalg.norm(image)),
            "settings": f"UDCT num_scales={num_scales}, wedges_per_direction={wedges}"}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--batch", type=int, default=10000)
    parser.add_argument("--sizes", default="256,512,1024")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    rows = []
    for size in map(int, args.sizes.split(",")):
        image = rng.normal(size=(size, size))
        fft_ms = median_ms(lambda: np.fft.fft2(image), args.repeat)
        rows.append({"data": f"{size}x{size}", "method": "numpy.fft.fft2", "forward_ms": fft_ms,
                     "inverse_ms": None, "redundancy": None, "recon_error": None,
                     "settings": "-"})
        for params in ({}, {"n_scales": 4, "n_angles": 8}, {"finest": "wavelets"}):
            rows.append({"data": f"{size}x{size}", "method": "sklearn_sparsecode",
                         **ours(image[None], args.repeat, **params)})
        for wedges in (3, 12):
            result = udct(image, args.repeat, 4, wedges)
            if result:
                rows.append({"data": f"{size}x{size}", "method": "curvelets 1.2", **result})
        for row in rows:
            if row["data"] == f"{size}x{size}":
                row["x_fft2"] = row["forward_ms"] / fft_ms

    batch = rng.normal(size=(args.batch, 28, 28)).astype(np.float32)
    fft_ms = median_ms(lambda: np.fft.fft2(batch), max(1, args.repeat // 2))
    data = f"{args.batch}x28x28 float32"
    rows.append({"data": data, "method": "numpy.fft.fft2", "forward_ms": fft_ms,
                 "inverse_ms": None, "redundancy": None, "recon_error": None, "settings": "-",
                 "x_fft2": 1.0})
    for params in ({}, {"finest": "wavelets"}, {"n_jobs": 2}):
        result = ours(batch, max(1, args.repeat // 2), **params)
        if params.get("n_jobs"):
            result["settings"] += ", n_jobs=2"
        rows.append({"data": data, "method": "sklearn_sparsecode", **result,
                     "x_fft2": result["forward_ms"] / fft_ms})
    single = udct(batch[0].astype(np.float64), 3, 2, 3)
    if single:  # the package transforms one image per call
        loop_ms = single["forward_ms"] * args.batch
        rows.append({"data": data, "method": "curvelets 1.2 (per-image loop, estimated)",
                     **{**single, "forward_ms": loop_ms, "inverse_ms": single["inverse_ms"] * args.batch},
                     "x_fft2": loop_ms / fft_ms})

    for row in rows:
        for key in ("forward_ms", "inverse_ms", "x_fft2", "redundancy"):
            if row.get(key) is not None:
                row[key] = round(row[key], 2)
        if row.get("recon_error") is not None:
            row["recon_error"] = f"{row['recon_error']:.1e}"
    print_table(rows, ["data", "method", "settings", "forward_ms", "inverse_ms", "x_fft2",
                       "redundancy", "recon_error"])
    write_results("bench_curvelet", {"rows": rows})


if __name__ == "__main__":
    main()
