"""Denoising study: scikit-image's wavelet and TV denoisers, BM3D, and ours.

    OMP_NUM_THREADS=1 python benchmarks/bench_denoise.py [--quick]

White Gaussian noise σ ∈ {0.05, 0.1, 0.2} (images in [0, 1], one noise draw per
image and σ, seeded) on two 512×512 cartoons (``make_cartoon``: anti-aliased and
aliased edge) and four scikit-image bundled photographs (camera, astronaut in
grey, coins, moon; no download). Every method gets the true σ. PSNR (dB) and
wall time per image, single-threaded. Atom norms of our transforms are measured
once per transform and image shape (the work ``Denoiser.fit`` does) and not
counted in the times; the table lists that one-off cost separately.

Methods: scikit-image 0.26 ``denoise_wavelet`` (db2, soft, rescale_sigma) with
BayesShrink and VisuShrink, each plain and with ``cycle_spin(max_shifts=3)``
(16 shifts); ``denoise_tv_chambolle(weight=σ)``; BM3D (``bm3d`` package, the
non-learned ceiling); ours: hard thresholds at kσ‖atom‖ per band in db4 wavelets
and in curvelets (16 angles, decimated and undecimated), with and without
cycle spinning (16 shifts), the two-stage curvelet pilot + db4 Wiener stage, and
contourlets (5 pyramid levels, analysis-side atom norms; added with
``--add contourlets`` after the main run, on the same noise draws).
Writes results/bench_denoise.json and denoise.png. Report, don't tune: the
parameters below were fixed on camera and astronaut before this run.
"""

import argparse
import time

import numpy as np
from _common import RESULTS, print_table, write_results
from skimage import color, data, img_as_float
from skimage.metrics import peak_signal_noise_ratio
from skimage.restoration import cycle_spin, denoise_tv_chambolle, denoise_wavelet
from sklearn.base import clone

from sklearn_sparsecode import CurveletTransformer, WaveletTransformer
from sklearn_sparsecode.datasets import make_cartoon
from sklearn_sparsecode.restoration import band_atom_norms, denoise

SIGMAS = (0.05, 0.1, 0.2)


def images(quick):
    def unit(x):
        return (x - x.min()) / (x.max() - x.min())

    size = 128 if quick else 512
    cartoons = {"cartoon (smooth edge)": unit(make_cartoon(size, random_state=0)),
                "cartoon (sharp edge)": unit(make_cartoon(size, supersample=1, random_state=1))}
    photos = {"camera": img_as_float(data.camera()),
              "astronaut": color.rgb2gray(data.astronaut()),
              "coins": img_as_float(data.coins()),
              "moon": img_as_float(data.moon())}
    if quick:
        photos = {k: v[:128, :128] for k, v in list(photos.items())[:2]}
    return cartoons, photos


def skimage_wavelet(method, spin):
    kw = dict(method=method, mode="soft", wavelet="db2", rescale_sigma=True)

    def run(y, sigma):
        if spin:
            return cycle_spin(y, denoise_wavelet, max_shifts=3, channel_axis=None, workers=1,
                              func_kw=dict(sigma=sigma, **kw))
        return denoise_wavelet(y, sigma=sigma, **kw)
    return run


def bm3d_run(y, sigma):
    import bm3d
    return bm3d.bm3d(y, sigma_psd=sigma)


_NORMS = {}


def ours(transformer, wiener=None, norms_method="auto", **kw):
    """denoise() with the transform fitted and its atom norms measured once per shape.

    ``norms_method="noise"`` measures the analysis-side norms, the noise level of
    a coefficient in a frame that is not tight (contourlets)."""
    def prepare(y):
        key = (repr(transformer), y.shape)
        if key not in _NORMS:
            tic = time.perf_counter()
            fitted = clone(transformer).fit(y[None])
            norms = band_atom_norms(fitted, method=norms_method)
            _NORMS[key] = (fitted, norms, time.perf_counter() - tic)
        if wiener is not None:
            wkey = (repr(wiener), y.shape)
            if wkey not in _NORMS:
                fitted_w = clone(wiener).fit(y[None])
                _NORMS[wkey] = (fitted_w, band_atom_norms(fitted_w), 0.0)
        return _NORMS[key]

    def run(y, sigma):
        fitted, norms, _ = prepare(y)
        second = False if wiener is None else _NORMS[(repr(wiener), y.shape)][0]
        return denoise(y, fitted, sigma=sigma, atom_norms=norms, wiener=second, **kw)
    run.prepare = prepare
    return run


