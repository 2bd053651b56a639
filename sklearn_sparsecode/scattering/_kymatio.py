"""A drop-in for Kymatio 0.3's numpy ``Scattering2D``, on the shared cascade kernels.

``Scattering2D(J, shape, L, max_order, pre_pad, out_type)`` returns what
``kymatio.numpy.Scattering2D`` returns (same shape, channel order, list
format, and values to float rounding): Kymatio's filters (see
:mod:`._filter_bank`), its padding and sampling, computed by
:func:`._kernels.cascade`.
"""

from numbers import Integral

import numpy as np

from .._core.batching import map_in_batches
from .._core.validation import as_work_chunk, work_dtype
from . import _filter_bank as fb
from ._kernels import CascadeSpec, cascade, working_bytes


def kymatio_spec(J, shape, L=8, max_order=2, pre_pad=False):
    """The :class:`CascadeSpec` of Kymatio's ``Scattering2D(J, shape, L, max_order, pre_pad)``."""
    M, N = fb.padded_shape(shape, J)
    psi = fb.morlet_filters(M, N, J, L)
    filters2, res2 = {}, {}
    if max_order == 2:
        for j1 in range(J - 1):
            for j2 in range(j1 + 1, J):
                filters2[j1, j2] = fb.periodize(psi[j2], j1)
                res2[j1, j2] = j2
    if pre_pad:
        padding, input_shape = None, (M, N)
    else:
        pads = fb.kymatio_pads(shape, J)
        rows = fb.pad_index(shape[0], *pads[0])
        cols = fb.pad_index(shape[1], *pads[1])
        padding = ("index", (rows[:, None] * shape[1] + cols[None, :]).ravel())
        input_shape = tuple(shape)
    return CascadeSpec(input_shape=input_shape, padded=(M, N), padding=padding,
                       filters1=list(psi), res1=tuple(range(J)), filters2=filters2,
                       res2=res2, lowpass={r: fb.lowpass_matrices((M, N), J, r)
                                           for r in range(J)},
                       max_order=max_order)


def _check_int(value, name, low):
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an int; got {value!r}.")
    if value < low:
        raise ValueError(f"{name} must be >= {low}; got {value}.")
    return int(value)


