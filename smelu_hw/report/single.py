"""A report of one generated unit: ``python -m smelu_hw.report build/MODULE.json``.

It measures exactly the unit the user generated, through the report's own flows and cache:
the Verilog file beside the manifest for every area metric (the house CMOS transistors, gate
equivalents, iCE40, ECP5 and Xilinx cells), the Liberty flow on the IHP SG13G2 cells (µm²,
cells and critical path at the typical and slow corners) and its energy per activation on
uniform input codes at 250 MHz; the golden model rebuilt from the manifest for the error
statistics; and, for a unit (not an engine), the same unit regenerated at latencies 0 to 4 for
Fmax in the timing harness on iCE40 and ECP5, the file's own latency among them (a unit
without the gradient and an engine have no Fmax table: the harness builds units with it).

The report is ``MODULE.report.md`` and ``MODULE.report.json``, written beside the manifest (or
into ``--out-dir``) once every measurement is done.
"""

from __future__ import annotations

import json
from concurrent.futures import Executor
from dataclasses import asdict
from pathlib import Path

from ..gen.files import write_atomically
from ..liberty import SG13G2_SLOW, SG13G2_TYPICAL, energy_per_activation, liberty_area
from ..synth import FLOP_TRANSISTORS, FLOWS, measure, registered_area
from ..verify.design import Design
from .sweep import DEVICES, ENERGY_CLOCK_NS, ENERGY_VECTORS, LATENCIES, energy_codes, error_columns, unit_fmax

__all__ = ["unit_report", "write_unit_report"]


def _area(flow: str, verilog: str, top: str, registered: bool) -> dict[str, object]:
    """One area flow's figures; the house metric of a unit with registers counts its logic and
    :data:`~smelu_hw.synth.FLOP_TRANSISTORS` per flip-flop bit, as the sweep does."""
    if flow == "cmos" and registered:
        split = registered_area(verilog, top)
        return {
            "transistors": split.logic + FLOP_TRANSISTORS * split.flops,
            "flops": split.flops,
            "cells": {},
        }
    stat = measure(flow, verilog, top)
    keep = ("transistors", "depth", "area", "num_cells")
    return {key: stat[key] for key in keep if key in stat} | {"cells": stat.get("num_cells_by_type", {})}


def _liberty(verilog: str, top: str) -> dict[str, dict[str, object]]:
    result = {}
    for corner in (SG13G2_TYPICAL, SG13G2_SLOW):
        area = liberty_area(verilog, top, corner)
        result[corner.label] = {
            "um2": round(area.area, 2),
            "cells": area.cells,
            "delay_ns": round(area.delay_ns, 3),
            "critical_path": f"{area.start} -> {area.end}",
        }
    return result


def _energy(design: Design) -> dict[str, object]:
    codes = energy_codes(design.model.spec.fmt)
    energy = energy_per_activation(design.verilog, design.name, codes, clock_ns=ENERGY_CLOCK_NS)
    return asdict(energy) | {"total_pj": energy.total_pj, "stream": f"{ENERGY_VECTORS} uniform codes"}


def unit_report(design: Design, pool: Executor) -> dict[str, object]:
    """Every measurement of ``design`` (see the module), run on ``pool``; JSON-ready."""
    verilog, name = design.verilog, design.name
    spec = design.model.spec
    registered = design.latency > 0 or design.is_axis
    area = {flow: pool.submit(_area, flow, verilog, name, registered) for flow in FLOWS}
    liberty = pool.submit(_liberty, verilog, name)
    energy = None if design.is_engine else pool.submit(_energy, design)
    errors = pool.submit(error_columns, spec)
    fmax = {}
    if not design.is_engine and design.manifest["grad"] is not None:  # the harness's unit has dy
        fmax = {
            (device, latency): pool.submit(unit_fmax, spec, device, latency)
            for device in DEVICES
            for latency in LATENCIES
        }
    return {
        "module": name,
        "sha256": design.sha256,
        "latency": design.latency,
        "area": {flow: future.result() for flow, future in area.items()},
        "liberty": liberty.result(),
        "energy": None if energy is None else energy.result(),
        "errors": errors.result(),
        "fmax_mhz": {
            device: {str(latency): round(fmax[device, latency].result(), 2) for latency in LATENCIES}
            for device in DEVICES
        }
        if fmax
        else None,
    }


