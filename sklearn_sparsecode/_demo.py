"""Command-line demo: every front end of the two-layer model, side by side.

``python -m sklearn_sparsecode`` (or ``sklearn-sparsecode``) builds, for each
fixed front end W (pixels, wavelets + threshold, pooled curvelets, and the
others where they apply), the two-layer model of :func:`make_two_layer_model`,
tunes τ (a grid of quantiles of |W x|) and the head's C by cross-validation
for each head, keeps the head with the best CV score, and scores the test set
once. It prints one table row per front end, writes the JSON of every search
and a figure (CV accuracy against τ per front end, atoms of the winner).

The first layer is cached with ``Pipeline(memory=...)`` in a temporary folder
(deleted at exit, never the working directory): every τ, C and head of one
front end reuses it.
"""

import argparse
import json
import platform
import sys
import tempfile
import time
import warnings
from datetime import datetime, timezone
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pywt
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from threadpoolctl import threadpool_limits

from ._model import HEADS, TAU
from .datasets import load_train_test
from ._model import make_two_layer_model as _make_model
from ._wavelet import max_wavelet_level

DATASETS = ("digits", "fashion-mnist")
# C candidates per head (as in benchmarks/bench_accuracy.py).
C_GRIDS = {"svc": (3.0, 10.0), "logistic": (0.01, 0.1), "linear-svm": (0.001, 0.01)}
DEFAULT_HEADS = ("svc", "logistic")
# τ candidates as quantiles of |features| on the training images: 0 (no
# threshold), then half, 80% and 95% of the entries zeroed (before pooling).
DEFAULT_QUANTILES = (0.0, 0.5, 0.8, 0.95)
# Default sizes: all of digits; a Fashion-MNIST subset (--full: 60,000 / 10,000).
SUBSET_SIZES = {"digits": (None, None), "fashion-mnist": (2000, 2000)}
FULL_TUNE_SIZE = 5000  # --full tunes on the first 5,000 images, refits on all


class FrontEnd(NamedTuple):
    """A fixed first layer in the demo: name, transformer, threshold sign."""

    name: str
    transformer: object  # estimator, or "passthrough" for pixels
    sign: str
    thresholded: bool  # whether τ is searched (not for pixels)


# Front ends contributed by other modules of the package, used when they are
# importable from ``sklearn_sparsecode``: (name, class name, factory). The
# factory gets the class and the image shape and returns (transformer, sign),
# or None when the image is too small. This is the extension point for the
# scattering and contourlet transforms.
def _scattering(cls, shape):
    # One octave on 8 x 8 digits (J=2 averages them to a 2 x 2 grid: 0.959
    # against 0.990 with J=1, benchmarks/results/accuracy_scattering_digits.json).
    return cls(n_scales=1 if min(shape) < 16 else 2), "keep"


def _pooled_contourlets(cls, shape):
    from ._pooling import LocalPooling

    # Undecimated (shift invariant, any image size), pooled like the curvelets.
    return LocalPooling(transformer=cls(decimated=False), grid=4 if min(shape) < 16 else 7,
                        power=0.5), "keep"


OPTIONAL_FRONT_ENDS = [
    ("scattering", "ScatteringTransformer", _scattering),
    ("pooled contourlets", "ContourletTransformer", _pooled_contourlets),
]


def front_ends(image_shape, *, wavelet="haar", level=2, include=None):
    """The demo's front ends for images of ``image_shape``, in table order."""
    from importlib import import_module

    from ._cnn import CNNFeatureExtractor
    from ._curvelet import CurveletTransformer
    from ._pooling import LocalPooling
    from ._wavelet import WaveletTransformer

    small = min(image_shape) < 16
    # The accuracy study's settings: on 8 x 8 digits 2 scales, 16 angles, a
    # 4 x 4 grid; on 28 x 28 images 3 scales, 8 angles, 7 x 7 cells.
    curvelets = CurveletTransformer(n_scales=2 if small else 3, n_angles=16 if small else 8,
                                    decimated=False)
    found = [
        FrontEnd("pixels", "passthrough", "keep", False),
        FrontEnd(f"{wavelet} L{level} wavelets", WaveletTransformer(wavelet=wavelet, level=level),
                 "split", True),
        FrontEnd("pooled curvelets",
                 LocalPooling(transformer=curvelets, grid=4 if small else 7, power=0.5),
                 "keep", True),
    ]
    package = import_module(__package__)
    for name, class_name, factory in OPTIONAL_FRONT_ENDS:
        cls = getattr(package, class_name, None)
        if cls is None:
            continue
        try:  # a front end that cannot handle this image size is left out, not fatal
            made = factory(cls, image_shape)
            if made is not None:
                clone(made[0]).fit(np.zeros((2, *image_shape)))
        except (ValueError, TypeError) as exc:
            warnings.warn(f"{name} left out for {image_shape[0]}x{image_shape[1]} images: {exc}",
                          stacklevel=2)
            continue
        if made is not None:
            found.append(FrontEnd(name, made[0], made[1], True))
    if min(image_shape) >= 28:  # LeNet-5 pads 28 x 28 to 32 x 32
        found.append(FrontEnd("LeNet-5 trained (act3)",
                              CNNFeatureExtractor(weights="lenet5-fashion-mnist",
                                                  output_layer="act3"), "split", True))
    if include is not None:
        found = [f for f in found if any(key in _key(f.name) for key in include)]
    return found


