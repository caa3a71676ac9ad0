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

* ``axis_random_frames``: frames of 1 beat and of many, every mode, random user bits, random
  source pauses and sink backpressure;
* ``axis_full_throughput``: no pauses; ``n`` back-to-back beats are accepted on ``n``
  consecutive edges and leave on ``n`` consecutive edges, ``n + latency`` edges in all;
* ``axis_reset``: ``aresetn`` low for a few cycles in the middle of a frame, with a beat offered
  on ``s_axis`` and ``m_axis_tready`` high through the reset; ``m_axis_tvalid`` and
  ``s_axis_tready`` are low from the moment ``aresetn`` falls to the first edge after it rises,
  no beat of before the reset comes out after it, and frames sent after it come out intact.

Each test writes ``NAME.json`` (what it compared) in its test folder and fails if it compared
nothing.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass

import cocotb
import numpy as np
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, ReadOnly, RisingEdge, Timer, with_timeout
from cocotbext.axi import AxiStreamBus, AxiStreamFrame, AxiStreamMonitor, AxiStreamSink, AxiStreamSource

from ...manifest import model_from_manifest
from ...models.engine import engine_results
from ..bench_io import read_manifest, read_seed, write_summary
from ..compare import MAX_REPORTED

__all__ = ["axis_full_throughput", "axis_random_frames", "axis_reset"]

#: Clock period in ns.
PERIOD = 10
#: Frame lengths (beats) of ``axis_random_frames``: single beats and longer frames.
SINGLE_FRAMES, LONG_FRAMES, LONG_FRAME_BEATS = 8, 8, (2, 24)
#: Beats of ``axis_full_throughput``, in frames of these lengths.
THROUGHPUT_FRAMES = (1, 40, 1, 1, 37, 20)
#: Cycles ``aresetn`` is held low in ``axis_reset``.
RESET_CYCLES = 3


@dataclass(frozen=True)
class Beat:
    """One input beat: a mode code, the lanes' ``x`` and ``g`` codes, and free user bits."""

    mode: int
    x: tuple[int, ...]
    g: tuple[int, ...]
    user: int


def _pauses(rng: random.Random, probability: float) -> Iterator[bool]:
    while True:
        yield rng.random() < probability


def _put(word: bytearray, offset: int, size: int, value: int) -> None:
    """``value`` two's complement, little-endian, in ``size`` bytes from byte ``offset``."""
    word[offset : offset + size] = (value % (1 << (8 * size))).to_bytes(size, "little")


