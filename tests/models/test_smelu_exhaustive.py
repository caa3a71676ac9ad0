"""SmeLU and generalized SmeLU golden models against the exact Fraction reference.

Exhaustive over every input code up to 16 bits; at 24 and 32 bits over the whole quadratic
region when it is small, a few hundred codes around each knot and the extremes, and random
codes.
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest

from smelu_hw import GSmeLU, QFormat, SmeLU
from smelu_hw.specs.pieces import codes_near_knots
from tests.reference import assert_matches_reference

ROUNDINGS = ("rne", "rna", "floor")


def quiet(factory, *args, **kwargs):
    """Build a model whose parameters may be off-grid, without the quantization warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return factory(*args, **kwargs)


# (bits, frac, beta, out_fmt or None, grad_frac or None): small formats, odd and even betas,
# betas that are not powers of two, beta at the largest code, narrower/coarser/finer outputs.
SMALL_CASES = [
    (4, 2, 1.0, None, None),
    (4, 0, 7.0, None, None),
    (4, 3, 0.125, None, 2),
    (5, 2, 1.25, QFormat(4, 1), 3),
    (6, 3, 0.375, None, 6),
    (8, 4, 1.0, None, None),
    (8, 4, 0.0625, None, None),
    (8, 4, 7.9375, None, None),
    (8, 4, 3.0, QFormat(6, 2), 2),
    (8, 2, 5.25, QFormat(12, 8), 9),
    (8, 7, 0.5, QFormat(8, 7), 7),
    (10, 5, 2.71875, QFormat(8, 3), 4),
    (10, 3, 0.375, QFormat(16, 12), 13),
    (12, 6, 1.5, None, None),
    (12, 6, 31.984375, None, 11),
    (12, 6, 0.8, QFormat(10, 6), 5),
    (12, 11, 0.6640625, QFormat(12, 4), 0),
    (12, 0, 3.0, QFormat(6, 0), 1),
]


@pytest.mark.parametrize("rounding", ROUNDINGS)
@pytest.mark.parametrize(("bits", "frac", "beta", "out_fmt", "grad_frac"), SMALL_CASES)
def test_smelu_exhaustive_small(bits, frac, beta, out_fmt, grad_frac, rounding):
    fmt = QFormat(bits, frac)
    model = quiet(SmeLU, beta, fmt=fmt, out_fmt=out_fmt, grad_frac=grad_frac, rounding=rounding)
    assert_matches_reference(model, fmt.codes())


@pytest.mark.parametrize(
    ("beta", "out_fmt", "grad_frac", "rounding"),
    [
        (2.0, None, None, "rne"),
        (1.5, None, None, "rna"),
        (0.3, QFormat(12, 5), 6, "floor"),
        (127.99609375, QFormat(16, 4), 12, "rne"),
        (0.00390625, QFormat(20, 16), 15, "rna"),
    ],
)
def test_smelu_exhaustive_16(beta, out_fmt, grad_frac, rounding):
    fmt = QFormat(16, 8)
    model = quiet(SmeLU, beta, fmt=fmt, out_fmt=out_fmt, grad_frac=grad_frac, rounding=rounding)
    assert_matches_reference(model, fmt.codes())


GSMELU_CASES = [
    # beta_left, beta_right, slope_left, slope_right
    (1.0, 1.0, 0.0, 1.0),
    (1.0, 2.0, 0.0625, 1.0),  # leaky, unequal half-widths
    (0.75, 0.25, 0.125, 0.875),
    (3.0, 0.5, 0.0, 0.5),
    (0.5, 1.5, 1.0, 0.25),  # slope decreasing: a concave quadratic
    (2.0, 2.0, 0.3125, 0.3125),  # equal slopes: no quadratic term at all
]


