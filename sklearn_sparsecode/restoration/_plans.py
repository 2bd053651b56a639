"""Fitted transforms and what restoration needs from them, cached across calls.

Denoising a 512×512 image takes a few tenths of a second; fitting a transform
and measuring its atom norms can take longer than that (curvelets: seconds). So
everything that depends only on a transform's parameters and the image shape
lives in :class:`TransformInfo`, built once and kept in a bounded,
thread-safe least-recently-used cache keyed by (class, parameters, shape):

* the fitted transform (a clone; the user's estimator is never modified);
* its atom norms per band, on the synthesis side (‖Φ e_k‖, the contribution of
  a coefficient to the image) and on the analysis side (the standard deviation
  of a coefficient of unit white noise, what a threshold is measured against).
  They coincide for orthonormal bases and tight frames and differ for other
  frames (contourlets with their 9-7 pyramid);
* the bands a noise level is estimated from.
"""

import threading
from collections import OrderedDict

import numpy as np
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

CACHE_SIZE = 16        # transforms kept (a 512² curvelet plan holds a few tens of MB)
EXACT_BUDGET = 2**26   # bands × coefficients up to which unit vectors are synthesised at once
NOISE_VALUES = 20000   # Monte-Carlo: values per band wanted (at most MAX_DRAWS draws)
MAX_DRAWS = 64


def param_key(value):
    """A hashable, exact key of a parameter value (estimators by class and parameters)."""
    if hasattr(value, "get_params") and not isinstance(value, type):
        params = value.get_params(deep=False)
        return (type(value).__module__, type(value).__qualname__,
                tuple((k, param_key(v)) for k, v in sorted(params.items())))
    if isinstance(value, np.ndarray):
        return ("ndarray", value.dtype.str, value.shape, value.tobytes())
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(param_key(v) for v in value))
    if isinstance(value, dict):
        return ("dict", tuple((k, param_key(v)) for k, v in sorted(value.items())))
    try:
        hash(value)
    except TypeError:
        return ("repr", repr(value))
    return (type(value).__name__, value)


def _is_fitted_on(transformer, input_shape):
    try:
        check_is_fitted(transformer)
    except (NotFittedError, TypeError):
        return False
    # Restoration handles channels itself: a transform fitted per channel is refitted grey.
    return (tuple(getattr(transformer, "input_shape_", ())) == tuple(input_shape)
            and getattr(transformer, "n_channels_", None) is None)


