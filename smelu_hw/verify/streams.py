"""Stream drivers shared by the benches: a source with random gaps, a sink with random
backpressure, and the clock/reset bring-up, on ``i__*``/``o__*`` ports (amaranth.lib.stream)."""

from __future__ import annotations

import random

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, ReadOnly, RisingEdge, Timer

__all__ = ["pack_lanes", "start", "transfer", "unpack_lanes"]


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
    """
    received: list[int] = []
    sent = cycles = 0
    while len(received) < len(payloads):
        cycles += 1
        assert cycles < 20 * len(payloads) + 100, "the design stopped making progress"
        presenting = sent < len(payloads) and (dut.i__valid.value == 1 or rng.random() >= gap)
        dut.i__valid.value = int(presenting)
        if presenting:
            dut.i__payload.value = payloads[sent]
        dut.o__ready.value = int(rng.random() >= stall)
        if clocked:
            await ReadOnly()
        else:
            await Timer(1, unit="ns")
        if dut.o__valid.value == 1 and dut.o__ready.value == 1:
            received.append(dut.o__payload.value.to_unsigned())
        sent += presenting and dut.i__ready.value == 1
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
