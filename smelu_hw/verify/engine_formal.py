"""Formal proof that an engine's fused backward is exact on a linear tail, for every ``g``.

Where the activation is affine (a tail of :meth:`~smelu_hw.specs.ActivationSpec.linear_pieces`)
its gradient code is one constant ``D``, so the golden model's fused backward is
``saturate(round(G * D * 2**F / 2**(F_out + F_grad)))``: an affine function of the upstream
code ``G`` alone (:meth:`~smelu_hw.models.base.Activation.fused_backward`). The miter feeds the
engine a free beat in every cycle (``anyseq`` mode, x and g lanes, and padding; input valid
and output ready high, so every stage advances every cycle; an AXI4-Stream engine is out of
reset, and proved one edge later, once its ready has risen), delays each beat by the latency, and
states that every lane of a mode-2 beat whose x lies in the tail equals that reference. Yosys
``sat`` proves it for all input sequences at once, as :mod:`smelu_hw.verify.formal` does for
units; a second call shows the tail reachable, so the proof is never vacuous.
"""

from __future__ import annotations

from pathlib import Path

from ..specs.pieces import Affine
from .design import Design
from .formal import TOP, _literal, reference_lines, run_miter
from .wire import EngineWire

__all__ = ["engine_miter", "prove_engine_lanes", "tail_affine"]


def tail_affine(design: Design, gradient_code: int) -> Affine:
    """The fused backward on a tail of constant gradient code, as an affine function of ``G``."""
    manifest = design.manifest
    shift = manifest["output"]["frac"] + manifest["grad"]["frac"] - manifest["input"]["frac"]
    return Affine(scale=gradient_code, offset=0, shift=shift)


def _connections(wire: EngineWire) -> list[str]:
    """The engine's port connections in the miter: a free beat offered, every result taken."""
    if wire.axis:
        return [
            ".aclk(clk)", ".aresetn(1'b1)", f".s_axis_tdata(beat[{wire.in_bits - 1}:0])",
            ".s_axis_tvalid(1'b1)", ".s_axis_tready(ready)", ".s_axis_tlast(1'b0)",
            f".s_axis_tuser(beat[{wire.in_bits + wire.user_bits - 1}:{wire.in_bits}])",
            ".m_axis_tdata(result)", ".m_axis_tvalid(valid)", ".m_axis_tready(1'b1)",
            ".m_axis_tlast()", ".m_axis_tuser()",
        ] + ([".s_axis_tkeep(keep)", ".m_axis_tkeep()"] if wire.keep else [])  # fmt: skip
    connections = [".i__payload(beat)", ".i__valid(1'b1)", ".i__ready(ready)"]
    connections += [".o__payload(result)", ".o__valid(valid)", ".o__ready(1'b1)"]
    return connections + ([".clk(clk)", ".rst(1'b0)"] if wire.clock else [])


def engine_miter(design: Design, low: int, high: int, affine: Affine, mode: str = "backward") -> str:
    """The miter: every lane of a beat in ``mode`` (a name of the manifest's ``modes``, or
    ``"reserved"``: its first reserved code) whose x lies in ``low ..= high`` is ``affine``
    of its g, rounded and saturated to the input format, over the lane's whole stride (its
    extension bits included); padding bits of the input are free."""
    manifest, wire = design.manifest, design.wire
    engine, latency = manifest["engine"], design.latency
    fmt = manifest["input"]
    grad_bits = manifest["grad"]["bits"]
    product = wire.g_bits + max(grad_bits, abs(affine.scale).bit_length()) + max(-affine.shift, 0)
    width = max(wire.x_bits, wire.out_stride, product, abs(affine.offset).bit_length() + 1) + 3
    width = max(width, affine.shift + 2)
    code = engine["reserved_modes"][0] if mode == "reserved" else engine["modes"][mode]
    word, lit = wire.in_bits + wire.user_bits, lambda value: _literal(value, width)
    lines = [
        f"module {TOP}(input clk, output ok, output in_piece);",
        f"  (* anyseq *) reg [{word - 1}:0] beat;",
        f"  (* anyseq *) reg [{wire.in_bits // 8 - 1}:0] keep;" if wire.keep else "",
        *(f"  reg [{word - 1}:0] beat_delay{stage};" for stage in range(1, latency + 1)),
        "  always @(posedge clk) beat_delay1 <= beat;" if latency else "",
        *(f"  always @(posedge clk) beat_delay{s} <= beat_delay{s - 1};" for s in range(2, latency + 1)),
        f"  wire [{word - 1}:0] old = {f'beat_delay{latency}' if latency else 'beat'};",
        f"  wire [{wire.out_bits - 1}:0] result;",
        "  wire ready, valid;",
        f"  {design.name} dut({', '.join(_connections(wire))});",
        f"  wire in_mode = old[{wire.mode_at + 1}:{wire.mode_at}] == 2'd{code};",
    ]
    checks, hits = [], []
    for lane in range(wire.lanes):
        x_at, g_at, out_at = wire.x_offset(lane), wire.g_offset(lane), wire.out_offset(lane)
        lines += [
            f"  wire signed [{width - 1}:0] x{lane} = $signed(old[{x_at + wire.x_bits - 1}:{x_at}]);",
            f"  wire signed [{width - 1}:0] g{lane} = $signed(old[{g_at + wire.g_bits - 1}:{g_at}]);",
            f"  wire hit{lane} = in_mode && x{lane} >= {lit(low)} && x{lane} <= {lit(high)};",
            *reference_lines(f"lane{lane}", affine, fmt, manifest["rounding"], width, source=f"g{lane}"),
            f"  wire signed [{width - 1}:0] lane{lane}_got = "
            f"$signed(result[{out_at + wire.out_stride - 1}:{out_at}]);",
        ]
        checks.append(f"(!hit{lane} || (valid && lane{lane}_got == lane{lane}_ref))")
        hits.append(f"hit{lane}")
    lines += [
        f"  assign in_piece = {' || '.join(hits)};",
        f"  assign ok = {' && '.join(checks)};",
        "endmodule",
        "",
    ]
    return "\n".join(line for line in lines if line)


def prove_engine_lanes(
    design: Design, low: int, high: int, affine: Affine, mode: str, folder: Path, timeout: int
) -> bool:
    """Whether every lane of every beat in ``mode`` with x in ``low ..= high`` is ``affine``
    of its g (:func:`engine_miter`), for every g; ``False``: Yosys found a counterexample.

    Raises
    ------
    ProofTimeout
        If the solver ran out of time.
    BenchError
        If Yosys fails or the tail is unreachable.
    """
    miter = engine_miter(design, low, high, affine, mode)
    what, settle = f"{mode} {low}..{high}", design.wire.settle
    return run_miter(design, miter, what, folder, timeout, "in_piece", settle=settle) is None
