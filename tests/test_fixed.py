"""QFormat and the exact rounding helpers against Fraction arithmetic."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smelu_hw import QFormat
from smelu_hw.fixed import INT64_SAFE_BITS, exact_array, round_div, round_scaled
from tests.reference import round_fraction

ROUNDINGS = ("rne", "rna", "floor")


def test_qformat_ranges():
    assert (QFormat(8, 4).min_code, QFormat(8, 4).max_code) == (-128, 127)
    assert (QFormat(9, 8, signed=False).min_code, QFormat(9, 8, signed=False).max_code) == (0, 511)
    assert (QFormat(32, 16).min_code, QFormat(32, 16).max_code) == (-(2**31), 2**31 - 1)
    assert QFormat(16, 8).ulp == 2**-8
    assert str(QFormat(16, 8)) == "Q16.8" and str(QFormat(9, 8, signed=False)) == "UQ9.8"
    assert QFormat(4, 1).codes().tolist() == list(range(-8, 8))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((0, 0), "bits must be an integer from 1 to 32, not 0"),
        ((33, 4), "bits must be an integer from 1 to 32, not 33"),
        ((8.0, 4), "bits must be an integer from 1 to 32, not 8.0"),
        ((True, 0), "bits must be an integer from 1 to 32, not True"),
        ((8, 9), "frac must be an integer from 0 to 8, not 9"),
        ((8, -1), "frac must be an integer from 0 to 8, not -1"),
    ],
)
def test_qformat_rejects_bad_fields(args, message):
    wrong_type = not isinstance(args[0], int) or isinstance(args[0], bool)
    with pytest.raises(TypeError if wrong_type else ValueError, match=f"^{message}$"):
        QFormat(*args)


def test_check_codes_messages():
    fmt = QFormat(8, 4)
    with pytest.raises(ValueError, match=r"^x code 128 is outside Q8.4 \(codes -128 to 127\)$"):
        fmt.check_codes(np.array([0, 128]))
    with pytest.raises(ValueError, match=r"^x code -129 is outside Q8.4"):
        fmt.check_codes([-129])
    with pytest.raises(TypeError, match="^x must be an integer array of codes, not dtype float64$"):
        fmt.check_codes(np.array([0.5]))
    assert fmt.check_codes(np.array([-128, 127], dtype=np.int16)).dtype == np.int64


@pytest.mark.parametrize("rounding", ROUNDINGS)
def test_to_codes_and_to_real(rounding):
    fmt = QFormat(8, 2)
    values = [k / 8 for k in range(-600, 601)] + [1e300, -1e300, 0.49999999999999994]
    codes = fmt.to_codes(values, rounding)
    expected = [
        min(max(round_fraction(Fraction(v) * 4, rounding), fmt.min_code), fmt.max_code) for v in values
    ]
    assert codes.tolist() == expected
    assert fmt.to_real(np.array([-128, 1, 127])).tolist() == [-32.0, 0.25, 31.75]
    with pytest.raises(ValueError, match="^values must not be NaN$"):
        fmt.to_codes([float("nan")])
    with pytest.raises(ValueError, match="^rounding must be one of 'rne', 'rna', 'floor', not 'up'$"):
        fmt.to_codes([1.0], "up")


def check_round_div(numerators: list[int], den: int, rounding: str, bound_bits: int) -> None:
    num = exact_array(np.array(numerators, dtype=object), bound_bits)
    got = round_div(num, den, rounding)
    expected = [round_fraction(Fraction(n, den), rounding) for n in numerators]
    assert [int(v) for v in got] == expected


@pytest.mark.parametrize("rounding", ROUNDINGS)
@pytest.mark.parametrize("den", [1, 2, 3, 4, 5, 6, 7, 8, 12, 1024, 1536, 4095])
def test_round_div_small_every_residue(den, rounding):
    # Every residue class, both signs, so every tie and near-tie is hit.
    check_round_div(list(range(-5 * den, 5 * den + 1)), den, rounding, bound_bits=32)


@settings(max_examples=300, deadline=None)
@given(
    numerators=st.lists(st.integers(-(2**70), 2**70), min_size=1, max_size=50),
    den=st.integers(1, 2**40),
    rounding=st.sampled_from(ROUNDINGS),
)
def test_round_div_wide_path_is_exact(numerators, den, rounding):
    check_round_div(numerators, den, rounding, bound_bits=72)


@settings(max_examples=300, deadline=None)
@given(
    numerators=st.lists(st.integers(-(2**59), 2**59), min_size=1, max_size=50),
    den=st.integers(1, 2**40),
    rounding=st.sampled_from(ROUNDINGS),
)
def test_round_div_int64_path_is_exact(numerators, den, rounding):
    check_round_div(numerators, den, rounding, bound_bits=INT64_SAFE_BITS)


def test_exact_array_switches_to_python_ints_past_int64():
    assert exact_array([1, 2], INT64_SAFE_BITS).dtype == np.int64
    wide = exact_array(np.array([3, -4]), INT64_SAFE_BITS + 1)
    assert wide.dtype == object
    assert (wide * 2**62).tolist() == [3 * 2**62, -4 * 2**62]  # no wrap-around


@pytest.mark.parametrize("rounding", ["rne", "rna", "floor"])
@pytest.mark.parametrize("shift", [-5, -1, 0, 1, 7])
def test_round_scaled_is_num_times_two_to_the_shift_over_den_rounded_once(shift, rounding):
    for den in (1, 3, 4, 12):
        for num in range(-70, 71):
            want = round_fraction(Fraction(num, den) * Fraction(2) ** shift, rounding)
            assert round_scaled(num, den, shift, rounding) == want, (num, den)
