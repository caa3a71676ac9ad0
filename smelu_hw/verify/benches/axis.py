"""cocotb benches of the AXI4-Stream engine (:class:`~smelu_hw.hw.axis.AxiStreamEngine`), driven by
cocotbext-axi against the golden model.

Not a pytest module (see :mod:`smelu_hw.verify.benches.activation`). Environment:
``SMELU_MANIFEST`` (a manifest with the model's fields, ``latency`` and the ``axis`` layout of
:func:`~smelu_hw.hw.axis.axis_layout`), ``SMELU_SEED``.

An ``AxiStreamSource`` drives ``s_axis``, an ``AxiStreamSink`` takes ``m_axis`` and an
``AxiStreamMonitor`` records what the design accepted on ``s_axis``; all three follow
``aresetn``. Every output beat must equal :func:`~smelu_hw.models.engine.engine_results` of its
input beat (a beat of ``reserved_result`` for a reserved mode), carry its input beat's TUSER,
and every frame must keep its length (TLAST). The tests:

* ``axis_traffic``: for each of the 9 crossings of the idle inserter and the backpressure
  inserter (:data:`~.axis_driver.PATTERNS`: off, periodic, random), frames of 1 beat and of
  many, every mode, random user bits; each crossing's results are recorded on their own;
* ``axis_full_throughput``: no pauses; ``n`` back-to-back beats are accepted on ``n``
  consecutive edges and leave on ``n`` consecutive edges, ``n + latency`` edges in all;
* ``axis_reset``: ``aresetn`` low for a few cycles in the middle of a frame, with a beat offered
  on ``s_axis`` and ``m_axis_tready`` high through the reset; ``m_axis_tvalid`` and
  ``s_axis_tready`` are low from the moment ``aresetn`` falls to the first edge after it rises,
  no beat of before the reset comes out after it, and frames sent after it come out intact.

Each test writes ``NAME.json`` (what it compared) in its test folder and fails if it compared
nothing. A stream that stops moving (no beat on either port for :data:`STALL_CYCLES` cycles
while the bench waits for output: a ``tready`` stuck low, a ``tvalid`` that never rises) is
named in the summary's ``stall``, an output with an ``x`` or ``z`` bit (the monitor's
check, :mod:`.axis_monitor`) in its ``x`` (each ``None`` otherwise), written before the test
fails; a test stopped by an ``x`` reports the counts of :data:`CUT_SHORT`.
As in cocotb's ``matrix_multiplier`` example, the parts are small classes started
from one :class:`AxisBench`: the wire format (:mod:`.axis_frames`), the driver
(:mod:`.axis_driver`), the monitor (:mod:`.axis_monitor`) and the checker (:mod:`.axis_checker`).
"""

from __future__ import annotations

import itertools
import random

import cocotb
from cocotb.triggers import FallingEdge, ReadOnly, RisingEdge, Timer

from ...manifest import model_from_manifest
from ..bench_io import findings, read_manifest, read_seed, write_summary
from .axis_checker import AxisChecker, check_summary
from .axis_driver import PATTERNS, AxisDriver
from .axis_frames import AxisFormat, Beat, split_frames
from .axis_monitor import AxisMonitor

__all__ = ["AxisBench", "axis_full_throughput", "axis_reset", "axis_traffic"]

#: Frame lengths (beats) of each crossing of ``axis_traffic``: single beats and longer frames.
SINGLE_FRAMES, LONG_FRAMES, LONG_FRAME_BEATS = 4, 4, (2, 24)
#: Beats of ``axis_full_throughput``, in frames of these lengths.
THROUGHPUT_FRAMES = (1, 40, 1, 1, 37, 20)
#: Cycles ``aresetn`` is held low in ``axis_reset``.
RESET_CYCLES = 3
#: Edges without a handshake on either port after which a wait for output is a stall.
STALL_CYCLES = 100
#: Edges ``axis_reset`` waits for the long frame to be partly through before the reset.
START_CYCLES = 2000
#: What each test reports beside what it compared when it stops before its end.
CUT_SHORT = {
    "axis_traffic": {"crossings": [], "accept_mismatches": 0, "extra_frames": 0},
    "axis_full_throughput": dict.fromkeys(("cycles", "output_beats", "accept_gaps", "output_gaps"), 0),
    "axis_reset": {"reset_cycles": RESET_CYCLES, "in_flight_at_reset": 0, "edges_checked_in_reset": 0},
}