def padded(run, multiple):
    """Run on the image padded (symmetric) to a multiple of ``multiple``, then crop:
    5-level contourlets need sides divisible by 32 (coins is 303x384)."""
    def pad(y):
        h, w = y.shape
        return np.pad(y, ((0, -h % multiple), (0, -w % multiple)), mode="symmetric")

    def wrapped(y, sigma):
        return run(pad(y), sigma)[:y.shape[0], :y.shape[1]]
    wrapped.prepare = lambda y: run.prepare(pad(y))
    return wrapped


def methods(quick):
    ct = CurveletTransformer(n_orientations=8)
    table = {
        "skimage BayesShrink": skimage_wavelet("BayesShrink", False),
        "skimage BayesShrink + cycle spin": skimage_wavelet("BayesShrink", True),
        "skimage VisuShrink": skimage_wavelet("VisuShrink", False),
        "skimage VisuShrink + cycle spin": skimage_wavelet("VisuShrink", True),
        "skimage TV Chambolle (weight=σ)": lambda y, s: denoise_tv_chambolle(y, weight=s),
        "ours db4 hard 3σ": ours(WaveletTransformer(wavelet="db4")),
        "ours db4 hard 3σ + cycle spin": ours(WaveletTransformer(wavelet="db4"), cycle_spins=3),
        "ours curvelets hard 3σ/4σ": ours(ct, k=3, k_finest=4),
        "ours curvelets hard 3σ/4σ + cycle spin": ours(ct, k=3, k_finest=4, cycle_spins=3),
        "ours curvelets (wavelets finest) 3σ + cycle spin":
            ours(CurveletTransformer(n_orientations=8, finest="wavelets"), k=3, cycle_spins=3),
        "ours undecimated curvelets 3σ/4σ":
            ours(CurveletTransformer(n_orientations=8, decimated=False), k=3, k_finest=4),
        "ours curvelets 2.5σ/3σ + db4 Wiener, cycle spin":
            ours(CurveletTransformer(n_orientations=8), wiener=WaveletTransformer(wavelet="db4"), k=2.5,
                 k_finest=3, cycle_spins=3),
    }
    try:
        from sklearn_sparsecode import ContourletTransformer

        contourlets = ContourletTransformer(n_orientations=(4, 4, 8, 8, 16))
        table["ours contourlets (5 levels) hard 3σ/4σ + cycle spin"] = padded(ours(
            contourlets, norms_method="noise", k=3, k_finest=4, cycle_spins=3), 32)
    except ImportError:
        pass
    try:
        import bm3d  # noqa: F401
        table["BM3D (ceiling)"] = bm3d_run
    except ImportError:
        print("bm3d not installed: BM3D skipped")
    return table


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="128x128 crops, two photos")
    parser.add_argument("--add", metavar="SUBSTRING",
                        help="run only the methods whose label contains SUBSTRING (same noise "
                             "draws) and merge them into results/bench_denoise.json")
    args = parser.parse_args()
    cartoons, photos = images(args.quick)
    runs = methods(args.quick)
    if args.add:
        runs = {k: v for k, v in runs.items() if args.add in k}
    rng = np.random.default_rng(0)
    records = []
    for group, imgs in (("cartoons", cartoons), ("photos", photos)):
        for name, clean in imgs.items():
            for sigma in SIGMAS:
                noisy = clean + rng.normal(scale=sigma, size=clean.shape)
                records.append(dict(group=group, image=name, sigma=sigma, method="noisy",
                                    psnr=peak_signal_noise_ratio(clean, noisy, data_range=1),
                                    seconds=0.0))
                for label, run in runs.items():
                    if hasattr(run, "prepare"):
                        run.prepare(noisy)  # fit + atom norms, once per shape, untimed
                    tic = time.perf_counter()
                    out = run(noisy, sigma)
                    seconds = time.perf_counter() - tic
                    records.append(dict(group=group, image=name, sigma=sigma, method=label,
                                        psnr=peak_signal_noise_ratio(clean, out, data_range=1),
                                        seconds=seconds))
                    print(f"{name:22s} σ={sigma:<5} {label:50s} "
                          f"{records[-1]['psnr']:6.2f} dB {seconds:6.2f} s", flush=True)
    fit_costs = {f"{k[0]} {k[1]}": round(v[2], 2) for k, v in _NORMS.items()}
    if args.add:
        import json

        previous = json.loads((RESULTS / "bench_denoise.json").read_text())
        added = [r for r in records if r["method"] != "noisy"]
        kept = [r for r in previous["records"] if r["method"] not in {r["method"] for r in added}]
        records = kept + added
        fit_costs = {**previous.get("atom_norm_seconds", {}), **fit_costs}
    summary = summarise(records)
    write_results("bench_denoise" + ("_quick" if args.quick else ""),
                  {"sigmas": SIGMAS, "records": records, "summary": summary,
                   "atom_norm_seconds": fit_costs})
    plot(summary, RESULTS / ("denoise_quick.png" if args.quick else "denoise.png"))


