"""cocotb benches of a streaming engine against the golden model, under random backpressure.

Not a pytest module (see :mod:`smelu_hw.verify.benches.activation`). Environment:
``SMELU_MANIFEST`` (the engine's manifest), ``SMELU_CODES`` (a ``.npy`` of input codes that
go through the forward and the gradient mode each, in every lane), ``SMELU_BACKWARD_BEATS`` (random
fused-backward beats) and ``SMELU_SEED``.

``engine_sweep`` sends the beats in random mode order with random source gaps and sink stalls;
every output beat must equal the model, in order. ``engine_full_throughput`` checks that with
no gaps and no backpressure ``n`` beats take ``n`` cycles plus the latency. ``engine_reset``
(clocked engines) raises ``rst`` in the middle of a stream, with the stages full and a beat
offered on every cycle of the reset (SPEC §6.1): ``o__valid`` must be low after every edge in
reset, and afterwards exactly the beats sent after the reset come out, nothing of before it or
offered during it.

A stream that stops moving (:class:`~smelu_hw.verify.streams.StreamStalled`: a ``ready`` stuck
low, an ``o__valid`` that never rises) ends its test with a summary whose ``stall`` names it;
an ``x`` or ``z`` bit on ``o__valid`` or ``i__ready``, or on ``o__payload`` at a beat
(:class:`~smelu_hw.verify.streams.StreamUndefined`, and
:class:`~smelu_hw.verify.benches.ports.Undefined` for ``o__valid`` around the reset), with
one whose ``x`` names it (each ``None`` otherwise, :func:`~smelu_hw.verify.bench_io.findings`).
The summary is written before the test fails, so the verifier reports the finding as the
mismatch it is; the beats that came out before it are compared as usual.
"""

from __future__ import annotations

import os
import random

import cocotb
import numpy as np
from cocotb.triggers import FallingEdge, ReadOnly, RisingEdge

from ...manifest import model_from_manifest
from ...models.engine import engine_results
from ..bench_io import findings, read_manifest, read_seed, write_summary
from ..compare import MAX_REPORTED
from ..streams import StreamStopped, pack_lanes, start, transfer, unpack_lanes
from .ports import Port, Undefined

__all__ = ["engine_full_throughput", "engine_reset", "engine_sweep"]

#: Beats of the throughput test.
THROUGHPUT_BEATS = 200
#: Beats in a reserved mode mixed into the sweep.
RESERVED_BEATS = 8
#: Cycles ``rst`` is held high in ``engine_reset``, and beats sent after it.
RESET_CYCLES, BEATS_AFTER_RESET = 3, 24