def _key(name):
    return name.lower().replace(" ", "-")


def _features(transformer, X):
    if transformer == "passthrough":
        return X.reshape(len(X), -1)
    return clone(transformer).fit_transform(X)


def _tau_grid(features, quantiles):
    magnitudes = np.abs(features[:2000]).ravel()
    return sorted({float(np.quantile(magnitudes, q)) if q > 0 else 0.0 for q in quantiles})


def _search(front_end, head, taus, data, args, cache):
    """GridSearchCV over τ and C for one front end and head; refit on all training data."""
    X_tune, y_tune, X_train, y_train, X_test, y_test = data
    model = _make_model(front_end.transformer, sign=front_end.sign, mode=args.mode,
                                 head=head, memory=cache)
    grid = {TAU: taus, "head__clf__C": list(C_GRIDS[head])}
    cv = StratifiedKFold(args.cv, shuffle=True, random_state=0)
    search = GridSearchCV(model, grid, cv=cv, n_jobs=args.n_jobs, refit=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X_tune, y_tune)
        best = clone(model).set_params(**search.best_params_).fit(X_train, y_train)
    results = search.cv_results_
    best_C = search.best_params_["head__clf__C"]
    curve = [{"tau": float(p[TAU]), "cv_accuracy": float(results["mean_test_score"][i]),
              "cv_std": float(results["std_test_score"][i])}
             for i, p in enumerate(results["params"]) if p["head__clf__C"] == best_C]
    return best, {
        "head": head, "C": float(best_C), "tau": float(search.best_params_[TAU]),
        "cv_accuracy": float(search.best_score_),
        "cv_std": float(results["std_test_score"][search.best_index_]),
        "test_accuracy": float(best.score(X_test, y_test)), "tau_curve": curve,
    }


def _versions():
    import scipy
    import sklearn

    from . import __version__

    return {"python": platform.python_version(), "numpy": np.__version__,
            "scipy": scipy.__version__, "scikit-learn": sklearn.__version__,
            "PyWavelets": pywt.__version__, "sklearn-sparsecode": __version__}


