"""How each input region of a design is covered: simulated exhaustively, proved, or sampled.

* Up to :data:`EXHAUSTIVE_CODES` codes (2^24 on the native Verilator path, 2^18 on a cocotb
  simulator): every code is simulated.
* Beyond, where the spec knows its linear pieces (SmeLU, generalized SmeLU): every code of the
  nonlinear band between the knots, widened by :data:`KNOT_MARGIN` codes on each side, is
  simulated, and the tails outside it are proved (:mod:`smelu_hw.verify.formal`). A band too
  wide to simulate is sampled, and the certificate says so.
* Otherwise: the knots' and extremes' neighbourhoods and :data:`RANDOM_SAMPLES` random codes
  are sampled (more on the native path, where they are cheap).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..specs import ActivationSpec
from ..specs.pieces import LinearPiece, codes_near_knots

__all__ = [
    "EXHAUSTIVE_CODES",
    "KNOT_MARGIN",
    "RANDOM_SAMPLES",
    "Region",
    "plan_regions",
    "SAMPLE_MARGIN",
]

#: Largest number of codes simulated one by one: on the native path, and on cocotb simulators.
EXHAUSTIVE_CODES = {"native": 1 << 24, "cocotb": 1 << 18}
#: Codes on each side of a knot that are always simulated, whatever is proved.
KNOT_MARGIN = 256
#: Random codes of a sampled region, on the native path and on cocotb simulators.
RANDOM_SAMPLES = {"native": 1 << 16, "cocotb": 1 << 11}
#: Neighbours of each knot and end that a sampled region includes.
SAMPLE_MARGIN = 64


@dataclass(frozen=True)
class Region:
    """Input codes ``low ..= high`` and how they are covered.

    ``method`` is ``"exhaustive"`` (``codes`` is every code of the region), ``"sampled"``
    (``codes`` is a subset) or ``"proved"`` (``piece`` gives the expected values).
    """

    name: str
    low: int
    high: int
    method: str
    codes: np.ndarray | None = None
    piece: LinearPiece | None = None

    @property
    def size(self) -> int:
        return self.high - self.low + 1


def _region(spec: ActivationSpec, name: str, low: int, high: int, path: str) -> Region:
    if high - low + 1 <= EXHAUSTIVE_CODES[path]:
        return Region(name, low, high, "exhaustive", np.arange(low, high + 1, dtype=np.int64))
    return Region(
        name,
        low,
        high,
        "sampled",
        codes_near_knots(spec.knots(), low, high, margin=SAMPLE_MARGIN, count=RANDOM_SAMPLES[path]),
    )


def plan_regions(spec: ActivationSpec, native: bool, *, can_prove: bool = True) -> list[Region]:
    """The regions that together cover every input code of ``spec``, in increasing order.

    ``native`` says whether sweeps run on the native Verilator driver; ``can_prove`` whether
    linear tails may be proved (else they are sampled).
    """
    fmt = spec.fmt
    path = "native" if native else "cocotb"
    total = fmt.max_code - fmt.min_code + 1
    pieces = spec.linear_pieces()
    if total <= EXHAUSTIVE_CODES[path] or not pieces:
        return [_region(spec, "all codes", fmt.min_code, fmt.max_code, path)]
    left, right = pieces[0], pieces[-1]
    low = max(fmt.min_code, left.high - KNOT_MARGIN)
    high = min(fmt.max_code, right.low + KNOT_MARGIN)
    regions = []
    if low > fmt.min_code:
        regions.append(_tail(spec, left, fmt.min_code, low - 1, can_prove, path))
    regions.append(_region(spec, "nonlinear band and knots", low, high, path))
    if high < fmt.max_code:
        regions.append(_tail(spec, right, high + 1, fmt.max_code, can_prove, path))
    return regions


def _tail(
    spec: ActivationSpec, piece: LinearPiece, low: int, high: int, can_prove: bool, path: str
) -> Region:
    if can_prove:
        return Region(piece.name, low, high, "proved", piece=piece)
    return Region(
        piece.name,
        low,
        high,
        "sampled",
        codes_near_knots(spec.knots(), low, high, margin=SAMPLE_MARGIN, count=RANDOM_SAMPLES[path]),
    )
