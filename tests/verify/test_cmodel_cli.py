"""``python -m smelu_hw.verify MANIFEST --c MODULE.h``: the C model in the certificate, its
failures (exit 1), its bad input (exit 2, nothing written), its automatic pick-up beside the
manifest, ``--junit`` and ``--check``."""

from __future__ import annotations

import hashlib
import json
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from smelu_hw import QFormat, SmeLU, SmeLUSpec
from smelu_hw.gen import generate
from smelu_hw.verify import cmodel_check
from smelu_hw.verify.__main__ import main

SMALL = SmeLUSpec(beta=1.5, fmt=QFormat(8, 4))


@pytest.fixture
def unit(tmp_path: Path) -> tuple[Path, Path]:
    """A generated 8-bit unit with its header moved away from the manifest: (manifest, header)."""
    folder = tmp_path / "unit"
    unit = generate(SMALL, emits=("verilog", "c"))
    unit.write(folder)
    header = tmp_path / "model.h"
    (folder / f"{unit.name}.h").rename(header)
    return folder / f"{unit.name}.json", header


def run(argv: list[str], capsys: pytest.CaptureFixture) -> tuple[int, str, str]:
    status = main([*argv, "--jobs", "1"])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def test_a_header_is_checked_complete_into_the_certificate(unit, tmp_path, capsys):
    manifest, header = unit
    junit = tmp_path / "out.xml"
    status, out, err = run([str(manifest), "--c", str(header), "--junit", str(junit)], capsys)
    assert (status, err) == (0, "")
    assert "C model model.h: verified (258 compared, complete)" in out.splitlines()[0]
    certificate = json.loads(manifest.with_suffix(".cert.json").read_text())
    c_model = certificate["c_model"]
    assert certificate["verdict"] == "VERIFIED (complete)"
    assert c_model["verified"] and c_model["complete"] and not c_model["automatic"]
    assert c_model["sha256"] == hashlib.sha256(header.read_bytes()).hexdigest()
    assert [(r["name"], r["method"], r["checked"]) for r in c_model["regions"]] == [
        ("all codes", "exhaustive", 256),
        ("one beyond each end (clamped)", "exhaustive", 2),
    ]
    assert certificate["tools"]["cc"] == c_model["compiler"] != "not installed"
    assert "## C model" in manifest.with_suffix(".cert.md").read_text()
    cases = {case.get("name"): case for case in ElementTree.parse(junit).getroot()}
    assert {"c model all codes", "c model one beyond each end (clamped)"} <= set(cases)
    assert all(case.find("failure") is None for case in cases.values())
    # --check re-hashes the header: unchanged it holds, edited it does not.
    cert = manifest.with_suffix(".cert.json")
    assert main(["--check", str(cert), "--c", str(header)]) == 0
    header.write_text(header.read_text() + "\n")
    status = main(["--check", str(cert), "--c", str(header)])
    err = capsys.readouterr().err
    assert status == 1 and f"changed: the C header {header} changed" in err


def test_an_edited_constant_is_a_mismatch_naming_a_code(unit, capsys):
    manifest, header = unit
    text = header.read_text()
    edit = ("_rne_i64(num, 96)", "_rne_i64(num, 97)")  # y = round(num / (4 B)), B = 24: one constant
    assert text.count(edit[0]) == 1
    header.write_text(text.replace(*edit))
    status, out, err = run([str(manifest), "--c", str(header)], capsys)
    assert status == 1
    certificate = json.loads(manifest.with_suffix(".cert.json").read_text())
    assert certificate["verdict"] == "MISMATCH" and certificate["mismatch_count"] == 0  # the RTL is right
    c_model = certificate["c_model"]
    assert not c_model["verified"] and c_model["mismatch_count"] > 0
    x, field, got, want = c_model["mismatches"][0]
    golden = SmeLU.from_spec(SMALL)
    assert want == int((golden.forward if field == "y" else golden.grad)([x])[0]) != got
    assert f"C model model.h: MISMATCH, {c_model['failing_codes']} wrong input(s)" in out
    assert f"first at x={x} ({field}: got {got}, want {want})" in out
    assert f"C model: x={x}: {field} got {got}, want {want}" in err
    assert main(["--check", str(manifest.with_suffix(".cert.json")), "--c", str(header)]) == 1
    assert "changed: the certificate records a failed C model check of model.h" in capsys.readouterr().err


def test_a_header_that_does_not_compile_fails(unit, tmp_path, capsys):
    manifest, header = unit
    header.write_text(header.read_text().replace("static inline int64_t", "static inline int64", 1))
    junit = tmp_path / "out.xml"
    status, out, err = run([str(manifest), "--c", str(header), "--junit", str(junit)], capsys)
    assert status == 1 and "C model model.h: FAILED, model.h does not compile" in out
    assert "error" in err
    assert json.loads(manifest.with_suffix(".cert.json").read_text())["c_model"]["checked"] == 0
    suite = ElementTree.parse(junit).getroot()
    (case,) = [case for case in suite if case.get("name") == "c model"]
    assert case.find("failure") is not None and suite.get("failures") == "1"


def test_a_missing_header_is_bad_input_and_writes_nothing(unit, capsys):
    manifest, header = unit
    before = files(manifest.parent)
    status, out, err = run([str(manifest), "--c", str(header.with_name("absent.h"))], capsys)
    assert (status, out) == (2, "")
    assert err.startswith("smelu_hw.verify: error: --c: cannot read C header") and err.count("\n") == 1
    assert files(manifest.parent) == before


@pytest.mark.parametrize("automatic", [False, True], ids=["--c", "beside the manifest"])
def test_no_compiler_is_bad_input_and_writes_nothing(unit, capsys, monkeypatch, automatic):
    manifest, header = unit
    monkeypatch.setattr(cmodel_check, "find_compiler", lambda: None)
    if automatic:
        header.rename(manifest.with_suffix(".h"))
    before = files(manifest.parent)
    argv = [str(manifest)] if automatic else [str(manifest), "--c", str(header)]
    status, out, err = run(argv, capsys)
    assert (status, out) == (2, "")
    assert "no C compiler to check" in err and err.count("\n") == 1
    assert files(manifest.parent) == before


def test_a_header_beside_the_manifest_is_checked_automatically(unit, capsys):
    manifest, header = unit
    header.rename(manifest.with_suffix(".h"))
    status, out, _ = run([str(manifest)], capsys)
    assert status == 0
    assert f"C model {manifest.stem}.h (found beside the manifest): verified" in out
    c_model = json.loads(manifest.with_suffix(".cert.json").read_text())["c_model"]
    assert c_model["automatic"] and c_model["verified"] and c_model["header"] == f"{manifest.stem}.h"
    assert main(["--check", str(manifest.with_suffix(".cert.json"))]) == 0
    manifest.with_suffix(".h").unlink()
    assert main(["--check", str(manifest.with_suffix(".cert.json"))]) == 1
    assert "the C header" in capsys.readouterr().err


def test_a_unit_without_a_header_has_no_c_model_entry(unit, capsys):
    manifest, _ = unit
    assert run([str(manifest)], capsys)[0] == 0
    assert "c_model" not in json.loads(manifest.with_suffix(".cert.json").read_text())
