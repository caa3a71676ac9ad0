"""Complete engine certificates, their proofs, and undefined bits caught on both simulators."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from smelu_hw import QFormat, SmeLUSpec
from smelu_hw.gen import generate
from smelu_hw.verify import can_be_complete, engine_native, load_design, verify_design
from smelu_hw.verify.builds import FORMAL, design_build
from smelu_hw.verify.checks import engine_check
from smelu_hw.verify.engine_formal import prove_engine_lanes, tail_affine

from .test_cli import SMALL, run_main


def _engine(folder: Path, spec: SmeLUSpec, **options) -> Path:
    _, manifest = generate(spec, **options).write(folder)
    return manifest


def edit_verilog(manifest: Path, pattern: str, replacement: str) -> None:
    verilog = manifest.with_suffix(".v")
    text, count = re.subn(pattern, replacement, verilog.read_text(), count=1)
    assert count == 1, pattern
    verilog.write_text(text)


def test_an_8_bit_engine_gets_a_complete_certificate(tmp_path, capsys):
    manifest = _engine(tmp_path, SmeLUSpec(fmt=QFormat(8, 4)), latency=1, lanes=4)
    status, stdout, stderr = run_main([str(manifest), "--jobs", "1", "--require-complete"], capsys)
    assert (status, stderr) == (0, ""), stdout
    assert "VERIFIED (complete)" in stdout
    (certificate,) = tmp_path.glob("*.cert.md")
    text = certificate.read_text()
    assert "| backward mode (x, g pairs) | -128 .. 127 | exhaustive | 65,536 of 65,536" in text
    assert "| reserved mode | -128 .. 127 | proved |" in text
    assert can_be_complete(manifest)


def test_one_wrong_lane_of_an_engine_is_caught(tmp_path, capsys):
    manifest = _engine(tmp_path, SmeLUSpec(fmt=QFormat(8, 4)), latency=1, lanes=4)
    edit_verilog(manifest, r"(assign \\\$32  = \\\$31  \+ 12'h)f88", r"\g<1>f89")  # lane 3's rounding offset
    status, stdout, _ = run_main([str(manifest), "--jobs", "1"], capsys)
    assert status == 1 and "MISMATCH" in stdout
    assert "fused (lane 3 g=" in stdout and "lane 0" not in stdout


def test_an_engine_whose_reset_leaves_o_valid_alone_is_caught(tmp_path):
    """SPEC §6.1: ``rst`` holds ``o__valid`` low. Without that reset the stream contract still
    holds when ``i__valid`` is low in reset; the mid-stream reset, with a beat offered on each
    of its cycles, catches it (a survivor of benchmarks/mutation.py before this test)."""
    manifest = _engine(tmp_path, SmeLUSpec(fmt=QFormat(8, 4)), latency=1, lanes=2)
    edit_verilog(
        manifest, r"if \(rst\) begin\n(\s*)(\\\$\d+)  = 1'h0;", r"if (1'h0) begin\n\g<1>\g<2>  = 1'h0;"
    )
    result = engine_check(load_design(manifest), "icarus", np.arange(-8, 8), 4)
    assert result.reset["valid_in_reset"] > 0, result.reset
    assert result.mismatch_count >= 1
    assert [None, "rst", "o__valid was high after an edge with rst high", None] in map(
        list, result.mismatches
    )


def test_a_wide_engine_simulates_its_band_and_proves_its_tails(tmp_path, monkeypatch):
    # 2**24 pairs: above the (lowered) pair limit, so the tails are proved and the band simulated.
    monkeypatch.setattr(engine_native, "ENGINE_PAIRS", 1 << 22)
    manifest = _engine(tmp_path, SmeLUSpec(beta=1.0, fmt=QFormat(12, 6)), latency=2, lanes=2)
    certificate = verify_design(load_design(manifest), jobs=1, proof_timeout=60)
    assert certificate.verified and certificate.complete, certificate.summary()
    methods = {region["name"]: region["method"] for region in certificate.regions}
    assert methods == {
        "forward mode": "exhaustive",
        "gradient mode": "exhaustive",
        "backward mode, left tail (x, g pairs)": "proved",
        "backward mode, nonlinear band and knots (x, g pairs)": "exhaustive",
        "backward mode, right tail (x, g pairs)": "proved",
        "reserved mode": "proved",
    }


def test_the_tail_proof_fails_for_a_wrong_gradient(tmp_path):
    design = load_design(_engine(tmp_path, SmeLUSpec(beta=1.0, fmt=QFormat(12, 6)), latency=1, lanes=2))
    high = design.model.spec.fmt.max_code
    right = int(design.model.grad(high))
    folder = design_build(design, FORMAL)
    assert prove_engine_lanes(design, 512, high, tail_affine(design, right), "backward", folder, 60)
    assert not prove_engine_lanes(design, 512, high, tail_affine(design, right - 1), "backward", folder, 60)


@pytest.mark.parametrize(
    "simulator, where",
    [("icarus", []), ("verilator", []), ("verilator", ["--no-native"])],
    ids=["icarus", "verilator native", "verilator cocotb"],
)
def test_an_output_that_depends_on_an_undefined_register_is_caught(tmp_path, simulator, where, capsys):
    _, manifest = generate(SMALL).write(tmp_path)
    # An uninitialised register (no reset, never written) mixed into the output.
    edit_verilog(manifest, r"assign y = ([^;]*);", r"reg [7:0] junk;\n  assign y = junk ^ (\1);")
    command = [str(manifest), "--jobs", "1", "--sim", simulator, *where]
    status, stdout, stderr = run_main(command, capsys)
    if simulator == "icarus":  # four-state: the x itself is seen
        assert status == 1 and "undefined (x or z) output bit" in stderr
    else:  # two-state: --x-initial unique gives the register a (seeded) random value
        assert status == 1 and "MISMATCH" in stdout, stderr
