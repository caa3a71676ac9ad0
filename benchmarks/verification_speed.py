"""Verified vectors per second: the naive cocotb loop on Icarus against the fast paths.

* naive: cocotb drives one vector per simulation step through the combinational R16 unit on
  Icarus;
* cocotb lanes: cocotb drives a Verilator-compiled lane array (``--lanes`` copies of the
  unit), a NumPy array of vectors per step;
* native lanes: a small C++ loop drives the same lane array from a file NumPy packed
  (:mod:`sim.native`), with no simulator scheduler per step.

Each checks forward and gradient for every code of R16 against the golden model, and the
native path then verifies 24-bit SmeLU (Q24.12, beta = 1) exhaustively, 16.7M codes. Rates
count everything from the first vector to the final comparison (golden model included);
build times are printed separately. Needs the test extras. Run:
``python benchmarks/verification_speed.py [--lanes 128]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sim.native import verify_native
from sim.runner import run_bench, run_lanes
from smelu_hw import QFormat, SmeLUSpec
from smelu_hw.standard import REFERENCE_R16


def report(label: str, count: int, seconds: float, started: float) -> None:
    print(
        f"{label:<34}: {count / seconds:>12,.0f} vectors/s "
        f"({count:,} vectors in {seconds:.3f} s; {time.perf_counter() - started:.1f} s with build)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lanes", type=int, default=64, help="lanes of the cocotb lane path")
    parser.add_argument("--native-lanes", type=int, default=64, help="lanes of the native path")
    parser.add_argument("--skip-24", action="store_true", help="skip the exhaustive 24-bit run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="smelu-speed-") as folder:
        work = Path(folder)
        started = time.perf_counter()
        report("naive, Icarus, 1 vector/step", *run_bench(work / "naive", REFERENCE_R16), started)
        started = time.perf_counter()
        lanes = run_lanes(work / "lanes", REFERENCE_R16, args.lanes, simulator="verilator")
        report(f"cocotb, Verilator, {args.lanes} lanes", *lanes, started)
        started = time.perf_counter()
        report(
            f"native, Verilator, {args.native_lanes} lanes",
            *verify_native(work / "native16", REFERENCE_R16, args.native_lanes),
            started,
        )
        if not args.skip_24:
            started = time.perf_counter()
            spec = SmeLUSpec(fmt=QFormat(24, 12))
            count, seconds = verify_native(work / "native24", spec, args.native_lanes)
            report("24-bit SmeLU exhaustive, native", count, seconds, started)
            print(f"  -> all {count:,} codes of Q24.12 (y and dy) verified in {seconds:.1f} s")


if __name__ == "__main__":
    main()
