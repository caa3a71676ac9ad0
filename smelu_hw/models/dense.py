"""Golden model of a dense-layer tile: ``y = act(requantize(W x + b))`` and its backward.

All integer: input codes ``x`` (signed, ``in_bits``), weight codes ``W`` (int8 or int16) and
bias codes ``b`` in accumulator units give ``acc = W x + b`` exactly (int64 never overflows at
these sizes, see :meth:`DenseSpec.accumulator_bits`). Requantization is one rounding:
``z = round(acc * multiplier / 2**shift)`` with the activation's rounding mode, saturated to
the activation's input format. Then ``y = act.forward(z)``, and the backward path gives
``dz = act.fused_backward(z, dy)`` for an upstream gradient ``dy`` in the output format.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..fixed import exact_array, round_div
from ..params import ActivationSpec
from ..registry import ACTIVATIONS

__all__ = ["DenseSpec", "DenseLayer"]


@dataclass(frozen=True)
class DenseSpec:
    """A dense layer's constants: weights ``[outputs][inputs]``, bias, requantization, activation."""

    weights: tuple[tuple[int, ...], ...]
    bias: tuple[int, ...]
    in_bits: int
    weight_bits: int
    multiplier: int
    shift: int
    activation: ActivationSpec

    def __post_init__(self) -> None:
        if self.weight_bits not in (8, 16):
            raise ValueError(f"weight_bits must be 8 or 16, not {self.weight_bits!r}")
        limit = 1 << (self.weight_bits - 1)
        if any(not -limit <= w < limit for row in self.weights for w in row):
            raise ValueError(f"weights must be {self.weight_bits}-bit signed codes")
        if len(self.bias) != len(self.weights) or len({len(row) for row in self.weights}) != 1:
            raise ValueError("weights must be a rectangle with one bias per output")
        if not 0 < self.multiplier < 1 << 31 or not 0 <= self.shift <= 62:
            raise ValueError("multiplier must be in 1..2**31-1 and shift in 0..62")

    @property
    def inputs(self) -> int:
        return len(self.weights[0])

    @property
    def outputs(self) -> int:
        return len(self.weights)

    def accumulator_bits(self) -> int:
        """Signed width that holds ``W x + b`` for every input: no overflow is possible."""
        bound = max(
            sum(abs(w) for w in row) * (1 << (self.in_bits - 1)) + abs(b)
            for row, b in zip(self.weights, self.bias, strict=True)
        )
        return bound.bit_length() + 1


class DenseLayer:
    """Bit-exact dense layer with an activation epilogue (see the module docstring)."""

    def __init__(self, spec: DenseSpec) -> None:
        self.spec = spec
        self.activation = ACTIVATIONS[spec.activation.activation].model.from_spec(spec.activation)
        self._w = np.array(spec.weights, dtype=np.int64)
        self._b = np.array(spec.bias, dtype=np.int64)

    def preactivation(self, x: npt.ArrayLike) -> np.ndarray:
        """``z`` codes for input codes ``x`` of shape ``(batch, inputs)``."""
        x = np.asarray(x, dtype=np.int64)
        low, high = -(1 << (self.spec.in_bits - 1)), (1 << (self.spec.in_bits - 1)) - 1
        if x.size and (x.min() < low or x.max() > high):
            raise ValueError(f"x codes must fit {self.spec.in_bits} signed bits")
        acc = x @ self._w.T + self._b  # exact: accumulator_bits() < 62 for any realistic tile
        product = exact_array(acc, self.spec.accumulator_bits() + 32) * self.spec.multiplier
        scaled = round_div(product, 1 << self.spec.shift, self.spec.activation.rounding)
        return self.spec.activation.fmt.saturate(scaled)

    def forward(self, x: npt.ArrayLike) -> np.ndarray:
        return self.activation.forward(self.preactivation(x))

    def backward(self, x: npt.ArrayLike, dy: npt.ArrayLike) -> np.ndarray:
        """``dz = dy * f'(z)``, rounded once (:meth:`Activation.fused_backward`)."""
        return self.activation.fused_backward(self.preactivation(x), dy)
