"""Property tests of the SmeLU golden models over random formats and parameters (hypothesis)."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from smelu_hw import GSmeLU, QFormat, SmeLU
from smelu_hw.approx.functions import smelu_float
from smelu_hw.specs.pieces import codes_near_knots

ROUNDINGS = st.sampled_from(("rne", "rna", "floor"))


@st.composite
def formats(draw, min_bits: int = 4) -> QFormat:
    bits = draw(st.integers(min_bits, 32))
    return QFormat(bits, draw(st.integers(0, bits - 1)))


@st.composite
def smelu_models(draw) -> SmeLU:
    fmt = draw(formats())
    beta_code = draw(st.integers(1, fmt.max_code))
    out_fmt = draw(st.none() | formats())
    grad_frac = draw(st.none() | st.integers(0, 31))
    rounding = draw(ROUNDINGS)
    beta = math.ldexp(beta_code, -fmt.frac)
    return SmeLU(beta, fmt=fmt, out_fmt=out_fmt, grad_frac=grad_frac, rounding=rounding)


def sample_codes(draw, fmt: QFormat, knots: list[int]) -> np.ndarray:
    """Random codes plus each knot, end and 0 with two neighbours, sorted and unique."""
    randoms = draw(st.lists(st.integers(fmt.min_code, fmt.max_code), min_size=1, max_size=200))
    near = codes_near_knots(knots, fmt.min_code, fmt.max_code, margin=2, count=0)
    return np.union1d(near, np.array(randoms, dtype=np.int64))


@settings(max_examples=300, deadline=None)
@given(data=st.data(), model=smelu_models())
def test_smelu_is_monotonic_non_negative_and_gradient_bounded(data, model):
    spec = model.spec
    codes = sample_codes(data.draw, spec.fmt, [-spec.beta_code, spec.beta_code])
    y, dy = model.forward(codes), model.grad(codes)
    assert np.all(np.diff(y) >= 0), "forward is not monotonic"
    assert np.all(y >= 0)
    assert np.all((dy >= 0) & (dy <= 1 << spec.grad_frac))


@settings(max_examples=300, deadline=None)
@given(model=smelu_models())
def test_smelu_gradient_is_continuous_at_the_knots(model):
    spec = model.spec
    b, one = spec.beta_code, 1 << spec.grad_frac
    # The quadratic-region formula meets the constant regions exactly at the knots ...
    assert model.grad(np.array([-b, b])).tolist() == [0, one]
    # ... and the first step into the region is one gradient step, at most one code off.
    step = math.ceil(one / (2 * b)) + 1
    for knot, inside in ((-b, -b + 1), (b, b - 1)):
        if spec.fmt.min_code <= inside <= spec.fmt.max_code:
            jump = abs(int(model.grad(np.array([inside]))[0]) - int(model.grad(np.array([knot]))[0]))
            assert jump <= step


def assert_within_rounding(codes: np.ndarray, exact: np.ndarray, fmt: QFormat, rounding: str) -> None:
    """``codes`` are within the rounding error of the float ``exact`` values (scaled to codes)."""
    scaled = np.clip(np.ldexp(exact, fmt.frac), fmt.min_code, fmt.max_code)
    slack = 8 * np.finfo(np.float64).eps * np.abs(scaled) + 1e-9  # float64 evaluation error
    error = codes.astype(np.float64) - scaled
    if rounding == "floor":
        assert np.all((error <= slack) & (error > -1 - slack))
    else:
        assert np.all(np.abs(error) <= 0.5 + slack)


@settings(max_examples=300, deadline=None)
@given(data=st.data(), model=smelu_models())
def test_smelu_agrees_with_float64_within_half_ulp(data, model):
    spec = model.spec
    codes = sample_codes(data.draw, spec.fmt, [-spec.beta_code, spec.beta_code])
    y, dy = smelu_float(spec.fmt.to_real(codes), math.ldexp(spec.beta_code, -spec.fmt.frac))
    assert_within_rounding(model.forward(codes), y, spec.out_fmt, spec.rounding)
    assert_within_rounding(model.grad(codes), dy, spec.grad_fmt, spec.rounding)


@settings(max_examples=200, deadline=None)
@given(
    data=st.data(),
    fmt=formats(),
    rounding=ROUNDINGS,
    slopes=st.tuples(st.integers(0, 1 << 10), st.integers(0, 1 << 10)),
)
def test_gsmelu_gradient_between_slopes_and_continuous(data, fmt, rounding, slopes):
    one = 1 << fmt.frac
    slope_codes = [min(s, one) for s in slopes]
    beta_codes = [data.draw(st.integers(1, fmt.max_code)) for _ in range(2)]
    model = GSmeLU(*(math.ldexp(c, -fmt.frac) for c in beta_codes + slope_codes), fmt=fmt, rounding=rounding)
    bl, br = beta_codes
    codes = sample_codes(data.draw, fmt, [-bl, br])
    dy = model.grad(codes)
    low, high = sorted(slope_codes)
    assert np.all((dy >= low) & (dy <= high))
    assert model.grad(np.array([-bl, br])).tolist() == slope_codes
    assert np.all(np.diff(model.forward(codes)) >= 0), "non-negative slopes give a monotonic f"
