"""Energy per activation of a unit on a Liberty library, from the toggles of a simulation.

The unit is mapped by the Liberty flow (:func:`~smelu_hw.liberty.flow.mapped_netlist`), one
input vector is applied per clock cycle, and the mapped netlist is simulated with zero delay
(:mod:`smelu_hw.liberty.gatesim`): a net toggles at most once per cycle, so **glitches** (the
extra transitions of unequal path delays, which ripple through adders and multipliers) are
left out, and the figures are a lower bound of the dynamic energy. Per transition of a cycle:

* **internal**: an output pin that rises (falls) costs the ``rise_power`` (``fall_power``)
  table of its ``internal_power`` group towards a related input pin that toggled in the
  same cycle (the mean over them if several did); of a pin's groups the first whose ``when``
  holds after the transition, else the mean of those without ``when`` (0 if none). An input
  pin with groups of its own costs them on each of its transitions. A flip-flop's clock pin
  rises and falls every cycle, its ``when`` read before the edge for the rise and after it
  for the fall; its output's arc towards the clock is taken at every output transition.
* **switching**: ``½ C V²`` per transition of every net driven by a cell or an input port,
  ``C`` its load in that direction and ``V`` the library's ``nom_voltage``; the clock's nets
  rise and fall every cycle.
* **leakage**: every cell's ``cell_leakage_power`` (its state average) for one clock period.

The tables are looked up as :mod:`smelu_hw.liberty.timing` sees the netlist: the load is the
sum of the sink pins' rise (fall) capacitance plus FO4 on an output port, no wire load; the
slew is the static timing analysis's slew of the related input net, in the direction the
arc's unateness gives (the larger of the two for a non-unate arc), the clock's that of the
ideal clock; an input pin's own tables at its net's slew. Results are per activation: the
sums over the ``N - 1`` transitions of ``N`` vectors, divided by ``N - 1``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

from ..synth import cached
from .flow import SG13G2_TYPICAL, TIMING_MODEL, Corner, mapped_netlist
from .gatesim import Instance, Trace, simulate
from .library import Library, Power, check_library
from .timing import FALL, RISE, Drive, NetTiming, net_timing

__all__ = ["ENERGY_MODEL", "HOLD", "Energy", "stream_energy", "energy_per_activation"]

#: The version of this model, part of the cache key.
ENERGY_MODEL = "zero-delay-1"
#: Inputs held during a stream, besides the driven port and the clock; other inputs are 0.
HOLD = MappingProxyType({"in_valid": 1})


@dataclass(frozen=True)
class Energy:
    """Energy per activation in pJ, and how it was measured.

    Attributes
    ----------
    internal_pj : float
        The cells' internal energy (``internal_power`` tables).
    switching_pj : float
        ``½ C V²`` on every net driven by a cell or an input port, the clock's included.
    leakage_pj : float
        Leakage over one clock period.
    clock_pj : float
        The clock's part of the two above: its nets' switching and its pins' internal energy.
    input_pj : float
        The part of ``switching_pj`` on the nets of the input ports (the clock's included).
    toggles : float
        Transitions of the nets driven by cells or input ports (the clock's not counted).
    clock_ns : float
        The clock period.
    activations : int
        The transitions averaged over, one less than the vectors.
    """

    internal_pj: float
    switching_pj: float
    leakage_pj: float
    clock_pj: float
    input_pj: float
    toggles: float
    clock_ns: float
    activations: int

    @property
    def total_pj(self) -> float:
        """Internal, switching and leakage energy."""
        return self.internal_pj + self.switching_pj + self.leakage_pj


class _Tally:
    """The sums of one stream, in pJ over all its transitions."""

    def __init__(self, trace: Trace, timing: NetTiming) -> None:
        values = trace.values
        self.rise, self.fall = ~values[:, :-1] & values[:, 1:], values[:, :-1] & ~values[:, 1:]
        self.trace, self.timing = trace, timing
        self.bits = {row: bit for bit, row in trace.rows.items()}
        self.every = np.ones(trace.cycles - 1, dtype=bool)
        self.internal = self.clock = 0.0

    def slew(self, row: int) -> list[float]:
        if row in self.trace.clocks:
            return self.timing.clock_slew
        return self.timing.slew.get(self.bits.get(row, -1), self.timing.clock_slew)

    def load(self, row: int) -> list[float]:
        return self.timing.load.get(self.bits.get(row, -1), [0.0, 0.0])

    def toggled(self, row: int) -> np.ndarray:
        return self.every if row in self.trace.clocks else self.rise[row] | self.fall[row]


def _select(
    groups: list[Power], inst: Instance, state: np.ndarray, at: tuple[bool, float, float]
) -> np.ndarray:
    """Per transition, the energy of the first group whose ``when`` holds in ``state``, else
    the mean of the unconditional groups (0 if none)."""
    defaults = [group.energy(*at) for group in groups if group.when is None]
    energy = np.full(len(state), float(np.mean(defaults)) if defaults else 0.0)
    for group in reversed([group for group in groups if group.when is not None]):
        energy = np.where(inst.table(group.when)[state], group.energy(*at), energy)
    return energy


def _input_slew(tally: _Tally, inst: Instance, pin: str, related: str, out: int) -> float:
    """The related net's slew that makes an ``out`` edge under the arc's unateness."""
    slew = tally.slew(inst.rows[related])
    arcs = [arc for arc in inst.cell.pins[pin].arcs if arc.related_pin == related]
    if arcs and arcs[0].kind in ("rising_edge", "falling_edge"):
        return slew[RISE if arcs[0].kind == "rising_edge" else FALL]
    sense = {arc.sense for arc in arcs}
    if sense == {"positive_unate"}:
        return slew[out]
    return slew[1 - out] if sense == {"negative_unate"} else max(slew)


def _output_energy(tally: _Tally, inst: Instance, pin: str, state: np.ndarray) -> float:
    row = inst.rows[pin]
    by_related: dict[str, list[Power]] = {}
    for group in inst.cell.pins[pin].power:
        if group.related_pin in inst.rows:
            by_related.setdefault(group.related_pin, []).append(group)
    if not by_related:
        return 0.0
    total = 0.0
    for out, edges in ((RISE, tally.rise[row]), (FALL, tally.fall[row])):
        if not edges.any():
            continue
        load = tally.load(row)[out]
        parts = [
            (
                tally.toggled(inst.rows[related]),
                _select(
                    groups, inst, state, (out == RISE, _input_slew(tally, inst, pin, related, out), load)
                ),
            )
            for related, groups in by_related.items()
        ]
        count = sum(toggled.astype(np.int64) for toggled, _ in parts)
        caused = sum(np.where(toggled, energy, 0.0) for toggled, energy in parts)
        mean = sum(energy for _, energy in parts) / len(parts)
        total += float(np.where(count > 0, caused / np.maximum(count, 1), mean)[edges].sum())
    return total


def _input_energy(tally: _Tally, inst: Instance, pin: str, states: np.ndarray) -> float:
    groups = [group for group in inst.cell.pins[pin].power if group.related_pin in (None, pin)]
    row = inst.rows[pin]
    if not groups:
        return 0.0
    clocked = row in tally.trace.clocks
    total = 0.0
    for edge, edges in ((RISE, tally.rise[row]), (FALL, tally.fall[row])):
        state = states[:-1] if clocked and edge == RISE else states[1:]
        energy = _select(groups, inst, state, (edge == RISE, tally.slew(row)[edge], 0.0))
        total += float(energy.sum() if clocked else energy[edges].sum())
    if clocked:
        tally.clock += total
    return total


def stream_energy(
    netlist: dict,
    top: str,
    library: Library,
    inputs: Mapping[str, npt.ArrayLike],
    *,
    clock_ns: float,
    clock: str | None = None,
    drive: Drive | None = None,
) -> Energy:
    """Energy per activation of module ``top`` of a mapped ``netlist`` on a stream of inputs.

    Parameters
    ----------
    netlist, top, library, inputs, clock
        As :func:`~smelu_hw.liberty.gatesim.simulate`; at least two vectors.
    clock_ns : float
        The clock period, for the leakage.
    drive : Drive, optional
        The boundary assumptions; by default the flow's (:meth:`Drive.of`).

    Raises
    ------
    ValueError
        Fewer than two vectors, or a bad stimulus (:func:`~smelu_hw.liberty.gatesim.simulate`).
    SynthesisError
        A netlist the simulation or the timing analysis cannot take.
    """
    trace = simulate(netlist, top, library, inputs, clock)
    if trace.cycles < 2:
        raise ValueError(f"a stream needs at least two vectors, not {trace.cycles}")
    tally = _Tally(trace, net_timing(netlist, top, library, drive or Drive.of(library)))
    transitions = trace.cycles - 1
    for inst in trace.instances:
        states = trace.state(inst)
        for pin in inst.cell.outputs:
            tally.internal += _output_energy(tally, inst, pin, states[1:])
        for pin in inst.cell.inputs:
            tally.internal += _input_energy(tally, inst, pin, states)
    driven = {inst.rows[pin] for inst in trace.instances for pin in inst.cell.outputs}
    inputs_rows = {row for direction, rows in trace.ports.values() if direction == "input" for row in rows}
    half = 0.5 * library.voltage**2
    switching = inputs_switching = toggles = 0.0
    for row in sorted((driven | inputs_rows) - {0, 1}):
        load = tally.load(row)
        if row in trace.clocks:
            energy = half * (load[RISE] + load[FALL]) * transitions
            tally.clock += energy
        else:
            rises, falls = int(tally.rise[row].sum()), int(tally.fall[row].sum())
            energy = half * (load[RISE] * rises + load[FALL] * falls)
            toggles += rises + falls
        switching += energy
        inputs_switching += energy if row in inputs_rows else 0.0
    leakage = sum(inst.cell.leakage for inst in trace.instances) * clock_ns * 1e3  # W ns -> pJ
    return Energy(
        internal_pj=tally.internal / transitions,
        switching_pj=switching / transitions,
        leakage_pj=leakage,
        clock_pj=tally.clock / transitions,
        input_pj=inputs_switching / transitions,
        toggles=toggles / transitions,
        clock_ns=clock_ns,
        activations=transitions,
    )


def energy_per_activation(
    verilog: str,
    top: str,
    codes: npt.ArrayLike,
    *,
    corner: Corner = SG13G2_TYPICAL,
    clock_ns: float = 4.0,
    port: str = "x",
    hold: Mapping[str, int] = HOLD,
    clock: str = "clk",
    delay_ps: int | None = None,
) -> Energy:
    """Energy per activation of ``top`` after the Liberty flow, on a stream of input codes (cached).

    Parameters
    ----------
    verilog, top, corner, delay_ps
        As :func:`~smelu_hw.liberty.flow.liberty_area`.
    codes : array_like of int
        The codes applied to ``port``, one per clock cycle; at least two.
    clock_ns : float
        The clock period (4 ns: 250 MHz), which the leakage is paid over.
    port : str
        The input port the codes drive.
    hold : mapping of str to int
        Codes held on other input ports that the unit has (by default ``in_valid`` = 1);
        every other input but the clock is held at 0 (a reset, say).
    clock : str
        The clock port, used where the unit has it.

    Raises
    ------
    ValueError
        Fewer than two codes, a period that is not positive, or an unknown ``port``.
    LibertyError, SynthesisError
        As :func:`~smelu_hw.liberty.flow.liberty_area`.
    """
    codes = np.asarray(codes, dtype=np.int64).ravel()
    if not isinstance(clock_ns, (int, float)) or isinstance(clock_ns, bool) or not clock_ns > 0:
        raise ValueError(f"clock_ns must be a positive number, not {clock_ns!r}")
    if len(codes) < 2:
        raise ValueError(f"a stream needs at least two codes, not {len(codes)}")
    library = check_library(corner.liberty)
    digest = hashlib.sha256(codes.tobytes()).hexdigest()
    held = dict(sorted(hold.items()))
    key = [
        "liberty-energy", ENERGY_MODEL, TIMING_MODEL, library.sha256, verilog, top,
        json.dumps([float(clock_ns), port, held, clock, delay_ps, digest]),
    ]  # fmt: skip

    def compute() -> dict[str, object]:
        mapped = mapped_netlist(verilog, top, corner, delay_ps)
        ports = mapped.netlist["modules"][top]["ports"]
        if port not in ports or ports[port]["direction"] != "input":
            raise ValueError(f"{top} has no input port {port!r}")
        inputs = {
            name: codes if name == port else held.get(name, 0)
            for name, info in ports.items()
            if info["direction"] == "input" and name != clock
        }
        result = stream_energy(
            mapped.netlist,
            top,
            library,
            inputs,
            clock_ns=float(clock_ns),
            clock=clock if clock in ports else None,
        )
        return asdict(result)

    return Energy(**cached("synth", key, compute))
