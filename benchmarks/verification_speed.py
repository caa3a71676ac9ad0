"""Verification speed: the certificate targets end to end, and the vector rates of each path.

Targets (issue 10), each a cold run of ``python -m smelu_hw.verify`` (builds included, a fresh
build folder, 2 jobs):

* R16 (Q16.8, beta = 2) certificate on Icarus: <= 10 s;
* 24-bit SmeLU (Q24.12, beta = 1) exhaustive on the native Verilator path: <= 30 s;
* 32-bit SmeLU (Q32.16, beta = 1, rne, forward + gradient) complete: <= 60 s;
* a complete 16-bit engine (R16, 4 lanes; issue 21): <= 10 min;
* an AXI4-Stream certificate (R16, 4 lanes, ``--interface axis``; issue 21): <= 60 s.

Then vector rates (every rate counts from the first vector to the final comparison, golden
model included): the cocotb sweep on Icarus, the cocotb lane array on Verilator, and the native
driver. Needs the test extras. Run: ``python benchmarks/verification_speed.py [--lanes 64]``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from smelu_hw.gen import generate
from smelu_hw.gen.standard import REFERENCE_R16
from smelu_hw.verify import load_design
from smelu_hw.verify.checks import sweep_shard
from smelu_hw.verify.lanes import lanes_check

TARGETS = [
    ("R16 certificate, Icarus", ["--bits", "16", "--beta", "2"], "icarus", 10.0),
    ("24-bit exhaustive, native Verilator", ["--bits", "24"], "verilator", 30.0),
    ("32-bit complete, Icarus only (cocotb)", ["--bits", "32", "--no-native"], "icarus", 60.0),
    ("32-bit complete, Verilator", ["--bits", "32"], "verilator", 60.0),
    (
        "complete 16-bit engine (R16, 4 lanes), Icarus + native",
        ["--bits", "16", "--beta", "2", "--lanes", "4"],
        "icarus",
        600.0,
    ),
    (
        "AXI4-Stream R16, 4 lanes, Icarus + native",
        ["--bits", "16", "--beta", "2", "--lanes", "4", "--interface", "axis"],
        "icarus",
        60.0,
    ),
]


def certificate_run(flags: list[str], simulator: str, folder: Path) -> tuple[float, dict]:
    """Wall time of a cold ``python -m smelu_hw.verify`` run, and its certificate."""
    env = dict(os.environ, SMELU_VERIFY_WORK=str(folder / "work"))
    began = time.perf_counter()
    command = [sys.executable, "-m", "smelu_hw.verify", *flags, "--sim", simulator, "--jobs", "2"]
    subprocess.run([*command, "--out-dir", str(folder)], env=env, check=True, capture_output=True)
    seconds = time.perf_counter() - began
    (certificate,) = folder.glob("*.cert.json")
    return seconds, json.loads(certificate.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lanes", type=int, default=64, help="lanes of the cocotb lane path")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="smelu-speed-") as root:
        for index, (label, flags, simulator, target) in enumerate(TARGETS):
            seconds, certificate = certificate_run(flags, simulator, Path(root) / f"target{index}")
            coverage = ", ".join(f"{region['name']}: {region['method']}" for region in certificate["regions"])
            verdict = "met" if seconds <= target else "MISSED"
            summary = f"{seconds:6.1f} s (target <= {target:.0f} s, {verdict}); {certificate['verdict']}"
            print(f"{label:<40}: {summary}")
            print(f"{'':<42}{coverage}")
        os.environ["SMELU_VERIFY_WORK"] = str(Path(root) / "rates")
        _, manifest = generate(REFERENCE_R16).write(Path(root) / "r16")
        design = load_design(manifest)
        codes = REFERENCE_R16.fmt.codes()
        for label, simulator in (("cocotb sweep, Icarus", "icarus"), ("native driver, Verilator", "native")):
            sweep_shard(design, simulator, codes[:16])  # build first: rates exclude builds
            result = sweep_shard(design, simulator, codes)
            print(f"{label:<40}: {result.count / result.seconds:>12,.0f} vectors/s (R16, y and dy)")
        count, seconds = lanes_check(Path(root) / "lanes", REFERENCE_R16, args.lanes, simulator="verilator")
        print(f"{f'cocotb lanes, Verilator, {args.lanes} lanes':<40}: {count / seconds:>12,.0f} vectors/s")


if __name__ == "__main__":
    main()
