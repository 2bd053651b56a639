"""What every ``transform_vjp`` shares: the cotangent check, the chunked run, the output form.

A vector–Jacobian product (VJP) of a fitted transformer f at X with cotangent G
is the gradient of ``sum(G * f(X))`` with respect to X: Jᵀ G, one image (or
row) per sample, shaped like X. Transforms are independent per sample, so the
VJP runs over the same chunks of rows as the forward, X and G cut together
(:func:`~.batching.map_in_batches` with ``others=(G,)``): memory stays bounded
and results do not depend on ``n_jobs`` or ``batch_size``.

The layer protocol (:mod:`.base`) gets a backward twin of ``forward``:
``backward(batch, cotangent)``, the VJP of a prepared batch in one thread and
one piece, so a layer built on another (pooling, a model) backpropagates
through the public method only.
"""

import numpy as np
from sklearn.utils import check_array

from .batching import map_in_batches
from .validation import as_work_chunk

__all__ = ["check_cotangent", "run_vjp", "shaped_like"]


def check_cotangent(estimator, cotangent, n_samples, n_outputs, dtype):
    """The cotangent as a ``(n_samples, n_outputs)`` array of ``dtype``, or a clear error.

    ``dtype`` is the work dtype of X: a float32 X gives a float32 gradient
    whatever the cotangent's precision.
    """
    name = type(estimator).__name__
    if np.iscomplexobj(cotangent):
        raise ValueError(f"Complex data not supported by {name}.transform_vjp: the "
                         f"cotangent must be real.")
    cotangent = check_array(cotangent, dtype=(np.float64, np.float32), input_name="cotangent",
                            estimator=name, ensure_2d=False, allow_nd=True,
                            ensure_min_samples=0)
    if cotangent.shape != (n_samples, n_outputs):
        raise ValueError(
            f"cotangent must have shape (n_samples, n_outputs) = ({n_samples}, {n_outputs}): "
            f"one weight per column of {name}.transform(X) for each of the {n_samples} "
            f"samples of X; got an array of shape {cotangent.shape}.")
    return cotangent.astype(dtype, copy=False)


def shaped_like(gradient, X, channel_axis=None):
    """The gradient ``gradient`` in X's own form.

    ``gradient`` is ``(n, n_values)`` or shaped like a prepared batch
    ``(n, [n_channels,] *input_shape)``. With ``channel_axis`` the channel axis
    (1 in a prepared batch) goes back where X has it; then the values take X's
    shape: ``(n, height, width)`` for a batch of images, ``(n, n_features)``
    for flattened images with ``image_shape``, 1-D signals and data frames.
    """
    shape = np.shape(X)
    if channel_axis is not None and gradient.ndim == len(shape):
        gradient = np.moveaxis(gradient, 1, channel_axis)
    return gradient.reshape(shape)


def run_vjp(vjp, batch, cotangent, n_values, dtype, *, batch_size=None, n_jobs=None,
            verbose=0, row_bytes=None, uses_blas=False, label="transform_vjp",
            with_start=False):
    """``vjp(chunk, cotangent_chunk, out)`` over chunks of a prepared batch and its cotangent.

    Each chunk of ``batch`` is converted to its work dtype just before its
    VJP, as in the forward (:func:`~.base.run_forward`). With ``with_start``
    the call is ``vjp(chunk, cotangent_chunk, out, start)``, ``start`` the index
    of the chunk's first sample in the batch (for maps that align their own
    inner chunks to the sample index). Returns the gradient rows
    ``(n_samples, n_values)`` in ``dtype``.
    """
    if with_start:
        index = np.arange(len(batch))
        return map_in_batches(
            lambda chunk, cot, rows, out: vjp(as_work_chunk(chunk), cot, out, int(rows[0])),
            batch, n_values, dtype, batch_size=batch_size, n_jobs=n_jobs,
            row_bytes=row_bytes, uses_blas=uses_blas, verbose=verbose, label=label,
            others=(cotangent, index))
    return map_in_batches(lambda chunk, cot, out: vjp(as_work_chunk(chunk), cot, out), batch,
                          n_values, dtype, batch_size=batch_size, n_jobs=n_jobs,
                          row_bytes=row_bytes, uses_blas=uses_blas, verbose=verbose,
                          label=label, others=(cotangent,))
