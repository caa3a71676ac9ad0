"""The approximation plans of a smooth baseline's spec, derived once and cached.

Both the golden model and the Amaranth unit read these plans, so they compute the same
integers. A plan is a deterministic function of the spec (the search is exhaustive and
ordered), so caching only saves time: plans are kept in memory and in :mod:`smelu_hw.cache`.
The key covers the search version, so a changed search never reads an old plan.
"""

from __future__ import annotations

import json
from functools import lru_cache

import numpy as np

from .. import cache
from ..specs import SmoothSpec
from .functions import left_slope, left_value
from .poly import PolyPlan, search
from .table import TablePlan, bin_edges, table_plan

__all__ = ["value_plan", "slope_plan", "value_table", "slope_table", "magnitudes"]


def magnitudes(spec: SmoothSpec) -> np.ndarray:
    """Every input magnitude ``|x|`` as a real, for codes ``0 .. 2**(bits-1)``."""
    return np.ldexp(np.arange((1 << (spec.fmt.bits - 1)) + 1, dtype=np.float64), -spec.fmt.frac)


#: Bump when the search or the plan format changes.
SEARCH_VERSION = 1
_FIELDS = ("in_bits", "segment_bits", "degree", "frac")


def _cached_search(kind: str, spec: SmoothSpec, target_frac: int, min_frac: int) -> PolyPlan:
    key = json.dumps(
        [
            SEARCH_VERSION,
            kind,
            spec.activation,
            spec.beta,
            spec.fmt.bits,
            spec.fmt.frac,
            target_frac,
            min_frac,
        ]
    )
    stored = cache.load("plans", key)
    if isinstance(stored, dict):
        try:
            return PolyPlan(
                **{name: stored[name] for name in _FIELDS},
                coefficients=tuple(map(tuple, stored["coefficients"])),
            )
        except (KeyError, TypeError):
            pass  # a malformed entry is recomputed and replaced
    function = left_value if kind == "value" else left_slope
    plan = search(function(spec.activation, spec.beta, magnitudes(spec)), target_frac, min_frac)
    cache.store(
        "plans", key, {**{name: getattr(plan, name) for name in _FIELDS}, "coefficients": plan.coefficients}
    )
    return plan


@lru_cache(maxsize=64)
def value_plan(spec: SmoothSpec) -> PolyPlan:
    """Plan for ``L(|x|) = f(-|x|)``: faithful after adding ``relu(x)`` and rounding to ``out_frac``."""
    return _cached_search("value", spec, spec.out_fmt.frac, spec.fmt.frac)


@lru_cache(maxsize=64)
def slope_plan(spec: SmoothSpec) -> PolyPlan:
    """Plan for ``G(|x|) = f'(-|x|)``: faithful gradient at ``grad_frac``."""
    return _cached_search("slope", spec, spec.grad_frac, 0)


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
