"""The C model of an AXI4-Stream engine's beats (SPEC §6.2): TDATA and TUSER pack/unpack helpers.

An AXI4-Stream engine's header (``--interface axis --emit c``) adds to the lane functions of
:mod:`smelu_hw.cmodel.engine` helpers over arrays of 64-bit words (bit ``i`` of a port in bit
``i % 64`` of word ``i / 64``, as a stream engine's payloads), at the offsets of the manifest's
``axis`` entry (:func:`~smelu_hw.hw.axis.axis_layout`, read by :meth:`AxisFields.of`):

* ``NAME_pack_tuser``/``NAME_unpack_tuser``: the mode and the free user bits in TUSER;
* ``NAME_pack_s_axis``/``NAME_unpack_s_axis``: ``s_axis_tdata`` (every lane's ``x`` and ``g``,
  packed sign-extended over their whole bytes, unpacked from their significant bits, so the
  padding is ignored as the engine ignores it) and ``s_axis_tuser``;
* ``NAME_pack_m_axis``/``NAME_unpack_m_axis``: ``m_axis_tdata`` (every lane's result) and
  ``m_axis_tuser`` (the beat's ``s_axis_tuser``).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["AXIS", "AxisField", "AxisFields", "axis_comment_lines", "axis_macros"]


@dataclass(frozen=True)
class AxisField:
    """One lane field of a TDATA port: lane 0 at bit ``offset``, lane ``i`` at
    ``offset + i * lane_bits`` (whole bytes), of which the low ``bits`` are significant."""

    offset: int
    lane_bits: int
    bits: int
    signed: bool

    @classmethod
    def of(cls, name: str, field: Mapping[str, object], lanes: int) -> AxisField:
        """The field ``name`` of an ``axis`` layout's ``fields``.

        Raises
        ------
        ValueError
            If its lanes are not ``bytes`` apart, or its widths are out of range.
        """
        offsets, size, bits = list(field["offsets"]), int(field["bytes"]), int(field["bits"])
        if len(offsets) != lanes or any(b - a != size for a, b in itertools.pairwise(offsets)):
            raise ValueError(f"the {name} lanes are not {lanes} lanes {size} bytes apart")
        if not 1 <= bits <= 8 * size <= 63:
            raise ValueError(f"the {name} field ({bits} bits in {size} bytes) must fit 1 to 63 bits")
        return cls(8 * offsets[0], 8 * size, bits, bool(field["signed"]))

    def end(self, lanes: int) -> int:
        """The bit after the field's last lane."""
        return self.offset + lanes * self.lane_bits


@dataclass(frozen=True)
class AxisFields:
    """Where an AXI4-Stream engine's fields lie in TDATA and TUSER (the manifest's ``axis``).

    Attributes
    ----------
    s_tdata_bits, m_tdata_bits, tuser_bits : int
        Widths of ``s_axis_tdata``, ``m_axis_tdata`` and TUSER (both ports').
    x, g, result : AxisField
        The lane fields of ``s_axis_tdata`` (``x``, ``g``) and ``m_axis_tdata`` (``result``).
    mode, user : tuple of int
        ``(offset, width)`` of the mode and the free user bits in TUSER.
    """

    s_tdata_bits: int
    m_tdata_bits: int
    tuser_bits: int
    x: AxisField
    g: AxisField
    result: AxisField
    mode: tuple[int, int]
    user: tuple[int, int]

    @classmethod
    def of(cls, layout: Mapping[str, object]) -> AxisFields:
        """The fields of a manifest's ``axis`` entry (SPEC §7).

        Raises
        ------
        ValueError
            If a field does not fit its port, or a width is out of range.
        """
        lanes, tuser = int(layout["lanes"]), layout["tuser"]
        s_fields, m_fields = layout["s_axis"]["fields"], layout["m_axis"]["fields"]
        fields = cls(
            s_tdata_bits=int(layout["s_axis"]["tdata_bits"]),
            m_tdata_bits=int(layout["m_axis"]["tdata_bits"]),
            tuser_bits=int(tuser["bits"]),
            x=AxisField.of("x", s_fields["x"], lanes),
            g=AxisField.of("g", s_fields["g"], lanes),
            result=AxisField.of("result", m_fields["result"], lanes),
            mode=tuple(tuser["fields"]["mode"]),
            user=tuple(tuser["fields"]["user"]),
        )
        ends = (fields.x.end(lanes), fields.g.end(lanes), fields.result.end(lanes))
        if max(ends[:2]) > fields.s_tdata_bits or ends[2] > fields.m_tdata_bits:
            raise ValueError("the axis layout's lane fields do not fit TDATA")
        if not 1 <= fields.mode[1] <= 63 or not 0 <= fields.user[1] <= 64:
            raise ValueError(
                f"TUSER's mode ({fields.mode[1]} bits) or user field ({fields.user[1]}) is out of range"
            )
        if max(sum(fields.mode), sum(fields.user)) > fields.tuser_bits:
            raise ValueError("the axis layout's mode and user fields do not fit TUSER")
        return fields


