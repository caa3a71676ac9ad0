# amaranth: UnusedElaboratable=no
"""Fast in-process ``amaranth.sim`` tests of the stream engines' handshakes (SPEC §6.1, §6.2).

Glasgow-style testbenches beside the Verilog benches of ``tests/sim``: a source with named idle
patterns and a sink with named backpressure patterns (Forencich's ``off``/``periodic``/``random``)
drive :class:`~smelu_hw.hw.engine.StreamEngine` and :class:`~smelu_hw.hw.axis.AxiStreamEngine`
one cycle at a time. Every beat that leaves must be the next beat taken, bit-exact against the
golden model (on AXI with its own TLAST and TUSER); a reset mid-stream drops the beats in flight.
"""

from __future__ import annotations

import itertools
import random
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass

import numpy as np
import pytest
from amaranth.back import verilog
from amaranth.hdl import ClockDomain, ClockSignal, Module, Signal
from amaranth.sim import Simulator, SimulatorContext

from smelu_hw import HardSwishSpec, QFormat, SmeLUSpec
from smelu_hw.hw import unit_class_for
from smelu_hw.hw.axis import AxiStreamEngine
from smelu_hw.hw.engine import StreamEngine
from smelu_hw.models import model_for
from smelu_hw.models.engine import engine_results
from smelu_hw.specs import ActivationSpec
from smelu_hw.specs.engine import MODE_BITS, RESERVED_MODES, RESERVED_RESULT

SMELU = SmeLUSpec(beta=1.5, fmt=QFormat(8, 4))
HARDSWISH = HardSwishSpec(fmt=QFormat(8, 4))  # a baseline with a signed gradient
SMELU_PADDED = SmeLUSpec(beta=1.5, fmt=QFormat(10, 5))  # AXI fields of 10 bits in 2 bytes
LATENCIES = (0, 1, 3)
USER_BITS = 3
BEATS = 32
RESET_CYCLES = 3


def _random_pauses(seed: int) -> Iterator[bool]:
    rng = random.Random(seed)
    while True:
        yield rng.random() < 0.4


#: Pause patterns: name -> (seed -> one flag per cycle; True idles the source / stalls the sink).
PATTERNS: dict[str, Callable[[int], Iterator[bool]]] = {
    "off": lambda seed: itertools.repeat(False),
    "periodic": lambda seed: itertools.cycle((False, True, True, False, True)),
    "random": _random_pauses,
}


@dataclass(frozen=True)
class Beat:
    """One input beat: mode code, per-lane ``x`` and ``g`` codes, free TUSER bits and TLAST."""

    mode: int
    x: tuple[int, ...]
    g: tuple[int, ...]
    user: int = 0
    last: bool = False


def random_beats(spec: ActivationSpec, lanes: int, count: int, seed: int) -> list[Beat]:
    """``count`` beats, every mode code (reserved ones too) equally often in random order, codes
    biased to the format's ends, random user bits and frame ends."""
    rng = random.Random(seed)
    modes = [code % (1 << MODE_BITS) for code in range(count)]
    rng.shuffle(modes)

    def codes(fmt: QFormat) -> tuple[int, ...]:
        ends = (fmt.min_code, fmt.max_code, 0)
        return tuple(
            rng.choice(ends) if rng.random() < 0.2 else rng.randint(fmt.min_code, fmt.max_code)
            for _ in range(lanes)
        )

    beats = [
        Beat(mode, codes(spec.fmt), codes(spec.out_fmt), rng.randrange(1 << USER_BITS), rng.random() < 0.3)
        for mode in modes
    ]
    assert {beat.last for beat in beats} == {False, True} and len({beat.user for beat in beats}) > 1
    return beats


class Ports:
    """A design under test in a top module clocked by domain ``clock``, and how a bench drives it.

    ``handshake`` is ``(in_valid, in_ready, out_valid, out_ready)``; subclasses say how the reset
    is driven, how a beat is presented, how an output beat is read and what it must be.
    """

    handshake: tuple[Signal, Signal, Signal, Signal]

    def __init__(self, spec: ActivationSpec, lanes: int, latency: int, clock: str) -> None:
        self.spec, self.lanes, self.latency, self.clock = spec, lanes, latency, clock
        self.model = model_for(spec)
        self.top = Module()
        self.domain = ClockDomain(clock)
        self.top.domains += self.domain

    def golden(self, beat: Beat) -> tuple[int, ...]:
        if beat.mode in RESERVED_MODES:
            return (RESERVED_RESULT,) * self.lanes
        return tuple(engine_results(self.model, beat.mode, np.array(beat.x), np.array(beat.g)).tolist())

    def set_reset(self, ctx: SimulatorContext, active: bool) -> None: ...
    def present(self, ctx: SimulatorContext, beat: Beat | None) -> None: ...
    def output(self, ctx: SimulatorContext) -> tuple: ...
    def want(self, beat: Beat) -> tuple: ...  # these four: implemented by each subclass


