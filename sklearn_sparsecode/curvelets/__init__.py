"""The fast discrete curvelet transform via wrapping (Candès, Demanet, Donoho & Ying 2006).

:func:`plan_curvelets` builds the windows and wrapping rectangles for one
image shape; :func:`curvelet_transform` and :func:`inverse_curvelet_transform`
run on batches with it; :class:`CurveletTransformer` is the estimator.
"""

from ._estimator import CurveletTransformer
from ._transform import (
    CurveletPlan,
    curvelet_transform,
    inverse_curvelet_transform,
    plan_curvelets,
)

__all__ = [
    "CurveletPlan",
    "CurveletTransformer",
    "curvelet_transform",
    "inverse_curvelet_transform",
    "plan_curvelets",
]
