"""Streaming engines equal the golden model under random backpressure, at full throughput."""

from __future__ import annotations

import pytest

from smelu_hw import GSmeLUSpec, HardSwishSpec, QFormat, SmeLUSpec, SwishSpec

CASES = {
    "smelu_exact_fused": (SmeLUSpec(beta=2.0, fmt=QFormat(10, 5), grad_frac=10, rounding="rna"), 3),
    "smelu_non_pow2_floor": (
        SmeLUSpec(beta=1.5, fmt=QFormat(10, 5), out_fmt=QFormat(8, 3), rounding="floor"),
        2,
    ),
    "gsmelu_leaky": (GSmeLUSpec(beta_left=1.0, beta_right=2.0, slope_left=0.0625, fmt=QFormat(10, 6)), 2),
    "hardswish_signed_grad": (HardSwishSpec(fmt=QFormat(10, 5)), 2),
    "swish_poly": (SwishSpec(fmt=QFormat(10, 5)), 2),
}


#: The stall pipeline around the lanes is the same for every activation, and each lane's unit is
#: tested at every latency on its own (tests/sim/test_rtl_units.py, test_rtl_baselines.py): so
#: one case runs at latency 0, 1 and 3 and each other at one latency, combinational or clocked
#: (swish at 2, where its lanes' first internal cut registers). Inputs are at most 10 bits, so
#: fused backward simulates 2**20 (x, g) pairs per lane rather than 12 bits' 2**24: the same
#: method (every pair on the native driver) at a sixteenth of the cost. The complete 16-bit engine
#: (R16, 4 lanes: 10^8 pairs) is a benchmark (benchmarks/verification_speed.py);
#: tests/verify/test_engine_complete.py covers its plan.
MATRIX = [
    ("smelu_exact_fused", 0),
    ("smelu_exact_fused", 1),
    ("smelu_exact_fused", 3),
    ("smelu_non_pow2_floor", 1),
    ("gsmelu_leaky", 0),
    ("hardswish_signed_grad", 1),
    ("swish_poly", 2),
]


@pytest.mark.parametrize(("name", "latency"), MATRIX)
def test_engine(verify_unit, name, latency):
    spec, lanes = CASES[name]
    certificate = verify_unit(spec, latency=latency, lanes=lanes)
    regions = {region["name"]: region for region in certificate.regions}
    assert regions["forward mode"]["method"] == regions["gradient mode"]["method"] == "exhaustive"
    backward = [region for name, region in regions.items() if name.startswith("backward mode")]
    assert backward and all(region["method"] in ("exhaustive", "proved") for region in backward)
    assert certificate.complete  # every lane, every code and (x, g) pair: simulated or proved
    # Mode 3 is reserved: each such beat comes out as a beat of zeros (proved for every x, g).
    assert regions["reserved mode"]["method"] == "proved"
