"""The approximation plans of a smooth baseline's spec, derived once and cached.

Both the golden model and the Amaranth unit read these plans, so they compute the same
integers. A plan is a deterministic function of the spec (the search is exhaustive and
ordered), so the cache only saves time.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..params import SmoothSpec
from .functions import left_slope, left_value
from .poly import PolyPlan, search
from .table import TablePlan, bin_edges, table_plan

__all__ = ["value_plan", "slope_plan", "value_table", "slope_table", "magnitudes"]


def magnitudes(spec: SmoothSpec) -> np.ndarray:
    """Every input magnitude ``|x|`` as a real, for codes ``0 .. 2**(bits-1)``."""
    return np.ldexp(np.arange((1 << (spec.fmt.bits - 1)) + 1, dtype=np.float64), -spec.fmt.frac)


@lru_cache(maxsize=64)
def value_plan(spec: SmoothSpec) -> PolyPlan:
    """Plan for ``L(|x|) = f(-|x|)``: faithful after adding ``relu(x)`` and rounding to ``out_frac``."""
    values = left_value(spec.activation, spec.beta, magnitudes(spec))
    return search(values, spec.fmt.frac, spec.out_fmt.frac, min_frac=spec.fmt.frac)


@lru_cache(maxsize=64)
def slope_plan(spec: SmoothSpec) -> PolyPlan:
    """Plan for ``G(|x|) = f'(-|x|)``: faithful gradient at ``grad_frac``."""
    values = left_slope(spec.activation, spec.beta, magnitudes(spec))
    return search(values, spec.fmt.frac, spec.grad_frac)


def _full(function, spec: SmoothSpec, x: np.ndarray) -> np.ndarray:
    """``f`` or ``f'`` at any real ``x`` from the left-half definitions."""
    a = np.abs(x)
    left = function(spec.activation, spec.beta, a)
    if function is left_value:
        return np.where(x > 0, x + left, left)
    return np.where(x > 0, 1.0 - left, left)


@lru_cache(maxsize=64)
def value_table(spec: SmoothSpec) -> TablePlan:
    return table_plan(_full(left_value, spec, bin_edges()), spec.fmt.frac)


@lru_cache(maxsize=64)
def slope_table(spec: SmoothSpec) -> TablePlan:
    return table_plan(_full(left_slope, spec, bin_edges()), spec.fmt.frac)
