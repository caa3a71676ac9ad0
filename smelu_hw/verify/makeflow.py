"""Helpers for cocotb's Makefile flow (``sim/Makefile``), run as ``python -m smelu_hw.verify.makeflow``.

``describe MANIFEST`` checks the design as the verifier does (:func:`~.design.load_design`) and
prints its module name, latency and content key on one line. The Makefile names its build
folder after that key, so an edited unit (a copy with the same module name, say) never reuses
another unit's build: make alone compares file times, which a copy can carry from the past.

``check RESULTS.xml TEST...`` exits 1 unless exactly these tests ran and passed, because
cocotb's own result check accepts a run of zero tests.

``build-args SIM`` and ``plusargs SIM`` print the simulator options the verifier's own cocotb
runs use (:func:`~.simulators.cocotb_build_args`, :func:`~.simulators.cocotb_plusargs`): on
Verilator, its warnings waived for Amaranth's output and every undefined bit random (seeded),
so the Makefile flow sees an output that depends on an ``x`` as the verifier does.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from .cocotb_run import BenchError, require_tests
from .design import DesignError, load_design
from .simulators import cocotb_build_args, cocotb_plusargs

__all__ = ["check", "describe", "main"]


def describe(manifest: Path) -> str:
    """``MODULE LATENCY KEY`` of the design ``manifest`` describes.

    Raises
    ------
    DesignError
        If the manifest or the Verilog beside it is missing, corrupt or inconsistent.
    """
    design = load_design(manifest)
    return f"{design.name} {design.latency} {design.key()}"


def check(results: Path, tests: Sequence[str]) -> list[str]:
    """The problems with a cocotb results file: none if exactly ``tests`` ran and passed."""
    try:
        failed = require_tests(results, tests)
    except BenchError as error:
        return [str(error)]
    return [f"cocotb test {name} failed" for name in failed]


_OPTIONS = {"build-args": cocotb_build_args, "plusargs": cocotb_plusargs}


def main(argv: Sequence[str]) -> int:
    """The command line: ``describe MANIFEST`` or ``check RESULTS.xml TEST...``."""
    if len(argv) == 2 and argv[0] == "describe":
        try:
            print(describe(Path(argv[1])))
        except DesignError as error:
            print(f"smelu_hw.verify: {error}", file=sys.stderr)
            return 2
        return 0
    if len(argv) == 2 and argv[0] in _OPTIONS:
        print(" ".join(_OPTIONS[argv[0]](argv[1])))
        return 0
    if len(argv) >= 3 and argv[0] == "check":
        problems = check(Path(argv[1]), argv[2:])
        for problem in problems:
            print(f"smelu_hw.verify: {problem}", file=sys.stderr)
        return 1 if problems else 0
    usage = (
        "usage: python -m smelu_hw.verify.makeflow describe MANIFEST | check RESULTS.xml TEST... "
        "| build-args SIM | plusargs SIM"
    )
    print(usage, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
