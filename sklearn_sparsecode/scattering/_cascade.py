"""The scattering cascade of a plan: :func:`scattering_transform` and the chunk map.

The arithmetic is in :mod:`._kernels` (shared with the Kymatio drop-in
:class:`Scattering2D`); this module runs it over chunks of a batch and applies
the invariants and the compression of :mod:`._invariants`.
"""


import numpy as np
from numpy.typing import ArrayLike

from sklearn.utils._param_validation import validate_params

from .._core.base import resolve_plan, run_forward
from .._core.validation import BATCH_SIZE, N_JOBS, VERBOSE, check_batch, work_dtype
from ._invariants import _finish_chunk
from ._kernels import cascade, working_bytes
from ._plan import ScatteringPlan, plan_scattering


def _row_bytes(plan, itemsize):
    """Working memory of one image (kernel buffers and the raw output)."""
    dtype = np.float32 if itemsize == 4 else np.float64
    return working_bytes(plan.spec, dtype) + 2 * itemsize * plan.n_features


def _forward(plan, X, out, start=0, total=None):
    """Scattering coefficients of the chunk ``X`` (images ``start`` … of ``total``) into ``out``."""
    n = len(X)
    h, w = plan.spec.out_shape  # the output grid; every pixel for the orbit average
    shape = (n, plan.n_raw_paths, h, w)
    if plan.rotation is None and plan.scale is None and plan.compression is None:
        cascade(plan.spec, X, out.reshape(shape), start, total)
    else:
        raw = cascade(plan.spec, X, np.empty(shape, X.dtype), start, total)
        _finish_chunk(raw.reshape(n, plan.n_raw_paths, h * w), out, plan)


@validate_params({"images": ["array-like"], "plan": [ScatteringPlan, None],
                  "batch_size": BATCH_SIZE, "n_jobs": N_JOBS, "verbose": VERBOSE},
                 # plan_params are checked by the plan function, which must not be skipped.
                 prefer_skip_nested_validation=False)
def scattering_transform(images: ArrayLike, *, plan: ScatteringPlan | None = None,
                         batch_size: int | None = None, n_jobs: int | None = None,
                         verbose: int = 0, **plan_params) -> np.ndarray:
    """Scattering coefficients of orders 0 to ``max_order`` of a batch of images.

    Parameters
    ----------
    images : array-like of shape (n_samples, height, width)
        Real images; float32 is kept (float32 FFTs).
    plan : ScatteringPlan or None, default=None
        From :func:`plan_scattering`; None builds one from ``plan_params``.
    batch_size, n_jobs, verbose :
        Images per chunk (None: from ``working_memory``), threads over chunks,
        progress lines.
    **plan_params
        The parameters of :func:`plan_scattering` (``n_scales``,
        ``n_orientations``, ``max_order``, ``compression``, ...), when no plan is
        given; their defaults are those of :class:`~sklearn_sparsecode.ScatteringTransformer`.

    Returns
    -------
    S : ndarray of shape (n_samples, n_features)
        Blocks of ``plan.out_shape`` laid out as ``plan.bands`` says: order 0,
        order 1 by (j1, θ1), order 2 by (j1, θ1, j2, θ2).

    References
    ----------
    .. [1] J. Bruna and S. Mallat, "Invariant scattering convolution networks",
       IEEE TPAMI 35(8), 2013.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_sparsecode.scattering import scattering_transform
    >>> X = np.random.default_rng(0).random((3, 28, 28)).astype(np.float32)
    >>> S = scattering_transform(X, n_scales=2, n_orientations=8)
    >>> S.shape, S.dtype
    ((3, 3969), dtype('float32'))
    """
    X = check_batch(images, name="scattering_transform", ndims=(3,))
    plan = resolve_plan(plan, ScatteringPlan, plan_scattering, X.shape[1:], plan_params,
                        "scattering_transform")
    return run_forward(_forward, plan, X, plan.n_features, batch_size=batch_size,
                       n_jobs=n_jobs, verbose=verbose, uses_blas=True, pass_rows=True,
                       row_bytes=_row_bytes(plan, work_dtype(X.dtype).itemsize),
                       label="scattering_transform")
