"""The Liberty flow against the library's own numbers, read from the Liberty text here by hand.

Areas and tables are taken from the shipped SG13G2 typical file with regular expressions, not
with :mod:`smelu_hw.liberty`'s reader, and the delays are computed again by hand from the
flow's stated assumptions (docs/SPEC.md §9, "The Liberty flow"): inputs driven by the smallest
inverter (its delay under the load minus its delay under none, from a zero slew), outputs
loaded with four of its inputs, no wire load.
"""

from __future__ import annotations

import re
import shutil
from itertools import pairwise

import numpy as np
import pytest

from smelu_hw.liberty import SG13G2_SLOW, SG13G2_TYPICAL, Corner, LibertyError, check_library, liberty_area

TEXT = SG13G2_TYPICAL.liberty.read_text()
#: A cell's group: from its header to its closing brace, the first line that is only "  }".
CELL = re.compile(r"\n  cell \((\w+)\) \{.*?\n  \}(?=\n)", re.S)
BLOCKS = {match[1]: match[0] for match in CELL.finditer(TEXT)}
AREAS = {name: float(re.search(r"area : ([\d.]+);", block)[1]) for name, block in BLOCKS.items()}
#: Two delays from the same decimal numbers by the same arithmetic differ only by float64
#: rounding, some 1e-16 ns; 1e-9 ns (a millionth of a picosecond) leaves room for nothing else.
SAME = 1e-9


def _table(block: str, name: str):
    """The named table of a cell with one timing arc, as a function of (slew, load)."""
    match = re.search(
        name + r' \(\w+\) \{\s*index_1 \("([^"]*)"\);\s*index_2 \("([^"]*)"\);\s*values \(([^;]*)\);', block
    )
    slews, loads = (np.array([float(v) for v in match[k].split(",")]) for k in (1, 2))
    values = np.array([[float(v) for v in row.split(",")] for row in re.findall(r'"([^"]*)"', match[3])])

    def segment(index: np.ndarray, at: float) -> tuple[int, float]:
        i = int(np.clip(np.searchsorted(index, at, side="right") - 1, 0, len(index) - 2))
        return i, (at - index[i]) / (index[i + 1] - index[i])

    def lookup(slew: float, load: float) -> float:
        """Bilinear interpolation, extrapolated linearly beyond the table's edges."""
        i, u = segment(slews, slew)
        j, v = segment(loads, load)
        low, high = (values[k, j] + v * (values[k, j + 1] - values[k, j]) for k in (i, i + 1))
        return float(low + u * (high - low))

    return lookup


def _pin_caps(block: str, pin: str) -> tuple[float, float, float]:
    group = re.search(r"pin \(" + pin + r"\) \{(.*?)\n    \}", block, re.S)[1]
    return tuple(
        float(re.search(rf"\b{kind} : ([\d.]+);", group)[1])
        for kind in ("capacitance", "rise_capacitance", "fall_capacitance")
    )


def _chain(stages: int) -> str:
    wires = ["a", *(f"w[{k}]" for k in range(stages - 1)), "y"]
    cells = " ".join(f"sg13g2_inv_1 i{k} (.A({wires[k]}), .Y({wires[k + 1]}));" for k in range(stages))
    return f"module chain (input a, output y); wire [{max(stages - 2, 0)}:0] w; {cells} endmodule"


def _hand_chain_delay(stages: int) -> float:
    """The chain's delay by hand: each stage's cell_rise (from a falling input) and cell_fall
    (from a rising one) at its input slew and its load, the next stage's pin or FO4."""
    smallest = min(
        (name for name, block in BLOCKS.items() if 'cell_footprint : "inv"' in block), key=AREAS.get
    )
    assert smallest == "sg13g2_inv_1"
    block = BLOCKS["sg13g2_inv_1"]
    delay = [_table(block, "cell_rise"), _table(block, "cell_fall")]
    slew = [_table(block, "rise_transition"), _table(block, "fall_transition")]
    cap, *pin = _pin_caps(block, "A")
    fo4 = 4 * cap
    arrival = [delay[e](0.0, pin[e]) - delay[e](0.0, 0.0) for e in (0, 1)]  # the driving inverter
    slews = [slew[e](0.0, pin[e]) for e in (0, 1)]
    for stage in range(stages):
        load = pin if stage < stages - 1 else [fo4, fo4]
        arrival, slews = (
            [arrival[1 - e] + delay[e](slews[1 - e], load[e]) for e in (0, 1)],
            [slew[e](slews[1 - e], load[e]) for e in (0, 1)],
        )
    return max(arrival)


