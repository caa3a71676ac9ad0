"""Amaranth SmeLU unit: minimal-width quadratic region, folded truncated squarer, exact rounding.

Datapath for input code ``X``, ``B = beta_code``, ``F``/``F_out``/``F_grad`` fractional bits:

* regions: ``left = X <= -B``, ``right = X >= B``; between them ``u = X + B`` lies in
  ``1 .. 2B - 1``, so only its low ``w = bit_length(2B - 1)`` bits are built;
* quadratic: ``round(u**2 * 2**F_out / (4 B 2**F))`` by :func:`~.square.rounded_square`, or
  for a faithful unit with a planned squarer, its truncated quotient
  (:func:`~.square.truncated_square`, bit-exact with the golden model);
* right: ``round(X * 2**(F_out - F))``, a wire shift or a rounded shift, saturated if it can
  overflow the output;
* gradient: ``round(u * 2**F_grad / (2 B))``, 0 on the left and ``2**F_grad`` on the right.

Pipeline cuts, in the order latency enables them (:attr:`SmeLUUnit.cut_priority`): ``adders``
before the final adders, ``tree`` halfway through the carry-save trees, ``carry`` halfway
through the final adders (split, carry registered) and ``decode`` after the region decode.
With either of the middle two the unit is built for speed and decodes the regions without
carry chains. At latency 4 R16 runs at 89.8 MHz on iCE40 and 256.5 MHz on ECP5
(``benchmarks/r16_fmax.py``), up from 65.6 and 201.6 with the two cuts it had before (decode,
before the adders) and an output register; no other choice of three of the four cuts, nor
another tree split, measured faster.
"""

from __future__ import annotations

from collections.abc import Mapping

from amaranth.hdl import Const, Module, Mux, Value

from ..fixed import round_scaled
from ..specs import SmeLUSpec
from .arith import ArithmeticCuts, Pipe, is_enabled, materialize, unsigned_at_least
from .division import bit_columns, rounded_combination
from .square import rounded_square, truncated_square
from .unit import ActivationUnit, clamp

__all__ = ["SmeLUUnit"]


class SmeLUUnit(ActivationUnit):
    """Bit-exact SmeLU (SPEC §3); equals :class:`~smelu_hw.SmeLU`.

    Parameters and members are those of :class:`~smelu_hw.hw.unit.ActivationUnit`, with a
    :class:`~smelu_hw.specs.SmeLUSpec` as ``spec``.
    """

    spec_class = SmeLUSpec
    cut_names = ("decode", "adders", "tree", "carry")
    cut_priority = ("adders", "tree", "carry", "decode")

    def datapath(self, m: Module, x: Value, cuts: Mapping[str, Pipe]) -> tuple[Value, Value | None]:
        spec = self.spec
        fmt, out, rounding = spec.fmt, spec.out_fmt, spec.rounding
        b = spec.beta_code
        u_max = 2 * b - 1
        width = u_max.bit_length()
        decode, arithmetic = cuts["decode"], ArithmeticCuts.among(cuts)
        # At X = -B, u = 0: a faithful plan's quotient and the gradient are 0 there too (u = 0
        # is exact, so the plan keeps it), which spares the left decoder its equality term.
        faithful_left = spec.square_plan is not None
        if is_enabled(arithmetic.tree) or is_enabled(arithmetic.carry):  # for speed: no carry chains
            low_bits = fmt.bits - 1
            sign, low = x[low_bits], x[:low_bits]
            # A negative X is low - 2**low_bits, so X < -c exactly when low < 2**low_bits - c.
            left_limit = (1 << low_bits) - b + (0 if faithful_left else 1)
            left = sign & ~unsigned_at_least(low, left_limit, low_bits)
            right = ~sign & unsigned_at_least(low, b, low_bits)
        else:
            left, right = (x < -b) if faithful_left else (x <= -b), x >= b
        left, right = materialize(m, left, "left"), materialize(m, right, "right")
        # (X + B) mod 2**width: exact inside the quadratic region.
        u = materialize(m, (x[:width] + b)[:width], "u")
        left, right, u, x = (
            decode(value, name) for value, name in ((left, "left"), (right, "right"), (u, "u"), (x, "x"))
        )

        shift = out.frac - fmt.frac
        plan = spec.square_plan
        if plan is not None:  # faithful: the planned truncated squarer (SPEC §2)
            quad = truncated_square(m, u, plan, "quad", cuts=arithmetic)
            quad_max = plan.quotient_max
        else:
            quad = rounded_square(m, u, width, u_max, shift, 4 * b, rounding, "quad", cuts=arithmetic)
            quad_max = round_scaled(u_max * u_max, 4 * b, shift, rounding)
        quad = clamp(quad, 0, quad_max, 0, out.max_code)

        positive_bits = fmt.bits - 1  # X >= B > 0 on the right
        linear = rounded_combination(
            m,
            [(bit_columns(x, positive_bits), 1)],
            0,
            fmt.max_code,
            shift,
            1,
            rounding,
            "linear",
            cuts=arithmetic,
        )
        linear_max = round_scaled(fmt.max_code, 1, shift, rounding)
        linear = clamp(linear, 0, linear_max, 0, out.max_code)

        left, right = (arithmetic.operands(value, name) for value, name in ((left, "left"), (right, "right")))
        y = Mux(right, linear, Mux(left, 0, quad))
        if not self.with_grad:
            return y, None
        one = 1 << spec.grad_frac
        slope = rounded_combination(
            m,
            [(bit_columns(u, width), 1)],
            0,
            u_max,
            spec.grad_frac,
            2 * b,
            rounding,
            "slope",
            cuts=arithmetic,
        )
        dy = Mux(right, Const(one, one.bit_length()), Mux(left, 0, slope))
        return y, dy
