"""Engines that stop their stream fail with a named mismatch in the certificate, never "the checks
did not run as planned": a stall (a ``ready`` stuck low, a ``valid`` that never rises) is
``stall``, an output with an undefined bit (Icarus is four-state) is ``x``.

The designs are the smallest engines (4-bit codes, 2 lanes), and only the first test runs the
CLI (with the native driver); the others call the checks, with cocotb alone."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

from smelu_hw import QFormat, SmeLUSpec
from smelu_hw.gen import generate
from smelu_hw.verify import load_design, verify_design
from smelu_hw.verify.checks import engine_check
from smelu_hw.verify.mutate import mutants

from .test_cli import run_main
from .test_engine_complete import edit_verilog

SMALL_ENGINE = SmeLUSpec(fmt=QFormat(4, 2))


def _mutant(folder: Path, text: str, **options) -> Path:
    """The engine's manifest beside its mutant (:mod:`smelu_hw.verify.mutate`) whose line or
    description holds ``text``."""
    unit = generate(SMALL_ENGINE, lanes=2, **options)
    verilog, manifest = unit.write(folder)
    lines = unit.verilog.splitlines()
    (mutant,) = [m for m in mutants(unit.verilog, unit.name) if text in f"{lines[m.line - 1]}{m.description}"]
    verilog.write_text(mutant.verilog)
    return manifest


def _named(mismatches, field: str) -> list[str]:
    return [message for _, name, message, _ in mismatches if name == field]


def test_an_axi_engine_that_never_leaves_reset_fails_naming_the_stall(tmp_path, capsys):
    """``~`` dropped from ``axis_rst = ~ aresetn``: after the first cycle out of reset the
    out-of-reset flag falls for good, so ``s_axis_tready`` and ``m_axis_tvalid`` stay low. The
    native driver and every cocotb test say so; the CLI fails with a mismatch."""
    manifest = _mutant(tmp_path, "axis_rst = ~ aresetn", interface="axis")
    status, stdout, stderr = run_main([str(manifest), "--jobs", "1"], capsys)
    assert status == 1 and "MISMATCH" in stdout and "did not run as planned" not in stderr, stderr
    first = r"first \(stall: got no output beat for 1000 cycles \(stalled\) at beat [01] of \d+ on the native"
    assert re.search(first, stdout.splitlines()[0]), stdout
    certificate = json.loads(next(tmp_path.glob("*.cert.json")).read_text())
    stalls = _named(certificate["mismatches"], "stall")
    assert any(s.endswith("on the native driver") for s in stalls), stalls
    for test in ("axis_traffic", "axis_full_throughput", "axis_reset"):
        assert any(s.startswith(f"{test}: no beat moved on s_axis or m_axis for ") for s in stalls), stalls
    assert certificate["verdict"] == "MISMATCH" and not certificate["complete"]
    forward = certificate["regions"][0]  # what came out before the stall, sampled
    assert forward["method"] == "sampled" and forward["checked"] <= 1
    assert forward["note"].endswith(" on the native driver; compared up to the stall"), forward


def test_an_engine_whose_ready_is_stuck_low_names_the_stall_on_cocotb(tmp_path):
    manifest = generate(SMALL_ENGINE, lanes=2, latency=1).write(tmp_path)[1]
    edit_verilog(manifest, r"assign i__ready = [^;]+;", "assign i__ready = 1'h0;")
    result = engine_check(load_design(manifest), "icarus", np.arange(-8, 8), 4)
    stalls = _named(result.mismatches, "stall")
    sweep = "engine_sweep: no beat moved for 1000 cycles (stalled) at output beat 0 of "
    assert any(s.startswith(sweep) and s.endswith(", 0 accepted") for s in stalls), stalls
    assert result.vectors["forward"] == 0


def test_an_engine_whose_valid_never_rises_names_the_stall_on_cocotb(tmp_path):
    """Every beat goes in, none comes out: the cocotb bench writes its summaries with the stall
    (the sweep, the full-throughput run and the reset test each), so it is a mismatch, counted
    once per test (not also as a short throughput run or beats lost after the reset)."""
    manifest = generate(SMALL_ENGINE, lanes=2, latency=1).write(tmp_path)[1]
    edit_verilog(manifest, r"o__valid <= [^;]+;", "o__valid <= 1'h0;")
    result = engine_check(load_design(manifest), "icarus", np.arange(-8, 8), 4)
    assert result.stall is not None and result.stall.startswith("no beat moved for 1000 cycles (stalled)")
    stalls = _named(result.mismatches, "stall")
    assert [s.split(":")[0] for s in stalls] == ["engine_sweep", "engine_full_throughput", "engine_reset"]
    assert result.mismatch_count == 3 and len(result.mismatches) == 3 and result.vectors["forward"] == 0


def test_an_engine_whose_valid_register_is_bypassed_names_the_undefined_payload(tmp_path):
    """``o__valid`` made a wire of its input: it rises with ``i__valid`` in the same cycle, when
    ``o__payload`` still holds the register's value of an undefined input. The sweep names the
    ``x`` (no crash on converting it); its regions are sampled up to it."""
    manifest = _mutant(tmp_path, "register o__valid bypassed", latency=1)
    certificate = verify_design(load_design(manifest), jobs=1, native=False)
    assert not certificate.verified and not certificate.complete
    (undefined,) = _named(certificate.mismatches, "x")
    assert re.fullmatch(r"engine_sweep: o__payload has undefined bits at cycle \d+, output beat 0 of \d+, "
                        r"\d+ accepted", undefined), undefined  # fmt: skip
    forward = certificate.regions[0]
    assert forward["method"] == "sampled" and forward["checked"] == 0
    assert forward["note"] == f"{undefined.split(': ', 1)[1]}; compared up to the undefined value"


def test_an_axi_engine_without_its_reset_names_the_undefined_handshake(tmp_path):
    """The ``if (axis_rst)`` reset removed: the out-of-reset flag's next value is never
    computed (an ``always @*`` whose inputs never change), so after the reset ``s_axis_tready``
    and ``m_axis_tvalid`` are ``x``. Each cocotb test names it before cocotbext-axi would stop
    on it, once per test."""
    manifest = _mutant(tmp_path, "if (axis_rst) begin", interface="axis")
    certificate = verify_design(load_design(manifest), jobs=1, native=False)
    assert not certificate.verified
    undefined = _named(certificate.mismatches, "x")
    assert [s.split(":")[0] for s in undefined] == ["axis_traffic", "axis_full_throughput", "axis_reset"]
    for finding in undefined:
        assert re.fullmatch(r"\w+: s_axis_tready is undefined at cycle \d+, output beat 0", finding), finding
    assert certificate.mismatch_count == 3
