"""The C-model check (:mod:`smelu_hw.verify.cmodel_check`): engine headers complete, payload
and AXI4-Stream TDATA/TUSER helpers at the manifest's offsets, and every header free of
undefined behaviour under ``-fsanitize=undefined,address -fno-sanitize-recover``."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from smelu_hw import QFormat, SmeLUSpec
from smelu_hw.cmodel import render_c_header
from smelu_hw.gen import generate
from smelu_hw.models import model_for
from smelu_hw.verify.cdriver import (
    SANITIZE,
    CompileError,
    clamp_block,
    codes_block,
    compile_driver,
    run_driver,
)
from smelu_hw.verify.cmodel_check import check_c_model
from smelu_hw.verify.design import Design, load_design
from tests.test_cmodel import EXHAUSTIVE, INT128_GUARD, SAMPLED, sampled_codes

ENGINE = SmeLUSpec(beta=1.0, fmt=QFormat(12, 6))


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> tuple[Design, str]:
    """A 12-bit, 3-lane engine (a 74-bit input payload: two words) and its header."""
    folder = tmp_path_factory.mktemp("engine")
    unit = generate(ENGINE, lanes=3, emits=("verilog", "c"))
    unit.write(folder)
    return load_design(folder / f"{unit.name}.json"), (folder / f"{unit.name}.h").read_text()


def test_an_engine_header_is_complete_fused_backward_and_payload_included(engine):
    design, header = engine
    result = check_c_model(design, header, f"{design.name}.h")
    assert result.error is None and result.verified and result.complete, result.mismatches
    codes, clamped, pairs, payload = result.regions
    assert (codes["method"], codes["checked"]) == ("exhaustive", 4096)
    assert (clamped["checked"], clamped["mismatch_count"]) == (2, 0)
    assert (pairs["name"], pairs["method"]) == ("fused backward (x, g pairs)", "exhaustive")
    assert pairs["pairs"] == pairs["checked"] == 1 << 24
    assert (payload["method"], payload["checked"]) == ("round trip", 258)
    assert result.count == 4096 + 2 + (1 << 24) + 258 and result.mismatch_count == 0


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (("_IN_G_OFFSET 38u", "_IN_G_OFFSET 39u"), "pack_in (vector 0, word 0)"),  # a lane field moved
        (("_OUT_LANE_BITS 12u", "_OUT_LANE_BITS 13u"), "pack_out (vector 0, word 0)"),
        (("rne_i64((gc * dyc), 64)", "rne_i64((gc * dyc), 32)"), "fused (g=-2048)"),  # a constant
    ],
    ids=["input-offset", "output-lane", "fused-constant"],
)
def test_an_edited_engine_header_fails_naming_the_field(engine, edit, field):
    design, header = engine
    assert header.count(edit[0]) == 1
    result = check_c_model(design, header.replace(*edit), "edited.h")
    assert not result.verified and result.error is None and result.mismatch_count > 0
    assert any(record[1] == field for record in result.mismatches), result.mismatches


@pytest.fixture(scope="module")
def axi_engine(tmp_path_factory: pytest.TempPathFactory) -> tuple[Design, str]:
    """A 6-bit, 2-lane AXI4-Stream engine with 3 user bits (2 padding bits per TDATA field)."""
    folder = tmp_path_factory.mktemp("axi")
    spec = SmeLUSpec(fmt=QFormat(6, 3))
    unit = generate(spec, lanes=2, interface="axis", user_bits=3, emits=("verilog", "c"))
    unit.write(folder)
    return load_design(folder / f"{unit.name}.json"), (folder / f"{unit.name}.h").read_text()


def test_an_axi_engine_header_models_its_lanes_and_packs_its_tdata_and_tuser(axi_engine):
    """An AXI4-Stream engine's header has the lanes' fused backward and ``NAME_lane``, complete
    over every (x, g) pair, and TDATA/TUSER helpers that round-trip 258 beats against the words
    the cocotb bench sends and expects (the manifest's ``axis`` entry), the reserved mode code
    included; a wrong reserved result is caught."""
    design, header = axi_engine
    name = design.name
    assert f"{name}_fused_backward(int64_t x, int64_t g)" in header and "_pack_in" not in header
    for helper in (
        "pack_s_axis",
        "unpack_s_axis",
        "pack_m_axis",
        "unpack_m_axis",
        "pack_tuser",
        "unpack_tuser",
    ):
        assert f"static inline void {name}_{helper}(" in header
    result = check_c_model(design, header, f"{name}.h")
    assert result.error is None and result.verified and result.complete, result.mismatches
    methods = {region["name"]: (region["method"], region["checked"]) for region in result.regions}
    assert methods["fused backward (x, g pairs)"] == ("exhaustive", 1 << 12)
    assert methods["TDATA and TUSER fields (pack and unpack)"] == ("round trip", 258)
    edited = header.replace(f"return {name}_RESERVED_RESULT;", "return 1;")
    assert edited != header
    wrong = check_c_model(design, edited, "edited.h")
    assert not wrong.verified and wrong.mismatches == ([None, "lane (reserved mode 3)", 1, 0],)


def test_the_axi_header_macros_are_the_manifests_axis_offsets(axi_engine):
    design, header = axi_engine
    layout = design.manifest["axis"]
    assert layout["s_axis"]["fields"]["g"]["offsets"] == [2, 3] and layout["tuser"]["bits"] == 5
    for macro in (
        "_S_TDATA_WORDS 1",
        "_S_X_OFFSET 0u",
        "_S_X_LANE_BITS 8u",
        "_S_X_BITS 6u",
        "_S_G_OFFSET 16u",
    ):
        assert f"#define {design.name}{macro}\n" in header
    for macro in ("_M_RESULT_OFFSET 0u", "_TUSER_BITS 5", "_TUSER_MODE_BITS 2u", "_TUSER_USER_OFFSET 2u"):
        assert f"#define {design.name}{macro}\n" in header


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (("_S_G_OFFSET 16u", "_S_G_OFFSET 17u"), r"pack_s_axis \(vector 0, TDATA word 0\)"),  # a lane moved
        (("_TUSER_USER_OFFSET 2u", "_TUSER_USER_OFFSET 3u"), r"pack_s_axis \(vector 1, TUSER word 0\)"),
        (("_M_RESULT_OFFSET 0u", "_M_RESULT_OFFSET 1u"), r"pack_m_axis \(vector 0, TDATA word 0\)"),
        (("_S_X_BITS 6u", "_S_X_BITS 8u"), r"unpack_s_axis \(vector \d+, x\[\d\]\)"),  # reads padding
    ],
    ids=["tdata-offset", "tuser-offset", "result-offset", "padding-read"],
)
def test_an_edited_axi_engine_header_fails_naming_the_word(axi_engine, edit, field):
    design, header = axi_engine
    assert header.count(edit[0]) == 1
    result = check_c_model(design, header.replace(*edit), "edited.h")
    assert not result.verified and result.error is None and result.mismatch_count > 0
    assert any(re.fullmatch(field, record[1]) for record in result.mismatches), result.mismatches


def test_the_payload_words_are_the_manifests_offsets(engine):
    design, header = engine
    fields = design.manifest["engine"]["input_fields"]
    assert fields == {"mode": [0, 2], "x": [2, 36], "g": [38, 36]}
    for macro in ("_IN_WORDS 2", "_IN_X_OFFSET 2u", "_IN_G_OFFSET 38u", "_OUT_WORDS 1", "_LANES 3"):
        assert f"#define {design.name}{macro}\n" in header


def _sanitized(folder: Path, header: str, with_grad: bool = True) -> Path:
    try:
        return compile_driver(header, "unit", folder, with_grad=with_grad, flags=SANITIZE)
    except CompileError as error:  # no sanitizer runtime is a failure, never a skip
        pytest.fail(f"the sanitized build failed:\n{error}")


SANITIZED_UNITS = {
    "smelu-8": lambda: SmeLUSpec(beta=1.0, fmt=QFormat(8, 4)),
    "smelu-12-rna": lambda: SmeLUSpec(beta=1.5, fmt=QFormat(12, 6), rounding="rna"),
    "smelu-16": lambda: EXHAUSTIVE["smelu-rne"]().spec,
    "smelu-16-faithful": lambda: EXHAUSTIVE["smelu-faithful"]().spec,
    "gsmelu-16-leaky": lambda: EXHAUSTIVE["gsmelu-leaky"]().spec,
    "gelu-poly-12": lambda: EXHAUSTIVE["gelu-poly"]().spec,
    "smelu32-wide-beta-int128": lambda: SAMPLED["smelu32-wide-beta"][0]().spec,
}


@pytest.mark.parametrize("case", sorted(SANITIZED_UNITS))
def test_headers_run_clean_under_the_sanitizers(case, tmp_path):
    spec = SANITIZED_UNITS[case]()
    header = render_c_header(spec, "unit")
    codes = sampled_codes(spec) if spec.fmt.bits > 16 else spec.fmt.codes()
    assert (INT128_GUARD in header) is (spec.fmt.bits > 16)  # the wide case runs on __int128
    program = _sanitized(tmp_path, header)
    model = model_for(spec)
    report = run_driver(
        program, [codes_block(codes, model.forward(codes), model.grad(codes)), clamp_block()], 0
    )
    assert report.returncode == 0 and "runtime error" not in report.stderr, report.stderr
    assert (report.checked, report.mismatch_count) == (codes.size + 2, 0)


@pytest.mark.parametrize("kind", ["engine", "axi_engine"])
def test_an_engine_header_runs_clean_under_the_sanitizers(kind, request):
    design, header = request.getfixturevalue(kind)
    result = check_c_model(design, header, f"{design.name}.h", flags=SANITIZE)
    assert result.error is None and result.verified and result.complete
    assert result.regions[-1]["checked"] == 258  # the pack/unpack helpers ran sanitized too


def test_the_sanitizers_stop_a_header_with_undefined_behaviour(tmp_path):
    """So a clean run above means something: signed overflow ends the run, not a mismatch."""
    header = render_c_header(SANITIZED_UNITS["smelu-8"](), "unit")
    signature = "static inline int64_t unit_forward(int64_t x)\n{\n"
    overflow = "    volatile int64_t big = INT64_MAX;\n    x = x + big;\n"  # volatile: not folded away
    broken = header.replace(signature, signature + overflow, 1)
    assert broken != header
    program = _sanitized(tmp_path, broken)
    codes = np.arange(-128, 128, dtype=np.int64)
    report = run_driver(program, [codes_block(codes, codes, codes)], 0)
    assert not report.finished and report.returncode != 0
    assert "signed integer overflow" in report.stderr
