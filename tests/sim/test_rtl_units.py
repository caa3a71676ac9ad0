"""Generated SmeLU and generalized SmeLU RTL equals the golden model bit for bit, on Icarus through cocotb.

Every certificate must be complete: every code up to 16 bits is simulated, and beyond that the
nonlinear band and knots are simulated and the linear tails proved. Pipelined units also pass
the valid/reset/latency contract on a random stream with gaps and a reset.
"""

from __future__ import annotations

import warnings

import pytest

from smelu_hw import GSmeLUSpec, QFormat, SmeLUSpec
from smelu_hw.gen import generate
from smelu_hw.gen.standard import standard_units


def spec(bits, frac, beta=1.0, out=None, grad_frac=None, rounding="rne", accuracy="correct"):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # off-grid betas are part of the matrix
        return SmeLUSpec(
            beta=beta,
            fmt=QFormat(bits, frac),
            out_fmt=None if out is None else QFormat(*out),
            grad_frac=grad_frac,
            rounding=rounding,
            accuracy=accuracy,
        )


COMBINATIONAL = {
    "r16_rne": spec(16, 8, 2.0),
    "r16_rna": spec(16, 8, 2.0, rounding="rna"),
    "r16_floor": spec(16, 8, 2.0, rounding="floor"),
    "w4": spec(4, 2),
    "w4_frac0": spec(4, 0, 3.0, rounding="rna"),
    "w5_beta_max": spec(5, 1, 7.5, rounding="floor"),
    # beta of one code at frac 0: the quadratic's quotient is always 0 (found by the fuzzer).
    "w10_frac0_beta_one_code": spec(10, 0, 1.0, out=(6, 0), grad_frac=0),
    "w8": spec(8, 4),
    "w8_beta_non_pow2_rne": spec(8, 4, 1.5),
    "w8_beta_non_pow2_rna": spec(8, 4, 2.6875, rounding="rna"),
    "w8_beta_non_pow2_floor": spec(8, 4, 0.3125, rounding="floor"),
    "w10_narrow_out": spec(10, 5, 3.0, out=(6, 2), grad_frac=3),
    "w12": spec(12, 6),
    "w12_beta_max": spec(12, 6, 31.984375, grad_frac=11),
    "w12_finer_out": spec(12, 3, 0.375, out=(16, 12), grad_frac=13),
    "w12_coarse_out_rna": spec(12, 11, 0.6640625, out=(12, 4), grad_frac=0, rounding="rna"),
    "w16_beta_non_pow2": spec(16, 8, 0.3, out=(12, 5), grad_frac=6, rounding="floor"),
    "w16_beta_max": spec(16, 8, 127.99609375, out=(16, 4), grad_frac=12),
    "w16_saturating_rna": spec(16, 4, 100.0, out=(8, 2), rounding="rna"),
    "w20": spec(20, 10),
    "w24": spec(24, 12),
    "w24_beta_non_pow2": spec(24, 12, 3.3, out=(16, 8), grad_frac=10, rounding="rna"),
    "w32": spec(32, 16),
    "w32_beta_max": spec(32, 16, 32767.9999847412109375, out=(32, 30), grad_frac=31, rounding="floor"),
    "w32_beta_non_pow2": spec(32, 16, 0.2, rounding="rna"),  # a band of about 27k codes
}


#: Configurations of the standard set: ``tests/test_examples.py`` verifies their committed files
#: in ``rtl/`` (which ``tests/test_rtl.py`` proves equal to the generator's output), so they are
#: not simulated twice.
IN_RTL = {"r16_rne", "w8", "w12", "w24", "w32"}
#: Wide units verified by the cocotb sweep on Icarus (band swept, tails proved) instead of the
#: native driver's sweep of all 2**24 codes, which ``tests/test_examples.py`` runs on rtl/'s w24.
ON_ICARUS = {"w24_beta_non_pow2"}


@pytest.mark.parametrize("name", [name for name in COMBINATIONAL if name not in IN_RTL | ON_ICARUS])
def test_combinational(verify_unit, name):
    # Beta at the largest code makes the whole input range the nonlinear band: too wide to
    # simulate on Icarus, so that certificate is honestly incomplete.
    verify_unit(COMBINATIONAL[name], complete=name != "w32_beta_max")


@pytest.mark.parametrize("name", sorted(ON_ICARUS))
def test_wide_units_swept_through_cocotb_on_icarus(verify_unit, name):
    """The band of a wide unit simulated by the cocotb sweep on Icarus, tails proved."""
    certificate = verify_unit(COMBINATIONAL[name], native=False)
    assert [region["method"] for region in certificate.regions] == ["proved", "exhaustive", "proved"]
    assert "verilator" not in certificate.tools


@pytest.mark.parametrize("name", ["r16_rne", "w8_beta_non_pow2_rne", "w10_narrow_out"])
def test_combinational_without_gradient(verify_unit, name):
    verify_unit(COMBINATIONAL[name], with_grad=False)