class AxisBench:
    """The design's manifest, model and layout; the AXI drivers; a per-edge handshake log."""

    def __init__(self, dut: object) -> None:
        self.dut = dut
        self.manifest = read_manifest()
        self.model = model_from_manifest(self.manifest)
        self.layout = self.manifest["axis"]
        self.lanes = self.layout["lanes"]
        self.latency = self.manifest["latency"]
        self.fields = {**self.layout["s_axis"]["fields"], **self.layout["m_axis"]["fields"]}
        self.in_bytes = self.layout["s_axis"]["tdata_bits"] // 8
        self.out_bytes = self.layout["m_axis"]["tdata_bits"] // 8
        mode, user = self.layout["tuser"]["fields"]["mode"], self.layout["tuser"]["fields"]["user"]
        self.mode_field, self.user_field = mode, user
        self.mode_names = {code: name for name, code in self.layout["modes"].items()}
        self.mode_names |= dict.fromkeys(self.layout["reserved_modes"], "reserved")
        self.rng = random.Random(read_seed())
        #: Per rising edge: (aresetn, s_axis handshake, m_axis handshake, s_axis_tready, m_axis_tvalid).
        self.edges: list[tuple[bool, bool, bool, bool, bool]] = []

    # -- stimulus and expectations --------------------------------------------------------

    def _code(self, fmt: object) -> int:
        if self.rng.random() < 0.2:
            return self.rng.choice((fmt.min_code, fmt.max_code, 0, 1, -1))
        return self.rng.randint(fmt.min_code, fmt.max_code)

    def beats(self, count: int, modes: list[int] | None = None) -> list[Beat]:
        """``count`` random beats; modes cycle over every code (reserved ones too), shuffled."""
        codes = sorted(self.mode_names)
        if modes is None:
            modes = [codes[i % len(codes)] for i in range(count)]
            self.rng.shuffle(modes)
        spec = self.model.spec
        return [
            Beat(
                mode,
                tuple(self._code(spec.fmt) for _ in range(self.lanes)),
                tuple(self._code(spec.out_fmt) for _ in range(self.lanes)),
                self.rng.randrange(1 << self.user_field[1]),
            )
            for mode in modes
        ]

    def tuser(self, beat: Beat) -> int:
        return beat.mode << self.mode_field[0] | beat.user << self.user_field[0]

    def frame(self, beats: list[Beat]) -> AxiStreamFrame:
        """The beats as one AXI frame: TDATA bytes, TUSER per byte (each beat's on all its bytes)."""
        data = bytearray()
        for beat in beats:
            word = bytearray(self.in_bytes)
            for name in ("x", "g"):
                field = self.fields[name]
                for offset, value in zip(field["offsets"], getattr(beat, name), strict=True):
                    _put(word, offset, field["bytes"], value)
            data += word
        tuser = [self.tuser(beat) for beat in beats for _ in range(self.in_bytes)]
        return AxiStreamFrame(bytes(data), tuser=tuser)

    def expected(self, beat: Beat) -> list[int]:
        if self.mode_names[beat.mode] == "reserved":
            return [self.layout["reserved_result"]] * self.lanes
        return engine_results(self.model, beat.mode, np.array(beat.x), np.array(beat.g)).tolist()

    def results(self, frame: AxiStreamFrame) -> tuple[list[list[int]], list[int]]:
        """Lane results and TUSER of each beat of a received (uncompacted) frame."""
        data, field = bytes(frame.tdata), self.fields["result"]
        size, rows, users = field["bytes"], [], []
        for start in range(0, len(data), self.out_bytes):
            word = data[start : start + self.out_bytes]
            rows.append([int.from_bytes(word[o : o + size], "little", signed=True) for o in field["offsets"]])
            users.append(frame.tuser[start])
        return rows, users

    # -- drivers --------------------------------------------------------------------------

    async def start(self, source_pause: float = 0.0, sink_pause: float = 0.0) -> None:
        """Clock, drivers and a reset of a few cycles; pauses are per-cycle probabilities."""
        dut = self.dut
        dut.aresetn.value = 0
        dut.s_axis_tvalid.value = 0
        dut.m_axis_tready.value = 0
        cocotb.start_soon(Clock(dut.aclk, PERIOD, unit="ns").start())
        kwargs = {"reset": dut.aresetn, "reset_active_level": False}
        self.source = AxiStreamSource(AxiStreamBus.from_prefix(dut, "s_axis"), dut.aclk, **kwargs)
        self.sink = AxiStreamSink(AxiStreamBus.from_prefix(dut, "m_axis"), dut.aclk, **kwargs)
        self.monitor = AxiStreamMonitor(AxiStreamBus.from_prefix(dut, "s_axis"), dut.aclk, **kwargs)
        if source_pause:
            self.source.set_pause_generator(_pauses(random.Random(self.rng.random()), source_pause))
        if sink_pause:
            self.sink.set_pause_generator(_pauses(random.Random(self.rng.random()), sink_pause))
        cocotb.start_soon(self._watch())
        await self.reset(RESET_CYCLES)

    async def reset(self, cycles: int) -> None:
        """``aresetn`` low from a falling edge for ``cycles`` rising edges."""
        await FallingEdge(self.dut.aclk)
        self.dut.aresetn.value = 0
        for _ in range(cycles):
            await RisingEdge(self.dut.aclk)
        await FallingEdge(self.dut.aclk)
        self.dut.aresetn.value = 1

    async def _watch(self) -> None:
        dut = self.dut
        while True:
            await RisingEdge(dut.aclk)  # values as they settled before the edge
            s_ready, m_valid = dut.s_axis_tready.value == 1, dut.m_axis_tvalid.value == 1
            self.edges.append(
                (
                    dut.aresetn.value == 1,
                    s_ready and dut.s_axis_tvalid.value == 1,
                    m_valid and dut.m_axis_tready.value == 1,
                    s_ready,
                    m_valid,
                )
            )

    async def receive(self, frames: int, beats: int) -> list[AxiStreamFrame]:
        """``frames`` frames from the sink, allowing 30 cycles per beat."""
        limit = PERIOD * (30 * beats + 100)
        return [await with_timeout(self.sink.recv(compact=False), limit, "ns") for _ in range(frames)]

    async def idle(self, cycles: int) -> None:
        for _ in range(cycles):
            await RisingEdge(self.dut.aclk)

    # -- comparison -----------------------------------------------------------------------

    def compare(self, sent: list[list[Beat]], received: list[AxiStreamFrame]) -> dict[str, object]:
        """Compare received frames with the model of the sent ones; a summary of what was compared."""
        records: list[list[object]] = []
        vectors = dict.fromkeys(("forward", "gradient", "backward", "reserved"), 0)
        counts = {"results": 0, "tuser": 0, "tlast": 0, "frames": 0}

        def mismatch(kind: str, *record: object) -> None:
            counts[kind] += 1
            if len(records) < MAX_REPORTED:
                records.append(list(record))

        if len(received) != len(sent):
            mismatch("frames", "frames", "count", len(received), len(sent))
        for index, (beats, frame) in enumerate(zip(sent, received, strict=False)):
            rows, users = self.results(frame)
            if len(rows) != len(beats) or len(frame.tdata) % self.out_bytes:
                mismatch("tlast", f"frame {index}", "beats", len(frame.tdata) / self.out_bytes, len(beats))
            for beat, row, user in zip(beats, rows, users, strict=False):
                name = self.mode_names[beat.mode]
                vectors[name] += self.lanes
                if user != self.tuser(beat):
                    mismatch("tuser", f"frame {index}", "tuser", user, self.tuser(beat))
                for x, got, want in zip(beat.x, row, self.expected(beat), strict=True):
                    if got != want:
                        mismatch("results", x, name, got, want)
        checked = [beats for beats, _ in zip(sent, received, strict=False)]
        return {
            "frames": len(checked),
            "single_beat_frames": sum(len(beats) == 1 for beats in checked),
            "multi_beat_frames": sum(len(beats) > 1 for beats in checked),
            "beats": sum(map(len, checked)),
            "vectors": vectors,
            "user_values": len({beat.user for beats in checked for beat in beats}),
            "mismatch_count": sum(counts.values()),
            "per_kind": counts,
            "mismatches": records,
        }

    def accepted(self, sent: list[list[Beat]], frames: list[AxiStreamFrame]) -> int:
        """Frames the monitor saw accepted on ``s_axis`` that differ from those sent (+ count error)."""
        wanted = [self.frame(beats) for beats in sent]
        return abs(len(frames) - len(wanted)) + sum(
            bytes(got.tdata) != bytes(want.tdata) or list(got.tuser) != list(want.tuser)
            for got, want in zip(frames, wanted, strict=False)
        )

    def monitored(self) -> list[AxiStreamFrame]:
        frames = []
        while not self.monitor.empty():
            frames.append(self.monitor.recv_nowait(compact=False))
        return frames


