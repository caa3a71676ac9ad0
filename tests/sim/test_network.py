"""End to end: the digits network (64 -> 24 -> 10, SmeLU) streamed through dense-layer tiles."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from amaranth.back import verilog

from smelu_hw.hw.dense import DenseTile, TileChain
from smelu_hw.network import load_network
from smelu_hw.verify.cocotb_run import bench_environment, build_design, read_summary, run_cocotb


def run_network(
    work_dir: Path, top: str, *, latency: int = 1, images: int = 100, network: Path | None = None
) -> None:
    """Simulate a stored network's tile chain (``top="chain"``) or one tile (``"tileN"``) with
    :mod:`smelu_hw.verify.benches.network`; the committed digits network unless ``network``."""
    layers = load_network(network) if network else load_network()
    design = TileChain(layers, latency) if top == "chain" else DenseTile(layers[int(top[4:])], latency)
    work_dir.mkdir(parents=True, exist_ok=True)
    source = work_dir / f"{top}.v"
    source.write_text(verilog.convert(design, name=top, emit_src=False))
    build_design([source], top, work_dir / "build", "icarus")
    test = "network_inference_matches_model" if top == "chain" else "tile_backward_matches_model"
    failed = run_cocotb(
        toplevel=top,
        test_module="smelu_hw.verify.benches.network",
        testcases=[test],
        build_dir=work_dir / "build",
        test_dir=work_dir / "run",
        simulator="icarus",
        env=bench_environment(
            network_top=top,
            network_latency=latency,
            network_images=images,
            network_json=network.resolve() if network else "",
        ),
    )
    assert not failed, f"{test} failed; see {work_dir / 'run' / 'sim.log'}"
    assert read_summary(work_dir / "run", test)["vectors"] == images


def test_inference_through_the_tile_chain(tmp_path):
    # Latency 2 (stalls between pipelined tiles); the engine tests cover the combinational stage.
    run_network(tmp_path, "chain", latency=2, images=40)


def test_backward_step_through_the_output_tile(tmp_path):
    # The digits network's second tile (16-bit inputs); the int16 test below steps back
    # through a first tile (8-bit inputs).
    run_network(tmp_path, "tile1", latency=1, images=16)


def test_int16_weights_random_network(tmp_path):
    """A random network with int16 weights and a requantization that really scales."""
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
    run_network(tmp_path / "chain", "chain", latency=1, images=8, network=path)
    run_network(tmp_path / "tile0", "tile0", latency=2, images=4, network=path)
