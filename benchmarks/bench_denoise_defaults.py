"""The study behind ``denoise``'s defaults: tuning set, held-out set, colour, timings.

    OMP_NUM_THREADS=1 python benchmarks/bench_denoise_defaults.py [--quick] [--no-bm3d]
                                                                 [--timing-only]

Every noisy image is clean + σ·N(0, 1) with σ ∈ {0.05, 0.1, 0.2} (images in
[0, 1], 256×256 centre crops, smaller images whole; one seeded draw per image
and σ) and **no method is given σ**, except BM3D/CBM3D (``bm3d`` package,
optional), which get the true σ as the state of the art to measure the gap to.

1. Tuning set (15 grey images: scikit-image's camera, coins, moon, astronaut,
   coffee, immunohistochemistry, shepp_logan_phantom, binary_blobs; scikit-learn's
   china and flower; matplotlib's grace_hopper and MRI slice; a rendered text page
   (181×256), a synthetic oriented texture, drawn shapes). The defaults were chosen
   on it (the full grid ran on a PyWavelets prototype; the rows here are the
   library's own calls around the chosen point).
2. Held-out set (12 grey images never used for a choice: brick, grass, gravel,
   text, horse, cell, page, checkerboard, clock, hubble_deep_field and chelsea in
   grey, and ``make_cartoon(256, random_state=0)``): the default call
   ``denoise(noisy)`` against scikit-image's default call
   ``denoise_wavelet(noisy, rescale_sigma=True)``, its cycle-spun BayesShrink
   (``cycle_spin(..., max_shifts=3)``, 16 shifts, with db1 and with db2) and BM3D.
3. Colour photographs: ``denoise(noisy, channel_axis=-1)`` against
   ``denoise_wavelet(noisy, channel_axis=-1, convert2ycbcr=True,
   method="BayesShrink", rescale_sigma=True)`` and CBM3D (``bm3d.bm3d_rgb``), on
   the colour images the colour space was chosen on (astronaut, coffee,
   immunohistochemistry, china, flower, grace_hopper) and on five it never saw
   (chelsea, rocket, stereo_motorcycle, retina, hubble_deep_field).
4. Time of a repeated default call at 512×512 (camera + noise; astronaut in
   colour) against scikit-image's default call, CPU time (process_time), calls
   alternated, median of 15 each; plus the first (cold) call and a fitted
   ``Denoiser``.

Prints the tables and writes results/bench_denoise_defaults.json.
"""

import argparse
import gzip
import os
import time

import numpy as np
from _common import print_table, write_results
from skimage import color, data, img_as_float
from skimage.restoration import cycle_spin, denoise_wavelet

from sklearn_sparsecode import CurveletTransformer, Denoiser, WaveletTransformer
from sklearn_sparsecode.datasets import make_cartoon
from sklearn_sparsecode.restoration import _plans, denoise

SIGMAS = (0.05, 0.1, 0.2)
SIZE = 256


# --- Images -----------------------------------------------------------------------

def _crop(x, size=SIZE):
    h, w = x.shape[:2]
    ch, cw = min(size, h), min(size, w)
    top, left = (h - ch) // 2, (w - cw) // 2
    return np.ascontiguousarray(x[top:top + ch, left:left + cw])


def _skimage(name):
    x = data.binary_blobs(rng=0) if name == "binary_blobs" else getattr(data, name)()
    return x[0] if isinstance(x, tuple) else x


def _sample(name):
    from sklearn.datasets import load_sample_image
    return load_sample_image(name + ".jpg")


def _mpl(name):
    import matplotlib.image as mimage
    from matplotlib import cbook
    path = os.path.join(cbook._get_data_path("sample_data"), name)
    if name.endswith(".ima.gz"):
        with gzip.open(path) as f:
            x = np.frombuffer(f.read(), np.uint16).reshape(256, 256).astype(float)
        return x / x.max()
    return mimage.imread(path)


def _rendered_text(size=SIZE, seed=0):
    from PIL import Image, ImageDraw, ImageFont
    rng = np.random.default_rng(seed)
    img = Image.new("L", (size, size), 235)
    draw = ImageDraw.Draw(img)
    words = ["the", "quick", "brown", "fox", "jumps", "over", "a", "lazy", "dog", "sparse", "wavelet", "noise"]
    font = ImageFont.load_default(size=14)
    for y in range(4, size - 14, 18):
        draw.text((4, y), " ".join(rng.choice(words, 6)), fill=20, font=font)
    return (np.asarray(img, dtype=float) / 255)[:181]  # odd, non-square: like page, text


