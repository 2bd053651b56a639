"""Restoration with any transform of the package: denoising and n-term approximation."""

from ._approximation import band_atom_norms, nterm_approximation
from ._denoise import Denoiser, denoise
from ._sigma import estimate_sigma

__all__ = ["Denoiser", "band_atom_norms", "denoise", "estimate_sigma", "nterm_approximation"]
