"""The dense-layer model against plain integer/Fraction arithmetic, and its checks."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from smelu_hw import QFormat, SmeLUSpec
from smelu_hw.models.dense import DenseLayer
from smelu_hw.network import input_codes, load_network, network_accuracy, network_forward
from smelu_hw.specs import DenseSpec, check_chain
from tests.reference import expected_codes, reference_function, round_fraction


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
    # The activation from SPEC §3 in Fractions, not from the model class the layer uses.
    act = spec.activation
    flat_z = [z for row in want_z for z in row]
    want_y, want_dy = expected_codes(
        flat_z,
        reference_function(act),
        fmt.frac,
        act.out_fmt.frac,
        (act.out_fmt.min_code, act.out_fmt.max_code),
        act.grad_frac,
        (act.grad_fmt.min_code, act.grad_fmt.max_code),
        rounding,
    )
    assert layer.forward(x).reshape(-1).tolist() == want_y.tolist()
    g = rng.integers(-4000, 4000, (40, 5))
    scale = Fraction(1 << fmt.frac, 1 << (act.out_fmt.frac + act.grad_frac))
    want_dz = [
        min(max(round_fraction(upstream * slope * scale, rounding), fmt.min_code), fmt.max_code)
        for upstream, slope in zip(g.reshape(-1).tolist(), want_dy.tolist(), strict=True)
    ]
    assert layer.backward(x, g).reshape(-1).tolist() == want_dz


def test_accumulator_width_bounds_every_input():
    spec = random_spec(np.random.default_rng(1), 16, "rne")
    extreme = np.array([[-(1 << 11) if w > 0 else (1 << 11) - 1 for w in spec.weights[0]]])
    acc = int((extreme @ np.array(spec.weights[0])).item() + spec.bias[0])
    assert abs(acc).bit_length() + 1 <= spec.accumulator_bits()


BASE = {
    "weights": ((1, 2), (3, 4)),
    "bias": (0, 0),
    "in_bits": 8,
    "weight_bits": 8,
    "multiplier": 3,
    "shift": 4,
    "activation": SmeLUSpec(fmt=QFormat(16, 8)),
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"weight_bits": 12}, "weight_bits must be 8 or 16, not 12"),
        ({"weights": ((200,),), "bias": (0,)}, "weights must be 8-bit signed integers, not 200"),
        (
            {"weights": ((1, 2), (3,))},
            "weights must be a non-empty rectangle, not rows of lengths \\[1, 2\\]",
        ),
        ({"weights": (), "bias": ()}, "weights must be a non-empty rectangle"),
        ({"bias": (0,)}, "bias must have one entry per output \\(2\\), not 1"),
        ({"bias": (0, 0.5)}, "bias entries must be integers, not 0.5"),
        ({"in_bits": 1}, "in_bits must be an integer from 2 to 32, not 1"),
        ({"in_bits": 8.0}, "in_bits must be an integer from 2 to 32, not 8.0"),
        ({"multiplier": 0}, "multiplier must be in 1..2\\*\\*31-1, not 0"),
        ({"shift": 70}, "shift must be in 0..62, not 70"),
        (
            {"weights": ((32767,) * (1 << 17),), "bias": (1 << 48,), "weight_bits": 16, "in_bits": 32},
            "the exact accumulator needs 65 signed bits; at most 64 are supported",
        ),
    ],
)
def test_dense_spec_errors_echo_the_bad_value(change, message):
    with pytest.raises(ValueError, match=f"^(?:{message})"):
        DenseSpec(**{**BASE, **change})


def test_a_dense_spec_needs_an_activation_spec():
    with pytest.raises(TypeError, match="^activation must be an ActivationSpec, not 'smelu'"):
        DenseSpec(**{**BASE, "activation": "smelu"})


def test_an_accumulator_of_64_bits_is_accepted_and_exact_in_int64():
    # sum |w| * 2**31 + |b| just below 2**63: the widest tile the int64 model may hold.
    inputs = 1 << 17
    wide = {"weights": ((32767,) * inputs,), "bias": (0,), "weight_bits": 16, "in_bits": 32}
    spec = DenseSpec(**{**BASE, **wide})
    assert spec.accumulator_bits() == 64
    x = np.full((1, inputs), -(1 << 31), dtype=np.int64)
    exact = 32767 * inputs * -(1 << 31) * 3
    want = min(max(round_fraction(Fraction(exact, 16), "rne"), -(1 << 15)), (1 << 15) - 1)
    assert DenseLayer(spec).preactivation(x).tolist() == [[want]]


@pytest.mark.parametrize(
    ("second", "message"),
    [
        ({"weights": ((1, 2, 3),)}, "tile 0 has 2 outputs but tile 1 has 3 inputs"),
        (
            {"weights": ((1, 2),), "bias": (0,), "in_bits": 8},
            "tile 0 outputs 16-bit codes, but tile 1 takes in_bits=8",
        ),
    ],
)
def test_a_chain_of_mismatched_tiles_is_refused(second, message):
    first = DenseSpec(**BASE)
    after = DenseSpec(**{**BASE, "bias": (0,), "in_bits": 16, **second})
    with pytest.raises(ValueError, match=f"^{message}"):
        check_chain([first, after])
    with pytest.raises(ValueError, match=f"^{message}"):
        network_forward([first, after], np.zeros((1, 2), dtype=np.int64))
    with pytest.raises(ValueError, match="^a chain needs at least one dense tile"):
        check_chain([])


def test_dense_layer_input_checks_echo_the_bad_value():
    layer = DenseLayer(DenseSpec(**BASE))
    with pytest.raises(ValueError, match="^x must have shape \\(batch, 2\\), not \\(1, 3\\)"):
        layer.forward(np.zeros((1, 3), dtype=np.int64))
    with pytest.raises(ValueError, match="^x codes must fit 8 signed bits, not -1..200"):
        layer.forward(np.array([[200, -1]]))


def test_committed_network_classifies_digits():
    from smelu_hw.datasets import load_digits_split

    _, _, x, labels = load_digits_split()
    assert network_accuracy(load_network(), input_codes(x), labels) > 0.85
