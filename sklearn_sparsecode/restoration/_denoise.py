"""Denoising by shrinkage in any transform of this package: denoise and Denoiser.

For white Gaussian noise of standard deviation σ, the coefficient c_k of an
analysis atom a_k is the clean coefficient plus noise of standard deviation
σ_n = σ·‖a_k‖. Each band is shrunk at a threshold τ measured against σ_n
(BayesShrink's σ_n²/σ_x by default), the low-pass is kept, the image is
synthesised back, and the estimates of a few circular shifts are averaged
(cycle spinning). A second, empirical Wiener stage in another transform uses
that estimate as a pilot. Both :func:`denoise` and :class:`Denoiser` run
:class:`~._engine.Engine`.
"""

from dataclasses import replace
from numbers import Integral, Real

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import (
    BaseEstimator,
    OneToOneFeatureMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.utils._param_validation import HasMethods, StrOptions, validate_params
from sklearn.utils._set_output import _wrap_data_with_container
from sklearn.utils.validation import check_is_fitted, validate_data

from .._core.shrinkage import SHRINKAGES
from .._core.validation import (
    CHANNEL_AXIS,
    Interval,
    _channel_axis_of,
    check_image_shape,
)
from ._engine import (
    DEFAULT_K,
    METHODS,
    Engine,
    Settings,
    Stage,
    crop,
    pad,
    padded_shape,
)
from ._images import (
    COLOR_SPACES,
    ImageBatch,
    as_image_batch,
    colour_matrix,
    restore_layout,
    scale_to_float,
)
from ._plans import TransformInfo
from ._sigma import sigma_of

TRANSFORMER = HasMethods(["fit", "transform", "inverse_transform"])
CONSTRAINTS = {
    "transformer": [TRANSFORMER, None],
    "sigma": [Interval(Real, 0, None, closed="left"), "array-like", None],
    "method": [StrOptions(set(METHODS))],
    "shrinkage": [StrOptions(set(SHRINKAGES))],
    "k": [Interval(Real, 0, None, closed="left"), None],
    "k_finest": [Interval(Real, 0, None, closed="left"), None],
    "keep_lowpass": ["boolean"],
    "joint": ["boolean"],
    "n_shifts": [Interval(Integral, 1, None, closed="left")],
    "wiener": ["boolean", TRANSFORMER],
    "channel_axis": CHANNEL_AXIS,
    "color_space": [StrOptions(set(COLOR_SPACES))],
}


def _sigma_values(sigma, n_channels):
    """A user's σ as one value per channel (float64), or None."""
    if sigma is None:
        return None
    values = np.asarray(sigma, dtype=np.float64).ravel()
    if values.size == 1:
        values = np.repeat(values, n_channels)
    if values.size != n_channels or not np.all(np.isfinite(values)) or np.any(values < 0):
        raise ValueError(f"sigma must be None, a non-negative number or one non-negative "
                         f"number per channel ({n_channels}); got {sigma!r}.")
    return values


def _run(batch: ImageBatch, engine_for, sigma, settings, color_space):
    """Denoise a validated batch: channels decorrelated, σ per image and channel."""
    data = batch.data
    colour = batch.channel_axis is not None
    n_channels = data.shape[-1] if colour else 1
    user_sigma = _sigma_values(sigma, n_channels)
    matrix = colour_matrix(color_space, n_channels) if colour else None
    if colour:
        if matrix is not None:
            data = data @ matrix.T.astype(data.dtype)
        grey = np.ascontiguousarray(np.moveaxis(data, -1, 1)).reshape(-1, *data.shape[1:-1])
    else:
        grey = data
    if user_sigma is None:  # estimated on the decorrelated channels themselves
        sig = sigma_of(grey)
    else:  # channel variances mix through the colour transform
        if matrix is not None:
            user_sigma = np.sqrt(np.square(matrix) @ np.square(user_sigma))
        sig = np.tile(user_sigma, len(data))
    shape = grey.shape[1:]
    work = padded_shape(shape)
    engine = engine_for(work)
    settings = replace(settings, n_pixels=int(np.prod(shape)))
    out = crop(engine.run(pad(grey, work), sig, settings), shape)
    if colour:
        out = np.moveaxis(out.reshape(len(data), n_channels, *shape), 1, -1)
        if matrix is not None:
            out = out @ np.linalg.inv(matrix).T.astype(out.dtype)
    return np.ascontiguousarray(out)


def _settings(method, shrinkage, k, k_finest, keep_lowpass, joint, n_shifts):
    return Settings(method=method, shrinkage=shrinkage, k=DEFAULT_K[method] if k is None else k,
                    k_finest=k_finest, keep_lowpass=bool(keep_lowpass), joint=bool(joint),
                    n_shifts=int(n_shifts))


@validate_params({"images": ["array-like"], **CONSTRAINTS}, prefer_skip_nested_validation=True)
def denoise(images, transformer=None, sigma=None, *, method="BayesShrink", shrinkage="soft",
            k=None, k_finest=None, keep_lowpass=True, joint=False, n_shifts=4, wiener=True,
            channel_axis=None, color_space="auto"):
    """Remove white Gaussian noise from images by shrinkage in a transform.

    With its defaults, chosen by a study on 15 grey images and checked on 12
    others (``benchmarks/bench_denoise_defaults.py``): BayesShrink soft
    thresholding in ``sym4`` wavelets, then an empirical Wiener stage in Haar
    wavelets, each averaged over 4 circular shifts, σ estimated per image
    (and per decorrelated channel) by :func:`estimate_sigma`.

    Parameters
    ----------
    images : array-like
        One image ``(height, width)`` or a batch ``(n_images, height, width)``;
        with ``channel_axis``, ``(height, width, channels)`` or
        ``(n_images, height, width, channels)`` with the channels on that axis.
        One image iff ``ndim == 2 + (channel_axis is not None)``. A 3-D array
        whose last axis has 3 or 4 entries needs ``channel_axis`` (it is refused
        rather than read as a batch of images 3 pixels wide). Integer and
        boolean images are scaled as :func:`skimage.util.img_as_float` does
        ([0, 1] unsigned, [-1, 1] signed) and the result is clipped to that
        range, as scikit-image's restoration functions do; float images keep
        their range and are not clipped; float16 is computed in float32.
    transformer : transformer of this package or None, default=None
        The transform of the thresholding stage (:class:`WaveletTransformer`,
        :class:`CurveletTransformer`, ...). None is periodized ``sym4`` wavelets
        with p levels. Cloned and fitted unless fitted on this shape; never
        modified. Fitted transforms and their atom norms are cached across
        calls (bounded, thread-safe).
    sigma : float, array-like of one float per channel, or None, default=None
        Noise standard deviation in the units of the scaled image (so
        ``sigma=0.1`` on a uint8 image is 25.5 grey levels); None estimates it
        per image and per (decorrelated) channel.
    method : {"BayesShrink", "VisuShrink", "fixed"}, default="BayesShrink"
        How τ is chosen per band, with σ_n = σ·‖a‖ the noise standard deviation
        of the band's coefficients: ``"BayesShrink"`` τ = k·σ_n²/σ_x per band
        and image, σ_x² = max(mean(c²) − σ_n², 0) (a band with σ_x = 0 is
        dropped; Chang, Yu & Vetterli 2000); ``"VisuShrink"`` τ =
        k·σ_n·sqrt(2 ln N), N pixels (Donoho & Johnstone 1994); ``"fixed"``
        τ = k·σ_n.
    shrinkage : {"hard", "soft", "garrote"}, default="soft"
        The rule applied at τ (see :mod:`sklearn_sparsecode._core.shrinkage`).
    k : float or None, default=None
        Multiplier of τ; None is 1 for BayesShrink and VisuShrink, 3 for fixed.
    k_finest : float or None, default=None
        The multiplier at the finest scale instead of ``k`` (None: ``k``).
    keep_lowpass : bool, default=True
        Leave the low-pass band(s) untouched in both stages.
    joint : bool, default=False
        Shrink the (√2·Re, √2·Im) halves of complex bands together on their
        modulus m with the gain ρ(m)/m, keeping the phase (τ of the Re half).
    n_shifts : int, default=4
        Circular shifts averaged (translation-invariant denoising, Coifman &
        Donoho 1995), placed as a Hammersley set: shift i is (i, ⌊n·φ₂(i)⌋).
        1 turns cycle spinning off. The cost grows linearly.
    wiener : bool or transformer, default=True
        Second stage: the empirical Wiener gain p²/(p² + σ_n²) (Ghael, Sayeed &
        Baraniuk 1997) applied to the noisy coefficients in another transform,
        p the coefficients of the first stage's estimate. True uses Haar
        wavelets (p levels), the best second basis in the study; a transformer
        uses that one (pass ``transformer`` itself for the same basis); False
        skips the stage.
    channel_axis : int or None, default=None
        The axis holding colour channels, scikit-image's meaning.
    color_space : {"auto", "opponent", "ycbcr", "channels"}, default="auto"
        How colour channels are decorrelated before denoising each on its own:
        an orthonormal opponent transform (keeps white noise white and of the
        same σ), YCbCr (as scikit-image's ``convert2ycbcr``), or none. "auto" is
        "opponent" for 3 channels and "channels" otherwise; more than 4 channels
        need "channels".

    Returns
    -------
    denoised : ndarray
        The shape of ``images``; float64, or float32 for float32 and float16
        input.

    See Also
    --------
    Denoiser : The same as a scikit-learn transformer (fitted once).
    estimate_sigma : The noise estimate used when ``sigma`` is None.

    References
    ----------
    D. L. Donoho and I. M. Johnstone, "Ideal spatial adaptation by wavelet
    shrinkage", Biometrika 81(3) (1994) 425–455.

    S. G. Chang, B. Yu and M. Vetterli, "Adaptive wavelet thresholding for image
    denoising and compression", IEEE Trans. Image Process. 9(9) (2000) 1532–1546.

    R. R. Coifman and D. L. Donoho, "Translation-invariant de-noising", in
    Wavelets and Statistics, Lecture Notes in Statistics 103 (1995) 125–150.

    S. P. Ghael, A. M. Sayeed and R. G. Baraniuk, "Improved wavelet denoising
    via empirical Wiener filtering", Proc. SPIE 3169 (1997) 389–399.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_sparsecode.restoration import denoise
    >>> from sklearn_sparsecode.datasets import make_cartoon
    >>> clean = make_cartoon(64, random_state=0)
    >>> noisy = clean + np.random.default_rng(0).normal(scale=0.1, size=clean.shape)
    >>> restored = denoise(noisy)
    >>> restored.shape
    (64, 64)
    >>> bool(np.linalg.norm(restored - clean) < 0.5 * np.linalg.norm(noisy - clean))
    True
    """
    batch = as_image_batch(images, channel_axis, color_space=color_space)
    settings = _settings(method, shrinkage, k, k_finest, keep_lowpass, joint, n_shifts)
    out = _run(batch, lambda shape: Engine.build(transformer, wiener, shape), sigma, settings,
               color_space)
    return restore_layout(batch, out)


# auto_wrap_output_keys=None: scikit-learn's set_output wrapper would turn every
# output into a data frame, and image batches (n, h, w) are not tables. transform
# wraps 2-D (flattened) output itself; see the assignment after the class.
class Denoiser(OneToOneFeatureMixin, TransformerMixin, BaseEstimator, auto_wrap_output_keys=None):
    """:func:`denoise` as a scikit-learn transformer: images in, images out.

    ``fit`` fits the transforms on the (extended) image shape and measures their
    atom norms once; ``transform`` runs the same engine as :func:`denoise`, so
    ``Denoiser(**params).fit(X).transform(X)`` equals ``denoise(X, **params)``.

    Parameters
    ----------
    transformer, sigma, method, shrinkage, k, k_finest, keep_lowpass, joint, n_shifts, \
wiener, channel_axis, color_space :
        As in :func:`denoise` (same defaults).
    image_shape : tuple (height, width) or None, default=None
        The image shape when X is 2-D with one flattened grey image per row.
        Without it, 2-D X holds 1-D signals (one per row), denoised with the
        same defaults in 1-D.

    Attributes
    ----------
    transformer_ : transformer
        The fitted transform of the thresholding stage.
    atom_norms_ : ndarray of shape (len(transformer_.bands_),)
        Its analysis atom norms (noise standard deviation per band for σ = 1).
    wiener_transformer_, wiener_atom_norms_ :
        The same for the Wiener stage (None without one).
    input_shape_ : tuple of int
        One sample's shape, channels last.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Defined when X is a data frame with string column names.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_sparsecode import Denoiser
    >>> X = np.random.default_rng(0).normal(scale=0.1, size=(4, 32, 32))
    >>> Denoiser(sigma=0.1).fit_transform(X).shape
    (4, 32, 32)
    """

    _parameter_constraints: dict = {**CONSTRAINTS, "image_shape": ["array-like", None]}

    def __init__(self, *, transformer=None, sigma=None, method="BayesShrink", shrinkage="soft",
                 k=None, k_finest=None, keep_lowpass=True, joint=False, n_shifts=4, wiener=True,
                 channel_axis=None, color_space="auto", image_shape=None):
        self.transformer = transformer
        self.sigma = sigma
        self.method = method
        self.shrinkage = shrinkage
        self.k = k
        self.k_finest = k_finest
        self.keep_lowpass = keep_lowpass
        self.joint = joint
        self.n_shifts = n_shifts
        self.wiener = wiener
        self.channel_axis = channel_axis
        self.color_space = color_space
        self.image_shape = image_shape

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    def _samples(self, X, reset):
        """X as (n, *sample) in its own dtype, validated as scikit-learn does, and the
        shape of X (what ``transform`` returns)."""
        ndim = getattr(X, "ndim", None)
        if ndim is None or ndim > 2:
            X = np.asarray(X)
            ndim = X.ndim
        # A batch of channel images, checked by the package's rule (shared with the transforms).
        axis = (None if self.channel_axis is None
                else _channel_axis_of(np.shape(X), self.channel_axis, "Denoiser"))
        if ndim in (3, 4):
            shape = X.shape
            if axis is not None:
                X = np.moveaxis(X, axis, -1)
            sample = tuple(int(s) for s in X.shape[1:])
            flat = X.reshape(len(X), -1)
        else:
            sample, flat = None, X
        flat = validate_data(self, flat, reset=reset, dtype="numeric")
        if sample is None:
            shape = flat.shape
            image_shape = check_image_shape(self.image_shape)
            if image_shape is not None and image_shape[0] * image_shape[1] != flat.shape[1]:
                raise ValueError(f"image_shape={image_shape} needs "
                                 f"{image_shape[0] * image_shape[1]} features per sample, but X "
                                 f"has {flat.shape[1]}.")
            sample = image_shape or (flat.shape[1],)
        elif self.image_shape is not None and check_image_shape(self.image_shape) != sample[:2]:
            raise ValueError(f"image_shape={tuple(self.image_shape)} does not match the images "
                             f"in X, {sample[:2]}.")
        if reset:
            self.input_shape_ = sample
        elif tuple(self.input_shape_) != sample:
            raise ValueError(f"X has samples of shape {sample}, but Denoiser was fitted on "
                             f"samples of shape {tuple(self.input_shape_)}.")
        return flat.reshape(len(flat), *sample), shape

    def _spatial(self):
        return self.input_shape_[:-1] if self.channel_axis is not None else self.input_shape_

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: ArrayLike, y: None = None) -> "Denoiser":
        """Fit the transforms on the (extended) sample shape and measure their norms.

        Parameters
        ----------
        X : array-like of shape (n_samples, height, width), (n_samples, n_features) or \
(n_samples, height, width, channels) with ``channel_axis``
        y : None
            Ignored.

        Returns
        -------
        self : Denoiser
        """
        self._samples(X, reset=True)
        engine = Engine.build(self.transformer, self.wiener, padded_shape(self._spatial()))
        self.transformer_ = engine.first.info.est
        self.atom_norms_ = engine.first.norms
        second = engine.second
        self.wiener_transformer_ = None if second is None else second.info.est
        self.wiener_atom_norms_ = None if second is None else second.norms
        return self

    def transform(self, X: ArrayLike) -> np.ndarray:
        """Denoised samples, in the shape of X.

        Parameters
        ----------
        X : array-like, as in :meth:`fit`

        Returns
        -------
        X_denoised : ndarray of the shape of X
        """
        check_is_fitted(self)
        samples, shape = self._samples(X, reset=False)
        data, clip = scale_to_float(samples)
        colour = self.channel_axis is not None
        batch = ImageBatch(data, False, -1 if colour else None, data.ndim, clip)
        settings = _settings(self.method, self.shrinkage, self.k, self.k_finest,
                             self.keep_lowpass, self.joint, self.n_shifts)

        def engine_for(work):
            first = Stage(TransformInfo(self.transformer_, work), self.atom_norms_)
            second = None if self.wiener_transformer_ is None else Stage(
                TransformInfo(self.wiener_transformer_, work), self.wiener_atom_norms_)
            return Engine(first, second)

        out = restore_layout(batch, _run(batch, engine_for, self.sigma, settings,
                                         self.color_space))
        if colour:
            out = np.moveaxis(out, -1, self.channel_axis % 4)
        out = out.reshape(shape)
        if out.ndim == 2:  # flattened rows: a table, set_output applies
            return _wrap_data_with_container("transform", out, X, self)
        return out  # images stay an array whatever set_output says

    def fit_transform(self, X: ArrayLike, y: None = None) -> np.ndarray:
        """``fit(X).transform(X)``.

        Parameters
        ----------
        X : array-like, as in :meth:`fit`
        y : None
            Ignored.

        Returns
        -------
        X_denoised : ndarray of the shape of X (a data frame for 2-D input
            under ``set_output(transform="pandas")``)
        """
        return self.fit(X, y).transform(X)


# set_output stays available (Pipeline.set_output sets it on every step) while
# transform decides what to wrap: the class was created with no auto-wrapped method.
Denoiser._sklearn_auto_wrap_output_keys = {"transform"}
