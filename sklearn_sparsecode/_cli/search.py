"""The main job: τ and C search per front end and head, the report.
"""

import json
import platform
import sys
import tempfile
import time
import warnings
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pywt
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from threadpoolctl import threadpool_limits

from .._model import HEADS, TAU
from .._model import make_two_layer_model as _make_model
from .catalogue import C_GRIDS, front_ends
from .figure import _plot


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
    model = _make_model(front_end.transformer, sign=front_end.sign, shrinkage=args.shrinkage,
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

    from .. import __version__

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
    chosen = [f for f in front_ends(shape, wavelet=args.wavelet, n_scales=args.n_scales,
                                    include=args.front_ends)
              if not f.heads or set(f.heads) & set(args.heads)]
    settings = {
        "dataset": args.dataset, "image_shape": list(shape), "n_train": len(X_train),
        "n_test": len(X_test), "n_tune": n_tune, "cv": args.cv, "shrinkage": args.shrinkage,
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
            for head in [h for h in args.heads if not front_end.heads or h in front_end.heads]:
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