class TransformInfo:
    """A transform fitted on one input shape, with its norms computed on demand."""

    def __init__(self, est, input_shape):
        self.est = est
        self.input_shape = tuple(input_shape)
        self.bands = list(est.bands_)
        self.n_coefs = self.bands[-1].stop
        self.sizes = np.array([b.stop - b.start for b in self.bands])
        self._lock = threading.Lock()
        self._values = {}
        # Images go in as (n, *input_shape) batches; a transform that was given
        # image_shape takes its rows flattened.
        self._flat_input = getattr(est, "image_shape", None) is not None

    def _memo(self, name, compute):
        with self._lock:
            if name in self._values:
                return self._values[name]
        value = compute()  # outside the lock: a duplicate computation is harmless
        with self._lock:
            return self._values.setdefault(name, value)

    # Maps --------------------------------------------------------------------

    def forward(self, batch):
        """Coefficients (n, n_coefs) of a batch (n, *input_shape), no re-validation."""
        if hasattr(self.est, "forward"):
            return self.est.forward(batch)
        if self._flat_input:
            batch = batch.reshape(len(batch), -1)
        return np.asarray(self.est.transform(batch)).reshape(len(batch), -1)

    def inverse(self, coefs):
        """Samples (n, *input_shape) from coefficients (n, n_coefs)."""
        out = np.asarray(self.est.inverse_transform(coefs))
        return out.reshape(len(coefs), *self.input_shape)

    # Norms -------------------------------------------------------------------

    def synthesis_norms(self):
        """‖Φ e_k‖ per band: the norm of the atom a unit coefficient synthesises."""
        return self._memo("synthesis", self._exact_synthesis)

    def analysis_norms(self, method="auto", random_state=0):
        """Standard deviation of each band's coefficients for unit white noise.

        ``"exact"``: 1 for orthonormal wavelets (closed form), the synthesis
        norms when the inverse is the adjoint (tight frames, checked with a
        dot-product test), or ``transform_vjp`` of unit vectors where the
        transform has it; a ValueError otherwise. ``"noise"``: Monte-Carlo,
        sqrt(mean c²) over transforms of white noise (E⟨w, a⟩² = ‖a‖²).
        ``"auto"``: exact when possible, else noise.
        """
        if method == "noise":
            return self._memo(("noise", random_state), lambda: self._noise(random_state))
        exact = self._memo("analysis_exact", self._exact_analysis)
        if exact is not None:
            return exact
        if method == "exact":
            raise ValueError(
                f"{type(self.est).__name__} is not a tight frame (its inverse is not its "
                "adjoint) and has no transform_vjp, so its analysis atom norms have no exact "
                "computation here; use method='noise'.")
        return self.analysis_norms("noise", random_state)

    def is_tight(self):
        """inverse_transform is the adjoint of transform (dot-product test, random data)."""
        return self._memo("tight", self._dot_test)

    def _dot_test(self):
        rng = np.random.default_rng(12345)
        x = rng.standard_normal((1, *self.input_shape))
        c = rng.standard_normal((1, self.n_coefs))
        try:
            tx = self.forward(x)
            tc = self.inverse(c)
        except (NotImplementedError, AttributeError, ValueError):
            return False
        lhs, rhs = float(np.sum(tx * c)), float(np.sum(x * tc))
        scale = np.linalg.norm(tx) * np.linalg.norm(c) + np.linalg.norm(x) * np.linalg.norm(tc)
        return abs(lhs - rhs) <= 1e-9 * scale

    def _orthonormal_wavelet(self):
        """Closed form: periodized orthogonal wavelets on sides divisible by 2^levels."""
        plan = getattr(self.est, "plan_", None)
        wavelet = getattr(plan, "wavelet", None)
        levels = getattr(plan, "n_scales", None)
        if wavelet is None or levels is None or getattr(plan, "mode", None) != "periodization":
            return False
        return bool(getattr(wavelet, "orthogonal", False)) and all(
            s % 2**int(levels) == 0 for s in self.input_shape)

    def _exact_analysis(self):
        if self._orthonormal_wavelet():
            return np.ones(len(self.bands))
        if self.is_tight():
            return self.synthesis_norms()
        if hasattr(self.est, "transform_vjp"):
            return self._unit_norms(lambda units: self.est.transform_vjp(
                np.zeros((len(units), *self.input_shape)), units))
        return None

    def _exact_synthesis(self):
        if self._orthonormal_wavelet():
            return np.ones(len(self.bands))
        return self._unit_norms(self.inverse)

    def _unit_norms(self, synthesise):
        """‖map(e_k)‖ for a unit vector at the centre of each band, in chunks."""
        rows = max(1, min(len(self.bands), EXACT_BUDGET // max(self.n_coefs, 1), 256))
        norms = np.empty(len(self.bands))
        for first in range(0, len(self.bands), rows):
            chunk = self.bands[first:first + rows]
            units = np.zeros((len(chunk), self.n_coefs))
            for row, band in enumerate(chunk):
                centre = np.ravel_multi_index(tuple(s // 2 for s in band.shape), band.shape)
                units[row, band.start + centre] = 1.0
            atoms = np.asarray(synthesise(units)).reshape(len(chunk), -1)
            norms[first:first + len(chunk)] = np.linalg.norm(atoms, axis=1)
        return norms

    def _noise(self, random_state):
        rng = np.random.default_rng(random_state)
        n_draws = int(np.clip(np.ceil(NOISE_VALUES / self.sizes.min()), 4, MAX_DRAWS))
        per_call = max(1, min(n_draws, (256 << 20) // (8 * max(self.n_coefs, 1))))
        sums = np.zeros(len(self.bands))
        done = 0
        while done < n_draws:
            count = min(per_call, n_draws - done)
            coefs = self.forward(rng.standard_normal((count, *self.input_shape)))
            for i, band in enumerate(self.bands):
                sums[i] += np.sum(np.square(coefs[:, band.start:band.stop], dtype=np.float64))
            done += count
        return np.sqrt(sums / (self.sizes * n_draws))

    # Noise bands -------------------------------------------------------------

    def noise_bands(self):
        """Indices of the bands σ is estimated from (see :func:`estimate_sigma`)."""
        return self._memo("noise_bands", self._noise_bands)

    def _noise_bands(self):
        candidates = [i for i in finest_bands(self.bands)]
        if len(candidates) <= 1 or len(self.input_shape) != 2:
            return candidates
        # Within the finest scale, the bands whose atoms respond most (per unit of
        # noise) to the two diagonal frequencies near Nyquist: where natural images
        # hold the least energy (a wavelet's dd band, the diagonal wedges).
        h, w = self.input_shape
        fy, fx = np.floor(0.45 * h) / h, np.floor(0.45 * w) / w
        yy, xx = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
        probes = [f(2 * np.pi * (fy * yy + s * fx * xx)) for s in (1, -1) for f in (np.cos, np.sin)]
        coefs = self.forward(np.stack(probes))
        norms = self.analysis_norms()
        response = np.array([
            np.sum(np.square(coefs[:, self.bands[i].start:self.bands[i].stop]))
            / (self.sizes[i] * max(norms[i], 1e-300) ** 2) for i in candidates])
        if not np.any(response > 0):
            return candidates
        return [i for i, r in zip(candidates, response) if r >= 0.5 * response.max()]


def finest_bands(bands):
    """Indices of the band-pass bands at the finest scale, by each band's numbering.

    ``scale_label="level"`` counts 1 = finest (wavelets, Morlet); every other
    label counts 1 = coarsest (curvelets, contourlets). The order in which a
    transform lists its bands plays no part.
    """
    details = [i for i, b in enumerate(bands) if not b.lowpass]
    if not details:
        return list(range(len(bands)))

    def fineness(band):
        return -band.scale if band.scale_label == "level" else band.scale

    best = max(fineness(bands[i]) for i in details)
    return [i for i in details if fineness(bands[i]) == best]


class _Cache:
    """A bounded, thread-safe LRU of :class:`TransformInfo` by (parameters, shape)."""

    def __init__(self, size):
        self.size = size
        self._items = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, build):
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        info = build()
        with self._lock:
            info = self._items.setdefault(key, info)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return info

    def clear(self):
        with self._lock:
            self._items.clear()

    def __len__(self):
        return len(self._items)


CACHE = _Cache(CACHE_SIZE)


def transform_info(transformer, input_shape):
    """The cached :class:`TransformInfo` of ``transformer`` on ``input_shape``.

    A transformer already fitted on this shape (grey) is used as it is; otherwise a
    clone (without ``image_shape`` and ``channel_axis``) is fitted on zeros of that shape (the transforms here learn nothing
    from data). The argument is never modified.
    """
    input_shape = tuple(int(s) for s in input_shape)
    key = (param_key(transformer), input_shape)

    def build():
        if _is_fitted_on(transformer, input_shape):
            est = transformer
        else:
            est = clone(transformer)
            if getattr(est, "image_shape", None) is not None:
                est.set_params(image_shape=None)
            if getattr(est, "channel_axis", None) is not None:  # channels are ours
                est.set_params(channel_axis=None)
            est.fit(np.zeros((1, *input_shape)))
        return TransformInfo(est, input_shape)

    return CACHE.get(key, build)
