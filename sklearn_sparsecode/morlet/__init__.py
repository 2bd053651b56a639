"""Oriented Morlet filter banks (the wavelets of the scattering transform)."""

from ._estimator import MorletTransformer
from ._transform import (
    MorletPlan,
    inverse_morlet_transform,
    morlet_layout,
    morlet_transform,
    plan_morlet,
)

__all__ = [
    "MorletPlan",
    "MorletTransformer",
    "inverse_morlet_transform",
    "morlet_layout",
    "morlet_transform",
    "plan_morlet",
]
