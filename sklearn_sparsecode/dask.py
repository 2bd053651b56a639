"""More images than fit in memory: :func:`~sklearn_sparsecode.dask.dask_transform` and :func:`~sklearn_sparsecode.dask.dask_predict`.

The transforms of this package learn nothing from the data but the image
shape, so a transformer fitted on a handful of images transforms any number of
them, block by block. :func:`~sklearn_sparsecode.dask.dask_transform` maps a fitted transformer over a
``dask.array`` chunked along samples: each task holds one block of images and
its block of features, whatever the total size, and the result is lazy (reduce
it, store it with ``to_zarr``/``store``, or ``compute`` it when it fits).
:func:`~sklearn_sparsecode.dask.dask_predict` does the same for a fitted model (a two-layer pipeline):
its ``predict``, ``predict_proba`` or ``decision_function`` block by block.
Needs ``dask`` (``pip install "sklearn-sparsecode[dask]"``); it is imported
only when a function is called.
"""

import numpy as np
from sklearn.utils._param_validation import HasMethods, StrOptions, validate_params
from sklearn.utils.validation import check_is_fitted

__all__ = ["dask_predict", "dask_transform"]

PREDICT_METHODS = ("predict", "predict_proba", "predict_log_proba", "decision_function")


def _apply_block(block, estimator, method, tail, dtype):
    if block.shape[0] == 0:  # dask probes with empty blocks
        return np.empty((0, *tail), dtype=dtype)
    return np.asarray(getattr(estimator, method)(block), dtype=dtype)


def _map_samples(estimator, X, method):
    """Lazy ``getattr(estimator, method)`` of each block of samples of ``X``."""
    import dask.array as da

    check_is_fitted(estimator)
    if not isinstance(X, da.Array):
        raise TypeError(f"X must be a dask.array.Array; got {type(X).__name__}. For an "
                        f"in-memory array, call estimator.{method}(X).")
    if X.ndim not in (2, 3, 4):
        raise ValueError(f"X must have 2 to 4 axes (samples first); got shape {X.shape}.")
    if not hasattr(estimator, method):
        raise TypeError(f"{type(estimator).__name__} has no method {method!r}.")
    if any(len(c) > 1 for c in X.chunks[1:]):
        X = X.rechunk({axis: -1 for axis in range(1, X.ndim)})
    # The output's trailing shape and dtype, from one blank sample: the width of
    # every transform and model here does not depend on the values.
    probe = np.asarray(getattr(estimator, method)(np.zeros((1, *X.shape[1:]), dtype=X.dtype)))
    tail, dtype = probe.shape[1:], probe.dtype
    drop = tuple(range(1 + len(tail), X.ndim))
    new_axis = tuple(range(X.ndim, 1 + len(tail))) or None
    return X.map_blocks(_apply_block, estimator, method, tail, dtype, dtype=dtype,
                        chunks=(X.chunks[0], *((n,) for n in tail)),
                        drop_axis=drop or None, new_axis=new_axis,
                        meta=np.empty((0, *tail), dtype=dtype))


@validate_params({"estimator": [HasMethods(["transform"])], "X": "no_validation"},
                 prefer_skip_nested_validation=True)
def dask_transform(estimator, X):
    """Apply a fitted transformer to a dask array of images, one block of samples at a time.

    Parameters
    ----------
    estimator : fitted transformer
        Any fitted transformer of this package (or a ``Pipeline`` of them)
        whose output width does not depend on the data. Fit it on a few
        images first: ``fit`` only records the image shape.
    X : dask.array.Array of shape (n_samples, height, width), (n_samples, n_features) or with channels
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
    return _map_samples(estimator, X, "transform")


@validate_params({"estimator": "no_validation", "X": "no_validation",
                  "method": [StrOptions(set(PREDICT_METHODS))]},
                 prefer_skip_nested_validation=True)
def dask_predict(estimator, X, *, method="predict"):
    """Predictions of a fitted model on a dask array of images, one block of samples at a time.

    The model is typically a two-layer pipeline (:func:`~sklearn_sparsecode.make_two_layer_model`
    or any ``Pipeline`` of this package's transformers and a scikit-learn head) fitted in
    memory on a training set; ``dask_predict`` then labels any number of images without
    holding them, or their features, in memory at once.

    Parameters
    ----------
    estimator : fitted estimator
        Anything with the chosen ``method`` whose output for a sample does
        not depend on the other samples of its block (true of every
        scikit-learn predictor and of this package's transforms).
    X : dask.array.Array of shape (n_samples, height, width), (n_samples, n_features) \
or with a channel axis
        Chunked along samples; chunks along the other axes are merged.
    method : {"predict", "predict_proba", "predict_log_proba", "decision_function"}, \
default="predict"

    Returns
    -------
    predictions : dask.array.Array of shape (n_samples,) or (n_samples, n_outputs)
        Lazy, with the sample chunks of ``X``; each block equals
        ``getattr(estimator, method)`` of the matching block of ``X``. Labels
        equal the in-memory ``predict``; scores may differ from the in-memory
        call in the last bits, because a scikit-learn head's BLAS products can
        sum a block in another order than the whole array (this package's
        features are identical either way).

    See Also
    --------
    dask_transform : the same for a transformer's features.

    Examples
    --------
    >>> import dask.array as da
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn_sparsecode import WaveletTransformer
    >>> from sklearn_sparsecode.dask import dask_predict
    >>> digits = load_digits()
    >>> X, y = digits.images / 16, digits.target
    >>> model = make_pipeline(WaveletTransformer(wavelet="haar"),
    ...                       LogisticRegression(max_iter=1000)).fit(X[:1000], y[:1000])
    >>> labels = dask_predict(model, da.from_array(X[1000:], chunks=(200, 8, 8)))
    >>> labels.shape, bool((labels.compute() == model.predict(X[1000:])).all())
    ((797,), True)
    """
    return _map_samples(estimator, X, method)
