"""Constant division and squarer truncation plans, checked exhaustively in plain integers."""

from __future__ import annotations

import math
import random
from fractions import Fraction

import numpy as np
import pytest

from smelu_hw.hw.arith import square_columns
from smelu_hw.hw.division import MIRRORED, Division, cancel_twos, reciprocal
from smelu_hw.squaring import plan_truncation
from tests.reference import round_fraction

ODD_DIVISORS = [1, 3, 5, 7, 9, 11, 13, 15, 17, 25, 49, 51, 77, 99, 127, 255, 257, 999, 1023, 4095]


@pytest.mark.parametrize("divisor", ODD_DIVISORS)
@pytest.mark.parametrize("t_max", [100, 1 << 12, (1 << 18) - 1])
def test_reciprocal_is_exact_for_every_numerator_in_range(divisor, t_max):
    multiplier, shift = reciprocal(divisor, t_max)
    t = np.arange(t_max + 1, dtype=np.int64)
    product = t * multiplier  # < 2**62 for these ranges
    np.testing.assert_array_equal(product >> shift, t // divisor)
    np.testing.assert_array_equal((product & ((1 << shift) - 1)) < multiplier, t % divisor == 0)


@pytest.mark.parametrize("seed", range(20))
def test_reciprocal_on_wide_ranges(seed):
    rng = random.Random(seed)
    divisor = rng.randrange(1, 1 << 33) | 1
    t_max = rng.randrange(1 << 40, 1 << 70)
    multiplier, shift = reciprocal(divisor, t_max)
    samples = [t_max, 0, divisor, divisor - 1, (t_max // divisor) * divisor]
    samples += [rng.randrange(t_max + 1) for _ in range(2000)]
    samples += [
        k * divisor + d for k in (rng.randrange(t_max // divisor) for _ in range(200)) for d in (-1, 0, 1)
    ]
    for t in (s for s in samples if 0 <= s <= t_max):
        product = t * multiplier
        assert product >> shift == t // divisor
        assert (product % (1 << shift) < multiplier) == (t % divisor == 0)


def test_reciprocal_rejects_even_divisors():
    with pytest.raises(ValueError, match="^divisor must be a positive odd integer, not 6$"):
        reciprocal(6, 100)


def test_division_plan_constants():
    plan = Division(1536, 10**6, "rne")
    assert (plan.divisor, plan.shift, plan.half, plan.has_ties) == (3, 9, 768, True)
    assert Division(1536, 10, "floor").half == 0
    assert Division(7, 10, "rne").has_ties is False  # odd denominators have no exact ties
    assert Division(8, 10, "ceil").half == 7


@pytest.mark.parametrize("rounding", ["rne", "rna", "floor"])
def test_mirrored_mode_rounds_a_negated_numerator(rounding):
    # round(-a / d) == -MIRRORED[mode](a / d), with ceil written as -floor(-v).
    def rounded(value: Fraction, mode: str) -> int:
        return -math.floor(-value) if mode == "ceil" else round_fraction(value, mode)

    checked = 0
    for den in (1, 2, 3, 4, 6, 8):
        for num in range(-40, 41):
            value = Fraction(num, den)
            assert rounded(-value, rounding) == -rounded(value, MIRRORED[rounding]), (num, den)
            checked += 1
    assert checked == 6 * 81


@pytest.mark.parametrize(
    ("num_shift", "den", "expected"), [(0, 12, (0, 12)), (3, 12, (1, 3)), (-2, 12, (0, 48)), (5, 7, (5, 7))]
)
def test_cancel_twos(num_shift, den, expected):
    assert cancel_twos(num_shift, den) == expected


@pytest.mark.parametrize(
    ("width", "u_max", "shift", "rounding"),
    [
        (10, 1023, 11, "rne"),
        (10, 1023, 11, "floor"),
        (8, 255, 9, "rna"),
        (12, 4095, 14, "rne"),
        (7, 100, 6, "rne"),
    ],
)
def test_truncation_plan_is_exact_for_every_input(width, u_max, shift, rounding):
    half = 0 if rounding == "floor" else 1 << (shift - 1)
    plan = plan_truncation(width, u_max, shift, half, rounding == "rne")
    assert plan is not None
    for u in range(u_max + 1):
        # The very columns the RTL adds, evaluated on the bits of u instead of signals.
        columns = square_columns([(u >> i) & 1 for i in range(width)], width)
        assert sum(bit << col for col, bits in enumerate(columns) for bit in bits) == u * u
        kept = sum(bit << col for col, bits in enumerate(columns) if col >= plan.drop for bit in bits)
        assert (kept + plan.offset) >> shift == (u * u + half) >> shift, u
        if plan.tie_bits:
            tie = u % (1 << plan.tie_bits) == 1 << (plan.tie_bits - 1)
            assert tie == ((u * u + half) % (1 << shift) == 0), u
