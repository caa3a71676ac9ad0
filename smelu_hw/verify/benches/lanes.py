"""cocotb bench for a :class:`~smelu_hw.hw.lanes.LaneArray`: many vectors per step, NumPy in
and out, compared with the golden model in one vectorised check at the end.

Not a pytest module (run by :func:`smelu_hw.verify.lanes.lanes_check`). Environment:
``SMELU_MANIFEST`` (the single
unit's manifest), ``SMELU_LANES``, and ``SMELU_CODES`` (``all`` or ``start:stop``).
"""

from __future__ import annotations

import os
import time

import cocotb
import numpy as np
from cocotb.triggers import Timer

from ...hw.lanes import byte_stride, decode_lanes, encode_lanes
from ...manifest import model_from_manifest
from ..bench_io import read_manifest, write_summary


@cocotb.test()
async def lanes_match_model(dut):
    manifest = read_manifest()
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
    x_size = byte_stride(spec.fmt.bits) // 8
    steps = len(padded) // lanes
    # Every step's input word as bytes, packed once; outputs are kept as integers and
    # unpacked once at the end, so the loop only moves words.
    inputs = encode_lanes(padded, lanes, spec.fmt.bits)
    # Raw GPI binary strings: cocotb's LogicArray conversion of wide values costs more than
    # the simulation itself at these widths.
    x_handle = dut.x._handle
    readers = [getattr(dut, name)._handle.get_signal_val_binstr for name in formats]
    x_width = lanes * x_size * 8
    words: list[list[int]] = [[] for _ in formats]
    began = time.perf_counter()
    for step in range(steps):
        word = int.from_bytes(inputs[step].tobytes(), "little")
        x_handle.set_signal_val_binstr(0, format(word, f"0{x_width}b"))
        await Timer(1, unit="ns")
        for collected, read in zip(words, readers, strict=True):
            collected.append(int(read(), 2))
    results = {
        name: decode_lanes(
            np.frombuffer(
                b"".join(w.to_bytes(lanes * strides[name] // 8, "little") for w in collected), np.uint8
            ),
            fmt.bits,
            fmt.signed,
        )
        for collected, (name, fmt) in zip(words, formats.items(), strict=True)
    }
    want_y, want_dy = model.forward(codes), model.grad(codes)
    for name, want in (("y", want_y), ("dy", want_dy)):
        got = results[name][: len(codes)]
        bad = np.flatnonzero(got != want)
        first = bad[:5]
        assert bad.size == 0, (
            f"{bad.size} {name} mismatches: x={codes[first].tolist()} got {got[first]} want {want[first]}"
        )
    simulated = time.perf_counter() - began  # simulation, unpacking, golden model and comparison
    rate = len(codes) / simulated
    dut._log.info("%d codes x (y, dy) match; %.0f vectors/s in simulation", len(codes), rate)
    write_summary("lanes_match_model", {"count": len(codes), "seconds": simulated})
