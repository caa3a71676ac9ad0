"""Amaranth components of the activation units (SPEC §6).

The hardware layer reads the spec layer; it never imports the NumPy models. :data:`UNITS` maps
each activation name to its component class, and :func:`unit_class_for` finds the class of a
spec.
"""

from ..specs import ActivationSpec, activation_of
from .gsmelu import GSmeLUUnit
from .rational import HardSwishUnit, ReLUUnit
from .smelu import SmeLUUnit
from .smooth import ELUUnit, GELUUnit, SoftplusUnit, SwishUnit
from .unit import ActivationUnit

__all__ = [
    "UNITS",
    "unit_class_for",
    "ActivationUnit",
    "SmeLUUnit",
    "GSmeLUUnit",
    "ReLUUnit",
    "HardSwishUnit",
    "SwishUnit",
    "SoftplusUnit",
    "GELUUnit",
    "ELUUnit",
]

#: Activation name (SPEC §5) -> Amaranth component class.
UNITS: dict[str, type[ActivationUnit]] = {
    unit.spec_class.activation: unit
    for unit in (SmeLUUnit, GSmeLUUnit, ReLUUnit, HardSwishUnit, SwishUnit, SoftplusUnit, GELUUnit, ELUUnit)
}


def unit_class_for(spec: ActivationSpec) -> type[ActivationUnit]:
    """The component class that implements ``spec``.

    Raises
    ------
    TypeError
        If ``spec`` is not the spec of a known activation.
    """
    return UNITS[activation_of(spec)]
