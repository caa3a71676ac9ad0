"""A report of one generated unit: ``python -m smelu_hw.report build/MODULE.json``.

It measures exactly the unit the user generated, through the report's own flows and cache:
the Verilog file beside the manifest for every area metric (the house CMOS transistors, gate
equivalents, iCE40, ECP5 and Xilinx cells), the Liberty flow (µm², cells and critical path)
on the IHP SG13G2 cells at the typical and slow corners, or on the user's ``--liberty FILE``
alone, and its energy per activation on uniform input codes at 250 MHz at that first corner;
the golden model rebuilt from the manifest for the error statistics; and, for a unit (not
an engine), the same unit regenerated at latencies 0 to 4 for
Fmax in the timing harness on iCE40 and ECP5, the file's own latency among them (a unit
without the gradient and an engine have no Fmax table: the harness builds units with it), and
for area against delay (:mod:`smelu_hw.liberty.pareto`, the full report's ``pareto`` jobs:
latencies 0 to 4 by every ABC delay target, at the same corners), with the smallest area that
meets 250 MHz, 500 MHz and 1 GHz at the first corner and 250 MHz at SG13G2's slow one.

The report is ``MODULE.report.md`` and ``MODULE.report.json``, written beside the manifest (or
into ``--out-dir``) once every measurement is done.
"""

from __future__ import annotations

import json
from concurrent.futures import Executor
from dataclasses import asdict
from pathlib import Path

from ..gen.files import write_atomically
from ..liberty import SG13G2_SLOW, SG13G2_TYPICAL, Corner, energy_per_activation, liberty_area
from ..liberty.pareto import (
    DELAY_TARGETS_PS,
    Point,
    pareto_front,
    smallest_at_clock,
)
from ..synth import FLOP_TRANSISTORS, FLOWS, measure, registered_area
from ..verify.design import Design
from .frontier import EQUAL_CLOCKS, SLOW, latency_columns, row_points
from .streams import ENERGY_CLOCK_NS, ENERGY_VECTORS, energy_codes
from .sweep import DEVICES, LATENCIES, error_columns, unit_fmax

__all__ = ["PARETO_POINTS", "unit_corners", "unit_report", "write_unit_report"]

#: The area-against-delay sweep of a unit: (latency, ABC delay target), as the full report's.
PARETO_POINTS: tuple[tuple[int, int | None], ...] = tuple(
    (latency, target) for latency in LATENCIES for target in DELAY_TARGETS_PS
)


def unit_corners(corner: Corner = SG13G2_TYPICAL) -> tuple[tuple[str, Corner], ...]:
    """The corners a unit is measured at, (column prefix, corner), as the full report's:
    ``corner``, and SG13G2's slow corner beside SG13G2's typical one."""
    return (("", corner),) + (((SLOW, SG13G2_SLOW),) if corner == SG13G2_TYPICAL else ())


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


def _liberty(verilog: str, top: str, corners: tuple[Corner, ...]) -> dict[str, dict[str, object]]:
    result = {}
    for corner in corners:
        area = liberty_area(verilog, top, corner)
        result[corner.label] = {
            "um2": round(area.area, 2),
            "cells": area.cells,
            "delay_ns": round(area.delay_ns, 3),
            "critical_path": f"{area.start} -> {area.end}",
        }
    return result


def _energy(design: Design, corner: Corner) -> dict[str, object]:
    codes = energy_codes(design.model.spec.fmt)
    energy = energy_per_activation(
        design.verilog, design.name, codes, corner=corner, clock_ns=ENERGY_CLOCK_NS
    )
    return asdict(energy) | {
        "corner": corner.label,
        "total_pj": energy.total_pj,
        "stream": f"{ENERGY_VECTORS} uniform codes",
    }


def _point(point: Point) -> dict[str, object]:
    return {
        "latency": point.latency,
        "target_ps": point.target_ps,
        "ns": point.delay_ns,
        "um2": point.area,
        "flops": point.flops,
    }


def _area_delay(
    columns: list[dict[str, object]], corners: tuple[tuple[str, Corner], ...]
) -> dict[str, object]:
    """The measured points per corner, the first corner's front, and the equal clocks (those
    of a corner measured)."""
    row = {key: value for part in columns for key, value in part.items()}
    points = {prefix: row_points(row, prefix) for prefix, _ in corners}
    clocks = []
    for prefix, mhz in EQUAL_CLOCKS:
        choice = smallest_at_clock(points.get(prefix, []), mhz)
        if choice.point is not None:
            label = dict(corners)[prefix].label
            clocks.append({"corner": label, "mhz": mhz, "met": choice.met, **_point(choice.point)})
    return {
        "points": {corner.label: [_point(p) for p in points[prefix]] for prefix, corner in corners},
        "front": [_point(p) for p in pareto_front(points[""])],
        "at_clock": clocks,
    }


