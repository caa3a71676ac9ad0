"""Swish, Softplus, GELU and ELU models: faithful on every input code (polynomials), and the
hls4ml table semantics reproduced exactly (tables). The reference is mpmath-backed
(:mod:`smelu_hw.accuracy`), independent of the plans."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest

from smelu_hw import ELU, GELU, QFormat, Softplus, Swish
from smelu_hw.accuracy import error_stats, reference_codes
from smelu_hw.approx.functions import slope_mp, value_mp

FAITHFUL_CASES = [
    (Swish, {}, QFormat(16, 8), None, None),
    (Softplus, {}, QFormat(16, 8), None, None),
    (GELU, {}, QFormat(16, 8), None, None),
    (Swish, {"beta": 1.702}, QFormat(12, 6), None, None),
    (Softplus, {"beta": 2.0}, QFormat(10, 5), QFormat(8, 4), 6),
    (GELU, {}, QFormat(8, 4), None, None),
    (Swish, {}, QFormat(14, 10), QFormat(16, 12), 13),
    (Softplus, {"beta": 0.5}, QFormat(16, 4), QFormat(12, 6), 9),
    (GELU, {}, QFormat(12, 11), QFormat(12, 8), 10),
    (Swish, {}, QFormat(4, 2), None, None),
    (ELU, {}, QFormat(16, 8), None, None),
    (ELU, {}, QFormat(8, 4), None, None),
    (ELU, {}, QFormat(12, 9), QFormat(10, 6), 11),
    (ELU, {}, QFormat(10, 3), QFormat(12, 8), 4),
]


@pytest.mark.parametrize("rounding", ["rne", "rna"])
@pytest.mark.parametrize(("model_class", "kwargs", "fmt", "out_fmt", "grad_frac"), FAITHFUL_CASES)
def test_polynomial_units_are_faithful_on_every_code(model_class, kwargs, fmt, out_fmt, grad_frac, rounding):
    model = model_class(**kwargs, fmt=fmt, out_fmt=out_fmt, grad_frac=grad_frac, rounding=rounding)
    codes = fmt.codes()
    forward = error_stats(model.spec, codes, model.forward(codes))
    gradient = error_stats(model.spec, codes, model.grad(codes), gradient=True)
    assert forward.non_faithful == 0, forward
    assert gradient.non_faithful == 0, gradient
    assert forward.max_ulp < 1 and gradient.max_ulp < 1


@pytest.mark.parametrize("name", ["swish", "softplus", "gelu", "elu"])
def test_float_reference_agrees_with_mpmath(name):
    model = {"swish": Swish, "softplus": Softplus, "gelu": GELU, "elu": ELU}[name](fmt=QFormat(16, 8))
    rng = np.random.default_rng(7)
    codes = np.concatenate([rng.integers(-32768, 32768, 300), [-32768, -1, 0, 1, 32767]])
    for gradient, function in ((False, value_mp), (True, slope_mp)):
        floats = reference_codes(model.spec, codes, gradient)
        for code, value in zip(codes, floats, strict=True):
            exact = function(name, 1.0, math.ldexp(int(code), -8)) * 256
            assert abs(value - float(exact)) <= 2.0**-40 * max(1.0, abs(float(exact))), (code, gradient)
    assert mpmath.mp.dps == 15  # the reference's precision is local, not global


def test_table_reproduces_hls4ml_indexing_and_edge_clamp():
    model = Softplus(fmt=QFormat(16, 8), method="table")
    edge = math.log1p(math.exp(7.984375))  # the last bin's left edge, 8 - 1/64
    first = math.log1p(math.exp(-8.0))
    # 2048 = 8.0 and 32767 ~ 128 are past the edge: both get the last entry, truncated twice.
    assert model.forward([2048, 32767]).tolist() == [math.floor(math.floor(edge * 1024) / 4)] * 2
    assert model.forward([-32768, -2048]).tolist() == [math.floor(math.floor(first * 1024) / 4)] * 2
    # Inside, the index is the input truncated to 1/64: codes 256..259 share a bin (x = 1.0).
    inside = model.forward([256, 257, 258, 259, 260])
    assert len(set(inside[:4].tolist())) == 1 and inside[4] != inside[0]
    assert model.spec.rounding == "floor"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"fmt": QFormat(24, 12)}, "bits must be at most 16 for method=poly"),
        ({"fmt": QFormat(16, 8), "rounding": "floor"}, "swish is faithfully rounded to nearest"),
        (
            {"fmt": QFormat(16, 8), "method": "table", "rounding": "rne"},
            "method=table truncates like hls4ml",
        ),
        (
            {"fmt": QFormat(16, 8), "method": "spline"},
            "method must be one of 'poly', 'table', 'rom', not 'spline'",
        ),
        ({"fmt": QFormat(16, 8), "beta": 0.0}, "beta must be greater than 0 and at most 64.0, not 0.0"),
        ({"fmt": QFormat(16, 8), "beta": float("nan")}, "beta must be a finite real number, not nan"),
    ],
)
def test_smooth_spec_errors(kwargs, message):
    with pytest.raises(ValueError, match=f"^{message}"):
        Swish(**kwargs)


def test_gelu_has_no_beta():
    """GELU's spec has no beta field to reject: it declares no parameter at all."""
    from smelu_hw import GELUSpec

    with pytest.raises(TypeError, match="unexpected keyword argument 'beta'"):
        GELUSpec(fmt=QFormat(16, 8), beta=2.0)
    assert GELUSpec.parameters == () and not hasattr(GELUSpec(fmt=QFormat(16, 8)), "beta")


@pytest.mark.parametrize("method", ["poly", "rom"])
def test_elu_is_exact_right_of_zero_and_reaches_minus_one(method):
    """ELU's right side is the identity (slope exactly 1) on every code, and far left its
    output is the code of -1 with a gradient of 0: the left half decays to the limit -1. The
    correctly rounded table of a monotonic function is monotonic (a faithful one need not be)."""
    fmt = QFormat(12, 6)
    model = ELU(fmt=fmt, method=method)
    codes = fmt.codes()
    y, dy = model.forward(codes), model.grad(codes)
    right = codes > 0
    assert np.array_equal(y[right], codes[right]) and np.all(dy[right] == 1 << 6)
    assert y[0] == -(1 << 6) and dy[0] == 0  # x = -32: exp(-32) is far below one unit
    assert np.all(dy >= 0)
    if method == "rom":
        assert np.all(np.diff(y) >= 0) and np.all(np.diff(dy[codes <= 0]) >= 0)
