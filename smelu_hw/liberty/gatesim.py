"""Zero-delay, cycle-based simulation of a netlist mapped to a Liberty library, vectorised over
a stream of input vectors.

Cycle ``k`` applies the ``k``-th input vector; every net then holds its settled value, each
cell's output the truth table of its Liberty ``function`` (:func:`smelu_hw.liberty.parse.truth`)
at its inputs. A flip-flop's output in cycle ``k`` is its ``next_state`` in cycle ``k - 1``
(``0`` in cycle 0, the value the unit's reset gives), forced by its asynchronous ``clear`` or
``preset`` where they hold in cycle ``k``: every register takes one clock edge per cycle, at
the start of the cycle, together with the new inputs. The clock's nets read 1: the logic
settles while the clock is high (what a cell's ``when`` on the clock pin sees).

A cycle's values are computed for the whole stream at once: the registers' outputs are taken
from the previous pass and the logic evaluated again until they no longer change, which takes
one pass per pipeline stage, plus one (a register loop converges too, at most one pass per
cycle). Latches and cells without a Liberty function (tri-state buffers) are refused.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from ..synth import SynthesisError
from .library import Cell, Library
from .parse import truth

__all__ = ["Instance", "Trace", "simulate"]

#: Rows of the constant nets in :attr:`Trace.values`.
ZERO, ONE = 0, 1


@dataclass(frozen=True)
class Instance:
    """A cell of the netlist: its library cell and the :attr:`Trace.values` row of every pin
    (inputs first, in :attr:`Cell.inputs` order, then the outputs)."""

    name: str
    cell: Cell
    rows: dict[str, int]

    @property
    def pins(self) -> list[str]:
        """The pins a state index is packed over: the inputs, then the outputs."""
        return [*self.cell.inputs, *self.cell.outputs]

    def table(self, expression: str) -> np.ndarray:
        """The truth table of a Liberty expression over :attr:`pins`, as booleans."""
        return _table(tuple(self.pins), expression)


@lru_cache(maxsize=4096)
def _table(pins: tuple[str, ...], expression: str) -> np.ndarray:
    bits = truth(expression, list(pins))
    table = np.array([bits >> row & 1 for row in range(1 << len(pins))], dtype=bool)
    table.flags.writeable = False
    return table


@dataclass(frozen=True)
class Trace:
    """Every net's value in every cycle.

    Attributes
    ----------
    values : numpy.ndarray of bool
        Shape ``(rows, cycles)``; rows :data:`ZERO` and :data:`ONE` are the constants.
    rows : dict of int to int
        The row of every Yosys net bit.
    instances : list of Instance
        The cells, in an order where a cell follows the logic that drives its inputs.
    ports : dict of str to tuple
        Every port's direction and its bits' rows (least significant first).
    clocks : frozenset of int
        The rows of the clock's nets.
    """

    values: np.ndarray
    rows: dict[int, int]
    instances: list[Instance]
    ports: dict[str, tuple[str, list[int]]]
    clocks: frozenset[int]

    @property
    def cycles(self) -> int:
        return self.values.shape[1]

    def port(self, name: str, signed: bool = False) -> np.ndarray:
        """A port's value in every cycle, as integer codes (two's complement if ``signed``)."""
        bits = self.ports[name][1]
        codes = np.zeros(self.cycles, dtype=np.int64)
        for k, row in enumerate(bits):
            codes |= self.values[row].astype(np.int64) << k
        if signed and bits:
            codes -= (codes >> (len(bits) - 1) & 1) << len(bits)
        return codes

    def state(self, instance: Instance) -> np.ndarray:
        """Per cycle, the row of the instance's truth tables its pins select (:attr:`Instance.pins`)."""
        index = np.zeros(self.cycles, dtype=np.int64)
        for k, pin in enumerate(instance.pins):
            index |= self.values[instance.rows[pin]].astype(np.int64) << k
        return index


def _rows(module: dict) -> dict[int, int]:
    bits = {bit for port in module["ports"].values() for bit in port["bits"]}
    bits |= {bit for net in module["netnames"].values() for bit in net["bits"]}
    bits |= {bit for cell in module["cells"].values() for con in cell["connections"].values() for bit in con}
    return {bit: 2 + k for k, bit in enumerate(sorted(bit for bit in bits if isinstance(bit, int)))}


def _instances(module: dict, library: Library, rows: dict[int, int]) -> list[Instance]:
    found = []
    for name, instance in module["cells"].items():
        cell = library.cells.get(instance["type"])
        connections = instance["connections"]
        if cell is None or not set(connections) <= set(cell.pins):
            raise SynthesisError(f"the netlist's {instance['type']} is not a cell of {library.name}")
        if cell.latch or any(cell.pins[pin].function is None for pin in cell.outputs):
            raise SynthesisError(f"{cell.name} is a latch or has an output without a function")
        pins = {}
        for pin in cell.pins:
            bit = connections.get(pin, ["x"])[0]
            pins[pin] = rows[bit] if isinstance(bit, int) else ONE if bit == "1" else ZERO
        found.append(Instance(name, cell, pins))
    return found


def _order(instances: list[Instance]) -> list[Instance]:
    """Combinational cells after the combinational cells that drive them; registers first."""
    driver = {inst.rows[pin]: inst for inst in instances if inst.cell.ff is None for pin in inst.cell.outputs}
    waiting = {
        id(inst): {id(driver[inst.rows[pin]]) for pin in inst.cell.inputs if inst.rows[pin] in driver}
        for inst in instances
        if inst.cell.ff is None
    }
    fanout: dict[int, list[Instance]] = defaultdict(list)
    for inst in instances:
        for pin in inst.cell.inputs:
            if inst.rows[pin] in driver:
                fanout[id(driver[inst.rows[pin]])].append(inst)
    order = [inst for inst in instances if inst.cell.ff is not None]
    ready = [inst for inst in instances if inst.cell.ff is None and not waiting[id(inst)]]
    while ready:
        inst = ready.pop()
        order.append(inst)
        for sink in fanout[id(inst)]:
            if sink.cell.ff is None:
                waiting[id(sink)].discard(id(inst))
                if not waiting[id(sink)] and sink not in order and sink not in ready:
                    ready.append(sink)
    if len(order) != len(instances):
        raise SynthesisError("the netlist has a combinational loop")
    return order


