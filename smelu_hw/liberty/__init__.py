"""Standard-cell measurements on a Liberty library: area in µm², cells, and the critical path.

:func:`liberty_area` runs the flow (:mod:`smelu_hw.liberty.flow`) on the shipped IHP SG13G2
cells (:data:`SG13G2_TYPICAL`, :data:`SG13G2_SLOW`) or any library (:meth:`Corner.of`);
:func:`check_library` validates a user's file first, raising :class:`LibertyError` with one line.
"""

from .flow import SG13G2_SLOW, SG13G2_TYPICAL, Corner, LibertyArea, liberty_area
from .library import LibertyError, Library, check_library, read_library
from .timing import CriticalPath, Drive, critical_path

__all__ = [
    "Corner",
    "SG13G2_TYPICAL",
    "SG13G2_SLOW",
    "LibertyArea",
    "liberty_area",
    "Library",
    "LibertyError",
    "check_library",
    "read_library",
    "CriticalPath",
    "Drive",
    "critical_path",
]
