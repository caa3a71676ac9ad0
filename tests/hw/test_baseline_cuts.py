# amaranth: UnusedElaboratable=no
"""The units' internal pipeline cuts: each offered cut exists and is used once latency reaches
it, and none is built before (simulation: ``tests/sim/test_rtl_baseline_cuts.py`` for the
baselines, ``tests/sim/test_rtl_units.py`` for SmeLU)."""

from __future__ import annotations

import re

import pytest

from smelu_hw import GELUSpec, HardSwishSpec, QFormat, ReLUSpec, SmeLUSpec, SoftplusSpec, SwishSpec
from smelu_hw.approx.plans import slope_plan, value_plan
from smelu_hw.gen import generate
from smelu_hw.hw.smooth import TABLE_CUT_PRIORITY, poly_cut_priority
from smelu_hw.registry import ACTIVATIONS

R16 = QFormat(16, 8)
SPECS = {
    "swish_poly_r16": SwishSpec(fmt=R16),
    "softplus_poly_r16": SoftplusSpec(fmt=R16),
    "gelu_poly_q8": GELUSpec(fmt=QFormat(8, 4)),
    "softplus_q10_degrees_3_1": SoftplusSpec(beta=2.0, fmt=QFormat(10, 8)),
    "swish_table_r16": SwishSpec(fmt=R16, method="table"),
    "hardswish_r16": HardSwishSpec(fmt=R16),
    "smelu_r16": SmeLUSpec(beta=2.0, fmt=R16),
    "smelu_r16_faithful": SmeLUSpec(beta=2.0, fmt=R16, accuracy="faithful"),
    "smelu_q8_beta_non_pow2": SmeLUSpec(beta=1.5, fmt=QFormat(8, 4)),
}


def cut_priority(spec, with_grad=True):
    return ACTIVATIONS[spec.activation].unit(spec, with_grad=with_grad).cut_priority


def cuts_in(verilog: str) -> set[int]:
    """Indices of the cuts that registered something."""
    return {int(index) for index in re.findall(r"reg (?:\[\d+:0\] )?\\?\w+_cut(\d+)\b", verilog)}


@pytest.mark.parametrize("with_grad", [True, False])
@pytest.mark.parametrize("name", SPECS)
def test_every_cut_registers_when_enabled_and_none_before(name, with_grad):
    spec = SPECS[name]
    priority = cut_priority(spec, with_grad)
    assert sorted(priority) == list(range(len(priority)))
    # Every prefix for up to four cuts (SmeLU's); the long polynomial orders are slow to build.
    counts = range(len(priority) + 1) if len(priority) <= 4 else (0, 1, len(priority))
    for enabled in counts:  # latency 1 registers the input only
        verilog = generate(spec, latency=enabled + 1, with_grad=with_grad).verilog
        assert cuts_in(verilog) == set(priority[:enabled]), enabled


def test_polynomial_cuts_follow_the_longest_horner_chain_built():
    spec = SoftplusSpec(beta=2.0, fmt=QFormat(10, 8))
    assert (value_plan(spec).degree, slope_plan(spec).degree) == (3, 1)
    assert cut_priority(spec) == poly_cut_priority(3)
    assert cut_priority(spec, with_grad=False) == poly_cut_priority(3)
    spec = SwishSpec(beta=0.5, fmt=QFormat(9, 5))
    assert (value_plan(spec).degree, slope_plan(spec).degree) == (1, 3)
    assert cut_priority(spec) == poly_cut_priority(3)
    assert cut_priority(spec, with_grad=False) == poly_cut_priority(1)


@pytest.mark.parametrize("steps", [0, 1, 2, 3])
def test_poly_cut_priority_orders_every_cut(steps):
    assert sorted(poly_cut_priority(steps)) == list(range(2 * steps + 3))


def test_measured_orders():
    # One Horner step: after the multiplier, after the ROMs, before the saturation; two steps:
    # after the first, after the second multiplier, after the ROMs (benchmarks/baseline_fmax.py).
    assert poly_cut_priority(1)[:3] == (2, 1, 4)
    assert poly_cut_priority(2)[:3] == (3, 4, 1)
    assert cut_priority(SwishSpec(fmt=R16, method="table")) == TABLE_CUT_PRIORITY == (1, 2, 0)
    assert cut_priority(HardSwishSpec(fmt=R16)) == (2, 3, 1, 0)


def test_smelu_cut_order():
    # Before the final adders, halfway through the trees, halfway through the final adders,
    # after the region decode (benchmarks/r16_fmax.py).
    assert cut_priority(SPECS["smelu_r16"]) == (1, 2, 3, 0)


def test_relu_offers_no_cut():
    assert cut_priority(ReLUSpec(fmt=R16)) == ()
