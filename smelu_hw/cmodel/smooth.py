"""C bodies of the smooth baselines (Swish, Softplus, GELU, ELU): the plans the golden model runs.

``method="poly"`` emits each :class:`~smelu_hw.approx.poly.PolyPlan` as a coefficient table and
a function doing the model's integer Horner steps (truncating products, ``floor`` shifts);
``method="table"`` emits the hls4ml table entries and the model's truncating index and
rescale. The bodies mirror :class:`~smelu_hw.models.smooth.SmoothActivation` step by step.
"""

from __future__ import annotations

from ..approx.plans import slope_plan, slope_table, value_plan, value_table
from ..approx.poly import PolyPlan
from ..approx.table import BIN_FRAC, ENTRIES, ENTRY_FRAC, TABLE_LOW, TablePlan
from ..specs import SmoothSpec
from .emit import INT64_MAX, Body, BodyBuilder, Term, literal, table_text

__all__ = ["BODIES"]

#: What each plan approximates, for a symmetric function and for another (True, False).
_MEANING = {
    ("value", True): "L(a) = f(-a), with f(x) = relu(x) + L(|x|)",
    ("slope", True): "G(a) = f'(-a), with f'(x) = G(|x|) for x <= 0 and 1 - G(|x|) for x > 0",
    ("value", False): "L(a) = f(-a) - f(-inf), with f(x) = L(|x|) + f(-inf) for x <= 0 and x for x > 0",
    ("slope", False): "G(a) = f'(-a), with f'(x) = G(|x|) for x <= 0 and 1 for x > 0",
}


def _horner_range(plan: PolyPlan) -> tuple[int, int, int]:
    """The range ``(lo, hi)`` of the plan's result and the peak of every Horner step.

    Interval arithmetic per segment, with ``t`` in ``[0, 2**r - 1]``: a proof that 64 bits
    suffice, independent of the search that produced the coefficients.
    """
    r, degree = plan.local_bits, plan.degree
    t_max = (1 << r) - 1
    low, high, peak = 0, 0, 1 << r  # 0: codes beyond the domain
    for row in plan.coefficients:
        lo = hi = row[degree]
        peak = max(peak, abs(lo))
        for j in range(degree - 1, -1, -1):
            ends = (0, lo * t_max, hi * t_max)
            peak = max(peak, *(abs(e) + (1 << r) for e in ends))
            lo, hi = (min(ends) >> r) + row[j], (max(ends) >> r) + row[j]
            peak = max(peak, abs(row[j]), abs(lo), abs(hi))
        low, high = min(low, lo), max(high, hi)
    if peak > INT64_MAX:
        raise ValueError(
            "the plan's Horner steps could exceed 64 bits; the golden model computes them in int64"
        )
    return low, high, peak


def _poly_function(body: Body, kind: str, plan: PolyPlan, symmetric: bool) -> Term:
    """Emit the plan's table and evaluator into the body's preamble; the call on ``|x|``."""
    prefix = body.prefix
    r, degree = plan.local_bits, plan.degree
    table = f"{prefix}_{kind}_coef"
    lines = [
        f"/* {kind} plan: {_MEANING[kind, symmetric]}, in units of 2**-{plan.frac}.",
        f" * in_bits={plan.in_bits} segment_bits={plan.segment_bits} degree={plan.degree} frac={plan.frac}:"
        f" codes a >= 2**{plan.in_bits} give 0;",
        f" * segment a >> {r}, t = a mod 2**{r}; Horner acc = floor(acc * t / 2**{r}) + c[j]. */",
        table_text("int64_t", table, [c for row in plan.coefficients for c in row], width=degree + 1),
        f"static inline int64_t {prefix}_{kind}_poly(int64_t a)",
        "{",
        f"    if (a >= {literal(1 << plan.in_bits)}) {{",
        "        return 0;",
        "    }",
    ]
    if r == 0 or degree == 0:  # t is always 0, or there is no product: the result is c[0]
        lines.append(f"    return {table}[a >> {r}][0];")
    else:
        body.needs_i64.add("fdiv")
        lines += [
            f"    const int64_t *c = {table}[a >> {r}];",
            f"    const int64_t t = a % {literal(1 << r)};",
            f"    int64_t acc = c[{degree}];",
        ]
        lines += [
            f"    acc = {prefix}_fdiv_i64(acc * t, {literal(1 << r)}) + c[{j}];"
            for j in range(degree - 1, -1, -1)
        ]
        lines.append("    return acc;")
    lines.append("}\n")
    body.preamble.append("\n".join(lines))
    low, high, _ = _horner_range(plan)
    a = body.let(body.select(f"{body.x.text} < 0", body.neg(body.x), body.x), "a")
    return body.call(f"{prefix}_{kind}_poly({a.text})", low, high)