def _house(cmos: dict[str, object]) -> str:
    if "flops" in cmos:
        return (
            f"{cmos['transistors']:,} transistors, {cmos['flops']} flip-flop bits at {FLOP_TRANSISTORS} each"
        )
    return f"{cmos['transistors']:,} transistors, depth {cmos['depth']} gates"


def _cells(counts: dict[str, int]) -> str:
    return ", ".join(f"{cell} {count}" for cell, count in sorted(counts.items()))


def _markdown(report: dict[str, object]) -> str:
    area, liberty, errors = report["area"], report["liberty"], report["errors"]
    lines = [
        f"# Unit report: `{report['module']}`",
        "",
        f"Verilog sha256 `{report['sha256']['verilog']}`, latency {report['latency']}.",
        "",
        "## Area",
        "",
        "| metric | value |",
        "|---|---|",
        f"| house metric (Yosys `stat -tech cmos`) | {_house(area['cmos'])} |",
        f"| gate equivalents (NAND2 = 1) | {float(area['ge']['area']):,.1f} |",
        *(f"| {flow} cells | {_cells(area[flow]['cells'])} |" for flow in ("ice40", "ecp5", "xilinx")),
        *(
            f"| {corner} | {figures['um2']:,.1f} µm², {figures['cells']} cells, critical path "
            f"{figures['delay_ns']:.3f} ns ({figures['critical_path']}) |"
            for corner, figures in liberty.items()
        ),
        "",
    ]
    energy = report["energy"]
    if energy is not None:
        lines += [
            "## Energy per activation",
            "",
            f"{energy['total_pj']:.3f} pJ (internal {energy['internal_pj']:.3f}, switching "
            f"{energy['switching_pj']:.3f}, leakage {energy['leakage_pj']:.2e}) on {energy['stream']} at "
            f"{1000 / energy['clock_ns']:.0f} MHz, SG13G2 typical, zero-delay simulation (docs/SPEC.md §9).",
            "",
        ]
    if report["fmax_mhz"] is not None:
        lines += ["## Fmax per latency (MHz, timing harness with registered I/O, nextpnr seed 1)", ""]
        lines += ["| device | " + " | ".join(f"L={latency}" for latency in LATENCIES) + " |"]
        lines += ["|---|" + "---|" * len(LATENCIES)]
        lines += [
            f"| {device} | " + " | ".join(f"{mhz:.1f}" for mhz in figures.values()) + " |"
            for device, figures in report["fmax_mhz"].items()
        ]
        lines.append("")
    lines += [
        "## Errors against the exact function",
        "",
        f"- forward: max {errors['fwd_max_ulp']} ULP, mean {errors['fwd_mean_ulp']} ULP, "
        f"{errors['fwd_non_faithful']} non-faithful codes",
        f"- gradient: max {errors['grad_max_ulp']} ULP, mean {errors['grad_mean_ulp']} ULP, "
        f"{errors['grad_non_faithful']} non-faithful codes",
        f"- monotonicity violations {errors['monotonic_violations']}, largest gradient step "
        f"{errors['grad_max_jump_ulp']} ULP; codes: {errors['error_codes']}",
    ]
    return "\n".join(lines) + "\n"


def write_unit_report(report: dict[str, object], out_dir: Path) -> list[Path]:
    """Write ``MODULE.report.json`` and ``MODULE.report.md`` into ``out_dir`` atomically."""
    out_dir.mkdir(parents=True, exist_ok=True)
    texts = {
        f"{report['module']}.report.json": json.dumps(report, indent=1) + "\n",
        f"{report['module']}.report.md": _markdown(report),
    }
    return [write_atomically(out_dir / name, text) for name, text in texts.items()]
