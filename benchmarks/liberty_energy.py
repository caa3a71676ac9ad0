"""Energy per activation in pJ of R16, the faithful R16, ReLU and the smooth units at Q16.8 on
the IHP SG13G2 cells (typical, 1.20 V, 25 °C), at 250 MHz, forward and forward + gradient.

Every unit is combinational and mapped by the Liberty flow with no delay target; its netlist
is simulated with zero delay on three streams of ``VECTORS`` input codes, one per cycle, and
priced by :func:`smelu_hw.liberty.energy_per_activation` (docs/SPEC.md §9, "Energy"):

* ``digits``: the stored digits network's hidden-layer pre-activations (24 neurons, Q16.8),
  image after image, neuron after neuron, as one unit serving the layer would see them;
* ``gauss``: a Gaussian of sigma = beta = 2 (512 codes), rounded and clipped;
* ``uniform``: codes drawn uniformly from every code.

These are the report's streams (:mod:`smelu_hw.report.streams`), so its energy section and
this script print the same figures.

Zero delay leaves out glitches, which grow with logic depth, so the deeper smooth units are
favoured. Issue 20's target: R16 on the digits stream at most 0.25x the energy per activation
of the cheapest smooth unit. With ``--opensta`` (Debian's ``opensta``, a 2019 OpenSTA without
``read_vcd``), OpenSTA's ``report_power`` is printed beside the estimate for the forward +
gradient units on the uniform stream: the inputs' measured toggle rates and duties propagated
through the logic by OpenSTA's own probabilistic model, which charges an internal-power
transition both the rise and the fall table (so its internal figure is about twice ours).
``--liberty FILE [--corner LABEL]`` measures on that library instead of the SG13G2 typical corner.
Needs the report extra: ``pip install -e '.[report]'``. Run: ``python benchmarks/liberty_energy.py``.
"""

import argparse
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.area import R16_FAITHFUL
from smelu_hw import QFormat, ReLUSpec
from smelu_hw.approx.functions import SMOOTH
from smelu_hw.gen import generate
from smelu_hw.gen.standard import REFERENCE_R16
from smelu_hw.liberty import SG13G2_TYPICAL, Corner, Drive, check_library, energy_per_activation, liberty_area
from smelu_hw.liberty.corners import add_corner_arguments, user_corner_or_exit
from smelu_hw.liberty.flow import mapped_netlist
from smelu_hw.report.streams import (
    ENERGY_CLOCK_NS,
    ENERGY_STREAMS,
    ENERGY_TARGET_RATIO,
    ENERGY_VECTORS,
    stream_codes,
)
from smelu_hw.specs import SPECS

FMT = QFormat(16, 8)
CLOCK_NS = ENERGY_CLOCK_NS
VECTORS = ENERGY_VECTORS
TARGET_RATIO = ENERGY_TARGET_RATIO
UNITS = {
    "R16": REFERENCE_R16,
    "R16 faithful": R16_FAITHFUL,
    "ReLU": ReLUSpec(fmt=FMT),
    **{
        f"{name} {method}": SPECS[name](fmt=FMT, method=method)
        for method in ("poly", "table")
        for name in SMOOTH
    },
}


def streams() -> dict[str, np.ndarray]:
    """The three streams of :data:`VECTORS` Q16.8 codes, as the report measures them."""
    return {stream: stream_codes(stream, FMT) for stream in ENERGY_STREAMS}


