"""One table of every activation for the tools: its spec, golden model and hardware unit.

The layers below keep their own tables (:data:`smelu_hw.specs.SPECS`,
:data:`smelu_hw.models.MODELS`, :data:`smelu_hw.hw.UNITS`); this module, a tool, joins them.
"""

from __future__ import annotations

from typing import NamedTuple

from .hw import UNITS, ActivationUnit
from .models import MODELS, Activation
from .specs import SPECS, ActivationSpec

__all__ = ["ACTIVATIONS", "Entry"]


class Entry(NamedTuple):
    spec: type[ActivationSpec]
    model: type[Activation]
    unit: type[ActivationUnit]


#: Activation name (SPEC §5) -> spec, model and unit classes.
ACTIVATIONS: dict[str, Entry] = {name: Entry(spec, MODELS[name], UNITS[name]) for name, spec in SPECS.items()}
