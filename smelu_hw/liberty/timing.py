"""Static timing of a mapped netlist with the Liberty tables (NLDM), the way ABC's ``stime`` does.

Every net carries a rise and a fall arrival and slew. A cell's arc adds the delay its
``cell_rise``/``cell_fall`` table gives at the input's slew and the output net's load, and
sets the output slew from ``rise_transition``/``fall_transition`` (bilinear interpolation,
extrapolated beyond the table, as ABC's ``Scl_LibLookup``). Positive-unate arcs carry rise to
rise, negative-unate rise to fall, non-unate both; the conditional arcs of a pin pair are merged
into their worst case. A net's load is the sum of its sink pins' ``rise_capacitance`` (for a
rising output) or ``fall_capacitance``, with no wire capacitance (ABC's ``stime`` default).

The assumptions at the design's boundary (:class:`Drive`):

* **Inputs** are driven by the library's smallest inverter, as ABC's ``set_driving_cell``
  models it: the input's arrival is that cell's delay under the input net's load minus its
  delay under no load, its slew the cell's transition under that load, both from a zero slew.
* **Outputs** each carry a load of four times that inverter's input capacitance (a fanout of
  four, FO4), ABC's ``set_load``.
* **Registers** launch at their clock edge through their clock-to-output arc and capture at
  their data pin, where the ``setup_rising``/``setup_falling`` time is added. The clock is
  ideal: it arrives at every clock pin at time 0, with the slew an input has under the FO4
  load. Asynchronous set and clear arcs are no data path and are left out.

The critical path is the largest arrival at an output port or a register's data pin (with its
setup time), traced back to an input port or a register's clock pin.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ..synth import SynthesisError
from .library import Arc, Cell, Library

__all__ = ["Drive", "CriticalPath", "NetTiming", "critical_path", "net_timing"]

RISE, FALL = 0, 1
_DELAY = ("cell_rise", "cell_fall")
_SLEW = ("rise_transition", "fall_transition")
_CONSTRAINT = ("rise_constraint", "fall_constraint")
#: Arcs through which a signal travels, and the clock edge of a launching one.
_LAUNCH = {"rising_edge": RISE, "falling_edge": FALL}
_CAPTURE = {"setup_rising": RISE, "setup_falling": FALL}
_NONE = float("-inf")


@dataclass(frozen=True)
class Drive:
    """The boundary assumptions: the cell that drives every input, and the load in pF on
    every output (:func:`of` gives the flow's: the smallest inverter, and FO4 of it)."""

    cell: Cell
    load: float

    @classmethod
    def of(cls, library: Library) -> Drive:
        """The smallest inverter of ``library`` and four times its input capacitance."""
        inverter = library.inverters()[0]
        return cls(inverter, 4 * inverter.pins[inverter.inputs[0]].capacitance)

    def input(self, load: list[float]) -> tuple[list[float], list[float]]:
        """Arrival and slew (rise, fall) of an input net of ``load`` (rise, fall) in pF."""
        arc = self.cell.pins[self.cell.outputs[0]].arcs[0]
        arrival = [
            arc.lookup(_DELAY[e], 0.0, load[e]) - arc.lookup(_DELAY[e], 0.0, 0.0) for e in (RISE, FALL)
        ]
        return arrival, [arc.lookup(_SLEW[e], 0.0, load[e]) for e in (RISE, FALL)]


@dataclass(frozen=True)
class CriticalPath:
    """The longest path: its delay in ns, where it starts and ends, and its cells."""

    delay: float
    start: str
    end: str
    cells: int


def _edges(arc: Arc, out: int) -> tuple[int, ...]:
    if arc.kind in _LAUNCH:
        return (_LAUNCH[arc.kind],)
    return {"positive_unate": (out,), "negative_unate": (1 - out,)}.get(arc.sense, (RISE, FALL))


def _labels(name: str, bits: list) -> list[tuple[int | str, str]]:
    return [(bit, f"{name}[{i}]" if len(bits) > 1 else name) for i, bit in enumerate(bits)]


def _bit_names(module: dict) -> dict[int, str]:
    """A name for every net bit: a port's, else a public net's, else any."""
    names: dict[int, str] = {}
    nets = sorted(module["netnames"].items(), key=lambda item: (item[1].get("hide_name", 0), item[0]))
    for name, net in [*module["ports"].items(), *nets]:
        for bit, label in _labels(name, net["bits"]):
            names.setdefault(bit, label)
    return names


_Pins = dict[str, int]
_Sinks = dict[int, list[tuple[Cell, str, _Pins]]]


def _connect(module: dict, library: Library) -> tuple[dict[int, tuple[Cell, str, _Pins]], _Sinks]:
    """The cell output pin driving each net, and the cell input pins each net drives."""
    drivers: dict[int, tuple[Cell, str, _Pins]] = {}
    sinks: _Sinks = defaultdict(list)
    for instance in module["cells"].values():
        if instance["type"] == "$scopeinfo":  # what flattening keeps of a hierarchy: no logic
            continue
        cell = library.cells.get(instance["type"])
        pins = {pin: bits[0] for pin, bits in instance["connections"].items() if isinstance(bits[0], int)}
        if cell is None or not set(pins) <= set(cell.pins):
            raise SynthesisError(f"the netlist's {instance['type']} is not a cell of {library.name}")
        for pin, bit in pins.items():
            if cell.pins[pin].direction == "output":
                drivers[bit] = (cell, pin, pins)
            else:
                sinks[bit].append((cell, pin, pins))
    return drivers, sinks


def _order(arcs: dict[int, list[tuple[Arc, int]]]) -> list[int]:
    """The driven nets, each after the driven nets its arcs start from; a loop is an error."""
    waiting = {bit: sum(source in arcs for _, source in deps) for bit, deps in arcs.items()}
    fanout: dict[int, list[int]] = defaultdict(list)
    for bit, deps in arcs.items():
        for _, source in deps:
            fanout[source].append(bit)
    ready, order = [bit for bit, count in waiting.items() if count == 0], []
    while ready:
        order.append(ready.pop())
        for sink in fanout[order[-1]]:
            waiting[sink] -= 1
            if waiting[sink] == 0:
                ready.append(sink)
    if len(order) != len(arcs):
        raise SynthesisError("the netlist has a combinational loop")
    return order


class _Analysis:
    """Arrival and slew (rise, fall) of every net, and the arc each arrival came through."""

    def __init__(self) -> None:
        self.arrival: dict[int, list[float]] = {}
        self.slew: dict[int, list[float]] = {}
        #: (net, edge) -> (source net, its edge, the launching cell and clock pin or None).
        self.came: dict[tuple[int, int], tuple[int, int, str | None]] = {}

    def drive(self, bit: int, cell: Cell, deps: list[tuple[Arc, int]], load: list[float]) -> None:
        times, slews = [_NONE, _NONE], [0.0, 0.0]
        for arc, source in deps:
            if source not in self.arrival or (arc.kind != "combinational" and arc.kind not in _LAUNCH):
                continue
            launched = f"{cell.name}.{arc.related_pin}" if arc.kind in _LAUNCH else None
            for out in (RISE, FALL):
                if _DELAY[out] not in arc.tables:
                    continue
                for edge in _edges(arc, out):
                    slew = self.slew[source][edge]
                    at = self.arrival[source][edge] + arc.lookup(_DELAY[out], slew, load[out])
                    if at > times[out]:
                        times[out] = at
                        self.came[bit, out] = (source, edge, launched)
                    if _SLEW[out] in arc.tables:
                        slews[out] = max(slews[out], arc.lookup(_SLEW[out], slew, load[out]))
        if max(times) > _NONE:
            self.arrival[bit], self.slew[bit] = times, slews

    def trace(self, bit: int, edge: int, names: dict[int, str]) -> tuple[str, int]:
        """The start point of the path that ends at ``bit``'s ``edge``, and its cells."""
        cells = 0
        while (bit, edge) in self.came:
            source, edge, launched = self.came[bit, edge]
            cells += 1
            if launched is not None:
                return f"{names[bit]} ({launched})", cells
            bit = source
        return names.get(bit, str(bit)), cells


@dataclass(frozen=True)
class NetTiming:
    """The analysis of a mapped module, net by net (Yosys bit numbers).

    Attributes
    ----------
    load : dict of int to list of float
        Rise and fall load in pF of every net with a sink pin or an output port (FO4 there).
    slew : dict of int to list of float
        Rise and fall slew in ns of every net the analysis reaches (inputs, clock, cell outputs).
    arrival : dict of int to list of float
        Rise and fall arrival in ns of the same nets.
    clock_slew : list of float
        The ideal clock's rise and fall slew.
    """

    load: dict[int, list[float]]
    slew: dict[int, list[float]]
    arrival: dict[int, list[float]]
    clock_slew: list[float]


def _ports(module: dict) -> dict[str, list[tuple[int | str, str]]]:
    return {
        direction: [
            (bit, label)
            for name, port in module["ports"].items()
            if port["direction"] == direction
            for bit, label in _labels(name, port["bits"])
            if isinstance(bit, int)
        ]
        for direction in ("input", "output")
    }


def _analyse(module: dict, library: Library, drive: Drive) -> tuple[_Analysis, NetTiming, _Sinks]:
    drivers, sinks = _connect(module, library)
    ports = _ports(module)
    load: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for bit, pins in sinks.items():
        for cell, pin, _ in pins:
            load[bit][RISE] += cell.pins[pin].rise_capacitance
            load[bit][FALL] += cell.pins[pin].fall_capacitance
    for bit, _ in ports["output"]:
        load[bit] = [load[bit][RISE] + drive.load, load[bit][FALL] + drive.load]
    arcs = {
        bit: [(arc, pins[arc.related_pin]) for arc in cell.pins[pin].arcs if arc.related_pin in pins]
        for bit, (cell, pin, pins) in drivers.items()
    }

    analysis = _Analysis()
    clock = drive.input([drive.load, drive.load])[1]
    clocks = {source for deps in arcs.values() for arc, source in deps if arc.kind in _LAUNCH}
    for bit, _ in ports["input"]:
        analysis.arrival[bit], analysis.slew[bit] = (
            ([0.0, 0.0], clock) if bit in clocks else drive.input(load[bit])
        )
    for bit in _order(arcs):
        analysis.drive(bit, drivers[bit][0], arcs[bit], load[bit])
    return analysis, NetTiming(dict(load), analysis.slew, analysis.arrival, clock), sinks


def net_timing(netlist: dict, top: str, library: Library, drive: Drive) -> NetTiming:
    """Loads, slews and arrivals of every net of module ``top`` of a Yosys JSON ``netlist``.

    Raises
    ------
    SynthesisError
        The netlist has a cell or pin the library lacks, or a combinational loop.
    """
    return _analyse(netlist["modules"][top], library, drive)[1]


def critical_path(netlist: dict, top: str, library: Library, drive: Drive) -> CriticalPath:
    """The critical path of module ``top`` of a Yosys JSON ``netlist`` mapped to ``library``.

    Raises
    ------
    SynthesisError
        The netlist has a cell or pin the library lacks, or a combinational loop.
    """
    module = netlist["modules"][top]
    names = _bit_names(module)
    analysis, timing, sinks = _analyse(module, library, drive)
    arrival, slew, clock = analysis.arrival, analysis.slew, timing.clock_slew
    ends = [
        (arrival[bit][edge], label, bit, edge)
        for bit, label in _ports(module)["output"]
        for edge in (RISE, FALL)
        if arrival.get(bit, [_NONE, _NONE])[edge] > _NONE
    ]
    for bit, pins in sinks.items():
        for cell, pin, connections in pins:
            for arc in cell.pins[pin].arcs:
                if arc.kind not in _CAPTURE or arc.related_pin not in connections or bit not in arrival:
                    continue
                capture = slew.get(connections[arc.related_pin], clock)[_CAPTURE[arc.kind]]
                flop = (
                    names.get(connections.get(cell.outputs[0], -1), cell.name) if cell.outputs else cell.name
                )
                for edge in (RISE, FALL):
                    if arrival[bit][edge] > _NONE and _CONSTRAINT[edge] in arc.tables:
                        setup = arc.lookup(_CONSTRAINT[edge], slew[bit][edge], capture)
                        ends.append((arrival[bit][edge] + setup, f"{flop} ({cell.name}.{pin})", bit, edge))
    if not ends:
        return CriticalPath(0.0, "", "", 0)
    delay, end, bit, edge = max(ends)
    start, cells = analysis.trace(bit, edge, names)
    return CriticalPath(delay, start, end, cells)
