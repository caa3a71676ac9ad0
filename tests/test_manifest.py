"""Manifests rebuild the exact spec and golden model of every kind of unit."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from smelu_hw import QFormat
from smelu_hw.gen import generate
from smelu_hw.manifest import model_from_manifest, spec_from_manifest
from smelu_hw.models import model_for
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
    # The rebuilt golden model computes what the original one does, on every input code.
    codes = spec.fmt.codes()
    original, model = model_for(spec), model_from_manifest(manifest)
    assert type(model.spec) is type(spec)
    np.testing.assert_array_equal(model.forward(codes), original.forward(codes))
    if with_grad:  # a unit without a gradient port records no gradient format
        np.testing.assert_array_equal(model.grad(codes), original.grad(codes))
    # ... with the same parameter codes and the same unquantized parameters (method, beta).
    for name in ("beta_code", "beta_left_code", "beta_right_code", "slope_left_code", "slope_right_code"):
        assert getattr(rebuilt, name, None) == getattr(spec, name, None), name
    for name in ("method", "beta"):
        if not hasattr(spec, "beta_code"):
            assert getattr(rebuilt, name, None) == getattr(spec, name, None), name


def test_unknown_activation():
    with pytest.raises(ValueError, match="^unknown activation 'tanh'$"):
        spec_from_manifest({"activation": "tanh"})
