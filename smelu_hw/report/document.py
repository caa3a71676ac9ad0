"""``REPORT.md``: the headline table and commentary, generated from the measured rows."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np

from ..accuracy import error_stats
from ..approx.table import TABLE_LOW
from ..models import model_for
from ..synth import FLOP_TRANSISTORS
from .cost import crossover_lines, equal_frequency_lines
from .frontier import equal_clock_lines, row_points
from .rows import number, unit_label
from .streams import ENERGY_CLOCK_NS, ENERGY_VECTORS, energy_lines
from .sweep import DEVICES, LATENCIES, TIMING_BITS, UnitConfig, sample_codes

__all__ = ["write_report"]

#: The clock of the energy column.
_ENERGY_MHZ = 1000 / ENERGY_CLOCK_NS
#: The Liberty corner of a results.json that does not name one (written before it did).
DEFAULT_CORNER = "SG13G2 typical 1.20 V 25 °C"


def _cell(value: float | None, digits: int = 0) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


def _best_fmax(row: dict[str, object], device: str) -> tuple[float, int] | None:
    points = [(number(row, f"fmax_{device}_l{latency}"), latency) for latency in LATENCIES]
    points = [(mhz, latency) for mhz, latency in points if mhz is not None]
    return max(points) if points else None


def table_error_source(row: dict[str, object]) -> str:
    """Where a table unit's largest forward error lies: beyond the table's edge or inside it.

    Recomputed from the unit's golden model on the codes the error columns used.
    """
    spec = UnitConfig(str(row["activation"]), int(row["bits"]), method="table").spec()
    codes = sample_codes(spec.fmt)
    outputs = model_for(spec).forward(codes)
    edge = -TABLE_LOW << spec.fmt.frac
    outside = np.abs(codes) >= edge
    beyond = error_stats(spec, codes[outside], outputs[outside]).max_ulp if outside.any() else 0.0
    inside = error_stats(spec, codes[~outside], outputs[~outside]).max_ulp
    if beyond > inside:
        return (
            f"mostly from the clamp at |x| = {-TABLE_LOW} ({beyond:,.0f} ULP beyond it, {inside:,.0f} inside)"
        )
    return f"inside the table's range ({inside:,.0f} ULP there, {beyond:,.0f} beyond |x| = {-TABLE_LOW})"


def _measured_latencies(rows: list[dict[str, object]], device: str) -> list[int]:
    """The latencies at which some row has an Fmax on ``device``."""
    return [lat for lat in LATENCIES if any(number(row, f"fmax_{device}_l{lat}") is not None for row in rows)]


def _fmax_column(rows: list[dict[str, object]], device: str, name: str) -> tuple[str, list[str]]:
    """The header and cells of a device's Fmax column: the best over latencies where more than
    one was measured, else the one latency's figure, named in the header."""
    latencies = _measured_latencies(rows, device)
    if len(latencies) == 1:
        only = latencies[0]
        cells = [_cell(number(row, f"fmax_{device}_l{only}"), 1) for row in rows]
        return f"Fmax {name} (L={only}), MHz", cells
    best = [_best_fmax(row, device) for row in rows]
    cells = ["n/a" if point is None else f"{point[0]:.1f} MHz (L={point[1]})" for point in best]
    return f"best Fmax {name} (L=0..{LATENCIES[-1]})", cells


def _non_faithful(row: dict[str, object]) -> str:
    return f"fwd {row.get('fwd_non_faithful', 'n/a')}, grad {row.get('grad_non_faithful', 'n/a')}"


