"""
A million images on a Dask cluster
==================================

The transforms learn nothing from the data but the image shape, so a
transformer fitted on one image transforms any number of them, one block at a
time. :func:`~sklearn_sparsecode.dask_transform` maps a fitted transformer over
a ``dask.array`` chunked along samples. Here the images are generated lazily,
block by block, on the workers, so no process ever holds more than a few
blocks: this is the pattern for image collections larger than memory (read
each block from disk instead). Needs ``pip install "sklearn-sparsecode[dask]"``.
"""

# %%
# A lazy stack of 1,000,000 images
# --------------------------------
# 28 × 28 float32 images, 20,000 per block: 3 GB in all, 63 MB per block.
import os
import resource
import time

import dask.array as da
import matplotlib.pyplot as plt
import numpy as np
from distributed import Client, LocalCluster

from sklearn_sparsecode import ThresholdTransformer, WaveletTransformer
from sklearn_sparsecode.dask import dask_transform
from sklearn_sparsecode.datasets import make_cartoon

QUICK = os.environ.get("SKLEARN_SPARSECODE_QUICK") == "1"
n_images = 40_000 if QUICK else 1_000_000
block = 20_000
template = make_cartoon(28, random_state=0).astype(np.float32)


def make_block(block_id=None):
    """Block ``block_id`` of the collection: the cartoon, shifted, plus noise.

    Stands in for reading a block from disk. (A bank of 1,000 noise images per
    block, repeated, keeps the generation cheap beside the transform.)
    """
    rng = np.random.default_rng(block_id[0])
    noise = 0.1 * rng.standard_normal((1000, 28, 28), dtype=np.float32)
    shifted = np.roll(template, rng.integers(-3, 4), axis=1)
    return shifted[None] + np.tile(noise, (block // 1000, 1, 1))


X = da.map_blocks(make_block, dtype=np.float32,
                  chunks=((block,) * (n_images // block), (28,), (28,)))
print(X)

# %%
# The front end
# -------------
# A db2 wavelet transform and a soft threshold, fitted on one image. The
# threshold zeroes most of the noise, and the mean code is a cheap reduction
# that needs every feature of every image.
from sklearn.pipeline import make_pipeline

front_end = make_pipeline(WaveletTransformer(wavelet="db2", n_scales=2),
                          ThresholdTransformer(tau=0.2, shrinkage="soft", sign="magnitude"))
front_end.fit(X[:1].compute())
features = dask_transform(front_end, X)
print(features)

# %%
# On a cluster with bounded memory per worker
# -------------------------------------------
# Two single-threaded worker processes with 1 GiB each. The reduction streams:
# each task transforms one block and adds it up, so memory does not grow with
# ``n_images``. (Workers are forked here so that this script needs no
# ``if __name__ == "__main__":`` guard; a script that starts worker processes
# with the default method needs one.)
import dask

dask.config.set({"distributed.worker.multiprocessing-method": "fork"})
with LocalCluster(n_workers=2, threads_per_worker=1, memory_limit="1GiB",
                  dashboard_address=None) as cluster, Client(cluster) as client:
    tic = time.perf_counter()
    mean_code, nonzero = da.compute(features.mean(axis=0), (features != 0).mean())
    seconds = time.perf_counter() - tic
    # Peak resident memory of each worker process (Linux: KiB).
    peak = max(client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss).values())
print(f"{n_images:,} images in {seconds:.1f} s ({n_images / seconds:,.0f} images/s), "
      f"{nonzero:.1%} non-zero, peak worker memory {peak / 2**10:.0f} MiB")

# %%
# Identical to the in-memory transform
# ------------------------------------
# Every block equals ``transform`` of the same images in memory.
first = make_block(block_id=(0,))
np.testing.assert_array_equal(features[:block].compute(scheduler="sync"),
                              front_end.transform(first))

# %%
# The mean code, as an image of wavelet bands
# -------------------------------------------
fig, ax = plt.subplots(figsize=(4, 4))
ax.imshow(mean_code.reshape(28, 28), cmap="magma")
ax.set_title(f"mean |soft(W x)| over {n_images:,} images")
ax.set_axis_off()
plt.show()
