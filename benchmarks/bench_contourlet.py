"""ContourletTransformer speed and exactness vs one fft2 (the floor) and our curvelets.

    python benchmarks/bench_contourlet.py [--repeat 5] [--batch 10000] [--sizes 256,512,1024]

For 256², 512², 1024² float64 images and batches of 28x28 and 32x32 float32
images, decimated and undecimated: forward and inverse time, redundancy (real numbers stored per pixel)
and the relative reconstruction error, side by side in one process with
numpy.fft.fft2 of the same data and our CurveletTransformer. Target: forward
within 6x of one numpy.fft.fft2 at 512².

Other Python contourlet packages: pycontourlet and Contourlet-CNN are GPL-3
(not read, not run); the only other one on PyPI here, deekshantcontourlet1 0.1,
declares no licence, so it is not run either.
"""

import argparse

import numpy as np
from _common import median_ms, print_table, write_results

from sklearn_sparsecode import ContourletTransformer, CurveletTransformer


def run(est, X, repeat, reconstruction=None):
    est = est.fit(X[:1])
    C = est.transform(X)
    back = est.inverse_transform(C)
    error = float(np.linalg.norm(back - X) / np.linalg.norm(X))
    return {"forward_ms": median_ms(lambda: est.transform(X), repeat),
            "inverse_ms": median_ms(lambda: est.inverse_transform(C), repeat),
            "redundancy": C.shape[1] / X[0].size, "recon_error": error}


def contourlet_rows(data, X, repeat, settings):
    rows = []
    for params in settings:
        est = ContourletTransformer(**params)
        label = ", ".join(f"{k}={v}" for k, v in params.items())
        rows.append({"data": data, "method": "ContourletTransformer", "settings": label,
                     **run(est, X, repeat)})
    return rows


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
        data = f"{size}x{size}"
        fft_ms = median_ms(lambda: np.fft.fft2(image), args.repeat)
        block = [{"data": data, "method": "numpy.fft.fft2", "settings": "-",
                  "forward_ms": fft_ms}]
        block += contourlet_rows(data, image[None], args.repeat, [
            {"n_orientations": (4, 8, 8)},
            {"n_orientations": (4, 8, 8), "reconstruction": "standard"},
            {"n_orientations": (8, 16, 16, 32)},
            {"n_orientations": (4, 8, 8), "decimated": False},
        ])
        block.append({"data": data, "method": "CurveletTransformer", "settings": "defaults",
                      **run(CurveletTransformer(), image[None], args.repeat)})
        for row in block:
            row["x_fft2"] = row["forward_ms"] / fft_ms
        rows += block

    repeat = max(1, args.repeat // 2)
    for size in (28, 32):
        batch = rng.normal(size=(args.batch, size, size)).astype(np.float32)
        data = f"{args.batch}x{size}x{size} float32"
        fft_ms = median_ms(lambda: np.fft.fft2(batch), repeat)
        block = [{"data": data, "method": "numpy.fft.fft2", "settings": "-",
                  "forward_ms": fft_ms}]
        settings = [{"n_orientations": (4, 8)}, {"n_orientations": (4, 8), "n_jobs": 2},
                    {"n_orientations": (4, 8), "decimated": False}]
        if size == 32:
            settings.append({"n_orientations": (4, 8, 8)})
        block += contourlet_rows(data, batch, repeat, settings)
        block.append({"data": data, "method": "CurveletTransformer", "settings": "defaults",
                      **run(CurveletTransformer(), batch, repeat)})
        for row in block:
            row["x_fft2"] = row["forward_ms"] / fft_ms
            row["images_per_s"] = args.batch / row["forward_ms"] * 1000
        rows += block

    for row in rows:
        for key in ("forward_ms", "inverse_ms", "x_fft2", "redundancy", "images_per_s"):
            if row.get(key) is not None:
                row[key] = round(row[key], 2 if key != "images_per_s" else 0)
        if row.get("recon_error") is not None:
            row["recon_error"] = f"{row['recon_error']:.1e}"
    columns = ["data", "method", "settings", "forward_ms", "inverse_ms", "x_fft2",
               "images_per_s", "redundancy", "recon_error"]
    print_table([{c: row.get(c, "") for c in columns} for row in rows], columns)
    write_results("bench_contourlet", {"rows": rows})


if __name__ == "__main__":
    main()
