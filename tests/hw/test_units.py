# amaranth: UnusedElaboratable=no
"""The Amaranth components' constructor checks and signatures (SPEC §6)."""

from __future__ import annotations

import pytest
from amaranth.hdl import Fragment, signed, unsigned
from amaranth.lib.wiring import In, Out

from smelu_hw import GSmeLUSpec, QFormat, SmeLUSpec
from smelu_hw.hw import GSmeLUUnit, SmeLUUnit

R16 = SmeLUSpec(beta=2.0, fmt=QFormat(16, 8))


def test_combinational_signature():
    unit = SmeLUUnit(R16)
    assert dict(unit.signature.members) == {"x": In(signed(16)), "y": Out(signed(16)), "dy": Out(unsigned(9))}
    assert (unit.latency, unit.with_grad, unit.spec) == (0, True, R16)


def test_pipelined_signature_without_gradient():
    unit = GSmeLUUnit(GSmeLUSpec(fmt=QFormat(8, 4), out_fmt=QFormat(6, 2)), latency=2, with_grad=False)
    assert dict(unit.signature.members) == {
        "x": In(signed(8)),
        "y": Out(signed(6)),
        "in_valid": In(1),
        "out_valid": Out(1),
    }


@pytest.mark.parametrize(
    ("latency", "error"), [(-1, ValueError), (1.5, TypeError), ("2", TypeError), (True, TypeError)]
)
def test_latency_must_be_a_non_negative_integer(latency, error):
    with pytest.raises(error, match="^latency must be (0 or more|an integer), not "):
        SmeLUUnit(R16, latency=latency)


def test_spec_type_is_checked():
    with pytest.raises(TypeError, match="^spec must be a SmeLUSpec, not "):
        SmeLUUnit(GSmeLUSpec(fmt=QFormat(8, 4)))
    with pytest.raises(TypeError, match="^spec must be a GSmeLUSpec, not "):
        GSmeLUUnit(R16)


class _MisorderedSmeLU(SmeLUUnit):
    cut_priority = ("adders", "tree", "decode")  # "carry" missing


def test_cut_priority_must_order_every_cut_name():
    message = (
        r"^cut_priority must order the cut names \('decode', 'adders', 'tree', 'carry'\), "
        r"not \('adders', 'tree', 'decode'\)$"
    )
    with pytest.raises(ValueError, match=message):
        Fragment.get(_MisorderedSmeLU(R16, latency=2), None)
