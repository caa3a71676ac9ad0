"""Many copies of a unit side by side, for lane-parallel verification and throughput.

Every lane's input and output fields are padded to whole bytes, so a bench can pack and
unpack a clock's worth of vectors with NumPy byte views instead of bit loops.
"""

from __future__ import annotations

import numpy as np
from amaranth.hdl import Module
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from ..specs import ActivationSpec, check_count
from .unit import ActivationUnit

__all__ = ["LaneArray", "byte_stride", "decode_lanes", "encode_lanes"]


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
        lanes = check_count("lanes", lanes, 1)
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


def encode_lanes(codes: np.ndarray, lanes: int, bits: int) -> np.ndarray:
    """Codes as the bytes of a lane array's port, one row of ``lanes`` fields per step.

    Two's complement, ``byte_stride(bits) // 8`` little-endian bytes per field; ``codes``
    must be a whole number of steps long.
    """
    size = byte_stride(bits) // 8
    return codes.astype("<i8").view(np.uint8).reshape(-1, lanes, 8)[:, :, :size].reshape(-1, lanes * size)


def decode_lanes(raw: np.ndarray, bits: int, signed: bool) -> np.ndarray:
    """Codes from port bytes (``byte_stride(bits) // 8`` per field, any row shape), in order."""
    size = byte_stride(bits) // 8
    fields = np.asarray(raw, dtype=np.uint8).reshape(-1, size)
    wide = np.zeros((fields.shape[0], 8), dtype=np.uint8)
    wide[:, :size] = fields
    codes = wide.view("<i8").reshape(-1) & ((1 << bits) - 1)
    return np.where(codes >= 1 << (bits - 1), codes - (1 << bits), codes) if signed else codes
