"""An oriented multiscale Morlet (Gabor) filter bank as a fixed transform.

Forward, for each image x (periodic boundary): x⋆φ, and x⋆ψ_{j,k} for the J
scales and L orientations of :mod:`._morlet_filters`, all on the full image
grid (undecimated: shift equivariant). x⋆φ is real; each complex x⋆ψ is stored
as its real and imaginary parts, two blocks that share a :class:`Band` key.

Energy. With ``normalize="tight"`` the Littlewood–Paley sum of the bank is 1
at every frequency, so ‖coefs‖ = ‖x‖ for real images and the adjoint is the
inverse (a Parseval frame; the stored (Re, Im) of ψ_{j,k} are the (√2·Re,
√2·Im) halves of the mirror pair ψ/√2 at orientations θ and θ + π). With
``normalize="peak"`` (unit-peak filters, Kymatio's gains) the frame bounds
are min A and max A of :func:`littlewood_paley`, and the inverse divides by A
in the Fourier domain (the canonical dual frame).
"""

from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
import scipy.fft
from numpy.typing import ArrayLike

from .._core.bands import stack_bands
from sklearn.utils._param_validation import StrOptions, validate_params

from .._core.base import resolve_plan, run_forward, run_inverse
from .._core.validation import (
    BATCH_SIZE,
    IMAGE_SHAPE,
    N_JOBS,
    VERBOSE,
    Interval,
    check_batch,
    work_dtype,
)
from ._filters import littlewood_paley, morlet_bank, orientations


@dataclass(frozen=True)
class MorletPlan:
    """Filters and layout of a Morlet transform of one image shape.

    Attributes
    ----------
    image_shape : (height, width)
    n_scales, n_orientations : int
    normalize : str
    phi_hat : ndarray (height, width)
        Low-pass filter on the FFT grid.
    psi_hat : ndarray (n_scales, n_orientations, height, width)
        Morlet filters (real in the Fourier domain).
    lp_sum : ndarray (height, width)
        Littlewood–Paley sum A(ω) of the bank for real images.
    bands : list of Band
    """

    image_shape: tuple
    n_scales: int
    n_orientations: int
    normalize: str
    phi_hat: np.ndarray
    psi_hat: np.ndarray
    lp_sum: np.ndarray
    bands: list

    @property
    def n_coefficients(self):
        return self.bands[-1].stop

    @property
    def frame_bounds(self):
        """(min A, max A): ‖coefs‖² / ‖x‖² lies between them for real images."""
        return float(self.lp_sum.min()), float(self.lp_sum.max())


MORLET_CONSTRAINTS = {
    "n_scales": [Interval(Integral, 1, None, closed="left")],
    "n_orientations": [Interval(Integral, 1, None, closed="left")],
    "slant": [Interval(Real, 0, None, closed="neither"), None],
    "normalize": [StrOptions({"peak", "tight"})],
}


def _morlet_bands(image_shape, n_scales, n_orientations, prefix="morlet"):
    """Band records of the Morlet transform: low-pass, then (Re, Im) per scale and angle.

    Scales count like wavelet levels (``scale_label="level"``): 1 is the
    finest (j = 0); the low-pass carries scale ``n_scales``.
    """
    shape = tuple(int(s) for s in image_shape)
    entries = [dict(scale=n_scales, name="lowpass", shape=shape, lowpass=True,
                    prefix=f"{prefix}_lowpass", scale_label="level")]
    degrees = np.degrees(orientations(n_orientations))
    for j in range(n_scales):
        for k in range(n_orientations):
            for part in ("re", "im"):
                entries.append(dict(scale=j + 1, name=f"a{k}_{part}", shape=shape,
                                    orientation=float(degrees[k]), part=part, angle=k,
                                    prefix=f"{prefix}_s{j + 1}_a{k}_{part}",
                                    scale_label="level"))
    return stack_bands(entries)


@validate_params({"image_shape": IMAGE_SHAPE, **MORLET_CONSTRAINTS},
                 prefer_skip_nested_validation=True)
