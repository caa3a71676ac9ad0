"""The approximation plans of a smooth baseline's spec, derived once and cached.

Both the golden model and the Amaranth unit read these plans, so they compute the same
integers. A plan is a deterministic function of the spec (the search is exhaustive and
ordered), so caching only saves time: plans are kept in memory and in :mod:`smelu_hw.cache`.
The file cache's key (:func:`plan_key`) is a hash of everything the search reads: the search
code itself (the source of :mod:`smelu_hw.approx.poly`), the function values it fits and its
precision targets. A changed search, a changed definition of the function or another format
therefore never reads an old plan, and no version number needs bumping by hand.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from importlib import resources

import numpy as np

from .. import cache
from ..specs import SmoothSpec
from .poly import PolyPlan, search
from .table import TablePlan, bin_edges, table_plan

__all__ = [
    "magnitudes",
    "plan_key",
    "search_source",
    "slope_plan",
    "slope_table",
    "value_plan",
    "value_table",
]


def magnitudes(spec: SmoothSpec) -> np.ndarray:
    """Every input magnitude ``|x|`` as a real, for codes ``0 .. 2**(bits-1)``."""
    return np.ldexp(np.arange((1 << (spec.fmt.bits - 1)) + 1, dtype=np.float64), -spec.fmt.frac)


_FIELDS = ("in_bits", "segment_bits", "degree", "frac")


@lru_cache(maxsize=1)
def search_source() -> str:
    """The source text of the search (:mod:`smelu_hw.approx.poly`), as installed."""
    return (resources.files("smelu_hw.approx") / "poly.py").read_text(encoding="utf-8")


def plan_key(values: np.ndarray, target_frac: int, min_frac: int, source: str | None = None) -> str:
    """The cache key of the plan :func:`~smelu_hw.approx.poly.search` finds for ``values``:
    a hash of the search's ``source`` (default :func:`search_source`), of the values (dtype,
    shape and bytes) and of the two precision targets."""
    digest = hashlib.sha256()
    for part in (search_source() if source is None else source, str(values.dtype), str(values.shape)):
        digest.update(part.encode())
        digest.update(b"\0")
    digest.update(np.ascontiguousarray(values).tobytes())
    return json.dumps(["poly plan", digest.hexdigest(), target_frac, min_frac])


def _cached_search(kind: str, spec: SmoothSpec, target_frac: int, min_frac: int) -> PolyPlan:
    function = spec.left_value if kind == "value" else spec.left_slope
    values = function(magnitudes(spec), spec.shape)
    key = plan_key(values, target_frac, min_frac)
    stored = cache.load("plans", key)
    if isinstance(stored, dict):
        try:
            return PolyPlan(
                **{name: stored[name] for name in _FIELDS},
                coefficients=tuple(map(tuple, stored["coefficients"])),
            )
        except (KeyError, TypeError):
            pass  # a malformed entry is recomputed and replaced
    plan = search(values, target_frac, min_frac)
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


def _full(spec: SmoothSpec, x: np.ndarray, gradient: bool) -> np.ndarray:
    """``f`` or ``f'`` at any real ``x`` from the left-half definitions."""
    function = spec.left_slope if gradient else spec.left_value
    return spec.from_left(x, function(np.abs(x), spec.shape), gradient)


@lru_cache(maxsize=64)
def value_table(spec: SmoothSpec) -> TablePlan:
    return table_plan(_full(spec, bin_edges(), gradient=False), spec.fmt.frac)


@lru_cache(maxsize=64)
def slope_table(spec: SmoothSpec) -> TablePlan:
    return table_plan(_full(spec, bin_edges(), gradient=True), spec.fmt.frac)
