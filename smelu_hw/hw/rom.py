"""A unit that is a table of every input code (``method="rom"``, up to 16 input bits).

One read-only memory of ``2**bits`` words, addressed by the input code's two's-complement bits;
each word holds the gradient code above the output code. The contents are given in code order
(``fmt.min_code`` first) by the caller, which takes them from the golden model
(:func:`smelu_hw.gen.build.rom_contents`), so the table is that model by construction and the
benches check the plumbing: addressing, widths and signs. Synthesis maps the memory to logic.

With ``latency >= 2`` the one internal cut, ``word``, registers the table's output word.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from amaranth.hdl import Module, Value, unsigned
from amaranth.lib.memory import Memory

from ..specs import ActivationSpec
from ..specs.baselines import check_rom_bits
from .arith import Pipe
from .unit import ActivationUnit

__all__ = ["RomUnit"]


class RomUnit(ActivationUnit):
    """Any activation as a table of its output and gradient codes for every input code.

    Parameters
    ----------
    spec : ActivationSpec
        The activation; its formats size the table.
    forward, grad : sequence of int
        Output and gradient codes of every input code, in code order (``grad`` is read only
        with ``with_grad``).
    latency, with_grad
        As for :class:`~smelu_hw.hw.unit.ActivationUnit`.

    Raises
    ------
    ValueError
        If the input is wider than 16 bits or a table has the wrong length or a code outside
        its format.
    """

    cut_names = cut_priority = ("word",)

    def __init__(
        self,
        spec: ActivationSpec,
        *,
        forward: Sequence[int],
        grad: Sequence[int],
        latency: int = 0,
        with_grad: bool = True,
    ) -> None:
        check_rom_bits(spec.fmt.bits)
        for name, table, fmt in (("forward", forward, spec.out_fmt), ("grad", grad, spec.grad_fmt)):
            if len(table) != 1 << spec.fmt.bits:
                raise ValueError(f"{name} must hold {1 << spec.fmt.bits} codes, not {len(table)}")
            if any(not fmt.min_code <= code <= fmt.max_code for code in table):
                raise ValueError(f"{name} holds a code outside {fmt}")
        self._forward, self._grad = tuple(forward), tuple(grad)
        super().__init__(spec, latency=latency, with_grad=with_grad)

    def words(self) -> list[int]:
        """The memory's words in address order: address ``a`` holds input code ``a`` read as a
        two's-complement ``bits``-bit number."""
        spec = self.spec
        out_bits, grad_bits = spec.out_fmt.bits, spec.grad_fmt.bits
        half = 1 << (spec.fmt.bits - 1)
        words = []
        for address in range(1 << spec.fmt.bits):
            index = address + half if address < half else address - half  # code - min_code
            word = self._forward[index] & ((1 << out_bits) - 1)
            if self.with_grad:
                word |= (self._grad[index] & ((1 << grad_bits) - 1)) << out_bits
            words.append(word)
        return words

    def datapath(self, m: Module, x: Value, cuts: Mapping[str, Pipe]) -> tuple[Value, Value | None]:
        spec = self.spec
        out_bits = spec.out_fmt.bits
        width = out_bits + (spec.grad_fmt.bits if self.with_grad else 0)
        m.submodules.table = table = Memory(
            shape=unsigned(width), depth=1 << spec.fmt.bits, init=self.words()
        )
        port = table.read_port(domain="comb")
        m.d.comb += port.addr.eq(x.as_unsigned())
        word = cuts["word"](port.data, "word")
        y = word[:out_bits].as_signed()
        if not self.with_grad:
            return y, None
        dy = word[out_bits:]
        return y, dy.as_signed() if spec.grad_fmt.signed else dy
