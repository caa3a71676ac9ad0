# amaranth: UnusedElaboratable=no
"""The units' internal pipeline cuts, by name: each offered cut exists and is used once latency
reaches it, and none is built before (simulation: ``tests/sim/test_rtl_baseline_cuts.py`` for
the baselines, ``tests/sim/test_rtl_units.py`` for SmeLU)."""

from __future__ import annotations

import re

import pytest
from amaranth.back import rtlil
from amaranth.hdl import Module, Signal

from smelu_hw import GELUSpec, HardSwishSpec, QFormat, ReLUSpec, SmeLUSpec, SoftplusSpec, SwishSpec
from smelu_hw.approx.plans import slope_plan, value_plan
from smelu_hw.hw.arith import no_pipe
from smelu_hw.hw.smooth import (
    TABLE_CUT_NAMES,
    TABLE_CUT_PRIORITY,
    HornerCuts,
    poly_cut_names,
    poly_cut_priority,
    poly_evaluator,
)
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


def unit(spec, with_grad=True):
    return ACTIVATIONS[spec.activation].unit(spec, with_grad=with_grad)


def cut_priority(spec, with_grad=True):
    return unit(spec, with_grad).cut_priority


def cuts_in(spec, latency: int, with_grad: bool, names: tuple[str, ...]) -> set[str]:
    """Names of the cuts that registered something in the unit at ``latency``: a flip-flop
    (RTLIL ``$dff``, read without the Verilog backend's Yosys pass) whose output is a signal
    ``<name>_cut<i>`` is cut ``names[i]``'s."""
    built = ACTIVATIONS[spec.activation].unit(spec, latency=latency, with_grad=with_grad)
    text = rtlil.convert(built, name="unit", emit_src=False)
    outputs = re.findall(r"cell \$dff [^\n]*\n(?:    [^\n]*\n)*?    connect \\Q ([^\n]*)", text)
    return {names[int(i)] for q in outputs for i in re.findall(r"_cut(\d+)\b", q)}


@pytest.mark.parametrize("with_grad", [True, False])
@pytest.mark.parametrize("name", SPECS)
def test_every_cut_registers_when_enabled_and_none_before(name, with_grad):
    spec = SPECS[name]
    names, priority = unit(spec, with_grad).cut_names, cut_priority(spec, with_grad)
    assert sorted(priority) == sorted(names)
    assert len(set(names)) == len(names)
    # Every prefix for up to four cuts (SmeLU's); the long polynomial orders are slow to build.
    counts = range(len(priority) + 1) if len(priority) <= 4 else (0, 1, len(priority))
    for enabled in counts:  # latency 1 registers the input only
        assert cuts_in(spec, enabled + 1, with_grad, names) == set(priority[:enabled]), enabled


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
    names = poly_cut_names(steps)
    assert len(set(names)) == len(names) == 2 * steps + 3
    assert sorted(poly_cut_priority(steps)) == sorted(names)


def test_poly_cut_names_follow_the_path():
    assert poly_cut_names(0) == ("magnitude", "roms", "rounded")
    assert poly_cut_names(2) == (
        "magnitude",
        "roms",
        "step1_product",
        "step1_sum",
        "step2_product",
        "step2_sum",
        "rounded",
    )


def test_measured_orders():
    # One Horner step: after the multiplier, after the ROMs, before the saturation; two steps:
    # after the first, after the second multiplier, after the ROMs (benchmarks/baseline_fmax.py).
    assert poly_cut_priority(1)[:3] == ("step1_product", "roms", "rounded")
    assert poly_cut_priority(2)[:3] == ("step1_sum", "step2_product", "roms")
    table = unit(SwishSpec(fmt=R16, method="table"))
    assert table.cut_names == TABLE_CUT_NAMES == ("index", "entry", "read")
    assert table.cut_priority == TABLE_CUT_PRIORITY == ("entry", "read", "index")
    assert cut_priority(HardSwishSpec(fmt=R16)) == ("sum", "product", "adders", "decode")


def test_smelu_cut_order():
    # Before the final adders, halfway through the trees, halfway through the final adders,
    # after the region decode (benchmarks/r16_fmax.py).
    assert cut_priority(SPECS["smelu_r16"]) == ("adders", "tree", "carry", "decode")
    # The registers' numbers (``<signal>_cut<i>``), kept from when the cuts were positional.
    assert unit(SPECS["smelu_r16"]).cut_names == ("decode", "adders", "tree", "carry")


def test_a_horner_chain_needs_cuts_for_every_step():
    plan = value_plan(SoftplusSpec(beta=2.0, fmt=QFormat(10, 8)))  # three steps
    cuts = HornerCuts(steps=((no_pipe, no_pipe),) * 2)
    with pytest.raises(ValueError, match="^a degree-3 chain needs 3 steps of cuts, not 2$"):
        poly_evaluator(Module(), Signal(10), 10, plan, "value", cuts)


def test_relu_offers_no_cut():
    assert cut_priority(ReLUSpec(fmt=R16)) == ()
