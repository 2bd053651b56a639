"""n-term approximation study: Fourier, wavelets, curvelets, UDCT, a learned dictionary.

    OMP_NUM_THREADS=1 python benchmarks/bench_nterm.py [--quick]

Budgets n count real coefficients (terms) and are also given as a fraction of
the pixel count N. Error: relative squared error ‖x − x_n‖²/‖x‖² (and PSNR with
the image's range as peak). Systems:

* Fourier: the unitary DFT, each complex coefficient one term (a conjugate pair
  is two real numbers), keep the largest;
* Haar, db4, sym8: orthonormal DWT (periodization); keeping the largest is the
  best n-term approximation, so no IHT is needed (tests check both facts);
* our curvelets (16 angles), ``finest="curvelets"`` and ``"wavelets"``, each
  with ``nterm_approximation(method="largest")`` (coefficient × atom norm) and
  ``method="iht"`` (normalised IHT, sparse synthesis, the fair rule in a frame);
* UDCT from the ``curvelets`` PyPI package (a peer; 3 wedges per direction),
  wrapped in a 20-line adapter with ``transform``/``inverse_transform``/``bands_``
  so that ``nterm_approximation`` runs on it unchanged;
* a learned dictionary: scikit-learn's ``MiniBatchDictionaryLearning`` (256
  atoms) on 8×8 patches (7×7 for Fashion-MNIST) of training images of the same
  kind, OMP coding of each non-overlapping patch of a held-out image with k
  non-zeros, i.e. n = k·N/64 terms (images up to 512²).

IHT budgets and iterations per size are in ``IHT_PLAN`` (fewer at large sizes to
keep the run under 20 minutes on 2 shared cores; IHT is not converged there, so
its errors are upper bounds on the fair n-term error).

Images: cartoons (``make_cartoon``; "smooth": anti-aliased edge, supersample 4,
2 at 2048², at 256² … 2048²; "sharp": aliased edge, supersample 1, at 256² and
512²); scikit-image's
camera and astronaut (512², grey); 20 Fashion-MNIST test images (mean error;
IHT with 30 iterations there). UDCT is measured with "largest" only (its
per-image Python loop made IHT too slow for this run).
Reported: slopes of log error against log n fitted over n ∈ [N/4096, N/256] and
[N/256, N/32] (before the orthogonal wavelets' error collapses at larger n), the
n ranges where each curvelet system has a lower error than the best orthogonal
wavelet, and PSNR at n = N/256, N/64, N/16. Writes results/bench_nterm.json and
nterm.png. Report, don't tune: finite sizes and pixel-scale edges matter here.
"""

import argparse
import time
from collections import namedtuple

import numpy as np
from _common import RESULTS, print_table, write_results
from skimage import color, data, img_as_float
from sklearn.base import BaseEstimator
from sklearn.decomposition import MiniBatchDictionaryLearning, sparse_encode
from sklearn.feature_extraction.image import extract_patches_2d

from sklearn_sparsecode import CurveletTransformer, WaveletTransformer
from sklearn_sparsecode.datasets import load_fashion_mnist, make_cartoon
from sklearn_sparsecode.restoration import band_atom_norms, nterm_approximation

WAVELETS = ("haar", "db4", "sym8")
FIXED = (256, 64, 16)  # PSNR reported at n = N / FIXED

# ------------------------------------------------------------------ systems


def fourier_errors(image, ns):
    energy = np.sum(image**2)
    kept = np.cumsum(np.sort(np.abs(np.fft.fft2(image, norm="ortho")).ravel() ** 2)[::-1])
    return np.array([(energy - kept[min(n, kept.size) - 1]) / energy for n in ns])


def exact_level(shape, wavelet):
    """Deepest level at which periodization halves every side exactly (an orthonormal
    basis: one coefficient per pixel); 28 = 4·7 allows 2 levels."""
    level = 0
    while all(s % 2 ** (level + 1) == 0 for s in shape) and level < 12:
        level += 1
    from sklearn_sparsecode.wavelets import max_n_scales
    return max(1, min(level, max_n_scales(shape, wavelet)))


