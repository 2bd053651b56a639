"""The contourlet transform: Laplacian pyramid + directional filter bank (Do & Vetterli 2005).

:func:`plan_contourlets` builds the frequency-domain filters and the layout
for one image shape; :func:`contourlet_transform` and
:func:`inverse_contourlet_transform` run on batches with it;
:class:`ContourletTransformer` is the estimator. :func:`required_multiple`
says what the image sides must be a multiple of.
"""

from ._estimator import ContourletTransformer
from ._plan import ContourletPlan, plan_contourlets, required_multiple
from ._transform import contourlet_transform, inverse_contourlet_transform

__all__ = [
    "ContourletPlan",
    "ContourletTransformer",
    "contourlet_transform",
    "inverse_contourlet_transform",
    "plan_contourlets",
    "required_multiple",
]
