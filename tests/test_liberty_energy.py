"""Energy per activation against energies computed here by hand from the Liberty text.

The tables, capacitances and leakages are read from the shipped SG13G2 typical file with
regular expressions (the helpers of ``tests/test_liberty.py``), not with
:mod:`smelu_hw.liberty`'s reader, and combined by the model's stated rules (docs/SPEC.md §9,
"Energy"). The zero-delay simulation is checked against Icarus running the same mapped netlist
on the library's own cell models, and both against the golden model.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import numpy as np
import pytest

from smelu_hw import QFormat, SmeLUSpec
from smelu_hw.gen import generate
from smelu_hw.liberty import SG13G2_TYPICAL, read_library
from smelu_hw.liberty.energy import energy_per_activation, stream_energy
from smelu_hw.liberty.flow import mapped_netlist
from smelu_hw.liberty.gatesim import simulate
from smelu_hw.models import model_for
from tests.test_liberty import BLOCKS, TEXT, _pin_caps, _table

VOLTS = float(re.search(r"nom_voltage : ([\d.]+);", TEXT)[1])
CLOCK_NS = 4.0
INV = BLOCKS["sg13g2_inv_1"]
#: The boundary (SPEC §9): inputs driven by the smallest inverter, FO4 on every output.
FO4 = 4 * _pin_caps(INV, "A")[0]


def _leakage(cell: str) -> float:
    """A cell's leakage over one period in pJ: pW times ns is 1e-21 J, 1e-9 pJ."""
    return float(re.search(r"cell_leakage_power : ([\d.]+);", BLOCKS[cell])[1]) * CLOCK_NS * 1e-9


def _driven_slew(load_rise: float, load_fall: float) -> tuple[float, float]:
    """The slew of an input net: the driving inverter's transitions under its load, from a zero
    slew; the ideal clock's is the one under FO4."""
    return _table(INV, "rise_transition")(0.0, load_rise), _table(INV, "fall_transition")(0.0, load_fall)


def _group(block: str, header: str, kind: str):
    """The table ``kind`` of the first ``internal_power`` group after the text ``header``."""
    return _table(block[block.index(header) :], kind)


def _passive(block: str, header: str, kind: str) -> float:
    """The first one-dimensional (slew only) or scalar table ``kind`` after ``header``."""
    text = block[block.index(header) :]
    match = re.search(kind + r' \((\w+)\) \{\s*(?:index_1 \("([^"]*)"\);)?\s*values \(([^;]*)\);', text)
    values = [float(v) for v in re.findall(r'"([^"]*)"', match[3])[0].split(",")]
    if match[1] == "scalar":
        return lambda slew: values[0]
    slews = [float(v) for v in match[2].split(",")]

    def lookup(slew: float) -> float:
        """Linear interpolation, extrapolated from the two nearest entries (a slew may be
        below the table's first index)."""
        i = int(np.clip(np.searchsorted(slews, slew, side="right") - 1, 0, len(slews) - 2))
        return values[i] + (slew - slews[i]) * (values[i + 1] - values[i]) / (slews[i + 1] - slews[i])

    return lookup


def _energy(verilog: str, top: str, inputs: dict, clock: str | None = None):
    library = read_library(SG13G2_TYPICAL.liberty)
    netlist = mapped_netlist(verilog, top).netlist
    return stream_energy(netlist, top, library, inputs, clock_ns=CLOCK_NS, clock=clock)


def test_an_inverter_costs_its_tables_its_capacitances_and_its_leakage():
    verilog = "module one (input a, output y); sg13g2_inv_1 i0 (.A(a), .Y(y)); endmodule\n"
    a = [0, 1, 1, 0, 1]  # a: 2 rises, 1 fall; y: 1 rise, 2 falls; 4 transitions
    result = _energy(verilog, "one", {"a": np.array(a)})
    _, cap_rise, cap_fall = _pin_caps(INV, "A")
    slew_rise, slew_fall = _driven_slew(cap_rise, cap_fall)
    # y rises when a falls (negative unate): rise_power at a's fall slew, and the reverse.
    internal = _table(INV, "rise_power")(slew_fall, FO4) + 2 * _table(INV, "fall_power")(slew_rise, FO4)
    switching = 0.5 * VOLTS**2 * ((2 * cap_rise + cap_fall) + 3 * FO4)
    assert result.activations == 4 and result.toggles == 6 / 4
    assert result.internal_pj == pytest.approx(internal / 4, rel=1e-12)
    assert result.switching_pj == pytest.approx(switching / 4, rel=1e-12)
    assert result.input_pj == pytest.approx(0.5 * VOLTS**2 * (2 * cap_rise + cap_fall) / 4, rel=1e-12)
    assert result.leakage_pj == pytest.approx(_leakage("sg13g2_inv_1"), rel=1e-9)
    assert result.total_pj == result.internal_pj + result.switching_pj + result.leakage_pj


