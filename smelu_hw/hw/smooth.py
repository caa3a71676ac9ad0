"""Amaranth units of Swish, Softplus, GELU and ELU: piecewise polynomials or an hls4ml table.

Both read their plan from :mod:`smelu_hw.approx.plans`, exactly as the golden model does.

Polynomial method, with ``a = |x|``: ``y = round_half_up(relu(x) + L(a))`` and
``dy = round_half_up(G(a))`` for ``x <= 0``, ``1 - G(a)`` above (for a function that is not
symmetric, ELU: ``x`` and 1 above 0, ``L(a) + left_limit`` below), where ``L`` and ``G`` are
evaluated by :func:`poly_evaluator`: a coefficient ROM indexed by the top bits of ``a`` and a
Horner chain whose products are truncated (arithmetic shifts), gated to 0 beyond the plan's
domain.

Pipeline cuts (:attr:`SmoothUnit.cut_priority`). Polynomial units whose longest Horner chain
has ``D`` steps offer ``2 D + 3`` cuts: cut 0 after ``|x|``, cut 1 after the coefficient ROMs,
cuts ``2 k`` and ``2 k + 1`` between the multiplier and the adder of step ``k`` and after it
(cut ``2 D + 1`` is the start of the final adders: ``relu(x) + L`` and rounding), and cut
``2 D + 2`` before the saturation. A shorter chain carries its result through the cuts it
does not use. Table units offer cut 0 after the index, cut 1 after the ROM and cut 2 after
that, before the saturation.
"""

from __future__ import annotations

from collections.abc import Sequence

from amaranth.hdl import Const, Module, Mux, Signal, Value, signed

from ..approx.plans import slope_plan, slope_table, value_plan, value_table
from ..approx.poly import PolyPlan
from ..approx.table import BIN_FRAC, ENTRIES, ENTRY_BITS, ENTRY_FRAC, INDEX_BITS, TABLE_LOW, TablePlan
from ..fixed import QFormat, shift_round_half_up
from ..specs import ELUSpec, GELUSpec, SmoothSpec, SoftplusSpec, SwishSpec
from .arith import Pipe, materialize, no_pipe
from .unit import ActivationUnit, saturate

__all__ = [
    "SmoothUnit",
    "SwishUnit",
    "SoftplusUnit",
    "GELUUnit",
    "poly_evaluator",
    "poly_cut_priority",
    "table_lookup",
]

#: Delays in ns of a polynomial unit's segments, rough iCE40 UP5K figures: ``|x|``, the
#: coefficient ROMs, a Horner step's multiplier (LUTs) and adder, the final adders (``relu(x)``
#: and the rounding constant) and the saturation. Only the order they give matters: for chains
#: of one and two steps it is the best measured on iCE40 and on ECP5 (whose multipliers are DSP
#: blocks) alike, or within placement noise of it (``benchmarks/baseline_fmax.py``).
MAGNITUDE_DELAY, ROM_DELAY, SUM_DELAY, SATURATE_DELAY = 5.0, 6.0, 8.0, 5.0
MULTIPLY_DELAY, ADD_DELAY = 20.0, 4.0
#: Table cuts in the order latency enables them: the ROM output, a second register before the
#: saturation, then the index. Synthesis merges the first register into the ROM, which becomes
#: a block RAM read synchronously; its clock-to-output delay is long, so the saturation waits for
#: the second.
TABLE_CUT_PRIORITY = (1, 2, 0)


