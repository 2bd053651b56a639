"""True peak memory of each transformer against n_samples, input dtype and working_memory.

    python benchmarks/bench_memory.py [--sizes 5000,20000,60000]
        [--dtypes uint8,float16,float32,float64] [--working-memory 1024,128]

Each (transformer, dtype, working_memory, n) runs in a fresh subprocess on
n x 28 x 28 images of that dtype (uint8 in 0..255, floats in [0, 1)). After a
warm-up transform of 10 images (imports, plans, BLAS buffers), the child resets
the kernel's peak-RSS counter (``/proc/self/clear_refs``), reads its RSS as
the baseline, and runs ``transform`` on all n images. Two peaks are recorded:

* ``rss_peak_MiB``: the kernel's high-water mark (VmHWM) minus that baseline,
  the true peak of the process during ``transform``, output included. (The
  previous version subtracted the output from ``ru_maxrss``, a lifetime peak,
  which under-reported when the input generation peaked higher.)
* ``traced_peak_MiB``: tracemalloc's peak during ``transform``: numpy's own
  buffers, output included (not FFT or BLAS work buffers allocated in C).

``above_output_MiB`` = rss_peak − output is the working set. With chunking it
should stay flat as n grows; a whole-batch conversion of the input (e.g.
uint8 to float64 before chunking) makes it grow with n.
"""

import argparse
import itertools
import json
import subprocess
import sys

from _common import print_table, write_results

SETUPS = {  # key: (label, constructor)
    "wavelet": ("WaveletTransformer(db2, level 2)", "WaveletTransformer(wavelet='db2', n_scales=2)"),
    "curvelet": ("CurveletTransformer()", "CurveletTransformer()"),
    "threshold": ("ThresholdTransformer(soft, split)",
                  "ThresholdTransformer(tau=0.1, shrinkage='soft', sign='split')"),
    "cnn": ("CNNFeatureExtractor(pool2)",
            "CNNFeatureExtractor(output_layer='pool2', random_state=0)"),
}

CHILD = """
import json, tracemalloc
import numpy as np
import sklearn
from sklearn_sparsecode import *

def status(key):
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith(key + ':'):
                return int(line.split()[1]) * 1024

sklearn.set_config(working_memory={working_memory})
rng = np.random.default_rng(0)
n, dtype = {n}, np.dtype('{dtype}')
if dtype == np.uint8:
    X = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
else:
    X = rng.random((n, 28, 28), dtype=np.float32).astype(dtype)
est = {setup}.fit(X[:10])
est.transform(X[:10])
with open('/proc/self/clear_refs', 'w') as f:
    f.write('5')  # reset the peak RSS (VmHWM) to the current RSS
baseline = status('VmRSS')
tracemalloc.start()
out = est.transform(X)
traced = tracemalloc.get_traced_memory()[1]
tracemalloc.stop()
print(json.dumps({{"baseline": baseline, "hwm": status('VmHWM'), "traced": traced,
                   "output": out.nbytes, "input": X.nbytes, "out_dtype": str(out.dtype)}}))
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5000,20000,60000")
    parser.add_argument("--dtypes", default="uint8,float16,float32,float64")
    parser.add_argument("--working-memory", default="1024,128",
                        help="scikit-learn working_memory values (MiB); the second and later "
                             "values run on float32 input only")
    parser.add_argument("--transformers", default=",".join(SETUPS),
                        help=f"comma-separated subset of {','.join(SETUPS)}")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    dtypes = args.dtypes.split(",")
    budgets = [int(b) for b in args.working_memory.split(",")]
    runs = [(budgets[0], d) for d in dtypes] + [(b, "float32") for b in budgets[1:]]
    rows = []
    for key in args.transformers.split(","):
        label, setup = SETUPS[key]
        for (budget, dtype), n in itertools.product(runs, sizes):
            code = CHILD.format(n=n, setup=setup, working_memory=budget, dtype=dtype)
            result = subprocess.run([sys.executable, "-c", code],
                                    capture_output=True, text=True, check=True)
            m = json.loads(result.stdout.strip().splitlines()[-1])
            peak = max(m["hwm"] - m["baseline"], 0)
            rows.append({"transformer": label, "dtype": dtype, "working_memory": budget,
                         "n_samples": n, "input_MiB": round(m["input"] / 2**20, 1),
                         "output_MiB": round(m["output"] / 2**20, 1),
                         "output_dtype": m["out_dtype"],
                         "rss_peak_MiB": round(peak / 2**20, 1),
                         "traced_peak_MiB": round(m["traced"] / 2**20, 1),
                         "above_output_MiB": round((peak - m["output"]) / 2**20, 1)})
            print(f"  {label} {dtype} working_memory={budget} n={n}: "
                  f"peak {rows[-1]['rss_peak_MiB']} MiB", flush=True)
    print_table(rows, list(rows[0]))
    write_results("bench_memory", {"command": " ".join(sys.argv[1:]), "rows": rows})


if __name__ == "__main__":
    main()
