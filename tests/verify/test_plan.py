"""Region planning covers every code exactly once; the spec's linear pieces are exact."""

from __future__ import annotations

import itertools
import random
import warnings
from fractions import Fraction

import numpy as np
import pytest

from smelu_hw import GSmeLUSpec, QFormat, ReLUSpec, SmeLUSpec
from smelu_hw.fixed import round_int
from smelu_hw.verify.plan import EXHAUSTIVE_CODES, KNOT_MARGIN, plan_regions
from tests.reference import gsmelu, round_fraction, smelu


def _covers_every_code(regions, fmt):
    assert regions[0].low == fmt.min_code and regions[-1].high == fmt.max_code
    for before, after in itertools.pairwise(regions):
        assert after.low == before.high + 1
    for region in regions:
        if region.method == "exhaustive":
            assert np.array_equal(region.codes, np.arange(region.low, region.high + 1))


@pytest.mark.parametrize("native", [False, True])
def test_32_bit_smelu_splits_into_proved_tails_and_a_simulated_band(native):
    spec = SmeLUSpec(fmt=QFormat(32, 16))
    regions = plan_regions(spec, native)
    _covers_every_code(regions, spec.fmt)
    assert [region.method for region in regions] == ["proved", "exhaustive", "proved"]
    assert regions[1].low == -(1 << 16) - KNOT_MARGIN and regions[1].high == (1 << 16) + KNOT_MARGIN


def test_small_and_native_24_bit_units_are_exhaustive():
    for spec, native in ((SmeLUSpec(fmt=QFormat(16, 8)), False), (SmeLUSpec(fmt=QFormat(24, 12)), True)):
        (region,) = plan_regions(spec, native)
        assert region.method == "exhaustive" and region.size == 1 << spec.fmt.bits


def test_a_band_too_wide_to_simulate_is_sampled():
    spec = SmeLUSpec(beta=16384.0, fmt=QFormat(32, 16))  # a band of 2^31 codes
    regions = plan_regions(spec, native=True)
    _covers_every_code(regions, spec.fmt)
    assert [region.method for region in regions] == ["proved", "sampled", "proved"]
    assert len(regions[1].codes) < EXHAUSTIVE_CODES["native"]


def test_without_pieces_or_a_prover_wide_units_are_sampled():
    (region,) = plan_regions(ReLUSpec(fmt=QFormat(32, 16)), native=True)
    assert region.method == "sampled"
    regions = plan_regions(SmeLUSpec(fmt=QFormat(32, 16)), native=True, can_prove=False)
    assert [region.method for region in regions] == ["sampled", "exhaustive", "sampled"]


def _piece_value(affine, x: int, rounding: str, fmt: QFormat) -> int:
    numerator = affine.scale * x + affine.offset
    value = (
        numerator << -affine.shift if affine.shift <= 0 else round_int(numerator, 1 << affine.shift, rounding)
    )
    return min(max(value, fmt.min_code), fmt.max_code)


def _random_specs(count: int):
    rng = random.Random(10)
    for _ in range(count):
        bits = rng.randint(4, 32)
        fmt = QFormat(bits, rng.randint(0, bits - 1))
        out_bits = rng.randint(4, 32)
        kwargs = {
            "fmt": fmt,
            "out_fmt": QFormat(out_bits, rng.randint(0, out_bits - 1)),
            "grad_frac": rng.randint(0, 30),
            "rounding": rng.choice(["rne", "rna", "floor"]),
        }

        def code(low: int, fmt: QFormat = fmt) -> Fraction:
            return Fraction(rng.randint(low, fmt.max_code), 1 << fmt.frac)

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if rng.random() < 0.5:
                yield SmeLUSpec(beta=float(code(1)), **kwargs)
            else:
                one = 1 << fmt.frac
                slopes = [float(Fraction(rng.randint(0, one), one)) for _ in range(2)]
                yield GSmeLUSpec(
                    beta_left=float(code(1)), beta_right=float(code(1)),
                    slope_left=slopes[0], slope_right=slopes[1], **kwargs,
                )  # fmt: skip


def test_linear_pieces_equal_the_exact_reference():
    """The pieces the proofs use, against SPEC's formulas in Fractions, at both ends of each
    piece and at random codes inside it."""
    rng = random.Random(11)
    checked = 0
    for spec in _random_specs(60):
        frac = spec.fmt.frac
        for piece in spec.linear_pieces():
            codes = {piece.low, piece.high, *(rng.randint(piece.low, piece.high) for _ in range(20))}
            for x in codes:
                real = Fraction(x, 1 << frac)
                if spec.activation == "smelu":
                    value, slope = smelu(real, Fraction(spec.beta_code, 1 << frac))
                else:
                    params = [
                        spec.beta_left_code,
                        spec.beta_right_code,
                        spec.slope_left_code,
                        spec.slope_right_code,
                    ]
                    value, slope = gsmelu(real, *(Fraction(p, 1 << frac) for p in params))
                want_y = round_fraction(value * (1 << spec.out_fmt.frac), spec.rounding)
                want_dy = round_fraction(slope * (1 << spec.grad_frac), spec.rounding)
                fmt_y, fmt_dy = spec.out_fmt, spec.grad_fmt
                assert _piece_value(piece.y, x, spec.rounding, fmt_y) == min(
                    max(want_y, fmt_y.min_code), fmt_y.max_code
                )
                assert _piece_value(piece.dy, x, spec.rounding, fmt_dy) == min(
                    max(want_dy, fmt_dy.min_code), fmt_dy.max_code
                )
                checked += 1
    assert checked > 1000
