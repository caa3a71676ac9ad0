"""Correctly rounded ``round(u**2 * 2**a / den)`` with a truncated, folded squarer.

Only the bits that decide the result are built. The squarer's low partial-product columns
mostly matter through the carries they send upward; over a small input range those carries
can be replaced by one constant. :func:`plan_truncation` finds the most columns that can be
dropped, and the constant that replaces them, by checking the candidate against the exact
quotient for *every* ``u`` in range (the range is at most :data:`MAX_PLANNED_RANGE` codes).
Exact ties of round-to-nearest-even are then recognised from the low bits of ``u`` alone:
``u**2 + 2**(K-1)`` is a multiple of ``2**K`` exactly when ``K`` is odd and
``u = 2**j * odd`` with ``j = (K - 1) / 2``, because odd squares are odd. The planner checks
that predicate exhaustively too, and falls back to the full square where either check fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from amaranth.hdl import Const, Module, Value

from .arith import Columns, Pipe, no_pipe, square_columns, square_pairs
from .division import Division, cancel_twos

__all__ = ["MAX_PLANNED_RANGE", "Truncation", "plan_truncation", "rounded_square"]

#: Largest input range over which the truncation planner searches exhaustively.
MAX_PLANNED_RANGE = 1 << 16


@dataclass(frozen=True)
class Truncation:
    """Partial-product columns below ``drop`` are replaced by the constant ``offset``.

    ``tie_bits`` is ``j + 1`` when an exact tie is ``u % 2**(j+1) == 2**j``, 0 if none occur.
    """

    drop: int
    offset: int
    tie_bits: int


@lru_cache(maxsize=256)
def plan_truncation(width: int, u_max: int, shift: int, half: int, rne: bool) -> Truncation | None:
    """Find the cheapest exact truncation of ``floor((u**2 + half) / 2**shift)``, ``u <= u_max``.

    Returns ``None`` when the range is too large to check or no truncation is exact.
    """
    if u_max >= MAX_PLANNED_RANGE or shift < 1:
        return None
    u = np.arange(u_max + 1, dtype=np.int64)
    square = u * u
    target = (square + half) >> shift
    tie_bits = 0
    if rne:
        exact_tie = ((square + half) & ((1 << shift) - 1)) == 0
        if shift % 2:
            j = (shift - 1) // 2
            tie_bits = j + 1
            predicted = (u & ((1 << tie_bits) - 1)) == (1 << j)
        else:
            predicted = np.zeros_like(exact_tie)
        if not np.array_equal(predicted, exact_tie):
            return None
    bits = [(u >> i) & 1 for i in range(width)]
    dropped = np.zeros_like(u)
    best = Truncation(0, half, tie_bits)
    for drop, column in enumerate(square_pairs(width)[:shift], start=1):
        for i, j in column:
            dropped += (bits[i] & bits[j]) << (drop - 1)
        kept = square - dropped
        # floor((kept + offset) / 2**shift) == target  <=>  offset in [low, high] for every u.
        low = int(np.max((target << shift) - kept))
        high = int(np.min(((target + 1) << shift) - 1 - kept))
        offset = max(-(-low >> drop) << drop, 0)
        if offset > high:
            break
        best = Truncation(drop, offset, tie_bits)
    return best


def rounded_square(
    m: Module,
    u: Value,
    width: int,
    u_max: int,
    num_shift: int,
    den: int,
    rounding: str,
    name: str,
    pipe: Pipe = no_pipe,
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
    pipe : Pipe
        Pipeline cut before the final adder.

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
        return division.build(m, columns, name, pipe=pipe)
    tie = None
    if division.has_ties:
        j = plan.tie_bits - 1
        tie = (u[: plan.tie_bits] == (1 << j)) if plan.tie_bits else Const(0, 1)
    kept = [[] for _ in range(plan.drop)] + columns[plan.drop :]
    return division.build(m, kept, name, offset=plan.offset, tie=tie, pipe=pipe)
