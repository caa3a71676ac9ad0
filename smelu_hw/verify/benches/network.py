"""cocotb benches of the dense-layer tiles on real data: the digits network's inference
streamed through the tile chain, and one backward step through each tile, under random
backpressure, every output compared with the integer golden model bit for bit.

Not a pytest module (run by ``tests/sim/test_network.py``). Environment: ``SMELU_NETWORK_TOP`` (``chain`` or
``tileN``), ``SMELU_NETWORK_LATENCY``, ``SMELU_NETWORK_IMAGES`` and, for another network than
the committed digits one, ``SMELU_NETWORK_JSON``.
"""

from __future__ import annotations

import os
import random

import cocotb
import numpy as np

from ...datasets import load_digits_split
from ...hw.dense import BACKWARD, tile_layouts
from ...network import DIGITS_MLP, input_codes, load_network, network_backward, network_forward
from ..bench_io import write_summary
from ..streams import pack_lanes, start, transfer, unpack_lanes


def evaluation_images(count: int) -> tuple[np.ndarray, np.ndarray]:
    """The first ``count`` evaluation digits as Q8.4 pixel codes, and their labels."""
    _, _, x, labels = load_digits_split()
    return input_codes(x[:count]), labels[:count]


def _lane_bits(layout: object) -> int:
    return layout.elem_shape.width


@cocotb.test()
async def network_inference_matches_model(dut):
    layers = load_network(os.environ.get("SMELU_NETWORK_JSON") or DIGITS_MLP)
    latency = int(os.environ["SMELU_NETWORK_LATENCY"])
    images, labels = evaluation_images(int(os.environ["SMELU_NETWORK_IMAGES"]))
    await start(dut, latency > 0)
    words = [pack_lanes(image.tolist(), layers[0].in_bits) for image in images]
    received, _ = await transfer(dut, words, latency > 0, random.Random(11), gap=0.3, stall=0.4)
    _, outputs = tile_layouts(layers[-1])
    got = np.array([unpack_lanes(word, layers[-1].outputs, _lane_bits(outputs)) for word in received])
    want = network_forward(layers, images)[-1]
    assert np.array_equal(got, want), (
        f"{int(np.sum(np.any(got != want, axis=1)))} of {len(images)} differ; got {got[0]} want {want[0]}"
    )
    accuracy = float(np.mean(got.argmax(axis=1) == labels))
    dut._log.info("%d images bit-exact through %d layers; accuracy %.3f", len(images), len(layers), accuracy)
    write_summary("network_inference_matches_model", {"vectors": len(got)})


@cocotb.test()
async def tile_backward_matches_model(dut):
    top = os.environ["SMELU_NETWORK_TOP"]
    layers = load_network(os.environ.get("SMELU_NETWORK_JSON") or DIGITS_MLP)
    index = int(top.removeprefix("tile"))
    spec = layers[index]
    latency = int(os.environ["SMELU_NETWORK_LATENCY"])
    images, labels = evaluation_images(int(os.environ["SMELU_NETWORK_IMAGES"]))
    x, dy, dz = network_backward(layers, images, labels)[index]
    inputs, outputs = tile_layouts(spec)
    words = [
        BACKWARD
        | pack_lanes(row_x.tolist(), spec.in_bits, inputs["x"].offset)
        | pack_lanes(row_dy.tolist(), spec.activation.out_fmt.bits, inputs["dy"].offset)
        for row_x, row_dy in zip(x, dy, strict=True)
    ]
    await start(dut, latency > 0)
    received, _ = await transfer(dut, words, latency > 0, random.Random(12), gap=0.2, stall=0.3)
    got = np.array([unpack_lanes(word, spec.outputs, _lane_bits(outputs)) for word in received])
    assert np.array_equal(got, dz), f"{int(np.sum(np.any(got != dz, axis=1)))} of {len(dz)} gradients differ"
    dut._log.info("backward step of tile %d: %d gradient vectors bit-exact", index, len(dz))
    write_summary("tile_backward_matches_model", {"vectors": len(got)})