def plan_morlet(image_shape: tuple[int, int], *, n_scales: int = 3, n_orientations: int = 8,
                slant: float | None = None, normalize: str = "tight") -> MorletPlan:
    """Build the Fourier-domain filters and the output layout of a Morlet transform.

    Parameters
    ----------
    image_shape : (height, width)
        Each side at least 2 (periodic boundary).
    n_scales : int, default=3
        J dyadic scales, j = 0 (finest, centre frequency 3π/4) to J − 1.
    n_orientations : int, default=8
        L orientations kπ/L per scale, in [0°, 180°).
    slant : float or None, default=None
        Aspect ratio of the envelope (1/slant longer along the crests); None is 4/L.
    normalize : {"tight", "peak"}, default="tight"
        ``"tight"``: filters divided by √A so that ‖coefs‖ = ‖x‖ (Parseval).
        ``"peak"``: unit-peak filters (Kymatio's), frame bounds ``plan.frame_bounds``.

    Returns
    -------
    plan : MorletPlan
        ``plan.bands``: the low-pass, then the (Re, Im) halves of every scale
        (1 = finest) and orientation.

    Examples
    --------
    >>> from sklearn_sparsecode.morlet import plan_morlet
    >>> plan = plan_morlet((16, 16), n_scales=2, n_orientations=4)
    >>> [b.name for b in plan.bands[:3]], plan.n_coefficients
    (['lowpass', 'a0_re', 'a0_im'], 4352)
    """
    shape = tuple(int(s) for s in image_shape)
    if min(shape) < 2:
        raise ValueError(f"image_shape must have sides >= 2; got {image_shape!r}.")
    phi_hat, psi_hat = morlet_bank(shape, n_scales, n_orientations, slant=slant,
                                   normalize=normalize)
    return MorletPlan(shape, n_scales, n_orientations, normalize, phi_hat, psi_hat,
                      littlewood_paley(phi_hat, psi_hat),
                      _morlet_bands(shape, n_scales, n_orientations))


def _forward(plan, X, out):
    """Write the Morlet coefficients of the images ``X`` into ``out``."""
    n = len(X)
    pixels = X.shape[1] * X.shape[2]
    real = X.dtype
    spectrum = scipy.fft.fft2(X, workers=1)
    out[:, :pixels] = scipy.fft.ifft2(spectrum * plan.phi_hat.astype(real, copy=False),
                                      workers=1).real.reshape(n, -1)
    filters = plan.psi_hat.reshape(-1, *plan.image_shape).astype(real, copy=False)
    coefs = scipy.fft.ifft2(spectrum[:, None] * filters, workers=1)  # (n, J*L, h, w)
    block = out[:, pixels:].reshape(n, len(filters), 2, pixels)
    block[:, :, 0] = coefs.real.reshape(n, len(filters), pixels)
    block[:, :, 1] = coefs.imag.reshape(n, len(filters), pixels)


def _inverse(plan, C, out):
    """Write the dual-frame reconstruction of ``C`` into ``out``."""
    n = len(C)
    shape = plan.image_shape
    pixels = shape[0] * shape[1]
    real = C.dtype
    filters = plan.psi_hat.reshape(-1, *shape).astype(real, copy=False)
    pairs = C[:, pixels:].reshape(n, len(filters), 2, *shape)
    # Adjoint: Re F⁻¹[φ̂ F(a) + Σ ψ̂ F(b + i c)] (the filters are real in Fourier).
    spectrum = scipy.fft.fft2(C[:, :pixels].reshape(n, *shape), workers=1) * plan.phi_hat.astype(real, copy=False)
    spectrum += np.einsum("nkhw,khw->nhw",
                          scipy.fft.fft2(pairs[:, :, 0] + 1j * pairs[:, :, 1], workers=1),
                          filters)
    adjoint = scipy.fft.ifft2(spectrum, workers=1).real
    if plan.normalize != "tight":  # canonical dual frame: divide by A(ω)
        adjoint = scipy.fft.ifft2(scipy.fft.fft2(adjoint, workers=1) / plan.lp_sum.astype(real, copy=False),
                                  workers=1).real
    out[:] = adjoint.reshape(n, -1)


