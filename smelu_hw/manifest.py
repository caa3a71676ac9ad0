"""Rebuild the golden model of a generated unit from its manifest (SPEC §7).

External test benches only see ``MODULE.v`` and ``MODULE.json``; :func:`model_from_manifest`
gives them the matching bit-exact model, from the quantized codes the manifest records.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from .fixed import QFormat
from .models import Activation, GSmeLU, SmeLU

__all__ = ["model_from_manifest"]

MODELS: dict[str, type[Activation]] = {"smelu": SmeLU, "gsmelu": GSmeLU}


def _format(entry: Mapping[str, object]) -> QFormat:
    return QFormat(entry["bits"], entry["frac"], signed=entry["signed"])


def model_from_manifest(manifest: Mapping[str, object]) -> Activation:
    """Return the golden model of the unit a manifest describes.

    Raises
    ------
    ValueError
        If the activation is unknown.
    """
    activation = manifest["activation"]
    if activation not in MODELS:
        raise ValueError(f"activation {activation!r} has no golden model")
    fmt = _format(manifest["input"])
    params = manifest["params"]
    # Parameters from their codes, so that no quantization happens twice.
    values = {
        key[: -len("_code")]: math.ldexp(code, -fmt.frac)
        for key, code in params.items()
        if key.endswith("_code")
    }
    grad = manifest["grad"]
    return MODELS[activation](
        **values,
        fmt=fmt,
        out_fmt=_format(manifest["output"]),
        grad_frac=None if grad is None else grad["frac"],
        rounding=manifest["rounding"],
    )
