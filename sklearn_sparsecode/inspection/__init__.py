"""What a fitted model relies on and responds to.

* :func:`band_importance`: how much each band or scale of the fixed first
  layer weighs in a fitted two-layer model (head coefficients or permutation).
"""

from ._bands import band_importance

__all__ = ["band_importance"]
