"""Second-order scattering transforms (Mallat 2012; Bruna & Mallat 2013)."""

from ._cascade import scattering_transform
from ._estimator import ScatteringTransformer
from ._kymatio import Scattering2D
from ._plan import ScatteringPlan, plan_scattering

__all__ = [
    "Scattering2D",
    "ScatteringPlan",
    "ScatteringTransformer",
    "plan_scattering",
    "scattering_transform",
]