def run(args, out=None, progress=None):
    """Run the comparison; return ``{"settings": ..., "rows": [...]}``.

    ``out`` receives the table (default stdout), ``progress`` the progress
    lines (default stderr; silenced by ``args.quiet``).
    """
    out = out or sys.stdout
    progress = progress or sys.stderr

    def say(*parts):
        print(*parts, file=out, flush=True)

    start = time.perf_counter()

    def note(text):
        if not args.quiet:
            print(f"[{time.perf_counter() - start:6.1f} s] {text}", file=progress, flush=True)

    X_train, y_train, X_test, y_test = args.data
    n_tune = min(len(X_train), args.n_tune or len(X_train))
    data = (X_train[:n_tune], y_train[:n_tune], X_train, y_train, X_test, y_test)
    shape = X_train.shape[1:]
    chosen = front_ends(shape, wavelet=args.wavelet, level=args.level, include=args.front_ends)
    settings = {
        "dataset": args.dataset, "image_shape": list(shape), "n_train": len(X_train),
        "n_test": len(X_test), "n_tune": n_tune, "cv": args.cv, "mode": args.mode,
        "tau_quantiles": list(args.tau_quantiles),
        "heads": {h: {"C": list(C_GRIDS[h]), "standardised": HEADS[h][2]} for h in args.heads},
        "front_ends": {f.name: {"transformer": repr(f.transformer), "sign": f.sign}
                       for f in chosen},
        "blas_threads": 1, "n_jobs": args.n_jobs,
        "versions": _versions(), "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    say(f"{args.dataset}: {len(X_train)} training images (τ and C tuned by {args.cv}-fold CV on "
        f"{n_tune}), {len(X_test)} test images of {shape[0]}x{shape[1]}; heads: "
        f"{', '.join(args.heads)}")

    rows, fitted = [], {}
    # One BLAS thread: these fits are small, and threaded BLAS on them is slower
    # (a LogisticRegression fit on 600 x 208 features took 1.7 s with two
    # threads on a loaded 2-core machine, 0.07 s with one); parallelism, if
    # any, comes from --n-jobs over CV fits.
    with threadpool_limits(limits=1, user_api="blas"), \
            tempfile.TemporaryDirectory(prefix="sparsecode-cache-") as tmp:
        cache = args.cache_dir or tmp
        for k, front_end in enumerate(chosen, 1):
            tic = time.perf_counter()
            features = _features(front_end.transformer, data[0])
            taus = _tau_grid(features, args.tau_quantiles) if front_end.thresholded else [0.0]
            searches = []
            for head in args.heads:
                note(f"{k}/{len(chosen)} {front_end.name} + {head}: {len(taus)} τ x "
                     f"{len(C_GRIDS[head])} C x {args.cv} folds ...")
                searches.append(_search(front_end, head, taus, data, args, cache))
            best, result = max(searches, key=lambda s: s[1]["cv_accuracy"])
            # Codes of the test images at the chosen τ: W, then the threshold.
            W = best["transform"]
            test_features = X_test.reshape(len(X_test), -1) if W == "passthrough" \
                else W.transform(X_test)
            codes = best["head"]["threshold"].transform(test_features)
            quantile_of_tau = float(np.mean(np.abs(features[:2000]) <= result["tau"])) \
                if result["tau"] > 0 else 0.0
            row = {"front_end": front_end.name, "sign": front_end.sign,
                   "n_features": int(codes.shape[1]),
                   "nonzero_fraction": float(np.count_nonzero(codes) / codes.size),
                   "tau_quantile": quantile_of_tau, **result,
                   "seconds": round(time.perf_counter() - tic, 2),
                   "all_heads": [s[1] for s in searches]}
            rows.append(row)
            fitted[front_end.name] = best
            note(f"{k}/{len(chosen)} {front_end.name}: best head {row['head']}, "
                 f"test accuracy {row['test_accuracy']:.4f} ({row['seconds']:.1f} s)")

    winner = max(rows, key=lambda r: r["cv_accuracy"])
    header = (f"{'front end':<24} {'features':>8} {'head':>10} {'best τ':>12} {'non-zero':>8} "
              f"{'CV acc':>13} {'test acc':>8} {'time s':>6}")
    say(header)
    say("-" * len(header))
    for row in rows:
        tau = f"{row['tau']:.3g} (q{100 * row['tau_quantile']:.0f})" if row["tau"] else "0"
        mark = "*" if row is winner else " "
        say(f"{row['front_end']:<24} {row['n_features']:>8} {row['head']:>10} {tau:>12} "
            f"{row['nonzero_fraction']:>8.2f} {row['cv_accuracy']:>7.4f}±{row['cv_std']:.3f} "
            f"{row['test_accuracy']:>8.4f}{mark}{row['seconds']:>6.1f}")
    total = time.perf_counter() - start
    say(f"* best by CV: {winner['front_end']} + {winner['head']} (C={winner['C']:g}), test "
        f"accuracy {winner['test_accuracy']:.4f}; total {total:.1f} s")
    settings["seconds"] = round(total, 1)
    result = {"settings": settings, "winner": winner["front_end"], "rows": rows}
    if args.output_dir:
        folder = Path(args.output_dir)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "demo_results.json").write_text(json.dumps(result, indent=2))
        png = _plot(result, fitted[winner["front_end"]], folder / "demo_front_ends.png")
        say(f"wrote {folder / 'demo_results.json'}" + (f" and {png}" if png else
            " (pip install matplotlib for the figure)"))
    return result


def _atoms_image(model):
    """The winner's atoms (plot_atoms) rendered to an RGBA array, or None."""
    import matplotlib.pyplot as plt

    from .plotting import plot_atoms

    W = model["transform"]
    W = getattr(W, "transformer_", W)  # LocalPooling: the transform it pools
    if not hasattr(W, "atom") or not hasattr(W, "bands_"):
        return None
    try:
        fig = plot_atoms(W, max_per_scale=8)
    except (ValueError, TypeError, AttributeError):  # a transform plot_atoms cannot draw
        return None
    fig.canvas.draw()
    image = np.asarray(fig.canvas.buffer_rgba()).copy()
    plt.close(fig)
    return image


