"""Many copies of a unit side by side, for lane-parallel verification and throughput.

Every lane's input and output fields are padded to whole bytes, so a bench can pack and
unpack a clock's worth of vectors with NumPy byte views instead of bit loops.
"""

from __future__ import annotations

from amaranth.hdl import Module
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from ..params import ActivationSpec
from .unit import ActivationUnit

__all__ = ["LaneArray", "byte_stride"]


def byte_stride(bits: int) -> int:
    """Bits a field of ``bits`` bits occupies when padded to whole bytes."""
    return -(-bits // 8) * 8


class LaneArray(wiring.Component):
    """``lanes`` combinational copies of the unit of ``spec``.

    Parameters
    ----------
    spec : ActivationSpec
        The unit's parameters.
    lanes : int
        Number of copies.
    unit_class : type
        The unit's component class.

    Members
    -------
    x : ``In(lanes * byte_stride(bits))``
        Lane ``i``'s input code in bits ``[i*stride, i*stride + bits)``.
    y, dy : ``Out(...)``
        Lane ``i``'s output and gradient codes, likewise; padding bits are 0.
    """

    def __init__(self, spec: ActivationSpec, lanes: int, unit_class: type[ActivationUnit]) -> None:
        if lanes < 1:
            raise ValueError(f"lanes must be a positive integer, not {lanes!r}")
        self._spec, self._lanes, self._unit_class = spec, lanes, unit_class
        self.strides = {
            "x": byte_stride(spec.fmt.bits),
            "y": byte_stride(spec.out_fmt.bits),
            "dy": byte_stride(spec.grad_fmt.bits),
        }
        super().__init__(
            {name: (In if name == "x" else Out)(lanes * stride) for name, stride in self.strides.items()}
        )

    def elaborate(self, platform: object) -> Module:
        m = Module()
        for lane in range(self._lanes):
            unit = self._unit_class(self._spec)
            m.submodules[f"lane{lane}"] = unit
            for name in ("x", "y", "dy"):
                port = getattr(unit, name)
                field = getattr(self, name)[lane * self.strides[name] :][: len(port)]
                m.d.comb += unit.x.eq(field) if name == "x" else field.eq(port)
        return m
