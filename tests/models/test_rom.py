"""Tables of every input code (method ``rom``): each entry is correctly rounded against mpmath.

The reference here is mpmath alone, at 60 digits and with its own rounding functions, so it
shares nothing with the float64 fast path of :mod:`smelu_hw.approx.rom`.
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest

from smelu_hw import GELU, QFormat, SmeLU, Softplus, Swish
from smelu_hw.approx.rom import round_exactly
from smelu_hw.gen.build import rom_contents
from smelu_hw.specs import GELUSpec, SmeLUSpec


def _exact(name: str, beta: float, x: mpmath.mpf) -> tuple[mpmath.mpf, mpmath.mpf]:
    if name == "softplus":
        return mpmath.log1p(mpmath.exp(beta * x)) / beta, 1 / (1 + mpmath.exp(-beta * x))
    if name == "swish":
        s = 1 / (1 + mpmath.exp(-beta * x))
        return x * s, s + beta * x * s * (1 - s)
    return x * mpmath.ncdf(x), mpmath.ncdf(x) + x * mpmath.npdf(x)


def _rounded(value: mpmath.mpf, rounding: str) -> int:
    low = int(mpmath.floor(value))
    if rounding == "floor":
        return low
    rest = value - low
    if rest != mpmath.mpf(1) / 2:
        return low + 1 if rest > mpmath.mpf(1) / 2 else low
    if rounding == "rne":
        return low + low % 2
    return low + 1 if value > 0 else low  # rna


def _clamp(code: int, fmt: QFormat) -> int:
    return min(max(code, fmt.min_code), fmt.max_code)


def assert_correctly_rounded(model, codes: np.ndarray) -> None:
    spec = model.spec
    name, beta = spec.activation, getattr(spec, "beta", 1.0)
    y, dy = model.forward(codes), model.grad(codes)
    with mpmath.workdps(60):
        for code, got_y, got_dy in zip(codes.tolist(), y.tolist(), dy.tolist(), strict=True):
            value, slope = _exact(name, mpmath.mpf(beta), mpmath.mpf(code) / (1 << spec.fmt.frac))
            want_y = _clamp(_rounded(value * (1 << spec.out_fmt.frac), spec.rounding), spec.out_fmt)
            want_dy = _clamp(_rounded(slope * (1 << spec.grad_frac), spec.rounding), spec.grad_fmt)
            assert (got_y, got_dy) == (want_y, want_dy), (spec, code)
    assert len(codes)


@pytest.mark.parametrize(
    "model",
    [
        GELU(fmt=QFormat(8, 4), method="rom"),
        Swish(beta=0.5, fmt=QFormat(8, 4), method="rom"),
        Softplus(
            beta=2.0, fmt=QFormat(8, 4), out_fmt=QFormat(10, 6), grad_frac=7, method="rom", rounding="floor"
        ),
        Swish(fmt=QFormat(10, 8), method="rom", rounding="rna"),
        GELU(fmt=QFormat(12, 6), method="rom"),
    ],
    ids=lambda model: f"{model.spec.activation}-{model.spec.fmt}-{model.spec.rounding}",
)
def test_rom_tables_are_correctly_rounded_for_every_code(model):
    assert_correctly_rounded(model, model.spec.fmt.codes())


def test_a_16_bit_rom_is_correctly_rounded_where_float64_is_least_sure():
    # Codes whose scaled values lie nearest a rounding boundary in float64, and random ones.
    model = Softplus(fmt=QFormat(16, 8), method="rom")
    codes = model.spec.fmt.codes()
    value = np.log1p(np.exp(-np.abs(codes / 256))) + np.maximum(codes / 256, 0)
    nearest = np.argsort(np.abs(value * 256 - np.floor(value * 256) - 0.5))[:300]
    sample = np.random.default_rng(5).choice(codes, 300, replace=False)
    assert_correctly_rounded(model, np.union1d(codes[nearest], sample))


def test_round_exactly_decides_ties_and_refuses_what_it_cannot_separate():
    with mpmath.workdps(50):
        half = mpmath.mpf(5) / 2
        assert [round_exactly(half, mode) for mode in ("rne", "rna", "floor")] == [2, 3, 2]
        assert [round_exactly(-half, mode) for mode in ("rne", "rna", "floor")] == [-2, -3, -3]
        with pytest.raises(ArithmeticError, match="cannot decide"):
            round_exactly(half + mpmath.mpf(10) ** -45, "rne")


def test_a_smelu_rom_holds_the_arithmetic_units_outputs():
    spec = SmeLUSpec(beta=2.0, fmt=QFormat(8, 4), method="rom", accuracy="faithful")
    arith = SmeLU(2.0, fmt=QFormat(8, 4), accuracy="faithful")
    codes = spec.fmt.codes()
    contents = rom_contents(spec)
    assert contents["forward"] == tuple(arith.forward(codes).tolist())
    assert contents["grad"] == tuple(arith.grad(codes).tolist())


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: GELUSpec(fmt=QFormat(20, 10), method="rom"), "bits must be at most 16 for method=rom"),
        (lambda: SmeLUSpec(fmt=QFormat(20, 10), method="rom"), "bits must be at most 16 for method=rom"),
        (lambda: SmeLUSpec(fmt=QFormat(8, 4), method="poly"), "method must be one of 'arith', 'rom'"),
        (lambda: GELUSpec(fmt=QFormat(8, 4), method="arith"), "method must be one of 'poly', 'table', 'rom'"),
    ],
)
def test_rom_specs_are_validated(build, message):
    with pytest.raises(ValueError, match=message):
        build()
