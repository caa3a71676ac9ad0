"""Area against delay on the IHP SG13G2 cells: the Pareto front of R16, the faithful R16, the
cheapest smooth unit and ReLU over latency 0..4 and ABC's delay target, and the smallest area
at 250 MHz, 500 MHz and 1 GHz (typical corner) and 250 MHz (slow corner).

Every unit is Q16.8, forward + gradient. A point is one latency and one delay target
(:data:`smelu_hw.liberty.pareto.DELAY_TARGETS_PS`; ``-`` is no target, area-oriented mapping
without sizing): its area is the unit alone, its pipeline flip-flops included; its delay the
register-to-register critical path of the unit between plain D flip-flops (clock-to-output and
setup included, ideal clock, no wire load; :mod:`smelu_hw.liberty.pareto`). The cheapest smooth
unit is the smallest faithful polynomial (``poly``) at latency 0 with no target (only its
front is swept). A unit that
misses a clock at every latency gives its fastest point. The issue's clock targets: at the
typical corner R16 meets 500 MHz at latency <= 2 and 1 GHz at latency <= 4.
``--liberty FILE [--corner LABEL]`` measures on that library alone (its equal-clock columns
are 250, 500 and 1000 MHz). Measured (Yosys 0.70): R16 2,511 µm² at L=0 (2.71 ns) for 250 MHz
typical, 6,190 µm² at L=2 (1.89 ns) for 500 MHz (target met), 1 GHz missed (best 1.36 ns at
L=4, 11,679 µm²), 2,638 µm² at L=0 (3.97 ns, 2000 ps target) for 250 MHz slow; 12 minutes
on a loaded two-core machine with part of the cache warm. Needs the report extra:
``pip install -e '.[report]'``. Run: ``python benchmarks/liberty_pareto.py`` (two workers;
results are cached).
"""

import argparse
import time
from concurrent.futures import ProcessPoolExecutor

from benchmarks.area import R16_FAITHFUL
from smelu_hw import QFormat, ReLUSpec
from smelu_hw.approx.functions import SMOOTH
from smelu_hw.gen import generate
from smelu_hw.gen.standard import REFERENCE_R16
from smelu_hw.liberty import SG13G2_SLOW, SG13G2_TYPICAL, Corner, liberty_area
from smelu_hw.liberty.corners import add_corner_arguments, user_corner_or_exit
from smelu_hw.liberty.pareto import (
    DELAY_TARGETS_PS,
    LATENCIES,
    Point,
    measure_point,
    pareto_front,
    smallest_at_clock,
)
from smelu_hw.specs import SPECS, ActivationSpec
from smelu_hw.synth import yosys_version

FMT = QFormat(16, 8)
#: The equal-clock columns: (corner index, MHz); corner 0 is the typical (or the user's).
CLOCKS = ((0, 250.0), (0, 500.0), (0, 1000.0), (1, 250.0))
#: The issue's clock targets for R16 at the typical corner: (MHz, largest latency).
TARGETS = ((500.0, 2), (1000.0, 4))


def _smooth_poly() -> dict[str, ActivationSpec]:
    return {f"{name} poly": SPECS[name](fmt=FMT, method="poly") for name in SMOOTH}


def _area(spec: ActivationSpec, corner: Corner) -> float:
    """µm² of ``spec``'s combinational unit with no delay target."""
    unit = generate(spec)
    return liberty_area(unit.verilog, unit.name, corner).area


def _points(
    pool: ProcessPoolExecutor, specs: dict[str, ActivationSpec], corner: Corner
) -> dict[str, list[Point]]:
    jobs = [
        (label, latency, target) for label in specs for latency in LATENCIES for target in DELAY_TARGETS_PS
    ]
    futures = [
        pool.submit(measure_point, specs[label], latency, target, corner) for label, latency, target in jobs
    ]
    points: dict[str, list[Point]] = {label: [] for label in specs}
    for (label, _, _), future in zip(jobs, futures, strict=True):
        points[label].append(future.result())
    return points


def _front_lines(label: str, corner: Corner, points: list[Point]) -> list[str]:
    lines = [f"\n{label}, {corner.label}: Pareto front (fastest first)"]
    lines.append(f"{'L':>3} {'target ps':>9} {'ns':>7} {'MHz':>7} {'µm²':>9} {'FF':>4}  critical path")
    for p in pareto_front(points):
        target = "-" if p.target_ps is None else str(p.target_ps)
        lines.append(
            f"{p.latency:>3} {target:>9} {p.delay_ns:>7.3f} {p.mhz:>7.0f} {p.area:>9.1f} {p.flops:>4}  "
            f"{p.start} -> {p.end}"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_corner_arguments(parser)
    args = parser.parse_args()
    user = user_corner_or_exit(args, "liberty_pareto")
    corners = [user] if user else [SG13G2_TYPICAL, SG13G2_SLOW]
    started = time.perf_counter()
    print(f"{yosys_version()}, Liberty flow; delay register to register, area of the unit alone")
    units: dict[str, ActivationSpec] = {
        "R16": REFERENCE_R16,
        "R16 faithful": R16_FAITHFUL,
        "ReLU": ReLUSpec(fmt=FMT),
    }
    with ProcessPoolExecutor(max_workers=2) as pool:
        smooth = _smooth_poly()
        areas = dict(zip(smooth, pool.map(_area, smooth.values(), [corners[0]] * len(smooth)), strict=True))
        cheapest = min(areas, key=areas.__getitem__)
        listed = ", ".join(f"{label} {area:,.1f}" for label, area in areas.items())
        print(f"cheapest smooth unit: {cheapest} (µm² at L=0, no target: {listed})")
        units[f"{cheapest} (cheapest smooth)"] = smooth[cheapest]
        fronts = [_points(pool, units, corner) for corner in corners]
    for label in units:
        for corner, points in zip(corners, fronts, strict=True):
            print("\n".join(_front_lines(label, corner, points[label])))
    clocks = [(index, mhz) for index, mhz in CLOCKS if index < len(corners)]
    print("\nSmallest area that meets each clock (latency 0..4, every delay target)")
    columns = [
        f"{corners[index].label.split(' ')[1] if user is None else corners[index].label} {mhz:g} MHz"
        for index, mhz in clocks
    ]
    print(f"{'unit':<28} " + " | ".join(f"{column:<40}" for column in columns))
    for label in units:
        cells = [smallest_at_clock(fronts[index][label], mhz).describe() for index, mhz in clocks]
        print(f"{label:<28} " + " | ".join(f"{cell:<40}" for cell in cells))
    print(f"\nClock targets, R16 at {corners[0].label}:")
    for mhz, latency in TARGETS:
        choice = smallest_at_clock(fronts[0]["R16"], mhz, max_latency=latency)
        verdict = "met" if choice.met else "MISSED"
        print(f"  {mhz:g} MHz at L <= {latency}: {verdict}, {choice.describe()}")
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
