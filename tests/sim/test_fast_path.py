"""The fast verification paths: the native Verilator driver (24-bit SmeLU exhaustively, as a
user runs it), cocotb on Verilator, and the cocotb lane array."""

from __future__ import annotations

from smelu_hw import QFormat, SmeLUSpec
from smelu_hw.gen import generate
from smelu_hw.verify import load_design, verify_design
from smelu_hw.verify.lanes import lanes_check


def test_24_bit_smelu_exhaustive_native(tmp_path):
    """Every one of the 16.7M codes of Q24.12 SmeLU, forward and gradient, bit for bit."""
    _, manifest = generate(SmeLUSpec(fmt=QFormat(24, 12))).write(tmp_path)
    certificate = verify_design(load_design(manifest), simulator="verilator", jobs=2)
    assert certificate.verified and certificate.complete, certificate.summary()
    (region,) = certificate.regions
    assert (region["method"], region["checked"], region["codes"]) == ("exhaustive", 1 << 24, 1 << 24)


def test_pipelined_unit_on_cocotb_verilator(verify_unit):
    """cocotb on Verilator: the sweep and the valid/reset contract of a pipelined unit."""
    certificate = verify_unit(SmeLUSpec(beta=1.5, fmt=QFormat(8, 4)), latency=2, simulator="verilator")
    assert certificate.tools["verilator"].startswith("5.")


def test_24_bit_window_on_icarus_lanes(tmp_path):
    # The same bench on Icarus, so the lane array is also checked by a second simulator.
    spec = SmeLUSpec(beta=1.5, fmt=QFormat(24, 12), rounding="rna")
    count, _ = lanes_check(tmp_path / "w24", spec, 8, simulator="icarus", codes="-8192:8192")
    assert count == 16384
