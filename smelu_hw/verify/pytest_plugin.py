"""A pytest plugin for users' CI: verify the units you generated, in a few lines.

Installed with the package (entry point ``pytest11``), so a test file only needs::

    import pytest
    from smelu_hw.verify import find_manifests

    @pytest.mark.parametrize("manifest", find_manifests("rtl"), ids=lambda path: path.stem)
    def test_unit_equals_its_golden_model(smelu_verify, manifest):
        smelu_verify(manifest)

:func:`smelu_verify` verifies the Verilog beside a manifest, writes the certificate into the
test's temporary folder, and fails the test on a mismatch or, with ``require_complete``, on an
incomplete certificate. ``--smelu-sim verilator`` switches the simulator for the whole run.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

__all__ = ["pytest_addoption", "smelu_verify"]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("smelu_hw", "smelu_hw unit verification")
    group.addoption(
        "--smelu-sim", default="icarus", help="smelu_verify's simulator: icarus (default) or verilator"
    )
    group.addoption(
        "--smelu-jobs", type=int, default=1, help="smelu_verify's worker processes per unit (default 1)"
    )


@pytest.fixture
def smelu_verify(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[..., object]:
    """Verify a unit: ``smelu_verify(manifest, require_complete=True)`` returns its certificate
    and fails the test unless it is verified (and complete, if required)."""
    from . import verify_manifest

    def verify(manifest: str | Path, *, require_complete: bool = True) -> object:
        certificate = verify_manifest(
            Path(manifest),
            out_dir=tmp_path,
            simulator=request.config.getoption("--smelu-sim"),
            jobs=request.config.getoption("--smelu-jobs"),
        )
        assert certificate.verified, certificate.summary()
        if require_complete:
            assert certificate.complete, certificate.summary()
        return certificate

    return verify
