"""Rebuild the golden model of a generated unit from its manifest (SPEC §7).

External test benches only see ``MODULE.v`` and ``MODULE.json``; :func:`model_from_manifest`
gives them the matching bit-exact model, from the quantized codes the manifest records.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from .fixed import QFormat
from .models import Activation, model_for
from .specs import SPECS, ActivationSpec

__all__ = ["file_sha256", "format_entry", "model_from_manifest", "port_widths", "spec_from_manifest"]


def file_sha256(text: str) -> str:
    """The sha256 by which manifests and certificates name a file: of its text (as read, UTF-8),
    so the generator's ``verilog_sha256``, a certificate's ``sha256`` and ``--check`` agree."""
    return hashlib.sha256(text.encode()).hexdigest()


def _format(entry: Mapping[str, object]) -> QFormat:
    return QFormat(entry["bits"], entry["frac"], signed=entry["signed"])


def format_entry(fmt: QFormat) -> dict[str, object]:
    """A format as the manifest records it (SPEC §7); the inverse of reading it back."""
    return {"bits": fmt.bits, "frac": fmt.frac, "signed": fmt.signed}


def spec_from_manifest(manifest: Mapping[str, object]) -> ActivationSpec:
    """Rebuild the spec of the unit a manifest describes.

    Quantized parameters come from their recorded codes, so nothing is quantized twice
    (:meth:`~smelu_hw.specs.ActivationSpec.arguments_from_params`).

    Raises
    ------
    ValueError
        If the activation is unknown, or the parameters are not the activation's.
    """
    activation = manifest["activation"]
    if activation not in SPECS:
        raise ValueError(f"unknown activation {activation!r}")
    spec_class = SPECS[activation]
    fmt = _format(manifest["input"])
    grad = manifest["grad"]
    return spec_class(
        fmt=fmt,
        out_fmt=_format(manifest["output"]),
        grad_frac=None if grad is None else grad["frac"],
        rounding=manifest["rounding"],
        **spec_class.arguments_from_params(manifest["params"], fmt.frac),
    )


def port_widths(manifest: Mapping[str, object]) -> dict[str, int]:
    """Port name -> width, from a manifest's ``ports``."""
    return {str(port["name"]): int(port["width"]) for port in manifest["ports"]}


def model_from_manifest(manifest: Mapping[str, object]) -> Activation:
    """Return the golden model of the unit a manifest describes."""
    spec = spec_from_manifest(manifest)
    return model_for(spec)