def _texture(size=SIZE, seed=0):
    rng = np.random.default_rng(seed)
    f = np.fft.fftfreq(size)
    fy, fx = np.meshgrid(f, f, indexing="ij")
    r, th = np.hypot(fy, fx), np.arctan2(fy, fx)
    spec = np.exp(-((r - 0.12) / 0.04) ** 2) * (np.cos(th - 0.6) ** 8 + 0.3)
    x = np.real(np.fft.ifft2(spec * np.fft.fft2(rng.standard_normal((size, size)))))
    x += 0.5 * np.real(np.fft.ifft2(np.exp(-(r / 0.02) ** 2)
                                    * np.fft.fft2(rng.standard_normal((size, size)))))
    return (x - x.min()) / (x.max() - x.min())


def _shapes(size=SIZE, seed=0):
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:size, :size] / size
    x = 0.3 + 0.2 * xx
    for _ in range(7):
        cy, cx = rng.uniform(0.15, 0.85, 2)
        a, b = rng.uniform(0.05, 0.25, 2)
        value = rng.uniform(0, 1) + 0.3 * (yy - cy)
        inside = (((yy - cy) / a) ** 2 + ((xx - cx) / b) ** 2 < 1 if rng.uniform() < 0.5
                  else (abs(yy - cy) < a) & (abs(xx - cx) < b))
        x = np.where(inside, value, x)
    return np.clip(x, 0, 1)


def _grey(x):
    x = np.asarray(x)
    if x.ndim == 3:
        x = color.rgb2gray(x[..., :3])
    x = img_as_float(x) if x.dtype.kind in "biu" else x.astype(float)
    return x / 255 if x.max() > 1.5 else x


GREY = {name: (lambda n=name: _skimage(n)) for name in [
    "camera", "coins", "moon", "astronaut", "coffee", "immunohistochemistry",
    "shepp_logan_phantom", "binary_blobs", "brick", "grass", "gravel", "text", "horse",
    "cell", "page", "checkerboard", "clock", "hubble_deep_field", "chelsea"]}
GREY.update({"china": lambda: _sample("china"), "flower": lambda: _sample("flower"),
             "grace_hopper": lambda: _mpl("grace_hopper.jpg"),
             "mri": lambda: _mpl("s1045.ima.gz"), "rendered_text": _rendered_text,
             "synthetic_texture": _texture, "shapes": _shapes,
             "cartoon": lambda: make_cartoon(SIZE, random_state=0)})
TUNING = ["camera", "coins", "moon", "astronaut", "coffee", "immunohistochemistry",
          "shepp_logan_phantom", "binary_blobs", "china", "flower", "grace_hopper", "mri",
          "rendered_text", "synthetic_texture", "shapes"]
HELDOUT = ["brick", "grass", "gravel", "text", "horse", "cell", "page", "checkerboard",
           "clock", "hubble_deep_field", "chelsea", "cartoon"]
COLOUR_TUNING = ["astronaut", "coffee", "immunohistochemistry", "china", "flower",
                 "grace_hopper"]
COLOUR_HELDOUT = ["chelsea", "rocket", "stereo_motorcycle", "retina", "hubble_deep_field"]


def grey_image(name):
    x = _grey(GREY[name]())
    if name == "cartoon":
        x = (x - x.min()) / (x.max() - x.min())
    return _crop(x)


def colour_image(name):
    if name in ("china", "flower"):
        x = _sample(name) / 255.0
    elif name == "grace_hopper":
        x = _mpl("grace_hopper.jpg") / 255.0
    else:
        x = img_as_float(_skimage(name))
    return _crop(np.asarray(x, dtype=float)[..., :3])


def cases(names, load, seed):
    rng = np.random.default_rng(seed)
    for name in names:
        clean = load(name)
        for sigma in SIGMAS:
            yield name, sigma, clean, clean + sigma * rng.standard_normal(clean.shape)


def psnr(clean, x):
    return float(10 * np.log10(1.0 / np.mean((clean - x) ** 2)))


# --- Methods ------------------------------------------------------------------------

def skimage_default(y, sigma):
    return denoise_wavelet(y, rescale_sigma=True)


def skimage_spun(wavelet):
    def run(y, sigma):
        return cycle_spin(y, denoise_wavelet, max_shifts=3, channel_axis=None, workers=1,
                          func_kw=dict(rescale_sigma=True, wavelet=wavelet))
    return run


def bm3d_grey(y, sigma):
    import bm3d
    return bm3d.bm3d(y, sigma_psd=sigma)


def ours(**kwargs):
    return lambda y, sigma: denoise(y, **kwargs)


