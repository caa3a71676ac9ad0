"""The monitor of the AXI4-Stream bench: what happened on both ports at every rising edge,
and the frames the design accepted on ``s_axis`` (cocotbext-axi's ``AxiStreamMonitor``,
which follows ``aresetn``).

The design's outputs are read through one checked path (:meth:`AxisMonitor.outputs`), also
once they settle after every clock edge, before cocotbext-axi's source and sink sample them
(they would stop on an ``x`` with an error that names nothing): ``s_axis_tready`` and
``m_axis_tvalid`` always, and ``m_axis_tdata``, ``m_axis_tuser``, ``m_axis_tlast`` (and
``m_axis_tkeep``) while ``m_axis_tvalid`` is high. An ``x`` or ``z`` bit is an
:class:`~.ports.Undefined` naming the port, the cycle and the output beat, handed to the
bench (which writes its summary) and then raised, which fails the test."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import cocotb
from cocotb.triggers import ReadOnly, RisingEdge, ValueChange
from cocotbext.axi import AxiStreamBus, AxiStreamFrame, AxiStreamMonitor

from .ports import Port, Undefined

__all__ = ["AxisMonitor", "Edge"]

#: The outputs that carry a beat, checked while ``m_axis_tvalid`` is high.
BEAT_PORTS = ("m_axis_tdata", "m_axis_tuser", "m_axis_tlast", "m_axis_tkeep")


class Edge(NamedTuple):
    """The ports as they settled before one rising edge."""

    aresetn: bool
    #: A beat went into ``s_axis`` (``tvalid`` and ``tready``).
    accepted: bool
    #: A beat left ``m_axis`` (``tvalid`` and ``tready``).
    delivered: bool
    s_ready: bool
    m_valid: bool


class AxisMonitor:
    """A per-edge log of both ports' handshakes, and the frames accepted on ``s_axis``.

    Parameters
    ----------
    dut : object
        The engine's cocotb handle.

    Attributes
    ----------
    edges : list of Edge
        Every rising edge since :meth:`start`.
    """

    def __init__(self, dut: object) -> None:
        self._dut = dut
        self.edges: list[Edge] = []
        self._ready, self._valid = Port(dut.s_axis_tready), Port(dut.m_axis_tvalid)
        self._beat = [Port(getattr(dut, name)) for name in BEAT_PORTS if hasattr(dut, name)]
        self._on_undefined: Callable[[Undefined], None] = lambda finding: None

    def start(self) -> None:
        """Start watching (after the driver's clock and source are up)."""
        dut = self._dut
        kwargs = {"reset": dut.aresetn, "reset_active_level": False}
        self._accepted = AxiStreamMonitor(AxiStreamBus.from_prefix(dut, "s_axis"), dut.aclk, **kwargs)

    def watch(self, on_undefined: Callable[[Undefined], None]) -> None:
        """Start the per-edge log and the check of the outputs after every clock edge;
        ``on_undefined`` gets an undefined output's finding before it fails the test."""
        self._on_undefined = on_undefined
        cocotb.start_soon(self._watch())
        cocotb.start_soon(self._settle())

    def outputs(self) -> tuple[bool, bool]:
        """``s_axis_tready`` and ``m_axis_tvalid`` now, the beat's outputs checked while valid.

        Raises
        ------
        Undefined
            If one of them has an ``x`` or ``z`` bit (after ``on_undefined`` got it).
        """
        try:
            s_ready, m_valid = self._ready.read_defined() == 1, self._valid.read_defined() == 1
            for port in self._beat if m_valid else ():
                port.read_defined()
        except Undefined as error:
            finding = error.at(f"at cycle {len(self.edges)}, output beat {self.count('delivered')}")
            self._on_undefined(finding)
            raise finding from None
        return s_ready, m_valid

    async def _settle(self) -> None:
        change = ValueChange(self._dut.aclk)
        while True:
            await change
            await ReadOnly()
            self.outputs()

    async def _watch(self) -> None:
        dut = self._dut
        while True:
            await RisingEdge(dut.aclk)  # values as they settled before the edge
            s_ready, m_valid = self.outputs()
            self.edges.append(
                Edge(
                    dut.aresetn.value == 1,
                    s_ready and dut.s_axis_tvalid.value == 1,
                    m_valid and dut.m_axis_tready.value == 1,
                    s_ready,
                    m_valid,
                )
            )

    def count(self, kind: str, start: int = 0, stop: int | None = None) -> int:
        """Edges ``start`` to ``stop`` on which ``kind`` (an :class:`Edge` field) held."""
        return sum(getattr(edge, kind) for edge in self.edges[start:stop])

    def idle_edges(self, start: int = 0) -> int:
        """The last edges since ``start`` on which no beat moved on either port."""
        edges = self.edges[start:]
        moved = [k for k, edge in enumerate(edges) if edge.accepted or edge.delivered]
        return len(edges) - 1 - moved[-1] if moved else len(edges)

    def accepted_frames(self) -> list[AxiStreamFrame]:
        """The frames accepted on ``s_axis`` since the last call."""
        frames = []
        while not self._accepted.empty():
            frames.append(self._accepted.recv_nowait(compact=False))
        return frames
