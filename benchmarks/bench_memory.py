"""Peak memory of each transformer against n_samples: bounded working set beside the output.

    python benchmarks/bench_memory.py [--sizes 5000,20000,60000]

Each (transformer, n) runs in a fresh subprocess on n x 28 x 28 float32 images:
it records the resident set size after the input exists and the estimator is
fitted, runs ``transform``, and reads the peak RSS (``ru_maxrss``). The peak
increase minus the output's size is the working set; with chunking it should
stay flat as n grows, below scikit-learn's ``working_memory`` (1 GiB by
default; also run with 128 MiB), instead of growing with n.
"""

import argparse
import itertools
import json
import subprocess
import sys

from _common import print_table, write_results

SETUPS = {
    "WaveletTransformer(wavelet=db2, level 2)": "WaveletTransformer(wavelet='db2', level=2)",
    "CurveletTransformer()": "CurveletTransformer()",
    "ThresholdTransformer(tau=soft, split)": "ThresholdTransformer(tau=0.1, mode='soft', sign='split')",
    "CNNFeatureExtractor(pool2)": "CNNFeatureExtractor(output_layer='pool2', random_state=0)",
}

CHILD = """
import json, resource, sys
import numpy as np
from sklearn_sparsecode import *

def rss():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * resource.getpagesize()

import sklearn
sklearn.set_config(working_memory={working_memory})
n = {n}
X = np.random.default_rng(0).random((n, 28, 28), dtype=np.float32)
est = {setup}.fit(X[:10])
est.transform(X[:10])
before = rss()
out = est.transform(X)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({{"before": before, "peak": peak, "output": out.nbytes}}))
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5000,20000,60000")
    parser.add_argument("--working-memory", default="1024,128",
                        help="scikit-learn working_memory values (MiB) to run with")
    args = parser.parse_args()
    rows = []
    for label, setup in SETUPS.items():
        for budget, n in itertools.product(map(int, args.working_memory.split(",")),
                                           map(int, args.sizes.split(","))):
            code = CHILD.format(n=n, setup=setup, working_memory=budget)
            result = subprocess.run([sys.executable, "-c", code],
                                    capture_output=True, text=True, check=True)
            m = json.loads(result.stdout.strip().splitlines()[-1])
            increase = max(m["peak"] - m["before"], 0)
            rows.append({"transformer": label, "working_memory": budget, "n_samples": n,
                         "input_MiB": round(n * 784 * 4 / 2**20, 1),
                         "output_MiB": round(m["output"] / 2**20, 1),
                         "peak_increase_MiB": round(increase / 2**20, 1),
                         "working_set_MiB": round((increase - m["output"]) / 2**20, 1)})
            print(f"  {label} working_memory={budget} n={n}: done", flush=True)
    print_table(rows, list(rows[0]))
    write_results("bench_memory", {"rows": rows})


if __name__ == "__main__":
    main()
