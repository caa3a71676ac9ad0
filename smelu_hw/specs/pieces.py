"""Exact affine pieces of a function, in code units: the spec layer's description of where an
activation is linear, used to prove hardware on inputs too many to simulate.

A :class:`LinearPiece` says that on the input codes ``low ..= high`` the unit's output code is
``saturate(round((scale * X + offset) / 2**shift))`` and likewise for the gradient code. Specs
derive their pieces from their quantized codes (:meth:`~smelu_hw.specs.ActivationSpec.linear_pieces`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["Affine", "LinearPiece", "codes_near_knots"]


def codes_near_knots(
    knots: Sequence[int], low: int, high: int, *, margin: int, count: int, seed: int = 1
) -> np.ndarray:
    """Codes in ``low ..= high`` where the pieces meet, and random ones, sorted and unique.

    Each knot (a spec's :meth:`~smelu_hw.specs.ActivationSpec.knots`), each end and 0, with
    ``margin`` neighbours on either side, and ``count`` codes drawn uniformly from ``seed``.
    The one generator of "codes around the knots" for benches and tests.
    """
    centres = [*knots, low, high, 0]
    parts = [np.arange(centre - margin, centre + margin + 1, dtype=np.int64) for centre in centres]
    parts.append(np.random.default_rng(seed).integers(low, high + 1, size=count))
    codes = np.unique(np.concatenate(parts))
    return codes[(codes >= low) & (codes <= high)]


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
