"""ReLU and hard-swish golden models against the exact Fraction reference, every input code."""

from __future__ import annotations

import pytest

from smelu_hw import HardSwish, QFormat, ReLU
from tests.reference import assert_matches_reference

ROUNDINGS = ("rne", "rna", "floor")
FORMATS = [
    (QFormat(4, 1), None, None),
    (QFormat(8, 4), None, None),
    (QFormat(8, 6), QFormat(10, 8), None),  # |x| < 3 everywhere: only the quadratic piece
    (QFormat(10, 5), QFormat(6, 2), 3),  # narrower and coarser: rounding and saturation
    (QFormat(12, 3), QFormat(16, 12), 13),  # finer output
    (QFormat(12, 6), None, 0),
    (QFormat(16, 8), None, None),
]


@pytest.mark.parametrize("rounding", ROUNDINGS)
@pytest.mark.parametrize(("fmt", "out_fmt", "grad_frac"), FORMATS)
@pytest.mark.parametrize("model_class", [ReLU, HardSwish])
def test_exhaustive_against_fractions(model_class, fmt, out_fmt, grad_frac, rounding):
    model = model_class(fmt=fmt, out_fmt=out_fmt, grad_frac=grad_frac, rounding=rounding)
    assert_matches_reference(model, fmt.codes())


def test_hardswish_gradient_convention_at_the_knots():
    model = HardSwish(fmt=QFormat(8, 4))
    codes = [-49, -48, -47, 47, 48, 49]  # around -3 and 3 in Q8.4
    assert model.grad(codes).tolist() == [0, -8, -8, 24, 24, 16]  # x/3 + 1/2 on the closed [-3, 3]
    assert model.spec.grad_fmt == QFormat(6, 4)


def test_relu_gradient_is_zero_at_zero():
    assert ReLU(fmt=QFormat(8, 4)).grad([-1, 0, 1]).tolist() == [0, 0, 16]