def headline(rows: list[dict[str, object]], bits: int) -> list[str]:
    """The headline table of the ``bits``-wide units; a column nobody measured is left out
    (the silicon columns' library and corner are in the report's "Silicon" line)."""
    rows = [row for row in rows if int(row["bits"]) == bits]
    columns: list[tuple[str, list[str]]] = [
        ("µm² fwd+grad", [_cell(number(row, "um2_both"), 1) for row in rows]),
        ("critical path (ns)", [_cell(number(row, "ns_both"), 3) for row in rows]),
        (
            f"pJ per activation fwd+grad ({_ENERGY_MHZ:.0f} MHz, uniform codes)",
            [_cell(number(row, "pj_both"), 3) for row in rows],
        ),
        ("transistors fwd", [_cell(number(row, "transistors_fwd")) for row in rows]),
        ("transistors fwd+grad", [_cell(number(row, "transistors_both")) for row in rows]),
        ("GE fwd+grad", [_cell(number(row, "ge_both"), 1) for row in rows]),
        ("iCE40 LUT4 fwd+grad", [_cell(number(row, "ice40_lut4_both")) for row in rows]),
        ("ECP5 LUT4 fwd+grad", [_cell(number(row, "ecp5_lut4_both")) for row in rows]),
        ("XC7 LUT fwd+grad", [_cell(number(row, "xc7_lut_both")) for row in rows]),
        ("logic depth fwd+grad (gates)", [_cell(number(row, "depth_both")) for row in rows]),
        _fmax_column(rows, "ice40", "iCE40"),
        _fmax_column(rows, "ecp5", "ECP5"),
        ("fwd max ULP", [_cell(number(row, "fwd_max_ulp"), 3) for row in rows]),
        ("grad max ULP", [_cell(number(row, "grad_max_ulp"), 3) for row in rows]),
        ("non-faithful codes", [_non_faithful(row) for row in rows]),
        ("monotonic viol.", [str(row.get("monotonic_violations", "n/a")) for row in rows]),
        ("grad max jump (ULP)", [str(row.get("grad_max_jump_ulp", "n/a")) for row in rows]),
    ]
    columns = [(name, cells) for name, cells in columns if any(cell != "n/a" for cell in cells)]
    lines = [
        f"| unit ({bits}-bit, frac {bits // 2}) | " + " | ".join(name for name, _ in columns) + " |",
        "|---|" + "---|" * len(columns),
    ]
    for index, row in enumerate(rows):
        lines.append(f"| {unit_label(row)} | " + " | ".join(cells[index] for _, cells in columns) + " |")
    return lines


def commentary(rows: list[dict[str, object]], bits: int) -> list[str]:
    """Sentences generated from the numbers, so they stay true when the numbers change."""
    at = {unit_label(row): row for row in rows if int(row["bits"]) == bits}
    notes: list[str] = []
    # The reference is SmeLU with beta = 2 (R16 at 16 bits) when the sweep has it.
    smelus = [row for label, row in at.items() if label.startswith("smelu")]
    smelu = next((row for row in smelus if unit_label(row) == "smelu b=2"), smelus[0] if smelus else None)
    if smelu is None or number(smelu, "transistors_both") is None:
        return ["(No SmeLU unit at this width in the sweep: no comparison.)"]
    area = number(smelu, "transistors_both")
    name = unit_label(smelu)
    others = {
        label: number(row, "transistors_both") for label, row in at.items() if not label.startswith("smelu")
    }
    others = {label: value for label, value in others.items() if value}
    notes += _beta_sentence(smelus, name)
    for label, value in sorted(others.items(), key=lambda item: item[1]):
        ratio = value / area
        relation = (
            f"{ratio:.2f}x the area of {name}" if ratio >= 1 else f"{1 / ratio:.2f}x smaller than {name}"
        )
        error = number(at[label], "fwd_max_ulp")
        notes.append(
            f"- **{label}**: {value:,.0f} transistors, {relation}; forward max error {_cell(error, 3)} ULP."
        )
    faithful = {
        label: value
        for label, value in others.items()
        if label.endswith("poly")
        and at[label].get("fwd_non_faithful") == 0
        and at[label].get("grad_non_faithful") == 0
    }
    if faithful:
        cheapest = min(faithful, key=faithful.get)
        which = (
            "The cheapest faithful smooth unit"
            if len(faithful) > 1
            else "The only faithful smooth unit measured"
        )
        notes.append(
            f"- {which} is **{cheapest}** ({faithful[cheapest]:,.0f} transistors): "
            f"{name} costs {area / faithful[cheapest]:.2f} of it while being correctly rounded"
            + _silicon_ratios(smelu, at[cheapest])
            + "."
        )
    for device in DEVICES:
        zero, best = number(smelu, f"fmax_{device}_l0"), _best_fmax(smelu, device)
        if zero and best and best[0] > zero:
            notes.append(
                f"- Pipelining lifts {name} on {device} from {zero:.1f} MHz (latency 0, registered I/O) to "
                f"{best[0]:.1f} MHz at latency {best[1]}."
            )
    tables = [label for label in at if label.endswith("table")]
    if tables:
        worst = max(tables, key=lambda label: number(at[label], "fwd_max_ulp") or 0)
        notes.append(
            f"- hls4ml-style tables are cheap but not faithful: {worst} is off by up to "
            f"{_cell(number(at[worst], 'fwd_max_ulp'))} ULP, {table_error_source(at[worst])}."
        )
    return notes


