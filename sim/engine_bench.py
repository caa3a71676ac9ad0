"""cocotb bench of a streaming engine against the golden model, under random backpressure.

Not a pytest module (see :mod:`sim.runner`). Beats carry random modes, input codes around the
knots and anywhere, and random upstream gradients. The source leaves random gaps, the sink
drops ``o.ready`` at random, and every output beat must equal the model, in order. A second
test checks full throughput: with no gaps and no backpressure, ``n`` beats take ``n`` cycles
plus the latency.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import cocotb
import numpy as np

from sim.streams import pack_lanes, start, transfer, unpack_lanes
from sim.vectors import knots
from smelu_hw.manifest import model_from_manifest


class EngineBench:
    def __init__(self, dut: object) -> None:
        self.dut = dut
        self.manifest = json.loads(Path(os.environ["SMELU_MANIFEST"]).read_text())
        self.model = model_from_manifest(self.manifest)
        self.engine = self.manifest["engine"]
        self.lanes = self.engine["lanes"]
        self.rng = random.Random(int(os.environ.get("SMELU_SEED", "1")))

    def beats(self, count: int) -> list[tuple[int, np.ndarray, np.ndarray]]:
        spec = self.model.spec
        special = [k + d for k in knots(spec) for d in (-1, 0, 1)] + [spec.fmt.min_code, spec.fmt.max_code, 0]
        result = []
        for _ in range(count):
            x = np.array(
                [
                    self.rng.choice(special)
                    if self.rng.random() < 0.2
                    else self.rng.randint(spec.fmt.min_code, spec.fmt.max_code)
                    for _ in range(self.lanes)
                ]
            )
            g = np.array(
                [self.rng.randint(spec.out_fmt.min_code, spec.out_fmt.max_code) for _ in range(self.lanes)]
            )
            result.append((self.rng.choice(list(self.engine["modes"].values())), x, g))
        return result

    def pack(self, mode: int, x: np.ndarray, g: np.ndarray) -> int:
        fields = self.engine["input_fields"]
        word = mode << fields["mode"][0]
        for name, values in (("x", x), ("g", g)):
            offset, width = fields[name]
            word |= pack_lanes(values.tolist(), width // self.lanes, offset)
        return word

    def unpack(self, word: int) -> list[int]:
        return unpack_lanes(word, self.lanes, self.engine["output_lane_bits"])

    def expected(self, mode: int, x: np.ndarray, g: np.ndarray) -> list[int]:
        modes = self.engine["modes"]
        if mode == modes["forward"]:
            return self.model.forward(x).tolist()
        if mode == modes["gradient"]:
            return self.model.grad(x).tolist()
        return self.model.fused_backward(x, g).tolist()

    async def start(self) -> None:
        await start(self.dut, bool(self.manifest["latency"]))


async def stream(bench: EngineBench, beats: list, gap: float, stall: float) -> tuple[list[list[int]], int]:
    """Push every beat through; return the received beats and the cycles taken."""
    words = [bench.pack(*beat) for beat in beats]
    received, cycles = await transfer(
        bench.dut, words, bool(bench.manifest["latency"]), bench.rng, gap, stall
    )
    return [bench.unpack(word) for word in received], cycles


async def Timer_settle() -> None:
    from cocotb.triggers import Timer

    await Timer(1, unit="ns")


@cocotb.test()
async def engine_matches_model_under_backpressure(dut):
    bench = EngineBench(dut)
    await bench.start()
    beats = bench.beats(400)
    received, _ = await stream(bench, beats, gap=0.3, stall=0.4)
    mismatches = [
        f"beat {i} mode {mode} x={x.tolist()} g={g.tolist()}: got {got} want {bench.expected(mode, x, g)}"
        for i, ((mode, x, g), got) in enumerate(zip(beats, received, strict=True))
        if got != bench.expected(mode, x, g)
    ]
    assert not mismatches, f"{len(mismatches)} of {len(beats)} beats differ: " + "; ".join(mismatches[:5])


@cocotb.test()
async def engine_has_full_throughput(dut):
    bench = EngineBench(dut)
    await bench.start()
    beats = bench.beats(200)
    received, cycles = await stream(bench, beats, gap=0.0, stall=0.0)
    assert received == [bench.expected(*beat) for beat in beats]
    # One beat per cycle: a beat accepted at edge k leaves at edge k + latency.
    assert cycles == len(beats) + bench.manifest["latency"], f"{cycles} cycles for {len(beats)} beats"
