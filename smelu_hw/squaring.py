"""The folded squarer's partial products and their truncation, as integer arithmetic.

SmeLU's quadratic region is ``u**2 / 2**s`` for ``0 <= u <= u_max`` when ``4 beta`` and the
output scaling are powers of two. The squarer's low partial-product columns mostly matter
through the carries they send upward; over a small input range those carries can be replaced
by one constant. This module is the one description of that arithmetic, without gates: the
spec layer plans it, the golden model evaluates it on NumPy integers, and the hardware builds
the very same columns (:func:`smelu_hw.hw.arith.square_columns`).

* :func:`plan_truncation`: the most columns that can be dropped while the result stays
  *correctly rounded*, checked against the exact quotient for every ``u`` in range.
* :func:`plan_faithful_truncation`: the same for a *faithful* result, one of the two codes
  that bracket ``u**2 / 2**s``; the result is then ``floor((kept + offset) / 2**s)``, with no
  rounding logic at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

__all__ = [
    "MAX_PLANNED_RANGE",
    "Truncation",
    "dropped_partial_products",
    "plan_faithful_truncation",
    "plan_truncation",
    "power_of_two_shift",
    "square_pairs",
    "truncated_quotient",
]

#: Largest input range over which the truncation planners search exhaustively.
MAX_PLANNED_RANGE = 1 << 16


def square_pairs(width: int) -> list[list[tuple[int, int]]]:
    """Bit-index pairs ``(i, j)`` of the folded squarer's partial products, by column.

    ``u**2 = sum_i u_i 2**(2i) + sum_{i<j} u_i u_j 2**(i+j+1)``: the diagonal terms ``u_i u_i``
    are just ``u_i``, and each off-diagonal pair appears once, one column higher. That is
    ``width (width + 1) / 2`` bits instead of ``width**2``. The one list of them: the gates,
    the planners and the golden model all read it.
    """
    columns: list[list[tuple[int, int]]] = [[] for _ in range(2 * width)]
    for i in range(width):
        columns[2 * i].append((i, i))
        for j in range(i + 1, width):
            columns[i + j + 1].append((i, j))
    return columns


def pair_column(pair: tuple[int, int]) -> int:
    """The column of partial product ``u_i u_j`` in :func:`square_pairs`."""
    i, j = pair
    return 2 * i if i == j else i + j + 1


@dataclass(frozen=True)
class Truncation:
    """Partial-product columns below ``drop``, and the partial products ``extra`` (pairs
    ``(i, j)`` of higher columns), are replaced by the constant ``offset``.

    ``tie_bits`` is ``j + 1`` when an exact tie is ``u % 2**(j+1) == 2**j``, 0 if none occur.
    """

    drop: int
    offset: int
    tie_bits: int = 0
    extra: tuple[tuple[int, int], ...] = ()

    def dropped_pairs(self, width: int) -> set[tuple[int, int]]:
        """Every partial product the truncation leaves out."""
        return {pair for column in square_pairs(width)[: self.drop] for pair in column} | set(self.extra)


def dropped_partial_products(u: np.ndarray, width: int, plan: Truncation) -> np.ndarray:
    """The sum of the partial products of ``u**2`` that ``plan`` leaves out (int64 ``u``)."""
    u = np.asarray(u, dtype=np.int64)
    total = np.zeros_like(u)
    for pair in plan.dropped_pairs(width):
        i, j = pair
        total += (((u >> i) & (u >> j)) & 1) << pair_column(pair)
    return total


def truncated_quotient(u: np.ndarray, width: int, shift: int, plan: Truncation) -> np.ndarray:
    """``floor((u**2 - dropped + offset) / 2**shift)``: what the truncated squarer computes
    before any tie correction (int64 ``u`` with ``u < 2**width``)."""
    u = np.asarray(u, dtype=np.int64)
    kept = u * u - dropped_partial_products(u, width, plan)
    return (kept + plan.offset) >> shift


def power_of_two_shift(num_shift: int, den: int) -> int | None:
    """``s >= 1`` when ``2**num_shift / den == 2**-s``, else ``None``: then the quotient
    ``u**2 2**num_shift / den`` is the squarer's output shifted right by ``s``."""
    if den < 1 or den & (den - 1):
        return None
    shift = den.bit_length() - 1 - num_shift
    return shift if shift >= 1 else None


