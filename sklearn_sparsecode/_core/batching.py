"""Chunked, optionally parallel, application of a per-sample map.

Transforms in this package are independent per sample, so a large batch is cut
into chunks of rows; each chunk is transformed straight into its rows of one
preallocated output. Peak memory is then the output plus a working set of
about ``working_memory`` MiB (scikit-learn's config), whatever ``n_samples`` is.

Chunks run in threads: the heavy work (PyWavelets' C loops, numpy FFTs and BLAS)
releases the GIL, and threads write into the shared output without pickling
images to worker processes.
"""

import sys
import threading
import time
from contextlib import contextmanager, nullcontext

import numpy as np
from joblib import Parallel, delayed, effective_n_jobs
from sklearn import get_config
from sklearn.utils import gen_batches
from threadpoolctl import threadpool_limits

# Process-wide single-threaded BLAS, reference-counted. OpenBLAS has one thread
# count per process. threadpool_limits saves the count it finds and restores it,
# so two overlapping calls from different threads (A sets 1, B saves that 1, A
# restores N, B restores 1) used to leave BLAS single-threaded for good. Now the
# first caller in sets the limit and the last caller out restores the original;
# calls in between only count.
#
# Setting and restoring each run on a fresh short-lived thread: threadpoolctl
# >= 3.8 lets only the thread that last set an OpenBLAS limit change it again
# while that thread lives, so a restore issued by B for a limit A set would be
# ignored; a finished helper thread never holds that control. (A limit that
# another live thread holds through threadpoolctl wins; ours is then a no-op.)
_blas_lock = threading.Lock()
_blas_users = 0
_blas_limits = None


def _on_fresh_thread(func):
    result = []
    thread = threading.Thread(target=lambda: result.append(func()), name="sparsecode-blas")
    thread.start()
    thread.join()
    return result[0] if result else None


@contextmanager
def _single_threaded_blas():
    global _blas_users, _blas_limits
    with _blas_lock:
        if _blas_users == 0:
            _blas_limits = _on_fresh_thread(
                lambda: threadpool_limits(limits=1, user_api="blas"))
        _blas_users += 1
    try:
        yield
    finally:
        with _blas_lock:
            _blas_users -= 1
            if _blas_users == 0 and _blas_limits is not None:
                _on_fresh_thread(_blas_limits.restore_original_limits)
                _blas_limits = None


def resolve_batch_size(batch_size, row_bytes, n_samples):
    """Rows per chunk: ``batch_size`` if given, else what fits ``working_memory``.

    ``row_bytes`` is the estimated working memory of one sample (input, output
    and temporaries).
    """
    if batch_size is None:
        budget = get_config()["working_memory"] * 2**20
        batch_size = int(budget // max(int(row_bytes), 1))
    return max(1, min(int(batch_size), max(n_samples, 1)))


class Progress:
    """Thread-safe progress lines: done/total, rate and time left, at most one a second.

    A line is printed for the first chunk, then when at least ``every`` seconds
    have passed, and at the end, so a 60,000-image transform prints a handful
    of lines rather than one per chunk.
    """

    def __init__(self, total, label, every=1.0, stream=None):
        self.total, self.label, self.every = total, label, every
        self.stream = stream or sys.stderr
        self.done, self.start, self.last = 0, time.perf_counter(), None
        self.lock = threading.Lock()

    def update(self, n):
        with self.lock:
            self.done += n
            now = time.perf_counter()
            finished = self.done >= self.total
            if self.last is not None and now - self.last < self.every and not finished:
                return
            self.last = now
            elapsed = max(now - self.start, 1e-9)
            rate = self.done / elapsed
            left = (self.total - self.done) / rate if rate else float("inf")
            tail = f"done in {elapsed:.1f} s" if finished else f"{left:.1f} s left"
            print(f"[{self.label}] {self.done}/{self.total} samples "
                  f"({100 * self.done / self.total:.0f}%), {rate:,.0f} samples/s, {tail}",
                  file=self.stream, flush=True)


def map_in_batches(func, X, n_outputs, dtype, *, batch_size=None, n_jobs=None,
                   row_bytes=None, uses_blas=False, verbose=0, label="transform", others=()):
    """Apply ``func(X[rows], out[rows])`` over chunks of rows; return ``out``.

    With ``others`` (arrays with as many rows as X, e.g. the cotangent of a
    vector–Jacobian product), ``func(X[rows], *(a[rows] for a in others),
    out[rows])``: the same rows of every input, in the same chunks.

    Parameters
    ----------
    func : callable
        ``func(X_chunk, out_chunk)`` writes the outputs of the samples in
        ``X_chunk`` (shape ``(n, ...)``) into ``out_chunk`` (``(n, n_outputs)``).
    X : ndarray of shape (n_samples, ...)
    n_outputs : int
    dtype : numpy dtype of the output.
    batch_size : int or None
        Rows per chunk; None derives it from ``working_memory``.
    n_jobs : int or None
        Threads over chunks. None means 1: these inner loops deliberately do
        not inherit an outer ``joblib.parallel_config``, so that a parallel
        ``GridSearchCV`` around them is not oversubscribed.
    row_bytes : int or None
        Working memory of one row, used when ``batch_size`` is None. Defaults to
        four times the input plus output row.
    uses_blas : bool, default=False
        ``func`` does its work in BLAS matrix products. Float32 BLAS results
        can change in the last bit with the number of BLAS threads and the
        matrix sizes, so then: BLAS runs single-threaded in every path (the
        cores are used through ``n_jobs`` instead) and chunks are not resized
        per worker. Results are then bit-identical for every ``n_jobs``.
    verbose : int, default=0
        Print progress (samples done, rate, time left) to stderr when > 0.
    label : str
        Prefix of the progress lines.
    others : tuple of ndarray, default=()
        More inputs cut into the same chunks as X (each of ``len(X)`` rows).
    """
    n_samples = X.shape[0]
    if any(len(a) != n_samples for a in others):
        raise ValueError(f"Every input of map_in_batches needs {n_samples} rows; got "
                         f"{[len(a) for a in others]}.")
    if row_bytes is None:
        itemsize = np.dtype(dtype).itemsize
        widths = [int(np.prod(a.shape[1:])) for a in (X, *others)]
        row_bytes = 4 * itemsize * (sum(widths) + n_outputs)
    out = np.empty((n_samples, n_outputs), dtype=dtype)
    size = resolve_batch_size(batch_size, row_bytes, n_samples)
    parallel = n_jobs not in (None, 1)
    if parallel and not uses_blas:
        # At least one chunk per worker, so that n_jobs=2 really uses two cores.
        size = min(size, -(-n_samples // effective_n_jobs(n_jobs)))
    batches = list(gen_batches(n_samples, max(size, 1)))

    # One BLAS thread per worker: n_jobs threads each running a multi-threaded
    # BLAS oversubscribe the cores (LeNet-5 forward was 25% slower).
    single_blas = uses_blas or parallel
    progress = Progress(n_samples, label) if verbose and n_samples else None

    def run(rows):
        func(X[rows], *(a[rows] for a in others), out[rows])
        if progress is not None:
            progress.update(rows.stop - rows.start)

    with _single_threaded_blas() if single_blas else nullcontext():
        if len(batches) > 1 and parallel:
            Parallel(n_jobs=n_jobs, prefer="threads")(delayed(run)(rows) for rows in batches)
        else:
            for rows in batches:
                run(rows)
    return out