def _check(summary: dict[str, object]) -> None:
    vectors = summary["vectors"]
    assert summary["mismatch_count"] == 0, f"{summary['per_kind']}: {summary['mismatches'][:3]}"
    assert summary["frames"] > 0 and summary["beats"] > 0, "the bench compared nothing"
    assert all(count > 0 for count in vectors.values()), f"a mode was never compared: {vectors}"


@cocotb.test()
async def axis_random_frames(dut):
    bench = AxisBench(dut)
    await bench.start(source_pause=0.3, sink_pause=0.4)
    lengths = [1] * SINGLE_FRAMES + [bench.rng.randint(*LONG_FRAME_BEATS) for _ in range(LONG_FRAMES)]
    bench.rng.shuffle(lengths)
    beats = bench.beats(sum(lengths))
    bounds = list(itertools.accumulate(lengths, initial=0))
    sent = [beats[start:stop] for start, stop in itertools.pairwise(bounds)]
    for frame in sent:
        bench.source.send_nowait(bench.frame(frame))
    received = await bench.receive(len(sent), len(beats))
    await bench.idle(10 + bench.latency)
    extra = bench.sink.count()
    summary = bench.compare(sent, received) | {"extra_frames": extra}
    summary["accept_mismatches"] = bench.accepted(sent, bench.monitored())
    write_summary("axis_random_frames", summary)
    _check(summary)
    assert summary["single_beat_frames"] > 0 and summary["multi_beat_frames"] > 0
    assert extra == 0, f"{extra} frames came out that were never sent"
    assert summary["accept_mismatches"] == 0, "the design accepted other beats than were sent"


