"""The area benchmark's comparison design computes exactly R16's function (no straw man)."""

from __future__ import annotations

import json

from amaranth.back import verilog

from benchmarks.naive import NaiveSmeLU16
from smelu_hw.gen import generate
from smelu_hw.gen.standard import REFERENCE_R16
from smelu_hw.verify import load_design, verify_design


def test_naive_full_width_smelu_equals_the_golden_model(tmp_path):
    unit = generate(REFERENCE_R16, name="naive16")
    unit.verilog = verilog.convert(NaiveSmeLU16(), name="naive16", emit_src=False)
    _, manifest = unit.write(tmp_path)
    certificate = verify_design(load_design(manifest), jobs=1)
    assert certificate.verified and certificate.complete, certificate.summary()
    assert json.loads(manifest.read_text())["module"] == "naive16"
