"""Spec of a dense-layer tile (weights, bias, requantization, activation) and of tile chains.

The tile computes ``y = act(requantize(W x + b))`` (see :mod:`smelu_hw.models.dense`).
Every check here echoes the bad value. :meth:`DenseSpec.accumulator_bits` is also the proof
that the golden model's int64 accumulation cannot overflow: the spec refuses a tile whose
exact bound needs more than 64 signed bits.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from dataclasses import dataclass

from .base import ActivationSpec

__all__ = ["DenseSpec", "check_chain", "WEIGHT_BITS", "IN_BITS", "MULTIPLIER_BITS", "MAX_SHIFT"]

#: Accepted weight widths (int8 and int16 codes).
WEIGHT_BITS = (8, 16)
#: Accepted widths of the tile's signed input codes.
IN_BITS = (2, 32)
#: The requantization multiplier is a positive signed 32-bit integer.
MULTIPLIER_BITS = 31
#: Largest requantization shift.
MAX_SHIFT = 62
#: Widest exact accumulator the int64 golden model can hold.
INT64_BITS = 64


def _is_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


@dataclass(frozen=True)
class DenseSpec:
    """A dense layer's constants: weights ``[outputs][inputs]``, bias, requantization, activation.

    Raises
    ------
    TypeError
        If ``activation`` is not an :class:`ActivationSpec`.
    ValueError
        If a width, weight, bias, multiplier or shift is out of range, the weights are not a
        non-empty rectangle with one bias per row, or the exact accumulator bound needs more
        than 64 signed bits.
    """

    weights: tuple[tuple[int, ...], ...]
    bias: tuple[int, ...]
    in_bits: int
    weight_bits: int
    multiplier: int
    shift: int
    activation: ActivationSpec

    def __post_init__(self) -> None:
        if not isinstance(self.activation, ActivationSpec):
            raise TypeError(f"activation must be an ActivationSpec, not {self.activation!r}")
        if not _is_int(self.in_bits) or not IN_BITS[0] <= self.in_bits <= IN_BITS[1]:
            raise ValueError(
                f"in_bits must be an integer from {IN_BITS[0]} to {IN_BITS[1]}, not {self.in_bits!r}"
            )
        if self.weight_bits not in WEIGHT_BITS:
            raise ValueError(f"weight_bits must be 8 or 16, not {self.weight_bits!r}")
        rows = {len(row) for row in self.weights}
        if not self.weights or rows == {0} or len(rows) != 1:
            raise ValueError(f"weights must be a non-empty rectangle, not rows of lengths {sorted(rows)}")
        if len(self.bias) != len(self.weights):
            raise ValueError(
                f"bias must have one entry per output ({len(self.weights)}), not {len(self.bias)}"
            )
        limit = 1 << (self.weight_bits - 1)
        for row in self.weights:
            for w in row:
                if not _is_int(w) or not -limit <= w < limit:
                    raise ValueError(f"weights must be {self.weight_bits}-bit signed integers, not {w!r}")
        for b in self.bias:
            if not _is_int(b):
                raise ValueError(f"bias entries must be integers, not {b!r}")
        if not _is_int(self.multiplier) or not 0 < self.multiplier < 1 << MULTIPLIER_BITS:
            raise ValueError(f"multiplier must be in 1..2**{MULTIPLIER_BITS}-1, not {self.multiplier!r}")
        if not _is_int(self.shift) or not 0 <= self.shift <= MAX_SHIFT:
            raise ValueError(f"shift must be in 0..{MAX_SHIFT}, not {self.shift!r}")
        if self.accumulator_bits() > INT64_BITS:
            raise ValueError(
                f"the exact accumulator needs {self.accumulator_bits()} signed bits; "
                f"at most {INT64_BITS} are supported"
            )

    @property
    def inputs(self) -> int:
        return len(self.weights[0])

    @property
    def outputs(self) -> int:
        return len(self.weights)

    def accumulator_bits(self) -> int:
        """Signed width that holds ``W x + b`` for every input: no overflow is possible.

        Every partial sum of ``W x + b`` is bounded by the same ``sum |w| * 2**(in_bits-1)
        + |b|``, so an int64 accumulation in any order is exact when this is at most 64.
        """
        bound = max(
            sum(abs(w) for w in row) * (1 << (self.in_bits - 1)) + abs(b)
            for row, b in zip(self.weights, self.bias, strict=True)
        )
        return bound.bit_length() + 1


def check_chain(specs: Sequence[DenseSpec]) -> None:
    """Check that each tile's outputs feed the next tile's inputs without loss.

    Raises
    ------
    ValueError
        If ``specs`` is empty, or a tile's output count differs from the next tile's input
        count, or its output codes do not fit the next tile's ``in_bits``.
    """
    if not specs:
        raise ValueError("a chain needs at least one dense tile")
    for index in range(len(specs) - 1):
        before, after = specs[index], specs[index + 1]
        if before.outputs != after.inputs:
            raise ValueError(
                f"tile {index} has {before.outputs} outputs but tile {index + 1} has {after.inputs} inputs"
            )
        out_bits = before.activation.out_fmt.bits
        if out_bits > after.in_bits:
            raise ValueError(
                f"tile {index} outputs {out_bits}-bit codes, "
                f"but tile {index + 1} takes in_bits={after.in_bits}"
            )
