"""Faithful SmeLU and generalized SmeLU against the exact Fraction reference.

Faithful: every output and gradient code is one of the two codes that bracket the exact value
(then saturated). Exhaustive up to 16 bits; wider, over the whole quadratic band, the codes
around each knot and the extremes, and random codes (the tails are a floor of an affine
function, which the correctly rounded tests cover for ``rounding="floor"``).
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from smelu_hw import GSmeLU, QFormat, SmeLU
from smelu_hw.manifest import spec_from_manifest
from smelu_hw.models import model_for
from smelu_hw.squaring import plan_truncation
from tests.models.test_smelu_exhaustive import quiet, wide_codes
from tests.reference import reference_function


def faithful_model(factory, *args, **kwargs):
    """A faithful model whose parameters may be off-grid, without the quantization warning."""
    return quiet(factory, *args, **kwargs, accuracy="faithful")


def assert_faithful(model, codes: np.ndarray) -> None:
    """Every code within one step of the exact value: floor or ceil, each saturated."""
    spec = model.spec
    function = reference_function(spec)
    y, dy = model.forward(codes), model.grad(codes)
    formats = ((spec.out_fmt, y, 0), (spec.grad_fmt, dy, 1))
    for fmt, got, which in formats:
        for code, result in zip(codes.tolist(), got.tolist(), strict=True):
            exact = function(Fraction(code, 1 << spec.fmt.frac))[which] * (1 << fmt.frac)
            allowed = {
                min(max(bound, fmt.min_code), fmt.max_code) for bound in (math.floor(exact), math.ceil(exact))
            }
            assert result in allowed, (spec, "forward" if which == 0 else "grad", code, result, exact)
    assert len(codes) > 0


SMALL = [
    # bits, frac, beta, out_fmt, grad_frac: planned squarers (4 beta a power of two) and
    # unplanned ones (truncated exact quotients), coarse, saturating and finer outputs.
    (4, 2, 1.0, None, None),
    (6, 3, 0.375, None, 6),
    (8, 4, 2.0, None, None),
    (8, 4, 1.5, None, None),
    (8, 4, 0.0625, None, None),
    (8, 2, 4.0, QFormat(12, 8), 9),
    (10, 5, 2.0, QFormat(8, 3), 4),
    (12, 6, 1.0, None, None),
    (12, 6, 31.984375, None, 11),
    (12, 4, 0.5, QFormat(16, 10), 6),
]


@pytest.mark.parametrize(("bits", "frac", "beta", "out_fmt", "grad_frac"), SMALL)
def test_faithful_smelu_exhaustive_small(bits, frac, beta, out_fmt, grad_frac):
    fmt = QFormat(bits, frac)
    assert_faithful(faithful_model(SmeLU, beta, fmt=fmt, out_fmt=out_fmt, grad_frac=grad_frac), fmt.codes())


@pytest.mark.parametrize(("beta", "out_fmt"), [(2.0, None), (64.0, QFormat(12, 4))])
def test_faithful_smelu_exhaustive_16(beta, out_fmt):
    fmt = QFormat(16, 8)
    assert_faithful(faithful_model(SmeLU, beta, fmt=fmt, out_fmt=out_fmt), fmt.codes())


@pytest.mark.parametrize(
    ("bits", "frac", "params", "out_fmt"),
    [
        (8, 4, (1.0, 2.0, 0.0625, 1.0), None),
        (12, 6, (0.5, 1.5, 1.0, 0.25), QFormat(12, 9)),
        (16, 8, (1.0, 2.5, 0.0625, 0.9375), QFormat(16, 9)),
    ],
)
def test_faithful_gsmelu_exhaustive(bits, frac, params, out_fmt):
    fmt = QFormat(bits, frac)
    assert_faithful(faithful_model(GSmeLU, *params, fmt=fmt, out_fmt=out_fmt), fmt.codes())


@pytest.mark.parametrize(
    ("bits", "frac", "beta"), [(24, 12, 2.0), (24, 8, 100.0), (32, 16, 1.0), (32, 20, 0.5)]
)
def test_faithful_smelu_wide(bits, frac, beta):
    model = faithful_model(SmeLU, beta, fmt=QFormat(bits, frac))
    b = model.spec.beta_code
    assert_faithful(model, wide_codes(model.spec.fmt, [-b, b], seed=bits + frac, around=100))


def test_faithful_r16_truncates_more_than_the_correctly_rounded_one_and_differs_from_it():
    faithful = faithful_model(SmeLU, 2.0, fmt=QFormat(16, 8))
    correct = SmeLU(2.0, fmt=QFormat(16, 8))
    plan = faithful.spec.square_plan
    assert plan is not None and (plan.width, plan.u_max, plan.shift) == (10, 1023, 11)
    correct_plan = plan_truncation(10, 1023, 11, 1 << 10, True)
    dropped = plan.truncation.dropped_pairs(plan.width)
    assert dropped > correct_plan.dropped_pairs(plan.width)  # a strict superset
    codes = faithful.spec.fmt.codes()
    assert np.count_nonzero(faithful.forward(codes) != correct.forward(codes)) > 0
    # Not just floor either: the planned squarer's offset rounds some results up.
    floor = SmeLU(2.0, fmt=QFormat(16, 8), rounding="floor")
    assert np.count_nonzero(faithful.forward(codes) != floor.forward(codes)) > 0


def test_a_faithful_unit_without_a_planned_squarer_truncates_the_exact_quotient():
    faithful = faithful_model(SmeLU, 1.5, fmt=QFormat(12, 6))
    floor = quiet(SmeLU, 1.5, fmt=QFormat(12, 6), rounding="floor")
    assert faithful.spec.square_plan is None
    codes = faithful.spec.fmt.codes()
    np.testing.assert_array_equal(faithful.forward(codes), floor.forward(codes))
    np.testing.assert_array_equal(faithful.grad(codes), floor.grad(codes))


def test_accuracy_is_validated_and_survives_the_manifest():
    fmt = QFormat(8, 4)
    with pytest.raises(ValueError, match="accuracy must be one of 'correct', 'faithful', not 'exact'"):
        SmeLU(1.0, fmt=fmt, accuracy="exact")
    with pytest.raises(ValueError, match="takes no rounding mode"):
        SmeLU(1.0, fmt=fmt, accuracy="faithful", rounding="rna")
    spec = SmeLU(1.0, fmt=fmt, accuracy="faithful").spec
    assert (spec.rounding, spec.params()["accuracy"]) == ("floor", "faithful")
    assert "accuracy" not in SmeLU(1.0, fmt=fmt).spec.params()  # correct units keep their manifest
    manifest = {
        "activation": "smelu",
        "params": spec.params(),
        "input": {"bits": 8, "frac": 4, "signed": True},
        "output": {"bits": 8, "frac": 4, "signed": True},
        "grad": {"bits": 5, "frac": 4, "signed": False},
        "rounding": "floor",
    }
    rebuilt = spec_from_manifest(manifest)
    assert rebuilt == spec and rebuilt.square_plan == spec.square_plan
    np.testing.assert_array_equal(
        model_for(rebuilt).forward(fmt.codes()), model_for(spec).forward(fmt.codes())
    )
