"""Feature extraction for more images than fit in memory: :func:`dask_transform`.

The transforms of this package learn nothing from the data but the image
shape, so a transformer fitted on a handful of images transforms any number of
them, block by block. :func:`dask_transform` maps a fitted transformer over a
``dask.array`` chunked along samples: each task holds one block of images and
its block of features, whatever the total size, and the result is lazy (reduce
it, store it with ``to_zarr``/``store``, or ``compute`` it when it fits).
Needs ``dask`` (``pip install "sklearn-sparsecode[dask]"``); it is imported
only when the function is called.
"""

import numpy as np
from sklearn.utils.validation import check_is_fitted

__all__ = ["dask_transform"]


def _transform_block(block, estimator, n_out, dtype):
    if block.shape[0] == 0:  # dask probes with empty blocks
        return np.empty((0, n_out), dtype=dtype)
    return np.asarray(estimator.transform(block), dtype=dtype)


def dask_transform(estimator, X):
    """Apply a fitted transformer to a dask array of images, one block of samples at a time.

    Parameters
    ----------
    estimator : fitted transformer
        Any fitted transformer of this package (or a ``Pipeline`` of them)
        whose output width does not depend on the data. Fit it on a few
        images first: ``fit`` only records the image shape.
    X : dask.array.Array of shape (n_samples, height, width) or (n_samples, n_features)
        Chunked along samples; chunks along the other axes are merged.

    Returns
    -------
    features : dask.array.Array of shape (n_samples, n_features_out)
        Lazy, with the sample chunks of ``X``. Each block equals
        ``estimator.transform`` of the matching block of ``X``, so the whole
        equals the in-memory transform.

    Notes
    -----
    Memory per task is one block of images, one block of features and the
    transformer's own working set, itself bounded by scikit-learn's
    ``working_memory``. Choose the block size (``X.rechunk({0: n})``) so that
    a few blocks fit in a worker's ``memory_limit``. The fitted transformer
    is shipped with the graph; set its ``n_jobs`` to 1 when each worker
    already runs one task per core.

    Examples
    --------
    >>> import dask.array as da
    >>> from sklearn_sparsecode import WaveletTransformer
    >>> from sklearn_sparsecode.dask import dask_transform
    >>> X = da.random.default_rng(0).random((10_000, 28, 28), chunks=(2_500, 28, 28))
    >>> wavelet = WaveletTransformer(wavelet="db2", n_scales=2).fit(X[:1].compute())
    >>> features = dask_transform(wavelet, X)
    >>> features.shape, features.chunks[0]
    ((10000, 784), (2500, 2500, 2500, 2500))
    >>> float(abs(features[:10].compute() - wavelet.transform(X[:10].compute())).max())
    0.0
    """
    import dask.array as da

    check_is_fitted(estimator)
    if not isinstance(X, da.Array):
        raise TypeError(f"X must be a dask.array.Array; got {type(X).__name__}. For an "
                        f"in-memory array, call estimator.transform(X).")
    if X.ndim not in (2, 3):
        raise ValueError(f"X must have 2 or 3 axes (samples first); got shape {X.shape}.")
    if any(len(c) > 1 for c in X.chunks[1:]):
        X = X.rechunk({axis: -1 for axis in range(1, X.ndim)})
    # The output width and dtype, from one blank sample (the transforms are
    # data-independent in shape).
    probe = estimator.transform(np.zeros((1, *X.shape[1:]), dtype=X.dtype))
    n_out, dtype = probe.shape[1], probe.dtype
    drop = tuple(range(2, X.ndim))
    return X.map_blocks(_transform_block, estimator, n_out, dtype, dtype=dtype,
                        chunks=(X.chunks[0], (n_out,)), drop_axis=drop or None,
                        meta=np.empty((0, n_out), dtype=dtype))
