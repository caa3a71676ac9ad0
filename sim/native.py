"""The native fast path: a Verilator-compiled lane array driven by a small C++ loop.

The C++ driver (``sim/cpp/lanes_main.cpp``) reads one packed input word per step from a file
written by NumPy, evaluates the model and writes the packed outputs. Python packs every step
at once, unpacks every result at once and compares with the golden model in one vectorised
check, so no simulator scheduler runs per step. The verdict and the checks are the same as
:mod:`sim.lanes_bench`; only the driver differs.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import numpy as np
from amaranth.back import verilog as amaranth_verilog

from sim.runner import use_verilator
from smelu_hw.hw.lanes import LaneArray, byte_stride, decode_lanes, encode_lanes
from smelu_hw.params import ActivationSpec
from smelu_hw.registry import ACTIVATIONS

__all__ = ["build_driver", "verify_native"]

DRIVER = Path(__file__).resolve().parent / "cpp" / "lanes_main.cpp"


def _words(bits: int) -> int:
    return -(-bits // 32)


def build_driver(work_dir: Path, spec: ActivationSpec, lanes: int) -> Path:
    """Compile the lane array and the driver; return the executable."""
    if lanes * 8 <= 64:
        raise ValueError(f"lanes must be at least 9 (every port wider than 64 bits), not {lanes}")
    use_verilator()
    work_dir.mkdir(parents=True, exist_ok=True)
    array = LaneArray(spec, lanes, ACTIVATIONS[spec.activation].unit)
    (work_dir / "lanes.v").write_text(amaranth_verilog.convert(array, name="lanes", emit_src=False))
    command = [
        "verilator",
        "--cc",
        "lanes.v",
        "--top-module",
        "lanes",
        "--exe",
        str(DRIVER),
        "--build",
        "-j",
        str(os.cpu_count() or 1),
        "-Wno-WIDTHEXPAND",
        "-Wno-WIDTHTRUNC",
        "-Wno-fatal",
        "-O3",
        "--Mdir",
        "obj",
        "-o",
        "lanes_driver",
    ]
    result = subprocess.run(command, cwd=work_dir, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"verilator build failed: {result.stderr.strip().splitlines()[-3:]}")
    return work_dir / "obj" / "lanes_driver"


def verify_native(
    work_dir: Path, spec: ActivationSpec, lanes: int, codes: np.ndarray | None = None
) -> tuple[int, float]:
    """Check ``codes`` (default: every input code) through the native driver.

    Returns the number of codes verified and the seconds from packing to the final
    comparison (build excluded). Raises ``AssertionError`` on any mismatch.
    """
    driver = build_driver(work_dir, spec, lanes)
    model = ACTIVATIONS[spec.activation].model.from_spec(spec)
    codes = spec.fmt.codes() if codes is None else np.asarray(codes, dtype=np.int64)
    began = time.perf_counter()
    padded = np.concatenate([codes, np.full(-len(codes) % lanes, codes[-1])])
    steps = len(padded) // lanes
    x_bytes = lanes * byte_stride(spec.fmt.bits) // 8
    x_words = _words(x_bytes * 8)
    packed = np.zeros((steps, x_words * 4), dtype=np.uint8)
    packed[:, :x_bytes] = encode_lanes(padded, lanes, spec.fmt.bits)
    packed.tofile(work_dir / "in.bin")
    formats = {"y": spec.out_fmt, "dy": spec.grad_fmt}
    widths = {name: _words(lanes * byte_stride(fmt.bits)) for name, fmt in formats.items()}
    subprocess.run(
        [str(driver), "in.bin", "out.bin", str(steps), str(x_words), str(widths["y"]), str(widths["dy"])],
        cwd=work_dir,
        check=True,
    )
    out = np.fromfile(work_dir / "out.bin", dtype=np.uint8).reshape(steps, -1)
    offset = 0
    for name, fmt in formats.items():
        size = lanes * byte_stride(fmt.bits) // 8
        got = decode_lanes(out[:, offset : offset + size], fmt.bits, fmt.signed)
        offset += widths[name] * 4
        want = model.forward(codes) if name == "y" else model.grad(codes)
        bad = np.flatnonzero(got[: len(codes)] != want)
        assert bad.size == 0, f"{bad.size} {name} mismatches, first at x={codes[bad[:5]].tolist()}"
    return len(codes), time.perf_counter() - began
