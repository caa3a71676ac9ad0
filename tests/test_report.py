"""The report CLI: bad arguments, and a quick sweep that reproduces the committed numbers."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from smelu_hw.report.__main__ import main

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--bits", "eight"], "argument --bits: not a comma-separated list of integers: 'eight'"),
        (["--activation", "tanh"], "unknown activation(s): tanh"),
        (["--bits", "7"], "the selection matches no unit"),
        (["--jobs", "0"], "--jobs must be at least 1, not 0"),
        (["--bogus"], "unrecognized arguments: --bogus"),
    ],
)
def test_bad_arguments_exit_2_and_write_nothing(tmp_path, capsys, args, message):
    out_dir = tmp_path / "out"
    assert main([*args, "--out-dir", str(out_dir)]) == 2
    error = capsys.readouterr().err
    assert error == f"smelu_hw.report: error: {message}\n"
    assert not out_dir.exists()


def read_rows(path: Path) -> dict[str, dict[str, str]]:
    with path.open() as stream:
        return {row["unit"]: row for row in csv.DictReader(stream)}


def test_quick_sweep_reproduces_the_committed_results(tmp_path):
    assert main(["--quick", "--out-dir", str(tmp_path), "--jobs", "2"]) == 0
    quick = read_rows(tmp_path / "results.csv")
    committed = read_rows(ROOT / "reports" / "results.csv")
    assert quick, "the quick sweep produced no rows"
    for unit, row in quick.items():
        assert unit in committed, f"{unit} is missing from the committed reports/results.csv"
        assert not row["failures"], row["failures"]
        measured = {column: value for column, value in row.items() if value != ""}
        assert measured == {column: committed[unit][column] for column in measured}, unit
    report = (tmp_path / "REPORT.md").read_text()
    assert "## Headline" in report and "Yosys 0.70" in report
    for name in ("curves", "ulp_error", "area_vs_bits", "fmax_vs_latency", "pareto"):
        assert (tmp_path / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
