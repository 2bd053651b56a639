"""The scattering cascade of a plan: :func:`scattering_transform` and the chunk map.

The arithmetic is in :mod:`._kernels` (shared with the Kymatio drop-in
:class:`Scattering2D`); this module runs it over chunks of a batch and applies
the invariants and the compression of :mod:`._invariants`.
"""


import numpy as np
from numpy.typing import ArrayLike

from .._core.batching import map_in_batches
from .._core.validation import as_work_chunk, check_batch, work_dtype
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


def run_scattering(plan, X, *, batch_size=None, n_jobs=None, verbose=0, label="scattering"):
    """``_forward`` over chunks of a validated batch, each chunk told where it starts
    (the kernels align their inner chunks to the image index: results do not
    depend on ``batch_size`` or ``n_jobs``)."""
    dtype = work_dtype(X.dtype)
    total = len(X)
    return map_in_batches(
        lambda chunk, out, rows: _forward(plan, as_work_chunk(chunk), out, rows.start, total),
        X, plan.n_features, dtype, batch_size=batch_size, n_jobs=n_jobs,
        row_bytes=_row_bytes(plan, dtype.itemsize), uses_blas=True, verbose=verbose,
        label=label, pass_rows=True)


def scattering_transform(X: ArrayLike, n_scales: int = 2, n_orientations: int = 8,
                         max_order: int = 2, *, padding: str = "reflect",
                         normalize: str = "peak", subsampling: int = 0,
                         oversampling: int = 0, rotation: str | None = None, scale: str | None = None,
                         compression: float | str | None = 0.5, slant: float | None = None,
                         rotation_window: float = 22.5,
                         plan: ScatteringPlan | None = None, batch_size: int | None = None,
                         n_jobs: int | None = None, verbose: int = 0) -> np.ndarray:
    """Scattering coefficients of orders 0 to ``max_order`` of a batch of images.

    Parameters
    ----------
    X : array-like of shape (n_samples, height, width)
        Real images; float32 is kept (float32 FFTs).
    n_scales : int, default=2
        J: wavelet scales j = 0 … J−1; outputs are sampled every 2^J pixels.
    n_orientations : int, default=8
        L orientations kπ/L per scale, in both layers.
    max_order : {1, 2}, default=2
    padding : {"reflect", "symmetric", "zero", "periodic"}, default="reflect"
        Boundary handling: pad by at least 2^J pixels per side (cropped from the
        output), or treat the image as periodic (sides divisible by 2^J).
    normalize : {"peak", "tight"}, default="peak"
        Unit-peak Morlet filters (Kymatio's gains) or wavelets divided by √A so
        that the bank's Littlewood–Paley sum is 1 (see :class:`MorletTransformer`).
        The averaging φ is the Gaussian in both cases.
    subsampling : int, default=0
        The moduli |x⋆ψ_j| are computed every 2^(j + subsampling) pixels
        (clipped to [1, 2^(J − oversampling)]); 0 is Kymatio's choice, 1 halves
        every grid (4x fewer samples), −1 doubles them.
    oversampling : int, default=0
        Outputs every 2^(J − oversampling) pixels instead of every 2^J (φ keeps
        its width 2^J): denser grids for small images (8 x 8 digits).
    rotation : {None, "average", "fourier", "roto-translation"}, default=None
        Orientation invariants per path: the mean over θ1 (order 2: with
        Δ = θ2 − θ1 fixed, the joint rotation), the modulus of the DFT over
        θ1 (frequencies 0 … L/2, a rotation-invariant but more selective code),
        or the roto-translation orbit average (Sifre & Mallat 2013): every map
        averaged over the rotations of the image within ``rotation_window``,
        rotation acting jointly on position (about the image centre) and on
        the orientations (θ1, θ2) of the path; same layout and names as None.
    scale : {None, "average"}, default=None
        Average over j1 (order 2: with j2 − j1 fixed).
    compression : None, "log" or float in (0, 1], default=0.5
        Applied to orders ≥ 1 after averaging: a power (0.5 is the square
        root, the default of :class:`ScatteringTransformer` too) or
        log(1 + S/0.01). Helps a linear head; None gives the raw coefficients.
    slant : float or None, default=None
        Envelope aspect ratio of the Morlet filters; None is 4/L.
    rotation_window : float in [0, 180], default=22.5
        With ``rotation="roto-translation"``: the half-width, in degrees, of the
        window of rotations (steps of 180/L degrees, triangular weights); 180
        averages over the whole circle (invariant to rotations by multiples of
        180/L degrees), 0 keeps the plain maps on a grid centred on the image.
    plan : ScatteringPlan or None
        From :func:`plan_scattering`; the parameters above are then ignored.
    batch_size, n_jobs, verbose :
        Images per chunk (None: from ``working_memory``), threads over chunks,
        progress lines.

    Returns
    -------
    S : ndarray of shape (n_samples, n_features)
        Blocks of ``plan.out_shape`` laid out as ``plan.bands`` says: order 0,
        order 1 by (j1, θ1), order 2 by (j1, θ1, j2, θ2), Kymatio's order.

    References
    ----------
    .. [1] J. Bruna and S. Mallat, "Invariant scattering convolution networks",
       IEEE TPAMI 35(8), 2013.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_sparsecode import scattering_transform
    >>> X = np.random.default_rng(0).random((3, 28, 28)).astype(np.float32)
    >>> S = scattering_transform(X, n_scales=2, n_orientations=8)
    >>> S.shape, S.dtype
    ((3, 3969), dtype('float32'))
    """
    X = check_batch(X, name="scattering_transform", ndims=(3,))
    if plan is None:
        plan = plan_scattering(X.shape[1:], n_scales, n_orientations, max_order,
                               padding=padding, normalize=normalize, subsampling=subsampling,
                               oversampling=oversampling,
                               rotation=rotation, scale=scale, compression=compression,
                               slant=slant, rotation_window=rotation_window)
    elif not isinstance(plan, ScatteringPlan):
        raise TypeError(f"plan must be a ScatteringPlan; got {type(plan).__name__}.")
    if tuple(X.shape[1:]) != plan.image_shape:
        raise ValueError(f"The plan is for {plan.image_shape} images; got {X.shape[1:]}.")
    return run_scattering(plan, X, batch_size=batch_size, n_jobs=n_jobs, verbose=verbose,
                          label="scattering_transform")
