"""Train the small digits network the end-to-end bench streams, and store it as integers.

64 pixels -> 24 -> 10, SmeLU (beta = 1) after both layers, trained in float64 on
scikit-learn's digits, then quantized: int8 weights with one scale per layer, int32 biases in
accumulator units, and a fixed-point requantization multiplier with a shift. Writes
``smelu_hw/data/digits_mlp.json`` and prints the integer network's test accuracy (the golden
dense-layer model). Run once: ``python scripts/train_digits_mlp.py``.
"""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path

import numpy as np

from smelu_hw.approx.functions import smelu_float
from smelu_hw.datasets import load_digits_split
from smelu_hw.network import INPUT_FRAC, input_codes, load_network, network_accuracy

OUT = Path(__file__).resolve().parent.parent / "smelu_hw" / "data" / "digits_mlp.json"
SHIFT = 24
BETA = 1.0  # SmeLU's beta after both layers
ACT_FRAC = 8  # activations in Q16.8


def train(
    x: np.ndarray, labels: np.ndarray, sizes: list[int], epochs: int = 60
) -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(7)
    layers = [(rng.normal(0, np.sqrt(2 / a), (a, b)), np.zeros(b)) for a, b in pairwise(sizes)]
    for _ in range(epochs):
        for batch in np.array_split(rng.permutation(len(x)), len(x) // 32):
            h, cache = x[batch], []
            for w, b in layers:
                a, slope = smelu_float(h @ w + b, BETA)
                cache.append((h, slope))
                h = a
            p = np.exp(h - h.max(axis=1, keepdims=True))
            p /= p.sum(axis=1, keepdims=True)
            delta = p
            delta[np.arange(len(batch)), labels[batch]] -= 1
            delta /= len(batch)
            for i in range(len(layers) - 1, -1, -1):
                h, slope = cache[i]
                delta = delta * slope
                w, b = layers[i]
                grad_w, grad_b = h.T @ delta, delta.sum(axis=0)
                delta = delta @ w.T
                layers[i] = (w - 0.1 * grad_w, b - 0.1 * grad_b)
    return layers


def quantize(layers: list[tuple[np.ndarray, np.ndarray]]) -> list[dict[str, object]]:
    result, in_frac = [], INPUT_FRAC
    for w, b in layers:
        scale = float(np.abs(w).max()) / 127
        codes = np.rint(w / scale).astype(int).T  # [outputs][inputs]
        unit = scale * 2.0**-in_frac  # value of one accumulator step
        bias = np.rint(b / unit).astype(int)
        multiplier = round(unit * 2.0**ACT_FRAC * 2**SHIFT)
        result.append(
            {
                "weights": codes.tolist(),
                "bias": bias.tolist(),
                "multiplier": multiplier,
                "shift": SHIFT,
                "in_bits": 8 if in_frac == INPUT_FRAC else 16,
            }
        )
        in_frac = ACT_FRAC
    return result


def main() -> None:
    x, labels, x_test, labels_test = load_digits_split()
    layers = train(x, labels, [64, 24, 10])
    network = {
        "activation": {"beta": BETA, "bits": 16, "frac": ACT_FRAC},
        "layers": quantize(layers),
    }
    OUT.write_text(json.dumps(network) + "\n")
    pixels = input_codes(x_test)
    print(f"integer network test accuracy: {network_accuracy(load_network(OUT), pixels, labels_test):.3f}")


if __name__ == "__main__":
    main()
