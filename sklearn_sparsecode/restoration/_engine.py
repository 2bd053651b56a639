"""The denoising engine that :func:`denoise` and :class:`Denoiser` share.

A call is: (colour) decorrelate the channels → extend each image symmetrically
to sides divisible by 2^p → for each of ``n_shifts`` circular shifts, shrink the
coefficients of every band in the first transform and synthesise (the pilot) →
optionally, for each shift, the empirical Wiener gain p²/(p² + σ_n²) of the
pilot's coefficients p in a second transform applied to the noisy ones →
average the shifts back, crop, recombine the channels.
"""

import math
import warnings
from dataclasses import dataclass

import numpy as np

from .._core.bands import complex_pairs
from .._core.shrinkage import shrink_into, shrinkage_gain, tau_in_dtype
from .._core.validation import FlattenedImagesWarning
from ._plans import TransformInfo, finest_bands, transform_info
from ._sigma import rows_per_chunk, wavelet_transformer

DEFAULT_WAVELET = "sym4"    # first stage: BayesShrink, soft, in sym4 wavelets
WIENER_WAVELET = "haar"     # second stage: empirical Wiener in Haar wavelets
METHODS = ("BayesShrink", "VisuShrink", "fixed")
DEFAULT_K = {"BayesShrink": 1.0, "VisuShrink": 1.0, "fixed": 3.0}


def pad_exponent(shape):
    """p such that images are extended to sides divisible by 2^p (1 <= p <= 6)."""
    return int(np.clip(math.floor(math.log2(max(min(shape), 1))) - 3, 1, 6))


def padded_shape(shape):
    step = 2 ** pad_exponent(shape)
    return tuple(s + (-s) % step for s in shape)


def shifts_for(n_shifts, ndim):
    """``n_shifts`` circular shifts: a Hammersley point set on the n × n grid.

    Shift i is (i, ⌊n·φ₂(i)⌋), φ₂ the base-2 radical inverse (bit reversal):
    for n a power of two every row offset and every column offset mod n occurs
    once, and the pairs cover the residues mod 2^j of every dyadic scale j as
    evenly as n shifts can (a (0, m, 2)-net), so a few shifts do the work of
    the n² of Coifman & Donoho's full cycle spinning. 1-D signals: 0..n−1.
    """
    if ndim == 1:
        return [(i,) for i in range(n_shifts)]
    out = []
    for i in range(n_shifts):
        radical, f, k = 0.0, 0.5, i
        while k:
            radical += f * (k & 1)
            k >>= 1
            f /= 2
        out.append((i, int(radical * n_shifts)))
    return out


@dataclass(frozen=True)
class Settings:
    """The shrinkage parameters of one call (already validated)."""

    method: str = "BayesShrink"
    shrinkage: str = "soft"
    k: float = 1.0
    k_finest: object = None
    keep_lowpass: bool = True
    joint: bool = False
    n_shifts: int = 4
    n_pixels: int = 1   # of one image, for VisuShrink's sqrt(2 log N)


class Stage:
    """A fitted transform with its analysis norms, finest bands and complex pairs."""

    def __init__(self, info: TransformInfo, norms=None):
        self.info = info
        self.bands = info.bands
        self.norms = np.asarray(info.analysis_norms() if norms is None else norms, dtype=float)
        if self.norms.shape != (len(self.bands),):
            raise ValueError(f"atom norms must have one value per band ({len(self.bands)}); "
                             f"got shape {self.norms.shape}.")
        self.finest = np.zeros(len(self.bands), dtype=bool)
        self.finest[finest_bands(self.bands)] = True
        index = {id(b): i for i, b in enumerate(self.bands)}
        self.pairs = [(index[id(g[0])], index[id(g[1])]) for g in complex_pairs(self.bands)
                      if len(g) == 2]
        paired = {i for pair in self.pairs for i in pair}
        self.singles = [i for i in range(len(self.bands)) if i not in paired]

    def threshold(self, coefs, sigma, settings):
        """Shrink every band of ``coefs`` (rows, n_coefs) in place; σ per row."""
        skip = (lambda i: self.bands[i].lowpass) if settings.keep_lowpass else (lambda i: False)
        for i in self.singles:
            if not skip(i):
                block = coefs[:, self.bands[i].start:self.bands[i].stop]
                self._shrink(block, self._tau(block, sigma, i, settings), settings)
        for re, im in self.pairs:  # complex bands stored as (√2·Re, √2·Im) halves
            a = coefs[:, self.bands[re].start:self.bands[re].stop]
            b = coefs[:, self.bands[im].start:self.bands[im].stop]
            if skip(re):
                continue
            if settings.joint:  # both halves on the modulus, the phase kept
                tau = self._tau(a, sigma, re, settings)
                gain = shrinkage_gain(np.hypot(a, b), tau_in_dtype(tau[:, None], a.dtype),
                                      settings.shrinkage)
                a *= gain
                b *= gain
            else:
                for i, block in ((re, a), (im, b)):
                    self._shrink(block, self._tau(block, sigma, i, settings), settings)

    @staticmethod
    def _shrink(block, tau, settings):
        """The rule on one band (rows, n) in place at a threshold per row."""
        shrink_into(block, block, tau_in_dtype(tau[:, None], block.dtype), settings.shrinkage)

    def _tau(self, block, sigma, i, settings):
        """Per-row threshold of band i: σ_n = σ·‖a‖ the noise std of its coefficients."""
        factor = settings.k
        if self.finest[i] and settings.k_finest is not None:
            factor = settings.k_finest
        noise = sigma * self.norms[i]
        if settings.method == "fixed":
            return factor * noise
        if settings.method == "VisuShrink":
            return factor * noise * math.sqrt(2 * math.log(max(settings.n_pixels, 2)))
        # BayesShrink (Chang, Yu & Vetterli 2000): τ = σ_n² / σ_x with
        # σ_x² = max(mean(c²) − σ_n², 0); a band with σ_x = 0 is all noise.
        energy = np.mean(np.square(block, dtype=np.float64), axis=1)
        signal = np.sqrt(np.maximum(energy - noise**2, 0.0))
        with np.errstate(divide="ignore", invalid="ignore"):
            tau = np.where(signal > 0, noise**2 / signal, np.inf)
        return np.where(noise > 0, factor * tau, 0.0)

    def wiener(self, coefs, pilot, sigma, settings):
        """coefs ← coefs · p²/(p² + σ_n²), p the pilot's coefficients (in place)."""
        for i, band in enumerate(self.bands):
            if band.lowpass and settings.keep_lowpass:
                continue
            c = coefs[:, band.start:band.stop]
            p2 = np.square(pilot[:, band.start:band.stop])
            n2 = (sigma * self.norms[i]).astype(c.dtype)[:, None] ** 2
            total = p2 + n2
            gain = np.divide(p2, total, out=np.ones_like(p2), where=total > 0)
            c *= gain


