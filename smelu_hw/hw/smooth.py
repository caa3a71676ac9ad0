"""Amaranth units of Swish, Softplus, GELU and ELU: piecewise polynomials or an hls4ml table.

Both read their plan from :mod:`smelu_hw.approx.plans`, exactly as the golden model does.

Polynomial method, with ``a = |x|``: ``y = round_half_up(relu(x) + L(a))`` and
``dy = round_half_up(G(a))`` for ``x <= 0``, ``1 - G(a)`` above (for a function that is not
symmetric, ELU: ``x`` and 1 above 0, ``L(a) + left_limit`` below), where ``L`` and ``G`` are
evaluated by :func:`poly_evaluator`: a coefficient ROM indexed by the top bits of ``a`` and a
Horner chain whose products are truncated (arithmetic shifts), gated to 0 beyond the plan's
domain.

Pipeline cuts (:attr:`SmoothUnit.cut_names`, in the order :attr:`SmoothUnit.cut_priority`
enables them). Polynomial units whose longest Horner chain has ``D`` steps offer ``2 D + 3``
cuts (:func:`poly_cut_names`): ``magnitude`` after ``|x|``, ``roms`` after the coefficient
ROMs, ``step<k>_product`` and ``step<k>_sum`` between the multiplier and the adder of step
``k`` (from 1) and after it (``step<D>_sum`` is the start of the final adders: ``relu(x) + L``
and rounding), and ``rounded`` before the saturation. A shorter chain carries its result
through the cuts it does not use. Table units offer ``index`` after the index, ``entry`` after
the ROM and ``read`` after that, before the saturation (:class:`TableCuts`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields

from amaranth.hdl import Const, Module, Mux, Signal, Value, signed

from ..approx.plans import slope_plan, slope_table, value_plan, value_table
from ..approx.poly import PolyPlan
from ..approx.table import BIN_FRAC, ENTRIES, ENTRY_BITS, ENTRY_FRAC, INDEX_BITS, TABLE_LOW, TablePlan
from ..fixed import QFormat, shift_round_half_up
from ..specs import ELUSpec, GELUSpec, SmoothSpec, SoftplusSpec, SwishSpec
from .arith import NamedCuts, Pipe, materialize, no_pipe
from .unit import ActivationUnit, saturate

__all__ = [
    "SmoothUnit",
    "SwishUnit",
    "SoftplusUnit",
    "GELUUnit",
    "ELUUnit",
    "HornerCuts",
    "TableCuts",
    "poly_evaluator",
    "poly_cut_names",
    "poly_cut_priority",
    "table_lookup",
    "TABLE_CUT_NAMES",
    "TABLE_CUT_PRIORITY",
]

#: Delays in ns of a polynomial unit's segments, rough iCE40 UP5K figures: ``|x|``, the
#: coefficient ROMs, a Horner step's multiplier (LUTs) and adder, the final adders (``relu(x)``
#: and the rounding constant) and the saturation. Only the order they give matters: for chains
#: of one and two steps it is the best measured on iCE40 and on ECP5 (whose multipliers are DSP
#: blocks) alike, or within placement noise of it (``benchmarks/baseline_fmax.py``).
MAGNITUDE_DELAY, ROM_DELAY, SUM_DELAY, SATURATE_DELAY = 5.0, 6.0, 8.0, 5.0
MULTIPLY_DELAY, ADD_DELAY = 20.0, 4.0


@dataclass(frozen=True)
class TableCuts(NamedCuts):
    """The pipeline cuts of :func:`table_lookup`, each the disabled cut unless given.

    Attributes
    ----------
    index : Pipe
        After the index, before the ROM.
    entry : Pipe
        After the ROM.
    read : Pipe
        After ``entry``, before the saturation.
    """

    index: Pipe = no_pipe
    entry: Pipe = no_pipe
    read: Pipe = no_pipe


#: A table unit's cuts, those of :class:`TableCuts`.
TABLE_CUT_NAMES = tuple(field.name for field in fields(TableCuts))
#: Table cuts in the order latency enables them: the ROM output, a second register before the
#: saturation, then the index. Synthesis merges the first register into the ROM, which becomes
#: a block RAM read synchronously; its clock-to-output delay is long, so the saturation waits for
#: the second.
TABLE_CUT_PRIORITY = ("entry", "read", "index")


@dataclass(frozen=True)
class HornerCuts:
    """The pipeline cuts of :func:`poly_evaluator`, each the disabled cut unless given.

    Attributes
    ----------
    roms : Pipe
        After the coefficient ROMs.
    steps : tuple of (Pipe, Pipe)
        One pair per Horner step, the first step first: the cut between the step's multiplier
        and its adder, and the cut after the adder. A chain of fewer steps carries its result
        through the pairs it does not use; no pairs at all build every step uncut.
    """

    roms: Pipe = no_pipe
    steps: tuple[tuple[Pipe, Pipe], ...] = ()

    @classmethod
    def among(cls, cuts: Mapping[str, Pipe], steps: int) -> HornerCuts:
        """The cuts of a ``steps``-step chain among a polynomial unit's (:func:`poly_cut_names`)."""
        pairs = (_step_cut_names(step) for step in range(1, steps + 1))
        return cls(cuts["roms"], tuple((cuts[product], cuts[total]) for product, total in pairs))


