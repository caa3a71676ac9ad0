"""Beats of the AXI4-Stream engine (:class:`~smelu_hw.hw.axis.AxiStreamEngine`) as cocotbext-axi frames.

:class:`AxisFormat` is the manifest's ``axis`` layout (:class:`~smelu_hw.verify.axis_beats.AxisBeats`,
which packs one beat's TDATA and TUSER) that also packs input :class:`Beat` values into
cocotbext-axi frames, and unpacks output frames into lane results; the driver, monitor and
checker of :mod:`smelu_hw.verify.benches.axis` share it.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from cocotbext.axi import AxiStreamFrame

from ..axis_beats import AxisBeats, Beat

__all__ = ["AxisFormat", "Beat", "split_frames"]


def split_frames(beats: Sequence[Beat], lengths: Sequence[int]) -> list[list[Beat]]:
    """``beats`` cut into consecutive frames of ``lengths`` beats."""
    bounds = list(itertools.accumulate(lengths, initial=0))
    return [list(beats[start:stop]) for start, stop in itertools.pairwise(bounds)]


class AxisFormat(AxisBeats):
    """The byte layout of an engine's beats (:class:`~smelu_hw.verify.axis_beats.AxisBeats`),
    with whole frames as cocotbext-axi sends and receives them."""

    def frame(self, beats: list[Beat]) -> AxiStreamFrame:
        """The beats as one AXI frame: TDATA bytes, TUSER per byte (each beat's on all its bytes)."""
        data = b"".join(self.tdata(beat) for beat in beats)
        tuser = [self.tuser(beat) for beat in beats for _ in range(self.in_bytes)]
        return AxiStreamFrame(data, tuser=tuser)

    def results(self, frame: AxiStreamFrame) -> tuple[list[list[int]], list[int]]:
        """Lane results and TUSER of each beat of a received (uncompacted) frame."""
        data, rows, users = bytes(frame.tdata), [], []
        for start in range(0, len(data), self.out_bytes):
            rows.append(self.result_lanes(data[start : start + self.out_bytes]))
            users.append(frame.tuser[start])
        return rows, users
