"""Reading a Liberty file: the cells' areas, pins, functions, flip-flops and timing tables.

From the tree :func:`smelu_hw.liberty.parse.parse` builds, :func:`read_library` takes what the
flow needs, in nanoseconds, picofarads, picojoules (internal power), watts (leakage) and volts
whatever the file's own units. :func:`check_library` refuses, with a one-line :class:`LibertyError`, a file
that cannot be read or parsed, or a library that lacks a D flip-flop or the basic gates.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .parse import Group, parse, truth

__all__ = [
    "LibertyError",
    "Table",
    "Arc",
    "Power",
    "Pin",
    "Cell",
    "Library",
    "read_library",
    "check_library",
]


class LibertyError(ValueError):
    """A Liberty file that cannot be read or parsed, or a library the flow cannot map to."""


@dataclass(frozen=True)
class Table:
    """A lookup table over (input slew, output load), or (constrained slew, related slew) for a
    timing check, in ns and pF; a missing axis has the one index ``0.0``."""

    index_1: tuple[float, ...]
    index_2: tuple[float, ...]
    values: tuple[tuple[float, ...], ...]

    def lookup(self, x: float, y: float) -> float:
        """Bilinear interpolation, extrapolated linearly from the two nearest rows or columns."""

        def bracket(index: tuple[float, ...], at: float) -> tuple[int, float]:
            if len(index) == 1:
                return 0, 0.0
            i = next((i for i in range(1, len(index) - 1) if index[i] > at), len(index) - 1) - 1
            return i, (at - index[i]) / (index[i + 1] - index[i])

        i, u = bracket(self.index_1, x)
        j, v = bracket(self.index_2, y)
        rows = [self.values[i], self.values[min(i + 1, len(self.values) - 1)]]
        near, far = (row[j] + v * (row[min(j + 1, len(row) - 1)] - row[j]) for row in rows)
        return near + u * (far - near)


@dataclass(frozen=True)
class Arc:
    """The timing arcs of a pin from one related pin, of one type, merged to their worst case.

    ``sense`` is ``positive_unate``, ``negative_unate`` or ``non_unate`` (the arcs' senses
    together); ``kind`` is the Liberty ``timing_type`` (``combinational``, ``rising_edge``,
    ``setup_rising``, ...). Delay arcs have the ``cell_*`` and ``*_transition`` tables,
    timing checks the ``*_constraint`` ones.
    """

    related_pin: str
    kind: str
    sense: str
    tables: dict[str, tuple[Table, ...]]

    def lookup(self, table: str, x: float, y: float) -> float:
        """The worst value of the named table at (``x``, ``y``) over the merged arcs."""
        return max(part.lookup(x, y) for part in self.tables[table])


@dataclass(frozen=True)
class Power:
    """One ``internal_power`` group of a pin: energy in pJ per rising and falling transition of
    the pin (an output's tables over (input slew, output load), an input's over its own slew),
    from the arc of ``related_pin`` (``None`` on an input pin's own group), when ``when`` holds
    (``None``: the group that applies when no conditional one does). A missing table is 0."""

    related_pin: str | None
    when: str | None
    rise: Table | None
    fall: Table | None

    def energy(self, rising: bool, slew: float, load: float) -> float:
        """Energy in pJ of one transition at the input ``slew`` (ns) and output ``load`` (pF)."""
        table = self.rise if rising else self.fall
        return 0.0 if table is None else table.lookup(slew, load)


@dataclass(frozen=True)
class Pin:
    """A cell pin: direction, capacitances in pF (rise and fall ones default to
    ``capacitance``), output function, the timing arcs that end at it and its internal power."""

    name: str
    direction: str
    capacitance: float
    rise_capacitance: float
    fall_capacitance: float
    function: str | None
    arcs: tuple[Arc, ...]
    power: tuple[Power, ...] = ()


@dataclass(frozen=True)
class Cell:
    """A library cell: area (the library's unit, µm² in practice), pins, and for a flip-flop
    its ``ff`` group's ``clocked_on`` and ``next_state``, its state variables (``IQ``, ``IQN``)
    and its asynchronous ``clear`` and ``preset`` (``None`` if absent); ``leakage`` is its
    ``cell_leakage_power`` in W (the library's default where it has none); ``latch`` whether it
    is a latch."""

    name: str
    area: float
    pins: dict[str, Pin]
    ff: tuple[str, str] | None = None
    ff_state: tuple[str, str] = ("IQ", "IQN")
    ff_async: tuple[str | None, str | None] = (None, None)
    leakage: float = 0.0
    latch: bool = False

    @property
    def inputs(self) -> list[str]:
        return [name for name, pin in self.pins.items() if pin.direction == "input"]

    @property
    def outputs(self) -> list[str]:
        return [name for name, pin in self.pins.items() if pin.direction == "output"]

    def truth(self, expression: str) -> int:
        """The truth table of a Liberty expression over :attr:`inputs` (row ``r`` sets input
        ``k`` to bit ``k`` of ``r``), as an integer of ``2 ** len(inputs)`` bits."""
        return truth(expression, self.inputs)


@dataclass(frozen=True)
class Library:
    """What the flow reads from a Liberty file: its name, its cells, the SHA-256 of the file's
    bytes, and its supply in V (``nom_voltage``; 0 if the file gives none)."""

    name: str
    cells: dict[str, Cell]
    sha256: str = ""
    voltage: float = 0.0

    def inverters(self) -> list[Cell]:
        """One-input cells whose output is the input's complement, smallest area first."""
        found = [
            cell
            for cell in self.cells.values()
            if len(cell.inputs) == 1 and len(cell.outputs) == 1 and _gate(cell) == 0b01
        ]
        return sorted(found, key=lambda cell: (cell.area, cell.name))

    def gates2(self) -> list[Cell]:
        """Two-input NAND, AND, NOR or OR cells."""
        return [
            cell
            for cell in self.cells.values()
            if len(cell.inputs) == 2
            and len(cell.outputs) == 1
            and _gate(cell) in (0b0111, 0b1000, 0b0001, 0b1110)
        ]

    def d_flip_flops(self) -> list[Cell]:
        """Cells with an ``ff`` group that loads one input pin on a clock pin's edge."""
        found = []
        for cell in self.cells.values():
            if cell.ff is None:
                continue
            clocked_on, next_state = cell.ff
            try:
                clock, data = cell.truth(clocked_on), cell.truth(next_state)
            except ValueError:
                continue
            columns = [cell.truth(name) for name in cell.inputs]
            mask = (1 << (1 << len(columns))) - 1
            if data in columns and (clock in columns or (~clock & mask) in columns):
                found.append(cell)
        return found


def _gate(cell: Cell) -> int | None:
    function = cell.pins[cell.outputs[0]].function
    try:
        return None if function is None else cell.truth(function)
    except ValueError:
        return None


_TIME = {"1ps": 1e-3, "10ps": 1e-2, "100ps": 0.1, "1ns": 1.0, "10ns": 10.0, "100ns": 100.0, "1us": 1e3}
_CAP = {"ff": 1e-3, "pf": 1.0, "nf": 1e3}
_POWER = {"pw": 1e-12, "nw": 1e-9, "uw": 1e-6, "mw": 1e-3, "w": 1.0}
_VOLT = {"mv": 1e-3, "v": 1.0}


def _unit(text: str, units: dict[str, float], what: str) -> float:
    """The scale of a unit such as ``"1pW"`` or ``"10mV"`` in ``units``' base."""
    match = re.fullmatch(r"(1|10|100)([a-z]+)", text.replace(" ", "").lower())
    if match is None or match[2] not in units:
        raise ValueError(f"unknown {what} {text!r}")
    return int(match[1]) * units[match[2]]


#: The first axis of a table, as this reader stores it: the input (or constrained) slew.
_SLEW_FIRST = ("input_net_transition", "input_transition_time", "constrained_pin_transition")


def _floats(text: str) -> tuple[float, ...]:
    return tuple(float(value) for value in re.split(r"[\s,]+", text.strip()) if value)


def _table(
    group: Group, templates: dict[str, Group], time: float, cap: float, unit: float | None = None
) -> Table:
    """A table with its indexes in ns and pF and its values times ``unit`` (default: the
    time unit, for delays)."""
    template = templates.get(group.args[0] if group.args else "scalar")
    variables = [template.attrs.get(f"variable_{k}") if template else None for k in (1, 2)]
    lists = {**(template.lists if template else {}), **group.lists}
    index = [_floats(lists.get(f"index_{k}", ["0"])[0]) for k in (1, 2)]
    rows = [_floats(row) for row in group.lists["values"]]
    if len(rows) == 1 and len(index[0]) > 1 and variables[1] is None:
        rows = [(value,) for value in rows[0]]
    scale = [time if variable is None or "transition" in variable else cap for variable in variables]
    index = [tuple(value * scale[k] for value in index[k]) for k in (0, 1)]
    values = tuple(tuple(value * (time if unit is None else unit) for value in row) for row in rows)
    if variables[0] is not None and variables[0] not in _SLEW_FIRST:
        index.reverse()
        values = tuple(zip(*values, strict=True))
    return Table(index[0], index[1], values)


def _arcs(pin: Group, templates: dict[str, Group], time: float, cap: float) -> tuple[Arc, ...]:
    merged: dict[tuple[str, str], list[Group]] = {}
    for timing in pin.children("timing"):
        for related in timing.attrs.get("related_pin", "").split():
            merged.setdefault((related, timing.attrs.get("timing_type", "combinational")), []).append(timing)
    arcs = []
    for (related, kind), timings in merged.items():
        senses = {timing.attrs.get("timing_sense", "non_unate") for timing in timings}
        tables: dict[str, list[Table]] = {}
        for timing in timings:
            for group in timing.groups:
                if "values" in group.lists:
                    tables.setdefault(group.kind, []).append(_table(group, templates, time, cap))
        sense = senses.pop() if len(senses) == 1 else "non_unate"
        arcs.append(Arc(related, kind, sense, {name: _worst(parts) for name, parts in tables.items()}))
    return tuple(arcs)


def _worst(tables: list[Table]) -> tuple[Table, ...]:
    """One table of the element-wise worst case where the tables share their indexes, as ABC
    merges conditional arcs; otherwise all of them, looked up one by one."""
    first = tables[0]
    if all((table.index_1, table.index_2) == (first.index_1, first.index_2) for table in tables):
        values = tuple(
            tuple(map(max, *rows)) if len(tables) > 1 else rows[0]
            for rows in zip(*(t.values for t in tables), strict=True)
        )
        return (Table(first.index_1, first.index_2, values),)
    return tuple(tables)


def _power(
    pin: Group, templates: dict[str, Group], time: float, cap: float, energy: float
) -> tuple[Power, ...]:
    found = []
    for group in pin.children("internal_power"):
        tables = {
            kind: _table(group.children(kind)[0], templates, time, cap, energy)
            if group.children(kind)
            else None
            for kind in ("rise_power", "fall_power")
        }
        if group.children("power"):  # one table for both directions
            tables = dict.fromkeys(tables, _table(group.children("power")[0], templates, time, cap, energy))
        for related in group.attrs.get("related_pin", "").split() or [None]:
            found.append(Power(related, group.attrs.get("when"), tables["rise_power"], tables["fall_power"]))
    return tuple(found)


def _cell(
    group: Group, templates: dict[str, Group], units: tuple[float, float, float, tuple[float, float]]
) -> Cell:
    time, cap, energy, leakage = units
    pins = {}
    for pin in group.children("pin"):
        capacitance = float(pin.attrs.get("capacitance", 0.0)) * cap
        for name in pin.args:
            pins[name] = Pin(
                name=name,
                direction=pin.attrs.get("direction", ""),
                capacitance=capacitance,
                rise_capacitance=float(pin.attrs.get("rise_capacitance", capacitance / cap)) * cap,
                fall_capacitance=float(pin.attrs.get("fall_capacitance", capacitance / cap)) * cap,
                function=pin.attrs.get("function"),
                arcs=_arcs(pin, templates, time, cap),
                power=_power(pin, templates, time, cap, energy),
            )
    ffs = group.children("ff")
    ff = (ffs[0].attrs.get("clocked_on", ""), ffs[0].attrs.get("next_state", "")) if ffs else None
    state = [*ffs[0].args, "IQ", "IQN"][:2] if ffs else ["IQ", "IQN"]
    clear, preset = (ffs[0].attrs.get("clear"), ffs[0].attrs.get("preset")) if ffs else (None, None)
    return Cell(
        group.args[0],
        float(group.attrs.get("area", 0.0)),
        pins,
        ff,
        ff_state=(state[0], state[1]),
        ff_async=(clear, preset),
        leakage=float(group.attrs.get("cell_leakage_power", leakage[1])) * leakage[0],
        latch=bool(group.children("latch")),
    )


def _library(tree: Group, sha256: str) -> Library:
    time = _TIME.get(tree.attrs.get("time_unit", "1ns").replace(" ", "").lower())
    load = tree.lists.get("capacitive_load_unit", ["1", "pf"])
    if time is None or len(load) != 2 or load[1].lower() not in _CAP:
        raise ValueError(f"unknown time_unit or capacitive_load_unit {tree.attrs.get('time_unit')!r}, {load}")
    cap = float(load[0]) * _CAP[load[1].lower()]
    volt = _unit(tree.attrs.get("voltage_unit", "1V"), _VOLT, "voltage_unit")
    watt = _unit(tree.attrs.get("leakage_power_unit", "1nW"), _POWER, "leakage_power_unit")
    default_leakage = float(tree.attrs.get("default_cell_leakage_power", 0.0))
    templates = {
        group.args[0]: group for group in tree.groups if group.kind.endswith("_template") and group.args
    }
    # Internal energy is in the capacitive load unit times the voltage unit squared (pF V² = pJ).
    units = (time, cap, cap * volt * volt, (watt, default_leakage))
    cells = [_cell(group, templates, units) for group in tree.children("cell")]
    voltage = float(tree.attrs.get("nom_voltage", 0.0)) * volt
    return Library(tree.args[0] if tree.args else "", {cell.name: cell for cell in cells}, sha256, voltage)


@lru_cache(maxsize=4)
def _read(digest: str, text: str) -> Library:
    return _library(parse(text), digest)


def read_library(path: str | Path) -> Library:
    """The cells of the Liberty file ``path`` (parsed once per content in a process).

    Raises
    ------
    LibertyError
        The file cannot be read, or is not Liberty that this reader understands.
    """
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise LibertyError(f"cannot read the Liberty file {path}: {error.strerror or error}") from None
    try:
        return _read(hashlib.sha256(data).hexdigest(), data.decode("utf-8", errors="replace"))
    except (ValueError, KeyError, IndexError) as error:
        raise LibertyError(f"{path} is not a readable Liberty file: {error}") from None


def check_library(path: str | Path) -> Library:
    """The library of ``path`` if the flow can map to it: it has a D flip-flop, an inverter
    and a two-input NAND, AND, NOR or OR gate.

    Raises
    ------
    LibertyError
        With a one-line message: the file is missing, unreadable or not Liberty, or the
        library lacks one of those cells.
    """
    library = read_library(path)
    if not library.d_flip_flops():
        raise LibertyError(
            f"{path} has no D flip-flop (a cell whose ff group loads one input pin on a clock edge)"
        )
    if not library.inverters():
        raise LibertyError(f"{path} has no inverter (a one-input cell with function !A)")
    if not library.gates2():
        raise LibertyError(f"{path} has no two-input NAND, AND, NOR or OR gate")
    return library