def _plot(result, model, path):
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    settings, rows = result["settings"], result["rows"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.8),
                                      gridspec_kw={"width_ratios": [1, 1.2]})
    for row in rows:
        taus = [p["tau"] for p in row["tau_curve"]]
        # x: τ as the fraction of |features| it zeroes, comparable across front ends.
        features_q = [0.0] + list(settings["tau_quantiles"][1:])
        x = features_q[:len(taus)] if len(taus) > 1 else [0.0]
        cv = [p["cv_accuracy"] for p in row["tau_curve"]]
        label = f"{row['front_end']} + {row['head']}: test {row['test_accuracy']:.3f}"
        if len(taus) == 1:  # no threshold (pixels): a reference line
            left.axhline(cv[0], color="grey", ls="--", label=label)
            continue
        line, = left.plot(np.multiply(x, 100), cv, marker="o",
                          label=label)
        best_x = 100 * x[taus.index(row["tau"])] if row["tau"] in taus else 0
        left.plot([best_x], [row["cv_accuracy"]], marker="*", ms=14, color=line.get_color())
    left.set_xlabel("τ: share of |W x| it zeroes (%)")
    left.set_ylabel(f"{settings['cv']}-fold CV accuracy (best C)")
    left.set_title("Accuracy against τ (★ = chosen τ)")
    left.legend(fontsize=8, loc="lower left")
    left.grid(alpha=0.3)
    image = _atoms_image(model)
    right.set_axis_off()
    if image is not None:
        right.imshow(image)
        right.set_title(f"Atoms of the winner: {result['winner']}")
    else:
        right.text(0.5, 0.5, f"winner: {result['winner']}\n(no atoms to draw)",
                   ha="center", va="center")
    v = settings["versions"]
    heads = ", ".join(f"{h} C∈{tuple(s['C'])}" for h, s in settings["heads"].items())
    fig.suptitle(f"{settings['dataset']}: {settings['n_train']} train / {settings['n_test']} test, "
                 f"{settings['cv']}-fold CV on {settings['n_tune']}; {heads}; "
                 f"{settings['mode']} threshold\nsklearn-sparsecode {v['sklearn-sparsecode']}, "
                 f"scikit-learn {v['scikit-learn']}, numpy {v['numpy']}, {settings['date']}",
                 fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _comma_list(choices):
    def parse(text):
        values = [v.strip() for v in text.split(",") if v.strip()]
        bad = [v for v in values if v not in choices]
        if not values or bad:
            raise argparse.ArgumentTypeError(
                f"expected a comma-separated list of {', '.join(choices)}; got {text!r}")
        return values
    return parse


def _quantiles(text):
    try:
        values = sorted({float(v) for v in text.split(",") if v.strip()})
    except ValueError:
        values = []
    if not values or values[0] < 0 or values[-1] >= 1:
        raise argparse.ArgumentTypeError(
            f"τ quantiles must be a comma-separated list of numbers in [0, 1); got {text!r}")
    return values


def _positive_int(minimum):
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer; got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}; got {value}")
        return value
    return parse


def _n_jobs(text):
    value = _positive_int(-100)(text)
    if value == 0:
        raise argparse.ArgumentTypeError("n_jobs cannot be 0 (use 1, 2, ... or -1 for all cores)")
    return value


FRONT_END_KEYS = ("pixels", "wavelets", "pooled-curvelets", "scattering", "pooled-contourlets",
                  "lenet-5")