def poly_forward(spec: SmoothSpec, body: Body) -> Term:
    plan = value_plan(spec)
    left = _poly_function(body, "value", plan, spec.symmetric)
    x = body.x
    right = body.scale(x, plan.frac - spec.fmt.frac)
    if spec.symmetric:
        value = body.add(body.select(f"{x.text} > 0", right, 0), left)
    else:
        value = body.select(f"{x.text} > 0", right, body.add(left, spec.left_limit << plan.frac))
    return _half_up(body, value, plan.frac - spec.out_fmt.frac)


def poly_grad(spec: SmoothSpec, body: Body) -> Term:
    plan = slope_plan(spec)
    left = body.let(_poly_function(body, "slope", plan, spec.symmetric), "left")
    right = body.sub(1 << plan.frac, left) if spec.symmetric else 1 << plan.frac
    slope = body.select(f"{body.x.text} > 0", right, left)
    return _half_up(body, slope, plan.frac - spec.grad_frac)


def _half_up(body: Body, value: Term, shift: int) -> Term:
    """:func:`~smelu_hw.fixed.shift_round_half_up`: ``floor((value + 2**(shift-1)) / 2**shift)``."""
    if shift < 1:
        raise AssertionError("a plan carries at least one guard bit")
    return body.floor_div(body.add(value, 1 << (shift - 1)), 1 << shift)


def _table_lookup(body: Body, kind: str, plan: TablePlan, out_frac: int) -> Term:
    """:meth:`~smelu_hw.approx.table.TablePlan.lookup`: clamped truncating index, entry, rescale."""
    name = f"{body.prefix}_{kind}_table"
    body.preamble.append(
        f"/* hls4ml-style {kind} table: entry i is {'f' if kind == 'value' else 'df/dx'} at"
        f" {TABLE_LOW} + i / 2**{BIN_FRAC}, in units of 2**-{ENTRY_FRAC}, truncated. */\n"
        + table_text("int32_t", name, list(plan.entries))
    )
    shifted = body.add(body.x, -(TABLE_LOW << plan.in_frac))
    if plan.in_frac >= BIN_FRAC:
        scaled = body.floor_div(shifted, 1 << (plan.in_frac - BIN_FRAC))
    else:
        scaled = body.scale(shifted, BIN_FRAC - plan.in_frac)
    index = body.let(body.clip(scaled, 0, ENTRIES - 1), f"{kind}_index")
    entry = body.let(body.call(f"{name}[{index.text}]", min(plan.entries), max(plan.entries)), kind)
    if out_frac >= ENTRY_FRAC:
        return body.scale(entry, out_frac - ENTRY_FRAC)
    return body.floor_div(entry, 1 << (ENTRY_FRAC - out_frac))


def table_forward(spec: SmoothSpec, body: Body) -> Term:
    return _table_lookup(body, "value", value_table(spec), spec.out_fmt.frac)


def table_grad(spec: SmoothSpec, body: Body) -> Term:
    return _table_lookup(body, "slope", slope_table(spec), spec.grad_frac)


#: Method -> (forward body, gradient body).
BODIES: dict[str, tuple[BodyBuilder, BodyBuilder]] = {
    "poly": (poly_forward, poly_grad),
    "table": (table_forward, table_grad),
}
