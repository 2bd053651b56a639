"""n-term approximation of images in any transform, and the atom norms of a transform.

An n-term approximation of an image x in a dictionary of atoms a_k (the columns
of the synthesis operator Φ = ``inverse_transform``) is x_n = Σ_{k ∈ Γ} z_k a_k
with |Γ| = n. Two ways to choose Γ and z:

* ``"largest"``: the n analysis coefficients c = ``transform(x)`` with the
  largest contribution |c_k|·‖a_k‖, synthesised as they are. For an orthonormal
  basis (orthogonal wavelets in periodization mode) this *is* the best n-term
  approximation. For a redundant frame it is not: the analysis coefficients of
  a tight frame are the minimum-norm synthesis, smeared over neighbouring atoms.
* ``"iht"``: sparse synthesis, min ‖x − Φ z‖ subject to ‖z‖₀ ≤ n, by normalised
  iterative hard thresholding (Blumensath & Davies 2010) started from the
  ``"largest"`` solution. This is the fair n-term approximation in a redundant
  frame; for a Parseval frame the adaptive step stays near 1.

Budgets count real coefficients: a complex curvelet coefficient stored as
(√2·Re, √2·Im) is two terms.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import HasMethods, StrOptions, validate_params

from .._core.validation import CHANNEL_AXIS, Interval
from ._images import as_image_batch, restore_layout
from ._plans import transform_info

NIHT_C = 0.01       # step-acceptance margin c of Blumensath & Davies (2010), their 0.01
NIHT_SHRINK = 2.0   # step shrink factor k of the same paper (k / (1 − c) > 1)


def _info_of(transformer):
    """The cached info of a fitted transformer on its own input shape."""
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(transformer)
    return transform_info(transformer, tuple(transformer.input_shape_))


@validate_params({"transformer": [HasMethods(["fit", "transform"])],
                  "kind": [StrOptions({"synthesis", "analysis"})],
                  "method": [StrOptions({"auto", "exact", "noise"})],
                  "random_state": [Interval(Integral, 0, None, closed="left")]},
                 prefer_skip_nested_validation=True)
def band_atom_norms(transformer, *, kind="synthesis", method="auto", random_state=0):
    """‖atom‖ of every band of a fitted transformer, synthesis or analysis side.

    Within one band of a periodic transform the atoms are translates of each
    other and share their norm. Results are cached per transform parameters and
    shape (bounded, thread-safe), so repeated calls are free.

    Parameters
    ----------
    transformer : fitted transformer with ``bands_``, ``transform`` (and ``inverse_transform``)
    kind : {"synthesis", "analysis"}, default="synthesis"
        ``"synthesis"``: ‖Φ e_k‖, the image a unit coefficient synthesises
        (``inverse_transform``); how much a coefficient contributes to an image
        (n-term approximation ranks by |c|·‖a‖). ``"analysis"``: the standard
        deviation of a coefficient of unit white noise, ‖Φ*ᵀ e_k‖; what a
        threshold is measured against (denoising, σ estimation). The two agree
        for orthonormal bases and tight frames (curvelets, tight Morlet banks)
        and differ for other frames (contourlets with the 9-7 pyramid).
    method : {"auto", "exact", "noise"}, default="auto"
        Synthesis side: always exact (one inverse transform of a unit vector at
        the centre of each band; 1 in closed form for orthonormal wavelets).
        Analysis side: ``"exact"`` is the closed form, the synthesis norms when
        the inverse is the adjoint (checked by a dot-product test on random
        data), or ``transform_vjp`` where the transform has it, and a
        ValueError otherwise; ``"noise"`` is Monte-Carlo, sqrt(mean c²) over
        transforms of white noise with at least 20,000 values per band (at most
        64 draws; within about 1% on large bands, a few % on small coarse ones);
        ``"auto"`` is exact where possible, else noise.
    random_state : int, default=0
        Seed of the noise draws (the result is deterministic).

    Returns
    -------
    norms : ndarray of shape (len(transformer.bands_),)

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_sparsecode import WaveletTransformer
    >>> from sklearn_sparsecode.restoration import band_atom_norms
    >>> wt = WaveletTransformer(wavelet="db4", n_scales=2).fit(np.zeros((1, 32, 32)))
    >>> bool(np.allclose(band_atom_norms(wt), 1.0))   # orthonormal basis
    True
    """
    info = _info_of(transformer)
    if kind == "analysis":
        return info.analysis_norms(method, random_state).copy()
    if method == "noise":
        raise ValueError("method='noise' measures analysis norms (coefficients of white "
                         "noise); pass kind='analysis', or method='exact' for synthesis norms.")
    return info.synthesis_norms().copy()


def _keep_n(values, n):
    """Boolean mask of the n largest entries of ``values`` (ties: argpartition's pick)."""
    mask = np.zeros(values.shape, dtype=bool)
    if n >= values.size:
        mask[:] = True
    elif n > 0:
        mask[np.argpartition(values, values.size - n)[values.size - n:]] = True
    return mask


def _approximate(image, info, weight, n, method, max_iter, tol):
    """n-term approximation of one float64 image; returns (approx, z, n_iter, residuals)."""
    shape = image.shape

    def synthesise(coefs):
        return info.inverse(coefs[None]).reshape(shape)

    def analyse(x):
        return info.forward(x[None])[0].astype(np.float64)

    coefs = analyse(image)
    # Coefficients on unit-norm atoms: x = Σ c_k a_k = Σ (c_k ‖a_k‖) (a_k / ‖a_k‖).
    usable = weight > 0
    z = coefs * weight
    support = _keep_n(np.abs(z), n) & usable
    z = np.where(support, z, 0.0)
    approx = synthesise(np.where(support, coefs, 0.0))
    residuals = [float(np.linalg.norm(image - approx))]
    n_iter = 0
    if method == "iht" and n > 0:
        safe = np.where(usable, weight, 1.0)
        best = (residuals[0], z, approx)
        for n_iter in range(1, max_iter + 1):
            gradient = np.where(usable, analyse(image - approx) / safe, 0.0)  # Φ'* r
            on_support = np.where(support, gradient, 0.0)
            denominator = np.sum(synthesise(on_support / safe) ** 2)
            if denominator <= 0:
                break
            # The step of normalised IHT: ‖g_Γ‖² / ‖Φ' g_Γ‖² (Blumensath & Davies, eq. 8).
            step = np.sum(on_support**2) / denominator
            while True:
                candidate = z + step * gradient
                new_support = _keep_n(np.abs(candidate), n) & usable
                candidate = np.where(new_support, candidate, 0.0)
                change = synthesise((candidate - z) / safe)
                if np.array_equal(new_support, support):
                    break
                # Support changed: accept the step only below the paper's bound
                # ω = (1 − c)‖Δz‖² / ‖Φ' Δz‖², else shrink it by k(1 − c).
                bound = (1 - NIHT_C) * np.sum((candidate - z) ** 2) / max(
                    np.sum(change**2), 1e-300)
                if step <= bound:
                    break
                step /= NIHT_SHRINK * (1 - NIHT_C)
            z, support, approx = candidate, new_support, approx + change
            residuals.append(float(np.linalg.norm(image - approx)))
            if residuals[-1] < best[0]:
                best = (residuals[-1], z, approx)
            if residuals[-2] - residuals[-1] <= tol * residuals[-2]:
                break
        _, z, approx = best
    coefficients = np.where(usable, z / np.where(usable, weight, 1.0), 0.0)
    return approx, coefficients, n_iter, residuals


@validate_params({"image": ["array-like"],
                  "transformer": [HasMethods(["fit", "transform", "inverse_transform"])],
                  "n": [Interval(Integral, 0, None, closed="left")],
                  "method": [StrOptions({"largest", "iht"})],
                  "max_iter": [Interval(Integral, 0, None, closed="left")],
                  "tol": [Interval(Real, 0, None, closed="left")],
                  "atom_norms": ["array-like", None],
                  "return_info": ["boolean"],
                  "channel_axis": CHANNEL_AXIS},
                 prefer_skip_nested_validation=True)
def nterm_approximation(image, transformer, n, *, method="largest", max_iter=50, tol=1e-4,
                        atom_norms=None, return_info=False, channel_axis=None):
    """Approximate images by n terms of a transform.

    Parameters
    ----------
    image : array-like
        One image ``(height, width)`` or a batch ``(n_images, height, width)``;
        with ``channel_axis``, colour images whose every channel gets its own n
        terms. One image iff ``ndim == 2 + (channel_axis is not None)``. Integer
        images are scaled as :func:`skimage.util.img_as_float` does and the result
        clipped to that range (as :func:`~sklearn_sparsecode.restoration.denoise` does).
    transformer : transformer of this package
        Any transformer with ``transform``, ``inverse_transform`` and ``bands_``
        (:class:`~sklearn_sparsecode.WaveletTransformer`, :class:`~sklearn_sparsecode.CurveletTransformer`, ...). Used
        as is when already fitted on images of this shape, otherwise a clone is
        fitted; the argument itself is never modified.
    n : int
        Number of terms (real coefficients) kept per image and channel, from 0
        to the number of coefficients of the transform.
    method : {"largest", "iht"}, default="largest"
        ``"largest"``: keep the n coefficients with the largest |c_k|·‖a_k‖
        (the coefficient times its synthesis atom's norm, which is |c_k| for an
        orthonormal basis). ``"iht"``: sparse synthesis by normalised iterative
        hard thresholding (Blumensath & Davies 2010) on unit-norm atoms, started
        from the ``"largest"`` solution and never worse than it. It needs
        ``transform`` to be the adjoint of ``inverse_transform`` (orthonormal
        bases and tight frames: every curvelet transform and the orthogonal
        wavelets in periodization mode).
    max_iter : int, default=50
        Iterations of IHT at most.
    tol : float, default=1e-4
        IHT stops when an iteration lowers the residual norm by less than this
        fraction.
    atom_norms : array-like of shape (len(bands_),) or None, default=None
        Synthesis atom norm of each band, as :func:`band_atom_norms` gives (taken
        from its cache when None).
    return_info : bool, default=False
        Also return a dict with ``"coefficients"`` (the sparse z, one entry per
        column; shape ``(n_coefs,)`` for one grey image, else
        ``(n_images, channels, n_coefs)`` without the axes the input lacks),
        ``"n_iter"`` and ``"residuals"`` (residual norm per iteration).
    channel_axis : int or None, default=None
        The axis holding colour channels, scikit-image's meaning.

    Returns
    -------
    approximation : ndarray of the shape of ``image``
        float32 for float32 (and float16) input, float64 otherwise.
    info : dict
        Only when ``return_info`` is True.

    See Also
    --------
    band_atom_norms : The atom norms used to weigh coefficients.
    denoise : Thresholding, the statistical cousin of n-term approximation.

    References
    ----------
    T. Blumensath and M. E. Davies, "Normalized iterative hard thresholding:
    guaranteed stability and performance", IEEE J. Sel. Topics Signal Process.
    4(2) (2010) 298–309.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_sparsecode import CurveletTransformer, WaveletTransformer
    >>> from sklearn_sparsecode.restoration import nterm_approximation
    >>> from sklearn_sparsecode.datasets import make_cartoon
    >>> x = make_cartoon(64, random_state=0)
    >>> x_n = nterm_approximation(x, WaveletTransformer(wavelet="db4"), 200)
    >>> x_n.shape
    (64, 64)
    >>> ct = CurveletTransformer(n_scales=3, n_orientations=4)
    >>> largest = nterm_approximation(x, ct, 200)
    >>> iht = nterm_approximation(x, ct, 200, method="iht")
    >>> bool(np.linalg.norm(x - iht) <= np.linalg.norm(x - largest))
    True
    """
    batch = as_image_batch(image, channel_axis, name="image")
    data = batch.data
    colour = channel_axis is not None
    grey = np.moveaxis(data, -1, 1).reshape(-1, *data.shape[1:-1]) if colour else data
    info = transform_info(transformer, grey.shape[1:])
    bands = info.bands
    if n > info.n_coefs:
        raise ValueError(f"n must be between 0 and the number of coefficients of the "
                         f"transform, {info.n_coefs}; got n={n}.")
    norms = info.synthesis_norms() if atom_norms is None else np.asarray(atom_norms, float)
    if norms.shape != (len(bands),):
        raise ValueError(f"atom_norms must have one value per band ({len(bands)}); "
                         f"got shape {norms.shape}.")
    weight = np.repeat(norms, [b.stop - b.start for b in bands])
    results = [_approximate(x.astype(np.float64), info, weight, n, method, max_iter, tol)
               for x in grey]
    approx = np.stack([r[0] for r in results]).astype(data.dtype, copy=False)
    if colour:
        approx = np.moveaxis(approx.reshape(len(data), -1, *grey.shape[1:]), 1, -1)
    out = restore_layout(batch, np.ascontiguousarray(approx))
    if not return_info:
        return out
    lead = (len(data),) + ((data.shape[-1],) if colour else ())
    coefficients = np.stack([r[1] for r in results]).reshape(*lead, -1)
    n_iter = np.array([r[2] for r in results]).reshape(lead)
    residuals = [r[3] for r in results]
    if batch.single:
        coefficients, n_iter = coefficients[0], n_iter[0]
        residuals = residuals[0] if not colour else residuals
    if not colour and batch.single:
        n_iter = int(n_iter)
    return out, {"coefficients": coefficients, "n_iter": n_iter, "residuals": residuals}