def build_parser():
    parser = argparse.ArgumentParser(
        prog="sklearn-sparsecode",
        description="Compare the fixed front ends of the two-layer model h = σ_τ(W x) → "
                    "classifier side by side: τ and C tuned by cross-validation for each head, "
                    "the best head per front end, test accuracy once.",
    )
    parser.add_argument("--dataset", choices=DATASETS, default="digits",
                        help="digits (bundled with scikit-learn, default) or fashion-mnist "
                             "(apt-get install dataset-fashion-mnist; a 2,000/2,000 subset "
                             "unless --full)")
    parser.add_argument("--full", action="store_true",
                        help="Fashion-MNIST at full size (60,000/10,000; τ and C tuned on the "
                             f"first {FULL_TUNE_SIZE}); slow: an RBF SVC fit takes minutes")
    parser.add_argument("--n-train", type=_positive_int(1), default=None,
                        help="use the first N training images")
    parser.add_argument("--n-test", type=_positive_int(1), default=None,
                        help="use the first N test images")
    parser.add_argument("--n-tune", type=_positive_int(1), default=None,
                        help="tune τ and C on the first N training images (default: all)")
    parser.add_argument("--front-ends", type=_comma_list(FRONT_END_KEYS), default=None,
                        help=f"subset of {','.join(FRONT_END_KEYS)} (default: all that apply)")
    parser.add_argument("--heads", type=_comma_list(tuple(C_GRIDS)), default=list(DEFAULT_HEADS),
                        help="heads to try per front end, the best by CV is kept "
                             f"(default {','.join(DEFAULT_HEADS)}; also linear-svm)")
    parser.add_argument("--wavelet", default=None, metavar="NAME",
                        help="PyWavelets discrete wavelet of the wavelet front end "
                             "(default haar on digits, db2 on Fashion-MNIST)")
    parser.add_argument("--level", type=_positive_int(1), default=2,
                        help="wavelet levels (default 2)")
    parser.add_argument("--mode", choices=("soft", "hard", "garrote"), default="soft",
                        help="threshold rule (default soft)")
    parser.add_argument("--tau-quantiles", type=_quantiles, default=list(DEFAULT_QUANTILES),
                        help="τ grid as quantiles of |features| (default 0,0.5,0.8,0.95)")
    parser.add_argument("--cv", type=_positive_int(2), default=3, help="CV folds (default 3)")
    parser.add_argument("--n-jobs", type=_n_jobs, default=None, help="GridSearchCV n_jobs")
    parser.add_argument("--output-dir", default="demo_output",
                        help="folder for demo_results.json and demo_front_ends.png "
                             "(default demo_output; '' writes nothing)")
    parser.add_argument("--cache-dir", default=None,
                        help="Pipeline(memory=...) cache folder (default: a temporary folder "
                             "deleted at exit)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    return parser


def _check_data(args, parser):
    """Load the data and check the arguments that depend on it (parser.error exits 2)."""
    n_train, n_test = args.n_train, args.n_test
    if args.full and args.dataset != "fashion-mnist":
        parser.error("--full applies to --dataset fashion-mnist (digits always runs in full)")
    if not args.full:
        default_train, default_test = SUBSET_SIZES[args.dataset]
        n_train = n_train or default_train
        n_test = n_test or default_test
    elif args.n_tune is None:
        args.n_tune = FULL_TUNE_SIZE
    X_train, y_train, X_test, y_test = load_train_test(args.dataset)
    for flag, asked, available in [("--n-train", n_train, len(X_train)),
                                   ("--n-test", n_test, len(X_test))]:
        if asked is not None and asked > available:
            parser.error(f"{flag} {asked}: {args.dataset} has only {available} such images")
    X_train, y_train, X_test, y_test = X_train[:n_train], y_train[:n_train], \
        X_test[:n_test], y_test[:n_test]
    n_tune = min(args.n_tune or len(X_train), len(X_train))
    classes, counts = np.unique(y_train[:n_tune], return_counts=True)
    if counts.min() < args.cv or len(classes) < 2:
        parser.error(f"{args.cv}-fold CV needs at least {args.cv} tuning images of every class; "
                     f"the first {n_tune} training images have {counts.min()} of the rarest "
                     f"(use a larger --n-train or --n-tune)")
    args.wavelet = args.wavelet or ("haar" if args.dataset == "digits" else "db2")
    if args.wavelet not in pywt.wavelist(kind="discrete"):
        parser.error(f"--wavelet {args.wavelet!r} is not a discrete PyWavelets wavelet "
                     f"(e.g. haar, db2, sym4; see pywt.wavelist(kind='discrete'))")
    shape = X_train.shape[1:]
    deepest = max_wavelet_level(shape, args.wavelet)
    if args.level > deepest:
        parser.error(f"--level {args.level}: {shape[0]}x{shape[1]} images allow at most "
                     f"level {deepest} with {args.wavelet}")
    if not front_ends(shape, wavelet=args.wavelet, level=args.level, include=args.front_ends):
        parser.error(f"none of --front-ends {','.join(args.front_ends)} applies to "
                     f"{shape[0]}x{shape[1]} images (LeNet-5 needs 28x28)")
    args.data = (X_train, y_train, X_test, y_test)
    return args


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        args = _check_data(args, parser)
    except FileNotFoundError as exc:  # e.g. Fashion-MNIST not installed
        print(f"error: {exc}", file=sys.stderr)
        return 2
    run(args)
    return 0

