"""Cost at a designer's clock and width: area at equal frequency, and the width crossover.

Both read the measured rows only. Area at a clock is the house metric of the unit at the
smallest latency whose Fmax meets the clock, with its flip-flops counted
(:class:`smelu_hw.synth.RegisteredArea`: logic plus :data:`~smelu_hw.synth.FLOP_TRANSISTORS`
per bit). The crossover compares SmeLU (beta = 2, correctly rounded and faithful, each the
cheaper of its arithmetic unit and its table, as ``--method auto`` builds it) with the
cheapest smooth unit of any method at each width.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..approx.functions import SMOOTH
from ..synth import FLOP_TRANSISTORS
from .rows import Row, number, unit_label
from .sweep import CROSSOVER_BETA, LATENCIES

__all__ = [
    "CLOCK_TARGETS",
    "Crossover",
    "at_clock",
    "crossover",
    "crossover_lines",
    "equal_frequency_lines",
]

#: Target clocks: (device, MHz).
CLOCK_TARGETS = (("ice40", 50.0), ("ecp5", 100.0), ("ecp5", 200.0))


@dataclass(frozen=True)
class AtClock:
    """A unit at one target clock: the smallest latency that meets it and the area there."""

    latency: int
    logic: int
    flops: int

    @property
    def total(self) -> int:
        return self.logic + self.flops * FLOP_TRANSISTORS


def at_clock(row: Row, device: str, mhz: float) -> AtClock | None:
    """The smallest measured latency whose Fmax on ``device`` reaches ``mhz``; ``None`` if none
    does (or its area was not measured)."""
    for latency in LATENCIES:
        reached = number(row, f"fmax_{device}_l{latency}")
        logic, flops = number(row, f"logic_l{latency}"), number(row, f"flops_l{latency}")
        if reached is not None and reached >= mhz and logic is not None and flops is not None:
            return AtClock(latency, int(logic), int(flops))
    return None


def _best_fmax(row: Row, device: str) -> float | None:
    values = [number(row, f"fmax_{device}_l{latency}") for latency in LATENCIES]
    values = [value for value in values if value is not None]
    return max(values) if values else None


def equal_frequency_lines(rows: list[Row], bits: int) -> list[str]:
    """The table (one row per unit at ``bits``, one column per target clock) and sentences."""
    units = [row for row in rows if int(row["bits"]) == bits and _best_fmax(row, "ecp5") is not None]
    if not units:
        return []
    header = " | ".join(f"{device} {mhz:g} MHz" for device, mhz in CLOCK_TARGETS)
    lines = [f"| unit ({bits}-bit) | {header} |", "|---|" + "---|" * len(CLOCK_TARGETS)]
    for row in units:
        cells = []
        for device, mhz in CLOCK_TARGETS:
            point = at_clock(row, device, mhz)
            if point is None:
                best = _best_fmax(row, device)
                cells.append(f"not met (best {best:.1f} MHz)" if best is not None else "n/a")
            else:
                cells.append(f"L={point.latency}: {point.total:,} ({point.logic:,} + {point.flops} FF)")
        lines.append(f"| {unit_label(row)} | " + " | ".join(cells) + " |")
    lines += ["", *_equal_frequency_sentences(units)]
    return lines


def _equal_frequency_sentences(units: list[Row]) -> list[str]:
    sentences = []
    smelu = [row for row in units if row["activation"] == "smelu" and float(row["beta"]) == CROSSOVER_BETA]
    for device, mhz in CLOCK_TARGETS:
        met = {unit_label(row): point for row in units if (point := at_clock(row, device, mhz)) is not None}
        smooth = {label: point for label, point in met.items() if label.split()[0] in SMOOTH}
        missed = [unit_label(row) for row in units if unit_label(row) not in met]
        text = f"- {device} at {mhz:g} MHz: "
        if not met:
            sentences.append(text + "no unit meets it at the latencies measured.")
            continue
        cheapest = min(met, key=lambda label: met[label].total)
        text += f"the cheapest unit that meets it is {cheapest} ({met[cheapest].total:,} transistors)"
        best_smooth = min(smooth, key=lambda label: smooth[label].total) if smooth else None
        for row in smelu:
            label = unit_label(row)
            if label not in met:
                continue
            text += f"; {label} needs L={met[label].latency} and {met[label].total:,}"
            if best_smooth is None:
                text += " (no smooth unit meets it)"
            else:
                ratio = met[label].total / smooth[best_smooth].total
                text += (
                    f", {ratio:.2f}x the cheapest smooth unit ({best_smooth}, {smooth[best_smooth].total:,})"
                )
        if missed:
            text += f". Not met at any latency measured: {', '.join(missed)}"
        sentences.append(text + ".")
    return sentences


@dataclass(frozen=True)
class Crossover:
    """One width of the crossover: SmeLU's two accuracies against the cheapest smooth units."""

    bits: int
    correct: tuple[str, float] | None
    faithful: tuple[str, float] | None
    any_method: tuple[str, float] | None
    faithful_smooth: tuple[str, float] | None


