"""Registered-I/O wrapper for Fmax measurement of a unit on an FPGA.

nextpnr needs registered inputs and outputs to report a meaningful register-to-register
Fmax, and a small FPGA package has fewer pins than a unit has bits. The harness shifts the
input in one bit per clock into a register that drives ``x``, registers every output bit,
and XOR-reduces the registered outputs into one more register, so no logic is optimised away
and every datapath path runs register to register.

(No ``from __future__ import annotations`` here: Amaranth reads the port annotations.)
"""

from amaranth.hdl import Cat, Module, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from .unit import ActivationUnit

__all__ = ["TimingHarness"]


class TimingHarness(wiring.Component):
    """Wrap ``unit`` between an input shift register and registered, XOR-reduced outputs.

    Members
    -------
    din : ``In(1)``
        Serial input bit, shifted into the unit's ``x`` register every clock.
    dout : ``Out(1)``
        Registered parity of the registered outputs.
    """

    din: In(1)
    dout: Out(1)

    def __init__(self, unit: ActivationUnit) -> None:
        self._unit = unit
        super().__init__()

    def elaborate(self, platform: object) -> Module:
        m = Module()
        m.submodules.unit = unit = self._unit
        x = Signal(len(unit.x), name="x_shift")
        m.d.sync += x.eq(Cat(self.din, x[:-1]))
        m.d.comb += unit.x.eq(x)
        outputs = [unit.y] + ([unit.dy] if unit.with_grad else [])
        if unit.latency:
            m.d.comb += unit.in_valid.eq(1)
            outputs.append(unit.out_valid)
        captured = Signal(sum(len(port) for port in outputs), name="captured")
        m.d.sync += [captured.eq(Cat(*outputs)), self.dout.eq(captured.xor())]
        return m
