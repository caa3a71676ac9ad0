"""Registered-I/O wrapper for Fmax measurement of a unit on an FPGA.

nextpnr needs registered inputs and outputs to report a meaningful register-to-register
Fmax, and a small FPGA package has fewer pins than a unit has bits. The harness shifts the
input in one bit per clock into a register that drives ``x``, registers every output bit, and
reduces the registered outputs to their parity on one pin, so no logic is optimised away and
every datapath path runs register to register.

The harness must not be what limits the clock: its own logic is pipelined so that no path of
its own crosses more than one LUT4 between registers. The parity is a tree of XORs of at most
:data:`FANIN` bits, one register level per tree level; the shift register and the output
capture have no logic at all. The parity used to be taken in one cycle: three LUT levels for
the 25 output bits of ReLU at Q16.8, as deep as ReLU's own datapath, so a short unit's Fmax
said as much about the harness as about the unit. :meth:`TimingHarness.bare` wraps a plain
wire instead of a unit: its Fmax is the ceiling the harness itself allows
(``benchmarks/harness_ceiling.py`` compares both harnesses).

(No ``from __future__ import annotations`` here: Amaranth reads the port annotations.)
"""

import operator

from amaranth.hdl import Cat, Module, Signal, Value
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from .unit import ActivationUnit

__all__ = ["FANIN", "PassThrough", "TimingHarness", "parity_levels"]

#: Most bits one register level of the parity tree XORs together: the inputs of one LUT4.
FANIN = 4


def parity_levels(width: int) -> int:
    """Register levels the parity tree needs to reduce ``width`` bits to one."""
    levels = 0
    while width > 1:
        width, levels = -(-width // FANIN), levels + 1
    return levels


def _parity_tree(m: Module, bits: Value) -> Value:
    """The registered parity of ``bits``, :func:`parity_levels` cycles later."""
    level = 0
    while len(bits) > 1:
        level += 1
        groups = [bits[start : start + FANIN] for start in range(0, len(bits), FANIN)]
        register = Signal(len(groups), name=f"parity_l{level}", reset_less=True)
        m.d.sync += register.eq(Cat(*(group.xor() for group in groups)))
        bits = register
    return bits


class PassThrough(wiring.Component):
    """A stand-in unit that is no logic at all, ``y = x``, for :meth:`TimingHarness.bare`.

    Members
    -------
    x : ``In(width)``
        Input.
    y : ``Out(width)``
        ``x``, unchanged.
    """

    latency = 0
    with_grad = False

    def __init__(self, width: int) -> None:
        super().__init__({"x": In(width), "y": Out(width)})

    def elaborate(self, platform: object) -> Module:
        m = Module()
        m.d.comb += self.y.eq(self.x)
        return m


class TimingHarness(wiring.Component):
    """Wrap ``unit`` between an input shift register and a registered parity tree.

    ``din`` shifts into ``x_shift``, which drives ``unit.x`` (and ``in_valid`` is tied high);
    every output bit (``y``, ``dy``, ``out_valid``) is registered in ``captured``, whose
    parity a tree of registered :data:`FANIN`-input XORs carries to ``dout``. So the only
    paths with more than one LUT level between registers are the unit's own, from
    ``x_shift`` to ``captured``, and every output bit reaches ``dout``, so synthesis keeps all
    of the unit. The harness's registers have no reset (their contents only matter once the
    pipeline has filled), so the reset net reaches only the unit.

    Parameters
    ----------
    unit : ActivationUnit or PassThrough
        The unit to measure; it becomes the submodule ``unit``.

    Members
    -------
    din : ``In(1)``
        Serial input bit, shifted into the unit's ``x`` register every clock.
    dout : ``Out(1)``
        Registered parity of the unit's outputs :attr:`delay` cycles earlier.
    """

    din: In(1)
    dout: Out(1)

    def __init__(self, unit: ActivationUnit | PassThrough) -> None:
        self._unit = unit
        super().__init__()

    @classmethod
    def bare(cls, width: int) -> "TimingHarness":
        """The harness around a ``width``-bit wire instead of a unit: ``captured`` is loaded
        straight from ``x_shift``. Its Fmax is the ceiling of the harness itself, the same
        shift register, capture and parity tree with no unit in between.
        """
        width = operator.index(width)
        if width < 1:
            raise ValueError(f"width must be a positive integer, not {width!r}")
        return cls(PassThrough(width))

    @property
    def unit(self) -> ActivationUnit | PassThrough:
        return self._unit

    def _outputs(self) -> list[Value]:
        unit = self._unit
        outputs = [unit.y] + ([unit.dy] if unit.with_grad else [])
        return outputs + ([unit.out_valid] if unit.latency else [])

    @property
    def delay(self) -> int:
        """Clock cycles from a value on the unit's outputs to its parity on ``dout``: one for
        ``captured``, one per level of the parity tree."""
        return 1 + parity_levels(sum(len(port) for port in self._outputs()))

    def elaborate(self, platform: object) -> Module:
        m = Module()
        m.submodules.unit = unit = self._unit
        x = Signal(len(unit.x), name="x_shift", reset_less=True)
        m.d.sync += x.eq(Cat(self.din, x[:-1]))
        m.d.comb += unit.x.eq(x)
        if unit.latency:
            m.d.comb += unit.in_valid.eq(1)
        outputs = Cat(*self._outputs())
        captured = Signal(len(outputs), name="captured", reset_less=True)
        m.d.sync += captured.eq(outputs)
        m.d.comb += self.dout.eq(_parity_tree(m, captured))
        return m
