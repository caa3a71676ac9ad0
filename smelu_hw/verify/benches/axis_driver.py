"""The driver of the AXI4-Stream bench: clock, ``aresetn``, random beats into ``s_axis``
through cocotbext-axi's ``AxiStreamSource``, and an ``AxiStreamSink`` that takes ``m_axis``.
Both follow ``aresetn``.

Traffic is named, as in Forencich's benches: an idle inserter on the source (``tvalid`` gaps)
and a backpressure inserter on the sink (``tready`` low), each one of :data:`PATTERNS`:
``off`` (none), ``periodic`` (a fixed cycle of pauses) or ``random`` (a seeded coin per
cycle). The bench crosses them with each other."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, RisingEdge, SimTimeoutError, with_timeout
from cocotbext.axi import AxiStreamBus, AxiStreamFrame, AxiStreamSink, AxiStreamSource

from ...fixed import QFormat
from ...specs import ActivationSpec
from .axis_frames import AxisFormat, Beat

__all__ = ["PATTERNS", "PERIOD", "AxisDriver", "pauses"]

#: Clock period in ns.
PERIOD = 10
#: The named traffic patterns of the idle and the backpressure inserter.
PATTERNS = ("off", "periodic", "random")
#: ``periodic``: the pause cycle of each inserter (True: a pause), of coprime lengths, so the
#: two never lock into one phase; ``random``: the per-cycle pause probability.
PERIODIC = {"idle": (False, False, True), "backpressure": (True, True, True, False)}
RANDOM_PAUSE = {"idle": 0.3, "backpressure": 0.4}


def _coin(rng: random.Random, probability: float) -> Iterator[bool]:
    while True:
        yield rng.random() < probability


def pauses(inserter: str, pattern: str, rng: random.Random) -> Iterator[bool] | None:
    """The pause generator of ``inserter`` (``"idle"`` or ``"backpressure"``) in ``pattern``
    (one of :data:`PATTERNS`; ``off`` is ``None``, no pauses)."""
    if pattern not in PATTERNS:
        raise ValueError(f"unknown traffic pattern {pattern!r}")
    if pattern == "periodic":
        return itertools.cycle(PERIODIC[inserter])
    return _coin(random.Random(rng.random()), RANDOM_PAUSE[inserter]) if pattern == "random" else None


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

    def traffic(self, idle: str, backpressure: str) -> None:
        """Set the idle inserter of the source and the backpressure inserter of the sink to
        the named patterns (:func:`pauses`)."""
        inserters = ((self.source, "idle", idle), (self.sink, "backpressure", backpressure))
        for port, inserter, pattern in inserters:
            generator = pauses(inserter, pattern, self._rng)
            if generator is None:
                port.clear_pause_generator()
                port.pause = False  # clearing keeps the last pause, which may be one
            else:
                port.set_pause_generator(generator)

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
        """Up to ``frames`` frames from the sink, allowing 30 cycles per beat: fewer if they
        do not come (a lost TLAST, a stuck handshake), for the checker to report."""
        limit = PERIOD * (30 * beats + 100)
        received: list[AxiStreamFrame] = []
        try:
            for _ in range(frames):
                received.append(await with_timeout(self.sink.recv(compact=False), limit, "ns"))
        except SimTimeoutError:
            pass
        return received

    async def idle(self, cycles: int) -> None:
        """Wait ``cycles`` rising edges."""
        for _ in range(cycles):
            await RisingEdge(self._dut.aclk)
