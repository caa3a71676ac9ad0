"""``python -m smelu_hw.verify --check CERT.json``: a stored certificate still holds only while
its files and tools are the ones it records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from smelu_hw import QFormat, SmeLUSpec
from smelu_hw.gen import generate
from smelu_hw.verify.__main__ import main

NAME = "smelu_q6f3_beta8_rne"


@pytest.fixture(scope="module")
def verified(tmp_path_factory) -> Path:
    """A folder with a 6-bit unit and its certificate, written by a real verification."""
    folder = tmp_path_factory.mktemp("verified")
    _, manifest = generate(SmeLUSpec(fmt=QFormat(6, 3))).write(folder)
    assert main([str(manifest), "--jobs", "1"]) == 0
    return folder


@pytest.fixture
def copy(verified: Path, tmp_path: Path) -> Path:
    for path in verified.iterdir():
        (tmp_path / path.name).write_bytes(path.read_bytes())
    return tmp_path


def check(folder: Path, capsys, *extra: str) -> tuple[int, str]:
    status = main(["--check", str(folder / f"{NAME}.cert.json"), *extra])
    captured = capsys.readouterr()
    return status, captured.err


def test_an_unchanged_unit_still_holds(copy, capsys):
    assert check(copy, capsys) == (0, "")


def test_a_one_byte_edit_of_the_verilog_fails(copy, capsys):
    verilog = copy / f"{NAME}.v"
    data = bytearray(verilog.read_bytes())
    data[data.rindex(b"1'h0") + 3] = ord("1")  # a constant flipped
    verilog.write_bytes(bytes(data))
    status, error = check(copy, capsys)
    assert status == 1 and f"changed: the verilog {verilog} changed" in error


def test_an_edited_or_missing_manifest_fails(copy, capsys):
    manifest = copy / f"{NAME}.json"
    manifest.write_text(manifest.read_text() + " ")
    status, error = check(copy, capsys)
    assert status == 1 and "the manifest" in error and "changed" in error
    manifest.unlink()
    status, error = check(copy, capsys)
    assert status == 1 and "is missing or unreadable" in error


def test_another_tool_version_fails(copy, capsys):
    certificate = copy / f"{NAME}.cert.json"
    record = json.loads(certificate.read_text())
    record["tools"]["icarus"] = "10.3"
    certificate.write_text(json.dumps(record))
    status, error = check(copy, capsys)
    assert status == 1 and "certified with 10.3" in error


def test_a_failed_or_incomplete_certificate_does_not_hold(copy, capsys):
    certificate = copy / f"{NAME}.cert.json"
    record = json.loads(certificate.read_text())
    certificate.write_text(json.dumps({**record, "complete": False}))
    assert check(copy, capsys)[0] == 0
    status, error = check(copy, capsys, "--require-complete")
    assert status == 1 and "incomplete" in error
    certificate.write_text(json.dumps({**record, "mismatch_count": 3}))
    status, error = check(copy, capsys)
    assert status == 1 and "records 3 mismatch(es)" in error


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "cannot read certificate"), ("{not json", "corrupt certificate"), ("[]", "is not a certificate")],
)
def test_a_bad_certificate_is_bad_input(tmp_path, capsys, content, message):
    path = tmp_path / "x.cert.json"
    if content is not None:
        path.write_text(content)
    assert main(["--check", str(path)]) == 2
    error = capsys.readouterr().err
    assert message in error and error.count("\n") == 1


def test_check_simulates_nothing_so_run_flags_are_refused(copy, capsys):
    status, error = check(copy, capsys, "--sim", "verilator")
    assert status == 2 and "--sim does not apply to --check" in error


def test_the_fixture_skips_only_units_whose_stored_certificate_still_holds(copy):
    from smelu_hw.verify.pytest_plugin import still_certified

    manifest = copy / f"{NAME}.json"
    assert still_certified(manifest, copy, require_complete=True)
    assert not still_certified(manifest, copy / "elsewhere", require_complete=False)  # none stored
    verilog = copy / f"{NAME}.v"
    verilog.write_text(verilog.read_text().replace("module", "module ", 1))  # one byte more
    assert not still_certified(manifest, copy, require_complete=False)
