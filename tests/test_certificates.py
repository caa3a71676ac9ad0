"""The committed certificates in ``reports/certificates/`` certify the files now in ``rtl/``.

Regenerate one with ``python -m smelu_hw.verify rtl/MODULE.json --out-dir reports/certificates
--require-complete`` (``--sim verilator`` for the 24-bit unit) when its unit changes.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CERTIFICATES = sorted((ROOT / "reports" / "certificates").glob("*.cert.json"))


def test_the_required_certificates_are_committed():
    widths = {json.loads(path.read_text())["configuration"]["input"]["bits"] for path in CERTIFICATES}
    assert {16, 24, 32} <= widths


@pytest.mark.parametrize("path", CERTIFICATES, ids=lambda path: path.name.removesuffix(".cert.json"))
def test_certificate_is_complete_and_current(path):
    certificate = json.loads(path.read_text())
    module = certificate["module"]
    for kind, suffix in (("verilog", ".v"), ("manifest", ".json")):
        current = hashlib.sha256((ROOT / "rtl" / f"{module}{suffix}").read_bytes()).hexdigest()
        assert certificate["sha256"][kind] == current, f"{module}{suffix} changed; regenerate its certificate"
    assert certificate["verdict"] == "VERIFIED (complete)" and certificate["mismatch_count"] == 0
    assert certificate["verilog_as_generated"] is True
    assert (
        sum(region["codes"] for region in certificate["regions"])
        == 1 << certificate["configuration"]["input"]["bits"]
    )
    assert all(region["method"] in ("exhaustive", "proved") for region in certificate["regions"])
    assert (
        (path.with_name(f"{module}.cert.md"))
        .read_text()
        .startswith(f"# Verification certificate: `{module}`")
    )
