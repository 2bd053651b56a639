"""Denoising by thresholding in any transform of this package.

For white Gaussian noise of standard deviation σ, the coefficient c_k of an atom
a_k is the clean coefficient plus noise of standard deviation σ·‖a_k‖. So each
band is thresholded at τ_band = k·σ·‖a_band‖ (Donoho & Johnstone 1994 for
wavelets; Starck, Candès & Donoho 2002 for curvelets), the low-pass is kept, and
the image is synthesised back. σ is estimated from the finest band when not
given, median(|c|)/0.6745/‖a_finest‖ (Donoho & Johnstone's MAD rule). Cycle
spinning (Coifman & Donoho 1995) averages the estimates of circularly shifted
copies, which removes the artefacts of a decimated transform's fixed grid.
"""

from numbers import Integral, Real

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import (
    BaseEstimator,
    OneToOneFeatureMixin,
    TransformerMixin,
    _fit_context,
    clone,
)
from sklearn.utils._param_validation import HasMethods, StrOptions
from sklearn.utils.validation import check_is_fitted

from .._core.bands import complex_pairs
from .._core.base import ImageInputMixin
from .._core.validation import Interval, validate_images
from ._approximation import (
    band_atom_norms,
    column_weights,
    finest_mask,
    fitted_for,
    lowpass_mask,
)

MAD_TO_SIGMA = 0.6745  # median(|N(0, 1)|)
DENOISE_MODES = ("hard", "soft", "garrote")
DENOISE_RULES = ("fixed", "bayes")


def _default_transformer():
    from ..wavelets import WaveletTransformer
    return WaveletTransformer(wavelet="db4")


def _shrink(coefs, tau, mode):
    """Threshold ``coefs`` (n, n_coefs) at per-column (or per-entry) ``tau``."""
    magnitude = np.abs(coefs)
    if mode == "hard":
        return np.where(magnitude > tau, coefs, 0.0)
    if mode == "soft":
        return np.sign(coefs) * np.maximum(magnitude - tau, 0.0)
    # Non-negative garrote: c − τ·(τ/c) above τ (τ² first would overflow, as in threshold()).
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(magnitude > tau, coefs - tau * (tau / np.where(coefs == 0, 1, coefs)),
                        0.0)


def _pair_columns(bands):
    """Columns of the (re, im) halves of complex bands, as two index arrays."""
    re, im = [], []
    for group in complex_pairs(bands):
        if len(group) == 2:
            re.append(np.arange(group[0].start, group[0].stop))
            im.append(np.arange(group[1].start, group[1].stop))
    if not re:
        return None
    return np.concatenate(re), np.concatenate(im)


def _is_transformer(obj):
    return all(hasattr(obj, m) for m in ("fit", "transform", "inverse_transform"))


def _default_k(k, rule):
    if k is None:
        return 1.0 if rule == "bayes" else 3.0
    return k


def _check_sigma(sigma):
    if sigma is None:
        return None
    if isinstance(sigma, bool) or not isinstance(sigma, Real) or not np.isfinite(sigma):
        raise ValueError(f"sigma must be a finite non-negative number or None; got {sigma!r}.")
    if sigma < 0:
        raise ValueError(f"sigma must be non-negative; got sigma={sigma}.")
    return float(sigma)


def _check_params(k, k_finest, mode, cycle_spins, rule="fixed"):
    if rule not in DENOISE_RULES:
        raise ValueError(f"rule must be one of {DENOISE_RULES}; got {rule!r}.")
    if mode not in DENOISE_MODES:
        raise ValueError(f"mode must be one of {DENOISE_MODES}; got {mode!r}.")
    for name, value in (("k", k), ("k_finest", k_finest)):
        if value is None and name == "k_finest":
            continue
        if isinstance(value, bool) or not isinstance(value, Real) or not value >= 0:
            raise ValueError(f"{name} must be a non-negative number; got {value!r}.")
    if isinstance(cycle_spins, bool) or not isinstance(cycle_spins, Integral) or cycle_spins < 0:
        raise ValueError(f"cycle_spins must be a non-negative integer; got {cycle_spins!r}.")


