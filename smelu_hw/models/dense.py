"""Golden model of a dense-layer tile: ``y = act(requantize(W x + b))`` and its backward.

All integer: input codes ``x`` (signed, ``in_bits``), weight codes ``W`` (int8 or int16) and
bias codes ``b`` in accumulator units give ``acc = W x + b`` exactly: int64 cannot overflow,
because :class:`~smelu_hw.specs.dense.DenseSpec` refuses any tile whose exact bound
(:meth:`~smelu_hw.specs.dense.DenseSpec.accumulator_bits`) needs more than 64 bits.
Requantization is one rounding: ``z = round(acc * multiplier / 2**shift)`` with the
activation's rounding mode, saturated to the activation's input format. Then
``y = act.forward(z)``, and the backward path gives ``dz = act.fused_backward(z, dy)`` for an
upstream gradient ``dy`` in the output format.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ..fixed import exact_array, round_div
from ..specs.dense import DenseSpec
from . import model_for

__all__ = ["DenseLayer"]


class DenseLayer:
    """Bit-exact dense layer with an activation epilogue (see the module docstring)."""

    def __init__(self, spec: DenseSpec) -> None:
        self.spec = spec
        self.activation = model_for(spec.activation)
        self._w = np.array(spec.weights, dtype=np.int64)
        self._b = np.array(spec.bias, dtype=np.int64)

    def preactivation(self, x: npt.ArrayLike) -> np.ndarray:
        """``z`` codes for input codes ``x`` of shape ``(batch, inputs)``."""
        x = np.asarray(x, dtype=np.int64)
        if x.ndim != 2 or x.shape[1] != self.spec.inputs:
            raise ValueError(f"x must have shape (batch, {self.spec.inputs}), not {x.shape}")
        low, high = -(1 << (self.spec.in_bits - 1)), (1 << (self.spec.in_bits - 1)) - 1
        if x.size and (x.min() < low or x.max() > high):
            raise ValueError(
                f"x codes must fit {self.spec.in_bits} signed bits, not {int(x.min())}..{int(x.max())}"
            )
        acc = x @ self._w.T + self._b  # exact: the spec proves accumulator_bits() <= 64
        product = exact_array(acc, self.spec.accumulator_bits() + 32) * self.spec.multiplier
        scaled = round_div(product, 1 << self.spec.shift, self.spec.activation.rounding)
        return self.spec.activation.fmt.saturate(scaled)

    def forward(self, x: npt.ArrayLike) -> np.ndarray:
        return self.activation.forward(self.preactivation(x))

    def backward(self, x: npt.ArrayLike, dy: npt.ArrayLike) -> np.ndarray:
        """``dz = dy * f'(z)``, rounded once (:meth:`Activation.fused_backward`)."""
        return self.activation.fused_backward(self.preactivation(x), dy)
