"""Area against delay (:mod:`smelu_hw.liberty.pareto`): the front of a tiny unit, the
equal-clock chooser on synthetic points, and ``--liberty`` bad input on the benchmark."""

from __future__ import annotations

import itertools
import subprocess
import sys
from pathlib import Path

import pytest

from smelu_hw import QFormat, ReLUSpec, SmeLUSpec
from smelu_hw.liberty.pareto import (
    Point,
    measure_point,
    pareto_front,
    pareto_points,
    smallest_at_clock,
    useful_latencies,
)

ROOT = Path(__file__).resolve().parent.parent


def _point(latency: int, delay: float, area: float, target: int | None = None) -> Point:
    return Point(latency, target, delay, area, flops=latency)


def _dominated(point: Point, points: list[Point]) -> bool:
    return any(
        o.delay_ns <= point.delay_ns
        and o.area <= point.area
        and (o.delay_ns, o.area) != (point.delay_ns, point.area)
        for o in points
    )


@pytest.fixture(scope="module")
def tiny_points() -> list[Point]:
    spec = SmeLUSpec(beta=1.0, fmt=QFormat(6, 3))
    return [*pareto_points(spec, latencies=(0,), targets=(None, 100)), measure_point(spec, 2, None)]


def test_the_front_of_a_tiny_unit_is_non_dominated_and_falls_in_area(tiny_points):
    front = pareto_front(tiny_points)
    assert front and all(point in tiny_points for point in front)
    assert not any(_dominated(point, tiny_points) for point in front)
    assert all(a.delay_ns < b.delay_ns and a.area > b.area for a, b in itertools.pairwise(front))
    # Every point left out is dominated by (or equal to) one kept.
    for point in set(tiny_points) - set(front):
        assert any(f.delay_ns <= point.delay_ns and f.area <= point.area for f in front)


def test_registers_count_in_the_area_and_paths_run_register_to_register(tiny_points):
    by_latency = {p.latency: p for p in tiny_points if p.target_ps is None}
    assert by_latency[0].flops == 0 and by_latency[2].flops > 0
    assert by_latency[2].area > by_latency[0].area
    for point in tiny_points:
        assert point.start.endswith(".CLK)") and point.end.endswith(".D)"), point


def test_the_chooser_picks_the_smallest_point_that_meets_the_clock():
    points = [_point(0, 3.0, 100.0), _point(1, 1.9, 180.0), _point(2, 1.5, 150.0), _point(3, 0.9, 400.0)]
    at_500 = smallest_at_clock(points, 500.0)
    assert at_500.met and at_500.point == points[2]
    assert smallest_at_clock(points, 250.0).point == points[0]
    limited = smallest_at_clock(points, 500.0, max_latency=1)
    assert limited.met and limited.point == points[1]
    assert at_500.describe() == "150 µm² at L=2 (1.50 ns)"


def test_the_chooser_says_when_a_clock_cannot_be_met_and_gives_the_best():
    points = [_point(0, 3.0, 100.0), _point(4, 1.2, 500.0), _point(3, 1.2, 450.0)]
    choice = smallest_at_clock(points, 1000.0)
    assert not choice.met and choice.point == points[2]
    assert choice.describe() == "misses: best 1.20 ns (L=3, 450 µm²)"
    assert smallest_at_clock(points, 1000.0, max_latency=0).point == points[0]
    assert smallest_at_clock([], 250.0).describe() == "n/a"
    with pytest.raises(ValueError, match="mhz must be positive, not 0"):
        smallest_at_clock(points, 0)


def test_equal_area_prefers_the_smaller_latency():
    points = [_point(2, 1.0, 200.0), _point(1, 1.8, 200.0)]
    assert smallest_at_clock(points, 500.0).point.latency == 1
    assert [p.latency for p in pareto_front([*points, _point(3, 1.0, 200.0)])] == [2]


@pytest.mark.parametrize("benchmark", ["liberty_pareto", "liberty_area", "liberty_energy"])
@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--liberty", "missing.lib"], "--liberty: "),
        (["--liberty", "{bad}"], "--liberty: "),
        (["--corner", "ss"], "--corner names the corner of --liberty FILE"),
    ],
)
def test_the_cost_benchmarks_refuse_a_bad_library_with_one_line(tmp_path, benchmark, arguments, message):
    bad = tmp_path / "bad.lib"
    bad.write_text("library (broken) { cell (")
    work = tmp_path / "work"
    work.mkdir()
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / f"{benchmark}.py"),
            *(a.format(bad=bad) for a in arguments),
        ],
        cwd=work,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 2 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{benchmark}: error: {message}"), result.stderr
    assert list(work.iterdir()) == []


def test_the_sweep_skips_the_latencies_dominated_by_construction():
    # Latency 1 registers only x; stages beyond the cuts register the outputs again.
    assert useful_latencies(SmeLUSpec(fmt=QFormat(16, 8))) == (0, 2, 3, 4)
    assert useful_latencies(SmeLUSpec(fmt=QFormat(8, 4), method="rom")) == (0, 2)  # one cut
    assert useful_latencies(ReLUSpec(fmt=QFormat(16, 8))) == (0,)
    assert useful_latencies(SmeLUSpec(fmt=QFormat(16, 8)), (0, 1, 2)) == (0, 2)
