"""An AXI4-Stream face for the streaming engine (:class:`~smelu_hw.hw.engine.StreamEngine`).

Ports (AXI4-Stream names): ``aclk``, ``aresetn`` (active low, synchronous), the slave
``s_axis_{tdata,tvalid,tready,tlast,tuser}`` and the master
``m_axis_{tdata,tvalid,tready,tlast,tuser}``. There is no ``clk`` or ``rst`` port: the wrapper's
registers are in its own local ``axis`` domain, clocked by ``aclk`` and reset by ``~aresetn``, so
it can sit inside any Amaranth design, whatever that design's domains.

With ``keep``, ``s_axis_tkeep`` (not seen: every beat is a full beat) and ``m_axis_tkeep``
(all ones) follow their port's TDATA, for IP that needs TKEEP on its ports.

Beat layout (:func:`axis_layout`; bytes little-endian, lane 0 lowest). Every field of every
lane starts on a byte boundary and is padded to whole bytes (:func:`~smelu_hw.hw.lanes.byte_stride`):

* ``s_axis_tdata``: ``x[0] .. x[lanes-1]`` (input codes), then ``g[0] .. g[lanes-1]``
  (upstream gradients, output format). Padding bits are ignored; a sender sign-extends.
* ``m_axis_tdata``: ``result[0] .. result[lanes-1]``, each sign-extended to its whole bytes.
* ``s_axis_tuser``: bits ``[0, 2)`` the beat's mode (0 forward, 1 gradient, 2 fused backward,
  3 reserved: a beat of zeros), bits ``[2, 2 + user_bits)`` free user bits.
* ``m_axis_tuser``, ``m_axis_tlast``: the ``s_axis_tuser`` and ``s_axis_tlast`` of the beat,
  so a consumer knows each beat's mode and frames keep their boundaries.

Timing: the engine's datapath is followed by ``latency`` register stages
(:func:`~smelu_hw.hw.engine.stall_pipeline`, its payload extended by TLAST and TUSER): one beat
per cycle under any ``m_axis_tready`` pattern, and a beat taken at clock edge ``k`` can be taken
from ``m_axis`` at edge ``k + latency`` (``latency = 0``: at the same edge, combinationally, with
``s_axis_tready`` following ``m_axis_tready``).

Reset: while ``aresetn`` is low, and in the first cycle after it rises (until the first edge
that samples it high), ``s_axis_tready`` and ``m_axis_tvalid`` are low, gated combinationally
by ``aresetn`` and by a registered out-of-reset flag. The reset clears the pipeline: beats in
flight when ``aresetn`` falls are dropped, never offered later; every beat accepted after the
reset comes out exactly once. This holds for ``latency = 0`` too, whose path is otherwise
combinational.
"""

from amaranth.hdl import ClockDomain, ClockSignal, Module, ResetSignal, Shape, Signal, unsigned
from amaranth.lib import stream, wiring
from amaranth.lib.data import StructLayout
from amaranth.lib.wiring import In, Out

from ..specs import ActivationSpec
from ..specs.engine import ENGINE_MODES, MODE_BITS, RESERVED_MODES, RESERVED_RESULT
from .engine import StreamEngine, check_engine_shape, engine_layouts, stall_pipeline
from .lanes import byte_stride
from .unit import ActivationUnit

__all__ = ["AXIS_PORTS", "KEEP_PORTS", "TKEEP", "AxiStreamEngine", "axis_layout"]

#: The ports of :class:`AxiStreamEngine`, in signature order.
AXIS_PORTS = (
    "aclk",
    "aresetn",
    "s_axis_tdata",
    "s_axis_tvalid",
    "s_axis_tready",
    "s_axis_tlast",
    "s_axis_tuser",
    "m_axis_tdata",
    "m_axis_tvalid",
    "m_axis_tready",
    "m_axis_tlast",
    "m_axis_tuser",
)


#: The TKEEP ports of an engine built with ``keep``, each after its port's TDATA.
KEEP_PORTS = ("s_axis_tkeep", "m_axis_tkeep")
#: What TKEEP means on each port (the manifest's ``axis.tkeep``).
TKEEP = {
    "s_axis": "not seen: every beat is a full beat (drive all ones)",
    "m_axis": "all ones: every beat is a full beat",
}