def _offset_range(kept: np.ndarray, shift: int, low: np.ndarray, high: np.ndarray) -> tuple[int, int]:
    """``[least, most]``: the offsets with ``low <= floor((kept + offset) / 2**shift) <= high``
    for every ``u`` (empty when ``least > most``)."""
    return int(np.max((low << shift) - kept)), int(np.min(((high + 1) << shift) - 1 - kept))


def _widest_drop(
    width: int, u_max: int, shift: int, low: np.ndarray, high: np.ndarray, start: int
) -> tuple[int, int, np.ndarray]:
    """Most whole columns to drop, the offset (aligned to them, at least 0), and the sum of
    the dropped partial products per ``u``, such that ``low <= floor((kept + offset) /
    2**shift) <= high`` for every ``u``; no column and offset ``start`` when none can go."""
    u = np.arange(u_max + 1, dtype=np.int64)
    square = u * u
    bits = [(u >> i) & 1 for i in range(width)]
    dropped = np.zeros_like(u)
    best = (0, start, dropped.copy())
    for drop, column in enumerate(square_pairs(width)[:shift], start=1):
        for i, j in column:
            dropped += (bits[i] & bits[j]) << (drop - 1)
        least, most = _offset_range(square - dropped, shift, low, high)
        offset = max(-(-least >> drop) << drop, 0)  # the dropped columns leave only its high bits
        if offset > most:
            break
        best = (drop, offset, dropped.copy())
    return best


@lru_cache(maxsize=256)
def plan_truncation(width: int, u_max: int, shift: int, half: int, rne: bool) -> Truncation | None:
    """Find the cheapest exact truncation of ``floor((u**2 + half) / 2**shift)``, ``u <= u_max``.

    Exact ties of round-to-nearest-even (``rne``) are then recognised from the low bits of
    ``u`` alone: ``u**2 + 2**(K-1)`` is a multiple of ``2**K`` exactly when ``K`` is odd and
    ``u = 2**j * odd`` with ``j = (K - 1) / 2``, because odd squares are odd. The predicate is
    checked for every ``u`` too. Returns ``None`` when the range is too large to check or the
    tie predicate fails.
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
    drop, offset, _ = _widest_drop(width, u_max, shift, target, target, half)
    return Truncation(drop, offset, tie_bits)


@lru_cache(maxsize=256)
def plan_faithful_truncation(width: int, u_max: int, shift: int) -> Truncation | None:
    """Find a cheap truncation whose ``floor((kept + offset) / 2**shift)`` is faithful:
    ``floor(u**2 / 2**shift)`` or ``ceil(u**2 / 2**shift)`` for every ``u <= u_max``.

    First the most whole low columns (:func:`plan_truncation`'s search), then, greedily from
    the lowest column up, every further partial product whose removal some offset can still
    absorb (in each column the diagonal bit first, then the pairs whose lower bit is highest);
    the offset is the least one that works. Returns ``None`` when the range is too
    large to check; otherwise a plan, which drops nothing when nothing can go (``floor``, which
    is faithful).
    """
    if u_max >= MAX_PLANNED_RANGE or shift < 1:
        return None
    u = np.arange(u_max + 1, dtype=np.int64)
    square = u * u
    low = square >> shift
    high = -((-square) >> shift)
    drop, offset, dropped = _widest_drop(width, u_max, shift, low, high, 0)
    extra = []
    for column in range(drop, min(shift, 2 * width)):  # a square has 2 width columns
        # The diagonal bit first (its mean, half the column weight, is the most an offset can
        # absorb), then the pairs whose lower bit is highest.
        for i, j in sorted(square_pairs(width)[column], key=lambda pair: (pair[0] != pair[1], -pair[0])):
            trial = dropped + ((((u >> i) & (u >> j)) & 1) << column)
            least, most = _offset_range(square - trial, shift, low, high)
            if max(least, 0) <= most:
                dropped, offset = trial, max(least, 0)
                extra.append((i, j))
    return Truncation(drop, offset, extra=tuple(extra))
