"""Area against delay on a Liberty library: a unit's Pareto front over latency and ABC's delay
target, and the smallest area that meets a clock.

Every point is one unit at one latency (0 to 4 register stages, the generator placing the
cuts, :attr:`~smelu_hw.hw.unit.ActivationUnit.cut_priority`) mapped by the Liberty flow
(:func:`~smelu_hw.liberty.flow.liberty_area`) with one ABC delay target (``abc -D``, or none:
area-oriented mapping without gate sizing). It is measured twice with the same script:

* **Area**: the unit alone, its own pipeline flip-flops included (the library's cells at
  their area).
* **Delay**: the unit between registers (:func:`registered`): every input port fed by a
  plain D flip-flop, every output port captured by one, so every path runs register to
  register: the launching flip-flop's clock-to-output delay, the logic, the capturing one's
  setup time. At latency 0 this is the input-to-output path; above it, the worst of the paths
  between the unit's own stages and those into and out of them. ABC maps nearly the same
  logic in both (register outputs are driven like ports, register inputs loaded like them):
  on R16 and ReLU at Q16.8, latency 0 to 4, the wrapped netlist less its wrapper's
  flip-flops is within 6 cells and 60 µm² of the unit alone (a constant output bit's wrapper
  flip-flop is optimised away).

The boundary assumptions are the flow's (:mod:`~smelu_hw.liberty.timing`): an ideal clock
(no skew, no jitter, no margin), no wire load; inside the wrapper the library's flip-flops
drive the unit's inputs and load its outputs (the smallest-inverter drive and FO4 load apply
to the wrapper's own ports only, which no reported path touches). A point meets a clock when
its delay is at most the period.
"""

from __future__ import annotations

from dataclasses import dataclass

from amaranth.hdl import Shape
from amaranth.lib.wiring import In

from ..gen import generate
from ..gen.build import unit_factory
from ..specs import ActivationSpec
from .flow import SG13G2_TYPICAL, Corner, liberty_area

__all__ = [
    "LATENCIES",
    "DELAY_TARGETS_PS",
    "Point",
    "AtClock",
    "registered",
    "useful_latencies",
    "measure_point",
    "pareto_points",
    "pareto_front",
    "smallest_at_clock",
]

#: Latencies of a front: combinational, and one to four register stages.
LATENCIES = (0, 1, 2, 3, 4)
#: ABC's delay targets in ps; ``None`` maps for area with no gate sizing. Tighter targets (600
#: and 300 ps) were measured too: on Q16.8 they reached a front only twice (faithful R16 at
#: L = 4; ReLU, 0.003 ns faster for 50 % more area), for 40 % more Yosys runs.
DELAY_TARGETS_PS: tuple[int | None, ...] = (None, 2000, 1000)


@dataclass(frozen=True)
class Point:
    """One unit at one latency and delay target.

    Attributes
    ----------
    latency : int
        Register stages of the unit.
    target_ps : int or None
        ABC's delay target (``None``: none).
    delay_ns : float
        The register-to-register critical path of the unit between registers
        (:func:`registered`), clock-to-output and setup included.
    area : float
        The unit alone, its own flip-flops included, in the library's unit (µm² for SG13G2).
    flops : int
        The unit's own flip-flop cells.
    start, end : str
        Where the critical path starts and ends (register pins of the wrapped unit).
    """

    latency: int
    target_ps: int | None
    delay_ns: float
    area: float
    flops: int
    start: str = ""
    end: str = ""

    @property
    def mhz(self) -> float:
        """The clock this point reaches, 1000 / ``delay_ns``."""
        return 1000.0 / self.delay_ns if self.delay_ns > 0 else float("inf")


def registered(verilog: str, top: str, ports: dict[str, tuple[str, int]], clocked: bool) -> tuple[str, str]:
    """``top`` between registers: Verilog with a wrapper module, and the wrapper's name.

    Parameters
    ----------
    verilog : str
        The unit's Verilog.
    top : str
        The unit's module.
    ports : dict of str to (str, int)
        Each data port's direction (``"in"`` or ``"out"``) and width; ``clk`` and ``rst`` are
        not among them.
    clocked : bool
        Whether the unit has ``clk`` and ``rst`` (a latency above 0); ``rst`` is registered too.
    """
    wrapper = f"{top}_between_registers"
    names = [*ports, *(["rst"] if clocked else [])]
    ports = {**ports, **({"rst": ("in", 1)} if clocked else {})}
    lines = [f"module {wrapper}(clk, {', '.join(f'{name}_port' for name in names)});", "  input clk;"]
    for name in names:
        direction, width = ports[name]
        span = f"[{width - 1}:0] " if width > 1 else ""
        lines += [
            f"  {'input' if direction == 'in' else 'output'} {span}{name}_port;",
            f"  reg {span}{name}_q;",
        ]
        if direction == "out":
            lines += [f"  wire {span}{name}_w;", f"  assign {name}_port = {name}_q;"]
    captures = [
        f"{name}_q <= {name}_port;" if ports[name][0] == "in" else f"{name}_q <= {name}_w;" for name in names
    ]
    lines += ["  always @(posedge clk) begin", *(f"    {line}" for line in captures), "  end"]
    connections = [f".{name}({name}_q)" if ports[name][0] == "in" else f".{name}({name}_w)" for name in names]
    connections = ([".clk(clk)"] if clocked else []) + connections
    lines += [f"  {top} unit ({', '.join(connections)});", "endmodule"]
    return verilog + "\n" + "\n".join(lines) + "\n", wrapper


