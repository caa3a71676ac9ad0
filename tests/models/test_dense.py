"""The dense-layer model against plain integer/Fraction arithmetic, and its checks."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from smelu_hw import QFormat, SmeLU, SmeLUSpec
from smelu_hw.models.dense import DenseLayer, DenseSpec
from smelu_hw.network import load_network, network_accuracy
from tests.reference import round_fraction


def random_spec(rng: np.random.Generator, weight_bits: int, rounding: str) -> DenseSpec:
    limit = 1 << (weight_bits - 1)
    weights = rng.integers(-limit, limit, (5, 7))
    return DenseSpec(
        weights=tuple(map(tuple, weights.tolist())),
        bias=tuple(rng.integers(-5000, 5000, 5).tolist()),
        in_bits=12,
        weight_bits=weight_bits,
        multiplier=int(rng.integers(1, 1 << 20)),
        shift=int(rng.integers(10, 40)),
        activation=SmeLUSpec(beta=1.5, fmt=QFormat(16, 8), rounding=rounding),
    )


@pytest.mark.parametrize("weight_bits", [8, 16])
@pytest.mark.parametrize("rounding", ["rne", "rna", "floor"])
def test_dense_layer_against_integer_reference(weight_bits, rounding):
    rng = np.random.default_rng(weight_bits + len(rounding))
    spec = random_spec(rng, weight_bits, rounding)
    layer = DenseLayer(spec)
    x = rng.integers(-2048, 2048, (40, 7))
    fmt = spec.activation.fmt
    want_z = [
        [
            min(
                max(
                    round_fraction(
                        Fraction(
                            (sum(w * v for w, v in zip(row, xs, strict=True)) + b) * spec.multiplier,
                            1 << spec.shift,
                        ),
                        rounding,
                    ),
                    fmt.min_code,
                ),
                fmt.max_code,
            )
            for row, b in zip(spec.weights, spec.bias, strict=True)
        ]
        for xs in x.tolist()
    ]
    assert layer.preactivation(x).tolist() == want_z
    act = SmeLU(1.5, fmt=fmt, rounding=rounding)
    assert layer.forward(x).tolist() == act.forward(np.array(want_z)).tolist()
    dy = rng.integers(-4000, 4000, (40, 5))
    assert layer.backward(x, dy).tolist() == act.fused_backward(np.array(want_z), dy).tolist()


def test_accumulator_width_bounds_every_input():
    spec = random_spec(np.random.default_rng(1), 16, "rne")
    extreme = np.array([[-(1 << 11) if w > 0 else (1 << 11) - 1 for w in spec.weights[0]]])
    acc = int((extreme @ np.array(spec.weights[0])).item() + spec.bias[0])
    assert abs(acc).bit_length() + 1 <= spec.accumulator_bits()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"weight_bits": 12}, "weight_bits must be 8 or 16"),
        ({"weights": ((200,),), "bias": (0,)}, "weights must be 8-bit signed codes"),
        ({"bias": (0,)}, "weights must be a rectangle with one bias per output"),
        ({"shift": 70}, "multiplier must be in 1..2\\*\\*31-1 and shift in 0..62"),
    ],
)
def test_dense_spec_errors(change, message):
    base = {
        "weights": ((1, 2), (3, 4)),
        "bias": (0, 0),
        "in_bits": 8,
        "weight_bits": 8,
        "multiplier": 3,
        "shift": 4,
        "activation": SmeLUSpec(fmt=QFormat(16, 8)),
    }
    with pytest.raises(ValueError, match=f"^{message}"):
        DenseSpec(**{**base, **change})


def test_committed_network_classifies_digits():
    from smelu_hw.repro.study import load_data

    _, _, x, labels = load_data()
    assert network_accuracy(load_network(), np.rint(x * 16).astype(np.int64), labels) > 0.85
