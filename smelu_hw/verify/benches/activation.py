"""cocotb benches of one generated activation unit (SPEC §6 ports).

Not a pytest module: :mod:`smelu_hw.verify` builds the unit and runs these through
:func:`~smelu_hw.verify.cocotb_run.run_cocotb`. Environment:

``SMELU_MANIFEST``
    The unit's ``MODULE.json``; the golden model is rebuilt from it.
``SMELU_CODES``
    ``sweep``: a ``.npy`` file of the input codes to drive (default: every code up to 2^16
    codes, else the knots', extremes' and random codes of :func:`~smelu_hw.specs.pieces.codes_near_knots`).
``SMELU_SEED``
    ``pipeline_contract``: seed of the random stream.

Each test writes a JSON summary (and ``sweep`` its raw outputs) into its test folder, so the
caller can check that exactly the planned vectors were compared.
"""

from __future__ import annotations

import os

import cocotb
import numpy as np
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, ReadOnly, RisingEdge, Timer

from ...manifest import model_from_manifest
from ...specs.pieces import codes_near_knots
from ..bench_io import read_manifest, read_seed, write_summary
from ..compare import decode, mismatch_records
from ..contract import contract_stimulus, judge_contract
from ..plan import RANDOM_SAMPLES, SAMPLE_MARGIN
from .ports import Port

__all__ = ["pipeline_contract", "sweep"]

#: Without ``SMELU_CODES``, inputs up to this many bits are swept exhaustively.
STANDALONE_EXHAUSTIVE_BITS = 16


async def _reset(dut: object) -> None:
    cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
    dut.in_valid.value = 0
    dut.rst.value = 1
    await RisingEdge(dut.clk)
    await FallingEdge(dut.clk)
    dut.rst.value = 0


def _codes(manifest: dict) -> np.ndarray:
    if "SMELU_CODES" in os.environ:
        return np.load(os.environ["SMELU_CODES"])
    fmt = model_from_manifest(manifest).spec.fmt
    if fmt.bits <= STANDALONE_EXHAUSTIVE_BITS:
        return fmt.codes()
    knots = model_from_manifest(manifest).spec.knots()
    return codes_near_knots(
        knots, fmt.min_code, fmt.max_code, margin=SAMPLE_MARGIN, count=RANDOM_SAMPLES["cocotb"]
    )


@cocotb.test()
async def sweep(dut):
    """Drive every code of ``SMELU_CODES``, one per step (one per cycle when pipelined), record
    ``y``, ``dy`` and ``out_valid``, and compare them with the golden model."""
    manifest = read_manifest()
    codes = _codes(manifest).tolist()
    latency, with_grad = manifest["latency"], manifest["grad"] is not None
    rows: list[tuple[int, int, int]] = []
    x, y = Port(dut.x), Port(dut.y)
    read_dy = Port(dut.dy).read if with_grad else lambda: 0
    if latency == 0:
        for code in codes:
            x.write(code)
            await Timer(1, unit="ns")
            rows.append((y.read(), read_dy(), 1))
    else:
        await _reset(dut)
        in_valid, out_valid = Port(dut.in_valid), Port(dut.out_valid)
        rising, read_only, falling = RisingEdge(dut.clk), ReadOnly(), FallingEdge(dut.clk)
        for step in range(len(codes) + latency - 1):
            x.write(codes[min(step, len(codes) - 1)])
            in_valid.write(int(step < len(codes)))
            await rising
            await read_only
            if step >= latency - 1:
                rows.append((y.read(), read_dy(), out_valid.read()))
            await falling
    raw = np.array(rows, dtype=np.int64).reshape(-1, 3)
    np.save("sweep_out.npy", raw)
    y, dy = decode(manifest, raw)
    records, count, _ = mismatch_records(model_from_manifest(manifest), np.array(codes), y, dy)
    count += int(np.sum(raw[:, 2] != 1))
    write_summary("sweep", {"count": len(rows), "mismatch_count": count, "mismatches": records})
    assert len(rows) == len(codes), f"{len(rows)} results for {len(codes)} codes"
    assert count == 0, f"{count} of {len(codes)} vectors differ from the golden model: {records[:3]}"
    dut._log.info("%d codes match the golden model", len(rows))


@cocotb.test()
async def pipeline_contract(dut):
    """Random ``in_valid`` gaps and a reset mid-stream, with every stage full when it comes:
    ``out_valid`` rises exactly ``latency`` cycles after each accepted input (SPEC §6), results
    in flight at a reset are dropped, and every result equals the golden model. The stream
    and its judge are :mod:`smelu_hw.verify.contract`'s, which the batch driver shares."""
    manifest = read_manifest()
    model = model_from_manifest(manifest)
    stimulus = contract_stimulus(model, manifest["latency"], read_seed())
    x, y, rst = Port(dut.x), Port(dut.y), Port(dut.rst)
    in_valid, out_valid = Port(dut.in_valid), Port(dut.out_valid)
    read_dy = Port(dut.dy).read_or_undefined if manifest["grad"] is not None else lambda: 0
    rows: list[tuple[int, int, int]] = []
    await _reset(dut)
    for edge in range(len(stimulus)):
        x.write(int(stimulus.codes[edge]))
        in_valid.write(int(stimulus.valid[edge]))
        rst.write(int(stimulus.reset[edge]))
        await RisingEdge(dut.clk)
        await ReadOnly()
        rows.append((y.read_or_undefined(), read_dy(), out_valid.read_or_undefined()))
        await FallingEdge(dut.clk)
    summary = judge_contract(stimulus, manifest, model, np.array(rows, dtype=np.int64).reshape(-1, 3))
    write_summary("pipeline_contract", summary)
    assert not summary["valid_error_count"], f"out_valid errors: {summary['valid_errors'][:3]}"
    assert not summary["mismatch_count"], f"results differ from the golden model: {summary['mismatches'][:3]}"
    assert summary["checked"] > len(stimulus) // 2, f"only {summary['checked']} results checked"