def _step_cut_names(step: int) -> tuple[str, str]:
    """The cuts of Horner step ``step`` (from 1): between its multiplier and adder, and after it."""
    return f"step{step}_product", f"step{step}_sum"


def _poly_segments(steps: int) -> list[tuple[float, str]]:
    """A polynomial unit's segments along its path: each one's delay and the name of the cut
    that ends it (the last segment, the saturation, ends at the output: no name)."""
    horner = [
        (delay, cut)
        for step in range(1, steps + 1)
        for delay, cut in zip((MULTIPLY_DELAY, ADD_DELAY), _step_cut_names(step), strict=True)
    ]
    return [
        (MAGNITUDE_DELAY, "magnitude"),
        (ROM_DELAY, "roms"),
        *horner,
        (SUM_DELAY, "rounded"),
        (SATURATE_DELAY, ""),
    ]


def poly_cut_names(steps: int) -> tuple[str, ...]:
    """The ``2 steps + 3`` cuts of a polynomial unit whose longest Horner chain has ``steps``
    steps, along its path: ``magnitude``, ``roms``, ``step1_product``, ``step1_sum``, ...,
    ``rounded``."""
    return tuple(cut for _, cut in _poly_segments(steps)[:-1])


def poly_cut_priority(steps: int) -> tuple[str, ...]:
    """The order of a polynomial unit's cuts (:func:`poly_cut_names`): each shortens the
    longest segment most.

    Greedy over the delay model (:data:`MULTIPLY_DELAY` and the others), ties broken by the
    next longest segments, then by the position along the path: the cuts a latency enables are
    a prefix of the order, so each added cut is the best given those before it.
    """
    delays = [delay for delay, _ in _poly_segments(steps)]

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
    names = poly_cut_names(steps)
    return tuple(names[cut] for cut in order)


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
    m: Module, a: Value, a_bits: int, plan: PolyPlan, name: str, cuts: HornerCuts = HornerCuts()
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
    cuts : HornerCuts
        Pipeline cuts. None by default.

    Returns
    -------
    Value
        The approximation in units of ``2**-plan.frac``.

    Raises
    ------
    ValueError
        If ``cuts`` has steps, but fewer than ``plan.degree``.
    """
    steps = cuts.steps or ((no_pipe, no_pipe),) * plan.degree
    if len(steps) < plan.degree:
        raise ValueError(f"a degree-{plan.degree} chain needs {plan.degree} steps of cuts, not {len(steps)}")
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

    def cross(cut: Pipe, kept: int, keep_t: bool) -> None:
        """Carry the domain flag, the coefficients still to add, and ``t`` if still needed,
        through ``cut``."""
        nonlocal t, inside
        coefficient[:kept] = [cut(c, f"{name}_c{j}") for j, c in enumerate(coefficient[:kept])]
        if keep_t:
            t = cut(t, f"{name}_t")
        if inside is not None:
            inside = cut(inside, f"{name}_inside")

    cross(cuts.roms, plan.degree + 1, plan.degree > 0)
    acc = coefficient[plan.degree]
    for step, j in enumerate(range(plan.degree - 1, -1, -1), start=1):
        product_cut, sum_cut = steps[step - 1]
        width = bounds[step].bit_length() + 1
        product = product_cut(acc * t, f"{name}_p{step}")
        cross(product_cut, j + 1, j > 0)
        acc = materialize(m, ((product >> r) + coefficient[j])[:width].as_signed(), f"{name}_h{step}")
        acc = sum_cut(acc, f"{name}_h{step}")
        cross(sum_cut, j, j > 0)
    for cut in (cut for pair in steps[plan.degree :] for cut in pair):
        acc = cut(acc, f"{name}_result")
        cross(cut, 0, False)
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
    cuts: TableCuts = TableCuts(),
) -> Value:
    """Gates for :meth:`TablePlan.lookup`: truncated index, edge clamp, ROM, truncating cast.

    ``cuts`` are the pipeline cuts (:class:`TableCuts`), none by default.
    """
    shifted = x - (TABLE_LOW << fmt.frac)
    scaled = shifted >> (fmt.frac - BIN_FRAC) if fmt.frac >= BIN_FRAC else shifted << (BIN_FRAC - fmt.frac)
    scaled = materialize(m, scaled, f"{name}_bin")
    index = materialize(
        m, Mux(scaled < 0, 0, Mux(scaled > ENTRIES - 1, ENTRIES - 1, scaled))[:INDEX_BITS], f"{name}_index"
    )
    entry = _rom(m, cuts.index(index, f"{name}_index"), list(table.entries), ENTRY_BITS, f"{name}_entry")
    entry = cuts.read(cuts.entry(entry, f"{name}_entry"), f"{name}_read")
    return entry << (out_frac - ENTRY_FRAC) if out_frac >= ENTRY_FRAC else entry >> (ENTRY_FRAC - out_frac)


class SmoothUnit(ActivationUnit):
    """Shared datapath of the smooth baselines; bit-exact with their golden models.

    Members
    -------
    See :class:`~smelu_hw.hw.unit.ActivationUnit`.
    """

    spec_class = SmoothSpec

    @property
    def cut_names(self) -> tuple[str, ...]:
        """Table: :data:`TABLE_CUT_NAMES`; polynomial: :func:`poly_cut_names` of the longest
        Horner chain built."""
        return TABLE_CUT_NAMES if self.spec.method == "table" else poly_cut_names(self._steps())

    @property
    def cut_priority(self) -> tuple[str, ...]:
        """Table: :data:`TABLE_CUT_PRIORITY`; polynomial: :func:`poly_cut_priority` of the
        longest Horner chain built."""
        return TABLE_CUT_PRIORITY if self.spec.method == "table" else poly_cut_priority(self._steps())

    def _plans(self) -> list[PolyPlan]:
        """The polynomial plans the unit evaluates: the value's, and the slope's with the gradient."""
        return [value_plan(self.spec)] + ([slope_plan(self.spec)] if self.with_grad else [])

    def _steps(self) -> int:
        """Steps of the longest Horner chain built."""
        return max(plan.degree for plan in self._plans())

    def datapath(self, m: Module, x: Value, cuts: Mapping[str, Pipe]) -> tuple[Value, Value | None]:
        spec = self.spec
        fmt, out = spec.fmt, spec.out_fmt
        if spec.method == "table":
            table = TableCuts.among(cuts)
            y = saturate(table_lookup(m, x, fmt, value_table(spec), out.frac, "value", table), out)
            dy = saturate(
                table_lookup(m, x, fmt, slope_table(spec), spec.grad_frac, "slope", table), spec.grad_fmt
            )
            return y, dy if self.with_grad else None
        positive = materialize(m, x > 0, "positive")
        a = materialize(m, Mux(x[-1], -x, x)[: fmt.bits], "a")  # |x|; 2**(bits-1) fits unsigned
        a = cuts["magnitude"](a, "a")
        plan = value_plan(spec)
        # A symmetric function adds relu(x) to the left half; any other takes x right of 0.
        relu = (
            Mux(positive, x << (plan.frac - fmt.frac), 0) if spec.symmetric else x << (plan.frac - fmt.frac)
        )
        # The sign and relu(x) cross every cut on the way to the final adders.
        for cut in (cut for cut_name, cut in cuts.items() if cut_name != "rounded"):
            positive, relu = cut(positive, "positive"), cut(relu, "relu")
        horner, rounded = HornerCuts.among(cuts, self._steps()), cuts["rounded"]
        left = poly_evaluator(m, a, fmt.bits, plan, "value", horner)
        limit = spec.left_limit << plan.frac
        value = relu + left if spec.symmetric else Mux(positive, relu, left + limit)
        y_wide = materialize(m, shift_round_half_up(value, plan.frac - out.frac), "y_wide")
        y = saturate(rounded(y_wide, "y_wide"), out)
        if not self.with_grad:
            return y, None
        plan = slope_plan(spec)
        left = poly_evaluator(m, a, fmt.bits, plan, "slope", horner)
        slope = Mux(positive, (1 << plan.frac) - left if spec.symmetric else 1 << plan.frac, left)
        dy_wide = materialize(m, shift_round_half_up(slope, plan.frac - spec.grad_frac), "dy_wide")
        dy = saturate(rounded(dy_wide, "dy_wide"), spec.grad_fmt)
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
