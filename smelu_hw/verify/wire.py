"""Where an engine's lanes, mode and handshake sit on its ports, for a streaming engine and an
AXI4-Stream engine alike.

:func:`engine_wire` reads a manifest's ``engine`` entry (``i``/``o`` stream ports, lane fields
packed bit to bit) or its ``axis`` layout (``s_axis``/``m_axis`` ports, lane fields padded to
whole bytes, the mode in TUSER, SPEC §6.2) into one :class:`EngineWire`. The native driver's
settings (:mod:`smelu_hw.verify.builds`) and the engine proofs
(:mod:`smelu_hw.verify.engine_formal`) read the wire, not the manifest, so both kinds of
engine are checked by the same code.

Bit offsets count in the *input word*: the input data port, and for AXI4-Stream TUSER above
it (``{s_axis_tuser, s_axis_tdata}``), which is where the mode lives.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["EngineWire", "engine_wire"]


@dataclass(frozen=True)
class EngineWire:
    """An engine's ports as the native driver and the proofs drive them.

    Attributes
    ----------
    axis : bool
        AXI4-Stream (``aclk``, ``aresetn``, TLAST and TUSER carried with each beat).
    lanes : int
        Lanes per beat.
    in_data, in_valid, in_ready, out_data, out_valid, out_ready : str
        Port names of the input and output data and handshakes.
    in_bits, out_bits : int
        Widths of ``in_data`` and ``out_data``.
    user_bits : int
        Width of TUSER (AXI4-Stream; 0 for a streaming engine); the mode is its low 2 bits.
    mode_at : int
        Bit of the input word where the 2-bit mode starts.
    x_at, g_at : int
        Bit of the input word where lane 0's ``x`` and ``g`` fields start.
    x_stride, g_stride : int
        Bits from one lane's field to the next (whole bytes on AXI4-Stream).
    x_bits, g_bits : int
        Significant bits of a lane's ``x`` and ``g`` (the rest of a stride is padding, which
        the engine ignores).
    lane_bits : int
        Significant bits of a lane's result.
    out_stride : int
        Bits from one result lane to the next; above ``lane_bits`` a result is extended
        (sign-extended when ``result_signed``).
    result_signed : bool
        Whether a result lane is two's complement.
    clock, reset : str or None
        Clock and reset ports (``None`` for a combinational streaming engine).
    reset_low : bool
        Whether ``reset`` is active low (``aresetn``).
    settle : int
        Clock edges after reset before the engine takes beats (1 for AXI4-Stream, whose
        ready follows a registered out-of-reset flag).
    keep : bool
        Whether the ports include ``s_axis_tkeep`` (not seen) and ``m_axis_tkeep`` (all ones).
    """

    axis: bool
    lanes: int
    in_data: str
    in_valid: str
    in_ready: str
    out_data: str
    out_valid: str
    out_ready: str
    in_bits: int
    out_bits: int
    user_bits: int
    mode_at: int
    x_at: int
    x_stride: int
    x_bits: int
    g_at: int
    g_stride: int
    g_bits: int
    lane_bits: int
    out_stride: int
    result_signed: bool
    clock: str | None
    reset: str | None
    reset_low: bool
    settle: int
    keep: bool = False

    @property
    def native(self) -> bool:
        """Whether the native driver can drive these ports (TUSER up to 32 bits, TKEEP up to 64)."""
        return self.user_bits <= 32 and (not self.keep or max(self.in_bits, self.out_bits) // 8 <= 64)

    def x_offset(self, lane: int) -> int:
        """Bit of the input word where ``lane``'s ``x`` starts."""
        return self.x_at + lane * self.x_stride

    def g_offset(self, lane: int) -> int:
        """Bit of the input word where ``lane``'s ``g`` starts."""
        return self.g_at + lane * self.g_stride

    def out_offset(self, lane: int) -> int:
        """Bit of the output data where ``lane``'s result starts."""
        return lane * self.out_stride


def _uniform(offsets: list[int], size: int, what: str) -> int:
    """The byte stride of lane ``offsets`` that follow one another every ``size`` bytes."""
    if not offsets or any(b - a != size for a, b in itertools.pairwise(offsets)):
        raise ValueError(f"the {what} lanes are not {size} bytes apart")
    return 8 * size