class AxisBench:
    """One engine under test: its manifest's layout and model, and the driver, monitor and
    checker of its ports, which :meth:`start` brings up together.

    Parameters
    ----------
    dut : object
        The engine's cocotb handle; its manifest and seed come from the runner
        (:mod:`smelu_hw.verify.bench_io`).
    name : str
        The cocotb test (one of :data:`CUT_SHORT`), whose summary an undefined output writes.
    """

    def __init__(self, dut: object, name: str) -> None:
        self.name = name
        manifest = read_manifest()
        model = model_from_manifest(manifest)
        self.latency = manifest["latency"]
        self.wire = AxisFormat(manifest["axis"])
        self.rng = random.Random(read_seed())
        self.driver = AxisDriver(dut, self.wire, model.spec, self.rng)
        self.monitor = AxisMonitor(dut)
        self.checker = AxisChecker(model, self.wire)
        #: The first stall seen (:meth:`receive`), or ``None``.
        self.stall: str | None = None

    async def start(self, idle: str = "off", backpressure: str = "off") -> None:
        """Clock, drivers, monitor and a reset of a few cycles; the named traffic patterns of
        the idle and the backpressure inserter (:func:`~.axis_driver.pauses`)."""
        self.driver.start()
        self.monitor.start()
        self.driver.traffic(idle, backpressure)
        self.monitor.watch(lambda finding: self.cut_short(findings(finding)))
        await self.driver.reset(RESET_CYCLES)

    def cut_short(self, found: dict[str, str | None], compared: dict[str, object] | None = None) -> None:
        """Write the summary of a test that stops before its end: ``found`` (its ``stall`` and
        ``x``, :func:`~smelu_hw.verify.bench_io.findings`), ``compared`` (what
        :meth:`~.axis_checker.AxisChecker.compare` found before; nothing by default) and the
        counts of :data:`CUT_SHORT`."""
        compared = compared if compared is not None else self.checker.compare([], [])
        write_summary(self.name, compared | CUT_SHORT[self.name] | found)

    async def receive(self, frames: int, beats: int) -> list:
        """The driver's :meth:`~.axis_driver.AxisDriver.receive`; if the frames did not all come
        and nothing moved on either port for :data:`STALL_CYCLES` edges, :attr:`stall` names it."""
        start = len(self.monitor.edges)
        received = await self.driver.receive(frames, beats)
        idle = self.monitor.idle_edges(start)
        if len(received) < frames and idle >= STALL_CYCLES and self.stall is None:
            delivered = self.monitor.count("delivered", start)
            self.stall = (
                f"no beat moved on s_axis or m_axis for {idle} cycles (stalled) after "
                f"{delivered} of {beats} output beats"
            )
        return received

    def frames(self, lengths: list[int] | tuple[int, ...]) -> list[list[Beat]]:
        """Random frames of ``lengths`` beats."""
        return split_frames(self.driver.beats(sum(lengths)), lengths)


@cocotb.test()
async def axis_traffic(dut):
    bench = AxisBench(dut, "axis_traffic")
    driver, checker = bench.driver, bench.checker
    await bench.start()
    crossings, sent_all, received_all = [], [], []
    for idle, backpressure in itertools.product(PATTERNS, PATTERNS):
        driver.traffic(idle, backpressure)
        lengths = [1] * SINGLE_FRAMES + [bench.rng.randint(*LONG_FRAME_BEATS) for _ in range(LONG_FRAMES)]
        bench.rng.shuffle(lengths)
        sent = bench.frames(lengths)
        accepted_before = len(bench.monitor.accepted_frames())
        driver.send(sent)
        received = await bench.receive(len(sent), sum(lengths))
        await driver.idle(10 + bench.latency)
        found = checker.compare(sent, received)
        accepted = bench.monitor.accepted_frames()[accepted_before:]
        crossing = {
            "idle": idle,
            "backpressure": backpressure,
            "frames": found["frames"],
            "beats": found["beats"],
            "mismatch_count": found["mismatch_count"],
            "accept_mismatches": checker.accept_mismatches(sent, accepted),
        }
        crossings.append(crossing)
        sent_all += sent
        received_all += received
    extra = driver.sink.count()
    summary = checker.compare(sent_all, received_all) | {"extra_frames": extra, "crossings": crossings}
    summary["accept_mismatches"] = sum(crossing["accept_mismatches"] for crossing in crossings)
    write_summary("axis_traffic", summary | {"stall": bench.stall})
    assert bench.stall is None, bench.stall
    check_summary(summary)
    assert summary["single_beat_frames"] > 0 and summary["multi_beat_frames"] > 0
    assert len(crossings) == len(PATTERNS) ** 2 and all(c["beats"] > 0 for c in crossings)
    assert extra == 0, f"{extra} frames came out that were never sent"
    assert summary["accept_mismatches"] == 0, "the design accepted other beats than were sent"


@cocotb.test()
async def axis_full_throughput(dut):
    bench = AxisBench(dut, "axis_full_throughput")
    await bench.start()
    count = sum(THROUGHPUT_FRAMES)
    sent = bench.frames(THROUGHPUT_FRAMES)
    first_edge = len(bench.monitor.edges)
    bench.driver.send(sent)
    received = await bench.receive(len(sent), count)
    await bench.driver.idle(5)
    edges = bench.monitor.edges[first_edge:]
    accepted = [k for k, edge in enumerate(edges) if edge.accepted]
    offered = [k for k, edge in enumerate(edges) if edge.delivered]
    cycles = offered[-1] - accepted[0] + 1 if accepted and offered else 0
    summary = bench.checker.compare(sent, received) | {
        "latency": bench.latency,
        "cycles": cycles,
        "accepted_beats": len(accepted),
        "output_beats": len(offered),
        "accept_gaps": sum(b - a - 1 for a, b in itertools.pairwise(accepted)),
        "output_gaps": sum(b - a - 1 for a, b in itertools.pairwise(offered)),
        "stall": bench.stall,
    }
    write_summary("axis_full_throughput", summary)
    assert bench.stall is None, bench.stall
    check_summary(summary)
    assert len(accepted) == len(offered) == count, f"{len(accepted)} in, {len(offered)} out of {count}"
    assert summary["accept_gaps"] == summary["output_gaps"] == 0, "a beat per cycle was not sustained"
    # A beat accepted at edge k leaves at edge k + latency.
    assert cycles == count + bench.latency, f"{cycles} cycles for {count} beats at latency {bench.latency}"


