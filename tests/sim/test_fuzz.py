"""Random valid configurations generate, simulate and match the golden model bit for bit.

See :mod:`sim.fuzz` for the knobs (seed and count); CI runs the default bounded number.
"""

from __future__ import annotations

import pytest

from sim.fuzz import fuzz_cases
from sim.runner import run_bench

CASES = fuzz_cases()


@pytest.mark.parametrize("case", CASES, ids=[case.label for case in CASES])
def test_random_configuration(tmp_path, case):
    run_bench(tmp_path, case.spec, latency=case.latency, lanes=case.lanes)