class _Plan:
    """A fitted transform with its per-column noise scale, lowpass and finest masks."""

    def __init__(self, transformer, atom_norms):
        self.est = transformer
        bands = transformer.bands_
        sizes = [b.stop - b.start for b in bands]
        self.bands = bands
        self.norms = np.asarray(atom_norms, dtype=np.float64)
        if self.norms.shape != (len(bands),):
            raise ValueError(f"atom_norms must have one value per band ({len(bands)}); "
                             f"got shape {self.norms.shape}.")
        self.column_norm = column_weights(bands, self.norms)
        self.lowpass = np.repeat(lowpass_mask(bands), sizes)
        self.finest = np.repeat(finest_mask(bands), sizes)
        self.last = slice(bands[-1].start, bands[-1].stop)
        self.pairs = _pair_columns(bands)

    def coefficients(self, images):
        return np.asarray(self.est.transform(images)).reshape(len(images), -1)

    def sigma_from(self, coefs):
        """Per-image σ̂ = median(|c|) / 0.6745 / ‖atom‖ on the finest band."""
        norm = self.norms[-1]
        return np.median(np.abs(coefs[:, self.last]), axis=1) / MAD_TO_SIGMA / norm


def estimate_sigma(images, transformer=None):
    """Noise standard deviation of each image, from its finest band.

    σ̂ = median(|c|) / 0.6745 / ‖a‖ over the coefficients c of the transform's
    finest band (the last in ``bands_``, e.g. the diagonal details ``dd`` of a
    wavelet transform), whose atoms have norm ‖a‖. For pure white Gaussian
    noise each such coefficient is N(0, σ²‖a‖²), and the median of |N(0, 1)| is
    0.6745; image content in that band biases the estimate up a little.

    Parameters
    ----------
    images : array-like of shape (height, width) or (n_images, height, width)
    transformer : transformer of this package or None, default=None
        None is ``WaveletTransformer(wavelet="db4")``. Cloned and fitted when not
        already fitted on images of this shape; never modified.

    Returns
    -------
    sigma : float or ndarray of shape (n_images,)
        A float for one 2-D image.

    References
    ----------
    D. L. Donoho and I. M. Johnstone, "Ideal spatial adaptation by wavelet
    shrinkage", Biometrika 81(3) (1994) 425–455.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_sparsecode.restoration import estimate_sigma
    >>> noise = np.random.default_rng(0).normal(scale=0.1, size=(128, 128))
    >>> round(estimate_sigma(noise), 2)
    0.1
    """
    batch, single = _check_images(images)
    transformer = _default_transformer() if transformer is None else transformer
    est = fitted_for(transformer, batch.shape[1:], batch)
    plan = _Plan(est, band_atom_norms(est))
    sigma = plan.sigma_from(plan.coefficients(batch))
    return float(sigma[0]) if single else sigma


def _check_images(images):
    X = np.asarray(images)
    if X.ndim not in (2, 3):
        raise ValueError("images must be one image (height, width) or a batch "
                         f"(n_images, height, width); got shape {X.shape}.")
    if not (np.issubdtype(X.dtype, np.floating) or np.issubdtype(X.dtype, np.integer)):
        raise ValueError(f"images must be real numbers; got dtype {X.dtype}.")
    if X.size == 0:
        raise ValueError(f"images is empty (shape {X.shape}).")
    if not np.issubdtype(X.dtype, np.floating):
        X = X.astype(np.float64)
    if not np.all(np.isfinite(X)):
        raise ValueError("images contains NaN or infinity.")
    single = X.ndim == 2
    return (X[None] if single else X), single