class EnginePorts(Ports):
    """A :class:`StreamEngine` in the top's ``sync`` domain, reset by its ``rst``."""

    def __init__(self, spec: ActivationSpec, lanes: int, latency: int) -> None:
        super().__init__(spec, lanes, latency, "sync")
        self.top.submodules.dut = self.dut = StreamEngine(spec, lanes, unit_class_for(spec), latency)
        i, o = self.dut.i, self.dut.o
        self.handshake = (i.valid, i.ready, o.valid, o.ready)

    def set_reset(self, ctx: SimulatorContext, active: bool) -> None:
        ctx.set(self.domain.rst, active)

    def present(self, ctx: SimulatorContext, beat: Beat | None) -> None:
        ctx.set(self.dut.i.valid, beat is not None)
        if beat is not None:
            ctx.set(self.dut.i.payload, {"mode": beat.mode, "x": list(beat.x), "g": list(beat.g)})

    def output(self, ctx: SimulatorContext) -> tuple:
        payload = ctx.get(self.dut.o.payload)
        return (tuple(payload[lane] for lane in range(self.lanes)),)

    def want(self, beat: Beat) -> tuple:
        return (self.golden(beat),)


class AxisPorts(Ports):
    """An :class:`AxiStreamEngine` clocked from a top domain ``aclk``, TDATA per its layout."""

    def __init__(self, spec: ActivationSpec, lanes: int, latency: int) -> None:
        super().__init__(spec, lanes, latency, "aclk")
        self.dut = AxiStreamEngine(spec, lanes, unit_class_for(spec), latency, user_bits=USER_BITS)
        self.top.submodules.dut = dut = self.dut
        self.top.d.comb += dut.aclk.eq(ClockSignal("aclk"))
        self.handshake = (dut.s_axis_tvalid, dut.s_axis_tready, dut.m_axis_tvalid, dut.m_axis_tready)
        self.fields = {**dut.layout["s_axis"]["fields"], **dut.layout["m_axis"]["fields"]}

    def set_reset(self, ctx: SimulatorContext, active: bool) -> None:
        ctx.set(self.dut.aresetn, not active)

    def present(self, ctx: SimulatorContext, beat: Beat | None) -> None:
        ctx.set(self.dut.s_axis_tvalid, beat is not None)
        if beat is None:
            return
        word = 0
        for name in ("x", "g"):
            field = self.fields[name]
            for offset, value in zip(field["offsets"], getattr(beat, name), strict=True):
                word |= (value % (1 << 8 * field["bytes"])) << 8 * offset  # sign-extended over its bytes
        ctx.set(self.dut.s_axis_tdata, word)
        ctx.set(self.dut.s_axis_tuser, beat.mode | beat.user << MODE_BITS)
        ctx.set(self.dut.s_axis_tlast, beat.last)

    def output(self, ctx: SimulatorContext) -> tuple:
        """Lane results read over each field's whole bytes (so the sign extension is checked too)."""
        word, field = ctx.get(self.dut.m_axis_tdata), self.fields["result"]
        bits = 8 * field["bytes"]
        lanes = [(word >> 8 * offset) & ((1 << bits) - 1) for offset in field["offsets"]]
        results = tuple(value - (value >> (bits - 1) << bits) for value in lanes)
        return results, ctx.get(self.dut.m_axis_tuser), bool(ctx.get(self.dut.m_axis_tlast))

    def want(self, beat: Beat) -> tuple:
        return self.golden(beat), beat.mode | beat.user << MODE_BITS, beat.last


#: Designs under test: name -> (latency -> ports).
KINDS: dict[str, Callable[[int], Ports]] = {
    "engine_smelu": lambda latency: EnginePorts(SMELU, 3, latency),
    "engine_hardswish": lambda latency: EnginePorts(HARDSWISH, 2, latency),
    "axis_smelu": lambda latency: AxisPorts(SMELU_PADDED, 2, latency),
}
BOTH = ("engine_smelu", "axis_smelu")


@dataclass(frozen=True)
class Sample:
    """The handshake signals of one cycle, settled before its clock edge."""

    reset: bool
    in_valid: int
    in_ready: int
    out_valid: int
    out_ready: int


