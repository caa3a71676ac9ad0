"""The driver of the AXI4-Stream bench: clock, ``aresetn``, random beats into ``s_axis``
through cocotbext-axi's ``AxiStreamSource``, and an ``AxiStreamSink`` that takes ``m_axis``
with random backpressure. Both follow ``aresetn``."""

from __future__ import annotations

import random
from collections.abc import Iterator

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, RisingEdge, with_timeout
from cocotbext.axi import AxiStreamBus, AxiStreamFrame, AxiStreamSink, AxiStreamSource

from ...fixed import QFormat
from ...specs import ActivationSpec
from .axis_frames import AxisFormat, Beat

__all__ = ["PERIOD", "AxisDriver"]

#: Clock period in ns.
PERIOD = 10


def _pauses(rng: random.Random, probability: float) -> Iterator[bool]:
    while True:
        yield rng.random() < probability


class AxisDriver:
    """Stimulus and the drivers of both ports of one engine.

    Parameters
    ----------
    dut : object
        The engine's cocotb handle.
    wire : AxisFormat
        Its beat layout.
    spec : ActivationSpec
        Its activation, whose formats the random codes are drawn from.
    rng : random.Random
        The bench's random stream (stimulus and pauses).
    """

    def __init__(self, dut: object, wire: AxisFormat, spec: ActivationSpec, rng: random.Random) -> None:
        self._dut, self._wire, self._spec, self._rng = dut, wire, spec, rng

    def _code(self, fmt: QFormat) -> int:
        if self._rng.random() < 0.2:
            return self._rng.choice((fmt.min_code, fmt.max_code, 0, 1, -1))
        return self._rng.randint(fmt.min_code, fmt.max_code)

    def beats(self, count: int) -> list[Beat]:
        """``count`` random beats; modes cycle over every code (reserved ones too), shuffled."""
        codes = sorted(self._wire.mode_names)
        modes = [codes[i % len(codes)] for i in range(count)]
        self._rng.shuffle(modes)
        lanes = range(self._wire.lanes)
        return [
            Beat(
                mode,
                tuple(self._code(self._spec.fmt) for _ in lanes),
                tuple(self._code(self._spec.out_fmt) for _ in lanes),
                self._rng.randrange(1 << self._wire.user_bits),
            )
            for mode in modes
        ]

    def start(self) -> None:
        """Idle ports and ``aresetn`` low; the clock, the source and the sink."""
        dut = self._dut
        dut.aresetn.value = 0
        dut.s_axis_tvalid.value = 0
        dut.m_axis_tready.value = 0
        cocotb.start_soon(Clock(dut.aclk, PERIOD, unit="ns").start())
        kwargs = {"reset": dut.aresetn, "reset_active_level": False}
        self.source = AxiStreamSource(AxiStreamBus.from_prefix(dut, "s_axis"), dut.aclk, **kwargs)
        self.sink = AxiStreamSink(AxiStreamBus.from_prefix(dut, "m_axis"), dut.aclk, **kwargs)

    def pause(self, source_pause: float, sink_pause: float) -> None:
        """Random source pauses and sink backpressure, as per-cycle probabilities (0: none)."""
        if source_pause:
            self.source.set_pause_generator(_pauses(random.Random(self._rng.random()), source_pause))
        if sink_pause:
            self.sink.set_pause_generator(_pauses(random.Random(self._rng.random()), sink_pause))

    async def reset(self, cycles: int) -> None:
        """``aresetn`` low from a falling edge for ``cycles`` rising edges."""
        await FallingEdge(self._dut.aclk)
        self._dut.aresetn.value = 0
        for _ in range(cycles):
            await RisingEdge(self._dut.aclk)
        await FallingEdge(self._dut.aclk)
        self._dut.aresetn.value = 1

    def send(self, frames: list[list[Beat]]) -> None:
        """Queue ``frames`` on the source, in order."""
        for beats in frames:
            self.source.send_nowait(self._wire.frame(beats))

    async def receive(self, frames: int, beats: int) -> list[AxiStreamFrame]:
        """``frames`` frames from the sink, allowing 30 cycles per beat."""
        limit = PERIOD * (30 * beats + 100)
        return [await with_timeout(self.sink.recv(compact=False), limit, "ns") for _ in range(frames)]

    async def idle(self, cycles: int) -> None:
        """Wait ``cycles`` rising edges."""
        for _ in range(cycles):
            await RisingEdge(self._dut.aclk)
