"""The contourlet transform: Laplacian pyramid + directional filter bank (Do & Vetterli 2005)."""

from ._estimator import ContourletTransformer
from ._plan import ContourletPlan, contourlet_layout, plan_contourlets
from ._transform import contourlet_transform, inverse_contourlet_transform

__all__ = [
    "ContourletPlan",
    "ContourletTransformer",
    "contourlet_layout",
    "contourlet_transform",
    "inverse_contourlet_transform",
    "plan_contourlets",
]
