"""Engines that stall their stream (a ``ready`` stuck low, a ``valid`` that never rises) fail
with a named ``stall`` mismatch in the certificate, never "the checks did not run as planned"."""

from __future__ import annotations

import json
import re

import numpy as np

from smelu_hw import QFormat, SmeLUSpec
from smelu_hw.gen import generate
from smelu_hw.verify import load_design
from smelu_hw.verify.checks import engine_check
from smelu_hw.verify.mutate import mutants

from .test_cli import run_main
from .test_engine_complete import edit_verilog

SMALL_ENGINE = SmeLUSpec(fmt=QFormat(8, 4))


def _stalls(certificate: dict) -> list[str]:
    return [message for _, field, message, _ in certificate["mismatches"] if field == "stall"]


def test_an_axi_engine_that_never_leaves_reset_fails_naming_the_stall(tmp_path, capsys):
    """A mutant of :mod:`smelu_hw.verify.mutate` (``~`` dropped from ``axis_rst = ~ aresetn``:
    after the first cycle out of reset the out-of-reset flag falls for good, so
    ``s_axis_tready`` and ``m_axis_tvalid`` stay low) stalls the native driver and every
    cocotb test; each says so in the certificate."""
    unit = generate(SMALL_ENGINE, lanes=2, interface="axis")
    verilog, manifest = unit.write(tmp_path)
    lines = unit.verilog.splitlines()
    (mutant,) = [m for m in mutants(unit.verilog, unit.name) if "axis_rst = ~ aresetn" in lines[m.line - 1]]
    verilog.write_text(mutant.verilog)
    status, stdout, stderr = run_main([str(manifest), "--jobs", "1"], capsys)
    assert status == 1 and "MISMATCH" in stdout and "did not run as planned" not in stderr, stderr
    first = r"first \(stall: got no output beat for 1000 cycles \(stalled\) at beat [01] of 576 on the native"
    assert re.search(first, stdout.splitlines()[0]), stdout
    certificate = json.loads(next(tmp_path.glob("*.cert.json")).read_text())
    stalls = _stalls(certificate)
    assert any(s.endswith("on the native driver") for s in stalls), stalls
    for test in ("axis_traffic", "axis_full_throughput", "axis_reset"):
        assert any(s.startswith(f"{test}: no beat moved on s_axis or m_axis for ") for s in stalls), stalls
    assert certificate["verdict"] == "MISMATCH" and not certificate["complete"]
    forward = certificate["regions"][0]  # what came out before the stall, sampled
    assert forward["method"] == "sampled" and forward["checked"] <= 1
    assert forward["note"].endswith(" of 576 on the native driver; compared up to the stall")


def test_an_engine_whose_ready_is_stuck_low_fails_naming_the_stall(tmp_path, capsys):
    manifest = generate(SMALL_ENGINE, lanes=2, latency=1).write(tmp_path)[1]
    edit_verilog(manifest, r"assign i__ready = [^;]+;", "assign i__ready = 1'h0;")
    status, stdout, stderr = run_main([str(manifest), "--jobs", "1"], capsys)
    assert status == 1 and "MISMATCH" in stdout and "did not run as planned" not in stderr, stderr
    certificate = json.loads(next(tmp_path.glob("*.cert.json")).read_text())
    stalls = _stalls(certificate)
    assert any(s.endswith("on the native driver") for s in stalls), stalls
    sweep = "engine_sweep: no beat moved for 1000 cycles (stalled) at output beat 0 of "
    assert any(s.startswith(sweep) and s.endswith(", 0 accepted") for s in stalls), stalls
    assert certificate["contract"]["failures"] > 0


def test_an_engine_whose_valid_never_rises_names_the_stall_on_cocotb(tmp_path):
    """Every beat goes in, none comes out: the cocotb bench writes its summaries with the stall
    (the sweep, the full-throughput run and the reset test each), so it is a mismatch."""
    manifest = generate(SMALL_ENGINE, lanes=2, latency=1).write(tmp_path)[1]
    edit_verilog(manifest, r"o__valid <= [^;]+;", "o__valid <= 1'h0;")
    result = engine_check(load_design(manifest), "icarus", np.arange(-8, 8), 4)
    assert result.stall is not None and result.stall.startswith("no beat moved for 1000 cycles (stalled)")
    stalls = [record[2] for record in result.mismatches if record[1] == "stall"]
    assert [s.split(":")[0] for s in stalls] == ["engine_sweep", "engine_full_throughput", "engine_reset"]
    assert result.mismatch_count >= 3 and result.vectors["forward"] == 0
