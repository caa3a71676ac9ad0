"""cocotb benches of a generated activation unit against its golden model, bit for bit.

Not a pytest module: ``tests/sim/`` builds each configuration and runs these through
:mod:`sim.runner`. The unit under test is described by the manifest named in the
``SMELU_MANIFEST`` environment variable; the model is rebuilt from it.
"""

from __future__ import annotations

import json
import os
import random
import time
from collections import deque
from pathlib import Path

import cocotb
import numpy as np
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, ReadOnly, RisingEdge, Timer

from sim.vectors import input_codes
from smelu_hw.manifest import model_from_manifest

MAX_REPORTED = 10


class Bench:
    """The unit's manifest, golden model and a port reader."""

    def __init__(self, dut: object) -> None:
        self.dut = dut
        self.manifest = json.loads(Path(os.environ["SMELU_MANIFEST"]).read_text())
        self.model = model_from_manifest(self.manifest)
        self.with_grad = self.manifest["grad"] is not None
        self.grad_signed = self.with_grad and self.manifest["grad"]["signed"]
        self.seed = int(os.environ.get("SMELU_SEED", "1"))

    def expected(self, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        return self.model.forward(codes), self.model.grad(codes) if self.with_grad else None

    def read(self) -> tuple[int, int | None]:
        y = self.dut.y.value.to_signed()
        if not self.with_grad:
            return y, None
        dy = self.dut.dy.value
        return y, dy.to_signed() if self.grad_signed else int(dy)  # int(): a 1-bit port is a Logic


def check(mismatches: list[str], total: int) -> None:
    assert not mismatches, f"{len(mismatches)} of {total} vectors differ: " + "; ".join(
        mismatches[:MAX_REPORTED]
    )


@cocotb.test()
async def combinational_matches_model(dut):
    """Every vector of the input set (exhaustive up to 16 bits) gives the model's y and dy."""
    bench = Bench(dut)
    codes = input_codes(bench.model.spec, bench.seed)
    want_y, want_dy = bench.expected(codes)
    mismatches = []
    began = time.perf_counter()
    for index, code in enumerate(codes.tolist()):
        dut.x.value = code
        await Timer(1, unit="ns")
        y, dy = bench.read()
        if y != want_y[index] or (want_dy is not None and dy != want_dy[index]):
            expected_dy = None if want_dy is None else int(want_dy[index])
            mismatches.append(f"x={code}: y={y} want {int(want_y[index])}, dy={dy} want {expected_dy}")
    elapsed = time.perf_counter() - began
    check(mismatches, len(codes))
    dut._log.info("%d vectors match the golden model", len(codes))
    Path(os.environ.get("SMELU_RATE_FILE", os.devnull)).write_text(f"{len(codes)} {elapsed}\n")


@cocotb.test()
async def pipeline_matches_model(dut):
    """Random in_valid gaps, a reset mid-stream, and the exact latency of every result."""
    bench = Bench(dut)
    latency = bench.manifest["latency"]
    rng = random.Random(bench.seed)
    spec = bench.model.spec
    cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
    cycles = 3000
    resets = {0, 1, cycles // 2, cycles // 2 + 1}
    pending: deque[tuple[int, int, int]] = deque()  # (edge the result shows after, code, index)
    codes = np.array([rng.randint(spec.fmt.min_code, spec.fmt.max_code) for _ in range(cycles)])
    want_y, want_dy = bench.expected(codes)
    mismatches, checked = [], 0
    await FallingEdge(dut.clk)
    for edge in range(cycles):
        reset = edge in resets
        valid = rng.random() < 0.7
        dut.x.value = int(codes[edge])
        dut.in_valid.value = valid
        dut.rst.value = reset
        await RisingEdge(dut.clk)
        await ReadOnly()
        if reset:  # results still in flight are dropped
            pending = deque(item for item in pending if item[0] < edge)
        elif valid:
            pending.append((edge + latency - 1, int(codes[edge]), edge))
        due = pending and pending[0][0] == edge
        if bool(dut.out_valid.value) != bool(due):
            mismatches.append(f"edge {edge}: out_valid={dut.out_valid.value} want {int(bool(due))}")
        if due:
            _, code, index = pending.popleft()
            y, dy = bench.read()
            checked += 1
            if y != want_y[index] or (want_dy is not None and dy != want_dy[index]):
                mismatches.append(f"edge {edge} x={code}: y={y} want {int(want_y[index])}, dy={dy}")
        await FallingEdge(dut.clk)
    check(mismatches, cycles)
    assert checked > cycles // 2, f"only {checked} results checked"
    dut._log.info("%d pipelined results match, latency %d", checked, latency)
