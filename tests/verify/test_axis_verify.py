"""AXI4-Stream engines through ``python -m smelu_hw.verify``: complete certificates, the traffic
crossings in the contract, proofs on the AXI ports, and corrupted units caught at their beat."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from smelu_hw import QFormat, SmeLUSpec
from smelu_hw.gen import generate
from smelu_hw.verify import engine_native, load_design, verify_design
from smelu_hw.verify.benches.axis_driver import PATTERNS
from smelu_hw.verify.builds import FORMAL, design_build
from smelu_hw.verify.engine_formal import prove_engine_lanes, tail_affine

from .test_cli import run_main
from .test_engine_complete import edit_verilog

SMALL_ENGINE = SmeLUSpec(fmt=QFormat(8, 4))
TINY_ENGINE = SmeLUSpec(beta=0.5, fmt=QFormat(5, 2))


def _axis(folder: Path, spec: SmeLUSpec = SMALL_ENGINE, **options) -> Path:
    options = {"latency": 1, "lanes": 2, "user_bits": 3} | options
    _, manifest = generate(spec, interface="axis", **options).write(folder)
    return manifest


def test_an_axis_engine_gets_a_complete_certificate(tmp_path, capsys):
    """With ``--tkeep`` too: the native driver gives s_axis_tkeep random values, the proofs
    leave it free, and m_axis_tkeep must be all ones."""
    manifest = _axis(tmp_path, tkeep=True)
    assert manifest.stem.endswith("_axis_keep")
    ports = {port["name"]: port["width"] for port in json.loads(manifest.read_text())["ports"]}
    assert (ports["s_axis_tkeep"], ports["m_axis_tkeep"]) == (4, 2)
    status, stdout, stderr = run_main([str(manifest), "--jobs", "1", "--require-complete"], capsys)
    assert (status, stderr) == (0, ""), stdout
    assert "VERIFIED (complete)" in stdout
    (path,) = tmp_path.glob("*.cert.json")
    certificate = json.loads(path.read_text())
    methods = {region["name"]: (region["method"], region["checked"]) for region in certificate["regions"]}
    assert methods == {
        "forward mode": ("exhaustive", 256),
        "gradient mode": ("exhaustive", 256),
        "backward mode (x, g pairs)": ("exhaustive", 65536),
        "reserved mode": ("proved", 2 * engine_native.RESERVED_BEATS),
    }
    contract = certificate["contract"]
    crossings = {(p["idle"], p["backpressure"]): p for p in contract["patterns"]}
    assert set(crossings) == {(idle, busy) for idle in PATTERNS for busy in PATTERNS}
    assert all(
        p["beats"] > 0 and p["mismatch_count"] == p["accept_mismatches"] == 0 for p in crossings.values()
    )
    assert contract["failures"] == 0 and "TUSER and TLAST compared" in contract["checked"]
    assert "| periodic | random |" in tmp_path.joinpath(path.name.replace(".json", ".md")).read_text()


def test_a_wide_axis_engine_proves_its_tails_on_the_axi_ports(tmp_path, monkeypatch):
    monkeypatch.setattr(engine_native, "ENGINE_PAIRS", 1 << 22)
    manifest = _axis(tmp_path, SmeLUSpec(beta=1.0, fmt=QFormat(12, 6)), latency=0, lanes=2, user_bits=0)
    design = load_design(manifest)
    certificate = verify_design(design, jobs=1, proof_timeout=60)
    assert certificate.verified and certificate.complete, certificate.summary()
    proved = [region["name"] for region in certificate.regions if region["method"] == "proved"]
    assert proved == [
        "backward mode, left tail (x, g pairs)",
        "backward mode, right tail (x, g pairs)",
        "reserved mode",
    ]
    # The proof can fail: a wrong gradient code on the right tail is found.
    high, right = design.model.spec.fmt.max_code, int(design.model.grad(design.model.spec.fmt.max_code))
    folder = design_build(design, FORMAL)
    assert not prove_engine_lanes(design, 512, high, tail_affine(design, right - 1), "backward", folder, 60)


#: name -> (pattern, replacement, native, what the summary line must name[, generator options])
CORRUPTIONS = {
    "tkeep not all ones": (
        r"assign m_axis_tkeep = 2'h3;",
        "assign m_axis_tkeep = 2'h1;",
        True,
        "m_axis_tkeep of beat 0",
        {"tkeep": True},
    ),
    "tlast not carried": (
        r"assign m_axis_tlast = \w+\[\d+\];",
        "assign m_axis_tlast = 1'h0;",
        True,
        "of beat ",
    ),
    "tuser dropped": (
        r"assign m_axis_tuser = \w+\[\d+:\d+\];",
        "assign m_axis_tuser = 5'h0;",
        False,
        ", beat ",
    ),
    "an operator": (r"(assign lane1_fused_signed = [^;]*) - ", r"\g<1> + ", True, "(lane 1, "),
}


@pytest.mark.parametrize("corruption", CORRUPTIONS)
def test_a_corrupted_axis_engine_fails_at_its_first_bad_beat(tmp_path, capsys, corruption):
    pattern, replacement, native, named, *options = CORRUPTIONS[corruption]
    manifest = _axis(tmp_path, TINY_ENGINE, **(options[0] if options else {}))
    edit_verilog(manifest, pattern, replacement)
    options = [] if native else ["--no-native"]
    status, stdout, _ = run_main([str(manifest), "--jobs", "1", *options], capsys)
    assert status == 1 and "MISMATCH" in stdout, stdout
    assert "edited after generation" in stdout
    assert named in stdout.splitlines()[0], stdout
