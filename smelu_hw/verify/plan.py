"""How each input region of a design is covered: simulated exhaustively, proved, or sampled.

* Up to :data:`EXHAUSTIVE_CODES` codes (2^24 on the native Verilator path, 2^20 on a cocotb
  simulator): every code is simulated.
* Beyond, where the spec knows its linear pieces (SmeLU, generalized SmeLU): every code of the
  nonlinear band between the knots, widened by :data:`KNOT_MARGIN` codes on each side, is
  simulated, and the tails outside it are proved (:mod:`smelu_hw.verify.formal`). A band too
  wide to simulate is sampled, and the certificate says so.
* Otherwise: the knots' and extremes' neighbourhoods and :data:`RANDOM_SAMPLES` random codes
  are sampled.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..params import ActivationSpec
from ..pieces import LinearPiece

__all__ = [
    "EXHAUSTIVE_CODES",
    "KNOT_MARGIN",
    "RANDOM_SAMPLES",
    "Region",
    "plan_regions",
    "sample_codes",
]

#: Largest number of codes simulated one by one: on the native path, and on cocotb simulators.
EXHAUSTIVE_CODES = {"native": 1 << 24, "cocotb": 1 << 20}
#: Codes on each side of a knot that are always simulated, whatever is proved.
KNOT_MARGIN = 256
#: Random codes of a sampled region.
RANDOM_SAMPLES = 1 << 16


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


def sample_codes(spec: ActivationSpec, low: int, high: int, seed: int = 1) -> np.ndarray:
    """Codes in ``low ..= high``: each knot and extreme with :data:`KNOT_MARGIN` neighbours on
    either side, and :data:`RANDOM_SAMPLES` random codes, sorted and unique."""
    centres = [*spec.knots(), low, high, 0]
    parts = [np.arange(centre - KNOT_MARGIN, centre + KNOT_MARGIN + 1) for centre in centres]
    parts.append(np.random.default_rng(seed).integers(low, high + 1, size=RANDOM_SAMPLES))
    codes = np.unique(np.concatenate(parts))
    return codes[(codes >= low) & (codes <= high)]


def _region(spec: ActivationSpec, name: str, low: int, high: int, limit: int) -> Region:
    if high - low + 1 <= limit:
        return Region(name, low, high, "exhaustive", np.arange(low, high + 1, dtype=np.int64))
    return Region(name, low, high, "sampled", sample_codes(spec, low, high))


def plan_regions(spec: ActivationSpec, native: bool, *, can_prove: bool = True) -> list[Region]:
    """The regions that together cover every input code of ``spec``, in increasing order.

    ``native`` says whether sweeps run on the native Verilator driver; ``can_prove`` whether
    linear tails may be proved (else they are sampled).
    """
    fmt = spec.fmt
    limit = EXHAUSTIVE_CODES["native" if native else "cocotb"]
    total = fmt.max_code - fmt.min_code + 1
    pieces = spec.linear_pieces()
    if total <= limit or not pieces:
        return [_region(spec, "all codes", fmt.min_code, fmt.max_code, limit)]
    left, right = pieces[0], pieces[-1]
    low = max(fmt.min_code, left.high - KNOT_MARGIN)
    high = min(fmt.max_code, right.low + KNOT_MARGIN)
    regions = []
    if low > fmt.min_code:
        regions.append(_tail(spec, left, fmt.min_code, low - 1, can_prove))
    regions.append(_region(spec, "nonlinear band and knots", low, high, limit))
    if high < fmt.max_code:
        regions.append(_tail(spec, right, high + 1, fmt.max_code, can_prove))
    return regions


def _tail(spec: ActivationSpec, piece: LinearPiece, low: int, high: int, can_prove: bool) -> Region:
    if can_prove:
        return Region(piece.name, low, high, "proved", piece=piece)
    return Region(piece.name, low, high, "sampled", sample_codes(spec, low, high))