def default_transformer(shape, wavelet=DEFAULT_WAVELET):
    """The default wavelets on a padded shape: p levels (p from :func:`pad_exponent`)."""
    from ..wavelets import max_n_scales

    levels = min(pad_exponent(shape), max(max_n_scales(shape, wavelet), 1))
    return wavelet_transformer(wavelet, levels)


def fitted_info(transformer, shape):
    with warnings.catch_warnings():  # 1-D signals of square length are meant as signals
        warnings.simplefilter("ignore", FlattenedImagesWarning)
        return transform_info(transformer, shape)


class Engine:
    """The stages of a call for one (padded) sample shape."""

    def __init__(self, first: Stage, second):
        self.first, self.second = first, second

    @classmethod
    def build(cls, transformer, wiener, shape, norms=None, wiener_norms=None):
        """Stages from transformers (None: the defaults); ``wiener`` False/True/transformer."""
        first = transformer if transformer is not None else default_transformer(shape)
        second = None
        if wiener is True:
            second = default_transformer(shape, WIENER_WAVELET)
        elif wiener is not False:
            second = wiener
        return cls(Stage(fitted_info(first, shape), norms),
                   None if second is None else Stage(fitted_info(second, shape), wiener_norms))

    def run(self, data, sigma, settings):
        """Denoise a padded float batch (n, *shape) with σ per sample (float64)."""
        ndim = data.ndim - 1
        shifts = shifts_for(settings.n_shifts, ndim)
        axes = tuple(range(1, ndim + 1))
        largest = max(self.first.info.n_coefs,
                      self.second.info.n_coefs if self.second else 0)
        row_bytes = len(shifts) * data.itemsize * (4 * int(np.prod(data.shape[1:])) + 3 * largest)
        step = rows_per_chunk(row_bytes)
        out = np.empty_like(data)
        for first in range(0, len(data), step):
            chunk, s = data[first:first + step], sigma[first:first + step]
            out[first:first + step] = self._two_stages(chunk, np.repeat(s, len(shifts)),
                                                       shifts, axes, settings)
        return out

    def _two_stages(self, chunk, rows_sigma, shifts, axes, settings):
        pilot = self._spin(chunk, shifts, axes, lambda stack: self._shrink_step(
            stack, rows_sigma, settings))
        if self.second is None:
            return pilot
        shifted_pilot = _stack(pilot, shifts, axes)
        return self._spin(chunk, shifts, axes, lambda stack: self._wiener_step(
            stack, shifted_pilot, rows_sigma, settings))

    def _shrink_step(self, stack, sigma, settings):
        coefs = self.first.info.forward(stack)
        self.first.threshold(coefs, sigma, settings)
        return self.first.info.inverse(coefs)

    def _wiener_step(self, stack, pilot, sigma, settings):
        info = self.second.info
        coefs = info.forward(stack)
        self.second.wiener(coefs, info.forward(pilot), sigma, settings)
        return info.inverse(coefs)

    @staticmethod
    def _spin(chunk, shifts, axes, step):
        restored = step(_stack(chunk, shifts, axes))
        restored = restored.reshape(len(chunk), len(shifts), *chunk.shape[1:])
        total = np.zeros(chunk.shape, dtype=np.float64)
        for j, shift in enumerate(shifts):  # summed in a fixed order: chunking-independent
            total += np.roll(restored[:, j], tuple(-v for v in shift), axis=axes)
        return (total / len(shifts)).astype(chunk.dtype, copy=False)


def _stack(chunk, shifts, axes):
    """(n·len(shifts), *shape): every sample under every shift, sample-major."""
    out = np.empty((len(chunk), len(shifts), *chunk.shape[1:]), dtype=chunk.dtype)
    for j, shift in enumerate(shifts):
        out[:, j] = np.roll(chunk, shift, axis=axes)
    return out.reshape(-1, *chunk.shape[1:])


def pad(data, shape):
    """Symmetric extension of a batch (n, *spatial) at the end of each axis to ``shape``."""
    widths = [(0, 0)] + [(0, t - s) for s, t in zip(data.shape[1:], shape)]
    if all(w == (0, 0) for w in widths):
        return data
    return np.pad(data, widths, mode="symmetric")


def crop(data, shape):
    return data[(slice(None), *(slice(0, s) for s in shape))]
