"""Manifests rebuild the exact spec and golden model of every kind of unit."""

from __future__ import annotations

import warnings

import pytest

from smelu_hw import QFormat
from smelu_hw.gen import generate
from smelu_hw.manifest import model_from_manifest, spec_from_manifest
from smelu_hw.specs import (
    GELUSpec,
    GSmeLUSpec,
    HardSwishSpec,
    ReLUSpec,
    SmeLUSpec,
    SoftplusSpec,
    SwishSpec,
)

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    SPECS = [
        SmeLUSpec(beta=0.3, fmt=QFormat(12, 6), out_fmt=QFormat(8, 3), grad_frac=5, rounding="floor"),
        GSmeLUSpec(beta_left=0.5, beta_right=2.0, slope_left=0.1, fmt=QFormat(16, 8), rounding="rna"),
        ReLUSpec(fmt=QFormat(8, 4)),
        HardSwishSpec(fmt=QFormat(10, 5), grad_frac=7),
        SwishSpec(beta=1.702, fmt=QFormat(12, 6)),
        SoftplusSpec(fmt=QFormat(12, 6), method="table"),
        GELUSpec(fmt=QFormat(8, 4), rounding="rna"),
    ]


@pytest.mark.parametrize("spec", SPECS, ids=[spec.activation for spec in SPECS])
@pytest.mark.parametrize("with_grad", [True, False])
def test_manifest_round_trip(spec, with_grad):
    manifest = generate(spec, with_grad=with_grad).manifest
    rebuilt = spec_from_manifest(manifest)
    assert type(rebuilt) is type(spec)
    assert (rebuilt.fmt, rebuilt.out_fmt, rebuilt.rounding) == (spec.fmt, spec.out_fmt, spec.rounding)
    if with_grad:
        assert rebuilt.grad_fmt == spec.grad_fmt
    assert effective(rebuilt) == effective(spec)
    assert type(model_from_manifest(manifest).spec) is type(spec)


def effective(spec) -> dict[str, object]:
    """Parameters as the hardware sees them: codes where quantized, values otherwise."""
    params = spec.params()
    return {
        key: value
        for key, value in params.items()
        if key.endswith("_code") or (not key.endswith("_used") and f"{key}_code" not in params)
    }


def test_unknown_activation():
    with pytest.raises(ValueError, match="^unknown activation 'tanh'$"):
        spec_from_manifest({"activation": "tanh"})
