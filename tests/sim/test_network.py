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