def _row_bytes(plan, itemsize):
    """Per image: the complex spectra of every band and the output row."""
    return itemsize * 4 * (plan.n_coefficients + plan.image_shape[0] * plan.image_shape[1])


@validate_params({"images": ["array-like"], "plan": [MorletPlan, None],
                  "batch_size": BATCH_SIZE, "n_jobs": N_JOBS, "verbose": VERBOSE},
                 # plan_params are checked by the plan function, which must not be skipped.
                 prefer_skip_nested_validation=False)
def morlet_transform(images: ArrayLike, *, plan: MorletPlan | None = None,
                     batch_size: int | None = None, n_jobs: int | None = None,
                     verbose: int = 0, **plan_params) -> np.ndarray:
    """Undecimated oriented Morlet transform of a batch of images, one row per image.

    Parameters
    ----------
    images : array-like of shape (n_samples, height, width)
        Real images (periodic boundary); float32 gives float32 coefficients.
    plan : MorletPlan or None, default=None
        From :func:`plan_morlet`; None builds one from ``plan_params``.
    batch_size, n_jobs :
        Images per chunk (None: from ``working_memory``) and threads over chunks.
    verbose : int, default=0
        Progress lines on stderr when > 0.
    **plan_params
        ``n_scales``, ``n_orientations``, ``slant``, ``normalize``: the
        parameters of :func:`plan_morlet`, when no plan is given.

    Returns
    -------
    coefs : ndarray of shape (n_samples, (1 + 2 J L) height width)
        Laid out as ``plan.bands`` says.

    References
    ----------
    .. [1] S. Mallat, "Group invariant scattering", CPAM 65(10), 2012.
    .. [2] J. Bruna and S. Mallat, "Invariant scattering convolution networks",
       IEEE TPAMI 35(8), 2013.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_sparsecode.morlet import morlet_transform
    >>> X = np.random.default_rng(0).normal(size=(2, 16, 16))
    >>> C = morlet_transform(X, n_scales=2, n_orientations=4)
    >>> C.shape
    (2, 4352)
    >>> bool(np.allclose(np.linalg.norm(C, axis=1), np.linalg.norm(X, axis=(1, 2))))
    True
    """
    X = check_batch(images, name="morlet_transform", ndims=(3,))
    plan = resolve_plan(plan, MorletPlan, plan_morlet, X.shape[1:], plan_params,
                        "morlet_transform")
    return run_forward(_forward, plan, X, plan.n_coefficients, batch_size=batch_size,
                       n_jobs=n_jobs, verbose=verbose,
                       row_bytes=_row_bytes(plan, work_dtype(X.dtype).itemsize),
                       label="morlet_transform")


@validate_params({"coefs": ["array-like"], "plan": [MorletPlan], "batch_size": BATCH_SIZE,
                  "n_jobs": N_JOBS}, prefer_skip_nested_validation=True)
def inverse_morlet_transform(coefs: ArrayLike, *, plan: MorletPlan,
                             batch_size: int | None = None,
                             n_jobs: int | None = None) -> np.ndarray:
    """Images from their Morlet coefficients (the dual frame; the adjoint when tight).

    Parameters
    ----------
    coefs : array-like of shape (n_samples, n_coefficients)
    plan : MorletPlan
        The plan of the forward transform.
    batch_size, n_jobs :
        As in :func:`morlet_transform`.

    Returns
    -------
    images : ndarray of shape ``(n_samples, *plan.image_shape)``

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_sparsecode.morlet import (inverse_morlet_transform, morlet_transform,
    ...                                       plan_morlet)
    >>> plan = plan_morlet((16, 16), n_scales=2, n_orientations=4)
    >>> X = np.random.default_rng(0).normal(size=(2, 16, 16))
    >>> bool(np.allclose(inverse_morlet_transform(morlet_transform(X, plan=plan), plan=plan), X))
    True
    """
    return run_inverse(_inverse, plan, coefs, name="inverse_morlet_transform",
                       plan_type=MorletPlan, batch_size=batch_size, n_jobs=n_jobs,
                       row_bytes=_row_bytes)
