"""The fast verification paths: cocotb on Verilator and the cocotb lane array. (The native
driver's 24-bit exhaustive sweep, as a user runs it, is checked on the committed 24-bit unit by
tests/test_examples.py.)"""

from __future__ import annotations

from smelu_hw import QFormat, SmeLUSpec
from smelu_hw.verify.lanes import lanes_check


def test_pipelined_unit_on_cocotb_verilator(verify_unit):
    """cocotb on Verilator: the sweep and the valid/reset contract of a pipelined unit."""
    certificate = verify_unit(
        SmeLUSpec(beta=1.5, fmt=QFormat(8, 4)), latency=2, simulator="verilator", native=False
    )
    assert certificate.tools["verilator"].startswith("5.")


def test_24_bit_window_on_icarus_lanes(tmp_path):
    # The same bench on Icarus, so the lane array is also checked by a second simulator.
    spec = SmeLUSpec(beta=1.5, fmt=QFormat(24, 12), rounding="rna")
    count, _ = lanes_check(tmp_path / "w24", spec, 8, simulator="icarus", codes="-8192:8192")
    assert count == 16384
