"""Exact rounded division by a constant, in gates.

A unit computes ``round(n / den)`` for a non-negative numerator ``n <= n_max`` given as bit
columns and a constant ``den = c * 2**k`` with ``c`` odd. The rounding constant ``den // 2`` is
added as extra column bits, so rounding to nearest costs no adder of its own; the power of two
is a wire shift; the odd factor is a reciprocal multiply, exact over the bounded range.

Reciprocal multiply (Granlund and Montgomery, "Division by invariant integers using
multiplication", 1994). Let ``m = ceil(2**p / c)`` and ``e = m c - 2**p`` (so ``0 <= e < c``).
For ``0 <= t <= t_max``::

    t m / 2**p = t / c + t e / (c 2**p)

The fraction of ``t / c`` is at most ``(c - 1) / c``, so if ``t e / (c 2**p) < 1 / c``, that is
``t_max e < 2**p``, adding the error term cannot reach the next integer and
``floor(t m / 2**p) == floor(t / c)``.

Divisibility from the same product: write ``t = q c + r`` with ``0 <= r < c``. Then the low
``p`` bits of ``t m`` are ``L = t m - q 2**p = q e + r m`` (exact, as ``L < 2**p`` by the bound
above). If ``r = 0`` then ``L = q e``; if ``r >= 1`` then ``L >= m``. So when additionally
``q_max e < m``, ``c`` divides ``t`` exactly when ``L < m``. :func:`reciprocal` picks the
smallest ``p`` meeting both conditions, and the test suite checks the result against integer
division over every ``t`` in range for many divisors.
"""

from __future__ import annotations

from dataclasses import dataclass

from amaranth.hdl import Cat, Const, Module, Value

from ..fixed import check_rounding
from .arith import (
    NO_CUTS,
    ArithmeticCuts,
    Columns,
    constant_columns,
    materialize,
    merge_columns,
    scaled_columns,
    sum_columns,
)

__all__ = [
    "MIRRORED",
    "Division",
    "bit_columns",
    "signed_terms",
    "cancel_twos",
    "quotient_bounds",
    "reciprocal",
    "rounded_combination",
]

#: ``round(-a) == -MIRRORED[mode](a)``: the mode that rounds a negated numerator.
MIRRORED = {"rne": "rne", "rna": "rna", "floor": "ceil"}


def cancel_twos(num_shift: int, den: int) -> tuple[int, int]:
    """Reduce ``2**num_shift / den`` so that at most one of the two keeps a power of two.

    ``num_shift`` may be negative. Returns ``(num_shift', den')`` with ``num_shift' >= 0``.
    """
    twos = (den & -den).bit_length() - 1
    common = min(max(num_shift, 0), twos)
    num_shift -= common
    den >>= common
    if num_shift < 0:
        den <<= -num_shift
        num_shift = 0
    return num_shift, den


