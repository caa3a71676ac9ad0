"""The C model of a streaming engine (SPEC §6.1): the fused backward and the payload's fields.

An engine's header (``--lanes N --emit c``) adds to the unit's ``NAME_forward`` and
``NAME_grad``:

* ``int64_t NAME_fused_backward(int64_t x, int64_t g)``, mode 2 of one lane: ``g`` (clamped
  to the output format) times ``NAME_grad(x)``, scaled by ``2**(frac - out_frac - grad_frac)``,
  rounded once and saturated to the input format, term by term as
  :meth:`smelu_hw.models.base.Activation.fused_backward` computes it;
* ``int64_t NAME_lane(int64_t mode, int64_t x, int64_t g)``: one lane's result in any mode
  code (a reserved code gives the manifest's ``reserved_result``);
* a stream engine's payload as arrays of 64-bit words, bit ``i`` of a payload in bit ``i % 64``
  of word ``i / 64``: ``NAME_pack_in``/``NAME_unpack_in`` (the mode and every lane's ``x`` and
  ``g``) and ``NAME_pack_out``/``NAME_unpack_out`` (every lane's result, sign-extended), at the
  bit offsets of the manifest's ``engine.input_fields`` and ``engine.output_lane_bits``;
* an AXI4-Stream engine's TDATA and TUSER, in words the same way, at the offsets of the
  manifest's ``axis`` entry (:mod:`.axis`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..specs import ActivationSpec
from .axis import AXIS, AxisFields, axis_comment_lines, axis_macros
from .emit import TYPE, Body, Term, literal

__all__ = ["EngineFields", "comment_lines", "fused_backward_body", "payload_text"]


@dataclass(frozen=True)
class EngineFields:
    """Where an engine's fields lie in its payloads (the manifest's ``engine`` entry).

    Attributes
    ----------
    lanes : int
        Lanes per beat.
    mode : tuple of int
        ``(offset, width)`` of the mode field in the input payload.
    x, g : tuple of int
        ``(offset, width of one lane)`` of lane 0 of ``x`` and ``g``; lane ``i`` follows at
        ``offset + i * width``.
    out_lane_bits : int
        Width of one output lane; lane ``i`` is at bit ``i * out_lane_bits``.
    modes : Mapping[str, int]
        The mode codes (``forward``, ``gradient``, ``backward``).
    reserved_result : int
        Every lane's result in a reserved mode code.
    axis : AxisFields or None
        An AXI4-Stream engine's TDATA and TUSER fields (its payload fields are ``None``).
    """

    lanes: int
    mode: tuple[int, int] | None
    x: tuple[int, int] | None
    g: tuple[int, int] | None
    out_lane_bits: int | None
    modes: Mapping[str, int]
    reserved_result: int
    axis: AxisFields | None = None

    @classmethod
    def of(cls, engine: Mapping[str, object], axis: Mapping[str, object] | None = None) -> EngineFields:
        """The fields of a manifest's ``engine`` entry (SPEC §7), and of its ``axis`` entry.

        An AXI4-Stream engine's ``engine`` entry has no ``input_fields``: its TDATA and TUSER
        layout is the manifest's ``axis`` entry (SPEC §6.2), which must be given. Its fields
        have no payload (:attr:`has_payload` is false) but :attr:`axis`.

        Raises
        ------
        ValueError
            If a field does not split into whole lanes of 1 to 63 bits, or an AXI4-Stream
            engine comes without its ``axis`` entry.
        """
        lanes = int(engine["lanes"])
        modes, reserved = dict(engine["modes"]), int(engine.get("reserved_result", 0))
        if "input_fields" not in engine:
            if axis is None:
                raise ValueError(
                    "an engine without input_fields (AXI4-Stream) needs the manifest's axis entry"
                )
            return cls(lanes, None, None, None, None, modes, reserved, AxisFields.of(axis))
        fields = engine["input_fields"]
        (x_at, x_width), (g_at, g_width) = fields["x"], fields["g"]
        if x_width % lanes or g_width % lanes:
            raise ValueError(f"the x and g fields ({x_width}, {g_width} bits) are not {lanes} whole lanes")
        widths = (fields["mode"][1], x_width // lanes, g_width // lanes, engine["output_lane_bits"])
        if not all(1 <= width <= 63 for width in widths):
            raise ValueError(f"field widths {widths} must each be 1 to 63 bits")
        return cls(
            lanes=lanes,
            mode=tuple(fields["mode"]),
            x=(x_at, x_width // lanes),
            g=(g_at, g_width // lanes),
            out_lane_bits=int(engine["output_lane_bits"]),
            modes=modes,
            reserved_result=reserved,
        )

    @property
    def has_payload(self) -> bool:
        """Whether the fields lie in payloads (a stream engine's) that the header packs."""
        return self.mode is not None

    @property
    def in_bits(self) -> int:
        """Width of the input payload."""
        return max(at + width * count for at, width, count in self._spans())

    @property
    def out_bits(self) -> int:
        """Width of the output payload."""
        return self.out_lane_bits * self.lanes

    def _spans(self) -> list[tuple[int, int, int]]:
        return [(*self.mode, 1), (*self.x, self.lanes), (*self.g, self.lanes)]


def fused_backward_body(spec: ActivationSpec, body: Body) -> Term:
    """``g * NAME_grad(x)`` rescaled to the input format and rounded once (before saturation)."""
    out, grad, fmt = spec.out_fmt, spec.grad_fmt, spec.fmt
    low, high = literal(out.min_code), literal(out.max_code)
    clamped = body.term(
        f"(({TYPE})(g < {low} ? {low} : (g > {high} ? {high} : g)))", out.min_code, out.max_code
    )
    g = body.let(clamped, "gc")
    dy = body.let(body.call(f"{body.prefix}_grad(x)", grad.min_code, grad.max_code), "dyc")
    product = body.mul(g, dy)
    shift = out.frac + spec.grad_frac - fmt.frac
    if shift > 0:
        return body.round_div(product, 1 << shift, spec.rounding)
    return body.scale(product, -shift)


def comment_lines(name: str, fields: EngineFields) -> list[str]:
    """The header comment's lines about the engine's functions."""
    lane = [
        f"int64_t {name}_fused_backward(int64_t x, int64_t g): mode {fields.modes['backward']},",
        "    round(g * dy * 2**frac / 2**(out_frac + grad_frac)), dy the gradient code of x, g an output",
        "    code (saturated to y's format first); the result saturated to x's format.",
        f"int64_t {name}_lane(int64_t mode, int64_t x, int64_t g): one lane's result in any mode code.",
    ]
    if fields.axis is not None:
        return [
            "",
            f"AXI4-Stream engine: {fields.lanes} lanes (SPEC 6.2). TDATA and TUSER are arrays of uint64_t",
            "words, port bit i in bit i % 64 of word i / 64; fields at the manifest's axis entry offsets.",
            *lane,
            *axis_comment_lines(name),
        ]
    words = f"uint64_t payload[{name}_IN_WORDS]"
    return [
        "",
        f"engine: {fields.lanes} lanes (SPEC 6.1). A payload is an array of uint64_t words, payload bit i",
        "in bit i % 64 of word i / 64; fields at the manifest's engine.input_fields and output_lane_bits.",
        *lane,
        f"void {name}_pack_in({words}, int64_t mode,",
        f"    const int64_t x[{name}_LANES], const int64_t g[{name}_LANES]): i__payload of a beat;",
        f"    {name}_unpack_in(payload, &mode, x, g) reads it back (x and g sign-extended).",
        f"void {name}_pack_out(uint64_t payload[{name}_OUT_WORDS], const int64_t result[{name}_LANES]):",
        f"    o__payload; {name}_unpack_out(payload, result) reads it back (each lane sign-extended).",
    ]


BITS = """\
/* Writes the low `width` bits (0 to 64) of `value` into bits offset .. offset + width - 1 of
 * `words` (bit i of a word array is bit i % 64 of words[i / 64]). */
static inline void @N@_put_bits(uint64_t *words, unsigned offset, unsigned width, uint64_t value)
{
    unsigned i;
    for (i = 0; i < width; i++) {
        const unsigned at = offset + i;
        const uint64_t bit = UINT64_C(1) << (at % 64u);
        if ((value >> i) & 1u) {
            words[at / 64u] |= bit;
        } else {
            words[at / 64u] &= ~bit;
        }
    }
}

/* Bits offset .. offset + width - 1 of `words` (width 0 to 64), zero-extended. */
static inline uint64_t @N@_get_ubits(const uint64_t *words, unsigned offset, unsigned width)
{
    uint64_t bits = 0;
    unsigned i;
    for (i = 0; i < width; i++) {
        const unsigned at = offset + i;
        bits |= ((words[at / 64u] >> (at % 64u)) & 1u) << i;
    }
    return bits;
}

/* The code in bits offset .. offset + width - 1 of `words` (width 1 to 63), sign-extended if
 * is_signed. */
static inline int64_t @N@_get_bits(const uint64_t *words, unsigned offset, unsigned width, int is_signed)
{
    const uint64_t bits = @N@_get_ubits(words, offset, width);
    if (is_signed) {
        const uint64_t sign = UINT64_C(1) << (width - 1u);
        return (int64_t)(bits ^ sign) - (int64_t)sign;
    }
    return (int64_t)bits;
}

"""

_PAYLOAD = """\
/* The input payload of one beat: the mode and each lane's x and g (valid codes; each field
 * takes the low bits of its value). Bits above @N@_IN_BITS are 0. */
static inline void @N@_pack_in(uint64_t payload[@N@_IN_WORDS], int64_t mode, const int64_t x[@N@_LANES],
                               const int64_t g[@N@_LANES])
{
    unsigned i;
    for (i = 0; i < @N@_IN_WORDS; i++) {
        payload[i] = 0;
    }
    @N@_put_bits(payload, @N@_IN_MODE_OFFSET, @N@_IN_MODE_BITS, mode);
    for (i = 0; i < @N@_LANES; i++) {
        @N@_put_bits(payload, @N@_IN_X_OFFSET + i * @N@_IN_X_LANE_BITS, @N@_IN_X_LANE_BITS, x[i]);
        @N@_put_bits(payload, @N@_IN_G_OFFSET + i * @N@_IN_G_LANE_BITS, @N@_IN_G_LANE_BITS, g[i]);
    }
}

/* The fields of an input payload: the mode (unsigned) and each lane's x and g (signed). */
static inline void @N@_unpack_in(const uint64_t payload[@N@_IN_WORDS], int64_t *mode, int64_t x[@N@_LANES],
                                 int64_t g[@N@_LANES])
{
    unsigned i;
    *mode = @N@_get_bits(payload, @N@_IN_MODE_OFFSET, @N@_IN_MODE_BITS, 0);
    for (i = 0; i < @N@_LANES; i++) {
        x[i] = @N@_get_bits(payload, @N@_IN_X_OFFSET + i * @N@_IN_X_LANE_BITS, @N@_IN_X_LANE_BITS, 1);
        g[i] = @N@_get_bits(payload, @N@_IN_G_OFFSET + i * @N@_IN_G_LANE_BITS, @N@_IN_G_LANE_BITS, 1);
    }
}

/* The output payload of one beat: each lane's result. Bits above @N@_OUT_BITS are 0. */
static inline void @N@_pack_out(uint64_t payload[@N@_OUT_WORDS], const int64_t result[@N@_LANES])
{
    unsigned i;
    for (i = 0; i < @N@_OUT_WORDS; i++) {
        payload[i] = 0;
    }
    for (i = 0; i < @N@_LANES; i++) {
        @N@_put_bits(payload, i * @N@_OUT_LANE_BITS, @N@_OUT_LANE_BITS, result[i]);
    }
}

/* Each lane's result of an output payload, sign-extended (SPEC 6.1). */
static inline void @N@_unpack_out(const uint64_t payload[@N@_OUT_WORDS], int64_t result[@N@_LANES])
{
    unsigned i;
    for (i = 0; i < @N@_LANES; i++) {
        result[i] = @N@_get_bits(payload, i * @N@_OUT_LANE_BITS, @N@_OUT_LANE_BITS, 1);
    }
}

"""

_LANE = """\
/* One lane's result in mode `mode` (@N@_MODE_*); a reserved code gives @N@_RESERVED_RESULT. */
static inline int64_t @N@_lane(int64_t mode, int64_t x, int64_t g)
{
    if (mode == @N@_MODE_FORWARD) {
        return @N@_forward(x);
    }
    if (mode == @N@_MODE_GRADIENT) {
        return @N@_grad(x);
    }
    if (mode == @N@_MODE_BACKWARD) {
        return @N@_fused_backward(x, g);
    }
    return @N@_RESERVED_RESULT;
}
"""


def payload_text(name: str, fields: EngineFields) -> tuple[str, str]:
    """The engine's macros, and its lane function and pack/unpack helpers (after the unit's
    functions): a stream engine's payload ones, or an AXI4-Stream engine's TDATA and TUSER ones."""
    macros = [
        f"#define {name}_LANES {fields.lanes}",
        *(f"#define {name}_MODE_{mode.upper()} {code}" for mode, code in fields.modes.items()),
        f"#define {name}_RESERVED_RESULT {literal(fields.reserved_result)}",
    ]
    functions = _LANE
    if fields.has_payload:
        macros += [
            f"#define {name}_IN_BITS {fields.in_bits}",
            f"#define {name}_IN_WORDS {(fields.in_bits + 63) // 64}",
            f"#define {name}_IN_MODE_OFFSET {fields.mode[0]}u",
            f"#define {name}_IN_MODE_BITS {fields.mode[1]}u",
            f"#define {name}_IN_X_OFFSET {fields.x[0]}u",
            f"#define {name}_IN_X_LANE_BITS {fields.x[1]}u",
            f"#define {name}_IN_G_OFFSET {fields.g[0]}u",
            f"#define {name}_IN_G_LANE_BITS {fields.g[1]}u",
            f"#define {name}_OUT_BITS {fields.out_bits}",
            f"#define {name}_OUT_WORDS {(fields.out_bits + 63) // 64}",
            f"#define {name}_OUT_LANE_BITS {fields.out_lane_bits}u",
        ]
        functions = BITS + _PAYLOAD + _LANE
    elif fields.axis is not None:
        macros += axis_macros(name, fields.axis)
        functions = BITS + AXIS + _LANE
    return "\n".join(macros), functions.replace("@N@", name).rstrip("\n")
