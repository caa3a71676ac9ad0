"""Stream drivers shared by the benches: a source with random gaps, a sink with random
backpressure, and the clock/reset bring-up, on ``i__*``/``o__*`` ports (amaranth.lib.stream).

A design that moves no beat for :data:`STALL_CYCLES` cycles stops :func:`transfer` with
:class:`StreamStalled`; one whose ``o__valid`` or ``i__ready``, or whose ``o__payload`` at a
beat, has an ``x`` or ``z`` bit (:class:`~smelu_hw.verify.benches.ports.Undefined`), with
:class:`StreamUndefined`. Both carry what came out before, so a bench can write what it found
(a ``stall`` or an ``x``, named) before it fails."""

from __future__ import annotations

import random

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, ReadOnly, RisingEdge, Timer

from .benches.ports import Port, Undefined

__all__ = [
    "STALL_CYCLES",
    "StreamStalled",
    "StreamStopped",
    "StreamUndefined",
    "pack_lanes",
    "start",
    "transfer",
    "unpack_lanes",
]

#: Cycles without a handshake on either port after which :func:`transfer` calls the design stalled.
STALL_CYCLES = 1000


class StreamStopped(AssertionError):
    """The stream stopped before every beat went through.

    Attributes
    ----------
    received : list of int
        The output payloads that came out before.
    cycles : int
        Cycles driven, the last one included.
    sent : int
        Input beats accepted.
    total : int
        Beats that were to go through.
    field : str
        The summary field that names it (:data:`~smelu_hw.verify.bench_io.FINDINGS`).
    """

    field = ""

    def __init__(self, received: list[int], cycles: int, sent: int, total: int, message: str) -> None:
        self.received, self.cycles, self.sent, self.total = received, cycles, sent, total
        super().__init__(message)


class StreamStalled(StreamStopped):
    """No beat went in or came out for :data:`STALL_CYCLES` cycles (a design that hangs)."""

    field = "stall"

    def __init__(self, received: list[int], cycles: int, sent: int, total: int) -> None:
        message = (
            f"no beat moved for {STALL_CYCLES} cycles (stalled) at output beat {len(received)} of {total}, "
            f"{sent} accepted"
        )
        super().__init__(received, cycles, sent, total, message)


class StreamUndefined(StreamStopped):
    """A handshake output, or the output payload of a beat, read with an ``x`` or ``z`` bit."""

    field = "x"

    def __init__(self, received: list[int], cycles: int, sent: int, total: int, undefined: Undefined) -> None:
        where = f"at cycle {cycles}, output beat {len(received)} of {total}, {sent} accepted"
        super().__init__(received, cycles, sent, total, str(undefined.at(where)))


async def start(dut: object, clocked: bool) -> None:
    """Start the clock and hold reset for two cycles (clocked designs only)."""
    dut.i__valid.value = 0
    dut.o__ready.value = 0
    if not clocked:
        return
    cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
    dut.rst.value = 1
    for _ in range(2):
        await RisingEdge(dut.clk)
    await FallingEdge(dut.clk)
    dut.rst.value = 0


async def transfer(
    dut: object, payloads: list[int], clocked: bool, rng: random.Random, gap: float, stall: float
) -> tuple[list[int], int]:
    """Send every payload and collect as many outputs; return them and the cycles taken.

    A presented beat stays presented until accepted (the stream rule); gaps only start between
    beats. Handshakes are sampled with the values settled before the clock edge.

    Raises
    ------
    StreamStalled
        If no beat is accepted or comes out for :data:`STALL_CYCLES` cycles.
    StreamUndefined
        If ``o__valid``, ``i__ready`` (while a beat is presented) or ``o__payload`` (at a beat)
        has an ``x`` or ``z`` bit.
    """
    received: list[int] = []
    sent = cycles = idle = 0
    in_ready, out_valid, out_payload = Port(dut.i__ready), Port(dut.o__valid), Port(dut.o__payload)
    while len(received) < len(payloads):
        cycles += 1
        idle += 1
        if idle > STALL_CYCLES:
            raise StreamStalled(received, cycles, sent, len(payloads))
        presenting = sent < len(payloads) and (dut.i__valid.value == 1 or rng.random() >= gap)
        dut.i__valid.value = int(presenting)
        if presenting:
            dut.i__payload.value = payloads[sent]
        ready = rng.random() >= stall
        dut.o__ready.value = int(ready)
        if clocked:
            await ReadOnly()
        else:
            await Timer(1, unit="ns")
        try:
            if out_valid.read_defined() and ready:
                received.append(out_payload.read_defined())
                idle = 0
            if presenting and in_ready.read_defined():
                sent += 1
                idle = 0
        except Undefined as error:
            raise StreamUndefined(received, cycles, sent, len(payloads), error) from None
        if clocked:
            await RisingEdge(dut.clk)
            await FallingEdge(dut.clk)
    return received, cycles


def pack_lanes(values: list[int], bits: int, offset: int = 0) -> int:
    """Two's-complement lane values into one word, lane 0 lowest, starting at bit ``offset``."""
    word = 0
    for lane, value in enumerate(values):
        word |= (value & ((1 << bits) - 1)) << (offset + lane * bits)
    return word


def unpack_lanes(word: int, lanes: int, bits: int) -> list[int]:
    values = [(word >> (lane * bits)) & ((1 << bits) - 1) for lane in range(lanes)]
    return [value - (1 << bits) if value >> (bits - 1) else value for value in values]