@pytest.mark.parametrize("rounding", ROUNDINGS)
@pytest.mark.parametrize(
    ("bits", "frac", "out_fmt", "grad_frac"), [(8, 4, None, None), (12, 6, QFormat(10, 7), 5)]
)
@pytest.mark.parametrize("params", GSMELU_CASES)
def test_gsmelu_exhaustive_small(params, bits, frac, out_fmt, grad_frac, rounding):
    fmt = QFormat(bits, frac)
    model = quiet(GSmeLU, *params, fmt=fmt, out_fmt=out_fmt, grad_frac=grad_frac, rounding=rounding)
    assert_matches_reference(model, fmt.codes())


@pytest.mark.parametrize("rounding", ROUNDINGS)
def test_gsmelu_exhaustive_16(rounding):
    fmt = QFormat(16, 8)
    model = GSmeLU(1.0, 2.5, 0.0625, 0.9375, fmt=fmt, out_fmt=QFormat(16, 9), rounding=rounding)
    assert_matches_reference(model, fmt.codes())


def wide_codes(fmt: QFormat, knots: list[int], seed: int, around: int = 300, region_max: int = 1 << 14):
    """Quadratic region if small, codes around each knot and extreme, and random codes."""
    near = codes_near_knots(knots, fmt.min_code, fmt.max_code, margin=around, count=2000, seed=seed)
    low, high = min(knots), max(knots)
    if high - low > region_max:
        return near
    return np.union1d(near, np.arange(max(low, fmt.min_code), min(high, fmt.max_code) + 1))


WIDE_SMELU = [
    (24, 12, 1.0, None, None, "rne"),
    (24, 12, 2047.999755859375, None, None, "rna"),  # beta at the largest code
    (24, 20, 0.3, QFormat(16, 8), 10, "floor"),
    (24, 0, 3.0, QFormat(32, 31), 31, "rne"),  # finer output: scale up by 2**31
    (32, 16, 1.0, None, None, "rne"),
    (32, 16, 32767.5, None, None, "rna"),
    (32, 16, 32767.9999847412109375, QFormat(32, 30), 31, "floor"),  # (X + B)**2 near 2**64
    (32, 31, 0.75, None, 31, "rne"),
    (32, 0, 12345.0, QFormat(32, 31), 31, "rna"),  # 2**31 scale on 33-bit squares
]


@pytest.mark.parametrize(("bits", "frac", "beta", "out_fmt", "grad_frac", "rounding"), WIDE_SMELU)
def test_smelu_wide(bits, frac, beta, out_fmt, grad_frac, rounding):
    fmt = QFormat(bits, frac)
    model = quiet(SmeLU, beta, fmt=fmt, out_fmt=out_fmt, grad_frac=grad_frac, rounding=rounding)
    b = model.spec.beta_code
    assert_matches_reference(model, wide_codes(fmt, [-b, b], seed=bits * 1000 + frac))


@pytest.mark.parametrize(("bits", "frac"), [(24, 12), (32, 16), (32, 28)])
@pytest.mark.parametrize("rounding", ROUNDINGS)
def test_gsmelu_wide(bits, frac, rounding):
    fmt = QFormat(bits, frac)
    model = quiet(GSmeLU, 0.5, 3.0, 0.0625, 1.0, fmt=fmt, rounding=rounding)
    spec = model.spec
    assert_matches_reference(model, wide_codes(fmt, [-spec.beta_left_code, spec.beta_right_code], seed=bits))


def test_gsmelu_with_default_parameters_is_smelu():
    fmt = QFormat(12, 6)
    for beta, rounding in itertools.product((1.0, 0.375), ROUNDINGS):
        smelu = SmeLU(beta, fmt=fmt, rounding=rounding)
        gsmelu = GSmeLU(beta, beta, 0.0, 1.0, fmt=fmt, rounding=rounding)
        codes = fmt.codes()
        np.testing.assert_array_equal(smelu.forward(codes), gsmelu.forward(codes))
        np.testing.assert_array_equal(smelu.grad(codes), gsmelu.grad(codes))
