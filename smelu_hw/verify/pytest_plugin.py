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
``--smelu-certs DIR`` keeps certificates in ``DIR`` between runs (a CI cache): a unit whose
stored certificate still holds (``python -m smelu_hw.verify --check``: the same Verilog,
manifest and tools, verified, and complete if required) is not simulated again.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

__all__ = ["pytest_addoption", "smelu_verify", "still_certified"]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("smelu_hw", "smelu_hw unit verification")
    group.addoption(
        "--smelu-sim", default="icarus", help="smelu_verify's simulator: icarus (default) or verilator"
    )
    group.addoption(
        "--smelu-jobs", type=int, default=1, help="smelu_verify's worker processes per unit (default 1)"
    )
    group.addoption(
        "--smelu-certs",
        type=Path,
        help="keep certificates in DIR and re-verify only units whose certificate no longer holds",
    )


def still_certified(manifest: Path, certs: Path, *, require_complete: bool) -> bool:
    """Whether ``certs`` holds a certificate of ``manifest``'s unit that still holds for these
    files and tools (:func:`~smelu_hw.verify.recheck.changes_since`)."""
    import json

    from .recheck import CertificateError, changes_since

    try:
        module = json.loads(Path(manifest).read_text(encoding="utf-8"))["module"]
    except (OSError, ValueError, KeyError, TypeError):
        return False  # the verifier reports what is wrong with it
    certificate = Path(certs) / f"{module}.cert.json"
    if not certificate.is_file():
        return False
    try:
        return not changes_since(certificate, Path(manifest), require_complete=require_complete)
    except CertificateError:
        return False


@pytest.fixture
def smelu_verify(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[..., object]:
    """Verify a unit: ``smelu_verify(manifest, require_complete=True)`` returns its certificate
    and fails the test unless it is verified (and complete, if required). With
    ``--smelu-certs``, a unit whose stored certificate still holds returns ``None`` at once."""
    from . import verify_manifest

    certs = request.config.getoption("--smelu-certs")

    def verify(manifest: str | Path, *, require_complete: bool = True) -> object:
        if certs is not None and still_certified(Path(manifest), certs, require_complete=require_complete):
            return None  # verified before, and nothing it depends on has changed
        certificate = verify_manifest(
            Path(manifest),
            out_dir=tmp_path if certs is None else certs,
            simulator=request.config.getoption("--smelu-sim"),
            jobs=request.config.getoption("--smelu-jobs"),
        )
        assert certificate.verified, certificate.summary()
        if require_complete:
            assert certificate.complete, certificate.summary()
        return certificate

    return verify
