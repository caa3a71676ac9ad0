"""Fused backward: g times the gradient code, rounded once; exact g f'(x) for SmeLU when the
gradient code is exact."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from smelu_hw import QFormat, SmeLU, Swish
from tests.reference import round_fraction, smelu


def test_fused_is_the_product_rounded_once():
    model = Swish(fmt=QFormat(10, 5), out_fmt=QFormat(8, 3), grad_frac=7, rounding="rne")
    rng = np.random.default_rng(3)
    x = rng.integers(-512, 512, 3000)
    g = rng.integers(-128, 128, 3000)
    dy = model.grad(x)
    want = [
        min(max(round_fraction(Fraction(int(a), 8) * Fraction(int(b), 128) * 32, "rne"), -512), 511)
        for a, b in zip(g, dy, strict=True)
    ]
    assert model.fused_backward(x, g).tolist() == want


@pytest.mark.parametrize("rounding", ["rne", "rna", "floor"])
def test_smelu_fused_equals_exact_gradient_product(rounding):
    # beta = 2 in Q12.6: f'(x) = (X + 128) / 256, exact at grad_frac 14 >= 8.
    model = SmeLU(2.0, fmt=QFormat(12, 6), grad_frac=14, rounding=rounding)
    codes = QFormat(12, 6).codes()
    g = np.random.default_rng(5).integers(-2048, 2048, codes.size)
    want = []
    for x, upstream in zip(codes.tolist(), g.tolist(), strict=True):
        _, slope = smelu(Fraction(x, 64), Fraction(2))
        want.append(min(max(round_fraction(Fraction(upstream, 64) * slope * 64, rounding), -2048), 2047))
    assert model.fused_backward(codes, g).tolist() == want


def test_fused_checks_its_inputs():
    model = SmeLU(2.0, fmt=QFormat(8, 4))
    with pytest.raises(ValueError, match="^g code 128 is outside Q8.4"):
        model.fused_backward([0], [128])
    with pytest.raises(ValueError, match="^x and g must have the same shape"):
        model.fused_backward([0, 1], [0])
