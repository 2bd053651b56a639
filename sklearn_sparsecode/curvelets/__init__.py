"""The fast discrete curvelet transform via wrapping (Candès, Demanet, Donoho & Ying 2006)."""

from ._estimator import CurveletTransformer
from ._transform import (
    CurveletBand,
    CurveletPlan,
    curvelet_layout,
    curvelet_transform,
    inverse_curvelet_transform,
    plan_curvelets,
)

__all__ = [
    "CurveletBand",
    "CurveletPlan",
    "CurveletTransformer",
    "curvelet_layout",
    "curvelet_transform",
    "inverse_curvelet_transform",
    "plan_curvelets",
]