def _cheapest(rows: list[Row], column: str) -> tuple[str, float] | None:
    priced = [(unit_label(row), number(row, column)) for row in rows]
    priced = [(label, value) for label, value in priced if value is not None]
    return min(priced, key=lambda item: item[1]) if priced else None


def crossover(rows: list[Row], column: str = "transistors_both") -> list[Crossover]:
    """Per width (where SmeLU beta = 2 and a smooth unit were measured): SmeLU correct and
    faithful (each the cheaper of arith and rom), the cheapest smooth unit of any method, and
    the cheapest faithful or correctly rounded one (poly or rom; the hls4ml tables are not),
    priced by ``column`` (the house transistors, or ``um2_both``, µm² on the Liberty flow)."""
    result = []
    for bits in sorted({int(row["bits"]) for row in rows}):
        at = [row for row in rows if int(row["bits"]) == bits]
        smelu = [row for row in at if row["activation"] == "smelu" and float(row["beta"]) == CROSSOVER_BETA]
        smooth = [row for row in at if row["activation"] in SMOOTH]
        if not smelu or not smooth:
            continue
        result.append(
            Crossover(
                bits,
                _cheapest([row for row in smelu if row.get("accuracy", "") != "faithful"], column),
                _cheapest([row for row in smelu if row.get("accuracy", "") == "faithful"], column),
                _cheapest(smooth, column),
                _cheapest([row for row in smooth if row["method"] in ("poly", "rom")], column),
            )
        )
    return result


def _ratio(smelu: tuple[str, float] | None, other: tuple[str, float] | None) -> str:
    return "n/a" if smelu is None or other is None else f"{smelu[1] / other[1]:.2f}"


def _priced(item: tuple[str, float] | None) -> str:
    return "n/a" if item is None else f"{item[1]:,.0f} ({item[0]})"


def crossover_lines(
    rows: list[Row], column: str = "transistors_both", unit: str = "transistors"
) -> list[str]:
    """The crossover table and its sentences priced by ``column`` (in ``unit``), with the int8
    headline first."""
    points = crossover(rows, column)
    if not any(point.correct or point.faithful for point in points):
        return []
    lines = [
        "| bits | SmeLU b=2 correct | SmeLU b=2 faithful | cheapest smooth, any method | "
        "cheapest faithful smooth | correct / any | faithful / any | faithful / faithful smooth |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for point in points:
        lines.append(
            f"| {point.bits} | {_priced(point.correct)} | {_priced(point.faithful)} | "
            f"{_priced(point.any_method)} | {_priced(point.faithful_smooth)} | "
            f"{_ratio(point.correct, point.any_method)} | {_ratio(point.faithful, point.any_method)} | "
            f"{_ratio(point.faithful, point.faithful_smooth)} |"
        )
    narrowest = points[0]
    lines.append("")
    if narrowest.faithful and narrowest.any_method:
        ratio = _ratio(narrowest.faithful, narrowest.any_method)
        lines.append(
            f"- At {narrowest.bits} bits the faithful SmeLU (b=2, the cheaper of arithmetic and table) "
            f"costs {narrowest.faithful[1]:,.0f} {unit}, {ratio}x the cheapest smooth unit of any "
            f"method ({narrowest.any_method[0]}, {narrowest.any_method[1]:,.0f})."
        )
    cheaper = [
        point.bits
        for point in points
        if point.faithful and point.any_method and point.faithful[1] < point.any_method[1]
    ]
    if cheaper:
        lines.append(
            f"- The faithful SmeLU is cheaper than every smooth unit at {', '.join(map(str, cheaper))} "
            f"bits; its ratio goes from {_ratio(points[0].faithful, points[0].any_method)} at "
            f"{points[0].bits} bits to {_ratio(points[-1].faithful, points[-1].any_method)} at "
            f"{points[-1].bits} bits."
        )
    return lines
