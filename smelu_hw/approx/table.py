"""The activation tables people ship today, reproduced bit for bit (hls4ml style).

hls4ml's ``init_*_table`` fills ``N_TABLE = 1024`` entries with ``f`` at the left edge of each
of 1024 bins over [-8, 8): ``in_val = 16 (i - 512) / 1024``. At run time the index is the
input scaled and *truncated*: ``index = floor(x * 1024 / 16) + 512``, clamped to
``[0, 1023]``, so inputs beyond the table edge get the edge entry. Entries have the default
``table_t`` of ``ap_fixed<18, 8>`` (10 fractional bits) and, like every ``ap_fixed``
conversion without a quantization mode, are truncated toward minus infinity, as is the cast of
the entry to the output type.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["ENTRIES", "INDEX_BITS", "ENTRY_BITS", "ENTRY_FRAC", "TABLE_LOW", "TablePlan", "table_plan"]

ENTRIES = 1024
#: Bits of a table index: ``log2(ENTRIES)``.
INDEX_BITS = 10
ENTRY_BITS = 18
ENTRY_FRAC = 10
#: The table covers [TABLE_LOW, -TABLE_LOW); each bin is 2**-BIN_FRAC wide.
TABLE_LOW = -8
BIN_FRAC = 6  # 1024 bins over a width of 16 = 2**4: 2**(10 - 4)


@dataclass(frozen=True)
class TablePlan:
    """Table entries (units of ``2**-ENTRY_FRAC``) and how input codes index them."""

    entries: tuple[int, ...]
    in_frac: int

    def index(self, x: np.ndarray) -> np.ndarray:
        """``clamp(floor((x - TABLE_LOW) * 2**BIN_FRAC), 0, ENTRIES - 1)`` for input codes ``x``."""
        shifted = x - (TABLE_LOW << self.in_frac)
        scaled = (
            shifted >> (self.in_frac - BIN_FRAC)
            if self.in_frac >= BIN_FRAC
            else shifted << (BIN_FRAC - self.in_frac)
        )
        return np.clip(scaled, 0, ENTRIES - 1)

    def lookup(self, x: np.ndarray, out_frac: int) -> np.ndarray:
        """The entry for each input code, truncated to ``out_frac`` fractional bits (not saturated)."""
        entry = np.array(self.entries, dtype=np.int64)[self.index(x)]
        if out_frac >= ENTRY_FRAC:
            return entry << (out_frac - ENTRY_FRAC)
        return entry >> (ENTRY_FRAC - out_frac)


def table_plan(values_at_bins: np.ndarray, in_frac: int) -> TablePlan:
    """Quantize ``f`` at the bins' left edges to ``ap_fixed<18, 8>`` by truncation."""
    codes = np.floor(np.ldexp(values_at_bins, ENTRY_FRAC)).astype(np.int64)
    low, high = -(1 << (ENTRY_BITS - 1)), (1 << (ENTRY_BITS - 1)) - 1
    return TablePlan(tuple(np.clip(codes, low, high).tolist()), in_frac)


def bin_edges() -> np.ndarray:
    """The input value at the left edge of every bin."""
    return TABLE_LOW + np.arange(ENTRIES) / (1 << BIN_FRAC)