def summarise(records):
    methods_ = list(dict.fromkeys(r["method"] for r in records))
    rows = []
    for method in methods_:
        row = {"method": method}
        for group in ("cartoons", "photos"):
            mine = [r for r in records if r["method"] == method and r["group"] == group]
            for sigma in SIGMAS:
                row[f"{group} σ={sigma}"] = round(float(np.mean(
                    [r["psnr"] for r in mine if r["sigma"] == sigma])), 2)
            row[f"{group} mean"] = round(float(np.mean([r["psnr"] for r in mine])), 2)
            row[f"{group} s/img"] = round(float(np.mean([r["seconds"] for r in mine])), 2)
        rows.append(row)
    base = {r["method"]: r for r in rows}
    for row in rows:
        row["cartoons Δ BayesShrink"] = round(
            row["cartoons mean"] - base["skimage BayesShrink"]["cartoons mean"], 2)
        row["photos Δ BayesShrink+cs"] = round(
            row["photos mean"] - base["skimage BayesShrink + cycle spin"]["photos mean"], 2)
    columns = ["method", "cartoons mean", "cartoons Δ BayesShrink", "cartoons s/img",
               "photos mean", "photos Δ BayesShrink+cs", "photos s/img"]
    print("\nMean PSNR over images and σ ∈ {0.05, 0.1, 0.2} (dB)")
    print_table(rows, columns)
    print_table(rows, ["method"] + [f"{g} σ={s}" for g in ("cartoons", "photos")
                                    for s in SIGMAS])
    return rows


def plot(rows, path):
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    fig, axes = plt.subplots(1, 2, figsize=(13, 6), sharey=True)
    labels = [r["method"] for r in rows]
    for ax, group in zip(axes, ("cartoons", "photos")):
        for i, sigma in enumerate(SIGMAS):
            values = [r[f"{group} σ={sigma}"] for r in rows]
            ax.barh(np.arange(len(rows)) + (i - 1) * 0.27, values, height=0.27,
                    label=f"σ = {sigma}")
        ax.set_title(f"{group}: PSNR (dB)")
        ax.set_xlim(15, None)
        ax.grid(True, axis="x", alpha=0.3)
    axes[0].set_yticks(np.arange(len(rows)), labels, fontsize=7)
    axes[0].invert_yaxis()
    axes[1].legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
