"""The fast verification paths: a Verilator-compiled lane array checked against the model,
driven by cocotb or by the native C++ loop; 24-bit SmeLU exhaustively on the native path."""

from __future__ import annotations

import pytest

from sim.runner import run_lanes
from smelu_hw import QFormat, SmeLUSpec
from smelu_hw.standard import REFERENCE_R16


def test_r16_exhaustive_on_verilator_lanes(tmp_path):
    count, _ = run_lanes(tmp_path / "r16", REFERENCE_R16, 16, simulator="verilator")
    assert count == 1 << 16


def test_24_bit_window_on_icarus_lanes(tmp_path):
    # The same bench on Icarus, so the lane array is also checked by a second simulator.
    spec = SmeLUSpec(beta=1.5, fmt=QFormat(24, 12), rounding="rna")
    count, _ = run_lanes(tmp_path / "w24", spec, 8, simulator="icarus", codes="-8192:8192")
    assert count == 16384


def test_24_bit_smelu_exhaustive_native(tmp_path):
    """Every one of the 16.7M codes of Q24.12 SmeLU, forward and gradient, bit for bit."""
    from sim.native import verify_native

    count, _ = verify_native(tmp_path, SmeLUSpec(fmt=QFormat(24, 12)), 64)
    assert count == 1 << 24


def test_native_path_rejects_narrow_arrays(tmp_path):
    from sim.native import build_driver

    with pytest.raises(ValueError, match="^lanes must be at least 9"):
        build_driver(tmp_path, REFERENCE_R16, 8)