def _words(bits: int) -> int:
    return (bits + 63) // 64


def axis_macros(name: str, fields: AxisFields) -> list[str]:
    """The ``#define`` lines of the ports' widths and every field's offset and widths."""
    lines = []
    for port, bits, lane_fields in (
        ("S", fields.s_tdata_bits, {"X": fields.x, "G": fields.g}),
        ("M", fields.m_tdata_bits, {"RESULT": fields.result}),
    ):
        lines += [
            f"#define {name}_{port}_TDATA_BITS {bits}",
            f"#define {name}_{port}_TDATA_WORDS {_words(bits)}",
        ]
        for tag, field in lane_fields.items():
            lines += [
                f"#define {name}_{port}_{tag}_OFFSET {field.offset}u",
                f"#define {name}_{port}_{tag}_LANE_BITS {field.lane_bits}u",
                f"#define {name}_{port}_{tag}_BITS {field.bits}u",
                f"#define {name}_{port}_{tag}_SIGNED {int(field.signed)}",
            ]
    lines += [
        f"#define {name}_TUSER_BITS {fields.tuser_bits}",
        f"#define {name}_TUSER_WORDS {_words(fields.tuser_bits)}",
    ]
    for tag, (offset, width) in (("MODE", fields.mode), ("USER", fields.user)):
        lines += [f"#define {name}_TUSER_{tag}_OFFSET {offset}u", f"#define {name}_TUSER_{tag}_BITS {width}u"]
    return lines


def axis_comment_lines(name: str) -> list[str]:
    """The header comment's lines about the TDATA and TUSER helpers."""
    return [
        f"void {name}_pack_s_axis(uint64_t tdata[], uint64_t tuser[], int64_t mode, uint64_t user,",
        f"    const int64_t x[], const int64_t g[]): s_axis_tdata ({name}_S_TDATA_WORDS words; each",
        f"    lane's x and g sign-extended over its whole bytes) and s_axis_tuser ({name}_TUSER_WORDS);",
        f"    {name}_unpack_s_axis(tdata, tuser, &mode, &user, x, g) reads them back (padding ignored).",
        f"void {name}_pack_m_axis(uint64_t tdata[], uint64_t tuser[], int64_t mode, uint64_t user,",
        f"    const int64_t result[]): m_axis_tdata ({name}_M_TDATA_WORDS words) and m_axis_tuser;",
        f"    {name}_unpack_m_axis(tdata, tuser, &mode, &user, result) reads them back.",
        f"void {name}_pack_tuser(uint64_t tuser[], int64_t mode, uint64_t user) and",
        f"    {name}_unpack_tuser(tuser, &mode, &user): a TUSER (both ports') alone.",
    ]