class Scattering2D:
    """Kymatio 0.3's 2-D scattering transform, computed by this package's kernels.

    A drop-in for ``kymatio.numpy.Scattering2D``: the same parameters, the same
    output (shape, channel order, ``out_type="list"`` entries) and the same
    values up to float rounding (about 1e-7 of the output's maximum in
    float32), several times faster on one core. Only the import changes::

        from kymatio.numpy import Scattering2D                     # before
        from sklearn_sparsecode.scattering import Scattering2D     # after

    S0 = x⋆φ, S1 = |x⋆ψ_{j1,θ1}|⋆φ and S2 = ||x⋆ψ_{j1,θ1}|⋆ψ_{j2,θ2}|⋆φ (j2 > j1),
    sampled every 2^J pixels, with Kymatio's Morlet filters, reflect padding
    and its sampling of every modulus at stride 2^j (Bruna & Mallat 2013).

    Parameters
    ----------
    J : int
        Log2 of the scattering scale (>= 1, 2^J <= each side of ``shape``).
    shape : (M, N)
        Spatial size of the images.
    L : int, default=8
        Orientations per scale.
    max_order : {1, 2}, default=2
    pre_pad : bool, default=False
        If True, inputs are already padded to Kymatio's padded size
        ``(M // 2^J + 2) 2^J`` per side (``padded_shape``).
    backend : {"numpy"}, default="numpy"
        Accepted for compatibility with Kymatio's signature; numpy only.
    out_type : {"array", "list"}, default="array"
        ``"array"``: one array ``(..., K, M', N')``; ``"list"``: a list of K
        dicts with ``"coef"`` ``(..., M', N')``, ``"j"``, ``"n"`` and
        ``"theta"`` tuples, as Kymatio gives them.
    n_jobs : int or None, default=None
        Threads over chunks of images (an addition; results do not depend on it).
    batch_size : int or None, default=None
        Images per chunk (an addition; None: from scikit-learn's
        ``working_memory``). Results do not depend on it.

    Attributes
    ----------
    padded_shape : (M_padded, N_padded)
    out_shape : (M', N')
        ``M // 2^J`` by ``N // 2^J`` (``M_padded / 2^J - 2`` with ``pre_pad``).
    n_channels : int
        K = 1 + J L + L² J (J − 1) / 2 (orders 0 to 2) or 1 + J L.

    Notes
    -----
    Output index → path (Kymatio's order, also given by :meth:`meta`):
    channel 0 is order 0; channels 1 … J L are order 1, index
    ``1 + j1 L + θ1``; then order 2 by (j1, θ1, j2, θ2) with j2 > j1, θ2
    fastest. Orientation index t has angle (⌊L − L/2 − 1⌋ − t) π/L; for even L,
    :class:`~sklearn_sparsecode.ScatteringTransformer`'s orientation a is Kymatio's L − 1 − t.

    Inputs: any real numpy array ``(..., M, N)``; float32 is computed and
    returned in float32, float64 in float64, other real types in float64.
    Complex input raises a TypeError, a wrong spatial size a ValueError
    (Kymatio raises RuntimeError there).

    References
    ----------
    .. [1] J. Bruna and S. Mallat, "Invariant scattering convolution networks",
       IEEE TPAMI 35(8), 2013.
    .. [2] M. Andreux et al., "Kymatio: Scattering transforms in Python",
       JMLR 21(60), 2020.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_sparsecode.scattering import Scattering2D
    >>> S = Scattering2D(J=2, shape=(28, 28))
    >>> x = np.random.default_rng(0).random((5, 28, 28)).astype(np.float32)
    >>> S(x).shape, S(x).dtype
    ((5, 81, 7, 7), dtype('float32'))
    >>> S.meta()["key"][[0, 1, 17]].tolist()
    [(0, -1, -1, -1, -1), (1, 0, 0, -1, -1), (2, 0, 0, 1, 0)]
    """

    def __init__(self, J, shape, L=8, max_order=2, pre_pad=False, backend="numpy",
                 out_type="array", *, n_jobs=None, batch_size=None):
        self.J = _check_int(J, "J", 1)
        self.L = _check_int(L, "L", 1)
        try:
            shape = tuple(shape)
        except TypeError:
            raise TypeError(f"shape must be a pair of ints (M, N); got {shape!r}.") from None
        if len(shape) != 2:
            raise ValueError(f"shape must be a pair of ints (M, N); got {shape!r}.")
        self.shape = tuple(_check_int(s, "shape", 1) for s in shape)
        if max_order not in (1, 2) or isinstance(max_order, bool):
            raise ValueError(f"max_order must be 1 or 2; got {max_order!r}.")
        self.max_order = int(max_order)
        if not isinstance(pre_pad, (bool, np.bool_)):
            raise TypeError(f"pre_pad must be a bool; got {pre_pad!r}.")
        self.pre_pad = bool(pre_pad)
        if backend not in ("numpy", None):
            raise ValueError(f"backend must be 'numpy'; got {backend!r}.")
        self.backend = "numpy"
        if out_type not in ("array", "list"):
            raise ValueError(f"out_type must be 'array' or 'list'; got {out_type!r}.")
        self.out_type = out_type
        self.n_jobs, self.batch_size = n_jobs, batch_size
        if 2**self.J > min(self.shape):
            raise ValueError(f"The smallest dimension should be larger than 2^J = {2**self.J};"
                             f" got shape {self.shape}.")
        self._spec = kymatio_spec(self.J, self.shape, self.L, self.max_order, self.pre_pad)
        self.padded_shape = self._spec.padded
        self.out_shape = self._spec.out_shape
        self.n_channels = self._spec.n_paths

    def meta(self):
        """The path of every output channel (the map of Kymatio issue #632).

        Returns
        -------
        meta : dict of arrays, one entry per channel
            ``"order"`` (K,) int; ``"j"``, ``"theta"``, ``"n"`` (K, 2) int with −1
            where the order has no such field (n = j L + θ, Kymatio's filter
            index); ``"angle"`` (K, 2) radians (NaN where absent); ``"key"``
            (K,) records (order, j1, theta1, j2, theta2).
        """
        J, L = self.J, self.L
        paths = [()] + [((j1, t1),) for j1 in range(J) for t1 in range(L)]
        if self.max_order == 2:
            paths += [((j1, t1), (j2, t2)) for j1 in range(J) for t1 in range(L)
                      for j2 in range(j1 + 1, J) for t2 in range(L)]
        K = len(paths)
        j = np.full((K, 2), -1)
        t = np.full((K, 2), -1)
        for i, path in enumerate(paths):
            for o, (jj, tt) in enumerate(path):
                j[i, o], t[i, o] = jj, tt
        order = np.array([len(p) for p in paths])
        angle = np.where(t >= 0, fb.theta(t, L), np.nan)
        key = np.rec.fromarrays([order, j[:, 0], t[:, 0], j[:, 1], t[:, 1]],
                                names="order,j1,theta1,j2,theta2")
        return {"order": order, "j": j, "theta": t, "n": np.where(j >= 0, j * L + t, -1),
                "angle": angle, "key": key}

    def scattering(self, input):
        """Scattering coefficients of ``input`` (..., M, N) (see the class docstring)."""
        x = input
        if not isinstance(x, np.ndarray):
            raise TypeError(f"The input should be a numpy array, got {type(x)}.")
        if np.iscomplexobj(x) or not (np.issubdtype(x.dtype, np.number)
                                      or x.dtype == np.bool_):
            raise TypeError(f"The input should be real; got dtype {x.dtype}.")
        if x.ndim < 2:
            raise ValueError("Input array must have at least two dimensions.")
        expected = self._spec.input_shape
        if x.shape[-2:] != expected:
            what = "Padded array" if self.pre_pad else "NumPy array"
            raise ValueError(f"{what} must be of spatial size {expected}; got {x.shape[-2:]}.")
        batch_shape = x.shape[:-2]
        X = x.reshape((-1,) + expected)
        if X.dtype == np.bool_:
            X = X.view(np.uint8)
        if X.size and not np.isfinite(X).all():
            raise ValueError("The input contains NaN or infinity.")
        K, (h, w) = self.n_channels, self.out_shape
        spec = self._spec
        dtype = work_dtype(X.dtype)

        total = len(X)

        def forward(chunk, out, rows):
            cascade(spec, as_work_chunk(chunk), out.reshape(len(chunk), K, h, w),
                    rows.start, total)

        S = map_in_batches(forward, X, K * h * w, dtype, batch_size=self.batch_size,
                           n_jobs=self.n_jobs, uses_blas=True, pass_rows=True,
                           row_bytes=working_bytes(spec, dtype), label="Scattering2D")
        S = S.reshape(batch_shape + (K, h, w))
        if self.out_type == "array":
            return S
        meta = self.meta()
        out = []
        for i in range(K):
            j = tuple(int(v) for v in meta["j"][i] if v >= 0)
            out.append({"coef": S[..., i, :, :], "j": j,
                        "n": tuple(int(v) for v in meta["n"][i] if v >= 0),
                        "theta": tuple(int(v) for v in meta["theta"][i] if v >= 0)})
        return out

    __call__ = scattering

    def __repr__(self):
        return (f"Scattering2D(J={self.J}, shape={self.shape}, L={self.L}, "
                f"max_order={self.max_order}, pre_pad={self.pre_pad}, "
                f"out_type={self.out_type!r})")
