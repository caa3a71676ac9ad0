"""The benches of ``tests/sim`` go through the package's own verifier (:mod:`smelu_hw.verify`):
each case generates a unit into its own folder, verifies it with one worker, and checks the
certificate. The verifier fails closed, so a bench that compared nothing cannot pass. As for a
user, units wider than cocotb sweeps exhaustively are swept on the native Verilator driver
unless ``native=False``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from smelu_hw.gen import generate
from smelu_hw.specs import ActivationSpec
from smelu_hw.verify import Certificate, load_design, verify_design


@pytest.fixture
def verify_unit(tmp_path: Path) -> Callable[..., Certificate]:
    """Generate the unit of a spec and verify it; return its certificate, asserting a pass and,
    unless ``complete`` is None, whether the certificate is complete."""

    def verify(
        spec: ActivationSpec,
        *,
        latency: int = 0,
        with_grad: bool = True,
        lanes: int | None = None,
        simulator: str = "icarus",
        complete: bool | None = True,
        native: bool | None = None,
    ) -> Certificate:
        unit = generate(spec, latency=latency, with_grad=with_grad, lanes=lanes)
        _, manifest = unit.write(tmp_path)
        certificate = verify_design(
            load_design(manifest), simulator=simulator, jobs=1, proof_timeout=20, native=native
        )
        assert certificate.mismatch_count == 0, certificate.summary()
        if complete is not None:
            assert certificate.complete == complete, certificate.summary()
        return certificate

    return verify