def test_a_nand_output_toggled_by_both_inputs_costs_the_mean_of_their_arcs():
    block = BLOCKS["sg13g2_nand2_1"]
    verilog = "module two (input a, b, output y); sg13g2_nand2_1 n0 (.A(a), .B(b), .Y(y)); endmodule\n"
    # (a, b): (0,0) -> (1,1) -> (1,0) -> (1,1): y falls (both inputs rose), rises (b fell), falls.
    result = _energy(verilog, "two", {"a": np.array([0, 1, 1, 1]), "b": np.array([0, 1, 0, 1])})
    caps = {pin: _pin_caps(block, pin) for pin in "AB"}
    slews = {pin: _driven_slew(caps[pin][1], caps[pin][2]) for pin in "AB"}
    arcs = {pin: f'internal_power () {{\n        related_pin : "{pin}";' for pin in "AB"}
    fall = {pin: _group(block, arcs[pin], "fall_power")(slews[pin][0], FO4) for pin in "AB"}
    rise_b = _group(block, arcs["B"], "rise_power")(slews["B"][1], FO4)
    internal = (fall["A"] + fall["B"]) / 2 + rise_b + fall["B"]
    switching = caps["A"][1] + 2 * caps["B"][1] + caps["B"][2] + 3 * FO4
    assert result.toggles == 7 / 3
    assert result.internal_pj == pytest.approx(internal / 3, rel=1e-12)
    assert result.switching_pj == pytest.approx(0.5 * VOLTS**2 * switching / 3, rel=1e-12)


def test_a_register_pays_its_clock_every_cycle_and_its_output_arc_when_it_toggles():
    block = BLOCKS["sg13g2_dfrbpq_1"]
    verilog = (
        "module reg1 (input clk, d, output q);\n"
        "  sg13g2_dfrbpq_1 f0 (.CLK(clk), .D(d), .RESET_B(1'b1), .Q(q));\nendmodule\n"
    )
    result = _energy(verilog, "reg1", {"d": np.array([1, 1, 0, 0])}, clock="clk")  # q: 0 1 1 0
    clock_rise, _ = _driven_slew(FO4, FO4)
    _, clk_rise_cap, clk_fall_cap = _pin_caps(block, "CLK")
    _, _, d_fall_cap = _pin_caps(block, "D")
    d_fall_slew = _driven_slew(d_fall_cap, d_fall_cap)[1]
    _, clock_fall = _driven_slew(FO4, FO4)

    def clk(when: str, kind: str, slew: float) -> float:
        return _passive(block, f'when : "{when}";', kind)(slew)

    # The clock pin: its rise read before the edge (D, Q of the last cycle), its fall after it.
    edges = [("D * RESET_B * !Q", "D * RESET_B * Q"), ("D * RESET_B * Q", "!D * RESET_B * Q")]
    edges.append(("!D * RESET_B * Q", "!D * RESET_B * !Q"))
    clock = sum(
        clk(f"({r})", "rise_power", clock_rise) + clk(f"({f})", "fall_power", clock_fall) for r, f in edges
    )
    arc = 'internal_power () {\n        related_pin : "CLK";'
    q = _group(block, arc, "rise_power")(clock_rise, FO4) + _group(block, arc, "fall_power")(clock_rise, FO4)
    d = _passive(block, 'when : "CLK";', "fall_power")(d_fall_slew)  # d falls, clock high
    clock_net = 3 * (clk_rise_cap + clk_fall_cap)
    assert result.toggles == 3 / 3  # d once, q twice; the clock is not counted
    assert result.clock_pj == pytest.approx((clock + 0.5 * VOLTS**2 * clock_net) / 3, rel=1e-12)
    assert result.internal_pj == pytest.approx((clock + q + d) / 3, rel=1e-12)
    switching = 0.5 * VOLTS**2 * (clock_net + d_fall_cap + 2 * FO4)
    assert result.switching_pj == pytest.approx(switching / 3, rel=1e-12)
    assert result.leakage_pj == pytest.approx(_leakage("sg13g2_dfrbpq_1"), rel=1e-9)


def test_a_constant_stream_costs_only_leakage():
    unit = generate(SmeLUSpec(beta=1.0, fmt=QFormat(8, 4)))
    result = energy_per_activation(unit.verilog, unit.name, np.full(16, 5), clock_ns=CLOCK_NS)
    assert (result.internal_pj, result.switching_pj, result.toggles) == (0.0, 0.0, 0.0)
    assert result.leakage_pj > 0 and result.activations == 15