def poly_cut_priority(steps: int) -> tuple[int, ...]:
    """The order of a polynomial unit's ``2 steps + 3`` cuts: each shortens the longest segment most.

    Greedy over the delay model (:data:`MULTIPLY_DELAY` and the others), ties broken by the
    next longest segments: the cuts a latency enables are a prefix of the order, so each added
    cut is the best given those before it.
    """
    delays = [MAGNITUDE_DELAY, ROM_DELAY] + [MULTIPLY_DELAY, ADD_DELAY] * steps + [SUM_DELAY, SATURATE_DELAY]

    def segments(cuts: set[int]) -> list[float]:
        """Segment delays, longest first, with a cut after ``delays[c]`` for each ``c`` in ``cuts``."""
        lengths, current = [], 0.0
        for index, delay in enumerate(delays):
            current += delay
            if index in cuts:
                lengths.append(current)
                current = 0.0
        return sorted([*lengths, current], reverse=True)

    order: list[int] = []
    while len(order) < len(delays) - 1:
        left = [cut for cut in range(len(delays) - 1) if cut not in order]
        order.append(min(left, key=lambda cut: segments({*order, cut})))
    return tuple(order)


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


def poly_evaluator(
    m: Module, a: Value, a_bits: int, plan: PolyPlan, name: str, stages: Sequence[Pipe] = ()
) -> Value:
    """Gates computing :meth:`PolyPlan.evaluate` of the unsigned ``a_bits``-bit ``a``.

    Parameters
    ----------
    m : Module
        Module that receives the ROMs and the Horner adders.
    a : Value
        The input code.
    a_bits : int
        Width of ``a``.
    plan : PolyPlan
        The approximation.
    name : str
        Prefix of the signal names.
    stages : sequence of Pipe
        Pipeline cuts: ``stages[0]`` after the coefficient ROMs, then two per Horner step
        ``k``: ``stages[2k - 1]`` between its multiplier and its adder, ``stages[2k]`` after
        it. The result passes the stages beyond ``2 plan.degree``. None by default.

    Returns
    -------
    Value
        The approximation in units of ``2**-plan.frac``.
    """
    stages = list(stages) or [no_pipe] * (2 * plan.degree + 1)
    if len(stages) <= 2 * plan.degree:
        raise ValueError(
            f"a degree-{plan.degree} chain needs {2 * plan.degree + 1} stages, not {len(stages)}"
        )
    r = plan.local_bits
    index, t = a[r : plan.in_bits], a[:r]
    # Whether a lies in the plan's domain, decided before the first cut: one bit to carry.
    inside = a[plan.in_bits : a_bits] == 0 if plan.in_bits < a_bits else None
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

    def cross(stage: Pipe, kept: int, keep_t: bool) -> None:
        """Carry the domain flag, the coefficients still to add, and ``t`` if still needed,
        through ``stage``."""
        nonlocal t, inside
        coefficient[:kept] = [stage(c, f"{name}_c{j}") for j, c in enumerate(coefficient[:kept])]
        if keep_t:
            t = stage(t, f"{name}_t")
        if inside is not None:
            inside = stage(inside, f"{name}_inside")

    cross(stages[0], plan.degree + 1, plan.degree > 0)
    acc = coefficient[plan.degree]
    for step, j in enumerate(range(plan.degree - 1, -1, -1), start=1):
        width = bounds[step].bit_length() + 1
        product = stages[2 * step - 1](acc * t, f"{name}_p{step}")
        cross(stages[2 * step - 1], j + 1, j > 0)
        acc = materialize(m, ((product >> r) + coefficient[j])[:width].as_signed(), f"{name}_h{step}")
        acc = stages[2 * step](acc, f"{name}_h{step}")
        cross(stages[2 * step], j, j > 0)
    for stage in stages[2 * plan.degree + 1 :]:
        acc = stage(acc, f"{name}_result")
        cross(stage, 0, False)
    if inside is None:
        return acc
    return Mux(materialize(m, inside, f"{name}_inside"), acc, 0)


