"""The shell every activation unit shares: ports (SPEC §6) and the latency pipeline."""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import MappingProxyType

from amaranth.hdl import Const, Module, Mux, Signal, Value, signed, unsigned
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from ..fixed import QFormat
from ..specs import ActivationSpec, check_latency
from .arith import Pipe

__all__ = ["ActivationUnit", "clamp", "saturate"]


def clamp(value: Value, value_min: float, value_max: float, low: int, high: int) -> Value:
    """Saturate ``value`` (known to lie in ``[value_min, value_max]``) to ``[low, high]``.

    Only the comparisons that can fire are built; both compare ``value`` itself, so with both
    the result is ``Mux(value > high, high, Mux(value < low, low, value))``.
    """
    result = value
    if value_min < low:
        result = Mux(value < low, low, result)
    if value_max > high:
        result = Mux(value > high, high, result)
    return result


def saturate(value: Value, fmt: QFormat) -> Value:
    """Saturate ``value``, whose range is not known, to ``fmt``'s codes (:func:`clamp`)."""
    return clamp(value, -math.inf, math.inf, fmt.min_code, fmt.max_code)


class _Cut:
    """Pipeline cut ``index``: registers what passes through it when enabled, except a constant.

    The index only names the registers (``<signal>_cut<index>``): it is the cut's position in
    :attr:`ActivationUnit.cut_names`.
    """

    def __init__(self, m: Module, index: int, enabled: bool) -> None:
        self._m, self._index = m, index
        #: Whether the cut registers (:func:`~.arith.is_enabled` reads it).
        self.enabled = enabled

    def __call__(self, value: Value, name: str) -> Value:
        if not self.enabled or isinstance(value, Const):  # a constant needs no register
            return value
        register = Signal(value.shape(), name=f"{name}_cut{self._index}", reset_less=True)
        self._m.d.sync += register.eq(value)
        return register


class ActivationUnit(wiring.Component):
    """Base of the generated units: combinational datapath plus optional pipeline registers.

    Parameters
    ----------
    spec : ActivationSpec
        Validated parameters; the datapath reads every constant from it.
    latency : int
        Register stages, 0 for a purely combinational unit. With ``latency > 0`` the input is
        registered, the next stages cut the datapath where it offers cuts
        (:attr:`cut_priority`), and any further stages follow the datapath.
    with_grad : bool
        Whether the ``dy`` gradient port exists.

    Members
    -------
    x : ``In(signed(bits))``
        Input code.
    y : ``Out(signed(out_bits))``
        Output code.
    dy : ``Out(grad shape)``
        Gradient code (only with ``with_grad``).
    in_valid : ``In(1)``, out_valid : ``Out(1)``
        Only with ``latency > 0``: ``out_valid`` is ``in_valid`` delayed by ``latency`` cycles
        and cleared by the synchronous reset ``rst``.
    """

    #: The spec class a subclass accepts.
    spec_class: type[ActivationSpec] = ActivationSpec

    def __init__(self, spec: ActivationSpec, *, latency: int = 0, with_grad: bool = True) -> None:
        if not isinstance(spec, self.spec_class):
            raise TypeError(f"spec must be a {self.spec_class.__name__}, not {spec!r}")
        self._spec = spec
        self._latency = check_latency(latency)
        latency = self._latency
        self._with_grad = bool(with_grad)
        members = {"x": In(signed(spec.fmt.bits)), "y": Out(signed(spec.out_fmt.bits))}
        if self._with_grad:
            grad = spec.grad_fmt
            members["dy"] = Out(signed(grad.bits) if grad.signed else unsigned(grad.bits))
        if latency:
            members["in_valid"] = In(1)
            members["out_valid"] = Out(1)
        super().__init__(members)

    @property
    def spec(self) -> ActivationSpec:
        return self._spec

    @property
    def latency(self) -> int:
        return self._latency

    @property
    def with_grad(self) -> bool:
        return self._with_grad

    def datapath(self, m: Module, x: Value, cuts: Mapping[str, Pipe]) -> tuple[Value, Value | None]:
        """Build the function; return ``(y, dy)`` (``dy`` may be ``None``).

        ``cuts`` maps each name of :attr:`cut_names`, in that order, to its internal pipeline
        cut (registering or not, see :attr:`cut_priority`): every value crossing a cut must pass
        through it, so all paths see the same number of registers.
        """
        raise NotImplementedError

    #: Names of the internal pipeline cuts the datapath offers. A cut's position here numbers
    #: the registers it builds (``<signal>_cut<position>``), so that the generated Verilog keeps
    #: its names; it is not necessarily the order along the datapath.
    cut_names: tuple[str, ...] = ()
    #: :attr:`cut_names` in the order latency enables them. Stages beyond these (and beyond the
    #: input register) are added at the outputs.
    cut_priority: tuple[str, ...] = ()

    def _enabled_cuts(self) -> set[str]:
        """The cuts that register: the first ``latency - 1`` of :attr:`cut_priority`."""
        names, priority = self.cut_names, self.cut_priority
        if len(set(names)) != len(names) or sorted(priority) != sorted(names):
            raise ValueError(f"cut_priority must order the cut names {names!r}, not {priority!r}")
        return set(priority[: max(self._latency - 1, 0)])

    def elaborate(self, platform: object) -> Module:
        enabled = self._enabled_cuts()
        m = Module()
        x = self.x
        if self._latency:
            x = Signal.like(self.x, name="x_reg", reset_less=True)
            m.d.sync += x.eq(self.x)
        cuts = {name: _Cut(m, index, name in enabled) for index, name in enumerate(self.cut_names)}
        y, dy = self.datapath(m, x, MappingProxyType(cuts))
        outputs = [(self.y, y)]
        if self._with_grad:
            outputs.append((self.dy, dy))
        for port, value in outputs:
            for stage in range(1 + len(enabled), self._latency):
                register = Signal.like(port, name=f"{port.name}_stage{stage}", reset_less=True)
                m.d.sync += register.eq(value)
                value = register
            m.d.comb += port.eq(value)
        if self._latency:
            valid = self.in_valid
            for stage in range(self._latency):
                register = Signal(name=f"valid_stage{stage}")
                m.d.sync += register.eq(valid)
                valid = register
            m.d.comb += self.out_valid.eq(valid)
        return m
