"""Hung units end their verification (issue target: a combinational loop exits 1 in <= 60 s).

Generates R16, rewrites its output into a combinational loop (``assign y = ~y``, which a
four-state simulator resolves to x), adds an inverter that feeds itself from a known value
(time never advances), and makes a
latency-2 R16 whose ``out_valid`` is stuck at 0, and runs ``python -m smelu_hw.verify`` on
each on Icarus and on Verilator, printing the exit status, the wall time and the verifier's last line.
Run: ``python benchmarks/hang_limits.py``.
"""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from smelu_hw import QFormat, SmeLUSpec
from smelu_hw.gen import generate

R16 = SmeLUSpec(beta=2.0, fmt=QFormat(16, 8))
SIMULATORS = ("icarus", "verilator")
CASES = {
    "combinational loop": (0, r"assign y = [^;]+;", "assign y = ~y;"),
    "oscillating loop": (
        0,
        r"\nendmodule\n$",
        "\n  reg ring = 1'h0;\n  always @(x, ring) ring <= ~ring;\nendmodule\n",
    ),
    "out_valid stuck at 0": (2, r"out_valid <= [^;]+;", "out_valid <= 1'h0;"),
}


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        for (label, case), simulator in itertools.product(CASES.items(), SIMULATORS):
            latency, pattern, replacement = case
            unit_dir = Path(folder) / f"{label.replace(' ', '_')}_{simulator}"
            verilog, manifest = generate(R16, latency=latency).write(unit_dir)
            text, count = re.subn(pattern, replacement, verilog.read_text())
            if count != 1:
                raise SystemExit(f"{label}: the pattern matched {count} times")
            verilog.write_text(text)
            began = time.monotonic()
            run = subprocess.run(
                [sys.executable, "-m", "smelu_hw.verify", str(manifest), "--jobs", "2", "--sim", simulator],
                capture_output=True,
                text=True,
                check=False,
            )
            last = (run.stderr.strip() or run.stdout.strip()).splitlines()[-1]
            seconds = time.monotonic() - began
            print(f"{label:<22} {simulator:<9} exit {run.returncode} in {seconds:5.1f} s: {last[:150]}")


if __name__ == "__main__":
    main()