def useful_latencies(spec: ActivationSpec, latencies: tuple[int, ...] = LATENCIES) -> tuple[int, ...]:
    """The ``latencies`` whose points can be on ``spec``'s front: 0, and from 2 up to one more
    than the unit's internal cuts (:attr:`~smelu_hw.hw.unit.ActivationUnit.cut_priority`).

    The others are dominated by construction. Latency 1 registers only the input: between
    registers it is latency 0's logic (the wrapper's input flip-flops, then the same
    combinational datapath), with flip-flops added. A stage beyond the cuts registers the
    outputs again: the logic between registers is that of one stage fewer, with flip-flops
    added. Each is as slow, up to ABC's choices on the same logic, and larger.
    """
    unit = unit_factory(spec)(spec, latency=0)
    unit._MustUse__silence = True  # Amaranth's own idiom: only its cuts are read, never elaborated
    cuts = len(unit.cut_priority)
    return tuple(latency for latency in latencies if latency == 0 or 2 <= latency <= cuts + 1)


def measure_point(
    spec: ActivationSpec,
    latency: int,
    target_ps: int | None,
    corner: Corner = SG13G2_TYPICAL,
    with_grad: bool = True,
) -> Point:
    """One point: ``spec``'s unit at ``latency`` mapped with ``target_ps`` on ``corner`` (cached).

    Raises
    ------
    LibertyError
        The library cannot be mapped to.
    SynthesisError
        Yosys failed.
    """
    unit = generate(spec, latency=latency, with_grad=with_grad)
    ports = {
        name: ("in" if member.flow == In else "out", Shape.cast(member.shape).width)
        for name, member in unit.unit.signature.members.items()
    }
    alone = liberty_area(unit.verilog, unit.name, corner, target_ps)
    text, wrapper = registered(unit.verilog, unit.name, ports, clocked=latency > 0)
    wrapped = liberty_area(text, wrapper, corner, target_ps)
    return Point(latency, target_ps, wrapped.delay_ns, alone.area, alone.flops, wrapped.start, wrapped.end)


def pareto_points(
    spec: ActivationSpec,
    corner: Corner = SG13G2_TYPICAL,
    latencies: tuple[int, ...] = LATENCIES,
    targets: tuple[int | None, ...] = DELAY_TARGETS_PS,
    with_grad: bool = True,
) -> list[Point]:
    """Every point of ``spec``'s unit at each of ``latencies`` and ``targets`` (:func:`measure_point`)."""
    return [
        measure_point(spec, latency, target, corner, with_grad) for latency in latencies for target in targets
    ]


def _dominates(a: Point, b: Point) -> bool:
    return a.delay_ns <= b.delay_ns and a.area <= b.area and (a.delay_ns < b.delay_ns or a.area < b.area)


def pareto_front(points: list[Point]) -> list[Point]:
    """The points no other point beats in both delay and area, fastest first (so area falls
    as delay grows); of equal points the one of smaller latency, then the earlier."""
    ordered = sorted(points, key=lambda p: (p.delay_ns, p.area, p.latency))
    front: list[Point] = []
    for point in ordered:
        if front and front[-1].area <= point.area:
            continue  # as fast or faster and no larger: dominated (or equal)
        front.append(point)
    return front


@dataclass(frozen=True)
class AtClock:
    """The smallest unit at one clock.

    Attributes
    ----------
    mhz : float
        The clock.
    met : bool
        Whether any point meets it (delay at most the period).
    point : Point or None
        The smallest point that meets it (of equal area the smaller latency); if none does,
        the fastest point (its best); ``None`` with no points.
    max_latency : int or None
        The largest latency allowed, if limited.
    """

    mhz: float
    met: bool
    point: Point | None
    max_latency: int | None = None

    @property
    def period_ns(self) -> float:
        """The clock's period, 1000 / ``mhz``."""
        return 1000.0 / self.mhz

    def describe(self, unit: str = "µm²") -> str:
        """``"1,234 µm² at L=2 (0.95 ns)"`` or ``"misses: best 1.20 ns (L=4, 5,678 µm²)"``."""
        if self.point is None:
            return "n/a"
        p = self.point
        if self.met:
            return f"{p.area:,.0f} {unit} at L={p.latency} ({p.delay_ns:.2f} ns)"
        return f"misses: best {p.delay_ns:.2f} ns (L={p.latency}, {p.area:,.0f} {unit})"


def smallest_at_clock(points: list[Point], mhz: float, max_latency: int | None = None) -> AtClock:
    """The smallest of ``points`` (at most ``max_latency``) that meets ``mhz``, or, when none
    does, the fastest of them."""
    if mhz <= 0:
        raise ValueError(f"mhz must be positive, not {mhz!r}")
    allowed = [p for p in points if max_latency is None or p.latency <= max_latency]
    if not allowed:
        return AtClock(mhz, False, None, max_latency)
    period = 1000.0 / mhz
    meeting = [p for p in allowed if p.delay_ns <= period]
    if meeting:
        return AtClock(mhz, True, min(meeting, key=lambda p: (p.area, p.latency, p.delay_ns)), max_latency)
    return AtClock(mhz, False, min(allowed, key=lambda p: (p.delay_ns, p.area, p.latency)), max_latency)