def _field(bits: int, signed: bool, lanes: int, start: int) -> dict[str, object]:
    """A lane field of ``bits`` bits padded to whole bytes, lane 0 at byte ``start``."""
    size = byte_stride(bits) // 8
    return {
        "bits": bits,
        "signed": signed,
        "bytes": size,
        "offsets": [start + i * size for i in range(lanes)],
    }


def axis_layout(
    spec: ActivationSpec, lanes: int, *, user_bits: int = 0, keep: bool = False
) -> dict[str, object]:
    """The beat layout of an :class:`AxiStreamEngine` (JSON-ready, for the manifest).

    Parameters
    ----------
    spec : ActivationSpec
        The activation's parameters.
    lanes : int
        Lanes per beat.
    user_bits : int
        Free TUSER bits carried through above the mode.
    keep : bool
        Whether the ports include TKEEP (:data:`KEEP_PORTS`).

    Returns
    -------
    dict
        ``s_axis``/``m_axis``: ``tdata_bits`` and ``fields``, each field with its significant
        ``bits``, ``signed``, its whole ``bytes`` and the byte ``offsets`` of its lanes in TDATA
        (little-endian, sign-extended over the padding); ``tuser``: its ``bits`` and the
        ``[offset, width]`` of ``mode`` and ``user``; ``modes``, ``reserved_modes`` and
        ``reserved_result`` (every lane of a reserved-mode beat); with ``keep``, ``tkeep``
        (what each port's TKEEP means).
    """
    check_engine_shape(lanes, 0)
    if not isinstance(user_bits, int) or user_bits < 0:
        raise ValueError(f"user_bits must be a non-negative integer, not {user_bits!r}")
    if not isinstance(keep, bool):
        raise TypeError(f"keep must be a bool, not {keep!r}")
    inputs, outputs = engine_layouts(spec, lanes)
    x_shape = Shape.cast(inputs["x"].shape.elem_shape)
    g_shape = Shape.cast(inputs["g"].shape.elem_shape)
    result_shape = Shape.cast(outputs.elem_shape)
    x = _field(x_shape.width, x_shape.signed, lanes, 0)
    g = _field(g_shape.width, g_shape.signed, lanes, lanes * x["bytes"])
    result = _field(result_shape.width, result_shape.signed, lanes, 0)
    return {
        "lanes": lanes,
        "byte_order": "little-endian; lane 0 lowest; padding is sign extension",
        "s_axis": {"tdata_bits": 8 * lanes * (x["bytes"] + g["bytes"]), "fields": {"x": x, "g": g}},
        "m_axis": {"tdata_bits": 8 * lanes * result["bytes"], "fields": {"result": result}},
        "tuser": {
            "bits": MODE_BITS + user_bits,
            "fields": {"mode": [0, MODE_BITS], "user": [MODE_BITS, user_bits]},
            "m_axis": "the beat's s_axis_tuser",
        },
        "tlast": "m_axis_tlast is the beat's s_axis_tlast",
        "modes": dict(ENGINE_MODES),
        "reserved_modes": list(RESERVED_MODES),
        "reserved_result": RESERVED_RESULT,
    } | ({"tkeep": dict(TKEEP)} if keep else {})


