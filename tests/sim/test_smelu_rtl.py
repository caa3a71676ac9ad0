"""Generated SmeLU RTL equals the golden model bit for bit, on Icarus through cocotb."""

from __future__ import annotations

import pytest

from sim.runner import run_bench
from smelu_hw import QFormat, SmeLUSpec


@pytest.mark.parametrize(
    ("bits", "frac", "beta", "rounding"),
    [(16, 8, 2.0, "rne")],
)
def test_combinational(tmp_path, bits, frac, beta, rounding):
    run_bench(tmp_path, SmeLUSpec(beta=beta, fmt=QFormat(bits, frac), rounding=rounding))