def reciprocal(divisor: int, t_max: int) -> tuple[int, int]:
    """Multiplier ``m`` and shift ``p`` that divide every ``0 <= t <= t_max`` by odd ``divisor``.

    ``floor(t * m / 2**p) == t // divisor``, and ``(t * m) % 2**p < m`` exactly when
    ``divisor`` divides ``t`` (see the module docstring for the proof).
    """
    if divisor < 1 or divisor % 2 == 0:
        raise ValueError(f"divisor must be a positive odd integer, not {divisor!r}")
    q_max = t_max // divisor
    p = 0
    while True:
        m = -(-(1 << p) // divisor)
        e = m * divisor - (1 << p)
        if t_max * e < (1 << p) and q_max * e < m:
            return m, p
        p += 1


@dataclass(frozen=True)
class Division:
    """Plan for ``round(n / den)`` with ``n_min <= n <= n_max``: the constants the gates need.

    A numerator that can be negative is biased by a multiple of ``2 den`` first, which shifts
    the quotient by an even constant and so keeps ties and parity; ``rna`` then corrects the
    negative ties (away from zero is downward there).

    Parameters
    ----------
    den : int
        Positive constant denominator.
    n_max : int
        Largest numerator.
    n_min : int
        Smallest numerator (default 0).
    rounding : {"rne", "rna", "floor", "ceil"}
        ``ceil`` is for negated numerators only (see :data:`MIRRORED`). For a non-negative
        ``n``, ``rna`` is round half up; ``rne`` also clears the quotient's
        lowest bit on an exact tie (a tie rounded up to an odd quotient becomes the even one
        below it).

    Attributes
    ----------
    divisor, shift : int
        ``den = divisor * 2**shift`` with ``divisor`` odd.
    half : int
        Added to the numerator before the floor division: ``den // 2``, or 0 for ``floor``.
    has_ties : bool
        Whether an exact tie can need the ``rne`` correction (even ``den``, mode ``rne``).
    """

    den: int
    n_max: int
    rounding: str
    n_min: int = 0

    def __post_init__(self) -> None:
        if self.den < 1:
            raise ValueError(f"den must be a positive integer, not {self.den!r}")
        if self.rounding != "ceil":  # ceil: internal, for negated numerators (see MIRRORED)
            check_rounding(self.rounding)

    @property
    def shift(self) -> int:
        return (self.den & -self.den).bit_length() - 1

    @property
    def divisor(self) -> int:
        return self.den >> self.shift

    @property
    def half(self) -> int:
        if self.rounding == "ceil":
            return self.den - 1
        return 0 if self.rounding == "floor" else self.den // 2

    @property
    def bias(self) -> int:
        """Multiple of ``2 den`` added to make every numerator non-negative."""
        step = 2 * self.den
        return step * -(self.n_min // step) if self.n_min < 0 else 0

    @property
    def has_ties(self) -> bool:
        """Whether an exact tie needs a correction after rounding half up."""
        correcting = self.rounding == "rne" or (self.rounding == "rna" and self.bias > 0)
        return correcting and self.den % 2 == 0

    @property
    def sum_width(self) -> int:
        """Width of ``n + bias + half``."""
        return (self.n_max + self.bias + self.half).bit_length()

    @property
    def quotient_max(self) -> int:
        """Largest quotient before the bias is taken off."""
        return (self.n_max + self.bias + self.half) // self.den

    def build(
        self,
        m: Module,
        numerator: Columns,
        name: str,
        *,
        offset: int | None = None,
        tie: Value | None = None,
        constant: int = 0,
        cuts: ArithmeticCuts = NO_CUTS,
    ) -> Value:
        """Gates for the rounded quotient of the number held in ``numerator`` columns.

        Parameters
        ----------
        m : Module
            Module that receives the adder and quotient signals.
        numerator : Columns
            Bit columns of ``n``.
        offset : int, optional
            Constant added instead of :attr:`half` (a truncated numerator's compensation).
        tie : Value, optional
            Precomputed exact-tie flag, for a truncated numerator whose low bits are gone.
        constant : int
            Added to the numerator, modulo ``2**sum_width``: the constant part of a numerator
            whose columns hold two's-complement terms.
        cuts : ArithmeticCuts
            Pipeline cuts, in the order ``tree``, ``adders``, ``carry`` (those of
            :func:`~.arith.sum_columns`), ``sum`` and ``product``; each also delays a
            precomputed ``tie``. None by default.
        name : str
            Prefix of the signal names.

        Returns
        -------
        Value
            The quotient: unsigned, or signed when ``n_min < 0``.
        """
        width = max(self.sum_width, 1)
        addend = ((self.half if offset is None else offset) + constant + self.bias) % (1 << width)
        columns = merge_columns(numerator, constant_columns(addend, width))
        total = sum_columns(m, columns, width, name, cuts=cuts)
        if tie is not None:
            tie = cuts.operands(tie, f"{name}_tie")
        total = cuts.sum(total, f"{name}_total")
        if tie is not None:
            tie = cuts.product(cuts.sum(tie, f"{name}_tie"), f"{name}_tie")
        high, low = total[self.shift :], total[: self.shift]
        exact_low = (low == 0) if self.shift else Const(1, 1)
        if self.has_ties and tie is None and self.shift:
            exact_low = cuts.product(exact_low, f"{name}_exact")
        if self.divisor == 1:
            quotient, divisible = cuts.product(high, f"{name}_high"), Const(1, 1)
        else:
            multiplier, p = reciprocal(self.divisor, (self.n_max + self.bias + self.half) >> self.shift)
            product = materialize(m, high * multiplier, f"{name}_reciprocal")
            product = cuts.product(product, f"{name}_reciprocal")
            quotient, divisible = product[p:], product[:p] < multiplier
        out_width = max(self.quotient_max.bit_length(), 1)
        # Zero-extended as well as truncated: a quotient that is always 0 (quotient_max = 0,
        # e.g. beta = one code at frac 0) can have no bits left above the shift.
        quotient = Cat(quotient, Const(0, out_width))[:out_width]
        if self.has_ties and tie is None:
            tie = exact_low & divisible
        if self.has_ties and self.rounding == "rne":
            quotient = materialize(m, Cat(quotient[0] & ~tie, quotient[1:]), f"{name}_rne")
        if not self.bias:
            return quotient
        shift = self.bias // self.den
        if self.has_ties and self.rounding == "rna":  # negative ties round away from zero: down
            quotient = quotient - (tie & (quotient <= shift))
        return materialize(m, quotient - shift, f"{name}_signed")


def quotient_bounds(n_min: int, n_max: int, num_shift: int, den: int) -> tuple[int, int]:
    """Bounds of ``round(n * 2**num_shift / den)`` over ``n_min <= n <= n_max``, any rounding."""
    num_shift, den = cancel_twos(num_shift, den)
    return (n_min << num_shift) // den, -(-(n_max << num_shift) // den)


def bit_columns(value: Value, width: int) -> Columns:
    """The low ``width`` bits of ``value`` as one row of columns."""
    return [[value[i]] for i in range(width)]


def signed_terms(value: Value, width: int, weight: int = 1) -> list[tuple[Columns, int]]:
    """``weight`` times a ``width``-bit two's-complement ``value``, as terms of columns.

    The low ``width - 1`` bits count ``+weight``; the sign bit, alone in column
    ``width - 1``, counts ``-weight``.
    """
    sign: Columns = [[] for _ in range(width - 1)] + [[value[width - 1]]]
    return [(bit_columns(value, width - 1), weight), (sign, -weight)]


def rounded_combination(
    m: Module,
    terms: list[tuple[Columns, int]],
    constant: int,
    n_max: int,
    num_shift: int,
    den: int,
    rounding: str,
    name: str,
    *,
    n_min: int = 0,
    cuts: ArithmeticCuts = NO_CUTS,
) -> Value:
    """``round((sum(factor * columns) + constant) * 2**num_shift / den)``, numerator in [n_min, n_max].

    The factors may be negative (two's-complement columns); the result is signed when
    ``n_min < 0``. ``cuts`` are those of :meth:`Division.build`.
    """
    num_shift, den = cancel_twos(num_shift, den)
    division = Division(den, n_max << num_shift, rounding, n_min << num_shift)
    width = max(division.sum_width, 1)
    columns: Columns = [[] for _ in range(width)]
    total_constant = constant << num_shift
    for term_columns, factor in terms:
        shifted = [[] for _ in range(num_shift)] + term_columns
        scaled, offset = scaled_columns(shifted, factor, width)
        total_constant += offset
        for i in range(width):
            columns[i].extend(scaled[i])
    return division.build(m, columns, name, constant=total_constant, cuts=cuts)
