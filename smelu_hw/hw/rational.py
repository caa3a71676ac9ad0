"""Amaranth units of the rational baselines, ReLU and hard-swish, correctly rounded."""

from __future__ import annotations

from collections.abc import Mapping

from amaranth.hdl import Const, Module, Mux, Value

from ..specs import HardSwishSpec, ReLUSpec
from .arith import NO_CUTS, ArithmeticCuts, Pipe, materialize, square_columns
from .division import bit_columns, quotient_bounds, rounded_combination
from .unit import ActivationUnit, clamp

__all__ = ["ReLUUnit", "HardSwishUnit"]


def rescaled_positive(
    m: Module,
    unit: ActivationUnit,
    x: Value,
    name: str,
    *,
    cuts: ArithmeticCuts = NO_CUTS,
) -> Value:
    """``round(X * 2**(F_out - F))`` for ``X >= 0``, saturated to the output format.

    ``cuts`` are those of :meth:`~smelu_hw.hw.division.Division.build`.
    """
    spec = unit.spec
    fmt, out = spec.fmt, spec.out_fmt
    shift = out.frac - fmt.frac
    value = rounded_combination(
        m,
        [(bit_columns(x, fmt.bits - 1), 1)],
        0,
        fmt.max_code,
        shift,
        1,
        spec.rounding,
        name,
        cuts=cuts,
    )
    return clamp(value, *quotient_bounds(0, fmt.max_code, shift, 1), 0, out.max_code)


class ReLUUnit(ActivationUnit):
    """Bit-exact ReLU (``relu'(0) = 0``); equals :class:`~smelu_hw.ReLU`.

    Members
    -------
    See :class:`~smelu_hw.hw.unit.ActivationUnit`.
    """

    spec_class = ReLUSpec

    def datapath(self, m: Module, x: Value, cuts: Mapping[str, Pipe]) -> tuple[Value, Value | None]:
        positive = materialize(m, x > 0, "positive")
        y = Mux(positive, rescaled_positive(m, self, x, "linear"), 0)
        return y, Mux(positive, Const(1 << self.spec.grad_frac, self.spec.grad_frac + 1), 0)


class HardSwishUnit(ActivationUnit):
    """Bit-exact hard-swish and PyTorch's gradient; equals :class:`~smelu_hw.HardSwish`.

    Inside ``-3 < x < 3`` with ``u = X + T`` (``T = 3 * 2**F``) the numerator is
    ``X (X + T) = u**2 - T u``: the folded squarer plus a constant multiple of ``u`` in
    two's complement, possibly negative, over ``6 * 2**(2F)``. The gradient numerator
    ``2u - T`` covers the closed interval.

    Pipeline cuts, in the dividers of :func:`~smelu_hw.hw.division.rounded_combination`
    (:class:`~smelu_hw.hw.arith.ArithmeticCuts`): ``decode`` after decoding the regions and
    ``u``; ``adders`` before the final adders (after the squarer's carry-save tree); ``sum``
    after those adders, before the reciprocal multiplies; ``product`` after the multiplies,
    before the rounding corrections, the bias and the output multiplexers. ``sum`` halves the
    path through the squarer, the adders and the multiply; ``product`` then takes the multiply
    off the corrections, and ``adders`` the adders off the squarer (each the best next cut on
    ECP5 and iCE40 alike, measured on every subset; ``benchmarks/baseline_fmax.py``).

    Members
    -------
    See :class:`~smelu_hw.hw.unit.ActivationUnit`.
    """

    spec_class = HardSwishSpec
    cut_names = ("decode", "adders", "sum", "product")
    cut_priority = ("sum", "product", "adders", "decode")

    def datapath(self, m: Module, x: Value, cuts: Mapping[str, Pipe]) -> tuple[Value, Value | None]:
        spec = self.spec
        fmt, out, rounding = spec.fmt, spec.out_fmt, spec.rounding
        f, three = fmt.frac, 3 << fmt.frac
        decode, arithmetic = cuts["decode"], ArithmeticCuts.among(cuts)
        left = materialize(m, x <= -three, "left")
        right = materialize(m, x >= three, "right")
        u_low, u_high = max(0, fmt.min_code + three), min(2 * three, fmt.max_code + three)
        width = u_high.bit_length()
        u = materialize(m, (x + three)[:width], "u")  # exact on the closed [-T, T]
        # The gradient's regions, open at +-3 unlike the value's; they cross every cut.
        regions = {"left": left, "right": right}
        if self.with_grad:
            regions.update(above=x > three, below=x < -three)
        for cut in cuts.values():
            regions = {name: cut(value, name) for name, value in regions.items()}
        u, x = decode(u, "u"), decode(x, "x")

        inside_high = min(u_high, 2 * three - 1)
        quad_min = -(three * three // 4) - 1
        quad_max = max(inside_high * (inside_high - three), 0)
        shift = out.frac - 2 * f
        quad = rounded_combination(
            m,
            [(square_columns(u, width), 1), (bit_columns(u, width), -three)],
            0,
            quad_max,
            shift,
            6,
            rounding,
            "quad",
            n_min=quad_min,
            cuts=arithmetic,
        )
        quad = clamp(quad, *quotient_bounds(quad_min, quad_max, shift, 6), out.min_code, out.max_code)
        linear = rescaled_positive(m, self, x, "linear", cuts=arithmetic)
        y = Mux(regions["right"], linear, Mux(regions["left"], 0, quad))
        if not self.with_grad:
            return y, None
        g = spec.grad_frac
        slope = rounded_combination(
            m,
            [(bit_columns(u, width), 2)],
            -three,
            2 * u_high - three,
            g - f,
            6,
            rounding,
            "slope",
            n_min=2 * u_low - three,
            cuts=arithmetic,
        )
        dy = Mux(regions["above"], Const(1 << g, g + 2), Mux(regions["below"], 0, slope))
        return y, dy
