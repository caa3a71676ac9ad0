"""The fast verification path: a Verilator-compiled lane array checked against the model.

Exhaustive for R16 (forward and gradient) and for a 24-bit window around the knots; the
benchmark (``benchmarks/verification_speed.py``) runs 24-bit SmeLU exhaustively.
"""

from __future__ import annotations

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
