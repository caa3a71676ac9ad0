"""Area in µm², cells and critical path of R16, the faithful R16 and ReLU on the IHP SG13G2
cells, at the typical (1.20 V, 25 °C) and slow (1.08 V, 125 °C) corners.

Every unit is Q16.8, forward + gradient, combinational, measured by the Liberty flow with no
delay target (``synth -flatten; dfflibmap -liberty; abc -liberty; stat -liberty``, see
:mod:`smelu_hw.liberty.flow`). The delay is the static timing of the mapped netlist (inputs
driven by the smallest inverter, FO4 on every output, no wire load); ABC's own ``stime``
figure of the same netlist is printed beside it. Issue 20's first measurement, for
comparison: R16 2511 µm², faithful R16 1845 µm², ReLU 238 µm².
``--liberty FILE [--corner LABEL]`` measures on that library alone.
Needs the report extra: ``pip install -e '.[report]'``. Run: ``python benchmarks/liberty_area.py``.
"""

import argparse

from benchmarks.area import R16_FAITHFUL
from smelu_hw import QFormat, ReLUSpec
from smelu_hw.gen import generate
from smelu_hw.gen.standard import REFERENCE_R16
from smelu_hw.liberty import SG13G2_SLOW, SG13G2_TYPICAL, Drive, check_library, liberty_area
from smelu_hw.liberty.corners import add_corner_arguments, user_corner_or_exit
from smelu_hw.synth import yosys_version

UNITS = {"R16": REFERENCE_R16, "R16 faithful": R16_FAITHFUL, "ReLU": ReLUSpec(fmt=QFormat(16, 8))}
ISSUE_AREAS = {"R16": 2511, "R16 faithful": 1845, "ReLU": 238}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_corner_arguments(parser)
    args = parser.parse_args()
    user = user_corner_or_exit(args, "liberty_area")
    corners = [user] if user else [SG13G2_TYPICAL, SG13G2_SLOW]
    units = {label: generate(spec) for label, spec in UNITS.items()}
    drive = Drive.of(check_library(corners[0].liberty))
    print(
        f"{yosys_version()}, Liberty flow, no delay target; inputs driven by {drive.cell.name}, FO4 outputs"
    )
    header = f"{'unit':<13} {'corner':<28} {'µm²':>9} {'issue':>6} {'cells':>6} {'ns':>7} {'ABC ns':>7}"
    print(f"{header}  critical path")
    for corner in corners:
        for label, unit in units.items():
            result = liberty_area(unit.verilog, unit.name, corner)
            abc = f"{result.abc_delay_ns:.3f}" if result.abc_delay_ns is not None else "n/a"
            issue = ISSUE_AREAS[label] if user is None else "-"
            row = f"{label:<13} {corner.label:<28} {result.area:>9.1f} {issue:>6}"
            path = f"{result.start} -> {result.end} ({result.path_cells} cells)"
            print(f"{row} {result.cells:>6} {result.delay_ns:>7.3f} {abc:>7}  {path}")


if __name__ == "__main__":
    main()
