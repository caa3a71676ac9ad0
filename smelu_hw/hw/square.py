"""Correctly rounded ``round(u**2 * 2**a / den)`` with a truncated, folded squarer.

Only the bits that decide the result are built: :func:`smelu_hw.squaring.plan_truncation`
finds the most low partial-product columns that can be replaced by one constant, and the
predicate that recognises exact ties, by checking both for *every* ``u`` in range; the gates
fall back to the full square where either check fails.
"""

from __future__ import annotations

from amaranth.hdl import Const, Module, Value

from ..specs import SquarePlan
from ..squaring import plan_truncation
from .arith import NO_CUTS, ArithmeticCuts, Columns, square_columns
from .division import Division, cancel_twos

__all__ = ["rounded_square", "truncated_square"]


def rounded_square(
    m: Module,
    u: Value,
    width: int,
    u_max: int,
    num_shift: int,
    den: int,
    rounding: str,
    name: str,
    *,
    cuts: ArithmeticCuts = NO_CUTS,
) -> Value:
    """Gates for ``round(u**2 * 2**num_shift / den)``, correctly rounded, for ``0 <= u <= u_max``.

    Parameters
    ----------
    m : Module
        Module that receives the signals.
    u : Value
        Unsigned input, at least ``width`` bits.
    width : int
        Bits of ``u`` that are used (``u_max < 2**width``).
    u_max : int
        Largest ``u`` the result must be exact for.
    num_shift : int
        Power of two scaling the numerator (may be negative: then it scales ``den``).
    den : int
        Positive constant denominator.
    rounding : {"rne", "rna", "floor"}
    name : str
        Prefix of the signal names.
    cuts : ArithmeticCuts
        Pipeline cuts (:meth:`~.division.Division.build`). None by default.

    Returns
    -------
    Value
        The unsigned quotient.
    """
    num_shift, den = cancel_twos(num_shift, den)
    columns: Columns = [[] for _ in range(num_shift)] + square_columns(u, width)
    division = Division(den, (u_max * u_max) << num_shift, rounding)
    plan = None
    if division.divisor == 1 and num_shift == 0:
        plan = plan_truncation(width, u_max, division.shift, division.half, division.has_ties)
    if plan is None or plan.drop == 0:
        return division.build(m, columns, name, cuts=cuts)
    tie = None
    if division.has_ties:
        j = plan.tie_bits - 1
        tie = (u[: plan.tie_bits] == (1 << j)) if plan.tie_bits else Const(0, 1)
    kept = [[] for _ in range(plan.drop)] + columns[plan.drop :]
    return division.build(m, kept, name, offset=plan.offset, tie=tie, cuts=cuts)


def truncated_square(
    m: Module,
    u: Value,
    plan: SquarePlan,
    name: str,
    *,
    cuts: ArithmeticCuts = NO_CUTS,
) -> Value:
    """Gates for a faithful SmeLU's ``floor((u**2 - dropped + offset) / 2**shift)``.

    The columns below ``plan.truncation.drop`` are not built, the offset takes their place,
    and the quotient is the sum's high bits: no rounding or tie logic. The sum is sized for
    the ceiling of ``u_max**2 / 2**shift``, the largest result a faithful plan allows. The cuts
    are those of :func:`rounded_square`.
    """
    truncation = plan.truncation
    kept = square_columns(u, plan.width, skip=truncation.dropped_pairs(plan.width))
    division = Division(1 << plan.shift, plan.u_max * plan.u_max + (1 << plan.shift) - 1, "floor")
    return division.build(m, kept, name, offset=truncation.offset, cuts=cuts)
