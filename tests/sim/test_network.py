"""End to end: the digits network (64 -> 24 -> 10, SmeLU) streamed through dense-layer tiles."""

from __future__ import annotations

import pytest

from sim.runner import run_network


@pytest.mark.parametrize("latency", [0, 2])
def test_inference_through_the_tile_chain(tmp_path, latency):
    run_network(tmp_path, "chain", latency=latency, images=100)


@pytest.mark.parametrize("top", ["tile0", "tile1"])
def test_backward_step_through_each_tile(tmp_path, top):
    run_network(tmp_path, top, latency=1, images=32)


def test_int16_weights_random_network(tmp_path):
    """A random network with int16 weights and a requantization that really scales."""
    import json

    import numpy as np

    rng = np.random.default_rng(16)
    layers = []
    for inputs, outputs, in_bits in ((64, 6, 8), (6, 10, 16)):
        layers.append(
            {
                "weights": rng.integers(-(1 << 15), 1 << 15, (outputs, inputs)).tolist(),
                "bias": rng.integers(-(1 << 20), 1 << 20, outputs).tolist(),
                "multiplier": int(rng.integers(1 << 10, 1 << 16)),
                "shift": 30 if in_bits == 8 else 34,
                "in_bits": in_bits,
                "weight_bits": 16,
            }
        )
    path = tmp_path / "net.json"
    path.write_text(json.dumps({"activation": {"beta": 1.0, "bits": 16, "frac": 8}, "layers": layers}))
    run_network(tmp_path / "chain", "chain", latency=1, images=40, network=path)
    run_network(tmp_path / "tile0", "tile0", latency=2, images=16, network=path)
