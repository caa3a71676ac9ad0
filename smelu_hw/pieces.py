"""Exact affine pieces of a function, in code units: the spec layer's description of where an
activation is linear, used to prove hardware on inputs too many to simulate.

A :class:`LinearPiece` says that on the input codes ``low ..= high`` the unit's output code is
``saturate(round((scale * X + offset) / 2**shift))`` and likewise for the gradient code. Specs
derive their pieces from their quantized codes (:meth:`~smelu_hw.specs.ActivationSpec.linear_pieces`).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Affine", "LinearPiece"]


@dataclass(frozen=True)
class Affine:
    """The exact rational ``(scale * X + offset) / 2**shift`` of an input code ``X``.

    ``shift`` may be negative (a multiplication by ``2**-shift``). The value is in units of the
    output (or gradient) code, before the one rounding and the saturation.
    """

    scale: int
    offset: int
    shift: int

    def numerator_bound(self, low: int, high: int) -> int:
        """The largest ``|scale * X + offset|`` for ``X`` in ``low ..= high``."""
        return max(abs(self.scale * low + self.offset), abs(self.scale * high + self.offset))


@dataclass(frozen=True)
class LinearPiece:
    """Input codes ``low ..= high`` on which output and gradient are affine in ``X``."""

    name: str
    low: int
    high: int
    y: Affine
    dy: Affine
