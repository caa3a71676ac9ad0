"""Standard-cell measurements on a Liberty library: area in µm², cells, and the critical path.

:func:`liberty_area` runs the flow (:mod:`smelu_hw.liberty.flow`) on the shipped IHP SG13G2
cells (:data:`SG13G2_TYPICAL`, :data:`SG13G2_SLOW`) or any library (:meth:`Corner.of`);
:func:`check_library` validates a user's file first, raising :class:`LibertyError` with one line.
:func:`energy_per_activation` simulates the mapped netlist on a stream of input codes
(:mod:`smelu_hw.liberty.gatesim`, zero delay) and prices its toggles with the library's
internal power, pin capacitances and leakage (:mod:`smelu_hw.liberty.energy`).
:mod:`smelu_hw.liberty.pareto` sweeps a unit over latency and ABC's delay target into a Pareto
front of (register-to-register delay, area) and picks the smallest area that meets a clock.
"""

from .energy import Energy, energy_per_activation, stream_energy
from .flow import SG13G2_SLOW, SG13G2_TYPICAL, Corner, LibertyArea, Mapped, liberty_area, mapped_netlist
from .library import LibertyError, Library, check_library, read_library
from .timing import CriticalPath, Drive, critical_path

__all__ = [
    "Corner",
    "SG13G2_TYPICAL",
    "SG13G2_SLOW",
    "LibertyArea",
    "liberty_area",
    "Mapped",
    "mapped_netlist",
    "Energy",
    "energy_per_activation",
    "stream_energy",
    "Library",
    "LibertyError",
    "check_library",
    "read_library",
    "CriticalPath",
    "Drive",
    "critical_path",
]
