"""The harness fails closed: a bench that ran no test, wrote no results or compared fewer
vectors than planned is a failure, never a pass."""

from __future__ import annotations

import re
import sys
import time

import numpy as np
import pytest

from smelu_hw import QFormat, SmeLUSpec
from smelu_hw.gen import generate
from smelu_hw.verify import BenchError, load_design, verify_design
from smelu_hw.verify.builds import BATCH, design_build
from smelu_hw.verify.checks import contract_check, sweep_shard
from smelu_hw.verify.cocotb_run import bench_environment, read_summary, run_cocotb
from smelu_hw.verify.plan import Region
from smelu_hw.verify.results import SweepResult
from smelu_hw.verify.run import _region_entry


@pytest.fixture(scope="module")
def design(tmp_path_factory):
    _, manifest = generate(SmeLUSpec(fmt=QFormat(6, 3))).write(tmp_path_factory.mktemp("unit"))
    return load_design(manifest)


def _run(design, tmp_path, tests):
    folder = design_build(design, "icarus")
    np.save(tmp_path / "codes.npy", np.arange(-4, 4))
    return run_cocotb(
        toplevel=design.name,
        test_module="smelu_hw.verify.benches.activation",
        testcases=tests,
        build_dir=folder / "build",
        test_dir=tmp_path / "run",
        simulator="icarus",
        env=bench_environment(manifest=folder / f"{design.name}.json", codes=tmp_path / "codes.npy"),
    )


def test_the_real_bench_runs(design, tmp_path):
    assert _run(design, tmp_path, ["sweep"]) == []
    assert read_summary(tmp_path / "run", "sweep")["count"] == 8


def test_a_renamed_cocotb_test_fails_the_harness(design, tmp_path):
    """cocotb runs zero tests for a name that matches nothing and reports no failure; the
    harness must not. (Renaming ``sweep`` in the bench leaves exactly this situation.)"""
    with pytest.raises(BenchError, match=r"ran \[\] instead of \['sweep_renamed'\]"):
        _run(design, tmp_path, ["sweep_renamed"])


def test_an_extra_or_missing_test_fails_the_harness(design, tmp_path):
    with pytest.raises(BenchError, match="instead of"):
        _run(design, tmp_path, ["sweep", "no_such_test"])


def test_no_requested_test_is_a_failure(design, tmp_path):
    with pytest.raises(BenchError, match="no cocotb test was requested"):
        _run(design, tmp_path, [])


def test_a_missing_summary_is_a_failure(tmp_path):
    with pytest.raises(BenchError, match="wrote no sweep.json"):
        read_summary(tmp_path, "sweep")


def test_a_short_count_is_a_failure():
    region = Region("all codes", 0, 9, "exhaustive", np.arange(10))
    assert (
        _region_entry(region, [SweepResult(count=6, failures=0), SweepResult(count=4, failures=0)])["checked"]
        == 10
    )
    with pytest.raises(BenchError, match="9 codes compared, 10 planned"):
        _region_entry(region, [SweepResult(count=6, failures=0), SweepResult(count=3, failures=0)])


def test_sweeps_compare_every_code_on_every_path(design):
    codes = np.arange(-32, 32)
    for simulator in ("icarus", "native", BATCH):
        result = sweep_shard(design, simulator, codes)
        assert (result.count, result.mismatch_count) == (64, 0), simulator


def test_native_builds_share_verilators_runtime_objects(design, tmp_path):
    """Once one native build has left Verilator's runtime objects and its precompiled
    ``verilated.h`` in the shared folder, the next compiles only its own model and driver, with
    that header (which the compiler accepts: ``-Winvalid-pch`` would say otherwise), and it
    still sweeps right."""
    first = design_build(design, "native")
    assert (first / "obj" / "verilated.o").is_file()
    (shared,) = first.parent.glob(f"verilator-runtime-{first.name.split('-')[1]}")
    assert (shared / "verilated.o").is_file()
    _, manifest = generate(SmeLUSpec(fmt=QFormat(6, 3), rounding="floor")).write(tmp_path / "other")
    other = load_design(manifest)
    second = design_build(other, "native")
    log = (second / "build.log").read_text()
    assert "verilated.cpp" not in log
    assert (shared / "verilated_pch.h.fast.gch").is_file()
    assert f"-include {shared / 'verilated_pch.h.fast'}" in log and "not used because" not in log
    assert sweep_shard(other, "native", np.arange(-32, 32)).mismatch_count == 0


@pytest.fixture(scope="module")
def reset_ignored(tmp_path_factory):
    """A pipelined unit whose last stage ignores ``rst``: it shows a result the reset dropped."""
    verilog, manifest = generate(SmeLUSpec(fmt=QFormat(8, 4)), latency=2).write(
        tmp_path_factory.mktemp("rst")
    )
    pattern = r"(\\\$\d+)  = valid_stage0;\n    if \(rst\) begin\n      \1  = 1'h0;"
    text, count = re.subn(
        pattern, r"\1  = valid_stage0;\n    if (rst) begin\n      \1  = valid_stage0;", verilog.read_text()
    )
    assert count == 1
    verilog.write_text(text)
    return manifest