def _denoise_batch(images, plan, sigma, mode, k, k_finest, keep_lowpass, joint, cycle_spins,
                   rule="fixed", wiener=False, wiener_plan=None):
    """Denoise validated ``(n, *input_shape)`` samples with a fitted plan."""
    wplan = plan if wiener_plan is None else wiener_plan
    dtype = images.dtype
    if sigma is None:  # once per image, on the unshifted input
        sigma = plan.sigma_from(plan.coefficients(images).astype(np.float64, copy=False))
    else:
        sigma = np.full(len(images), float(sigma))

    def wiener_once(batch, pilot):
        # Empirical Wiener filter (Ghael, Sayeed & Baraniuk 1997): the gain
        # p² / (p² + σ_n²) of each coefficient, p the pilot's coefficient.
        coefs = wplan.coefficients(batch).astype(np.float64, copy=False)
        p = wplan.coefficients(pilot).astype(np.float64, copy=False)
        noise2 = (sigma[:, None] * wplan.column_norm[None, :]) ** 2
        with np.errstate(divide="ignore", invalid="ignore"):
            gain = np.where(p**2 + noise2 > 0, p**2 / (p**2 + noise2), 1.0)
        out = coefs * gain
        if keep_lowpass:
            out[:, wplan.lowpass] = coefs[:, wplan.lowpass]
        restored = np.asarray(wplan.est.inverse_transform(out.astype(dtype, copy=False)))
        return restored.reshape(batch.shape)

    def once(batch):
        coefs = plan.coefficients(batch).astype(np.float64, copy=False)
        s = sigma
        factor = np.where(plan.finest, k if k_finest is None else k_finest, k)
        noise = s[:, None] * plan.column_norm[None, :]  # std of each coefficient's noise
        if rule == "bayes":
            # BayesShrink per band and image: τ = σ_n² / σ_x with the signal's
            # std σ_x² = max(mean(c²) − σ_n², 0) estimated on the band.
            energy = np.empty_like(noise)
            for band in plan.bands:
                columns = slice(band.start, band.stop)
                energy[:, columns] = np.mean(coefs[:, columns] ** 2, axis=1, keepdims=True)
            signal = np.sqrt(np.maximum(energy - noise**2, 0.0))
            with np.errstate(divide="ignore", invalid="ignore"):
                tau = np.where(signal > 0, noise**2 / np.where(signal > 0, signal, 1.0),
                               np.max(np.abs(coefs), axis=1, keepdims=True) + noise)
            tau = np.where(noise > 0, tau, 0.0) * factor[None, :]
        else:
            tau = noise * factor[None, :]
        if joint and plan.pairs is not None:
            # Block threshold of complex pairs: both halves on the modulus
            # (noise √2·σ‖a‖ in the modulus² sense: χ² with 2 degrees).
            re, im = plan.pairs
            modulus = np.hypot(coefs[:, re], coefs[:, im])
            shrunk = _shrink(modulus, tau[:, re], mode)
            with np.errstate(divide="ignore", invalid="ignore"):
                gain = np.where(modulus > 0, shrunk / modulus, 0.0)
            out = _shrink(coefs, tau, mode)
            out[:, re], out[:, im] = coefs[:, re] * gain, coefs[:, im] * gain
        else:
            out = _shrink(coefs, tau, mode)
        if keep_lowpass:
            out[:, plan.lowpass] = coefs[:, plan.lowpass]
        restored = np.asarray(plan.est.inverse_transform(out.astype(dtype, copy=False)))
        return restored.reshape(batch.shape)

    axes = tuple(range(1, images.ndim))
    shifts = list(np.ndindex(*(cycle_spins + 1,) * len(axes)))

    def spin(step, *arrays):
        total = np.zeros(images.shape, dtype=np.float64)
        for shift in shifts:
            shifted = [np.roll(a, shift, axis=axes) for a in arrays]
            total += np.roll(step(*shifted), tuple(-s for s in shift), axis=axes)
        return total / len(shifts)

    estimate = spin(once, images)
    if wiener:
        estimate = spin(wiener_once, images, estimate.astype(dtype, copy=False))
    return estimate.astype(dtype, copy=False)


