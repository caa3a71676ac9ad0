# amaranth: UnusedElaboratable=no
"""The baselines' internal pipeline cuts keep them equal to their golden models, on Icarus.

Every code is simulated. Each smooth baseline (both methods) and hard-swish at Q8.4 runs at
latency 2 and 4, which enable its first cut and its first three in priority order (latency 1
only registers the input, the same shell for every unit; a cut that some path misses at
latency 3 is still missed at 4); the units whose Horner chains differ in length, and the
hard-swish roundings, run with every cut enabled, so each cut position is crossed by every
path. Pipelined units also pass the valid/reset/latency contract.
"""

from __future__ import annotations

import pytest

from smelu_hw import ELUSpec, GELUSpec, HardSwishSpec, QFormat, SoftplusSpec, SwishSpec
from smelu_hw.registry import ACTIVATIONS

Q8 = QFormat(8, 4)

AT_Q8 = {
    "swish_poly": SwishSpec(fmt=Q8),
    "softplus_poly": SoftplusSpec(fmt=Q8),
    "gelu_poly": GELUSpec(fmt=Q8),
    "swish_table": SwishSpec(fmt=Q8, method="table"),
    "softplus_table": SoftplusSpec(fmt=Q8, method="table"),
    "gelu_table": GELUSpec(fmt=Q8, method="table"),
    "hardswish": HardSwishSpec(fmt=Q8),
}

#: Every cut enabled: Horner chains of unequal lengths (degrees noted as value, slope) and the
#: hard-swish roundings, biased and tie-corrected quotients, and a narrower output.
ALL_CUTS = {
    "swish_q9_degrees_1_3": SwishSpec(beta=0.5, fmt=QFormat(9, 5)),
    "softplus_q9_degrees_2_0": SoftplusSpec(beta=0.5, fmt=QFormat(9, 5), rounding="rna"),
    "softplus_q10_degrees_3_1": SoftplusSpec(beta=2.0, fmt=QFormat(10, 8)),
    "hardswish_rna": HardSwishSpec(fmt=QFormat(10, 5), rounding="rna"),
    "hardswish_floor_narrow": HardSwishSpec(
        fmt=QFormat(10, 5), out_fmt=QFormat(6, 2), grad_frac=3, rounding="floor"
    ),
    "hardswish_small_range": HardSwishSpec(fmt=QFormat(8, 6), out_fmt=QFormat(10, 8)),
    "gelu_table_q10": GELUSpec(fmt=QFormat(10, 2), method="table"),
    "elu_q10": ELUSpec(fmt=QFormat(10, 5)),
}


def all_cuts_latency(spec) -> int:
    """The latency that registers the input and enables every internal cut."""
    return 1 + len(ACTIVATIONS[spec.activation].unit(spec).cut_priority)


@pytest.mark.parametrize("latency", [2, 4])
@pytest.mark.parametrize("name", AT_Q8)
def test_each_baseline_at_latency_2_and_4(verify_unit, name, latency):
    verify_unit(AT_Q8[name], latency=latency)


@pytest.mark.parametrize("name", ALL_CUTS)
def test_every_cut_enabled(verify_unit, name):
    verify_unit(ALL_CUTS[name], latency=all_cuts_latency(ALL_CUTS[name]))


@pytest.mark.parametrize("name", ["swish_q9_degrees_1_3", "hardswish_rna"])
def test_every_cut_enabled_without_gradient(verify_unit, name):
    verify_unit(ALL_CUTS[name], latency=all_cuts_latency(ALL_CUTS[name]), with_grad=False)
