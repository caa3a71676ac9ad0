"""Exact reference: the SPEC §3 formulas evaluated in ``fractions.Fraction``, rounded once.

Shares no code with the golden models: piecewise definitions exactly as SPEC writes them, and
Python's own exact rational arithmetic.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from fractions import Fraction

import numpy as np

HALF = Fraction(1, 2)


def round_fraction(value: Fraction, rounding: str) -> int:
    """Round an exact rational once (SPEC §2)."""
    if rounding == "rne":
        return round(value)  # Fraction.__round__ rounds half to even
    low = math.floor(value)
    if rounding == "floor":
        return low
    assert rounding == "rna", rounding
    rest = value - low
    return low + 1 if rest > HALF or (rest == HALF and value > 0) else low


def smelu(x: Fraction, beta: Fraction) -> tuple[Fraction, Fraction]:
    """SmeLU and its derivative at ``x`` (SPEC §3)."""
    if x <= -beta:
        return Fraction(0), Fraction(0)
    if x >= beta:
        return x, Fraction(1)
    return (x + beta) ** 2 / (4 * beta), (x + beta) / (2 * beta)


def gsmelu(
    x: Fraction, beta_left: Fraction, beta_right: Fraction, slope_left: Fraction, slope_right: Fraction
) -> tuple[Fraction, Fraction]:
    """Generalized SmeLU and its derivative at ``x`` (SPEC §3)."""
    a = (slope_right - slope_left) / (2 * (beta_left + beta_right))

    def quadratic(x: Fraction) -> Fraction:
        u = x + beta_left
        return a * u**2 + slope_left * u

    if x <= -beta_left:
        return slope_left * (x + beta_left), slope_left
    if x >= beta_right:
        return quadratic(beta_right) + slope_right * (x - beta_right), slope_right
    return quadratic(x), 2 * a * (x + beta_left) + slope_left


def expected_codes(
    codes: Iterable[int],
    function: Callable[[Fraction], tuple[Fraction, Fraction]],
    frac: int,
    out_frac: int,
    out_range: tuple[int, int],
    grad_frac: int,
    grad_range: tuple[int, int],
    rounding: str,
) -> tuple[np.ndarray, np.ndarray]:
    """Reference output and gradient codes: evaluate exactly, scale, round once, saturate."""
    ys, dys = [], []
    for code in codes:
        value, slope = function(Fraction(int(code), 1 << frac))
        ys.append(min(max(round_fraction(value * (1 << out_frac), rounding), out_range[0]), out_range[1]))
        dys.append(min(max(round_fraction(slope * (1 << grad_frac), rounding), grad_range[0]), grad_range[1]))
    return np.array(ys, dtype=np.int64), np.array(dys, dtype=np.int64)


def reference_function(spec: object) -> Callable[[Fraction], tuple[Fraction, Fraction]]:
    """The exact function of a spec, with its quantized parameters read as rationals."""
    unit = Fraction(1, 1 << spec.fmt.frac)
    if spec.activation == "smelu":
        beta = spec.beta_code * unit
        return lambda x: smelu(x, beta)
    if spec.activation == "gsmelu":
        args = [
            getattr(spec, f"{name}_code") * unit
            for name in ("beta_left", "beta_right", "slope_left", "slope_right")
        ]
        return lambda x: gsmelu(x, *args)
    return {"relu": relu, "hardswish": hardswish}[spec.activation]


def assert_matches_reference(model: object, codes: np.ndarray) -> None:
    """Assert that ``model``'s forward and gradient codes equal the exact reference, every bit."""
    spec = model.spec
    expected_y, expected_dy = expected_codes(
        codes,
        reference_function(spec),
        spec.fmt.frac,
        spec.out_fmt.frac,
        (spec.out_fmt.min_code, spec.out_fmt.max_code),
        spec.grad_fmt.frac,
        (spec.grad_fmt.min_code, spec.grad_fmt.max_code),
        spec.rounding,
    )
    np.testing.assert_array_equal(model.forward(codes), expected_y, err_msg=f"forward of {spec}")
    np.testing.assert_array_equal(model.grad(codes), expected_dy, err_msg=f"grad of {spec}")


def relu(x: Fraction) -> tuple[Fraction, Fraction]:
    """ReLU and PyTorch's derivative (0 at 0)."""
    return (x, Fraction(1)) if x > 0 else (Fraction(0), Fraction(0))


def hardswish(x: Fraction) -> tuple[Fraction, Fraction]:
    """``x relu6(x + 3) / 6`` and PyTorch's derivative: ``x/3 + 1/2`` on the closed [-3, 3]."""
    value = x * min(max(x + 3, Fraction(0)), Fraction(6)) / 6
    if x < -3:
        return value, Fraction(0)
    if x > 3:
        return value, Fraction(1)
    return value, x / 3 + HALF