def test_the_area_of_a_netlist_is_the_sum_of_its_cells_areas():
    verilog = (
        "module few (input a, b, c, d, output y, z);\n"
        "  assign y = (a & b) | (c ^ d);\n  assign z = ~(a | c);\nendmodule\n"
    )
    result = liberty_area(verilog, "few")
    assert result.cells == sum(result.cells_by_type.values()) >= 3
    expected = sum(AREAS[kind] * count for kind, count in result.cells_by_type.items())
    assert result.area == pytest.approx(expected, abs=1e-4)  # Yosys prints six decimals
    assert (result.flops, result.library) == (0, "sg13g2_stdcell_typ_1p20V_25C")


def test_a_wire_costs_no_area_and_names_its_ends():
    result = liberty_area("module wire_only (input a, output y); assign y = a; endmodule\n", "wire_only")
    assert (result.area, result.cells, result.start, result.end, result.path_cells) == (0.0, 0, "a", "y", 0)


def test_a_flip_flop_costs_its_cells_area():
    verilog = "module one (input clk, input d, output reg q); always @(posedge clk) q <= d; endmodule\n"
    result = liberty_area(verilog, "one")
    [(kind, count)] = result.cells_by_type.items()
    assert count == 1 and result.flops == 1
    assert "\n    ff (" in BLOCKS[kind]  # the library's own flip-flop, picked by dfflibmap
    assert result.area == pytest.approx(AREAS[kind], abs=1e-4)
    assert result.start == f"q ({kind}.CLK)" and result.end == "q"


@pytest.mark.parametrize("stages", [1, 2, 3, 6])
def test_the_delay_of_an_inverter_chain_is_the_hand_lookup(stages):
    result = liberty_area(_chain(stages), "chain")
    assert result.cells_by_type == {"sg13g2_inv_1": stages}
    assert (result.start, result.end, result.path_cells) == ("a", "y", stages)
    assert result.delay_ns == pytest.approx(_hand_chain_delay(stages), abs=SAME)


def test_the_chain_delay_grows_with_its_length_and_at_the_slow_corner():
    delays = [liberty_area(_chain(stages), "chain").delay_ns for stages in (1, 2, 3, 6)]
    assert all(shorter < longer for shorter, longer in pairwise(delays))
    # One more stage costs at least the fastest table entry of the inverter (its smallest delay).
    block = BLOCKS["sg13g2_inv_1"]
    fastest = min(_table(block, name)(0.0186, 0.001) for name in ("cell_rise", "cell_fall"))
    assert delays[3] - delays[2] > 3 * fastest > 0
    assert liberty_area(_chain(6), "chain", SG13G2_SLOW).delay_ns > 1.2 * delays[3]


def test_abc_stime_agrees_with_the_analysis_on_mapped_logic():
    verilog = "module tree (input [7:0] a, b, output y); assign y = |(a & b); endmodule\n"
    result = liberty_area(verilog, "tree")
    assert result.path_cells >= 3
    # ABC writes whole picoseconds, truncated; same model, same drive and load (drive.constr).
    assert 0 <= result.delay_ns - result.abc_delay_ns < 0.001


def test_any_liberty_file_can_be_given(tmp_path):
    copy = tmp_path / "my_cells.lib"
    shutil.copy(SG13G2_TYPICAL.liberty, copy)
    verilog = "module few (input a, b, output y); assign y = a ^ b; endmodule\n"
    mine = liberty_area(verilog, "few", Corner.of(copy))
    shipped = liberty_area(verilog, "few")
    assert (mine.area, mine.delay_ns, mine.corner) == (shipped.area, shipped.delay_ns, "my_cells")


def _without(predicate) -> str:
    return CELL.sub(lambda match: "" if predicate(match[0]) else match[0], TEXT)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read the Liberty file"),
        ("this is not { a liberty file", "is not a readable Liberty file: line 1:"),
        (_without(lambda block: "\n    ff (" in block), "has no D flip-flop"),
        (_without(lambda block: 'function : "!(A)"' in block), "has no inverter"),
    ],
    ids=["missing", "garbage", "no-flip-flop", "no-inverter"],
)
def test_a_bad_library_is_refused_with_one_line(tmp_path, content, message):
    path = tmp_path / "bad.lib"
    if content is not None:
        path.write_text(content)
    with pytest.raises(LibertyError, match=re.escape(message)) as error:
        check_library(path)
    assert "\n" not in str(error.value) and str(path) in str(error.value)
    with pytest.raises(LibertyError, match=re.escape(message)):
        liberty_area("module t (input a, output y); assign y = a; endmodule\n", "t", Corner.of(path))


def test_a_delay_target_must_be_a_positive_integer():
    with pytest.raises(ValueError, match="delay_ps must be a positive integer, not 0"):
        liberty_area("module t (input a, output y); assign y = a; endmodule\n", "t", delay_ps=0)
