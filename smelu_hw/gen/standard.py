"""The standard set of generated units checked in under ``rtl/``.

``python -m smelu_hw.gen.standard [DIR]`` (default ``rtl``) regenerates them; a test proves the
checked-in files equal what the current generator produces.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ..fixed import QFormat
from ..specs import SmeLUSpec
from .build import generate
from .files import GeneratedUnit

__all__ = ["REFERENCE_R16", "standard_units", "main"]

#: The reference unit R16: 16 bits, frac 8, beta = 2, rne, forward + gradient, combinational.
REFERENCE_R16 = SmeLUSpec(beta=2.0, fmt=QFormat(16, 8))


def standard_units() -> list[GeneratedUnit]:
    """Default-parameter SmeLU at 8, 12, 16, 24 and 32 bits, R16, and a pipelined 16-bit unit."""
    units = [generate(SmeLUSpec(fmt=QFormat(bits, bits // 2))) for bits in (8, 12, 16, 24, 32)]
    units.append(generate(REFERENCE_R16))
    units.append(generate(REFERENCE_R16, latency=2))
    return units


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    out_dir = Path(arguments[0] if arguments else "rtl")
    for unit in standard_units():
        for path in unit.write(out_dir):
            print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