#: SmeLU's cuts in priority order (``SmeLUUnit.cut_priority``): before the final adders, halfway
#: through the carry-save trees, halfway through the final adders, after the region decode. So
#: latency 3 adds the tree cut (and the region decode without carry chains), 4 (R16's fastest at
#: L <= 4) the split adders, and 5 every cut.
PIPELINED = [
    ("r16_rne", 1),
    ("r16_rne", 4),  # R16 at 2: rtl/
    ("w8_beta_non_pow2_rna", 3),
    ("w8_beta_non_pow2_floor", 5),
    ("w10_narrow_out", 5),
    ("w12", 1),
    ("w12_finer_out", 5),
    ("w16_beta_non_pow2", 4),
    ("w32_beta_non_pow2", 4),
]


@pytest.mark.parametrize(("name", "latency"), PIPELINED)
def test_pipelined(verify_unit, name, latency):
    verify_unit(COMBINATIONAL[name], latency=latency)


#: Faithful units (``--accuracy faithful``): planned truncated squarers (4 beta a power of two,
#: including one whose planner drops nothing but the floor) and truncated exact quotients.
FAITHFUL = {
    "r16_faithful": spec(16, 8, 2.0, accuracy="faithful"),
    "w8_faithful": spec(8, 4, 2.0, accuracy="faithful"),
    "w8_faithful_beta_non_pow2": spec(8, 4, 1.5, accuracy="faithful"),
    "w12_faithful_finer_out": spec(12, 4, 0.5, out=(16, 10), grad_frac=6, accuracy="faithful"),
    "w16_faithful_saturating": spec(16, 8, 64.0, out=(12, 4), accuracy="faithful"),
}


@pytest.mark.parametrize("name", FAITHFUL)
def test_faithful(verify_unit, name):
    verify_unit(FAITHFUL[name])


@pytest.mark.parametrize(
    ("name", "latency"), [("r16_faithful", 4), ("w8_faithful", 5), ("w12_faithful_finer_out", 3)]
)
def test_faithful_pipelined(verify_unit, name, latency):
    verify_unit(FAITHFUL[name], latency=latency)


@pytest.mark.parametrize("latency", [2, 5])
def test_pipelined_without_gradient(verify_unit, latency):
    verify_unit(COMBINATIONAL["w16_saturating_rna"], latency=latency, with_grad=False)


def gspec(bits, frac, params, out=None, grad_frac=None, rounding="rne", accuracy="correct"):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return GSmeLUSpec(
            **dict(zip(("beta_left", "beta_right", "slope_left", "slope_right"), params, strict=True)),
            fmt=QFormat(bits, frac),
            out_fmt=None if out is None else QFormat(*out),
            grad_frac=grad_frac,
            rounding=rounding,
            accuracy=accuracy,
        )


#: The 32-bit generalized unit is tests/verify/test_formal.py's complete certificate.
GENERALIZED = {
    "g16_leaky_unequal": gspec(16, 8, (1.0, 2.0, 0.0625, 1.0)),
    "g12_leaky_rna": gspec(12, 6, (0.75, 0.25, 0.125, 0.875), rounding="rna"),
    "g12_leaky_floor_narrow": gspec(12, 6, (3.0, 0.5, 0.25, 0.5), out=(8, 2), grad_frac=3, rounding="floor"),
    "g10_concave": gspec(10, 5, (0.5, 1.5, 1.0, 0.25), out=(12, 9), grad_frac=7),
    "g8_equal_slopes": gspec(8, 4, (2.0, 2.0, 0.3125, 0.3125), rounding="rna"),
    "g6_default": gspec(6, 3, (1.0, 1.0, 0.0, 1.0)),
    "g12_leaky_faithful": gspec(12, 6, (0.75, 0.25, 0.125, 0.875), accuracy="faithful"),
}


#: The 16-bit generalized unit has the matrix's largest RTL: Icarus takes 9 CPU s over its
#: 65,536 codes, the native driver a third of that with its build, so it sweeps there (the
#: narrower ones and every other 16-bit unit go through Icarus).
ON_NATIVE = {"g16_leaky_unequal"}


@pytest.mark.parametrize("name", GENERALIZED)
def test_generalized_combinational(verify_unit, name):
    certificate = verify_unit(GENERALIZED[name], native=name in ON_NATIVE or None)
    assert ("verilator" in certificate.tools) == (name in ON_NATIVE)


def test_generalized_pipelined(verify_unit):
    certificate = verify_unit(GENERALIZED["g16_leaky_unequal"], latency=2, native=True)
    assert "verilator" in certificate.tools


def test_the_configurations_left_to_the_example_are_the_committed_units():
    standard = {unit.name: unit.verilog for unit in standard_units()}
    for unit in [generate(COMBINATIONAL[name]) for name in IN_RTL] + [
        generate(COMBINATIONAL["r16_rne"], latency=2)
    ]:
        assert standard.get(unit.name) == unit.verilog, unit.name
