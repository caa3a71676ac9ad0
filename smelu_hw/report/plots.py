"""The report's PNG plots (matplotlib, Agg backend, deterministic metadata)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from ..accuracy import reference_codes
from ..fixed import QFormat
from ..liberty.pareto import pareto_front
from ..models import model_for
from .cost import CLOCK_TARGETS, at_clock, crossover
from .frontier import EQUAL_CLOCKS, row_points
from .streams import ENERGY_STREAMS, energy_column
from .sweep import DEVICES, LATENCIES, UnitConfig, headline_width

__all__ = ["make_plots"]

SAVE = {"dpi": 110, "metadata": {"Software": None}}  # no version stamp: same bytes every run


def _styles(count: int) -> list[dict[str, object]]:
    """Distinct colour, marker and line style per series (more than ten series occur)."""
    colours = plt.get_cmap("tab20").colors
    markers = "osD^vP*Xh<>p"
    return [
        {
            "color": colours[i % len(colours)],
            "marker": markers[i % len(markers)],
            "linestyle": "-" if i < 10 else "--",
        }
        for i in range(count)
    ]


def _model(unit: UnitConfig):
    spec = unit.spec()
    return model_for(spec)


def curves(path: Path, units: list[UnitConfig], bits: int) -> None:
    """Function and gradient of the sweep's units of width ``bits``, from their fixed-point
    models, on [-4, 4] (or the format's range, if smaller): one curve per function, so tables,
    ROMs and faithful variants of a function already drawn are left out."""
    fmt = QFormat(bits, bits // 2)
    at = [unit for unit in units if unit.bits == bits]
    units = [unit for unit in at if unit.method in (None, "poly") and unit.accuracy is None] or at
    codes = np.arange(max(fmt.min_code, -4 << fmt.frac), min(fmt.max_code, 4 << fmt.frac) + 1)
    x = fmt.to_real(codes)
    figure, (top, bottom) = plt.subplots(2, 1, figsize=(8, 8), sharex=True)
    for unit in units:
        model = _model(unit)
        top.plot(x, fmt.to_real(model.forward(codes)), label=unit.label)
        bottom.plot(x, model.grad(codes) / 2.0**model.spec.grad_frac, label=unit.label)
    top.set(title=f"Activations (fixed-point models, {fmt})", ylabel="f(x)")
    bottom.set(title="Gradients", xlabel="x", ylabel="f'(x)")
    for axes in (top, bottom):
        axes.grid(alpha=0.3)
    top.legend(ncol=2, fontsize=8)
    figure.tight_layout()
    figure.savefig(path, **SAVE)
    plt.close(figure)


def headline_bits(rows: list[dict[str, object]]) -> int:
    """16 when the sweep has 16-bit units, else its widest width up to 16."""
    return headline_width({int(row["bits"]) for row in rows})


def ulp_errors(path: Path, units: list[UnitConfig], bits: int) -> None:
    """Signed forward error in output ULPs against the exact reference, per input code."""
    units = [unit for unit in units if unit.bits == bits]
    fmt = QFormat(bits, bits // 2)
    columns = 3
    rows = max(1, -(-len(units) // columns))
    figure, grid = plt.subplots(rows, columns, figsize=(12, 2.6 * rows), sharex=True, squeeze=False)
    codes = fmt.codes()
    x = fmt.to_real(codes)
    for axes, unit in zip(grid.flat, units, strict=False):
        model = _model(unit)
        exact = np.clip(reference_codes(model.spec, codes), fmt.min_code, fmt.max_code)
        error = model.forward(codes) - exact
        axes.plot(x, error, ".", markersize=1.5, color="tab:blue")
        axes.set_title(unit.label, fontsize=9)
        axes.set_ylabel("error (ULP)", fontsize=8)
        axes.grid(alpha=0.3)
        axes.set_xlim(-10, 10)  # where the errors live; tables clamp from |x| = 8 on
        inside = np.abs(x) <= 10
        if np.abs(error[inside]).max() < 1:
            axes.set_ylim(-1, 1)
    for axes in list(grid.flat)[len(units) :]:
        axes.axis("off")
    for axes in grid[-1]:
        axes.set_xlabel(f"x ({fmt}), shown on [-10, 10]")
    figure.suptitle(
        f"Forward error against the exact value, every input code of {fmt} (1 ULP = 2^-{fmt.frac})"
    )
    figure.tight_layout()
    figure.savefig(path, **SAVE)
    plt.close(figure)


def _series(rows: list[dict[str, object]]) -> dict[str, list[dict[str, object]]]:
    series: dict[str, list[dict[str, object]]] = {}
    for row in rows:
        label = str(row["unit"]).rsplit(" ", 1)[0]
        series.setdefault(label, []).append(row)
    return series


def area_vs_bits(path: Path, rows: list[dict[str, object]]) -> None:
    figure, axes = plt.subplots(figsize=(8, 5))
    series = _series(rows)
    for (label, group), style in zip(series.items(), _styles(len(series)), strict=True):
        points = [
            (int(row["bits"]), float(row["transistors_both"])) for row in group if row.get("transistors_both")
        ]
        if points:
            bits, area = zip(*sorted(points), strict=True)
            axes.plot(bits, area, **style, label=label)
    axes.set(
        title="Area against width (forward + gradient, Yosys 0.70 CMOS estimate)",
        xlabel="input bits",
        ylabel="transistors",
        yscale="log",
    )
    axes.grid(alpha=0.3, which="both")
    axes.legend(fontsize=7, ncol=2)
    figure.tight_layout()
    figure.savefig(path, **SAVE)
    plt.close(figure)


def fmax_vs_latency(path: Path, rows: list[dict[str, object]], bits: int) -> None:
    figure, grid = plt.subplots(1, len(DEVICES), figsize=(12, 4.5))
    selected = [row for row in rows if int(row["bits"]) == bits]
    for axes, device in zip(grid, DEVICES, strict=True):
        for row, style in zip(selected, _styles(len(selected)), strict=True):
            points = [(latency, row.get(f"fmax_{device}_l{latency}")) for latency in LATENCIES]
            points = [(latency, float(value)) for latency, value in points if value not in (None, "")]
            if points:
                axes.plot(*zip(*points, strict=True), **style, label=str(row["unit"]).rsplit(" ", 1)[0])
        name = {"ice40": "iCE40 UP5K", "ecp5": "ECP5-25K"}[device]
        axes.set(
            title=f"{name}: Fmax against latency ({bits}-bit units)",
            xlabel="latency (register stages)",
            ylabel="Fmax (MHz)",
        )
        axes.set_xticks(list(LATENCIES))
        axes.grid(alpha=0.3)
    grid[-1].legend(fontsize=7, loc="center left", bbox_to_anchor=(1.02, 0.5))
    figure.tight_layout()
    figure.savefig(path, **SAVE)
    plt.close(figure)


def pareto(path: Path, rows: list[dict[str, object]], bits: int) -> None:
    """Area against maximum forward error at one width; the Pareto front is drawn."""
    points = [
        (
            float(row["transistors_both"]),
            max(float(row["fwd_max_ulp"]), 1e-3),
            str(row["unit"]).rsplit(" ", 1)[0],
        )
        for row in rows
        if int(row["bits"]) == bits
        and row.get("transistors_both") not in (None, "")
        and row.get("fwd_max_ulp") != ""
    ]
    figure, axes = plt.subplots(figsize=(9, 5.5))
    for (area, error, label), style in zip(points, _styles(len(points)), strict=True):
        axes.scatter(area, error, color=style["color"], marker=style["marker"], s=45, label=label)
    front, best = [], float("inf")
    for area, error, label in sorted(points):
        if label != "relu" and error < best:  # ReLU is exact but not smooth: not a candidate here
            front.append((area, error))
            best = error
    if front:
        axes.step(
            *zip(*front, strict=True),
            where="post",
            color="grey",
            linestyle="--",
            label="Pareto front (smooth)",
        )
    axes.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.02, 0.5))
    axes.set(
        title=f"Area against accuracy ({bits} bits, forward + gradient)",
        xlabel="transistors (Yosys 0.70 CMOS)",
        ylabel="max forward error vs. its own exact function (ULP; 0 drawn at 1e-3)",
        xscale="log",
        yscale="log",
    )
    axes.grid(alpha=0.3, which="both")
    figure.tight_layout()
    figure.savefig(path, **SAVE)
    plt.close(figure)


def area_at_frequency(path: Path, rows: list[dict[str, object]], bits: int) -> None:
    """One panel per target clock: each unit's area (registers included) at the smallest latency
    that meets it, cheapest first; units that cannot meet it are named below the bars."""
    selected = [row for row in rows if int(row["bits"]) == bits]
    figure, grid = plt.subplots(1, len(CLOCK_TARGETS), figsize=(5 * len(CLOCK_TARGETS), 5), squeeze=False)
    for axes, (device, mhz) in zip(grid[0], CLOCK_TARGETS, strict=True):
        points = [(str(row["unit"]).rsplit(" ", 1)[0], at_clock(row, device, mhz)) for row in selected]
        met = sorted(((label, point) for label, point in points if point), key=lambda item: item[1].total)
        missed = [label for label, point in points if point is None]
        names = [f"{label} (L={point.latency})" for label, point in met]
        axes.barh(names, [point.logic for _, point in met], color="C0", label="logic")
        axes.barh(
            names,
            [point.total - point.logic for _, point in met],
            left=[point.logic for _, point in met],
            color="C1",
            label="flip-flops",
        )
        axes.invert_yaxis()
        axes.set(title=f"{device} at {mhz:g} MHz ({bits}-bit units)", xlabel="transistors (house metric)")
        axes.tick_params(axis="y", labelsize=7)
        if missed:
            axes.text(
                0.98,
                0.02,
                "not met: " + ", ".join(missed),
                transform=axes.transAxes,
                fontsize=6,
                ha="right",
                va="bottom",
                wrap=True,
                color="0.4",
            )
        axes.grid(alpha=0.3, axis="x")
    grid[0][0].legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(path, **SAVE)
    plt.close(figure)


def crossover_plot(path: Path, rows: list[dict[str, object]]) -> None:
    """Transistors against width: SmeLU (correct, faithful) and the cheapest smooth units."""
    points = crossover(rows)
    figure, axes = plt.subplots(figsize=(8, 5))
    series = {
        "SmeLU b=2 correct": [point.correct for point in points],
        "SmeLU b=2 faithful": [point.faithful for point in points],
        "cheapest smooth, any method": [point.any_method for point in points],
        "cheapest faithful smooth": [point.faithful_smooth for point in points],
    }
    for (label, values), style in zip(series.items(), _styles(len(series)), strict=True):
        pairs = [(point.bits, value[1]) for point, value in zip(points, values, strict=True) if value]
        if pairs:
            axes.plot(*zip(*pairs, strict=True), **style, label=label)
    axes.set(
        title="Width crossover (forward + gradient, combinational)",
        xlabel="input bits",
        ylabel="transistors (house metric)",
        yscale="log",
    )
    axes.set_xticks([point.bits for point in points])
    axes.grid(alpha=0.3)
    if points:
        axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, **SAVE)
    plt.close(figure)


def silicon(path: Path, rows: list[dict[str, object]], bits: int) -> None:
    """On the Liberty flow's library: µm² against the critical path of each unit (forward +
    gradient, combinational), and its energy per activation on each stream measured
    (:mod:`~smelu_hw.report.streams`), cheapest on the first stream first."""
    units = [
        (str(row["unit"]).rsplit(" ", 1)[0], float(row["um2_both"]), float(row["ns_both"]), row)
        for row in rows
        if int(row["bits"]) == bits
        and row.get("um2_both") not in (None, "")
        and row.get("ns_both") not in (None, "")
    ]
    figure, (left, right) = plt.subplots(1, 2, figsize=(13, 5.5))
    for (label, area, delay, _), style in zip(units, _styles(len(units)), strict=True):
        left.scatter(delay, area, color=style["color"], marker=style["marker"], s=45, label=label)
    left.set(
        title=f"Area against delay ({bits} bits, forward + gradient, combinational)",
        xlabel="critical path (ns)",
        ylabel="area (µm²)",
        yscale="log",
    )
    left.grid(alpha=0.3, which="both")
    left.legend(fontsize=7)
    columns = [(stream, energy_column(stream, True)) for stream in ENERGY_STREAMS]
    streams = [
        (stream, column)
        for stream, column in columns
        if any(row.get(column) not in (None, "") for *_, row in units)
    ]
    priced = [
        (label, row) for label, _, _, row in units if streams and row.get(streams[0][1]) not in (None, "")
    ]
    priced.sort(key=lambda item: float(item[1][streams[0][1]]))
    height = 0.8 / max(len(streams), 1)
    for index, (stream, column) in enumerate(streams):
        values = [float(row.get(column) or 0) for _, row in priced]
        right.barh([k + index * height for k in range(len(priced))], values, height=height, label=stream)
    right.set_yticks(
        [k + height * (len(streams) - 1) / 2 for k in range(len(priced))], [p[0] for p in priced]
    )
    right.invert_yaxis()
    right.set(title="Energy per activation, fwd+grad, 250 MHz (zero delay)", xlabel="pJ")
    right.grid(alpha=0.3, axis="x")
    if streams:
        right.legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(path, **SAVE)
    plt.close(figure)


def area_delay(path: Path, rows: list[dict[str, object]], bits: int) -> None:
    """One panel per activation: each unit's points (area against register-to-register delay
    over latency and delay target) and its Pareto front; the equal clocks' periods dashed."""
    families: dict[str, list[dict[str, object]]] = {}
    for row in rows:
        if int(row["bits"]) == bits and row_points(row):
            families.setdefault(str(row["activation"]), []).append(row)
    columns = min(len(families), 4)
    lines = -(-len(families) // columns)
    figure, grid = plt.subplots(lines, columns, figsize=(4.5 * columns, 4 * lines), squeeze=False)
    periods = sorted({1000 / mhz for prefix, mhz in EQUAL_CLOCKS if not prefix})
    for axes, (family, members) in zip(grid.flat, families.items(), strict=False):
        for row, style in zip(members, _styles(len(members)), strict=True):
            points = row_points(row)
            axes.scatter(
                [p.delay_ns for p in points], [p.area for p in points], color=style["color"], s=8, alpha=0.4
            )
            front = pareto_front(points)
            axes.step(
                [p.delay_ns for p in front],
                [p.area for p in front],
                where="post",
                color=style["color"],
                marker=style["marker"],
                markersize=4,
                label=str(row["unit"]).rsplit(" ", 1)[0],
            )
        for period in periods:
            axes.axvline(period, color="0.6", linestyle=":", linewidth=1)
        axes.set(
            title=f"{family} ({bits} bits): area against delay",
            xlabel="register-to-register delay (ns; dotted: 1, 2, 4)",
            ylabel="µm² (unit alone, flip-flops included)",
        )
        axes.set_yscale("log")
        axes.grid(alpha=0.3, which="both")
        axes.legend(fontsize=6)
    for axes in list(grid.flat)[len(families) :]:
        axes.set_visible(False)
    figure.tight_layout()
    figure.savefig(path, **SAVE)
    plt.close(figure)


def make_plots(rows: list[dict[str, object]], units: list[UnitConfig], out_dir: Path) -> list[str]:
    """Write every plot; return their file names."""
    bits = headline_bits(rows)
    plots = {
        "curves.png": lambda path: curves(path, units, bits),
        "ulp_error.png": lambda path: ulp_errors(path, units, bits),
        "area_vs_bits.png": lambda path: area_vs_bits(path, rows),
        "fmax_vs_latency.png": lambda path: fmax_vs_latency(path, rows, bits),
        "pareto.png": lambda path: pareto(path, rows, bits),
        "area_at_frequency.png": lambda path: area_at_frequency(path, rows, bits),
    }
    if any(row.get("um2_both") not in (None, "") for row in rows):
        plots["silicon.png"] = lambda path: silicon(path, rows, bits)
    if any(row_points(row) for row in rows if int(row["bits"]) == bits):
        plots["area_delay.png"] = lambda path: area_delay(path, rows, bits)
    if crossover(rows):  # no blank plot for a sweep without the comparison
        plots["crossover.png"] = lambda path: crossover_plot(path, rows)
    for name, draw in plots.items():
        draw(out_dir / name)
    return list(plots)
