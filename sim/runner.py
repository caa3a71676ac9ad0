"""Build a generated unit and run the cocotb benches on it, one folder per configuration."""

from __future__ import annotations

import os
from pathlib import Path

from cocotb_tools.runner import get_runner

from smelu_hw.gen import generate
from smelu_hw.params import ActivationSpec

SIMULATOR = os.environ.get("SMELU_SIM", "icarus")


def run_bench(
    work_dir: Path,
    spec: ActivationSpec,
    *,
    latency: int = 0,
    with_grad: bool = True,
    seed: int = 1,
    replacement: tuple[str, str] | None = None,
) -> None:
    """Generate the unit into ``work_dir``, compile it, and run the matching bench.

    Combinational units run the vector check; pipelined units the streaming check. The
    runner raises if any cocotb test fails. ``replacement`` is ``(module name, Verilog)`` of
    another design with the same ports and function, checked in place of the generated one
    (e.g. a benchmark's comparison design).
    """
    unit = generate(spec, latency=latency, with_grad=with_grad, name=replacement and replacement[0])
    if replacement is not None:
        unit.verilog = replacement[1]
    verilog, manifest = unit.write(work_dir)
    runner = get_runner(SIMULATOR)
    runner.build(
        sources=[verilog],
        hdl_toplevel=unit.name,
        build_dir=work_dir / "build",
        timescale=("1ns", "1ps"),
    )
    runner.test(
        hdl_toplevel=unit.name,
        test_module="sim.activation_bench",
        testcase="pipeline_matches_model" if latency else "combinational_matches_model",
        build_dir=work_dir / "build",
        test_dir=work_dir,
        extra_env={"SMELU_MANIFEST": str(manifest.resolve()), "SMELU_SEED": str(seed)},
    )