class _Register:
    """A flip-flop's next state and asynchronous controls as truth tables, and its outputs."""

    def __init__(self, inst: Instance) -> None:
        cell = inst.cell
        next_state = cell.ff[1]
        self.instance = inst
        self.next = inst.table(next_state)
        self.clear, self.preset = (inst.table(expr) if expr else None for expr in cell.ff_async)
        self.outputs = []
        for pin in cell.outputs:
            function = cell.pins[pin].function.strip()
            if function not in cell.ff_state:
                raise SynthesisError(f"{cell.name}.{pin} is {function!r}, not its state {cell.ff_state[0]}")
            self.outputs.append((inst.rows[pin], function == cell.ff_state[1]))

    def update(self, trace: Trace) -> np.ndarray:
        """The state in every cycle from the values of the last pass."""
        index = trace.state(self.instance)
        state = np.concatenate([[False], self.next[index][:-1]])
        if self.clear is not None:
            state &= ~self.clear[index]
        if self.preset is not None:
            state |= self.preset[index]
        return state


def _stimulus(value: npt.ArrayLike, width: int, cycles: int) -> np.ndarray:
    codes = np.broadcast_to(np.asarray(value, dtype=np.int64), (cycles,))
    return np.array([(codes >> k) & 1 for k in range(width)], dtype=bool)


def simulate(
    netlist: dict,
    top: str,
    library: Library,
    inputs: Mapping[str, npt.ArrayLike],
    clock: str | None = None,
) -> Trace:
    """Simulate module ``top`` of a Yosys JSON ``netlist`` mapped to ``library``.

    Parameters
    ----------
    netlist : dict
        The mapped netlist (``write_json``).
    top : str
        The module.
    library : Library
        The cells it instantiates.
    inputs : mapping of str to array_like
        Every input port but the clock: its integer code in every cycle (two's complement
        bits), or one code held in all of them. The arrays give the number of cycles.
    clock : str, optional
        The clock port, which clocks every register; required if there are registers.

    Raises
    ------
    SynthesisError
        A cell or pin the library lacks, a latch, a combinational loop, or a register not
        clocked by ``clock``.
    ValueError
        An input port without a stimulus, an unknown port, or streams of unequal length.
    """
    module = netlist["modules"][top]
    ports = {name: port for name, port in module["ports"].items()}
    given = set(inputs) | ({clock} if clock else set())
    missing = sorted(n for n, p in ports.items() if p["direction"] == "input" and n not in given)
    unknown = sorted(given - set(ports))
    if missing or unknown:
        raise ValueError(f"input ports without a stimulus {missing}, unknown ports {unknown}")
    lengths = {np.size(value) for value in inputs.values() if np.ndim(value) > 0}
    if len(lengths) != 1:
        raise ValueError(f"the input streams must have one length, not {sorted(lengths)}")
    cycles = lengths.pop()
    rows = _rows(module)
    values = np.zeros((len(rows) + 2, cycles), dtype=bool)
    values[ONE] = True
    for name, value in inputs.items():
        bits = [rows[bit] for bit in ports[name]["bits"] if isinstance(bit, int)]
        values[bits] = _stimulus(value, len(ports[name]["bits"]), cycles)[: len(bits)]
    clocks = (
        frozenset(rows[bit] for bit in ports[clock]["bits"] if isinstance(bit, int)) if clock else frozenset()
    )
    values[sorted(clocks)] = True
    order = _order(_instances(module, library, rows))
    registers = [_Register(inst) for inst in order if inst.cell.ff is not None]
    for register in registers:
        clock_pin = register.instance.rows[register.instance.cell.ff[0].strip("!() ")]
        if clock_pin not in clocks:
            raise SynthesisError(
                f"register {register.instance.name} is not clocked by the clock port {clock!r}"
            )
    port_rows = {
        name: (
            port["direction"],
            [rows[b] if isinstance(b, int) else ONE if b == "1" else ZERO for b in port["bits"]],
        )
        for name, port in ports.items()
    }
    trace = Trace(values, rows, order, port_rows, clocks)
    logic = [(inst, _tables(inst)) for inst in order if inst.cell.ff is None]
    for _ in range(cycles + 2):
        for inst, tables in logic:
            index = trace.state(inst)
            for row, table in tables:
                values[row] = table[index]
        states = [register.update(trace) for register in registers]
        changed = False
        for register, state in zip(registers, states, strict=True):
            for row, inverted in register.outputs:
                new = ~state if inverted else state
                changed |= not np.array_equal(values[row], new)
                values[row] = new
        if not changed:
            return trace
    raise SynthesisError("the registers did not settle")  # pragma: no cover - bounded by the cycles


def _tables(inst: Instance) -> list[tuple[int, np.ndarray]]:
    """Each output's row and truth table; the outputs' own bits in the state index are ignored."""
    inputs = len(inst.cell.inputs)
    tables = []
    for pin in inst.cell.outputs:
        bits = inst.cell.truth(inst.cell.pins[pin].function)
        table = np.array(
            [bits >> (row & ((1 << inputs) - 1)) & 1 for row in range(1 << len(inst.pins))], dtype=bool
        )
        tables.append((inst.rows[pin], table))
    return tables