def _silicon_line(rows: list[dict[str, object]], metadata: dict[str, object]) -> list[str]:
    """How the µm², ns and pJ columns were measured, where the sweep has them."""
    if not any(number(row, "um2_both") is not None for row in rows):
        return []
    corner = metadata.get("liberty", DEFAULT_CORNER)
    return [
        f"Silicon: the Liberty flow on {corner} (docs/SPEC.md §9): `synth -flatten; dfflibmap -liberty; "
        "abc -liberty; stat -liberty`, µm² of the combinational unit; the critical path by static timing "
        "(inputs driven by the smallest inverter, FO4 outputs, no wire load); energy per activation from "
        f"a zero-delay simulation of the mapped netlist on {ENERGY_VECTORS} uniform codes "
        f"at {_ENERGY_MHZ:.0f} MHz "
        f"(no glitches: a lower bound), at {' and '.join(map(str, TIMING_BITS))} bits"
        + (
            ", and on the digits network's pre-activations and a Gaussian (the energy section)"
            if any(number(row, "pj_digits_both") is not None for row in rows)
            else ""
        )
        + ". The house transistor metric stays for continuity."
    ]


def _silicon_ratios(smelu: dict[str, object], other: dict[str, object]) -> str:
    """``; 0.33x in µm² and 0.92x in pJ per activation`` where both units have the figures."""
    parts = [
        f"{number(smelu, column) / number(other, column):.2f}x in {what}"
        for column, what in (("um2_both", "µm²"), ("pj_both", "pJ per activation"))
        if number(smelu, column) and number(other, column)
    ]
    return f"; {' and '.join(parts)}" if parts else ""


def _beta_sentence(smelus: list[dict[str, object]], reference: str) -> list[str]:
    """SmeLU's area across beta, where more than one beta was measured; the reason for the
    trend only where there is one (area growing with beta)."""
    priced = sorted(
        (float(row["beta"]), unit_label(row), number(row, "transistors_both"))
        for row in smelus
        if row.get("accuracy", "") != "faithful" and not row.get("method") and number(row, "transistors_both")
    )
    if len(priced) < 2:
        return [f"- Comparisons below use {reference}."]
    areas = [area for _, _, area in priced]
    trend = (
        " (a wider quadratic region needs a wider squarer)"
        if all(a < b for a, b in itertools.pairwise(areas))
        else " (not monotonic in beta)"
    )
    listed = ", ".join(f"{label} {area:,.0f}" for _, label, area in priced)
    return [f"- SmeLU across beta: {listed} transistors{trend}; comparisons below use {reference}."]


