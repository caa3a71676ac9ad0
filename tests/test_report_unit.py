"""``python -m smelu_hw.report build/MODULE.json``: the report of exactly one generated unit."""

from __future__ import annotations

import json

from smelu_hw import QFormat, SmeLUSpec
from smelu_hw.gen import generate
from smelu_hw.liberty import SG13G2_TYPICAL, liberty_area
from smelu_hw.report import single
from smelu_hw.report.__main__ import main
from smelu_hw.synth import measure


def test_the_report_of_one_unit_measures_that_file_on_the_users_library(tmp_path, capsys, monkeypatch):
    # Area against delay at two points of the full sweep; a user's library is its one corner
    # (here the shipped typical file under the user's own label): few Yosys runs.
    monkeypatch.setattr(single, "PARETO_POINTS", ((0, None), (1, None)))
    verilog, manifest = generate(SmeLUSpec(beta=1.5, fmt=QFormat(8, 4)), with_grad=False).write(tmp_path)
    library = ["--liberty", str(SG13G2_TYPICAL.liberty), "--corner", "mine"]
    assert main([str(manifest), "--jobs", "1", *library]) == 0
    report = json.loads(manifest.with_name(f"{manifest.stem}.report.json").read_text())
    text, name = verilog.read_text(), manifest.stem
    assert report["area"]["cmos"]["transistors"] == measure("cmos", text, name)["transistors"]
    assert report["corner"] == "mine" and list(report["liberty"]) == ["mine"]
    typical = report["liberty"]["mine"]
    assert typical["um2"] == round(liberty_area(text, name, SG13G2_TYPICAL).area, 2) and typical["um2"] > 0
    assert report["energy"]["corner"] == "mine"
    assert report["energy"]["total_pj"] > 0 and report["errors"]["fwd_max_ulp"] <= 0.5
    assert report["fmax_mhz"] is None  # the timing harness builds units with the gradient
    delay = report["area_delay"]
    combinational, pipelined = delay["points"]["mine"]
    assert combinational["latency"] == 0 and combinational["um2"] == typical["um2"]  # the same flow
    assert pipelined["flops"] > 0 and pipelined["um2"] > combinational["um2"]
    first = delay["at_clock"][0]
    assert (first["corner"], first["mhz"], first["met"]) == ("mine", 250.0, True)
    assert len(delay["at_clock"]) == 3 and first["um2"] == combinational["um2"]
    markdown = manifest.with_name(f"{manifest.stem}.report.md").read_text()
    assert markdown.startswith(f"# Unit report: `{name}`") and "µm²" in markdown and "pJ" in markdown
    assert "## Area against delay" in markdown and "latencies 0, 1 and" in markdown
    assert f"| mine, 250 MHz | {first['um2']:,.0f} µm² | L=0 |" in markdown and "SG13G2" not in markdown
    assert capsys.readouterr().out.splitlines()[0].endswith(".report.json")


def test_a_missing_or_edited_unit_is_bad_input_and_nothing_is_written(tmp_path, capsys):
    assert main([str(tmp_path / "none.json")]) == 2
    assert capsys.readouterr().err.startswith("smelu_hw.report: error: cannot read manifest")
    verilog, manifest = generate(SmeLUSpec(fmt=QFormat(8, 4))).write(tmp_path)
    verilog.write_text(verilog.read_text().replace("input [7:0] x", "input [6:0] x"))
    assert main([str(manifest)]) == 2 and "differ from its manifest" in capsys.readouterr().err
    assert main([str(manifest), "--quick"]) == 2 and "do not apply" in capsys.readouterr().err
    assert main([str(manifest), "--liberty", str(tmp_path / "none.lib")]) == 2
    assert capsys.readouterr().err.startswith("smelu_hw.report: error: --liberty: ")
    assert not list(tmp_path.glob("*.report.*"))