def denoise(images, transformer=None, sigma=None, *, rule="fixed", mode="hard", k=None,
            k_finest=None, keep_lowpass=True, joint=False, cycle_spins=0, wiener=False,
            atom_norms=None):
    """Remove white Gaussian noise by thresholding each band of a transform.

    Each coefficient is thresholded at τ = k·σ·‖a‖, with ‖a‖ the norm of its
    band's atoms (so τ is k noise standard deviations of that coefficient),
    or at BayesShrink's per-band τ, and the image is synthesised back. The
    noise level of a coefficient is the norm of its *analysis* atom; the
    atom norms measured by :func:`band_atom_norms` (``"exact"``) are those of
    the synthesis atoms, the same for orthonormal bases and tight frames
    (orthogonal wavelets, curvelets) but only close for other frames
    (biorthogonal wavelets, contourlets); pass ``atom_norms=band_atom_norms(
    fitted, method="noise")``, which measures the analysis side, for those.

    Parameters
    ----------
    images : array-like of shape (height, width) or (n_images, height, width)
        Noisy images; the result has the same shape (and float dtype).
    transformer : transformer of this package or None, default=None
        The transform (:class:`CurveletTransformer`, :class:`WaveletTransformer`,
        ...); None is ``WaveletTransformer(wavelet="db4")``. Cloned and fitted unless
        already fitted on images of this shape; never modified.
    sigma : float or None, default=None
        Noise standard deviation; None estimates it per image with
        :func:`estimate_sigma`. ``sigma=0`` returns the input (up to rounding).
    rule : {"fixed", "bayes"}, default="fixed"
        ``"fixed"``: τ = k·σ_n per band, with σ_n = σ·‖a‖ the noise standard
        deviation of the band's coefficients. ``"bayes"``: BayesShrink (Chang,
        Yu & Vetterli 2000) per band and image, τ = k·σ_n²/σ_x with
        σ_x² = max(mean(c²) − σ_n², 0) (everything but the low-pass is dropped
        where σ_x = 0); meant for ``mode="soft"``.
    mode : {"hard", "soft", "garrote"}, default="hard"
    k : float or None, default=None
        Multiplier of the threshold; None is 3 for ``rule="fixed"`` (three
        noise standard deviations) and 1 for ``rule="bayes"``.
    k_finest : float or None, default=None
        Threshold factor at the finest scale (the bands with the scale of the
        last band); None is ``k``. The finest scale holds mostly noise and
        takes a higher factor well (Starck, Candès & Donoho use 4σ there).
    keep_lowpass : bool, default=True
        Leave the low-pass band(s) untouched.
    joint : bool, default=False
        Threshold the (√2·Re, √2·Im) halves of complex bands together on
        their modulus (block thresholding of pairs), keeping their phase.
    cycle_spins : int, default=0
        Average over the (cycle_spins + 1)² circular shifts by (0..s, 0..s)
        pixels (Coifman & Donoho's translation-invariant denoising); 0 is off.
    wiener : bool or transformer, default=False
        Second stage: use the thresholded estimate as a pilot and apply the
        empirical Wiener gain p²/(p² + σ_n²) to the noisy coefficients (p the
        pilot's coefficient, σ_n the coefficient's noise level), with the same
        cycle spinning (Ghael, Sayeed & Baraniuk 1997). True runs it in
        ``transformer``; a transformer runs it in that transform instead, as
        Ghael et al. do with a second wavelet basis (a curvelet pilot and a
        wavelet Wiener stage is the best pair on photographs in
        ``benchmarks/bench_denoise.py``). About twice the cost.
    atom_norms : array-like of shape (len(bands_),) or None, default=None
        Per-band atom norms from :func:`band_atom_norms` (measured when None).

    Returns
    -------
    denoised : ndarray of the shape of ``images``

    See Also
    --------
    Denoiser : The same as a scikit-learn transformer.
    estimate_sigma : The noise estimate used when ``sigma`` is None.

    References
    ----------
    D. L. Donoho and I. M. Johnstone, "Ideal spatial adaptation by wavelet
    shrinkage", Biometrika 81(3) (1994) 425–455.

    S. G. Chang, B. Yu and M. Vetterli, "Adaptive wavelet thresholding for image
    denoising and compression", IEEE Trans. Image Process. 9(9) (2000) 1532–1546.

    J.-L. Starck, E. J. Candès and D. L. Donoho, "The curvelet transform for
    image denoising", IEEE Trans. Image Process. 11(6) (2002) 670–684.

    R. R. Coifman and D. L. Donoho, "Translation-invariant de-noising", in
    Wavelets and Statistics, Lecture Notes in Statistics 103 (1995) 125–150.

    S. P. Ghael, A. M. Sayeed and R. G. Baraniuk, "Improved wavelet denoising
    via empirical Wiener filtering", Proc. SPIE 3169 (1997) 389–399.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_sparsecode import CurveletTransformer
    >>> from sklearn_sparsecode.restoration import denoise
    >>> from sklearn_sparsecode.datasets import make_cartoon
    >>> clean = make_cartoon(64, random_state=0)
    >>> noisy = clean + np.random.default_rng(0).normal(scale=0.1, size=clean.shape)
    >>> restored = denoise(noisy, CurveletTransformer(n_scales=3), sigma=0.1)
    >>> restored.shape
    (64, 64)
    >>> bool(np.linalg.norm(restored - clean) < 0.5 * np.linalg.norm(noisy - clean))
    True
    """
    sigma = _check_sigma(sigma)
    k = _default_k(k, rule)
    _check_params(k, k_finest, mode, cycle_spins, rule)
    batch, single = _check_images(images)
    transformer = _default_transformer() if transformer is None else transformer
    est = fitted_for(transformer, batch.shape[1:], batch)
    plan = _Plan(est, band_atom_norms(est) if atom_norms is None else atom_norms)
    wiener_plan = None
    if _is_transformer(wiener):
        second = fitted_for(wiener, batch.shape[1:], batch)
        wiener_plan = _Plan(second, band_atom_norms(second))
    elif not isinstance(wiener, (bool, np.bool_)):
        raise ValueError(f"wiener must be a bool or a transformer; got {wiener!r}.")
    out = _denoise_batch(batch, plan, sigma, mode, k, k_finest, keep_lowpass, joint,
                         cycle_spins, rule, bool(wiener), wiener_plan)
    return out[0] if single else out