def wavelet_errors(image, ns, wavelet):
    """Orthonormal basis: the error of the n largest is the energy of the rest."""
    coefs = WaveletTransformer(wavelet=wavelet, n_scales=exact_level(image.shape, wavelet)
                               ).fit_transform(image[None])[0]
    assert coefs.size == image.size, "not an orthonormal basis at this size"
    energy = np.sum(image**2)
    kept = np.cumsum(np.sort(coefs**2)[::-1])
    return np.array([max(energy - kept[min(n, kept.size) - 1], 0.0) / energy for n in ns])


def frame_errors(image, est, norms, ns, method, max_iter):
    energy = np.sum(image**2)
    out = []
    for n in ns:
        approx = nterm_approximation(image, est, int(n), method=method, atom_norms=norms,
                                     max_iter=max_iter, tol=1e-5)
        out.append(np.sum((image - approx) ** 2) / energy)
    return np.array(out)


UBand = namedtuple("UBand", "scale part shape start stop lowpass")


class UDCTAdapter(BaseEstimator):
    """The ``curvelets`` package's UDCT seen through our transformer API (real view:
    each complex coefficient gives a real and an imaginary term)."""

    def __init__(self, *, num_scales=4, wedges_per_direction=3):
        self.num_scales = num_scales
        self.wedges_per_direction = wedges_per_direction

    def fit(self, X, y=None):
        from curvelets.numpy import UDCT

        self.input_shape_ = tuple(np.shape(X)[1:])
        self.udct_ = UDCT(self.input_shape_, num_scales=self.num_scales,
                          wedges_per_direction=self.wedges_per_direction)
        template = self.udct_.forward(np.zeros(self.input_shape_))
        shapes, scales = [], []
        for scale, directions in enumerate(template):
            for wedges in directions:
                for w in wedges:
                    shapes.append(tuple(np.shape(w)))
                    scales.append(scale)
        self.half_ = sum(int(np.prod(s)) for s in shapes)
        bands, start = [], 0
        for part in ("re", "im"):
            for scale, shape in zip(scales, shapes):
                size = int(np.prod(shape))
                bands.append(UBand(scale, part, shape, start, start + size,
                                   scale == 0 and part == "re"))
                start += size
        self.bands_ = bands
        return self

    def transform(self, X):
        out = []
        for x in np.asarray(X):
            v = self.udct_.vect(self.udct_.forward(x))
            out.append(np.concatenate([v.real, v.imag]))
        return np.array(out)

    def inverse_transform(self, C):
        C = np.asarray(C)
        return np.array([self.udct_.backward(self.udct_.struct(c[:self.half_]
                                                              + 1j * c[self.half_:]))
                         for c in C])


