"""cocotb bench for a :class:`~smelu_hw.hw.lanes.LaneArray`: many vectors per step, NumPy in
and out, compared with the golden model in one vectorised check at the end.

Not a pytest module (see :mod:`sim.runner`). Environment: ``SMELU_MANIFEST`` (the single
unit's manifest), ``SMELU_LANES``, and ``SMELU_CODES`` (``all`` or ``start:stop``).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import cocotb
import numpy as np
from cocotb.triggers import Timer

from smelu_hw.hw.lanes import byte_stride
from smelu_hw.manifest import model_from_manifest


def pack(codes: np.ndarray, stride: int) -> int:
    """Lane codes (two's complement) into one integer, ``stride`` bits per lane."""
    size = stride // 8
    raw = codes.astype("<i8").view(np.uint8).reshape(-1, 8)[:, :size]
    return int.from_bytes(raw.tobytes(), "little")


def unpack(value: int, lanes: int, stride: int, bits: int, signed: bool) -> np.ndarray:
    size = stride // 8
    raw = np.frombuffer(value.to_bytes(lanes * size, "little"), dtype=np.uint8).reshape(lanes, size)
    padded = np.zeros((lanes, 8), dtype=np.uint8)
    padded[:, :size] = raw
    codes = padded.view("<i8").reshape(lanes) & ((1 << bits) - 1)
    if signed:
        codes = np.where(codes >= 1 << (bits - 1), codes - (1 << bits), codes)
    return codes


@cocotb.test()
async def lanes_match_model(dut):
    manifest = json.loads(Path(os.environ["SMELU_MANIFEST"]).read_text())
    model = model_from_manifest(manifest)
    spec = model.spec
    lanes = int(os.environ["SMELU_LANES"])
    window = os.environ.get("SMELU_CODES", "all")
    start, stop = (
        (spec.fmt.min_code, spec.fmt.max_code + 1) if window == "all" else map(int, window.split(":"))
    )
    codes = np.arange(start, stop, dtype=np.int64)
    padded = np.concatenate([codes, np.full(-len(codes) % lanes, codes[-1])])
    formats = {"y": spec.out_fmt, "dy": spec.grad_fmt}
    strides = {name: byte_stride(fmt.bits) for name, fmt in formats.items()}
    results = {name: np.empty(len(padded), dtype=np.int64) for name in formats}
    x_stride = byte_stride(spec.fmt.bits)
    began = time.perf_counter()
    for offset in range(0, len(padded), lanes):
        dut.x.value = pack(padded[offset : offset + lanes], x_stride)
        await Timer(1, unit="ns")
        for name, fmt in formats.items():
            value = getattr(dut, name).value.to_unsigned()
            results[name][offset : offset + lanes] = unpack(value, lanes, strides[name], fmt.bits, fmt.signed)
    simulated = time.perf_counter() - began
    want_y, want_dy = model.forward(codes), model.grad(codes)
    for name, want in (("y", want_y), ("dy", want_dy)):
        got = results[name][: len(codes)]
        bad = np.flatnonzero(got != want)
        first = bad[:5]
        assert bad.size == 0, (
            f"{bad.size} {name} mismatches: x={codes[first].tolist()} got {got[first]} want {want[first]}"
        )
    rate = len(codes) / simulated
    dut._log.info("%d codes x (y, dy) match; %.0f vectors/s in simulation", len(codes), rate)
    Path(os.environ.get("SMELU_RATE_FILE", os.devnull)).write_text(f"{len(codes)} {simulated}\n")
