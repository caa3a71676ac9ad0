"""The truncated squarer's integer arithmetic: faithful plans are faithful for every input, and
the golden model's sum of dropped partial products is the one the gates leave out."""

from __future__ import annotations

import numpy as np
import pytest

from smelu_hw.hw.arith import square_columns
from smelu_hw.squaring import (
    MAX_PLANNED_RANGE,
    Truncation,
    dropped_partial_products,
    plan_faithful_truncation,
    plan_truncation,
    power_of_two_shift,
    truncated_quotient,
)

FAITHFUL_CASES = [
    (10, 1023, 11),
    (6, 63, 7),
    (8, 255, 9),
    (12, 4095, 13),
    (7, 100, 6),
    (5, 31, 3),
    (10, 1023, 4),
    (5, 31, 12),  # a shift beyond the square's 10 columns (found by the fuzzer)
]


@pytest.mark.parametrize(("width", "u_max", "shift"), FAITHFUL_CASES)
def test_faithful_plans_bracket_the_exact_quotient_for_every_input(width, u_max, shift):
    plan = plan_faithful_truncation(width, u_max, shift)
    assert plan is not None and plan.tie_bits == 0
    checked = 0
    for u in range(u_max + 1):
        result = int(truncated_quotient(np.array([u]), width, shift, plan)[0])
        # Integer bounds, no model code: floor and ceil of u**2 / 2**shift.
        assert u * u // (1 << shift) <= result <= -(-u * u // (1 << shift)), (u, result)
        checked += 1
    assert checked == u_max + 1


@pytest.mark.parametrize(("width", "u_max", "shift"), FAITHFUL_CASES[:4])
def test_the_gates_leave_out_exactly_the_partial_products_the_model_drops(width, u_max, shift):
    plan = plan_faithful_truncation(width, u_max, shift)
    skip = plan.dropped_pairs(width)
    u = np.arange(u_max + 1, dtype=np.int64)
    dropped = dropped_partial_products(u, width, plan)
    for value, lost in zip(u.tolist(), dropped.tolist(), strict=True):
        # The very columns the RTL adds, evaluated on the bits of u instead of signals.
        columns = square_columns([(value >> i) & 1 for i in range(width)], width, skip=skip)
        kept = sum(bit << column for column, bits in enumerate(columns) for bit in bits)
        assert kept == value * value - lost, value


def test_a_faithful_plan_drops_more_than_a_correctly_rounded_one():
    # R16's quadratic region: u < 1024, u**2 / 2**11.
    correct = plan_truncation(10, 1023, 11, 1 << 10, True)
    faithful = plan_faithful_truncation(10, 1023, 11)
    assert len(faithful.dropped_pairs(10)) > len(correct.dropped_pairs(10))
    assert (faithful.drop, faithful.offset, len(faithful.extra)) == (8, 1792, 4)


def test_the_planners_refuse_ranges_they_cannot_check():
    assert plan_faithful_truncation(17, MAX_PLANNED_RANGE, 11) is None
    assert plan_faithful_truncation(10, 1023, 0) is None


def test_a_plan_that_drops_nothing_is_the_floor():
    u = np.arange(1000, dtype=np.int64)
    np.testing.assert_array_equal(truncated_quotient(u, 10, 5, Truncation(0, 0)), (u * u) >> 5)


@pytest.mark.parametrize(
    ("num_shift", "den", "expected"),
    [
        (0, 2048, 11),
        (8, 2048, 3),
        (11, 2048, None),
        (12, 2048, None),
        (0, 12, None),
        (-2, 4, 4),
        (0, 1, None),
    ],
)
def test_power_of_two_shift(num_shift, den, expected):
    assert power_of_two_shift(num_shift, den) == expected