class Driver:
    """Source and sink of a :class:`Ports`, one cycle per :meth:`step`.

    A presented beat stays presented until taken (the stream rule); idles only start between
    beats. ``taken`` and ``received`` are the beats of the input and output handshakes.
    """

    def __init__(self, ctx: SimulatorContext, ports: Ports, beats: list[Beat], idle: str, stall: str) -> None:
        self.ctx, self.ports, self.pending = ctx, ports, deque(beats)
        self.idle, self.stall = PATTERNS[idle](1), PATTERNS[stall](2)
        self.taken: list[Beat] = []
        self.received: list[tuple] = []
        self.trace: list[Sample] = []
        self.presenting = False

    async def step(
        self, *, reset: bool = False, offer: bool | None = None, ready: bool | None = None
    ) -> None:
        """One cycle; ``offer`` and ``ready`` override the idle and stall patterns."""
        ctx, ports = self.ctx, self.ports
        idle, stall = next(self.idle), next(self.stall)  # both advance every cycle
        if offer is None:
            offer = self.presenting or not idle
        offer = offer and bool(self.pending)
        ports.set_reset(ctx, reset)
        ports.present(ctx, self.pending[0] if offer else None)
        ctx.set(ports.handshake[3], not stall if ready is None else ready)
        sample = Sample(reset, *(ctx.get(signal) for signal in ports.handshake))
        self.trace.append(sample)
        if sample.out_valid and sample.out_ready:
            self.received.append(ports.output(ctx))
        taken = sample.in_valid and sample.in_ready
        if taken:
            self.taken.append(self.pending.popleft())
        self.presenting = offer and not taken
        await ctx.tick(ports.clock)

    async def bring_up(self) -> None:
        """Two cycles in reset and one quiet cycle (AXI: tready is low until an edge samples
        aresetn high); the trace starts after them."""
        for _ in range(2):
            await self.step(reset=True, offer=False, ready=False)
        await self.step(offer=False, ready=False)
        self.trace.clear()

    async def drain(self, dropped: int = 0) -> None:
        """Step until every beat taken or still pending, but ``dropped``, has come out."""
        while len(self.received) < len(self.taken) + len(self.pending) - dropped:
            assert len(self.trace) < 20 * BEATS, "the design stopped making progress"
            await self.step()


def simulate(
    ports: Ports, beats: list[Beat], idle: str, stall: str, script: Callable[[Driver], Awaitable[None]]
) -> Driver:
    """Bring the design up, run ``script`` on a driver of ``beats``; return the driver."""
    sim = Simulator(ports.top)
    sim.add_clock(1e-6, domain=ports.clock)
    drivers: list[Driver] = []

    async def bench(ctx: SimulatorContext) -> None:
        drivers.append(driver := Driver(ctx, ports, beats, idle, stall))
        await driver.bring_up()
        await script(driver)

    sim.add_testbench(bench)
    sim.run()
    return drivers[0]


def stream(ports: Ports, beats: list[Beat], idle: str, stall: str) -> Driver:
    """Push every beat through; return the driver (its trace and handshakes) afterwards."""
    driver = simulate(ports, beats, idle, stall, Driver.drain)
    assert driver.taken == beats and not driver.pending
    return driver


def check_outputs(ports: Ports, received: list[tuple], beats: list[Beat]) -> None:
    """``received`` is ``beats`` one for one, in order, each as the golden model wants it."""
    wanted = [ports.want(beat) for beat in beats]
    assert len(received) == len(wanted), f"{len(received)} beats out for {len(wanted)} in"
    for index, (got, want) in enumerate(zip(received, wanted, strict=True)):
        assert got == want, f"beat {index} ({beats[index]}): got {got}, want {want}"


def check_stream(ports: Ports, beats: list[Beat], idle: str, stall: str) -> None:
    """Every beat comes out once, in order, correct; and in every cycle the input is ready
    exactly when the last stage is empty or being read (L = 0: when the output is ready)."""
    driver = stream(ports, beats, idle, stall)
    check_outputs(ports, driver.received, beats)
    for cycle, sample in enumerate(driver.trace):
        advance = sample.out_ready or (ports.latency > 0 and not sample.out_valid)
        assert sample.in_ready == advance, f"cycle {cycle}: {sample}"


def matrix(names: tuple[str, ...], pairs: list[tuple[str, str]]) -> list:
    """``(name, latency, idle, stall)`` parameters with readable ids."""
    return [
        pytest.param(name, latency, idle, stall, id=f"{name}-L{latency}-idle_{idle}-stall_{stall}")
        for name in names
        for latency in LATENCIES
        for idle, stall in pairs
    ]


CROSS = list(itertools.product(PATTERNS, PATTERNS))
latencies = pytest.mark.parametrize("latency", LATENCIES, ids=[f"L{latency}" for latency in LATENCIES])


#: Both engines under every idle x stall pair; the baseline (a signed gradient) under random ones.
@pytest.mark.parametrize(
    ("kind", "latency", "idle", "stall"),
    matrix(BOTH, CROSS) + matrix(("engine_hardswish",), [("random",) * 2]),
)
def test_stream(kind: str, latency: int, idle: str, stall: str) -> None:
    """Under idle and backpressure patterns each beat comes out once, in order, bit-exact in every
    mode (mode 3: zeros), on AXI with its own TLAST and TUSER (mode and user bits)."""
    ports = KINDS[kind](latency)
    check_stream(ports, random_beats(ports.spec, ports.lanes, BEATS, seed=latency), idle, stall)


