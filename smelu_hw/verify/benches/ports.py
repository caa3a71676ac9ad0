"""Raw port access for the cocotb benches, and the one way they read an output: an ``x`` or
``z`` bit is never read as a number that could match.

:class:`Port` moves plain binary strings (cocotb's value objects cost more than the simulation
of a small unit). :meth:`Port.read` raises ``ValueError`` on an ``x`` or ``z`` bit, as
``LogicArray.to_unsigned`` does; :meth:`Port.read_defined` raises :class:`Undefined`, which
names the port, so an engine bench can write what it found (field ``x``) before it fails.
Icarus is four-state; on Verilator (two-state, its undefined bits random) nothing is undefined.
"""

from __future__ import annotations

from ..contract import UNDEFINED

__all__ = ["Port", "Undefined"]


class Undefined(AssertionError):
    """A port read with an ``x`` or ``z`` bit.

    Parameters
    ----------
    port : str
        The port's name.
    bits : int
        Its width.
    where : str, optional
        When it was read (``"at cycle 4, output beat 0 of 96"``), appended to the message.

    Attributes
    ----------
    field : str
        The summary and certificate field that names it, ``x``.
    """

    field = "x"

    def __init__(self, port: str, bits: int, where: str = "") -> None:
        self.port, self.bits = port, bits
        what = "is undefined" if bits == 1 else "has undefined bits"
        super().__init__(f"{port} {what}" + (f" {where}" if where else ""))

    def at(self, where: str) -> Undefined:
        """The same finding, saying when it was read."""
        return Undefined(self.port, self.bits, where)


class Port:
    """Raw simulator access to a port of the design under test.

    Parameters
    ----------
    handle : object
        The port's cocotb handle (``dut.NAME``).
    """

    def __init__(self, handle: object) -> None:
        self._sim = handle._handle
        self.name, self.bits = handle._name, len(handle)
        self._format = f"0{self.bits}b"
        self._mask = (1 << self.bits) - 1

    def write(self, value: int) -> None:
        self._sim.set_signal_val_binstr(0, format(value & self._mask, self._format))  # 0: deposit

    def read(self) -> int:
        """The value; ``ValueError`` if a bit is ``x`` or ``z``."""
        return int(self._sim.get_signal_val_binstr(), 2)

    def read_or_undefined(self) -> int:
        """The value, or :data:`~smelu_hw.verify.contract.UNDEFINED` if a bit is ``x`` or ``z``."""
        try:
            return self.read()
        except ValueError:
            return UNDEFINED

    def read_defined(self) -> int:
        """The value; :class:`Undefined` naming the port if a bit is ``x`` or ``z``."""
        try:
            return self.read()
        except ValueError:
            raise Undefined(self.name, self.bits) from None
