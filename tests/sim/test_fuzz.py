"""Random valid configurations generate, simulate and match the golden model bit for bit.

See :mod:`tests.sim.fuzz` for the knobs (seed and count); CI runs the default bounded number.
"""

from __future__ import annotations

import pytest

from smelu_hw.verify.plan import EXHAUSTIVE_CODES, KNOT_MARGIN

from .fuzz import fuzz_cases

CASES = fuzz_cases()


@pytest.mark.parametrize("case", CASES, ids=[case.label for case in CASES])
def test_random_configuration(verify_unit, case):
    verify_unit(case.spec, latency=case.latency, lanes=case.lanes, complete=_complete(case))


def _complete(case) -> bool:
    """Complete unless the nonlinear band is too wide to simulate on Icarus."""
    knots, limit = case.spec.knots(), EXHAUSTIVE_CODES["cocotb"]
    return 1 << case.spec.fmt.bits <= limit or max(knots) - min(knots) + 1 + 2 * KNOT_MARGIN <= limit


def test_the_draw_is_not_empty():
    assert CASES, "SMELU_FUZZ_COUNT must be at least 1: an empty draw would pass silently"