def opensta(
    verilog: str, top: str, codes: np.ndarray, corner: Corner = SG13G2_TYPICAL
) -> dict[str, float] | None:
    """OpenSTA's power of the mapped unit in pJ per cycle, inputs at the stream's toggle rates."""
    if shutil.which("sta") is None:
        return None
    mapped = mapped_netlist(verilog, top, corner)
    ports = mapped.netlist["modules"][top]["ports"]
    width = len(ports["x"]["bits"])
    bits = (codes[:, None] >> np.arange(width)) & 1
    activity, duty = np.abs(np.diff(bits, axis=0)).mean(axis=0), bits.mean(axis=0)
    drive = Drive.of(check_library(corner.liberty))
    lines = [
        "read_liberty cells.lib",
        "read_verilog netlist.v",
        f"link_design {top}",
        f"create_clock -name clk -period {CLOCK_NS}",
        "set_input_delay 0 -clock clk [all_inputs]",
        "set_output_delay 0 -clock clk [all_outputs]",
        f"set_driving_cell -lib_cell {drive.cell.name} [all_inputs]",
        f"set_load {drive.load} [all_outputs]",
        *(
            f"set_power_activity -input_ports [get_ports {{x[{k}]}}] -activity {activity[k]} -duty {duty[k]}"
            for k in range(width)
        ),
        "report_power -digits 6",
        "exit",
    ]
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        shutil.copy(corner.liberty, work / "cells.lib")
        # This OpenSTA reads no concatenation on the left of an assign; those name internal
        # wires only (no cell pin), so they are left out.
        kept = [line for line in mapped.verilog.splitlines() if not line.startswith("  assign {")]
        (work / "netlist.v").write_text("\n".join(kept) + "\n")
        (work / "power.tcl").write_text("\n".join(lines) + "\n")
        result = subprocess.run(
            ["sta", "-no_splash", "-no_init", "-exit", "power.tcl"], cwd=work, capture_output=True, text=True
        )
    total = re.search(r"^Total\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)", result.stdout, re.M)
    if total is None:
        return None
    watts = [float(value) for value in total.groups()]
    return dict(
        zip(("internal", "switching", "leakage", "total"), (w * CLOCK_NS * 1e3 for w in watts), strict=True)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--opensta", action="store_true", help="compare with OpenSTA's report_power")
    add_corner_arguments(parser)
    args = parser.parse_args()
    corner = user_corner_or_exit(args, "liberty_energy") or SG13G2_TYPICAL
    data = streams()
    print(
        f"{corner.label}, {1e3 / CLOCK_NS:.0f} MHz ({CLOCK_NS} ns), zero delay, "
        f"{VECTORS} vectors per stream; pJ per activation (internal + switching + leakage)"
    )
    header = f"{'unit':<16} {'grad':<5} {'ns':>6} " + " ".join(f"{name:>8}" for name in data)
    print(f"{header}  toggles/act (digits)  internal/switching (digits)")
    table: dict[tuple[str, bool], dict[str, float]] = {}
    started = time.perf_counter()
    for with_grad in (False, True):
        for label, spec in UNITS.items():
            unit = generate(spec, with_grad=with_grad)
            delay = liberty_area(unit.verilog, unit.name, corner).delay_ns
            energies = {
                name: energy_per_activation(unit.verilog, unit.name, codes, corner=corner)
                for name, codes in data.items()
            }
            table[label, with_grad] = {name: energy.total_pj for name, energy in energies.items()}
            digits = energies["digits"]
            row = f"{label:<16} {'yes' if with_grad else 'no':<5} {delay:>6.2f} "
            row += " ".join(f"{energy.total_pj:>8.3f}" for energy in energies.values())
            print(f"{row}  {digits.toggles:>8.1f}  {digits.internal_pj:.3f}/{digits.switching_pj:.3f}")
    print(f"({time.perf_counter() - started:.0f} s)")
    for with_grad in (False, True):
        smooth = {
            label: row
            for (label, grad), row in table.items()
            if grad == with_grad and label.split()[0] in SMOOTH
        }
        faithful = {label: row for label, row in smooth.items() if label.endswith("poly")}
        for name in data:
            cheapest = min(smooth, key=lambda label: smooth[label][name])
            poly = min(faithful, key=lambda label: faithful[label][name])
            for label in ("R16", "R16 faithful"):
                mine = table[label, with_grad][name]
                ratio = mine / smooth[cheapest][name]
                verdict = ""
                if name == "digits" and label == "R16":
                    verdict = f"  target <= {TARGET_RATIO}: {'met' if ratio <= TARGET_RATIO else 'missed'}"
                print(
                    f"{'fwd+grad' if with_grad else 'fwd':<8} {name:<8} {label:<13} / cheapest smooth "
                    f"({cheapest}, {smooth[cheapest][name]:.3f} pJ) = {ratio:.2f}; / cheapest faithful "
                    f"({poly}, {faithful[poly][name]:.3f} pJ) = {mine / faithful[poly][name]:.2f}{verdict}"
                )
    if args.opensta:
        for label in ("R16", "R16 faithful", "ReLU"):
            unit = generate(UNITS[label])
            theirs = opensta(unit.verilog, unit.name, data["uniform"], corner)
            ours = energy_per_activation(unit.verilog, unit.name, data["uniform"], corner=corner)
            if theirs is None:
                print("OpenSTA (sta) is not installed or printed no power")
                break
            print(
                f"OpenSTA {label:<13} internal {theirs['internal']:.3f} switching {theirs['switching']:.3f} "
                f"leakage {theirs['leakage']:.5f} pJ; ours {ours.internal_pj:.3f} "
                f"{ours.switching_pj - ours.input_pj:.3f} (without the inputs' nets) {ours.leakage_pj:.5f}"
            )


if __name__ == "__main__":
    main()