@cocotb.test()
async def axis_reset(dut):
    bench = AxisBench(dut, "axis_reset")
    driver, monitor, checker = bench.driver, bench.monitor, bench.checker
    await bench.start(idle="random", backpressure="random")
    # A frame before the reset comes out whole.
    before = [driver.beats(5)]
    driver.send(before)
    received = await bench.receive(1, 5)
    accepted_before = monitor.accepted_frames()

    # A long frame, cut by the reset once some of its beats went in and some came out.
    long_frame = driver.beats(60)
    driver.send([long_frame])
    start = len(monitor.edges)
    while monitor.count("accepted", start) < 12 or not monitor.count("delivered", start):
        await RisingEdge(dut.aclk)
        if len(monitor.edges) - start >= START_CYCLES:  # a stall: say so, then fail
            accepted, delivered = monitor.count("accepted", start), monitor.count("delivered", start)
            bench.stall = bench.stall or (
                f"the frame before the reset did not get through: {accepted} beats accepted, "
                f"{delivered} out in {START_CYCLES} cycles (stalled)"
            )
            bench.cut_short(findings(None) | {"stall": bench.stall}, checker.compare(before, received))
            raise AssertionError(bench.stall)
    in_flight = monitor.count("accepted", start) - monitor.count("delivered", start)
    await FallingEdge(dut.aclk)
    dut.aresetn.value = 0
    await ReadOnly()
    gated_at_once = not any(monitor.outputs())
    reset_edge = len(monitor.edges)
    # Once the drivers have let go, offer a beat and take any: nothing may move in the reset,
    # nor at the first edge after it (when tready is still forced high, tvalid low again).
    await Timer(1, unit="ns")
    offer = bench.wire.frame(driver.beats(1))
    dut.s_axis_tdata.value = int.from_bytes(offer.tdata, "little")
    dut.s_axis_tuser.value, dut.s_axis_tlast.value = offer.tuser[0], 1
    dut.s_axis_tvalid.value = dut.m_axis_tready.value = 1
    for _ in range(RESET_CYCLES):
        await RisingEdge(dut.aclk)
    await FallingEdge(dut.aclk)
    dut.aresetn.value = 1
    dut.s_axis_tvalid.value = 0
    await RisingEdge(dut.aclk)
    await ReadOnly()
    window = monitor.edges[reset_edge:]  # the edges in reset, then the first one after it
    cut_short = monitor.count("accepted", start, reset_edge) < len(long_frame)
    stale = driver.sink.count() + len(monitor.accepted_frames())  # no whole frame of the cut one

    # Frames after the reset come out intact, and nothing else.
    after_start = len(monitor.edges)
    after = bench.frames([1, 17, 1, 9])
    sent_after = sum(map(len, after))
    driver.send(after)
    received += await bench.receive(len(after), sent_after)
    await driver.idle(10 + bench.latency)
    out_after = monitor.count("delivered", after_start)
    summary = checker.compare(before + after, received) | {
        "reset_cycles": RESET_CYCLES,
        "in_flight_at_reset": in_flight,
        "edges_checked_in_reset": len(window),
        "valid_in_reset": sum(edge.m_valid for edge in window),
        "ready_in_reset": sum(edge.s_ready for edge in window),
        "gated_at_once": gated_at_once,
        "stale_frames": stale,
        "beats_out_after_reset": out_after,
        "beats_sent_after_reset": sent_after,
        "extra_frames": driver.sink.count(),
        "accept_mismatches": checker.accept_mismatches(before, accepted_before)
        + checker.accept_mismatches(after, monitor.accepted_frames()),
        "stall": bench.stall,
    }
    write_summary("axis_reset", summary)
    assert bench.stall is None, bench.stall
    check_summary(summary)
    assert cut_short and in_flight >= 0, "the reset did not fall in the middle of the frame"
    in_reset, first_after = window[:-1], window[-1]
    assert len(window) == RESET_CYCLES + 1 and not any(e.aresetn for e in in_reset) and first_after.aresetn
    assert summary["valid_in_reset"] == summary["ready_in_reset"] == 0, "handshake during reset"
    assert gated_at_once, "m_axis_tvalid or s_axis_tready stayed high after aresetn fell"
    assert stale == 0 and summary["extra_frames"] == 0, "a frame came out that was never completed"
    assert out_after == sent_after, f"{out_after} beats came out after the reset, {sent_after} were sent"
    assert summary["accept_mismatches"] == 0, "the design accepted other beats than were sent"
