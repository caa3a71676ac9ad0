"""The user-facing examples in ``sim/`` run as a user runs them: cocotb's Makefile flow on a
generated unit, and the pytest example over every unit in ``rtl/``."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from smelu_hw import QFormat, SmeLUSpec
from smelu_hw.gen import generate

ROOT = Path(__file__).resolve().parent.parent


def _environment() -> dict[str, str]:
    bin_dir = str(Path(sys.executable).parent)  # cocotb-config and python of this environment
    return dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}")


def _make(tmp_path: Path, manifest: Path) -> subprocess.CompletedProcess:
    # A copy of the example, so parallel runs and the checkout stay clean.
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "Makefile").write_text((ROOT / "sim" / "Makefile").read_text())
    command = ["make", "-C", str(tmp_path), f"MANIFEST={manifest}", f"PYTHON={sys.executable}"]
    return subprocess.run(command, env=_environment(), capture_output=True, text=True, check=False)


def _edited_copy(tmp_path: Path) -> tuple[Path, Path]:
    """A correct unit in ``good/`` and a copy in ``edited/`` with the same module name and a
    wrong gate, edited an hour before the correct unit was written, so the copy's files are
    older than any build of the correct one. Return both manifests."""
    verilog, manifest = generate(SmeLUSpec(beta=1.5, fmt=QFormat(8, 4)), latency=1).write(tmp_path / "good")
    copy = tmp_path / "edited"
    shutil.copytree(verilog.parent, copy)
    text, count = re.subn(r"(assign dy = right \? \d+'h)10", r"\g<1>0f", (copy / verilog.name).read_text())
    assert count == 1
    (copy / verilog.name).write_text(text)
    past = verilog.stat().st_mtime - 3600
    os.utime(copy / verilog.name, (past, past))
    os.utime(copy / manifest.name, (past, past))
    return manifest, copy / manifest.name


def test_cocotb_makefile_flow_passes_a_unit_and_rebuilds_an_edited_copy_of_it(tmp_path):
    """The Makefile flow passes a pipelined unit (its sweep and contract tests), and fails an
    older, edited copy with the same module name: issue 21's false pass, where a build folder
    keyed by the module name alone made make reuse the correct unit's build. (The copy's wrong
    gate is also the Makefile flow's wrong-gate test.)"""
    manifest, edited_manifest = _edited_copy(tmp_path)
    good = _make(tmp_path / "flow", manifest)
    assert good.returncode == 0, good.stdout[-2000:] + good.stderr[-2000:]
    assert re.search(r"TESTS=2 PASS=2 FAIL=0", good.stdout), good.stdout[-1500:]
    edited = _make(tmp_path / "flow", edited_manifest)
    assert edited.returncode != 0 and re.search(r"TESTS=2 PASS=[01] FAIL=[12]", edited.stdout), edited.stdout[
        -1500:
    ]


def _run_example(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    """``pytest sim/test_my_units.py`` as a user runs it, with ``env`` added (``SMELU_UNITS``).
    The machine's shared build folders, as for a user: builds of the same files by other tests
    are reused, not repeated."""
    command = [sys.executable, "-m", "pytest", str(ROOT / "sim" / "test_my_units.py"), "-q"]
    command += ["-p", "no:cacheprovider", f"--basetemp={tmp_path / 'run'}"]
    return subprocess.run(
        command, cwd=tmp_path, env=dict(_environment(), **env), capture_output=True, text=True, check=False
    )


def test_pytest_example_verifies_every_unit_in_rtl(tmp_path):
    result = _run_example(tmp_path)
    units = len(list((ROOT / "rtl").glob("*.json")))
    assert result.returncode == 0, result.stdout[-3000:]
    assert f"{units} passed" in result.stdout
    certificates = {
        path.name.removesuffix(".cert.json"): json.loads(path.read_text())
        for path in (tmp_path / "run").rglob("*.cert.json")
    }
    assert len(certificates) == units
    # The 24-bit unit: all 16.7M codes simulated on the native driver, y and dy bit for bit.
    (region,) = certificates["smelu_q24f12_beta4096_rne"]["regions"]
    assert (region["method"], region["checked"], region["codes"]) == ("exhaustive", 1 << 24, 1 << 24)
    assert "verilator" in certificates["smelu_q24f12_beta4096_rne"]["tools"]
    # The 32-bit unit: the band simulated, both tails proved.
    methods = [region["method"] for region in certificates["smelu_q32f16_beta65536_rne"]["regions"]]
    assert methods == ["proved", "exhaustive", "proved"]


def test_the_readme_shows_the_pytest_example_as_it_is(tmp_path):
    """The README's block is ``sim/test_my_units.py`` with the folder written in: the same
    imports, decorator and test, so a copy of either works."""
    readme = (ROOT / "README.md").read_text()
    block = readme.split("```python\nimport pytest\nfrom smelu_hw.verify import can_be_complete")[1]
    block = "from smelu_hw.verify import can_be_complete" + block.split("```")[0]
    example = (
        (ROOT / "sim" / "test_my_units.py")
        .read_text()
        .replace("find_manifests(UNITS)", 'find_manifests("build")')
    )
    for line in block.strip().splitlines():
        assert line in example.splitlines(), line


def test_pytest_example_passes_on_a_unit_an_engine_and_an_axi_unit(tmp_path):
    """The README's kinds of unit: a unit, an engine and an AXI4-Stream engine all pass."""
    spec = SmeLUSpec(beta=1.5, fmt=QFormat(8, 4))
    for options in ({}, {"lanes": 2}, {"lanes": 2, "interface": "axis"}):
        generate(spec, latency=1, **options).write(tmp_path / "units")
    result = _run_example(tmp_path, SMELU_UNITS=str(tmp_path / "units"))
    assert result.returncode == 0 and "3 passed" in result.stdout, result.stdout[-3000:]


def test_pytest_example_fails_on_an_edited_copy_of_a_verified_unit(tmp_path):
    """The fixture's route: the copy reuses the verified unit's module name, and its builds
    are found by content, so it is simulated afresh and fails."""
    manifest, edited_manifest = _edited_copy(tmp_path)
    for run in ("a", "b"):
        (tmp_path / run).mkdir()
    good = _run_example(tmp_path / "a", SMELU_UNITS=str(manifest.parent))
    assert good.returncode == 0 and "1 passed" in good.stdout, good.stdout[-3000:]
    edited = _run_example(tmp_path / "b", SMELU_UNITS=str(edited_manifest.parent))
    assert edited.returncode != 0 and "1 failed" in edited.stdout and "MISMATCH" in edited.stdout
