"""The monitor of the AXI4-Stream bench: what happened on both ports at every rising edge,
and the frames the design accepted on ``s_axis`` (cocotbext-axi's ``AxiStreamMonitor``,
which follows ``aresetn``)."""

from __future__ import annotations

from typing import NamedTuple

import cocotb
from cocotb.triggers import RisingEdge
from cocotbext.axi import AxiStreamBus, AxiStreamFrame, AxiStreamMonitor

__all__ = ["AxisMonitor", "Edge"]


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

    def start(self) -> None:
        """Start watching (after the driver's clock and source are up)."""
        dut = self._dut
        kwargs = {"reset": dut.aresetn, "reset_active_level": False}
        self._accepted = AxiStreamMonitor(AxiStreamBus.from_prefix(dut, "s_axis"), dut.aclk, **kwargs)

    def watch(self) -> None:
        """Start the per-edge log."""
        cocotb.start_soon(self._watch())

    async def _watch(self) -> None:
        dut = self._dut
        while True:
            await RisingEdge(dut.aclk)  # values as they settled before the edge
            s_ready, m_valid = dut.s_axis_tready.value == 1, dut.m_axis_tvalid.value == 1
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
