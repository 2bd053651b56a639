"""Oriented Morlet filter banks (the wavelets of the scattering transform).

:func:`plan_morlet` builds the Fourier-domain filters and the layout for one
image shape; :func:`morlet_transform` and :func:`inverse_morlet_transform`
run on batches with it; :class:`MorletTransformer` is the estimator.
"""

from ._estimator import MorletTransformer
from ._transform import MorletPlan, inverse_morlet_transform, morlet_transform, plan_morlet

__all__ = [
    "MorletPlan",
    "MorletTransformer",
    "inverse_morlet_transform",
    "morlet_transform",
    "plan_morlet",
]