def test_energy_grows_with_the_stream_activity():
    unit = generate(SmeLUSpec(beta=1.0, fmt=QFormat(8, 4)))
    rng = np.random.default_rng(1)
    quiet = energy_per_activation(unit.verilog, unit.name, np.repeat(rng.integers(-128, 128, 64), 8))
    busy = energy_per_activation(unit.verilog, unit.name, rng.integers(-128, 128, 512))
    assert 0 < quiet.total_pj < busy.total_pj and quiet.toggles < busy.toggles
    assert quiet.leakage_pj == busy.leakage_pj


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"codes": [3]}, "a stream needs at least two codes, not 1"),
        ({"clock_ns": 0}, "clock_ns must be a positive number, not 0"),
        ({"port": "z"}, "has no input port 'z'"),
    ],
)
def test_bad_arguments_are_refused(kwargs, message):
    unit = generate(SmeLUSpec(beta=1.0, fmt=QFormat(8, 4)))
    arguments = {"codes": [1, 2, 3], **kwargs}
    with pytest.raises(ValueError, match=re.escape(message)):
        energy_per_activation(unit.verilog, unit.name, arguments.pop("codes"), **arguments)


def _icarus(mapped, top: str, codes: np.ndarray, work) -> dict[str, np.ndarray]:
    """The outputs of the mapped netlist on the cell models, sampled once per cycle."""
    ports = mapped.netlist["modules"][top]["ports"]
    outputs = [name for name, port in ports.items() if port["direction"] == "output"]
    width = len(ports["x"]["bits"])
    held = {"in_valid": "1'b1", "rst": "1'b0"}
    connections = ", ".join(
        f".{name}({held.get(name, name)})"
        for name, port in ports.items()
        if name in (*outputs, "x", "clk", *held)
    )
    wires = "".join(f"  wire [{len(ports[name]['bits']) - 1}:0] {name};\n" for name in outputs)
    prints = " ".join(f"{name}=%0d" for name in outputs)
    bench = (
        f"`timescale 1ns/10ps\nmodule bench;\n  reg clk = 0;\n  reg [{width - 1}:0] x = 0;\n{wires}"
        f"  reg [{width - 1}:0] codes [0:{len(codes) - 1}];\n  integer k;\n  {top} dut ({connections});\n"
        '  initial begin\n    $readmemh("codes.hex", codes);\n'
        f"    for (k = 0; k < {len(codes)}; k = k + 1) begin\n"
        f'      clk = 1; #1 x = codes[k]; #4 clk = 0; #3 $display("{prints}", {", ".join(outputs)}); #2;\n'
        "    end\n    $finish;\n  end\nendmodule\n"
    )
    pdk = SG13G2_TYPICAL.liberty.parent
    # Icarus 11 does not drive the delayed signals of timing checks: use the pins themselves.
    cells = re.sub(r"\bdelayed_(\w+)\b", r"\1", (pdk / "sg13g2_stdcell.v").read_text())
    files = {"bench.v": bench, "netlist.v": mapped.verilog, "cells.v": cells}
    files["codes.hex"] = "".join(f"{code & ((1 << width) - 1):x}\n" for code in codes)
    for name, text in files.items():
        (work / name).write_text(text)
    sources = ["bench.v", "netlist.v", "cells.v", str(pdk / "sg13g2_udp.v")]
    subprocess.run(["iverilog", "-o", "bench.vvp", *sources], cwd=work, check=True, capture_output=True)
    lines = subprocess.run(["vvp", "-n", "bench.vvp"], cwd=work, check=True, capture_output=True, text=True)
    rows = [
        dict(item.split("=") for item in line.split()) for line in lines.stdout.splitlines() if "=" in line
    ]
    # An output still unknown (before the first clock edge fills the register) reads -1.
    return {
        name: np.array([int(row[name]) if row[name].isdigit() else -1 for row in rows]) for name in outputs
    }


@pytest.mark.skipif(shutil.which("iverilog") is None, reason="needs Icarus Verilog")
def test_the_zero_delay_simulation_equals_icarus_on_the_cell_models_and_the_golden_model(tmp_path):
    spec = SmeLUSpec(beta=1.0, fmt=QFormat(8, 4))
    unit = generate(spec, latency=1)
    mapped = mapped_netlist(unit.verilog, unit.name)
    codes = np.random.default_rng(2).permutation(np.arange(-128, 128))
    inputs = {"x": codes, "in_valid": 1, "rst": 0}
    trace = simulate(mapped.netlist, unit.name, read_library(SG13G2_TYPICAL.liberty), inputs, clock="clk")
    assert any(inst.cell.ff is not None for inst in trace.instances)
    icarus = _icarus(mapped, unit.name, codes, tmp_path)
    model = model_for(spec)
    # One register stage: cycle k shows the code of cycle k - 1 (cycle 0 the reset state).
    assert np.array_equal(trace.port("y", signed=True)[1:], model.forward(codes[:-1]))
    assert np.array_equal(trace.port("dy")[1:], model.grad(codes[:-1]))
    for name, values in icarus.items():
        assert np.array_equal(values[1:], trace.port(name)[1:]), name