class Denoiser(OneToOneFeatureMixin, ImageInputMixin, TransformerMixin, BaseEstimator):
    """Threshold denoising in a transform, as a preprocessing step of a pipeline.

    Images in, images of the same shape out: :func:`denoise` with the transform
    fitted (and its atom norms measured) once in ``fit``.

    Parameters
    ----------
    transformer : transformer of this package or None, default=None
        None is ``WaveletTransformer(wavelet="db4")``, which also takes 2-D X as 1-D
        signals. A clone is fitted; the parameter is left as given.
    sigma : float or None, default=None
        Noise standard deviation; None estimates it per image from its finest
        band at transform time.
    rule : {"fixed", "bayes"}, default="fixed"
    mode : {"hard", "soft", "garrote"}, default="hard"
    k : float or None, default=None
    k_finest : float or None, default=None
    keep_lowpass : bool, default=True
    joint : bool, default=False
    cycle_spins : int, default=0
    wiener : bool, default=False
        As in :func:`denoise`.

    Attributes
    ----------
    transformer_ : transformer
        The fitted clone of ``transformer``.
    atom_norms_ : ndarray of shape (len(transformer_.bands_),)
    wiener_transformer_, wiener_atom_norms_ :
        The same for the Wiener stage, when ``wiener`` is a transformer.
    n_features_in_ : int
    input_shape_ : tuple of int

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_sparsecode import Denoiser, WaveletTransformer
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(scale=0.1, size=(4, 32, 32))
    >>> Denoiser(transformer=WaveletTransformer(wavelet="haar"), sigma=0.1).fit_transform(X).shape
    (4, 32, 32)
    """

    _parameter_constraints: dict = {
        "transformer": [HasMethods(["fit", "transform", "inverse_transform"]), None],
        "sigma": [Interval(Real, 0, None, closed="left"), None],
        "rule": [StrOptions(set(DENOISE_RULES))],
        "mode": [StrOptions(set(DENOISE_MODES))],
        "k": [Interval(Real, 0, None, closed="left"), None],
        "k_finest": [Interval(Real, 0, None, closed="left"), None],
        "keep_lowpass": ["boolean"],
        "joint": ["boolean"],
        "cycle_spins": [Interval(Integral, 0, None, closed="left")],
        "wiener": ["boolean", HasMethods(["fit", "transform", "inverse_transform"])],
    }

    def __init__(self, *, transformer=None, sigma=None, rule="fixed", mode="hard", k=None,
                 k_finest=None, keep_lowpass=True, joint=False, cycle_spins=0, wiener=False):
        self.transformer = transformer
        self.sigma = sigma
        self.rule = rule
        self.mode = mode
        self.k = k
        self.k_finest = k_finest
        self.keep_lowpass = keep_lowpass
        self.joint = joint
        self.cycle_spins = cycle_spins
        self.wiener = wiener

    def _image_shape(self):
        return getattr(self.transformer, "image_shape", None)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: ArrayLike, y: None = None) -> "Denoiser":
        """Fit the transform on the image shape and measure its atom norms.

        Parameters
        ----------
        X : array-like of shape (n_samples, height, width) or (n_samples, n_features)
        y : None
            Ignored.

        Returns
        -------
        self : Denoiser
        """
        X = validate_images(self, X, reset=True, image_shape=self._image_shape(), reshape=False)
        transformer = _default_transformer() if self.transformer is None else self.transformer
        self.transformer_ = clone(transformer).fit(self._as_transformer_input(X))
        self.atom_norms_ = band_atom_norms(self.transformer_)
        if _is_transformer(self.wiener):
            self.wiener_transformer_ = clone(self.wiener).fit(
                self._as_transformer_input(X, self.wiener))
            self.wiener_atom_norms_ = band_atom_norms(self.wiener_transformer_)
        return self

    def _as_transformer_input(self, X, transformer=None):
        """Validated 2-D X in the form a transformer takes (3-D for images, unless
        the transformer itself flattens with ``image_shape``)."""
        transformer = self.transformer if transformer is None else transformer
        if len(self.input_shape_) == 2 and getattr(transformer, "image_shape", None) is None:
            return X.reshape(len(X), *self.input_shape_)
        return X

    def transform(self, X: ArrayLike) -> np.ndarray:
        """Denoised images, in the shape of X.

        Parameters
        ----------
        X : array-like of shape (n_samples, height, width) or (n_samples, n_features)

        Returns
        -------
        X_denoised : ndarray of the shape of X
        """
        check_is_fitted(self)
        shape = np.shape(X) if hasattr(X, "shape") else np.asarray(X).shape
        flat = validate_images(self, X, reset=False, image_shape=self._image_shape(),
                               reshape=False)
        samples = flat.reshape(len(flat), *self.input_shape_)
        form = self._as_transformer_input(flat).shape
        plan = _Plan(_SampleAdapter(self.transformer_, form), self.atom_norms_)
        wiener_plan = None
        if _is_transformer(self.wiener):
            wiener_form = self._as_transformer_input(flat, self.wiener).shape
            wiener_plan = _Plan(_SampleAdapter(self.wiener_transformer_, wiener_form),
                                self.wiener_atom_norms_)
        out = _denoise_batch(samples, plan, self.sigma, self.mode,
                             _default_k(self.k, self.rule), self.k_finest, self.keep_lowpass,
                             self.joint, self.cycle_spins, self.rule, bool(self.wiener),
                             wiener_plan)
        return out.reshape(len(flat), *shape[1:]) if len(shape) == 3 else out.reshape(flat.shape)


class _SampleAdapter:
    """The fitted transformer seen on ``(n, *input_shape)`` samples."""

    def __init__(self, est, form):
        self._est, self._form = est, form[1:]
        self.bands_ = est.bands_

    def transform(self, samples):
        return self._est.transform(samples.reshape(len(samples), *self._form))

    def inverse_transform(self, coefs):
        return self._est.inverse_transform(coefs)