def write_report(
    rows: list[dict[str, object]],
    units: list[UnitConfig],
    out_dir: Path,
    metadata: dict[str, object],
    failures: list[str],
    plots: bool = True,
) -> None:
    """Write ``REPORT.md`` (and the plots) into ``out_dir``."""
    from .plots import headline_bits, make_plots

    bits = headline_bits(rows)
    images = make_plots(rows, units, out_dir) if plots else []
    tools = ", ".join(f"{version}" for version in metadata["tools"].values())
    lines = [
        "# smelu_hw: area, timing and error report",
        "",
        f"Generated by `python -m smelu_hw.report{' --quick' if metadata['quick'] else ''}`. Tools: {tools}.",
        *_silicon_line(rows, metadata),
        "Area: Yosys `synth; abc -g AND,NAND,OR,NOR,XOR,XNOR,MUX; stat -tech cmos` (transistors), "
        "`abc -liberty smelu_hw/data/gates.lib` (gate equivalents, NAND2 = 1), `synth_ice40`, `synth_ecp5`"
        + (", `synth_xilinx`" if any(number(row, "xc7_lut_both") is not None for row in rows) else "")
        + ". Timing: nextpnr, iCE40 UP5K and ECP5-25K, seed 1, unit between registered I/O, "
        f"latencies {', '.join(map(str, metadata['latencies']))}. Errors: every input code up to 16 bits "
        "(sampled windows beyond) against float64 formulas with mpmath deciding doubtful codes.",
        "",
        f"## Headline ({bits}-bit units)",
        "",
        *headline(rows, bits),
        "",
        "## What the numbers say",
        "",
        *commentary(rows, bits),
        "",
        "## Area against width (transistors, forward + gradient)",
        "",
        *area_table(rows),
        "",
        *_section("Width crossover (transistors, forward + gradient, combinational)", crossover_lines(rows)),
        f"## Area at equal frequency ({bits}-bit units, registers included)",
        "",
        f"For each target clock, the smallest latency whose Fmax meets it, and the house metric there: "
        f"logic plus {FLOP_TRANSISTORS} transistors per flip-flop bit (Yosys' CMOS figure for a D "
        "flip-flop), the unit's own registers only.",
        *_ceiling(metadata),
        "",
        *equal_frequency_lines(rows, bits),
        "",
        *_section(
            f"Area at equal clock (µm², {bits}-bit units, registers included)",
            _equal_clock(rows, bits, metadata),
        ),
        *_section(
            f"Energy per activation ({bits}-bit units)",
            energy_lines(rows, bits, str(metadata.get("liberty", DEFAULT_CORNER))),
        ),
        *_section(
            f"Width crossover (µm² on {metadata.get('liberty', DEFAULT_CORNER)}, forward + gradient, "
            "combinational)",
            crossover_lines(rows, "um2_both", "µm²"),
        ),
    ]
    if images:
        lines += ["## Plots", ""] + [f"![{name}]({name})" for name in images] + [""]
    if failures:
        lines += ["## Failed measurements (left empty, never zero)", ""] + [
            f"- {failure}" for failure in failures
        ]
        lines.append("")
    lines += ["Machine-readable data: `results.csv`, `results.json` (one row per unit)."]
    (out_dir / "REPORT.md").write_text("\n".join(lines) + "\n")


def _equal_clock(rows: list[dict[str, object]], bits: int, metadata: dict[str, object]) -> list[str]:
    """The equal-clock table in µm² and what it was measured on, where the sweep has it."""
    corner = str(metadata.get("liberty", DEFAULT_CORNER))
    lines = equal_clock_lines(rows, bits, corner)
    if not lines:
        return []
    points = [point for row in rows if int(row["bits"]) == bits for point in row_points(row)]
    latencies = ", ".join(map(str, sorted({point.latency for point in points})))
    targets = sorted({point.target_ps for point in points}, key=lambda ps: -1 if ps is None else ps)
    named = ", ".join("none" if ps is None else f"{ps} ps" for ps in targets)
    return [
        f"For each clock, the smallest area over latencies {latencies} and ABC's delay targets "
        f"(`abc -D`: {named}) whose register-to-register critical path fits the period, and the "
        "latency it needs; a unit that misses gives its fastest point. Area: the unit alone on the "
        "Liberty flow, its own flip-flops included. Delay: the unit between plain D flip-flops of "
        "the library (their clock-to-output and setup included), ideal clock, no wire load "
        "(`smelu_hw/liberty/pareto.py`). `area_delay.png` draws every unit's front.",
        "",
        *lines,
    ]


def _section(title: str, body: list[str]) -> list[str]:
    """A section, or nothing where it would be an empty heading."""
    return [f"## {title}", "", *body, ""] if body else []


def _ceiling(metadata: dict[str, object]) -> list[str]:
    ceiling = metadata.get("ceiling") or {}
    if not ceiling:
        return []
    figures = ", ".join(f"{device} {mhz:.1f} MHz" for device, mhz in ceiling.items())
    return [
        f"The timing harness's own ceiling (a bare 16-bit register-to-register path through the same "
        f"input shift register and registered parity tree): {figures}. A unit cannot be measured faster."
    ]


def area_table(rows: list[dict[str, object]]) -> list[str]:
    widths = sorted({int(row["bits"]) for row in rows})
    lines = [
        "| unit | " + " | ".join(f"{width} bits" for width in widths) + " |",
        "|---|" + "---|" * len(widths),
    ]
    by_label: dict[str, dict[int, float | None]] = {}
    for row in rows:
        by_label.setdefault(unit_label(row), {})[int(row["bits"])] = number(row, "transistors_both")
    for label, values in by_label.items():
        lines.append(f"| {label} | " + " | ".join(_cell(values.get(width)) for width in widths) + " |")
    return lines