def table_lookup(
    m: Module,
    x: Value,
    fmt: QFormat,
    table: TablePlan,
    out_frac: int,
    name: str,
    cuts: Sequence[Pipe] = (no_pipe, no_pipe, no_pipe),
) -> Value:
    """Gates for :meth:`TablePlan.lookup`: truncated index, edge clamp, ROM, truncating cast.

    ``cuts`` are the pipeline cuts after the index, after the ROM and after that.
    """
    index_cut, entry_cut, read_cut = cuts
    shifted = x - (TABLE_LOW << fmt.frac)
    scaled = shifted >> (fmt.frac - BIN_FRAC) if fmt.frac >= BIN_FRAC else shifted << (BIN_FRAC - fmt.frac)
    scaled = materialize(m, scaled, f"{name}_bin")
    index = materialize(
        m, Mux(scaled < 0, 0, Mux(scaled > ENTRIES - 1, ENTRIES - 1, scaled))[:INDEX_BITS], f"{name}_index"
    )
    entry = _rom(m, index_cut(index, f"{name}_index"), list(table.entries), ENTRY_BITS, f"{name}_entry")
    entry = read_cut(entry_cut(entry, f"{name}_entry"), f"{name}_read")
    return entry << (out_frac - ENTRY_FRAC) if out_frac >= ENTRY_FRAC else entry >> (ENTRY_FRAC - out_frac)


class SmoothUnit(ActivationUnit):
    """Shared datapath of the smooth baselines; bit-exact with their golden models.

    Members
    -------
    See :class:`~smelu_hw.hw.unit.ActivationUnit`.
    """

    spec_class = SmoothSpec

    @property
    def cut_priority(self) -> tuple[int, ...]:
        """Table: :data:`TABLE_CUT_PRIORITY`; polynomial: :func:`poly_cut_priority` of the
        longest Horner chain built."""
        if self.spec.method == "table":
            return TABLE_CUT_PRIORITY
        return poly_cut_priority(max(plan.degree for plan in self._plans()))

    def _plans(self) -> list[PolyPlan]:
        """The polynomial plans the unit evaluates: the value's, and the slope's with the gradient."""
        return [value_plan(self.spec)] + ([slope_plan(self.spec)] if self.with_grad else [])

    def datapath(self, m: Module, x: Value, cuts: list[Pipe]) -> tuple[Value, Value | None]:
        spec = self.spec
        fmt, out = spec.fmt, spec.out_fmt
        if spec.method == "table":
            y = saturate(table_lookup(m, x, fmt, value_table(spec), out.frac, "value", cuts), out)
            dy = saturate(
                table_lookup(m, x, fmt, slope_table(spec), spec.grad_frac, "slope", cuts), spec.grad_fmt
            )
            return y, dy if self.with_grad else None
        magnitude, *stages, wide = cuts
        positive = materialize(m, x > 0, "positive")
        a = materialize(m, Mux(x[-1], -x, x)[: fmt.bits], "a")  # |x|; 2**(bits-1) fits unsigned
        a = magnitude(a, "a")
        plan = value_plan(spec)
        # A symmetric function adds relu(x) to the left half; any other takes x right of 0.
        relu = (
            Mux(positive, x << (plan.frac - fmt.frac), 0) if spec.symmetric else x << (plan.frac - fmt.frac)
        )
        # The sign and relu(x) cross every cut on the way to the final adders.
        for cut in [magnitude, *stages]:
            positive, relu = cut(positive, "positive"), cut(relu, "relu")
        left = poly_evaluator(m, a, fmt.bits, plan, "value", stages)
        limit = spec.left_limit << plan.frac
        value = relu + left if spec.symmetric else Mux(positive, relu, left + limit)
        y_wide = materialize(m, shift_round_half_up(value, plan.frac - out.frac), "y_wide")
        y = saturate(wide(y_wide, "y_wide"), out)
        if not self.with_grad:
            return y, None
        plan = slope_plan(spec)
        left = poly_evaluator(m, a, fmt.bits, plan, "slope", stages)
        slope = Mux(positive, (1 << plan.frac) - left if spec.symmetric else 1 << plan.frac, left)
        dy_wide = materialize(m, shift_round_half_up(slope, plan.frac - spec.grad_frac), "dy_wide")
        dy = saturate(wide(dy_wide, "dy_wide"), spec.grad_fmt)
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


class ELUUnit(SmoothUnit):
    """ELU unit; equals :class:`~smelu_hw.ELU`."""

    spec_class = ELUSpec
