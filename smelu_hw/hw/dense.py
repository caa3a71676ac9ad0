"""Dense-layer tile: ``y = act(requantize(W x + b))`` forward, ``dz = dy * f'(z)`` backward.

One beat carries a whole input vector (and, for backward, the upstream gradient vector) and
gives a whole output vector, behind stream valid/ready ports with the engine's stall pipeline.
The weights are constants of the generated hardware. Per output: the exact accumulator
``W x + b`` (Amaranth arithmetic, wide enough never to overflow), the product with the
requantization multiplier, one rounding by ``2**shift`` (:class:`~.division.Division`),
saturation to the activation's input format, then the activation unit, and in backward mode
the fused product with the upstream gradient. Bit-exact with
:class:`smelu_hw.models.dense.DenseLayer`.
"""

from __future__ import annotations

from itertools import pairwise

from amaranth.hdl import Module, Signal, signed, unsigned
from amaranth.lib import stream, wiring
from amaranth.lib.data import ArrayLayout, StructLayout
from amaranth.lib.wiring import In, Out

from ..specs import check_latency
from ..specs.dense import DenseSpec, check_chain
from . import unit_class_for
from .division import quotient_bounds, rounded_combination, signed_terms
from .engine import fused_backward_gates, stall_pipeline
from .unit import clamp

__all__ = ["FORWARD", "BACKWARD", "DenseTile", "TileChain", "tile_layouts"]

FORWARD, BACKWARD = 0, 1


def tile_layouts(spec: DenseSpec) -> tuple[StructLayout, ArrayLayout]:
    act = spec.activation
    inputs = StructLayout(
        {
            "mode": unsigned(1),
            "x": ArrayLayout(signed(spec.in_bits), spec.inputs),
            "dy": ArrayLayout(signed(act.out_fmt.bits), spec.outputs),
        }
    )
    return inputs, ArrayLayout(signed(max(act.fmt.bits, act.out_fmt.bits)), spec.outputs)


class DenseTile(wiring.Component):
    """A dense layer with an activation epilogue, as a streaming Amaranth component.

    Parameters
    ----------
    spec : DenseSpec
        Weights, bias, requantization and activation.
    latency : int
        Register stages after the datapath.

    Members
    -------
    i : ``In(stream.Signature({mode, x[inputs], dy[outputs]}))``
        ``mode`` 0 is forward (``y``), 1 backward (``dz``).
    o : ``Out(stream.Signature(result[outputs]))``
    """

    def __init__(self, spec: DenseSpec, latency: int = 1) -> None:
        if not isinstance(spec, DenseSpec):
            raise TypeError(f"spec must be a DenseSpec, not {spec!r}")
        self._spec, self._latency = spec, check_latency(latency)
        inputs, outputs = tile_layouts(spec)
        super().__init__({"i": In(stream.Signature(inputs)), "o": Out(stream.Signature(outputs))})

    @property
    def latency(self) -> int:
        return self._latency

    def _requantized(self, m: Module, row: tuple[int, ...], bias: int, index: int) -> object:
        spec, act = self._spec, self._spec.activation
        half = 1 << (spec.in_bits - 1)
        low = bias + sum(min(w * -half, w * (half - 1)) for w in row)
        high = bias + sum(max(w * -half, w * (half - 1)) for w in row)
        acc = Signal(signed(max(abs(low), abs(high)).bit_length() + 1), name=f"acc{index}")
        m.d.comb += acc.eq(sum((x * w for x, w in zip(self.i.payload.x, row, strict=True) if w), bias))
        product = Signal(signed(len(acc) + spec.multiplier.bit_length() + 1), name=f"scaled{index}")
        m.d.comb += product.eq(acc * spec.multiplier)
        n_min, n_max = low * spec.multiplier, high * spec.multiplier
        z = rounded_combination(
            m,
            signed_terms(product, len(product)),
            0,
            n_max,
            -spec.shift,
            1,
            act.rounding,
            f"requant{index}",
            n_min=n_min,
        )
        bounds = quotient_bounds(n_min, n_max, -spec.shift, 1)
        return clamp(z, *bounds, act.fmt.min_code, act.fmt.max_code)

    def elaborate(self, platform: object) -> Module:
        m = Module()
        spec = self._spec
        _, outputs = tile_layouts(spec)
        result = Signal(outputs)
        unit_class = unit_class_for(spec.activation)
        for index, (row, bias) in enumerate(zip(spec.weights, spec.bias, strict=True)):
            unit = unit_class(spec.activation)
            m.submodules[f"act{index}"] = unit
            m.d.comb += unit.x.eq(self._requantized(m, row, bias, index))
            with m.If(self.i.payload.mode == BACKWARD):
                dz = fused_backward_gates(
                    m, spec.activation, self.i.payload.dy[index], unit.dy, f"out{index}"
                )
                m.d.comb += result[index].eq(dz)
            with m.Else():
                m.d.comb += result[index].eq(unit.y)
        stall_pipeline(m, result, self.i, self.o, self._latency, outputs)
        return m


class TileChain(wiring.Component):
    """Dense tiles in sequence, forward only: each tile's output beat is the next one's input.

    Members
    -------
    i : ``In(stream.Signature(x[first inputs]))``
    o : ``Out(stream.Signature(result[last outputs]))``
    """

    def __init__(self, specs: list[DenseSpec], latency: int = 1) -> None:
        check_chain(specs)
        self._specs, self._latency = list(specs), latency
        first, _ = tile_layouts(specs[0])
        _, last = tile_layouts(specs[-1])
        super().__init__({"i": In(stream.Signature(first["x"].shape)), "o": Out(stream.Signature(last))})

    def elaborate(self, platform: object) -> Module:
        m = Module()
        tiles = [DenseTile(spec, self._latency) for spec in self._specs]
        for index, tile in enumerate(tiles):
            m.submodules[f"tile{index}"] = tile
        m.d.comb += [
            tiles[0].i.payload.x.eq(self.i.payload),
            tiles[0].i.valid.eq(self.i.valid),
            self.i.ready.eq(tiles[0].i.ready),
        ]
        for before, after in pairwise(tiles):
            for lane in range(len(after.i.payload.x)):  # equal counts: check_chain
                m.d.comb += after.i.payload.x[lane].eq(before.o.payload[lane])
            m.d.comb += [after.i.valid.eq(before.o.valid), before.o.ready.eq(after.i.ready)]
        m.d.comb += [
            self.o.payload.eq(tiles[-1].o.payload),
            self.o.valid.eq(tiles[-1].o.valid),
            tiles[-1].o.ready.eq(self.o.ready),
        ]
        return m