class AxiStreamEngine(wiring.Component):
    """A :class:`~smelu_hw.hw.engine.StreamEngine` behind AXI4-Stream ports (see the module).

    Parameters
    ----------
    spec : ActivationSpec
        The activation's parameters.
    lanes : int
        Lanes per beat.
    unit_class : type
        The activation's unit class.
    latency : int
        Register stages after the datapath (0: combinational data path).
    user_bits : int
        Free TUSER bits carried through with each beat, above the 2 mode bits.
    keep : bool
        Add ``s_axis_tkeep`` (not seen) and ``m_axis_tkeep`` (all ones), for IP that needs them.

    Members
    -------
    aclk, aresetn : ``In(1)``
        Clock, and synchronous active-low reset.
    s_axis_tdata : ``In(tdata_bits)``
        ``x`` then ``g`` lane fields, as :func:`axis_layout` gives.
    s_axis_tvalid, s_axis_tlast : ``In(1)``
    s_axis_tready : ``Out(1)``
    s_axis_tuser : ``In(2 + user_bits)``
        Mode (low 2 bits) and user bits.
    m_axis_tdata : ``Out(tdata_bits)``
        ``result`` lane fields.
    m_axis_tvalid, m_axis_tlast : ``Out(1)``
    m_axis_tready : ``In(1)``
    m_axis_tuser : ``Out(2 + user_bits)``
        The beat's ``s_axis_tuser``.
    """

    def __init__(
        self,
        spec: ActivationSpec,
        lanes: int,
        unit_class: type[ActivationUnit],
        latency: int = 1,
        *,
        user_bits: int = 0,
        keep: bool = False,
    ) -> None:
        self._spec, self._unit_class = spec, unit_class
        self._lanes, self._latency = check_engine_shape(lanes, latency)
        self.layout = axis_layout(spec, lanes, user_bits=user_bits, keep=keep)
        self._keep = keep
        tuser = self.layout["tuser"]["bits"]
        in_bits, out_bits = self.layout["s_axis"]["tdata_bits"], self.layout["m_axis"]["tdata_bits"]
        members = {
            "aclk": In(1),
            "aresetn": In(1),
            "s_axis_tdata": In(in_bits),
            "s_axis_tkeep": In(in_bits // 8),
            "s_axis_tvalid": In(1),
            "s_axis_tready": Out(1),
            "s_axis_tlast": In(1),
            "s_axis_tuser": In(tuser),
            "m_axis_tdata": Out(out_bits),
            "m_axis_tkeep": Out(out_bits // 8),
            "m_axis_tvalid": Out(1),
            "m_axis_tready": In(1),
            "m_axis_tlast": Out(1),
            "m_axis_tuser": Out(tuser),
        }
        super().__init__({name: member for name, member in members.items() if keep or name not in KEEP_PORTS})

    @property
    def lanes(self) -> int:
        return self._lanes

    @property
    def latency(self) -> int:
        return self._latency

    def elaborate(self, platform: object) -> Module:
        m = Module()
        # Local and of its own name: a parent's domains (its sync among them) never reach in.
        m.domains.axis = ClockDomain("axis", local=True)
        m.d.comb += [ClockSignal("axis").eq(self.aclk), ResetSignal("axis").eq(~self.aresetn)]

        # Low in reset and until the first edge that samples aresetn high.
        out_of_reset = Signal(init=0)
        m.d.axis += out_of_reset.eq(1)
        active = Signal()
        m.d.comb += active.eq(out_of_reset & self.aresetn)

        # The engine's datapath, combinational: its ready is the pipeline's.
        m.submodules.engine = engine = StreamEngine(self._spec, self._lanes, self._unit_class, latency=0)
        fields = self.layout["s_axis"]["fields"]
        m.d.comb += engine.i.payload.mode.eq(self.s_axis_tuser[:MODE_BITS])
        for name in ("x", "g"):
            field = fields[name]
            for lane, offset in enumerate(field["offsets"]):
                m.d.comb += engine.i.payload[name][lane].eq(self.s_axis_tdata[8 * offset :][: field["bits"]])
        m.d.comb += [
            engine.i.valid.eq(self.s_axis_tvalid & active),
            self.s_axis_tready.eq(engine.i.ready & active),
        ]

        # The pipeline carries each beat's TLAST and TUSER with its results.
        _, outputs = engine_layouts(self._spec, self._lanes)
        beat = StructLayout({"result": outputs, "last": 1, "user": unsigned(len(self.s_axis_tuser))})
        data = Signal(beat)
        m.d.comb += [
            data.result.eq(engine.o.payload),
            data.last.eq(self.s_axis_tlast),
            data.user.eq(self.s_axis_tuser),
        ]
        source = stream.Signature(beat).create(path=("beat",))
        stall_pipeline(m, data, engine.o, source, self._latency, beat, domain="axis")

        result = self.layout["m_axis"]["fields"]["result"]
        for lane, offset in enumerate(result["offsets"]):
            # Sign-extended over the field's whole bytes.
            m.d.comb += self.m_axis_tdata[8 * offset :][: 8 * result["bytes"]].eq(source.payload.result[lane])
        m.d.comb += [
            self.m_axis_tvalid.eq(source.valid & active),
            source.ready.eq(self.m_axis_tready & active),
            self.m_axis_tlast.eq(source.payload.last),
            self.m_axis_tuser.eq(source.payload.user),
        ]
        if self._keep:
            m.d.comb += self.m_axis_tkeep.eq((1 << len(self.m_axis_tkeep)) - 1)  # every byte is data
        return m
