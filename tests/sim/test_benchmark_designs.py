"""The area benchmark's comparison design computes exactly R16's function (no straw man)."""

from __future__ import annotations

from amaranth.back import verilog

from benchmarks.area import NaiveSmeLU16
from sim.runner import run_bench
from smelu_hw.standard import REFERENCE_R16


def test_naive_full_width_smelu_equals_the_golden_model(tmp_path):
    text = verilog.convert(NaiveSmeLU16(), name="naive16", emit_src=False)
    run_bench(tmp_path, REFERENCE_R16, replacement=("naive16", text))