@pytest.mark.parametrize("jobs", [1, 2], ids=["inline", "worker pool"])
def test_a_reset_that_does_not_clear_out_valid_breaks_the_contract(reset_ignored, jobs):
    certificate = verify_design(load_design(reset_ignored), jobs=jobs)
    assert certificate.mismatch_count > 0
    assert {record[1] for record in certificate.mismatches} == {"out_valid"}
    assert certificate.regions[0]["mismatch_count"] == 0  # every swept code itself is right
    # Counted apart: no wrong code, and contract failures that are this run's wrong edges.
    assert certificate.regions[0]["failing_codes"] == 0
    assert 0 < certificate.contract["failures"] <= certificate.mismatch_count
    assert "0 wrong code(s) and " in certificate.summary()


def test_the_cocotb_bench_and_the_batch_driver_judge_the_contract_alike(reset_ignored):
    # One stimulus and one judge, two drivers: they must find the same results and errors.
    design = load_design(reset_ignored)
    cocotb, batch = (contract_check(design, simulator, seed=3) for simulator in ("icarus", BATCH))
    assert cocotb.mismatch_count > 0
    assert (cocotb.count, cocotb.mismatch_count, cocotb.mismatches) == (
        batch.count,
        batch.mismatch_count,
        batch.mismatches,
    )


def test_the_batch_driver_refuses_undefined_outputs_and_short_runs(tmp_path):
    verilog, manifest = generate(SmeLUSpec(fmt=QFormat(6, 3))).write(tmp_path)
    text, count = re.subn(r"assign y = [^;]+;", "assign y = 6'bx;", verilog.read_text())
    assert count == 1
    verilog.write_text(text)
    broken = load_design(manifest)
    with pytest.raises(BenchError, match="undefined"):
        sweep_shard(broken, BATCH, np.arange(-4, 4))
    with pytest.raises(BenchError, match="takes 1 to"):
        sweep_shard(broken, BATCH, np.arange(0))


@pytest.mark.parametrize("latency", [0, 1])
def test_the_cocotb_sweep_refuses_undefined_outputs(tmp_path, latency):
    """An x output fails the cocotb sweep (it writes no summary), combinational or pipelined:
    it is never read as a number that could match."""
    verilog, manifest = generate(SmeLUSpec(fmt=QFormat(6, 3)), latency=latency).write(tmp_path)
    text, count = re.subn(r"assign y = [^;]+;", "assign y = 6'bx;", verilog.read_text())
    assert count == 1
    verilog.write_text(text)
    with pytest.raises(BenchError, match="wrote no sweep.json"):
        sweep_shard(load_design(manifest), "icarus", np.arange(-4, 4))


def test_a_combinational_loop_fails_the_cocotb_sweep_at_its_time_limit(tmp_path, monkeypatch):
    """A loop that oscillates in zero time (an inverter feeding itself, from a known value)
    never lets time advance: the simulator is killed at the run's limit (here 3 s instead of
    30) and the check fails; it never hangs."""
    from smelu_hw.verify import cocotb_run

    verilog, manifest = generate(SmeLUSpec(fmt=QFormat(6, 3))).write(tmp_path)
    # The input's first change starts the loop; from then on it feeds itself.
    ring = "  reg ring = 1'h0;\n  always @(x, ring) ring <= ~ring;\nendmodule"
    text = verilog.read_text()
    verilog.write_text(text[: text.rindex("endmodule")] + ring + text[text.rindex("endmodule") + 9 :])
    monkeypatch.setattr(cocotb_run, "HANG_BASE_SECONDS", 3)
    began = time.monotonic()
    with pytest.raises(BenchError, match=r"ran over 3 CPU s \(a hung unit\?\)"):
        sweep_shard(load_design(manifest), "icarus", np.arange(-4, 4))
    assert time.monotonic() - began < 30


def test_the_time_limit_counts_cpu_seconds_not_a_loaded_machines_wall_time(tmp_path):
    """A run that computes past its limit is stopped; one that only waits (as a run on a busy
    machine does) is not, up to the wall-clock backstop."""
    from smelu_hw.verify.cocotb_run import run_limited

    late = BenchError("late")
    began = time.monotonic()
    with pytest.raises(BenchError, match="late"):
        run_limited([sys.executable, "-c", "while True: pass"], tmp_path, 1, late)
    assert time.monotonic() - began < 10
    sleeper = [sys.executable, "-c", "import time; time.sleep(2.5); print('done')"]
    waited = run_limited(sleeper, tmp_path, 1, late)
    assert (waited.returncode, waited.stdout) == (0, "done\n")


def test_a_benchs_python_loads_no_plugins_and_rewrites_only_the_benches(monkeypatch):
    from smelu_hw.verify.cocotb_run import bench_python_environment

    monkeypatch.delenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", raising=False)
    monkeypatch.delenv("COCOTB_REWRITE_ASSERTION_FILES", raising=False)
    chosen = bench_python_environment()
    assert chosen["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] == "1"
    assert {"activation.py", "engine.py", "axis.py"} <= set(chosen["COCOTB_REWRITE_ASSERTION_FILES"].split())
    monkeypatch.setenv("COCOTB_REWRITE_ASSERTION_FILES", "*.py")  # a user's own choice is kept
    assert bench_python_environment()["COCOTB_REWRITE_ASSERTION_FILES"] == "*.py"
