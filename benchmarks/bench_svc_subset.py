"""RBF SVC on scattering features, ours beside Kymatio's, on a Fashion-MNIST training subset.

    python benchmarks/bench_svc_subset.py --which ours|kymatio [--n-train 20000]

The full protocol of bench_accuracy.py (60,000 training images, τ and C tuned
by 3-fold CV) costs hours for an RBF SVC on ~4,000 features on a shared 2-core
machine; this is the fixed setting the NOTES used for Kymatio (square root of
orders >= 1, SVC(C=10, gamma="scale"), no tuning, first n_train training
images, the full 10,000-image test set), run for both front ends. Kymatio's
features come from benchmarks/kymatio_worker.py in its own venv (cached by
_kymatio.KymatioScattering). Writes
benchmarks/results/svc_subset_{which}.json.
"""

import argparse
import json
import time

from _common import RESULTS
from _kymatio import KymatioScattering
from sklearn.svm import SVC

from sklearn_sparsecode import ScatteringTransformer
from sklearn_sparsecode.datasets import load_train_test as load_dataset


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--which", choices=["ours", "kymatio"], required=True)
    parser.add_argument("--n-train", type=int, default=20000)
    parser.add_argument("--C", type=float, default=10.0)
    parser.add_argument("--kymatio-python", default=None)
    args = parser.parse_args()
    X_train, y_train, X_test, y_test = load_dataset("fashion-mnist")
    if args.which == "ours":
        front = ScatteringTransformer(n_scales=2, n_orientations=8, padding="periodic")
        name = "scattering (Morlet J=2, L=8, periodic, sqrt)"
    else:
        front = KymatioScattering(J=2, L=8, python=args.kymatio_python)
        name = "Kymatio Scattering2D (J=2, L=8, numpy, sqrt)"
    tic = time.perf_counter()
    front.fit(X_train[:1])
    F_train, F_test = front.transform(X_train), front.transform(X_test)
    transform_seconds = time.perf_counter() - tic
    tic = time.perf_counter()
    clf = SVC(C=args.C, gamma="scale").fit(F_train[:args.n_train], y_train[:args.n_train])
    fit_seconds = time.perf_counter() - tic
    accuracy = float(clf.score(F_test, y_test))
    result = {"front_end": name, "head": f"SVC(C={args.C:g}, gamma='scale')",
              "n_train": args.n_train, "n_test": len(X_test), "test_accuracy": accuracy,
              "n_features": int(F_train.shape[1]), "transform_seconds": transform_seconds,
              "fit_seconds": fit_seconds}
    print(json.dumps(result), flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"svc_subset_{args.which}.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