def tuning_methods():
    db4, sym4 = WaveletTransformer(wavelet="db4"), WaveletTransformer(wavelet="sym4")
    return {
        "ours default (sym4 BayesShrink soft + Haar Wiener, 4 shifts)": ours(),
        "  n_shifts=1": ours(n_shifts=1),
        "  n_shifts=2": ours(n_shifts=2),
        "  n_shifts=8": ours(n_shifts=8),
        "  no Wiener stage": ours(wiener=False),
        "  Wiener in sym4 (same basis)": ours(wiener=sym4),
        "  Wiener in db4": ours(wiener=db4),
        "  first stage db4": ours(transformer=db4),
        "  first stage Haar": ours(transformer=WaveletTransformer(wavelet="haar")),
        "  hard 3σ first stage": ours(method="fixed", shrinkage="hard"),
        "  curvelets 3σ/4σ hard first stage": ours(
            transformer=CurveletTransformer(n_orientations=8), method="fixed", shrinkage="hard",
            k_finest=4.0),
        "previous default (db4, hard 3σ, no shifts, no Wiener)": ours(
            transformer=db4, method="fixed", shrinkage="hard", n_shifts=1, wiener=False),
    }


def run_grey(names, methods, seed):
    records = []
    for name, sigma, clean, noisy in cases(names, grey_image, seed):
        row = {"image": name, "sigma": sigma, "noisy": psnr(clean, noisy)}
        for label, method in methods.items():
            tic = time.process_time()
            row[label] = psnr(clean, method(noisy, sigma))
            row[label + " s"] = time.process_time() - tic
        records.append(row)
        print(f"{name:20s} σ={sigma:<5} " + " ".join(
            f"{row[k]:6.2f}" for k in methods), flush=True)
    return records


def summary(records, methods, base="skimage default", spun=("cycle-spun db1", "cycle-spun db2")):
    rows = []
    for label in methods:
        delta = np.array([r[label] - r[base] for r in records])
        row = {"method": label.strip(), "mean PSNR": round(np.mean([r[label] for r in records]), 2),
               "Δ skimage mean": round(delta.mean(), 2), "Δ skimage worst": round(delta.min(), 2)}
        for s in spun:
            if s in records[0]:
                row[f"Δ {s}"] = round(float(np.mean([r[label] - r[s] for r in records])), 2)
        worst = records[int(np.argmin(delta))]
        row["worst case"] = f"{worst['image']} σ={worst['sigma']}"
        rows.append(row)
    return rows


def run_colour(names, seed, use_bm3d):
    records = []
    for name, sigma, clean, noisy in cases(names, colour_image, seed):
        row = {"image": name, "sigma": sigma, "noisy": psnr(clean, noisy),
               "skimage YCbCr BayesShrink": psnr(clean, denoise_wavelet(
                   noisy, channel_axis=-1, convert2ycbcr=True, method="BayesShrink",
                   rescale_sigma=True)),
               "ours default (opponent)": psnr(clean, denoise(noisy, channel_axis=-1)),
               "ours YCbCr": psnr(clean, denoise(noisy, channel_axis=-1, color_space="ycbcr")),
               "ours per channel": psnr(clean, denoise(noisy, channel_axis=-1,
                                                       color_space="channels"))}
        if use_bm3d:
            import bm3d
            row["CBM3D (true σ)"] = psnr(clean, bm3d.bm3d_rgb(noisy, sigma))
        records.append(row)
        print(f"{name:20s} σ={sigma:<5} " + " ".join(
            f"{v:6.2f}" for k, v in row.items() if k not in ("image", "sigma")), flush=True)
    return records


def colour_summary(records):
    base = "skimage YCbCr BayesShrink"
    out = []
    for sigma in SIGMAS + ("all",):
        mine = [r for r in records if sigma == "all" or r["sigma"] == sigma]
        row = {"σ": sigma}
        for key in [k for k in mine[0] if k not in ("image", "sigma", "noisy")]:
            row[key] = round(float(np.mean([r[key] for r in mine])), 2)
        delta = np.array([r["ours default (opponent)"] - r[base] for r in mine])
        row["Δ ours − skimage mean"] = round(delta.mean(), 2)
        row["Δ worst"] = round(delta.min(), 2)
        if "CBM3D (true σ)" in mine[0]:
            row["gap to CBM3D"] = round(float(np.mean(
                [r["CBM3D (true σ)"] - r["ours default (opponent)"] for r in mine])), 2)
        out.append(row)
    return out


# --- Timing -------------------------------------------------------------------------

