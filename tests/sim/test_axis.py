# amaranth: UnusedElaboratable=no
"""The AXI4-Stream engine: its layout, its port list, and cocotbext-axi benches against the model."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from smelu_hw import HardSwishSpec, QFormat
from smelu_hw.gen import generate
from smelu_hw.gen.standard import REFERENCE_R16
from smelu_hw.hw.axis import AXIS_PORTS, AxiStreamEngine, axis_layout
from smelu_hw.hw.lanes import byte_stride
from smelu_hw.registry import ACTIVATIONS
from smelu_hw.specs import ActivationSpec
from smelu_hw.verify.benches.axis_driver import PATTERNS
from smelu_hw.verify.checks import AXIS_TESTS
from smelu_hw.verify.cocotb_run import bench_environment, build_design, read_summary, run_cocotb

BENCH = "smelu_hw.verify.benches.axis"
TESTS = AXIS_TESTS

HARDSWISH = HardSwishSpec(fmt=QFormat(10, 5))  # signed gradient, fields narrower than their bytes

#: name -> (spec, lanes, latency, user_bits)
CASES = {
    "r16_l0": (REFERENCE_R16, 4, 0, 0),
    "r16_l1": (REFERENCE_R16, 4, 1, 3),
    "r16_l3": (REFERENCE_R16, 4, 3, 0),
    "r16_lanes1": (REFERENCE_R16, 1, 2, 1),
    "hardswish_signed_grad": (HARDSWISH, 3, 1, 5),
}


def axis_design(
    spec: ActivationSpec, lanes: int, latency: int, user_bits: int
) -> tuple[str, dict[str, object]]:
    """The wrapper's Verilog and manifest, as ``python -m smelu_hw.gen --interface axis`` makes them."""
    unit = generate(spec, latency=latency, lanes=lanes, interface="axis", user_bits=user_bits)
    return unit.verilog, unit.manifest


def verilog_ports(text: str, name: str) -> list[str]:
    header = re.search(rf"^module {name}\((.*?)\);", text, re.MULTILINE | re.DOTALL)
    assert header is not None
    return [port.strip() for port in header.group(1).split(",")]


@pytest.mark.parametrize("lanes", [1, 3, 4])
@pytest.mark.parametrize("spec", [REFERENCE_R16, HARDSWISH], ids=["r16", "hardswish"])
def test_layout_is_byte_aligned(spec, lanes):
    layout = axis_layout(spec, lanes, user_bits=2)
    inputs, outputs = layout["s_axis"], layout["m_axis"]
    x, g, result = inputs["fields"]["x"], inputs["fields"]["g"], outputs["fields"]["result"]
    assert (x["bits"], g["bits"]) == (spec.fmt.bits, spec.out_fmt.bits)
    for field in (x, g, result):
        assert field["bytes"] * 8 == byte_stride(field["bits"]) and field["signed"]
        assert len(field["offsets"]) == lanes
    # Fields tile TDATA whole bytes at a time: x lanes, then g lanes; result lanes.
    assert x["offsets"] == [i * x["bytes"] for i in range(lanes)]
    assert g["offsets"] == [lanes * x["bytes"] + i * g["bytes"] for i in range(lanes)]
    assert inputs["tdata_bits"] == 8 * lanes * (x["bytes"] + g["bytes"])
    assert result["offsets"] == [i * result["bytes"] for i in range(lanes)]
    assert outputs["tdata_bits"] == 8 * lanes * result["bytes"]
    assert layout["tuser"] == {
        "bits": 4,
        "fields": {"mode": [0, 2], "user": [2, 2]},
        "m_axis": "the beat's s_axis_tuser",
    }
    assert layout["reserved_modes"] == [3] and layout["reserved_result"] == 0
    json.dumps(layout)  # manifest-ready


def test_layout_widths_for_a_signed_gradient():
    layout = axis_layout(HARDSWISH, 2)
    result = layout["m_axis"]["fields"]["result"]
    assert HARDSWISH.grad_fmt.signed and result["bits"] == 10 and result["bytes"] == 2
    assert layout["s_axis"]["tdata_bits"] == 64 and layout["m_axis"]["tdata_bits"] == 32
    assert layout["tuser"]["bits"] == 2 and layout["tuser"]["fields"]["user"] == [2, 0]


def test_bad_parameters():
    unit = ACTIVATIONS["smelu"].unit
    with pytest.raises(ValueError, match="lanes"):
        AxiStreamEngine(REFERENCE_R16, 0, unit)
    with pytest.raises(ValueError, match="latency"):
        AxiStreamEngine(REFERENCE_R16, 2, unit, -1)
    with pytest.raises(ValueError, match="user_bits"):
        AxiStreamEngine(REFERENCE_R16, 2, unit, user_bits=-1)


@pytest.mark.parametrize("latency", [0, 2])
def test_verilog_ports_are_the_axi_names(latency):
    text, manifest = axis_design(REFERENCE_R16, 2, latency, 1)
    ports = verilog_ports(text, manifest["module"])
    assert sorted(ports) == sorted(AXIS_PORTS)
    assert [port["name"] for port in manifest["ports"]] == list(AXIS_PORTS)
    assert not {"clk", "rst"} & set(ports)
    widths = {port["name"]: port["width"] for port in manifest["ports"]}
    assert widths["s_axis_tdata"] == 2 * (16 + 16) and widths["m_axis_tdata"] == 2 * 16
    assert widths["s_axis_tuser"] == widths["m_axis_tuser"] == 3


@pytest.mark.parametrize("name", CASES)
def test_axis_bench(tmp_path: Path, name: str):
    spec, lanes, latency, user_bits = CASES[name]
    text, manifest = axis_design(spec, lanes, latency, user_bits)
    module = manifest["module"]
    source, manifest_path = tmp_path / f"{module}.v", tmp_path / f"{module}.json"
    source.write_text(text)
    manifest_path.write_text(json.dumps(manifest, indent=2))
    build_design([source], module, tmp_path / "build", "icarus")
    failed = run_cocotb(
        toplevel=module,
        test_module=BENCH,
        testcases=TESTS,
        build_dir=tmp_path / "build",
        test_dir=tmp_path / "run",
        simulator="icarus",
        env=bench_environment(manifest=manifest_path.resolve(), seed=7),
    )
    summaries = {test: read_summary(tmp_path / "run", test) for test in TESTS}
    assert not failed, f"{failed} failed: {[summaries[test] for test in failed]}"
    for summary in summaries.values():
        assert summary["mismatch_count"] == 0 and summary["beats"] > 0
        assert all(count > 0 for count in summary["vectors"].values()), summary["vectors"]
    frames = summaries["axis_traffic"]
    assert frames["single_beat_frames"] > 0 and frames["multi_beat_frames"] > 0
    crossings = {
        (c["idle"], c["backpressure"]) for c in frames["crossings"] if c["beats"] and not c["mismatch_count"]
    }
    assert crossings == {(i, b) for i in PATTERNS for b in PATTERNS}  # every crossing, 3 x 3
    if user_bits:
        assert frames["user_values"] > 1  # user bits travel with their beats
    throughput = summaries["axis_full_throughput"]
    assert throughput["cycles"] == throughput["beats"] + latency
    reset = summaries["axis_reset"]
    assert reset["valid_in_reset"] == reset["ready_in_reset"] == 0 and reset["edges_checked_in_reset"] > 0
    assert reset["stale_frames"] == reset["extra_frames"] == 0
    assert reset["beats_out_after_reset"] == reset["beats_sent_after_reset"]