@cocotb.test()
async def axis_full_throughput(dut):
    bench = AxisBench(dut)
    await bench.start()
    count = sum(THROUGHPUT_FRAMES)
    beats = bench.beats(count)
    bounds = list(itertools.accumulate(THROUGHPUT_FRAMES, initial=0))
    sent = [beats[start:stop] for start, stop in itertools.pairwise(bounds)]
    first_edge = len(bench.edges)
    for frame in sent:
        bench.source.send_nowait(bench.frame(frame))
    received = await bench.receive(len(sent), count)
    await bench.idle(5)
    edges = bench.edges[first_edge:]
    accepted = [k for k, edge in enumerate(edges) if edge[1]]
    offered = [k for k, edge in enumerate(edges) if edge[2]]
    cycles = offered[-1] - accepted[0] + 1 if accepted and offered else 0
    summary = bench.compare(sent, received) | {
        "latency": bench.latency,
        "cycles": cycles,
        "accepted_beats": len(accepted),
        "output_beats": len(offered),
        "accept_gaps": sum(b - a - 1 for a, b in itertools.pairwise(accepted)),
        "output_gaps": sum(b - a - 1 for a, b in itertools.pairwise(offered)),
    }
    write_summary("axis_full_throughput", summary)
    _check(summary)
    assert len(accepted) == len(offered) == count, f"{len(accepted)} in, {len(offered)} out of {count}"
    assert summary["accept_gaps"] == summary["output_gaps"] == 0, "a beat per cycle was not sustained"
    # A beat accepted at edge k leaves at edge k + latency.
    assert cycles == count + bench.latency, f"{cycles} cycles for {count} beats at latency {bench.latency}"


@cocotb.test()
async def axis_reset(dut):
    bench = AxisBench(dut)
    await bench.start(source_pause=0.2, sink_pause=0.3)
    # A frame before the reset comes out whole.
    before = [bench.beats(5)]
    bench.source.send_nowait(bench.frame(before[0]))
    received = await bench.receive(1, 5)
    accepted_before = bench.monitored()

    # A long frame, cut by the reset once some of its beats went in and some came out.
    long_frame = bench.beats(60)
    bench.source.send_nowait(bench.frame(long_frame))
    start = len(bench.edges)
    while sum(e[1] for e in bench.edges[start:]) < 12 or not any(e[2] for e in bench.edges[start:]):
        await RisingEdge(dut.aclk)
        assert len(bench.edges) - start < 2000, "the long frame did not start"
    in_flight = sum(e[1] for e in bench.edges[start:]) - sum(e[2] for e in bench.edges[start:])
    await FallingEdge(dut.aclk)
    dut.aresetn.value = 0
    await ReadOnly()
    gated_at_once = dut.m_axis_tvalid.value == 0 and dut.s_axis_tready.value == 0
    reset_edge = len(bench.edges)
    # Once the drivers have let go, offer a beat and take any: nothing may move in the reset,
    # nor at the first edge after it (when tready is still forced high, tvalid low again).
    await Timer(1, unit="ns")
    offer = bench.frame(bench.beats(1))
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
    window = bench.edges[reset_edge:]  # the edges in reset, then the first one after it
    cut_short = sum(e[1] for e in bench.edges[start:reset_edge]) < len(long_frame)
    stale = bench.sink.count() + len(bench.monitored())  # no whole frame of the cut one

    # Frames after the reset come out intact, and nothing else.
    after_start = len(bench.edges)
    lengths = [1, 17, 1, 9]
    beats = bench.beats(sum(lengths))
    bounds = list(itertools.accumulate(lengths, initial=0))
    after = [beats[a:b] for a, b in itertools.pairwise(bounds)]
    for frame in after:
        bench.source.send_nowait(bench.frame(frame))
    received += await bench.receive(len(after), len(beats))
    await bench.idle(10 + bench.latency)
    out_after = sum(e[2] for e in bench.edges[after_start:])
    summary = bench.compare(before + after, received) | {
        "reset_cycles": RESET_CYCLES,
        "in_flight_at_reset": in_flight,
        "edges_checked_in_reset": len(window),
        "valid_in_reset": sum(e[4] for e in window),
        "ready_in_reset": sum(e[3] for e in window),
        "gated_at_once": gated_at_once,
        "stale_frames": stale,
        "beats_out_after_reset": out_after,
        "beats_sent_after_reset": len(beats),
        "extra_frames": bench.sink.count(),
        "accept_mismatches": bench.accepted(before, accepted_before)
        + bench.accepted(after, bench.monitored()),
    }
    write_summary("axis_reset", summary)
    _check(summary)
    assert cut_short and in_flight >= 0, "the reset did not fall in the middle of the frame"
    assert len(window) == RESET_CYCLES + 1 and not any(e[0] for e in window[:-1]) and window[-1][0]
    assert summary["valid_in_reset"] == summary["ready_in_reset"] == 0, "handshake during reset"
    assert gated_at_once, "m_axis_tvalid or s_axis_tready stayed high after aresetn fell"
    assert stale == 0 and summary["extra_frames"] == 0, "a frame came out that was never completed"
    assert out_after == len(beats), f"{out_after} beats came out after the reset, {len(beats)} were sent"
    assert summary["accept_mismatches"] == 0, "the design accepted other beats than were sent"
