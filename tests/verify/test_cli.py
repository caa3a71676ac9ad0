"""``python -m smelu_hw.verify``: exit statuses, one-line errors, nothing written on bad input,
and a wrong gate found and named."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from smelu_hw import QFormat, SmeLUSpec
from smelu_hw.gen import generate
from smelu_hw.verify.__main__ import main

SMALL = SmeLUSpec(beta=1.5, fmt=QFormat(8, 4))


@pytest.fixture
def unit_dir(tmp_path: Path) -> Path:
    """A folder holding a generated 8-bit unit (MODULE.v and MODULE.json)."""
    folder = tmp_path / "unit"
    generate(SMALL).write(folder)
    return folder


def manifest_of(folder: Path) -> Path:
    (manifest,) = folder.glob("*.json")
    return manifest


def snapshot(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())} if folder.exists() else {}


def run_main(argv: list[str], capsys: pytest.CaptureFixture) -> tuple[int, str, str]:
    status = main(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_verifies_a_unit_and_writes_its_certificate(unit_dir, tmp_path, capsys):
    out = tmp_path / "certs"
    status, stdout, stderr = run_main(
        [str(manifest_of(unit_dir)), "--out-dir", str(out), "--jobs", "1"], capsys
    )
    assert (status, stderr) == (0, "")
    name = manifest_of(unit_dir).stem
    assert stdout.splitlines()[0] == f"{name}: VERIFIED (complete)"
    certificate = json.loads((out / f"{name}.cert.json").read_text())
    verilog = (unit_dir / f"{name}.v").read_bytes()
    import hashlib

    assert certificate["sha256"]["verilog"] == hashlib.sha256(verilog).hexdigest()
    assert json.loads(manifest_of(unit_dir).read_text())["verilog_sha256"] == certificate["sha256"]["verilog"]
    assert (
        certificate["complete"] and certificate["mismatch_count"] == 0 and certificate["verilog_as_generated"]
    )
    (region,) = certificate["regions"]
    assert (region["method"], region["checked"], region["codes"]) == ("exhaustive", 256, 256)
    assert str(tmp_path) not in (out / f"{name}.cert.json").read_text()  # no machine paths
    assert (out / f"{name}.cert.md").read_text().startswith(f"# Verification certificate: `{name}`")
    assert sorted(path.name for path in out.iterdir()) == [f"{name}.cert.json", f"{name}.cert.md"]


def _corrupt(folder: Path, pattern: str, replacement: str) -> None:
    (verilog,) = folder.glob("*.v")
    text, count = re.subn(pattern, replacement, verilog.read_text(), count=1)
    assert count == 1, f"the generated Verilog no longer has {pattern!r}"
    verilog.write_text(text)


@pytest.mark.parametrize(
    ("pattern", "replacement"),
    [
        (r"(assign \S+\s*= x\[\d+:0\] )\+", r"\1-"),  # an operator: x + B becomes x - B
        (r"(assign dy = right \? \d+'h)10", r"\g<1>0f"),  # a constant: dy = 1.0 becomes 15/16
    ],
    ids=["operator", "constant"],
)
def test_a_wrong_gate_is_a_mismatch_that_names_the_first_x(unit_dir, capsys, pattern, replacement):
    _corrupt(unit_dir, pattern, replacement)
    status, stdout, _ = run_main([str(manifest_of(unit_dir)), "--jobs", "1"], capsys)
    assert status == 1
    match = re.search(
        r"(\d+) wrong code\(s\) \((\d+) mismatch\(es\) counting each field\), "
        r"first at x=(-?\d+) \((y|dy): got (-?\d+), want (-?\d+)\)",
        stdout,
    )
    assert match, stdout
    wrong_codes, x, got, want = int(match[1]), int(match[3]), int(match[5]), int(match[6])
    model = {"y": SMALL.fmt, "dy": SMALL.grad_fmt}
    assert got != want and model
    from smelu_hw import SmeLU

    golden = SmeLU.from_spec(SMALL)
    assert want == int((golden.forward if match[4] == "y" else golden.grad)([x])[0])
    certificate = json.loads(next(unit_dir.glob("*.cert.json")).read_text())
    assert certificate["verdict"] == "MISMATCH" and certificate["mismatch_count"] == int(match[2])
    (region,) = certificate["regions"]
    assert region["failing_codes"] == wrong_codes <= certificate["mismatch_count"]
    # The first ten distinct failing codes, each with every field that is wrong.
    xs = [record[0] for record in certificate["mismatches"]]
    assert xs == sorted(xs) and xs[0] == x and len(set(xs)) == min(10, wrong_codes)
    # The manifest's hash of the Verilog as generated tells an edited file from a generated one.
    assert certificate["verilog_as_generated"] is False and "edited after generation" in stdout


def test_a_wrong_tail_of_a_32_bit_unit_is_caught_by_the_proof(tmp_path, capsys):
    folder = tmp_path / "w32"
    generate(SmeLUSpec(beta=2**-8, fmt=QFormat(32, 16))).write(folder)  # a band of 512 codes
    _corrupt(folder, r"(assign dy = right \? 17'h)10000", r"\g<1>0ffff")
    status, stdout, _ = run_main([str(manifest_of(folder)), "--jobs", "1"], capsys)
    assert status == 1
    certificate = json.loads(next(folder.glob("*.cert.json")).read_text())
    left, band, right = certificate["regions"]
    assert left["method"] == "proved" and left["mismatch_count"] == 0
    assert right["method"] == "disproved" and right["mismatch_count"] == 1  # the proof's counterexample
    assert right["low"] <= right["counterexample"] <= right["high"]
    assert band["mismatch_count"] == 256 + 1 and "first at x=256 (dy: got 65535, want 65536)" in stdout


def test_waves_trace_the_first_failing_window(unit_dir, tmp_path, capsys):
    _corrupt(unit_dir, r"(assign dy = right \? \d+'h)10", r"\g<1>0f")
    status, _, _ = run_main([str(manifest_of(unit_dir)), "--jobs", "1", "--waves"], capsys)
    assert status == 1
    (trace,) = unit_dir.glob("*.fst")
    assert trace.stat().st_size > 0


def test_require_complete_fails_on_a_sampled_certificate(tmp_path, capsys):
    argv = ["--bits", "8", "--lanes", "2", "--out-dir", str(tmp_path), "--jobs", "1", "--no-native"]
    status, stdout, _ = run_main(argv, capsys)
    assert status == 0 and "incomplete" in stdout  # on cocotb alone, the fused backward is sampled
    status, _, stderr = run_main([*argv, "--require-complete"], capsys)
    assert status == 1 and "incomplete" in stderr


def _bad_manifests(folder: Path) -> dict[str, Path]:
    """One broken copy of the unit per kind of bad input."""
    manifest = manifest_of(folder)
    name, text = manifest.stem, manifest.read_text()
    cases = {}

    def case(label: str, manifest_text: str | None, verilog_text: str | None) -> None:
        target = folder.parent / label
        target.mkdir()
        if manifest_text is not None:
            (target / f"{name}.json").write_text(manifest_text)
        if verilog_text is not None:
            (target / f"{name}.v").write_text(verilog_text)
        cases[label] = target / f"{name}.json"

    verilog = (folder / f"{name}.v").read_text()
    data = json.loads(text)
    case("missing_manifest", None, verilog)
    case("not_json", "{not json", verilog)
    case("no_ports", json.dumps({key: value for key, value in data.items() if key != "ports"}), verilog)
    case("unknown_activation", json.dumps(data | {"activation": "tanh"}), verilog)
    case("bad_format", json.dumps(data | {"input": {"bits": 99, "frac": 0, "signed": True}}), verilog)
    case("module_path", json.dumps(data | {"module": "../unit/" + name}), verilog)
    case("grad_dropped", json.dumps(data | {"grad": None}), verilog)  # dy would go unchecked
    case("grad_signed", json.dumps(data | {"grad": data["grad"] | {"signed": True}}), verilog)
    case("output_narrower", json.dumps(data | {"output": data["output"] | {"bits": 6}}), verilog)
    case("latency_bool", json.dumps(data | {"latency": True}), verilog)
    case("latency_wrong", json.dumps(data | {"latency": 1}), verilog)
    case("huge_beta", json.dumps(data | {"params": data["params"] | {"beta_code": 10**400}}), verilog)
    case("port_list_width", json.dumps(data | {"ports": [{**data["ports"][0], "width": [8]}]}), verilog)
    case("engine_garbage", json.dumps(data | {"engine": {"lanes": "many"}}), verilog)
    case("missing_verilog", text, None)
    case("other_module", text, verilog.replace(f"module {name}(", f"module {name}_x("))
    ports = [port | ({"width": 9} if port["name"] == "x" else {}) for port in data["ports"]]
    case("port_width", json.dumps(data | {"ports": ports}), verilog)
    case("port_missing", text, verilog.replace("output [4:0] dy;", "wire [4:0] dy;"))
    return cases


def test_bad_input_exits_2_with_one_line_and_writes_nothing(unit_dir, tmp_path, capsys):
    cases = _bad_manifests(unit_dir)
    for label, manifest in cases.items():
        before = snapshot(manifest.parent)
        status, stdout, stderr = run_main([str(manifest), "--jobs", "1"], capsys)
        assert status == 2, label
        assert stdout == "" and len(stderr.splitlines()) == 1, (label, stderr)
        assert stderr.startswith("smelu_hw.verify: error: "), (label, stderr)
        assert snapshot(manifest.parent) == before, label


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "give a MODULE.json"),
        (["MANIFEST", "--sim", "modelsim"], "simulator must be one of icarus, verilator, not 'modelsim'"),
        (["MANIFEST", "--bits", "16"], "--bits describes a unit to generate"),
        (["MANIFEST", "--jobs", "0"], "jobs must be 1 or more"),
        (["--bits", "3"], "bits must be an integer from 4 to 32"),
        (["--bits", "16", "--beta", "200"], "beta must be between"),
    ],
)
def test_bad_arguments_exit_2(unit_dir, tmp_path, capsys, argv, message):
    argv = [str(manifest_of(unit_dir)) if arg == "MANIFEST" else arg for arg in argv]
    before = snapshot(unit_dir)
    status, stdout, stderr = run_main([*argv, "--out-dir", str(tmp_path / "out")], capsys)
    assert (status, stdout) == (2, "")
    assert len(stderr.splitlines()) == 1 and message in stderr, stderr
    assert snapshot(unit_dir) == before and not (tmp_path / "out").exists()


def test_a_simulator_that_is_not_installed_is_bad_input(unit_dir, capsys, monkeypatch):
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent))  # no iverilog here
    before = snapshot(unit_dir)
    status, _, stderr = run_main([str(manifest_of(unit_dir))], capsys)
    assert (
        status == 2
        and stderr == "smelu_hw.verify: error: Icarus Verilog is not installed (apt-get install iverilog)\n"
    )
    assert snapshot(unit_dir) == before


def test_the_command_line_as_a_user_runs_it(tmp_path):
    """The real entry point in a subprocess: generator flags, a certificate, exit 0."""
    command = [
        sys.executable,
        "-m",
        "smelu_hw.verify",
        "--bits",
        "8",
        "--beta",
        "2",
        "--out-dir",
        str(tmp_path),
    ]
    result = subprocess.run([*command, "--jobs", "2"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "smelu_q8f4_beta32_rne: VERIFIED (complete)"
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "smelu_q8f4_beta32_rne.cert.json",
        "smelu_q8f4_beta32_rne.cert.md",
    ]


@pytest.mark.parametrize("where", ["under a file", "in /proc"])
def test_an_unwritable_certificate_folder_is_bad_input_found_before_the_run(
    unit_dir, capsys, monkeypatch, where
):
    """Exit 2 with one line, and nothing simulated first (as root a mode bit would not stop
    the write, so the folders here are ones nobody can write into)."""
    import smelu_hw.verify.run as run_module

    monkeypatch.setattr(run_module, "verify_design", lambda *a, **k: pytest.fail("the run started"))
    blocker = unit_dir / "a_file"
    blocker.write_text("")
    out = blocker / "certs" if where == "under a file" else Path("/proc/1/certs")
    status, _, stderr = run_main([str(manifest_of(unit_dir)), "--out-dir", str(out)], capsys)
    assert status == 2 and stderr.startswith(f"smelu_hw.verify: error: cannot write certificates into {out}")
    assert stderr.count("\n") == 1
