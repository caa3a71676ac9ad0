"""Amaranth units of Swish, Softplus and GELU: piecewise polynomials or an hls4ml table.

Both read their plan from :mod:`smelu_hw.approx.plans`, exactly as the golden model does.

Polynomial method, with ``a = |x|``: ``y = round_half_up(relu(x) + L(a))`` and
``dy = round_half_up(G(a))`` for ``x <= 0``, ``1 - G(a)`` above, where ``L`` and ``G`` are
evaluated by :func:`poly_evaluator`: a coefficient ROM indexed by the top bits of ``a`` and a
Horner chain whose products are truncated (arithmetic shifts), gated to 0 beyond the plan's
domain.
"""

from __future__ import annotations

from amaranth.hdl import Const, Module, Mux, Signal, Value, signed

from ..approx.plans import slope_plan, slope_table, value_plan, value_table
from ..approx.poly import PolyPlan
from ..approx.table import BIN_FRAC, ENTRIES, ENTRY_BITS, ENTRY_FRAC, INDEX_BITS, TABLE_LOW, TablePlan
from ..fixed import QFormat, shift_round_half_up
from ..specs import GELUSpec, SmoothSpec, SoftplusSpec, SwishSpec
from .arith import Pipe, materialize
from .unit import ActivationUnit, saturate

__all__ = ["SmoothUnit", "SwishUnit", "SoftplusUnit", "GELUUnit", "poly_evaluator"]


def _rom(m: Module, index: Value, values: list[int], width: int, name: str) -> Value:
    """A constant table read combinationally (synthesis turns it into logic)."""
    if len(values) == 1:
        return Const(values[0], signed(width))
    out = Signal(signed(width), name=name)
    with m.Switch(index):
        for i, value in enumerate(values):
            with m.Case(i):
                m.d.comb += out.eq(value)
    return out


def poly_evaluator(m: Module, a: Value, a_bits: int, plan: PolyPlan, name: str) -> Value:
    """Gates computing :meth:`PolyPlan.evaluate` of the unsigned ``a_bits``-bit ``a``."""
    r = plan.local_bits
    index, t = a[r : plan.in_bits], a[:r]
    bounds = plan.step_bounds()
    coefficient = [
        _rom(
            m,
            index,
            [c[j] for c in plan.coefficients],
            max(abs(c[j]) for c in plan.coefficients).bit_length() + 1,
            f"{name}_c{j}",
        )
        for j in range(plan.degree + 1)
    ]
    acc = coefficient[plan.degree]
    for step, j in enumerate(range(plan.degree - 1, -1, -1), start=1):
        width = bounds[step].bit_length() + 1
        acc = materialize(m, (((acc * t) >> r) + coefficient[j])[:width].as_signed(), f"{name}_h{step}")
    if plan.in_bits >= a_bits:
        return acc
    inside = materialize(m, a[plan.in_bits : a_bits] == 0, f"{name}_inside")
    return Mux(inside, acc, 0)


def table_lookup(m: Module, x: Value, fmt: QFormat, table: TablePlan, out_frac: int, name: str) -> Value:
    """Gates for :meth:`TablePlan.lookup`: truncated index, edge clamp, ROM, truncating cast."""
    shifted = x - (TABLE_LOW << fmt.frac)
    scaled = shifted >> (fmt.frac - BIN_FRAC) if fmt.frac >= BIN_FRAC else shifted << (BIN_FRAC - fmt.frac)
    scaled = materialize(m, scaled, f"{name}_bin")
    index = materialize(
        m, Mux(scaled < 0, 0, Mux(scaled > ENTRIES - 1, ENTRIES - 1, scaled))[:INDEX_BITS], f"{name}_index"
    )
    entry = _rom(m, index, list(table.entries), ENTRY_BITS, f"{name}_entry")
    return entry << (out_frac - ENTRY_FRAC) if out_frac >= ENTRY_FRAC else entry >> (ENTRY_FRAC - out_frac)


class SmoothUnit(ActivationUnit):
    """Shared datapath of the smooth baselines; bit-exact with their golden models.

    Members
    -------
    See :class:`~smelu_hw.hw.unit.ActivationUnit`.
    """

    spec_class = SmoothSpec

    def datapath(self, m: Module, x: Value, cuts: list[Pipe]) -> tuple[Value, Value | None]:
        spec = self.spec
        fmt, out = spec.fmt, spec.out_fmt
        if spec.method == "table":
            y = saturate(table_lookup(m, x, fmt, value_table(spec), out.frac, "value"), out)
            dy = saturate(table_lookup(m, x, fmt, slope_table(spec), spec.grad_frac, "slope"), spec.grad_fmt)
            return y, dy if self.with_grad else None
        positive = materialize(m, x > 0, "positive")
        a = materialize(m, Mux(x[-1], -x, x)[: fmt.bits], "a")  # |x|; 2**(bits-1) fits unsigned
        plan = value_plan(spec)
        left = poly_evaluator(m, a, fmt.bits, plan, "value")
        relu = Mux(positive, x << (plan.frac - fmt.frac), 0)
        y = saturate(materialize(m, shift_round_half_up(relu + left, plan.frac - out.frac), "y_wide"), out)
        if not self.with_grad:
            return y, None
        plan = slope_plan(spec)
        left = poly_evaluator(m, a, fmt.bits, plan, "slope")
        slope = Mux(positive, (1 << plan.frac) - left, left)
        dy = saturate(
            materialize(m, shift_round_half_up(slope, plan.frac - spec.grad_frac), "dy_wide"), spec.grad_fmt
        )
        return y, dy


class SwishUnit(SmoothUnit):
    """Swish unit; equals :class:`~smelu_hw.Swish`."""

    spec_class = SwishSpec


class SoftplusUnit(SmoothUnit):
    """Softplus unit; equals :class:`~smelu_hw.Softplus`."""

    spec_class = SoftplusSpec


class GELUUnit(SmoothUnit):
    """GELU unit; equals :class:`~smelu_hw.GELU`."""

    spec_class = GELUSpec
