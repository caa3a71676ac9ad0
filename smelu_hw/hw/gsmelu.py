"""Amaranth generalized SmeLU unit (SPEC §3), bit-exact with :class:`~smelu_hw.GSmeLU`.

With codes ``BL``, ``BR``, ``W = BL + BR``, slopes ``SL``, ``SR`` (units of ``2**-F``) and
``U = X + BL``, every region is one non-negative numerator over a constant, rounded once:

* quadratic (``0 < U < W``): ``(SR - SL) U**2 + 2 W SL U``, which equals
  ``SR U**2 + SL U (2W - U) >= 0``, over ``2 W 2**(2F)``;
* right (``X >= BR``): ``(SR + SL) W + 2 SR (X - BR) >= 0`` over ``2**(2F + 1)``;
* left (``X <= -BL``): ``SL U <= 0``, so the unit rounds ``-SL U`` with the mirrored mode and
  negates the result;
* gradient: ``(SR - SL) U + SL W`` over ``W 2**F`` inside, the constants ``SL`` and ``SR``
  outside.

Terms with negative coefficients enter the column adder in two's complement.
"""

from __future__ import annotations

from collections.abc import Mapping

from amaranth.hdl import Const, Module, Mux, Value, signed

from ..fixed import round_scaled
from ..specs import GSmeLUSpec
from .arith import Pipe, materialize, square_columns
from .division import MIRRORED, bit_columns, rounded_combination, signed_terms
from .unit import ActivationUnit, clamp

__all__ = ["GSmeLUUnit"]


class GSmeLUUnit(ActivationUnit):
    """Bit-exact generalized SmeLU (SPEC §3); equals :class:`~smelu_hw.GSmeLU`.

    Parameters and members are those of :class:`~smelu_hw.hw.unit.ActivationUnit`, with a
    :class:`~smelu_hw.specs.GSmeLUSpec` as ``spec``.
    """

    spec_class = GSmeLUSpec

    def datapath(self, m: Module, x: Value, cuts: Mapping[str, Pipe]) -> tuple[Value, Value | None]:
        spec = self.spec
        fmt, out, rounding = spec.fmt, spec.out_fmt, spec.rounding
        bl, br = spec.beta_left_code, spec.beta_right_code
        sl, sr = spec.slope_left_code, spec.slope_right_code
        w, f = bl + br, fmt.frac
        u_max = w - 1
        width = u_max.bit_length()
        left = materialize(m, x <= -bl, "left")
        right = materialize(m, x >= br, "right")
        u = materialize(m, (x[:width] + bl)[:width], "u")  # exact inside the quadratic region
        u_bits = bit_columns(u, width)
        shift = out.frac - 2 * f

        quad_max = sr * u_max * u_max + sl * u_max * (2 * w - u_max)
        quad = rounded_combination(
            m,
            [(square_columns(u, width), sr - sl), (u_bits, 2 * w * sl)],
            0,
            quad_max,
            shift,
            2 * w,
            rounding,
            "quad",
        )
        quad_y = round_scaled(quad_max, 2 * w, shift, rounding)
        quad = clamp(quad, 0, quad_y, out.min_code, out.max_code)

        # Right: 2 SR X + (SR + SL) W - 2 SR BR, with 0 < X < 2**(bits-1) there.
        x_bits = bit_columns(x, fmt.bits - 1)
        right_max = (sr + sl) * w + 2 * sr * (fmt.max_code - br)
        linear = rounded_combination(
            m, [(x_bits, 2 * sr)], (sr + sl) * w - 2 * sr * br, right_max, shift, 2, rounding, "right"
        )
        linear_y = round_scaled(right_max, 2, shift, rounding)
        linear = clamp(linear, 0, linear_y, out.min_code, out.max_code)

        # Left: -SL U = -SL X - SL BL >= 0, with X a signed code (sign bit weighs -2**(bits-1)).
        leaky: Value = Const(0, signed(2))
        if sl:
            mirrored = MIRRORED[rounding]
            left_max = sl * (-fmt.min_code - bl)
            magnitude = rounded_combination(
                m, signed_terms(x, fmt.bits, -sl), -sl * bl, left_max, shift, 1, mirrored, "left"
            )
            left_y = round_scaled(left_max, 1, shift, mirrored)
            leaky = clamp(-magnitude, -left_y, 0, out.min_code, out.max_code)
        y = Mux(right, linear, Mux(left, leaky, quad))
        if not self.with_grad:
            return y, None

        g = spec.grad_frac
        slope_shift, slope_den = g - f, w
        inside = rounded_combination(
            m, [(u_bits, sr - sl)], sl * w, max(sr, sl) * w, slope_shift, slope_den, rounding, "slope"
        )
        dy_left = round_scaled(sl, 1, g - f, rounding)
        dy_right = round_scaled(sr, 1, g - f, rounding)
        dy = Mux(right, dy_right, Mux(left, dy_left, inside))
        return y, dy