def timing(repeat):
    rng = np.random.default_rng(0)
    grey = img_as_float(data.camera())
    grey = grey + 0.1 * rng.standard_normal(grey.shape)
    rgb = img_as_float(data.astronaut())
    rgb = rgb + 0.1 * rng.standard_normal(rgb.shape)
    rows = []
    _plans.CACHE.clear()
    tic = time.process_time()
    denoise(grey)
    cold = time.process_time() - tic
    fitted = Denoiser().fit(grey[None])
    pairs = {
        "grey 512², default call": (lambda: denoise_wavelet(grey, rescale_sigma=True),
                                    lambda: denoise(grey)),
        "grey 512², fitted Denoiser": (lambda: denoise_wavelet(grey, rescale_sigma=True),
                                       lambda: fitted.transform(grey[None])),
        "colour 512², default call": (
            lambda: denoise_wavelet(rgb, channel_axis=-1, convert2ycbcr=True,
                                    method="BayesShrink", rescale_sigma=True),
            lambda: denoise(rgb, channel_axis=-1)),
    }
    for label, (peer, mine) in pairs.items():
        peer(), mine()
        peer_t, mine_t = [], []
        for _ in range(repeat):
            tic = time.process_time()
            peer()
            peer_t.append(time.process_time() - tic)
            tic = time.process_time()
            mine()
            mine_t.append(time.process_time() - tic)
        rows.append({"case": label, "skimage ms": round(1e3 * np.median(peer_t), 1),
                     "ours ms": round(1e3 * np.median(mine_t), 1),
                     "ratio": round(np.median(mine_t) / np.median(peer_t), 1)})
    rows.append({"case": "grey 512², first call (empty cache)", "skimage ms": "",
                 "ours ms": round(1e3 * cold, 1), "ratio": ""})
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="three images per set, no BM3D, fewer timing repeats")
    parser.add_argument("--no-bm3d", action="store_true", help="skip BM3D and CBM3D")
    parser.add_argument("--timing-only", action="store_true",
                        help="rerun the 512² timings only and update them in the results file")
    args = parser.parse_args()
    if args.timing_only:
        import json

        from _common import RESULTS
        times = timing(15)
        print_table(times, list(times[0]))
        path = RESULTS / "bench_denoise_defaults.json"
        payload = json.loads(path.read_text())
        payload["timing"] = times
        path.write_text(json.dumps(payload, indent=2))
        print(f"updated the timings in {path}")
        return
    use_bm3d = not (args.quick or args.no_bm3d)
    if use_bm3d:
        try:
            import bm3d  # noqa: F401
        except ImportError:
            print("bm3d is not installed: BM3D and CBM3D skipped")
            use_bm3d = False
    pick = (lambda names: names[:3]) if args.quick else (lambda names: names)

    peers = {"skimage default": skimage_default, "cycle-spun db1": skimage_spun("db1"),
             "cycle-spun db2": skimage_spun("db2")}
    print("\n== Tuning set ==")
    tuning = run_grey(pick(TUNING), {**peers, **tuning_methods()}, seed=0)
    tuning_rows = summary(tuning, tuning_methods())
    print_table(tuning_rows, list(tuning_rows[0]))

    print("\n== Held-out set ==")
    held_methods = {**peers, "ours default": ours()}
    if use_bm3d:
        held_methods["BM3D (true σ)"] = bm3d_grey
    held = run_grey(pick(HELDOUT), held_methods, seed=1)
    held_rows = summary(held, {k: v for k, v in held_methods.items() if k != "skimage default"})
    print_table(held_rows, list(held_rows[0]))
    per_case = [{"image": r["image"], "σ": r["sigma"], "noisy": round(r["noisy"], 2),
                 **{k: round(r[k], 2) for k in held_methods},
                 "Δ ours − skimage": round(r["ours default"] - r["skimage default"], 2)}
                for r in held]
    print_table(per_case, list(per_case[0]))

    print("\n== Colour ==")
    colour_tuned = run_colour(pick(COLOUR_TUNING), seed=2, use_bm3d=use_bm3d)
    colour_held = run_colour(pick(COLOUR_HELDOUT), seed=3, use_bm3d=use_bm3d)
    colour_rows = {"tuned on": colour_summary(colour_tuned),
                   "never seen": colour_summary(colour_held)}
    for title, rows in colour_rows.items():
        print(f"\ncolour photographs {title}")
        print_table(rows, list(rows[0]))

    print("\n== Time at 512x512 (CPU time, one thread) ==")
    times = timing(5 if args.quick else 15)
    print_table(times, list(times[0]))

    write_results("bench_denoise_defaults" + ("_quick" if args.quick else ""), {
        "sigmas": SIGMAS, "tuning": {"records": tuning, "summary": tuning_rows},
        "heldout": {"records": held, "summary": held_rows},
        "colour": {"tuned_on": colour_tuned, "never_seen": colour_held,
                   "summary": colour_rows},
        "timing": times})


if __name__ == "__main__":
    main()