@latencies
@pytest.mark.parametrize("kind", BOTH)
def test_full_throughput(kind: str, latency: int) -> None:
    """Without idles or backpressure ``n`` beats take ``n + L`` cycles: one beat per cycle."""
    ports = KINDS[kind](latency)
    beats = random_beats(ports.spec, ports.lanes, BEATS, seed=7)
    driver = stream(ports, beats, "off", "off")
    check_outputs(ports, driver.received, beats)
    assert len(driver.trace) == BEATS + latency
    assert all(sample.in_ready for sample in driver.trace[:BEATS])


@pytest.mark.parametrize("kind", BOTH)
def test_zero_latency_is_combinational(kind: str) -> None:
    """At L = 0, in every cycle ``in_ready`` is ``out_ready`` and ``out_valid`` is ``in_valid``."""
    ports = KINDS[kind](0)
    trace = stream(ports, random_beats(ports.spec, ports.lanes, BEATS, seed=3), "random", "random").trace
    assert {(sample.in_ready, sample.out_ready) for sample in trace} == {(0, 0), (1, 1)}
    assert all(sample.in_valid == sample.out_valid for sample in trace)


def reset_mid_stream(ports: Ports, offer: bool, ready: bool) -> list[Sample]:
    """Stream under random patterns, fill the pipeline (sink stalled), hold reset for
    :data:`RESET_CYCLES` cycles and one cycle after (``offer``/``ready`` during them), drain.

    Checks that beats were in flight and dropped, and that every beat taken after the reset came
    out once, in order and correct; returns the trace of the reset's cycles and the one after.
    """
    marks: dict[str, int] = {}

    async def script(driver: Driver) -> None:
        while len(driver.taken) < BEATS // 3:
            await driver.step()
        for _ in range(ports.latency + 1):
            await driver.step(offer=True, ready=False)
        marks.update(taken=len(driver.taken), delivered=len(driver.received), start=len(driver.trace))
        for _ in range(RESET_CYCLES):
            await driver.step(reset=True, offer=offer, ready=ready)
        await driver.step(offer=offer, ready=ready)  # the first edge that samples the reset low
        await driver.drain(dropped=marks["taken"] - marks["delivered"])

    driver = simulate(
        ports, random_beats(ports.spec, ports.lanes, BEATS, seed=11), "random", "random", script
    )
    taken, delivered, start = marks["taken"], marks["delivered"], marks["start"]
    assert (taken > delivered) == (ports.latency > 0) and taken - delivered <= ports.latency  # in flight
    assert driver.taken[taken:], "no beat was accepted after the reset"
    check_outputs(ports, driver.received[delivered:], driver.taken[taken:])
    return driver.trace[start : start + RESET_CYCLES + 1]


@latencies
def test_engine_reset_mid_stream(latency: int) -> None:
    """StreamEngine ``rst`` (sink stalled, source quiet): from the first edge in reset ``o.valid``
    is low; beats in flight are dropped; every beat accepted afterwards comes out once, correct."""
    first, *after = reset_mid_stream(KINDS["engine_smelu"](latency), offer=False, ready=False)
    assert first.reset and first.out_valid == (latency > 0)  # a full pipeline when rst rises
    assert not any(sample.out_valid for sample in after)


@latencies
def test_axis_reset_mid_stream(latency: int) -> None:
    """``aresetn`` low mid-frame, a beat offered and ``m_axis_tready`` high: ``s_axis_tready`` and
    ``m_axis_tvalid`` low until an edge samples it high; in-flight beats dropped, later ones kept."""
    trace = reset_mid_stream(KINDS["axis_smelu"](latency), offer=True, ready=True)
    assert [sample.reset for sample in trace] == [True] * RESET_CYCLES + [False]
    assert not any(sample.in_ready or sample.out_valid for sample in trace)
    assert all(sample.in_valid and sample.out_ready for sample in trace)


def test_axis_engine_is_a_submodule_of_a_sync_design() -> None:
    """A parent that uses ``sync`` (here a toggling flop) can instantiate the AXI wrapper: its
    domain is a local one of its own name (a local ``sync`` failed Amaranth's domain propagation)."""
    top = Module()
    top.submodules.dut = dut = AxiStreamEngine(SMELU, 1, unit_class_for(SMELU), 1)
    flop = Signal()
    top.d.sync += flop.eq(~flop)
    top.d.comb += dut.aclk.eq(ClockSignal("sync"))
    Simulator(top), verilog.convert(top, ports=[dut.s_axis_tvalid, dut.m_axis_tvalid], emit_src=False)