class PatchDictionary:
    """MiniBatchDictionaryLearning on patches; OMP coding of non-overlapping patches."""

    def __init__(self, patch, n_atoms=256, seed=0):
        self.patch, self.n_atoms, self.seed = patch, n_atoms, seed

    def fit(self, images, n_patches=5000):
        rng = np.random.default_rng(self.seed)
        per = max(1, n_patches // len(images))
        patches = np.concatenate([
            extract_patches_2d(im, (self.patch, self.patch), max_patches=per,
                               random_state=int(rng.integers(2**31))).reshape(-1,
                                                                               self.patch**2)
            for im in images])
        self.model_ = MiniBatchDictionaryLearning(
            n_components=self.n_atoms, alpha=0.1, batch_size=256, max_iter=2,
            random_state=self.seed).fit(patches)
        return self

    def errors(self, image, ks):
        p = self.patch
        h, w = (image.shape[0] // p) * p, (image.shape[1] // p) * p
        crop = image[:h, :w]
        blocks = crop.reshape(h // p, p, w // p, p).transpose(0, 2, 1, 3).reshape(-1, p * p)
        D = self.model_.components_
        energy = np.sum(crop**2)
        out = []
        for k in ks:
            codes = sparse_encode(blocks, D, algorithm="omp", n_nonzero_coefs=int(k))
            out.append(np.sum((blocks - codes @ D) ** 2) / energy)
        return np.array(out), crop.size


# ------------------------------------------------------------------ analysis


def slope(ns, errors, lo, hi):
    ns, errors = np.asarray(ns, float), np.asarray(errors, float)
    keep = (ns >= lo) & (ns <= hi) & (errors > 0)
    if keep.sum() < 2:
        return None
    return round(float(np.polyfit(np.log(ns[keep]), np.log(errors[keep]), 1)[0]), 2)


def ranges_below(ns, a, b):
    """Maximal runs of the grid where a < b, as [first n, last n] pairs."""
    runs, start = [], None
    for n, x, y in zip(ns, a, b):
        if x < y and start is None:
            start = n
        if not x < y and start is not None:
            runs.append([int(start), int(prev)])
            start = None
        prev = n
    if start is not None:
        runs.append([int(start), int(ns[-1])])
    return runs


def psnr_of(relative_error, image):
    mse = relative_error * np.sum(image**2) / image.size
    return float(10 * np.log10(np.ptp(image) ** 2 / max(mse, 1e-300)))


def study(name, image, iht_budgets, max_iter, dictionary=None, udct_iht=True):
    """Every system on one image; returns curves {label: (ns, errors)}."""
    N = image.size
    grid = np.geomspace(max(N / 4096, 4), N / 8, 14)
    ns = np.unique(np.concatenate([grid, [N / f for f in FIXED]]).astype(int))
    curves, seconds = {}, {}

    def timed(label, func, grid_=ns):
        tic = time.perf_counter()
        curves[label] = (np.asarray(grid_), func(grid_))
        seconds[label] = round(time.perf_counter() - tic, 2)
        print(f"  {name:28s} {label:34s} {seconds[label]:7.1f} s", flush=True)

    timed("Fourier", lambda g: fourier_errors(image, g))
    for wavelet in WAVELETS:
        timed(wavelet, lambda g, w=wavelet: wavelet_errors(image, g, w))
    iht_ns = np.unique(np.array([N / b for b in iht_budgets]).astype(int))
    for finest in ("curvelets", "wavelets"):
        est = CurveletTransformer(n_orientations=8, finest=finest).fit(image[None])
        norms = band_atom_norms(est)
        tag = "curvelets" if finest == "curvelets" else "curvelets (wavelets finest)"
        timed(f"{tag} largest", lambda g: frame_errors(image, est, norms, g, "largest", 0))
        timed(f"{tag} IHT", lambda g: frame_errors(image, est, norms, g, "iht", max_iter),
              iht_ns)
    try:
        n_scales = CurveletTransformer().fit(image[None]).n_scales_
        udct = UDCTAdapter(num_scales=min(n_scales, 5)).fit(image[None])
        norms = band_atom_norms(udct)
        timed("UDCT (curvelets pkg) largest",
              lambda g: frame_errors(image, udct, norms, g, "largest", 0))
        if udct_iht:
            timed("UDCT (curvelets pkg) IHT",
                  lambda g: frame_errors(image, udct, norms, g, "iht", max_iter), iht_ns)
    except Exception as exc:  # the peer is optional
        print(f"  UDCT skipped: {type(exc).__name__}: {exc}")
    if dictionary is not None:
        ks = [k for k in (1, 2, 4, 8) if k < dictionary.patch**2]
        errors, n_pix = dictionary.errors(image, ks)
        curves["learned dictionary (OMP)"] = (
            np.array([k * n_pix // dictionary.patch**2 for k in ks]), errors)
    return curves, seconds


def best_wavelet_curve(curves):
    """The best orthogonal wavelet at every n: the pointwise minimum over WAVELETS."""
    ns = curves[WAVELETS[0]][0]
    return ns, np.min([curves[w][1] for w in WAVELETS], axis=0)


def summarise(name, N, peak_energy, curves):
    """Table rows for one image. ``peak_energy`` = (peak², ‖x‖²/N) for PSNR."""
    peak2, mean_energy = peak_energy
    ref_ns, ref = best_wavelet_curve(curves)
    rows = []
    for label, (ns, errors) in curves.items():
        ns, errors = np.asarray(ns), np.asarray(errors)
        row = {"image": name, "system": label,
               "slope [N/4096,N/256]": slope(ns, errors, N / 4096, N / 256),
               "slope [N/256,N/32]": slope(ns, errors, N / 256, N / 32)}
        for f in FIXED:
            hit = np.flatnonzero(ns == int(N / f))
            row[f"PSNR n=N/{f}"] = (round(float(10 * np.log10(
                peak2 / max(errors[hit[0]] * mean_energy, 1e-300))), 2) if len(hit) else "-")
        if label not in WAVELETS and label != "Fourier":
            on_grid = np.isin(ref_ns, ns)
            mine = {int(n): e for n, e in zip(ns, errors)}
            common = ref_ns[on_grid]
            row["below best wavelet at n"] = ranges_below(
                common, [mine[int(n)] for n in common], ref[on_grid]) or "never"
        rows.append(row)
    return rows


def images(quick):
    out = {}
    sizes = (128, 256) if quick else (256, 512, 1024, 2048)
    for size in sizes:
        out[f"cartoon smooth {size}"] = make_cartoon(size, supersample=4 if size < 2048 else 2,
                                                     random_state=0)
        if size <= 512:
            out[f"cartoon sharp {size}"] = make_cartoon(size, supersample=1, random_state=0)
    if not quick:
        out["camera 512"] = img_as_float(data.camera())
        out["astronaut 512"] = color.rgb2gray(data.astronaut())
    return out


# Per size: IHT budgets (as N / b) and iterations, chosen for a < 20 min run.
IHT_PLAN = {128: ((256, 64), 30), 256: ((1024, 256, 64, 16), 60),
            512: ((256, 64, 16), 40), 1024: ((256, 64), 20), 2048: ((256,), 10)}


def dictionaries(quick):
    """One dictionary per kind of image, trained on images not in the study."""
    size = 128 if quick else 256
    smooth = [make_cartoon(size, random_state=s) for s in range(100, 106)]
    sharp = [make_cartoon(size, supersample=1, random_state=s) for s in range(100, 106)]
    photos = [img_as_float(data.coins()), img_as_float(data.moon()), img_as_float(data.page()),
              img_as_float(data.text()), color.rgb2gray(data.chelsea()),
              color.rgb2gray(data.coffee())]
    return {"smooth": PatchDictionary(8).fit(smooth), "sharp": PatchDictionary(8).fit(sharp),
            "photo": PatchDictionary(8).fit(photos)}


def fashion(quick, n_test):
    try:
        train = load_fashion_mnist(subset="train").images[:2000] / 255.0
        test = load_fashion_mnist(subset="test").images[:n_test] / 255.0
    except FileNotFoundError:
        print("Fashion-MNIST not installed: skipped")
        return None
    dictionary = PatchDictionary(7, n_atoms=196).fit(list(train), n_patches=5000)
    ns = np.array([8, 16, 24, 32, 49, 64, 98, 128, 196])  # N/98 … N/4
    curves = {}
    energy = np.sum(test**2, axis=(1, 2))
    curves["Fourier"] = np.mean([fourier_errors(x, ns) for x in test], axis=0)
    for w in WAVELETS:
        curves[w] = np.mean([wavelet_errors(x, ns, w) for x in test], axis=0)
    for finest in ("curvelets", "wavelets"):
        est = CurveletTransformer(n_orientations=8, finest=finest).fit(test[:1])
        norms = band_atom_norms(est)
        tag = "curvelets" if finest == "curvelets" else "curvelets (wavelets finest)"
        for method, label in (("largest", "largest"), ("iht", "IHT")):
            curves[f"{tag} {label}"] = np.mean(
                [frame_errors(x, est, norms, ns, method, 30) for x in test], axis=0)
    try:
        udct = UDCTAdapter(num_scales=2).fit(test[:1])
        norms = band_atom_norms(udct)
        curves["UDCT (curvelets pkg) largest"] = np.mean(
            [frame_errors(x, udct, norms, ns, "largest", 0) for x in test], axis=0)
    except Exception as exc:
        print(f"  UDCT skipped on 28x28: {type(exc).__name__}: {exc}")
    ks = np.array([1, 2, 4, 8])
    dict_err = np.mean([dictionary.errors(x, ks)[0] for x in test], axis=0)
    del energy
    result = {label: (ns, e) for label, e in curves.items()}
    result["learned dictionary (OMP)"] = (ks * 16, dict_err)  # 16 patches of 7x7 per image
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="128/256 cartoons only")
    parser.add_argument("--from-json", action="store_true",
                        help="re-print the tables and re-plot from results/bench_nterm.json")
    parser.add_argument("--only-fashion", action="store_true",
                        help="recompute the Fashion-MNIST part into results/bench_nterm.json")
    parser.add_argument("--scan", type=int, default=0, metavar="SIZE",
                        help="finer IHT grid around the crossover on SIZE² cartoons")
    args = parser.parse_args()
    if args.from_json:
        return report_from_json(RESULTS / "bench_nterm.json")
    if args.scan:
        return crossover_scan(args.scan)
    if args.only_fashion:
        return redo_fashion(RESULTS / "bench_nterm.json")
    tic = time.perf_counter()
    dicts = dictionaries(args.quick)
    print(f"dictionaries trained in {time.perf_counter() - tic:.0f} s", flush=True)
    results, all_rows, all_curves = {}, [], {}
    for name, image in images(args.quick).items():
        size = image.shape[0]
        kind = "photo" if not name.startswith("cartoon") else name.split()[1]
        budgets, max_iter = IHT_PLAN[size]
        curves, seconds = study(name, image, budgets, max_iter,
                                dictionary=dicts[kind] if size <= 512 else None,
                                udct_iht=False)
        peak_energy = (float(np.ptp(image)) ** 2, float(np.mean(image**2)))
        rows = summarise(name, image.size, peak_energy, curves)
        all_rows += rows
        all_curves[name] = curves
        results[name] = {"N": image.size, "peak_energy": peak_energy, "seconds": seconds,
                         "max_iter_iht": max_iter, "rows": rows,
                         "curves": {k: {"n": v[0].tolist(), "error": v[1].tolist()}
                                    for k, v in curves.items()}}
        # Written after every image, so a cut-short run keeps what it measured.
        write_results("bench_nterm" + ("_quick" if args.quick else ""), results)
    fm = fashion(args.quick, 10 if args.quick else 20)
    if fm is not None:
        name, entry = fashion_entry(fm)
        results[name] = entry
        all_curves[name] = fm
    print_tables(all_rows)
    write_results("bench_nterm" + ("_quick" if args.quick else ""), results)
    plot(all_curves, RESULTS / ("nterm_quick.png" if args.quick else "nterm.png"))
    print(f"total {time.perf_counter() - tic:.0f} s")


def fashion_entry(fm):
    name = "Fashion-MNIST 28x28 (mean of test images)"
    rows = []
    for label, (ns, errors) in fm.items():
        ns = list(np.asarray(ns))
        rows.append({"image": "Fashion-MNIST", "system": label,
                     **{f"rel. error n={n}": f"{errors[ns.index(n)]:.2e}" if n in ns else "-"
                        for n in (16, 32, 64, 128)},
                     "slope all n": slope(ns, errors, 0, 10**9)})
    print(f"\n{name}")
    print_table(rows, list(rows[0]))
    return name, {"N": 784, "rows": rows,
                  "curves": {k: {"n": np.asarray(v[0]).tolist(),
                                 "error": np.asarray(v[1]).tolist()} for k, v in fm.items()}}


def redo_fashion(path):
    import json

    results = json.loads(path.read_text())
    fm = fashion(False, 20)
    name, entry = fashion_entry(fm)
    results[name] = entry
    path.write_text(json.dumps(results, indent=2))
    print(f"updated {path}")


def crossover_scan(size):
    """Curvelet IHT against the best orthogonal wavelet on a finer n grid.

    N/2048 … N/16 on both cartoons (40 iterations) up to 1024²; at 2048² the
    smooth cartoon only (supersample 2, as in the study), N/2048 … N/512 with
    30 iterations, which is what fits the time.
    """
    out = {}
    if size >= 2048:
        kinds, denominators, max_iter = (("smooth", 2),), (2048, 1024, 512), 30
    else:
        kinds, denominators, max_iter = (("smooth", 4), ("sharp", 1)), np.geomspace(2048, 16, 8), 40
    for kind, supersample in kinds:
        image = make_cartoon(size, supersample=supersample, random_state=0)
        N = image.size
        ns = np.unique((N / np.asarray(denominators, float)).astype(int))
        best = np.min([wavelet_errors(image, ns, w) for w in WAVELETS], axis=0)
        est = CurveletTransformer(n_orientations=8).fit(image[None])
        norms = band_atom_norms(est)
        iht = frame_errors(image, est, norms, ns, "iht", max_iter)
        ratio = (iht / best).round(3).tolist()
        out[kind] = {"n": ns.tolist(), "fraction_of_N": (ns / N).round(5).tolist(),
                     "best_wavelet": best.tolist(), "curvelets_iht": iht.tolist(),
                     "error_ratio_iht_over_best_wavelet": ratio,
                     "below": ranges_below(ns, iht, best) or "never"}
        print(f"{kind} {size}²: n = {ns.tolist()}\n  IHT / best wavelet error: {ratio}"
              f"\n  curvelets below the best wavelet for n in {out[kind]['below']}", flush=True)
    write_results(f"bench_nterm_scan_{size}", {"size": size, "max_iter": max_iter, **out})


def print_tables(all_rows):
    columns = ["image", "system", "slope [N/4096,N/256]", "slope [N/256,N/32]"] + [
        f"PSNR n=N/{f}" for f in FIXED]
    print("\nSlopes of log(relative squared error) vs log(n), PSNR (dB) at fixed budgets")
    print_table(all_rows, columns)
    print("\nWhere each system beats the best orthogonal wavelet at that n (runs of the grid)")
    for row in all_rows:
        if "below best wavelet at n" in row:
            print(f"  {row['image']:22s} {row['system']:36s} {row['below best wavelet at n']}")


def report_from_json(path):
    import json

    results = json.loads(path.read_text())
    all_rows, all_curves = [], {}
    study_images = None
    for name, entry in results.items():
        if name == "machine" or "curves" not in entry:
            continue
        curves = {k: (np.asarray(v["n"]), np.asarray(v["error"]))
                  for k, v in entry["curves"].items()}
        all_curves[name] = curves
        if "peak_energy" not in entry and not name.startswith("Fashion"):
            study_images = study_images or images(False)
            image = study_images[name]
            entry["peak_energy"] = (float(np.ptp(image)) ** 2, float(np.mean(image**2)))
            entry.pop("best_wavelet", None)
        if "peak_energy" in entry:
            entry["rows"] = summarise(name, entry["N"], entry["peak_energy"], curves)
        all_rows += entry["rows"]
    print_tables([r for r in all_rows if "slope [N/4096,N/256]" in r])
    path.write_text(json.dumps(results, indent=2))
    plot(all_curves, RESULTS / "nterm.png")


def plot(all_curves, path):
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    names = list(all_curves)
    cols = 4
    rows = -(-len(names) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.6 * cols, 3.8 * rows), squeeze=False)
    for ax, name in zip(axes.ravel(), names):
        for label, (ns, errors) in all_curves[name].items():
            keep = np.asarray(errors) > 1e-14
            style = "--" if label in WAVELETS or label == "Fourier" else "-"
            ax.loglog(np.asarray(ns)[keep], np.asarray(errors)[keep], style, marker=".",
                      markersize=3, label=label, lw=1)
        ax.set_title(name, fontsize=9)
        ax.set_xlabel("n (terms)", fontsize=8)
        ax.set_ylabel("‖x − x_n‖² / ‖x‖²", fontsize=8)
        ax.grid(True, which="both", alpha=0.3)
    for ax in axes.ravel()[len(names):]:
        ax.set_axis_off()
    axes[0][0].legend(fontsize=6)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
