"""Gate-level arithmetic building blocks: bit columns, a folded squarer, a column adder.

Numbers are represented as *columns*: ``columns[i]`` is a list of 1-bit values of weight
``2**i`` whose sum is the number. A Dadda carry-save tree reduces the columns to two rows, and
one carry-propagate adder finishes the sum. Sums are taken modulo ``2**width``, so a negative
term can be added in two's complement: ``-b 2**i = (~b) 2**i - 2**i``, the ``-2**i`` folding
into one constant (see :func:`scaled_columns`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, fields
from typing import TypeVar

from amaranth.hdl import Cat, Const, Module, Signal, Value

from ..squaring import square_pairs

__all__ = [
    "Columns",
    "constant_columns",
    "scaled_columns",
    "square_columns",
    "Pipe",
    "materialize",
    "no_pipe",
    "is_enabled",
    "NamedCuts",
    "ArithmeticCuts",
    "NO_CUTS",
    "unsigned_at_least",
    "carry_split",
    "TREE_CUT_STAGES",
    "merge_columns",
    "sum_columns",
]

Columns = list[list[Value]]
#: Carry-save stages before a sum's ``tree`` cut (:class:`ArithmeticCuts`, :func:`sum_columns`).
TREE_CUT_STAGES = 2
#: A pipeline cut: returns its value registered (when the cut is enabled) or unchanged.
Pipe = Callable[[Value, str], Value]


def no_pipe(value: Value, name: str) -> Value:
    """The disabled cut."""
    return value


def is_enabled(pipe: Pipe) -> bool:
    """Whether ``pipe`` registers: :func:`no_pipe` does not, nor a cut whose ``enabled`` is false.

    A structure that exists only to be cut (a split adder) is built only when its cut is on, so
    a unit without that cut keeps its plain structure.
    """
    return pipe is not no_pipe and bool(getattr(pipe, "enabled", True))


_Cuts = TypeVar("_Cuts", bound="NamedCuts")


@dataclass(frozen=True)
class NamedCuts:
    """Base of a building block's pipeline cuts: a frozen dataclass whose fields are each a
    :data:`Pipe`, named for where it cuts, and :func:`no_pipe` unless given."""

    @classmethod
    def among(cls: type[_Cuts], cuts: Mapping[str, Pipe]) -> _Cuts:
        """The cuts of ``cuts`` (a unit's, by name) that are named like a field; the other
        fields keep the disabled cut."""
        return cls(**{field.name: cuts[field.name] for field in fields(cls) if field.name in cuts})


@dataclass(frozen=True)
class ArithmeticCuts(NamedCuts):
    """The pipeline cuts of a sum of bit columns and of the rounded division that follows it.

    :func:`sum_columns` applies ``tree``, ``adders`` and ``carry``;
    :meth:`~.division.Division.build` adds ``sum`` and ``product``. Along the path the cuts
    come in the order of the fields.

    Attributes
    ----------
    tree : Pipe
        Halfway through the carry-save tree, after :data:`TREE_CUT_STAGES` of its stages (or
        before the final adder, if the tree has no more stages).
    adders : Pipe
        Between the carry-save tree and the final adder: its two rows.
    carry : Pipe
        Halfway through the final adder: when enabled, the adder is split at
        :func:`carry_split`, the low half's sum and carry are registered with the high half's
        operands, and the high half adds the carry in.
    sum : Pipe
        After the final adder, before a division's reciprocal multiply.
    product : Pipe
        After the reciprocal multiply (after the final adder when the divisor is a power of
        two), before the rounding corrections and the bias.
    """

    tree: Pipe = no_pipe
    adders: Pipe = no_pipe
    carry: Pipe = no_pipe
    sum: Pipe = no_pipe
    product: Pipe = no_pipe

    def operands(self, value: Value, name: str) -> Value:
        """``value`` through ``tree``, ``adders`` and ``carry``, as far as a sum's operands go
        before its result: a value used beside the sum's result keeps pace with it."""
        return self.carry(self.adders(self.tree(value, name), name), name)


#: Every arithmetic cut disabled.
NO_CUTS = ArithmeticCuts()


def _columns_through(pipe: Pipe, columns: Columns, name: str) -> Columns:
    """Every bit of ``columns`` through ``pipe``, one register per column. Constant bits pass
    beside it: a cut leaves a constant unregistered, but not one inside a concatenation."""
    if not is_enabled(pipe):
        return columns
    result: Columns = []
    for i, column in enumerate(columns):
        signals = [bit for bit in column if not isinstance(bit, Const)]
        constants = [bit for bit in column if isinstance(bit, Const)]
        if signals:
            registered = pipe(Cat(*signals), f"{name}_col{i}")
            signals = [registered[k] for k in range(len(signals))]
        result.append(signals + constants)
    return result


def unsigned_at_least(value: Value, constant: int, width: int) -> Value:
    """``value[:width] >= constant`` as AND/OR logic over the bits.

    Built from the least significant bit up, so the most significant bit decides first. The
    same function as Amaranth's ``>=``, written so that synthesis sees no adder: an FPGA flow
    maps a comparison operator to a carry chain, and R16's decode at latency 4 was 4.2 ns on
    ECP5 through one (``benchmarks/r16_fmax.py``: 239 MHz with it, 257 MHz without).
    """
    if constant <= 0:
        return Const(1, 1)
    if constant >= 1 << width:
        return Const(0, 1)
    result: Value = Const(1, 1)  # the low bits compare equal: >= holds
    for i in range(width):
        result = (value[i] & result) if (constant >> i) & 1 else (value[i] | result)
    return result


def materialize(m: Module, value: Value, name: str) -> Signal:
    """Drive a new signal with ``value``, so that later uses share it instead of copying it."""
    signal = Signal(value.shape(), name=name)
    m.d.comb += signal.eq(value)
    return signal


def _full_adder(m: Module, a: Value, b: Value, c: Value, name: str) -> tuple[Value, Value]:
    half = materialize(m, a ^ b, f"{name}_p")
    return materialize(m, half ^ c, f"{name}_s"), materialize(m, (a & b) | (c & half), f"{name}_c")


def square_columns(u: Value, width: int, skip: Collection[tuple[int, int]] = ()) -> Columns:
    """Partial products of ``u * u`` for an unsigned ``width``-bit ``u`` (:func:`square_pairs`),
    leaving out the pairs in ``skip`` (a truncated squarer's)."""
    return [
        [u[i] if i == j else u[i] & u[j] for i, j in column if (i, j) not in skip]
        for column in square_pairs(width)
    ]


def constant_columns(value: int, width: int) -> Columns:
    """The set bits of a non-negative constant, as columns."""
    return [[Const(1, 1)] if (value >> i) & 1 else [] for i in range(width)]


def scaled_columns(columns: Columns, factor: int, width: int) -> tuple[Columns, int]:
    """Columns of ``factor * (sum of columns)`` modulo ``2**width``, and a constant to add.

    Each set bit ``k`` of ``|factor|`` adds a copy of the columns shifted by ``k``. For a negative
    ``factor`` the copied bits are inverted and the returned constant makes up the difference.

    Returns
    -------
    (Columns, int)
        The new columns and an integer constant; their sum is the scaled value.
    """
    result: Columns = [[] for _ in range(width)]
    constant = 0
    magnitude = abs(factor)
    for k in range(magnitude.bit_length()):
        if not (magnitude >> k) & 1:
            continue
        for i, column in enumerate(columns):
            if i + k >= width:
                break
            for bit in column:
                if factor > 0:
                    result[i + k].append(bit)
                else:
                    result[i + k].append(~bit)
                    constant -= 1 << (i + k)
    return result, constant


def merge_columns(*parts: Columns) -> Columns:
    """Column-wise union of several column sets (their sum)."""
    width = max(len(part) for part in parts)
    return [[bit for part in parts if i < len(part) for bit in part[i]] for i in range(width)]


def sum_columns(
    m: Module, columns: Columns, width: int, name: str, *, cuts: ArithmeticCuts = NO_CUTS
) -> Value:
    """Sum bit columns with a carry-save (Wallace) tree and one final adder.

    Parameters
    ----------
    columns : list of lists of 1-bit values
        ``columns[i]`` holds bits of weight ``2**i``.
    width : int
        Width of the result; the caller guarantees the sum fits.
    name : str
        Prefix of the names of the adder signals.
    cuts : ArithmeticCuts
        Pipeline cuts; ``tree``, ``adders`` and ``carry`` act here (``sum`` and ``product``
        belong to a division). None by default.

    Returns
    -------
    Value
        The unsigned ``width``-bit sum.
    """
    columns = [list(column) for column in columns] + [[] for _ in range(width - len(columns))]
    columns = columns[:width]
    # Dadda: reduce the tallest column height through 2, 3, 4, 6, 9, ... using as few full
    # and half adders as possible at each stage.
    heights = [2]
    while heights[-1] < max(len(column) for column in columns):
        heights.append(heights[-1] * 3 // 2)
    for stage, target in enumerate(reversed(heights[:-1])):
        if stage == TREE_CUT_STAGES:
            columns = _columns_through(cuts.tree, columns, f"{name}_tree")
        reduced: Columns = [[] for _ in range(width + 1)]
        for i, column in enumerate(columns):
            bits = list(column)
            adder = 0
            while len(bits) + len(reduced[i]) > target:
                name_i = f"{name}_s{stage}c{i}a{adder}"
                adder += 1
                if len(bits) + len(reduced[i]) - target >= 2 and len(bits) >= 3:
                    total, carry = _full_adder(m, bits.pop(0), bits.pop(0), bits.pop(0), name_i)
                elif len(bits) >= 2:
                    a, b = bits.pop(0), bits.pop(0)
                    total = materialize(m, a ^ b, f"{name_i}_s")
                    carry = materialize(m, a & b, f"{name_i}_c")
                else:
                    break
                reduced[i].append(total)
                reduced[i + 1].append(carry)
            reduced[i].extend(bits)
        columns = reduced[:width]
    if len(heights) - 1 <= TREE_CUT_STAGES:
        columns = _columns_through(cuts.tree, columns, f"{name}_tree")
    rows = [Cat(*(column[r] if len(column) > r else Const(0, 1) for column in columns)) for r in (0, 1)]
    if all(len(column) <= 1 for column in columns):  # one row: nothing to add
        return materialize(m, cuts.carry(cuts.adders(rows[0], f"{name}_row"), f"{name}_row"), f"{name}_sum")
    rows = [cuts.adders(row, f"{name}_row{r}") for r, row in enumerate(rows)]
    if not is_enabled(cuts.carry):
        return materialize(m, (rows[0] + rows[1])[:width], f"{name}_sum")
    split = carry_split(columns)
    low = cuts.carry(materialize(m, rows[0][:split] + rows[1][:split], f"{name}_low"), f"{name}_low")
    high = [cuts.carry(row[split:], f"{name}_high{r}") for r, row in enumerate(rows)]
    return materialize(m, Cat(low[:split], high[0] + high[1] + low[split])[:width], f"{name}_sum")


def carry_split(columns: Columns) -> int:
    """Where a cut final adder is split: halfway between the lowest column the final adder
    adds two bits in and the top (below it, each column has one bit and no carry starts)."""
    width = len(columns)
    first = next((i for i, column in enumerate(columns) if len(column) > 1), width - 1)
    return max(first + (width - first) // 2, 1)
