"""Streaming activation engine: N lanes per beat behind valid/ready streams, with a mode.

Each input beat carries a mode and, per lane, an input code ``x`` and an upstream gradient
``g`` (in the output format). The output beat carries, per lane:

* mode 0, forward: ``y``;
* mode 1, gradient: ``dy``;
* mode 2, fused backward: ``round(g * dy / 2**grad_frac)`` rescaled to the input format, rounded
  once and saturated (:meth:`smelu_hw.models.base.Activation.fused_backward`);
* mode 3, reserved: every lane is 0 (:data:`~smelu_hw.specs.engine.RESERVED_RESULT`), so each
  input beat still gives one output beat.

Lanes are sign-extended (or zero-extended, for an unsigned gradient) to a common width.
``latency`` register stages follow the datapath and move together: the pipeline advances
whenever its last stage is empty or being read, so it accepts a beat every cycle without
backpressure and holds every beat under any backpressure pattern. With ``latency = 0`` the
engine is combinational and ``i.ready`` is ``o.ready``.
"""

from __future__ import annotations

from amaranth.hdl import Module, Signal, Value, signed, unsigned
from amaranth.lib import stream, wiring
from amaranth.lib.data import ArrayLayout, StructLayout
from amaranth.lib.wiring import In, Out

from ..specs import ActivationSpec, check_count, check_latency
from ..specs.engine import ENGINE_MODES, MODE_BITS, RESERVED_RESULT
from .division import quotient_bounds, rounded_combination, signed_terms
from .unit import ActivationUnit, clamp

__all__ = ["StreamEngine", "check_engine_shape", "engine_layouts", "fused_backward_gates", "stall_pipeline"]


def engine_layouts(spec: ActivationSpec, lanes: int) -> tuple[StructLayout, ArrayLayout]:
    """Input and output payload layouts of an engine."""
    grad = spec.grad_fmt
    width = max(spec.fmt.bits, spec.out_fmt.bits, grad.bits + (0 if grad.signed else 1))
    inputs = StructLayout(
        {
            "mode": unsigned(MODE_BITS),
            "x": ArrayLayout(signed(spec.fmt.bits), lanes),
            "g": ArrayLayout(signed(spec.out_fmt.bits), lanes),
        }
    )
    return inputs, ArrayLayout(signed(width), lanes)


def fused_backward_gates(m: Module, spec: ActivationSpec, g: Value, dy: Value, name: str) -> Value:
    """Gates for ``round(g * dy * 2**F / 2**(F_out + F_grad))`` saturated to the input format."""
    grad, out, fmt = spec.grad_fmt, spec.out_fmt, spec.fmt
    corners = [a * b for a in (out.min_code, out.max_code) for b in (grad.min_code, grad.max_code)]
    product = Signal(signed(out.bits + grad.bits + 1), name=f"{name}_product")
    m.d.comb += product.eq(g * dy)
    shift = fmt.frac - out.frac - spec.grad_frac
    value = rounded_combination(
        m,
        signed_terms(product, len(product)),
        0,
        max(corners),
        shift,
        1,
        spec.rounding,
        f"{name}_fused",
        n_min=min(corners),
    )
    return clamp(value, *quotient_bounds(min(corners), max(corners), shift, 1), fmt.min_code, fmt.max_code)


def check_engine_shape(lanes: object, latency: object) -> tuple[int, int]:
    """Return ``(lanes, latency)`` of an engine: lanes 1 or more, latency 0 or more
    (:func:`~smelu_hw.specs.check_latency`).

    Raises
    ------
    TypeError
        If either is not an integer (a ``bool`` is not one).
    ValueError
        If either is out of range.
    """
    return check_count("lanes", lanes, 1), check_latency(latency)


def stall_pipeline(
    m: Module,
    data: Value,
    sink: stream.Interface,
    source: stream.Interface,
    latency: int,
    layout: object,
    domain: str = "sync",
) -> None:
    """``latency`` register stages in ``domain`` from ``sink`` (whose payload produced ``data``)
    to ``source``.

    All stages advance together whenever the last one is empty or being read: one beat per
    cycle without backpressure, and no beat lost or duplicated under any backpressure.
    """
    if not latency:
        m.d.comb += [source.payload.eq(data), source.valid.eq(sink.valid), sink.ready.eq(source.ready)]
        return
    advance = Signal()
    valid = sink.valid
    for stage in range(latency):
        data_reg = Signal(layout, name=f"data_stage{stage}", reset_less=True)
        valid_reg = Signal(name=f"valid_stage{stage}")
        with m.If(advance):
            m.d[domain] += [data_reg.eq(data), valid_reg.eq(valid)]
        data, valid = data_reg, valid_reg
    m.d.comb += [
        advance.eq(~valid | source.ready),
        sink.ready.eq(advance),
        source.payload.eq(data),
        source.valid.eq(valid),
    ]


class StreamEngine(wiring.Component):
    """``lanes`` copies of an activation unit behind ``amaranth.lib.stream`` ports.

    Parameters
    ----------
    spec : ActivationSpec
        The activation's parameters.
    lanes : int
        Lanes per beat.
    unit_class : type
        The activation's unit class.
    latency : int
        Register stages after the datapath (0: combinational).

    Members
    -------
    i : ``In(stream.Signature(inputs))``
        Beats of ``{mode, x[lanes], g[lanes]}``.
    o : ``Out(stream.Signature(outputs))``
        Beats of ``result[lanes]``.
    """

    def __init__(
        self, spec: ActivationSpec, lanes: int, unit_class: type[ActivationUnit], latency: int = 1
    ) -> None:
        self._spec, self._unit_class = spec, unit_class
        self._lanes, self._latency = check_engine_shape(lanes, latency)
        inputs, outputs = engine_layouts(spec, lanes)
        super().__init__({"i": In(stream.Signature(inputs)), "o": Out(stream.Signature(outputs))})

    @property
    def lanes(self) -> int:
        return self._lanes

    @property
    def latency(self) -> int:
        return self._latency

    def elaborate(self, platform: object) -> Module:
        m = Module()
        _, outputs = engine_layouts(self._spec, self._lanes)
        result = Signal(outputs)
        for lane in range(self._lanes):
            unit = self._unit_class(self._spec)
            m.submodules[f"lane{lane}"] = unit
            m.d.comb += unit.x.eq(self.i.payload.x[lane])
            # Built unconditionally: gates inside a Case would be assigned in one branch only.
            fused = fused_backward_gates(m, self._spec, self.i.payload.g[lane], unit.dy, f"lane{lane}")
            with m.Switch(self.i.payload.mode):
                with m.Case(ENGINE_MODES["forward"]):
                    m.d.comb += result[lane].eq(unit.y)
                with m.Case(ENGINE_MODES["gradient"]):
                    m.d.comb += result[lane].eq(unit.dy)
                with m.Case(ENGINE_MODES["backward"]):
                    m.d.comb += result[lane].eq(fused)
                with m.Default():  # the reserved modes
                    m.d.comb += result[lane].eq(RESERVED_RESULT)
        stall_pipeline(m, result, self.i, self.o, self._latency, outputs)
        return m