#: The helpers' C text (``@N@`` the prefix), after the shared bit helpers of :mod:`.engine`.
AXIS = """\
/* TUSER of a beat (both ports'): the mode and the free user bits. Bits above @N@_TUSER_BITS are 0. */
static inline void @N@_pack_tuser(uint64_t tuser[@N@_TUSER_WORDS], int64_t mode, uint64_t user)
{
    unsigned i;
    for (i = 0; i < @N@_TUSER_WORDS; i++) {
        tuser[i] = 0;
    }
    @N@_put_bits(tuser, @N@_TUSER_MODE_OFFSET, @N@_TUSER_MODE_BITS, (uint64_t)mode);
    @N@_put_bits(tuser, @N@_TUSER_USER_OFFSET, @N@_TUSER_USER_BITS, user);
}

/* The mode (zero-extended) and the free user bits of a TUSER. */
static inline void @N@_unpack_tuser(const uint64_t tuser[@N@_TUSER_WORDS], int64_t *mode, uint64_t *user)
{
    *mode = @N@_get_bits(tuser, @N@_TUSER_MODE_OFFSET, @N@_TUSER_MODE_BITS, 0);
    *user = @N@_get_ubits(tuser, @N@_TUSER_USER_OFFSET, @N@_TUSER_USER_BITS);
}

/* s_axis_tdata and s_axis_tuser of one input beat: each lane's x and g (valid codes)
 * sign-extended over their whole bytes, the mode and user bits in TUSER. Bits above each port's
 * width are 0. */
static inline void @N@_pack_s_axis(uint64_t tdata[@N@_S_TDATA_WORDS], uint64_t tuser[@N@_TUSER_WORDS],
                                   int64_t mode, uint64_t user, const int64_t x[@N@_LANES],
                                   const int64_t g[@N@_LANES])
{
    unsigned i;
    for (i = 0; i < @N@_S_TDATA_WORDS; i++) {
        tdata[i] = 0;
    }
    for (i = 0; i < @N@_LANES; i++) {
        @N@_put_bits(tdata, @N@_S_X_OFFSET + i * @N@_S_X_LANE_BITS, @N@_S_X_LANE_BITS, (uint64_t)x[i]);
        @N@_put_bits(tdata, @N@_S_G_OFFSET + i * @N@_S_G_LANE_BITS, @N@_S_G_LANE_BITS, (uint64_t)g[i]);
    }
    @N@_pack_tuser(tuser, mode, user);
}

/* The fields of an input beat: each lane's x and g from their significant bits (the padding
 * is ignored, as the engine ignores it), the mode and user bits from TUSER. */
static inline void @N@_unpack_s_axis(const uint64_t tdata[@N@_S_TDATA_WORDS],
                                     const uint64_t tuser[@N@_TUSER_WORDS], int64_t *mode, uint64_t *user,
                                     int64_t x[@N@_LANES], int64_t g[@N@_LANES])
{
    unsigned i;
    for (i = 0; i < @N@_LANES; i++) {
        x[i] = @N@_get_bits(tdata, @N@_S_X_OFFSET + i * @N@_S_X_LANE_BITS, @N@_S_X_BITS, @N@_S_X_SIGNED);
        g[i] = @N@_get_bits(tdata, @N@_S_G_OFFSET + i * @N@_S_G_LANE_BITS, @N@_S_G_BITS, @N@_S_G_SIGNED);
    }
    @N@_unpack_tuser(tuser, mode, user);
}

/* m_axis_tdata and m_axis_tuser of one output beat: each lane's result sign-extended over its
 * whole bytes (as the engine sends it), and the TUSER of its input beat. */
static inline void @N@_pack_m_axis(uint64_t tdata[@N@_M_TDATA_WORDS], uint64_t tuser[@N@_TUSER_WORDS],
                                   int64_t mode, uint64_t user, const int64_t result[@N@_LANES])
{
    unsigned i;
    for (i = 0; i < @N@_M_TDATA_WORDS; i++) {
        tdata[i] = 0;
    }
    for (i = 0; i < @N@_LANES; i++) {
        @N@_put_bits(tdata, @N@_M_RESULT_OFFSET + i * @N@_M_RESULT_LANE_BITS, @N@_M_RESULT_LANE_BITS,
                     (uint64_t)result[i]);
    }
    @N@_pack_tuser(tuser, mode, user);
}

/* Each lane's result of an output beat (from its significant bits), and its mode and user bits. */
static inline void @N@_unpack_m_axis(const uint64_t tdata[@N@_M_TDATA_WORDS],
                                     const uint64_t tuser[@N@_TUSER_WORDS], int64_t *mode, uint64_t *user,
                                     int64_t result[@N@_LANES])
{
    unsigned i;
    for (i = 0; i < @N@_LANES; i++) {
        result[i] = @N@_get_bits(tdata, @N@_M_RESULT_OFFSET + i * @N@_M_RESULT_LANE_BITS, @N@_M_RESULT_BITS,
                                 @N@_M_RESULT_SIGNED);
    }
    @N@_unpack_tuser(tuser, mode, user);
}

"""