def _axis_wire(manifest: Mapping[str, object], widths: Mapping[str, int]) -> EngineWire:
    layout = manifest["axis"]
    lanes = layout["lanes"]
    fields = {**layout["s_axis"]["fields"], **layout["m_axis"]["fields"]}
    x, g, result = fields["x"], fields["g"], fields["result"]
    in_bits, out_bits = layout["s_axis"]["tdata_bits"], layout["m_axis"]["tdata_bits"]
    mode = layout["tuser"]["fields"]["mode"]
    if widths.get("s_axis_tdata") != in_bits or widths.get("m_axis_tdata") != out_bits:
        raise ValueError("the axis layout's TDATA widths are not its ports'")
    keep = (widths.get("s_axis_tkeep"), widths.get("m_axis_tkeep"))
    if "tkeep" in layout and keep != (in_bits // 8, out_bits // 8):
        raise ValueError("the axis layout has TKEEP, but its ports do not")
    if widths.get("s_axis_tuser") != layout["tuser"]["bits"] or mode != [0, 2]:
        raise ValueError("the axis layout's TUSER is not its port's, or the mode is not its low 2 bits")
    for name, field in (("x", x), ("g", g), ("result", result)):
        if len(field["offsets"]) != lanes or not 0 < field["bits"] <= 8 * field["bytes"] <= 32:
            raise ValueError(f"malformed axis field {name}")
    strides = {name: _uniform(f["offsets"], f["bytes"], name) for name, f in fields.items()}
    ends = (8 * (g["offsets"][-1] + g["bytes"]), 8 * (result["offsets"][-1] + result["bytes"]))
    if ends[0] > in_bits or ends[1] > out_bits:
        raise ValueError("the axis layout's fields do not fit TDATA")
    if result["offsets"][0] != 0:
        raise ValueError("the result lanes do not start at bit 0")
    return EngineWire(
        axis=True, lanes=lanes,
        in_data="s_axis_tdata", in_valid="s_axis_tvalid", in_ready="s_axis_tready",
        out_data="m_axis_tdata", out_valid="m_axis_tvalid", out_ready="m_axis_tready",
        in_bits=in_bits, out_bits=out_bits, user_bits=layout["tuser"]["bits"], mode_at=in_bits,
        x_at=8 * x["offsets"][0], x_stride=strides["x"], x_bits=x["bits"],
        g_at=8 * g["offsets"][0], g_stride=strides["g"], g_bits=g["bits"],
        lane_bits=result["bits"], out_stride=strides["result"], result_signed=bool(result["signed"]),
        clock="aclk", reset="aresetn", reset_low=True, settle=1, keep="tkeep" in layout,
    )  # fmt: skip


def _stream_wire(manifest: Mapping[str, object], widths: Mapping[str, int]) -> EngineWire:
    engine = manifest["engine"]
    lanes, fields, lane_bits = engine["lanes"], engine["input_fields"], engine["output_lane_bits"]
    x_bits, g_bits = fields["x"][1] // lanes, fields["g"][1] // lanes
    clocked = bool(manifest["latency"])
    if lane_bits * lanes != widths.get("o__payload") or "i__payload" not in widths:
        raise ValueError("the engine's output lanes do not fill its payload")
    return EngineWire(
        axis=False, lanes=lanes,
        in_data="i__payload", in_valid="i__valid", in_ready="i__ready",
        out_data="o__payload", out_valid="o__valid", out_ready="o__ready",
        in_bits=widths["i__payload"], out_bits=widths["o__payload"], user_bits=0,
        mode_at=fields["mode"][0], x_at=fields["x"][0], x_stride=x_bits, x_bits=x_bits,
        g_at=fields["g"][0], g_stride=g_bits, g_bits=g_bits,
        lane_bits=lane_bits, out_stride=lane_bits, result_signed=True,
        clock="clk" if clocked else None, reset="rst" if clocked else None, reset_low=False, settle=0,
    )  # fmt: skip


def engine_wire(manifest: Mapping[str, object]) -> EngineWire:
    """The wire of the engine ``manifest`` describes (its ``axis`` layout, if it has one).

    Raises
    ------
    KeyError, TypeError, ValueError
        If the entries are missing, malformed, or do not fit the manifest's ports.
    """
    widths = {port["name"]: port["width"] for port in manifest["ports"]}
    if manifest.get("interface") == "axis":
        return _axis_wire(manifest, widths)
    return _stream_wire(manifest, widths)
