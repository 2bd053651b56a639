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
import sys

import numpy as np
import pywt

from ..datasets import load_train_test
from ..wavelets import max_n_scales
from .catalogue import (
    C_GRIDS,
    DATASETS,
    DEFAULT_HEADS,
    DEFAULT_QUANTILES,
    FULL_TUNE_SIZE,
    SUBSET_SIZES,
    front_ends,
)
from .search import run


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
    # NaN compares False with everything, so test each value's range positively.
    if not values or not all(0 <= v < 1 for v in values):
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
                  "curvelets-scattering", "lenet-5")


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
    parser.add_argument("--n-scales", type=_positive_int(1), default=2,
                        help="wavelet scales (levels; default 2)")
    parser.add_argument("--shrinkage", choices=("soft", "hard", "garrote"), default="soft",
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
    deepest = max_n_scales(shape, args.wavelet)
    if args.n_scales > deepest:
        parser.error(f"--n-scales {args.n_scales}: {shape[0]}x{shape[1]} images allow at most "
                     f"{deepest} scales with {args.wavelet}")
    found = front_ends(shape, wavelet=args.wavelet, n_scales=args.n_scales,
                       include=args.front_ends)
    if not found:
        parser.error(f"none of --front-ends {','.join(args.front_ends)} applies to "
                     f"{shape[0]}x{shape[1]} images (LeNet-5 needs 28x28; "
                     f"curvelets-scattering runs on 8x8 digits)")
    if not any(not f.heads or set(f.heads) & set(args.heads) for f in found):
        parser.error(f"none of --front-ends {','.join(args.front_ends)} runs with --heads "
                     f"{','.join(args.heads)} (curvelets-scattering runs with svc)")
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