def unit_report(
    design: Design,
    pool: Executor,
    corner: Corner = SG13G2_TYPICAL,
    pareto_points: tuple[tuple[int, int | None], ...] | None = None,
) -> dict[str, object]:
    """Every measurement of ``design`` (see the module), run on ``pool``; JSON-ready.

    ``corner`` is the library of the Liberty columns (:func:`unit_corners`); ``pareto_points``
    restricts the area-against-delay sweep (default :data:`PARETO_POINTS`).
    """
    corners = unit_corners(corner)
    verilog, name = design.verilog, design.name
    spec = design.model.spec
    registered = design.latency > 0 or design.is_axis
    area = {flow: pool.submit(_area, flow, verilog, name, registered) for flow in FLOWS}
    liberty = pool.submit(_liberty, verilog, name, tuple(at for _, at in corners))
    energy = None if design.is_engine else pool.submit(_energy, design, corner)
    errors = pool.submit(error_columns, spec)
    fmax = {}
    if not design.is_engine and design.manifest["grad"] is not None:  # the harness's unit has dy
        fmax = {
            (device, latency): pool.submit(unit_fmax, spec, device, latency)
            for device in DEVICES
            for latency in LATENCIES
        }
    pareto = []
    if not design.is_engine:
        with_grad = design.manifest["grad"] is not None
        pareto = [
            pool.submit(latency_columns, spec, latency, (target,), at, prefix, with_grad)
            for prefix, at in corners
            for latency, target in (PARETO_POINTS if pareto_points is None else pareto_points)
        ]
    return {
        "module": name,
        "sha256": design.sha256,
        "latency": design.latency,
        "corner": corner.label,
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
        "area_delay": _area_delay([future.result() for future in pareto], corners) if pareto else None,
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
            f"{1000 / energy['clock_ns']:.0f} MHz, {energy['corner']}, zero-delay simulation "
            "(docs/SPEC.md §9).",
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
    if report["area_delay"] is not None:
        lines += _area_delay_lines(report["area_delay"], report["latency"], report["corner"])
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


def _target(ps: int | None) -> str:
    return "none" if ps is None else f"{ps} ps"


def _at_clock_cell(choice: dict[str, object]) -> str:
    """``area | latency | path`` of the smallest point that meets a clock, or of the fastest."""
    area = f"{choice['um2']:,.0f} µm²"
    if not choice["met"]:
        area = f"missed, best {choice['ns']:.2f} ns ({area})"
    return f"{area} | L={choice['latency']} | {choice['ns']:.2f} ns"


def _area_delay_lines(figures: dict[str, object], own_latency: int, corner: str) -> list[str]:
    """The equal-clock table, the front at ``corner`` (the first), and sentences from the numbers."""
    measured = figures["points"][corner]
    latencies = sorted({point["latency"] for points in figures["points"].values() for point in points})
    targets = sorted({point["target_ps"] for point in measured}, key=lambda ps: -1 if ps is None else ps)
    lines = [
        "## Area against delay",
        "",
        f"The unit regenerated at latencies {', '.join(map(str, latencies))} and mapped with each of "
        f"ABC's delay targets (`abc -D`: {', '.join(map(_target, targets))}): area of the unit alone, "
        "its own flip-flops included; delay register to register, the unit between plain D flip-flops "
        "of the library (their clock-to-output and setup included), ideal clock, no wire load "
        "(`smelu_hw/liberty/pareto.py`, as the full report's area at equal clock).",
        "",
        "| clock | smallest area that meets it | latency | critical path |",
        "|---|---|---|---|",
        *(f"| {c['corner']}, {c['mhz']:g} MHz | {_at_clock_cell(c)} |" for c in figures["at_clock"]),
        "",
        f"Pareto front on {corner}, fastest first:",
        "",
        "| latency | ABC target | critical path (ns) | µm² | flip-flops |",
        "|---|---|---|---|---|",
        *(
            f"| {p['latency']} | {_target(p['target_ps'])} | {p['ns']:.3f} | {p['um2']:,.1f} | {p['flops']} |"
            for p in figures["front"]
        ),
        "",
    ]
    return lines + _area_delay_sentences(figures, measured, own_latency, corner) + [""]


def _area_delay_sentences(
    figures: dict[str, object], measured: list[dict[str, object]], own_latency: int, corner: str
) -> list[str]:
    front = figures["front"]
    fastest, smallest = front[0], front[-1]
    notes = [
        f"- The fastest point on {corner} is {fastest['ns']:.2f} ns "
        f"({1000 / fastest['ns']:.0f} MHz) at L={fastest['latency']}, {fastest['um2']:,.0f} µm²; the "
        f"smallest is {smallest['um2']:,.0f} µm² at L={smallest['latency']} ({smallest['ns']:.2f} ns)"
        + (
            f", so the speed costs {fastest['um2'] / smallest['um2']:.2f}x the area."
            if fastest is not smallest
            else ": one point is both."
        )
    ]
    own = [point for point in measured if point["latency"] == own_latency]
    if own:
        best = min(own, key=lambda point: (point["ns"], point["um2"]))
        notes.append(
            f"- At this file's latency (L={own_latency}) the unit reaches {1000 / best['ns']:.0f} MHz "
            f"({best['ns']:.2f} ns, {best['um2']:,.0f} µm², ABC target {_target(best['target_ps'])})."
        )
    missed = [c for c in figures["at_clock"] if not c["met"]]
    for choice in missed:
        period = 1000 / choice["mhz"]
        notes.append(
            f"- {choice['mhz']:g} MHz on {choice['corner']} is missed at every latency measured: the best "
            f"path, {choice['ns']:.2f} ns at L={choice['latency']}, is {choice['ns'] / period - 1:.0%} "
            "longer than the period."
        )
    if not missed:
        notes.append("- Every clock of the table is met at the latencies measured.")
    return notes


def write_unit_report(report: dict[str, object], out_dir: Path) -> list[Path]:
    """Write ``MODULE.report.json`` and ``MODULE.report.md`` into ``out_dir`` atomically."""
    out_dir.mkdir(parents=True, exist_ok=True)
    texts = {
        f"{report['module']}.report.json": json.dumps(report, indent=1) + "\n",
        f"{report['module']}.report.md": _markdown(report),
    }
    return [write_atomically(out_dir / name, text) for name, text in texts.items()]
