"""The Icarus batch driver: a plain Verilog bench that runs a unit in one ``vvp`` run, without
cocotb's per-vector cost (about four times faster for a 16-bit unit, and a second less start-up).

It is to Icarus what the native driver (``cpp/unit_driver.cpp``) is to Verilator, with the
same protocol: it reads the input codes, drives one per evaluation (one per clock cycle when
pipelined, ``in_valid`` high, after one reset cycle) and writes, per code, the raw ``y`` and
``dy`` port bits and ``out_valid``. With ``+contract`` (pipelined units) it instead applies
one row of :mod:`smelu_hw.verify.contract`'s stimulus (``rst``, ``in_valid``, ``x``) per clock
edge and writes the ports after every edge. The comparison with the golden model stays in
Python (:func:`smelu_hw.verify.checks.sweep_shard`, :func:`~smelu_hw.verify.contract.judge_contract`).
A value with an ``x`` or ``z`` bit, a short or missing output file, or a failing ``vvp`` is a
:class:`~.cocotb_run.BenchError`.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from ..manifest import port_widths
from .cocotb_run import HANG_BASE_SECONDS, BenchError, run_limited
from .contract import UNDEFINED, ContractStimulus

__all__ = [
    "BATCH_TOP",
    "MAX_BATCH_CODES",
    "batch_contract_outputs",
    "batch_outputs",
    "build_batch",
    "driver_verilog",
]

#: The digits of a defined value in the driver's `%h` output.
_HEX = set("0123456789abcdef")
#: Module name of the driver.
BATCH_TOP = "smelu_batch_driver"
#: Most codes one run takes (its code memory is this deep): the cocotb sweep's exhaustive limit.
MAX_BATCH_CODES = 1 << 18
#: Seconds per million codes before a run counts as hung (a 16-bit unit takes about 1 s for 2^16).
SECONDS_PER_MILLION = 600


def driver_verilog(manifest: Mapping[str, object]) -> str:
    """The driver of the unit a manifest describes (reads ``codes.hex``, writes ``out.hex``)."""
    widths = port_widths(manifest)
    latency = int(manifest["latency"])
    has_dy = "dy" in widths
    x_bits, y_bits = widths["x"], widths["y"]
    dy = "dy" if has_dy else "1'b0"
    ports = [".x(x)", ".y(y)"] + ([".dy(dy)"] if has_dy else [])
    word_bits = x_bits + 2 if latency else x_bits  # a contract row: {rst, in_valid, x}
    lines = [
        "`timescale 1ns/1ps",
        f"module {BATCH_TOP};",
        f"  reg [{word_bits - 1}:0] codes [0:{MAX_BATCH_CODES - 1}];",
        f"  reg [{x_bits - 1}:0] x = 0;",
        f"  wire [{y_bits - 1}:0] y;",
        *([f"  wire [{widths['dy'] - 1}:0] dy;"] if has_dy else []),
        "  integer count, step, out;",
    ]
    if latency:
        lines += ["  reg clk = 0, rst = 1, in_valid = 0;", "  wire out_valid;"]
        ports += [".clk(clk)", ".rst(rst)", ".in_valid(in_valid)", ".out_valid(out_valid)"]
    lines += [
        f"  {manifest['module']} dut ({', '.join(ports)});",
        "  initial begin",
        '    if (!$value$plusargs("count=%d", count)) $fatal(1, "no +count");',
        '    $readmemh("codes.hex", codes, 0, count - 1);',
        '    out = $fopen("out.hex", "w");',
    ]
    if latency:
        lines += [
            "    #1 clk = 1; #1 clk = 0; rst = 0;",  # one reset cycle
            '    if ($test$plusargs("contract")) begin',
            "      for (step = 0; step < count; step = step + 1) begin",
            "        {rst, in_valid, x} = codes[step];",
            "        #1 clk = 1;",
            "        #1;",
            f'        $fwrite(out, "%h %h %h\\n", y, {dy}, out_valid);',
            "        clk = 0;",
            "      end",
            "    end else begin",
            f"      for (step = 0; step < count + {latency - 1}; step = step + 1) begin",
            "        x = codes[step < count ? step : count - 1];",
            "        in_valid = step < count;",
            "        #1 clk = 1;",
            "        #1;",
            f'        if (step >= {latency - 1}) $fwrite(out, "%h %h %h\\n", y, {dy}, out_valid);',
            "        clk = 0;",
            "      end",
            "    end",
        ]
    else:
        lines += [
            "    for (step = 0; step < count; step = step + 1) begin",
            "      x = codes[step];",
            "      #1;",
            f'      $fwrite(out, "%h %h 1\\n", y, {dy});',
            "    end",
        ]
    lines += ["    $fclose(out);", "    $finish;", "  end", "endmodule", ""]
    return "\n".join(lines)


def build_batch(manifest: Mapping[str, object], folder: Path) -> None:
    """Compile ``MODULE.v`` (in ``folder``) and its driver into ``folder/batch.vvp``."""
    (folder / "batch_driver.v").write_text(driver_verilog(manifest))
    command = ["iverilog", "-g2005", "-o", "batch.vvp", f"{manifest['module']}.v", "batch_driver.v"]
    result = subprocess.run(command, cwd=folder, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BenchError(f"iverilog could not build the batch driver: {result.stderr.strip()[-500:]}")


def _run(
    folder: Path, run: Path, words: list[int], *plusargs: str, undefined_allowed: bool = False
) -> np.ndarray:
    """Run the driver built in ``folder`` on ``words`` (its code memory) in the folder ``run``;
    return the rows ``[y, dy, out_valid]`` of raw port bits, one per word. A value with an
    ``x`` or ``z`` bit is an error, or with ``undefined_allowed`` :data:`~.contract.UNDEFINED`."""
    if not 0 < len(words) <= MAX_BATCH_CODES:
        raise BenchError(f"a batch run takes 1 to {MAX_BATCH_CODES} codes, not {len(words)}")
    (run / "codes.hex").write_text("".join(f"{word:x}\n" for word in words))
    limit = HANG_BASE_SECONDS + SECONDS_PER_MILLION * len(words) // 1_000_000
    command = ["vvp", "-n", str(folder / "batch.vvp"), f"+count={len(words)}", *plusargs]
    result = run_limited(command, run, limit, BenchError(f"the batch driver ran over {limit} CPU s in {run}"))
    output = run / "out.hex"
    if result.returncode != 0 or not output.is_file():
        raise BenchError(f"the batch driver failed (status {result.returncode}): {result.stdout[-300:]}")
    text = output.read_text().split()
    if len(text) != 3 * len(words):
        raise BenchError(f"the batch driver wrote {len(text) // 3} results for {len(words)} codes")
    try:
        values = [int(word, 16) for word in text]
    except ValueError:  # Icarus writes an x or z digit
        if not undefined_allowed:
            raise BenchError("the unit drove an undefined (x or z) output bit; see the waves") from None
        values = [int(word, 16) if set(word) <= _HEX else UNDEFINED for word in text]
    return np.array(values, dtype=np.int64).reshape(-1, 3)


def batch_outputs(folder: Path, run: Path, codes: np.ndarray, x_bits: int) -> np.ndarray:
    """Run the driver built in ``folder`` on ``codes`` in the folder ``run``; return the rows
    ``[y, dy, out_valid]`` of raw port bits, one per code."""
    mask = (1 << x_bits) - 1
    return _run(folder, run, [int(code) & mask for code in codes])


def batch_contract_outputs(folder: Path, run: Path, stimulus: ContractStimulus, x_bits: int) -> np.ndarray:
    """Apply ``stimulus`` with the driver built in ``folder`` (a pipelined unit's) in the
    folder ``run``; return the rows ``[y, dy, out_valid]`` after each clock edge, undefined
    values as :data:`~.contract.UNDEFINED` (the judge frees them while no result is due)."""
    mask = (1 << x_bits) - 1
    words = [
        (int(reset) << (x_bits + 1)) | (int(valid) << x_bits) | (int(code) & mask)
        for code, valid, reset in zip(stimulus.codes, stimulus.valid, stimulus.reset, strict=True)
    ]
    return _run(folder, run, words, "+contract", undefined_allowed=True)
