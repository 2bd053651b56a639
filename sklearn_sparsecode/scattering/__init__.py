"""Second-order scattering transforms (Mallat 2012; Bruna & Mallat 2013)."""

from ._cascade import scattering_transform
from ._estimator import ScatteringTransformer
from ._plan import ScatteringPlan, plan_scattering

__all__ = [
    "ScatteringPlan",
    "ScatteringTransformer",
    "plan_scattering",
    "scattering_transform",
]
