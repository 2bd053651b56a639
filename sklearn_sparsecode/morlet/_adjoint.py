"""The adjoint of the Morlet filter bank (what ``transform_vjp`` applies).

The forward keeps x⋆φ and the real and imaginary parts of x⋆ψ_{j,k}, with φ̂ and
ψ̂ real on the FFT grid (ψ is Hermitian in space, not real). For real x and a
complex-linear T = F⁻¹ ψ̂ F, ⟨Re Tx, a⟩ + ⟨Im Tx, b⟩ = Re⟨Tx, a + ib⟩ =
⟨x, Re T*(a + ib)⟩, and T* = F⁻¹ conj(ψ̂) F = T (ψ̂ real). So the adjoint is

    x̄ = Re F⁻¹[φ̂ F(a₀) + Σ_{j,k} ψ̂_{j,k} F(a_{j,k} + i b_{j,k})],

which is the inverse for ``normalize="tight"`` (a Parseval frame) and differs
from the dual-frame inverse by the division by the Littlewood–Paley sum A(ω)
for ``normalize="peak"``.
"""

import numpy as np
import scipy.fft

__all__ = ["morlet_adjoint"]


def morlet_adjoint(plan, cotangent, out):
    """Write the adjoint of the plan's bank applied to ``cotangent`` into ``out``."""
    n = len(cotangent)
    shape = plan.image_shape
    pixels = shape[0] * shape[1]
    real = cotangent.dtype
    filters = plan.psi_hat.reshape(-1, *shape).astype(real, copy=False)
    pairs = cotangent[:, pixels:].reshape(n, len(filters), 2, *shape)
    spectrum = scipy.fft.fft2(cotangent[:, :pixels].reshape(n, *shape), workers=1)
    spectrum *= plan.phi_hat.astype(real, copy=False)
    # One filter at a time: no (n, J·L, h, w) complex temporary beyond the FFT's.
    bands = scipy.fft.fft2(pairs[:, :, 0] + 1j * pairs[:, :, 1], workers=1,
                           overwrite_x=True)
    for k in range(len(filters)):
        spectrum += bands[:, k] * filters[k]
    out[:] = scipy.fft.ifft2(spectrum, workers=1, overwrite_x=True).real.reshape(n, -1)
