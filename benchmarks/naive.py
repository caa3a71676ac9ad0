"""Comparison designs for the area benchmark (``benchmarks/area.py``), not generated units.

:class:`NaiveSmeLU16` is R16's function written the straightforward way; a test verifies it
bit-exact against the golden model, so the benchmark compares against an honest design.
"""

from amaranth.hdl import Module, Mux, signed, unsigned
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

__all__ = ["NaiveSmeLU16", "ReLU16"]


class ReLU16(wiring.Component):
    """ReLU with PyTorch's gradient convention (``relu'(0) = 0``), Q16.8 in and out."""

    x: In(signed(16))
    y: Out(signed(16))
    dy: Out(unsigned(9))

    def elaborate(self, platform: object) -> Module:
        m = Module()
        m.d.comb += [self.y.eq(Mux(self.x[15], 0, self.x)), self.dy.eq(Mux(self.x > 0, 256, 0))]
        return m


class NaiveSmeLU16(wiring.Component):
    """R16's function the straightforward way: full 17-bit ``x + B`` and a full multiplier."""

    x: In(signed(16))
    y: Out(signed(16))
    dy: Out(unsigned(9))

    def elaborate(self, platform: object) -> Module:
        m = Module()
        beta = 512
        u = self.x + beta
        square = u * u
        quad = (square + 1024) >> 11  # round half up, then ties to even below
        quad_tie = square[:11] == 1024
        slope = (u + 2) >> 2
        slope_tie = u[:2] == 2
        left, right = self.x <= -beta, self.x >= beta
        m.d.comb += [
            self.y.eq(Mux(right, self.x, Mux(left, 0, quad - (quad_tie & quad[0])))),
            self.dy.eq(Mux(right, 256, Mux(left, 0, slope - (slope_tie & slope[0])))),
        ]
        return m
