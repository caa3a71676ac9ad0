"""A small integer network of dense-layer tiles, stored as JSON (weights are data, not code)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .fixed import QFormat
from .models.dense import DenseLayer
from .specs import DenseSpec, SmeLUSpec, check_chain

__all__ = [
    "DIGITS_MLP",
    "INPUT_FRAC",
    "UPSTREAM_GAIN",
    "input_codes",
    "load_network",
    "network_forward",
    "network_accuracy",
    "network_backward",
]

#: Fractional bits of the network's input codes (pixels 0..16 as Q8.4).
INPUT_FRAC = 4
#: Gain of the float cross-entropy gradient before it is quantized to a tile's output format,
#: so that the codes of the upstream gradient ``dy`` use the format's range instead of
#: rounding to zero (it only scales the bench's stimulus; every tile step stays bit-exact).
UPSTREAM_GAIN = 64
#: The committed digits network (see ``scripts/train_digits_mlp.py``).
DIGITS_MLP = Path(__file__).resolve().parent / "data" / "digits_mlp.json"


def load_network(path: Path = DIGITS_MLP) -> list[DenseSpec]:
    """The layers of a stored network, as dense-layer specs."""
    data = json.loads(Path(path).read_text())
    act = data["activation"]
    activation = SmeLUSpec(beta=act["beta"], fmt=QFormat(act["bits"], act["frac"]))
    return [
        DenseSpec(
            weights=tuple(map(tuple, layer["weights"])),
            bias=tuple(layer["bias"]),
            in_bits=layer["in_bits"],
            weight_bits=layer.get("weight_bits", 8),
            multiplier=layer["multiplier"],
            shift=layer["shift"],
            activation=activation,
        )
        for layer in data["layers"]
    ]


def input_codes(images: np.ndarray) -> np.ndarray:
    """Input codes (``INPUT_FRAC`` fractional bits) of images scaled to [0, 1]."""
    return np.rint(np.ldexp(images, INPUT_FRAC)).astype(np.int64)


def network_forward(layers: list[DenseSpec], x: np.ndarray) -> list[np.ndarray]:
    """Every layer's output codes for input codes ``x`` of shape ``(batch, inputs)``."""
    check_chain(layers)
    outputs = []
    for spec in layers:
        x = DenseLayer(spec).forward(x)
        outputs.append(x)
    return outputs


def network_accuracy(layers: list[DenseSpec], x: np.ndarray, labels: np.ndarray) -> float:
    return float(np.mean(network_forward(layers, x)[-1].argmax(axis=1) == labels))


def network_backward(
    layers: list[DenseSpec], x: np.ndarray, labels: np.ndarray
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """One backward step of softmax cross-entropy: per layer, its input codes, the upstream
    gradient codes ``dy`` and the expected ``dz`` codes (the tile's backward mode).

    The gradient reaching a layer's output is computed in float64 from the next layer's ``dz``
    and quantized to the output format once; each tile's own step, ``dz = dy * f'(z)``, is the
    bit-exact model.
    """
    *hidden, last = network_forward(layers, x)
    inputs = [x, *hidden]
    logits = layers[-1].activation.out_fmt.to_real(last)
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(len(labels)), labels] -= 1
    upstream = p / len(labels) * UPSTREAM_GAIN
    steps: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for index in range(len(layers) - 1, -1, -1):
        spec = layers[index]
        dy = spec.activation.out_fmt.to_codes(upstream)
        dz = DenseLayer(spec).backward(inputs[index], dy)
        steps.append((inputs[index], dy, dz))
        in_frac = spec.activation.fmt.frac if index else INPUT_FRAC
        scale = spec.multiplier * 2.0 ** (in_frac - spec.activation.fmt.frac - spec.shift)
        upstream = spec.activation.fmt.to_real(dz) @ (np.array(spec.weights, dtype=np.float64) * scale)
    return steps[::-1]
