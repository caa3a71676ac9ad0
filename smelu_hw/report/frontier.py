"""Area against delay in the report: the Pareto columns of a row, and area at equal clock in µm².

A ``pareto`` job measures one unit at one latency at every delay target
(:func:`smelu_hw.liberty.pareto.measure_point`): per target ``{prefix}um2_l{L}_{t}`` (the unit
alone, its flip-flops included) and ``{prefix}ns_l{L}_{t}`` (register to register), and
``{prefix}ff_l{L}``, its flip-flop cells; ``t`` is ``tnone`` (no target) or ``t{ps}``. The
prefix is empty at the report's corner and ``slow_`` at the SG13G2 slow corner (measured when
the report's corner is the SG13G2 typical one). The equal-clock table reads the points back.
"""

from __future__ import annotations

from ..approx.functions import SMOOTH
from ..liberty import SG13G2_SLOW, Corner
from ..liberty.pareto import DELAY_TARGETS_PS, LATENCIES, AtClock, Point, measure_point, smallest_at_clock
from ..specs import ActivationSpec
from .rows import Row, number, unit_label

__all__ = [
    "PARETO_COLUMNS",
    "SLOW",
    "EQUAL_CLOCKS",
    "R16_CLOCK_TARGETS",
    "pareto_columns",
    "latency_columns",
    "row_points",
    "equal_clock_lines",
]

#: Column prefix of the slow corner's points.
SLOW = "slow_"
#: The equal-clock table: (column prefix, MHz).
EQUAL_CLOCKS = (("", 250.0), ("", 500.0), ("", 1000.0), (SLOW, 250.0))
#: Issue 20's clock targets for R16 at the report's corner: (MHz, largest latency).
R16_CLOCK_TARGETS = ((500.0, 2), (1000.0, 4))


def _target(ps: int | None) -> str:
    return "tnone" if ps is None else f"t{ps}"


def pareto_columns(prefix: str = "") -> list[str]:
    """Every Pareto column of one corner, latency by latency."""
    columns = []
    for latency in LATENCIES:
        columns.append(f"{prefix}ff_l{latency}")
        for ps in DELAY_TARGETS_PS:
            columns += [f"{prefix}um2_l{latency}_{_target(ps)}", f"{prefix}ns_l{latency}_{_target(ps)}"]
    return columns


PARETO_COLUMNS = pareto_columns() + pareto_columns(SLOW)


def latency_columns(
    spec: ActivationSpec,
    latency: int,
    targets: tuple[int | None, ...],
    corner: Corner,
    prefix: str,
    with_grad: bool = True,
) -> dict[str, object]:
    """The columns of one ``pareto`` job: ``spec``'s unit at ``latency`` at each of ``targets``."""
    result: dict[str, object] = {}
    for ps in targets:
        point = measure_point(spec, latency, ps, corner, with_grad)
        result[f"{prefix}ff_l{latency}"] = point.flops
        result[f"{prefix}um2_l{latency}_{_target(ps)}"] = round(point.area, 2)
        result[f"{prefix}ns_l{latency}_{_target(ps)}"] = round(point.delay_ns, 4)
    return result


def row_points(row: Row, prefix: str = "") -> list[Point]:
    """The points a row measured at one corner (none if it has no Pareto columns)."""
    points = []
    for latency in LATENCIES:
        for ps in DELAY_TARGETS_PS:
            area = number(row, f"{prefix}um2_l{latency}_{_target(ps)}")
            delay = number(row, f"{prefix}ns_l{latency}_{_target(ps)}")
            if area is not None and delay is not None:
                flops = int(number(row, f"{prefix}ff_l{latency}") or 0)
                points.append(Point(latency, ps, delay, area, flops))
    return points


def _is_r16(row: Row) -> bool:
    return (
        row["activation"] == "smelu"
        and int(row["bits"]) == 16
        and float(row["beta"]) == 2.0
        and not row.get("accuracy")
        and not row.get("method")
    )


def equal_clock_lines(rows: list[Row], bits: int, corner: str) -> list[str]:
    """The equal-clock table of the ``bits``-wide units with Pareto points (µm², the latency
    needed, or what a unit misses by), and sentences; ``corner`` labels the report's corner."""
    units = [row for row in rows if int(row["bits"]) == bits and row_points(row)]
    if not units:
        return []
    clocks = [(prefix, mhz) for prefix, mhz in EQUAL_CLOCKS if any(row_points(row, prefix) for row in units)]
    names = {"": corner, SLOW: SG13G2_SLOW.label}
    lines = [
        f"| unit ({bits}-bit) | "
        + " | ".join(f"{names[prefix]}, {mhz:g} MHz" for prefix, mhz in clocks)
        + " |",
        "|---|" + "---|" * len(clocks),
    ]
    choices = {
        unit_label(row): [smallest_at_clock(row_points(row, prefix), mhz) for prefix, mhz in clocks]
        for row in units
    }
    for label, row_choices in choices.items():
        lines.append(f"| {label} | " + " | ".join(choice.describe() for choice in row_choices) + " |")
    lines.append("")
    for index, (prefix, mhz) in enumerate(clocks):
        lines.append(_clock_sentence(names[prefix], mhz, {label: c[index] for label, c in choices.items()}))
    lines += _r16_targets([row for row in units if _is_r16(row)], corner)
    return lines


def _clock_sentence(corner: str, mhz: float, choices: dict[str, AtClock]) -> str:
    met = {label: choice.point for label, choice in choices.items() if choice.met and choice.point}
    text = f"- {mhz:g} MHz on {corner}: "
    if not met:
        return text + "no unit meets it at the latencies measured."
    smallest = min(met, key=lambda label: met[label].area)
    first = met[smallest]
    text += f"the smallest unit that meets it is {smallest} ({first.area:,.0f} µm² at L={first.latency})"
    smooth = {label: point for label, point in met.items() if label.split()[0] in SMOOTH}
    best_smooth = min(smooth, key=lambda label: smooth[label].area) if smooth else None
    for label, point in met.items():
        if label.startswith("smelu") and "b=2" in label and label != smallest:
            text += f"; {label} needs L={point.latency} and {point.area:,.0f} µm²"
            if best_smooth is None:
                text += " (no smooth unit meets it)"
            else:
                ratio = point.area / smooth[best_smooth].area
                text += f", {ratio:.2f}x the smallest smooth unit ({best_smooth})"
    missed = [label for label in choices if label not in met]
    if missed:
        text += f". Missed at every latency measured: {', '.join(missed)}"
    return text + "."


def _r16_targets(r16: list[Row], corner: str) -> list[str]:
    if not r16:
        return []
    points = row_points(r16[0])
    parts = []
    for mhz, latency in R16_CLOCK_TARGETS:
        choice = smallest_at_clock(points, mhz, max_latency=latency)
        verdict = "met" if choice.met else "missed"
        parts.append(f"{mhz:g} MHz at L <= {latency} {verdict}: {choice.describe().removeprefix('misses: ')}")
    return [f"- R16's clock targets on {corner}: " + "; ".join(parts) + "."]
