"""Beats of the AXI4-Stream engine (:class:`~smelu_hw.hw.axis.AxiStreamEngine`) on the wire.

:class:`AxisFormat` reads the ``axis`` layout of a manifest
(:func:`~smelu_hw.hw.axis.axis_layout`) and packs input :class:`Beat` values into
cocotbext-axi frames, and unpacks output frames into lane results; the driver, monitor and
checker of :mod:`smelu_hw.verify.benches.axis` share it.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cocotbext.axi import AxiStreamFrame

__all__ = ["AxisFormat", "Beat", "split_frames"]


@dataclass(frozen=True)
class Beat:
    """One input beat: a mode code, the lanes' ``x`` and ``g`` codes, and free user bits."""

    mode: int
    x: tuple[int, ...]
    g: tuple[int, ...]
    user: int


def split_frames(beats: Sequence[Beat], lengths: Sequence[int]) -> list[list[Beat]]:
    """``beats`` cut into consecutive frames of ``lengths`` beats."""
    bounds = list(itertools.accumulate(lengths, initial=0))
    return [list(beats[start:stop]) for start, stop in itertools.pairwise(bounds)]


def _put(word: bytearray, offset: int, size: int, value: int) -> None:
    """``value`` two's complement, little-endian, in ``size`` bytes from byte ``offset``."""
    word[offset : offset + size] = (value % (1 << (8 * size))).to_bytes(size, "little")


class AxisFormat:
    """The byte layout of an engine's ``s_axis`` and ``m_axis`` beats and of its TUSER.

    Parameters
    ----------
    layout : Mapping
        The manifest's ``axis`` entry.

    Attributes
    ----------
    lanes : int
        Lanes per beat.
    mode_names : dict
        Mode code -> mode name, ``"reserved"`` for the reserved codes.
    user_bits : int
        Free TUSER bits that travel with a beat.
    reserved_result : int
        Every lane's result of a beat in a reserved mode.
    keep : bool
        Whether the ports have TKEEP (``m_axis_tkeep`` must be all ones).
    """

    def __init__(self, layout: Mapping[str, object]) -> None:
        self.lanes = layout["lanes"]
        self._fields = {**layout["s_axis"]["fields"], **layout["m_axis"]["fields"]}
        self._in_bytes = layout["s_axis"]["tdata_bits"] // 8
        self._out_bytes = layout["m_axis"]["tdata_bits"] // 8
        self._mode_field, self._user_field = (layout["tuser"]["fields"][name] for name in ("mode", "user"))
        self.user_bits = self._user_field[1]
        self.mode_names = {code: name for name, code in layout["modes"].items()}
        self.mode_names |= dict.fromkeys(layout["reserved_modes"], "reserved")
        self.reserved_result = layout["reserved_result"]
        self.keep = "tkeep" in layout

    @property
    def out_bytes(self) -> int:
        """TDATA bytes of an output beat."""
        return self._out_bytes

    def tuser(self, beat: Beat) -> int:
        """The TUSER of ``beat``: its mode and user bits (an output beat carries its input's)."""
        return beat.mode << self._mode_field[0] | beat.user << self._user_field[0]

    def frame(self, beats: list[Beat]) -> AxiStreamFrame:
        """The beats as one AXI frame: TDATA bytes, TUSER per byte (each beat's on all its bytes)."""
        data = bytearray()
        for beat in beats:
            word = bytearray(self._in_bytes)
            for name in ("x", "g"):
                field = self._fields[name]
                for offset, value in zip(field["offsets"], getattr(beat, name), strict=True):
                    _put(word, offset, field["bytes"], value)
            data += word
        tuser = [self.tuser(beat) for beat in beats for _ in range(self._in_bytes)]
        return AxiStreamFrame(bytes(data), tuser=tuser)

    def results(self, frame: AxiStreamFrame) -> tuple[list[list[int]], list[int]]:
        """Lane results and TUSER of each beat of a received (uncompacted) frame."""
        data, field = bytes(frame.tdata), self._fields["result"]
        size, rows, users = field["bytes"], [], []
        for start in range(0, len(data), self._out_bytes):
            word = data[start : start + self._out_bytes]
            rows.append([int.from_bytes(word[o : o + size], "little", signed=True) for o in field["offsets"]])
            users.append(frame.tuser[start])
        return rows, users
