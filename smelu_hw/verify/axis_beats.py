"""Beats of the AXI4-Stream engine (:class:`~smelu_hw.hw.axis.AxiStreamEngine`) as words.

:class:`AxisBeats` reads the manifest's ``axis`` layout (:func:`~smelu_hw.hw.axis.axis_layout`)
and packs an input :class:`Beat` into its ``s_axis_tdata`` bytes and TUSER, lane results into
``m_axis_tdata`` bytes, and back. The cocotb bench's frames
(:class:`~smelu_hw.verify.benches.axis_frames.AxisFormat`) and the C model's check of a
header's TDATA and TUSER helpers (:mod:`smelu_hw.verify.cmodel_check`) both pack with it, so
they agree on the layout by construction. Nothing here imports cocotb.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = ["AxisBeats", "Beat"]


@dataclass(frozen=True)
class Beat:
    """One input beat: a mode code, the lanes' ``x`` and ``g`` codes, and free user bits."""

    mode: int
    x: tuple[int, ...]
    g: tuple[int, ...]
    user: int


def _put(word: bytearray, offset: int, size: int, value: int) -> None:
    """``value`` two's complement, little-endian, in ``size`` bytes from byte ``offset``."""
    word[offset : offset + size] = (value % (1 << (8 * size))).to_bytes(size, "little")


class AxisBeats:
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
    def in_bytes(self) -> int:
        """TDATA bytes of an input beat."""
        return self._in_bytes

    @property
    def out_bytes(self) -> int:
        """TDATA bytes of an output beat."""
        return self._out_bytes

    def tuser(self, beat: Beat) -> int:
        """The TUSER of ``beat``: its mode and user bits (an output beat carries its input's)."""
        return beat.mode << self._mode_field[0] | beat.user << self._user_field[0]

    def tdata(self, beat: Beat) -> bytes:
        """The ``s_axis_tdata`` bytes of ``beat``: every lane's ``x`` and ``g`` sign-extended
        over its whole bytes."""
        word = bytearray(self._in_bytes)
        for name in ("x", "g"):
            field = self._fields[name]
            for offset, value in zip(field["offsets"], getattr(beat, name), strict=True):
                _put(word, offset, field["bytes"], value)
        return bytes(word)

    def result_tdata(self, results: Sequence[int]) -> bytes:
        """The ``m_axis_tdata`` bytes of lane ``results``, each sign-extended over its bytes."""
        word, field = bytearray(self._out_bytes), self._fields["result"]
        for offset, value in zip(field["offsets"], results, strict=True):
            _put(word, offset, field["bytes"], value)
        return bytes(word)

    def result_lanes(self, word: bytes) -> list[int]:
        """The lane results of one output beat's ``m_axis_tdata`` bytes (whole bytes, signed)."""
        field = self._fields["result"]
        size = field["bytes"]
        return [int.from_bytes(word[o : o + size], "little", signed=True) for o in field["offsets"]]

    def padding(self) -> int:
        """The bits of ``s_axis_tdata`` (as a little-endian integer) that no field's
        significant bits use: the padding the engine ignores."""
        used = 0
        for name in ("x", "g"):
            field = self._fields[name]
            for offset in field["offsets"]:
                used |= ((1 << field["bits"]) - 1) << (8 * offset)
        return ((1 << (8 * self._in_bytes)) - 1) & ~used