class EngineBench:
    """An engine's manifest, golden model, beat packing and expected outputs."""

    def __init__(self, dut: object) -> None:
        self.dut = dut
        self.manifest = read_manifest()
        self.model = model_from_manifest(self.manifest)
        self.engine = self.manifest["engine"]
        self.lanes = self.engine["lanes"]
        self.modes = self.engine["modes"]
        # A reserved mode code must give a beat of reserved_result in every lane.
        self.reserved = self.engine.get("reserved_modes", [])
        self.reserved_result = self.engine.get("reserved_result")
        self.rng = random.Random(read_seed())
        #: Rising edges :meth:`edge` waited for.
        self.edges = 0

    def random_codes(self, count: int) -> np.ndarray:
        fmt = self.model.spec.fmt
        return np.array([self.rng.randint(fmt.min_code, fmt.max_code) for _ in range(count)], dtype=np.int64)

    def upstream(self, count: int) -> np.ndarray:
        out = self.model.spec.out_fmt
        return np.array([self.rng.randint(out.min_code, out.max_code) for _ in range(count)], dtype=np.int64)

    def beats(self, mode: str, codes: np.ndarray) -> list[tuple[str, np.ndarray, np.ndarray]]:
        """``codes`` in beats of ``lanes`` (the last padded with its own codes)."""
        padded = np.resize(codes, -(-len(codes) // self.lanes) * self.lanes)
        return [(mode, row, self.upstream(self.lanes)) for row in padded.reshape(-1, self.lanes)]

    def every_lane(self, mode: str, codes: np.ndarray) -> list[tuple[str, np.ndarray, np.ndarray]]:
        """``len(codes)`` beats in which every lane sees every code: beat ``k`` gives lane
        ``l`` code ``(k + l * (n // lanes)) mod n``."""
        n = len(codes)
        index = (np.arange(n)[:, None] + np.arange(self.lanes)[None, :] * (n // self.lanes)) % n
        return [(mode, codes[row], self.upstream(self.lanes)) for row in index]

    def pack(self, mode: str, x: np.ndarray, g: np.ndarray) -> int:
        fields = self.engine["input_fields"]
        code = self.reserved[0] if mode == "reserved" else self.modes[mode]
        word = code << fields["mode"][0]
        for name, values in (("x", x), ("g", g)):
            offset, width = fields[name]
            word |= pack_lanes(values.tolist(), width // self.lanes, offset)
        return word

    def expected(self, mode: str, x: np.ndarray, g: np.ndarray) -> list[int]:
        if mode == "reserved":
            return [self.reserved_result] * self.lanes
        return engine_results(self.model, self.modes[mode], x, g).tolist()

    async def stream(
        self, beats: list, gap: float, stall: float, started: bool = False
    ) -> tuple[list[list[int]], int, StreamStopped | None]:
        """Push every beat through (starting the clock and a reset first, unless ``started``);
        return the received lane values, the cycles taken and, if the stream stopped short (a
        stall, an undefined bit), the :class:`~smelu_hw.verify.streams.StreamStopped` that
        says why (the values are those before it)."""
        clocked = bool(self.manifest["latency"])
        if not started:
            await start(self.dut, clocked)
        words = [self.pack(*beat) for beat in beats]
        try:
            received, cycles = await transfer(self.dut, words, clocked, self.rng, gap, stall)
            stopped = None
        except StreamStopped as error:
            received, cycles, stopped = error.received, error.cycles, error
        bits = self.engine["output_lane_bits"]
        return [unpack_lanes(word, self.lanes, bits) for word in received], cycles, stopped

    async def offer(self, beat: tuple[str, np.ndarray, np.ndarray], ready: bool) -> bool:
        """Present ``beat`` for one cycle with ``o__ready`` at ``ready``; after the edge,
        whether ``o__valid`` is high."""
        self.dut.i__valid.value = 1
        self.dut.i__payload.value = self.pack(*beat)
        self.dut.o__ready.value = int(ready)
        return await self.edge()

    async def edge(self) -> bool:
        """Wait for the next rising edge; whether ``o__valid`` is high after it (then wait for
        the falling edge, where the benches drive).

        Raises
        ------
        Undefined
            If ``o__valid`` has an ``x`` or ``z`` bit, naming the edge.
        """
        await RisingEdge(self.dut.clk)
        await ReadOnly()
        self.edges += 1
        try:
            valid = Port(self.dut.o__valid).read_defined() == 1
        except Undefined as error:
            raise error.at(f"at cycle {self.edges} after reset") from None
        await FallingEdge(self.dut.clk)
        return valid


@cocotb.test()
async def engine_sweep(dut):
    bench = EngineBench(dut)
    codes = np.load(os.environ["SMELU_CODES"])
    backward = bench.random_codes(int(os.environ.get("SMELU_BACKWARD_BEATS", "64")) * bench.lanes)
    beats = bench.every_lane("forward", codes) + bench.every_lane("gradient", codes)
    beats += bench.beats("backward", backward)
    field = {"forward": "y", "gradient": "dy", "backward": "fused"}
    if bench.reserved:
        beats += bench.beats("reserved", bench.random_codes(RESERVED_BEATS * bench.lanes))
        field["reserved"] = "reserved"
    bench.rng.shuffle(beats)
    received, _, stopped = await bench.stream(beats, gap=0.3, stall=0.4)
    records: list[list[int | str]] = []
    per_mode = dict.fromkeys(field, 0)
    compared = beats[: len(received)]  # all of them, unless the stream stalled
    for (mode, x, g), got in zip(compared, received, strict=True):
        want = bench.expected(mode, x, g)
        for lane, (value, expected) in enumerate(zip(got, want, strict=True)):
            if value != expected:
                per_mode[mode] += 1
                if len(records) < MAX_REPORTED:
                    records.append([int(x[lane]), field[mode], value, expected])
    count = sum(per_mode.values())
    vectors = {mode: sum(bench.lanes for beat in compared if beat[0] == mode) for mode in field}
    summary = {"beats": len(received), "vectors": vectors, "mismatch_count": count, "per_mode": per_mode}
    write_summary("engine_sweep", summary | {"mismatches": records} | findings(stopped))
    assert stopped is None, str(stopped)
    assert len(received) == len(beats), f"{len(received)} of {len(beats)} beats came out"
    assert count == 0, f"{count} lane results differ from the golden model: {records[:3]}"


@cocotb.test()
async def engine_full_throughput(dut):
    bench = EngineBench(dut)
    beats = bench.beats("forward", bench.random_codes(THROUGHPUT_BEATS * bench.lanes))
    received, cycles, stopped = await bench.stream(beats, gap=0.0, stall=0.0)
    wanted = [bench.expected(*beat) for beat in beats]
    latency = bench.manifest["latency"]
    summary = {"beats": len(received), "cycles": cycles, "latency": latency}
    write_summary("engine_full_throughput", summary | findings(stopped))
    assert stopped is None, str(stopped)
    assert received == wanted, "beats differ from the golden model at full throughput"
    # One beat per cycle: a beat accepted at edge k leaves at edge k + latency.
    assert cycles == len(beats) + latency, f"{cycles} cycles for {len(beats)} beats"


async def _reset_mid_stream(bench: EngineBench, summary: dict[str, int]) -> StreamStopped | None:
    """The steps of ``engine_reset``, counting into ``summary``; the stream's finding, if any."""
    dut, latency = bench.dut, bench.manifest["latency"]
    await start(dut, clocked=True)
    # Fill the stages without reading them, then reset with a beat offered on every cycle.
    for beat in bench.beats("forward", bench.random_codes((latency + 2) * bench.lanes)):
        await bench.offer(beat, ready=False)
    dut.rst.value = 1
    during = bench.beats("forward", bench.random_codes(RESET_CYCLES * bench.lanes))
    for beat in during:
        summary["valid_in_reset"] += await bench.offer(beat, ready=True)
        summary["edges_checked_in_reset"] += 1
    dut.rst.value = 0
    dut.i__valid.value = 0
    after = bench.beats("forward", bench.random_codes(BEATS_AFTER_RESET * bench.lanes))
    summary["beats_sent_after_reset"] = len(after)
    received, _, stopped = await bench.stream(after, gap=0.3, stall=0.4, started=True)
    summary["beats_out_after_reset"] = len(received)
    summary["wrong_beats_after_reset"] = sum(
        got != bench.expected(*beat) for beat, got in zip(after, received, strict=False)
    )
    # Then nothing more may come out.
    dut.o__ready.value = 1
    summary["extra_beats"] = [await bench.edge() for _ in range(latency + 2)].count(True)
    return stopped


@cocotb.test()
async def engine_reset(dut):
    bench = EngineBench(dut)
    assert bench.manifest["latency"], "engine_reset needs a clocked engine"
    counts = ("edges_checked_in_reset", "valid_in_reset", "beats_sent_after_reset", "beats_out_after_reset")
    summary = dict.fromkeys((*counts, "wrong_beats_after_reset", "extra_beats"), 0)
    try:
        stopped = await _reset_mid_stream(bench, summary)
    except Undefined as error:
        stopped = error
    write_summary("engine_reset", {"reset_cycles": RESET_CYCLES} | summary | findings(stopped))
    assert stopped is None, str(stopped)
    assert not summary["valid_in_reset"], "o__valid was high after an edge with rst high"
    assert not summary["wrong_beats_after_reset"] and not summary["extra_beats"], (
        f"beats of before or during the reset came out: {summary}"
    )
