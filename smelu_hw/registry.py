"""One table of every activation: its spec, golden model and hardware unit."""

from __future__ import annotations

from typing import NamedTuple

from .hw import ActivationUnit
from .hw.gsmelu import GSmeLUUnit
from .hw.rational import HardSwishUnit, ReLUUnit
from .hw.smelu import SmeLUUnit
from .hw.smooth import GELUUnit, SoftplusUnit, SwishUnit
from .models import GELU, Activation, GSmeLU, HardSwish, ReLU, SmeLU, Softplus, Swish
from .params import (
    ActivationSpec,
    GELUSpec,
    GSmeLUSpec,
    HardSwishSpec,
    ReLUSpec,
    SmeLUSpec,
    SoftplusSpec,
    SwishSpec,
)

__all__ = ["ACTIVATIONS", "Entry"]


class Entry(NamedTuple):
    spec: type[ActivationSpec]
    model: type[Activation]
    unit: type[ActivationUnit]


#: Activation name (SPEC §5) -> spec, model and unit classes.
ACTIVATIONS: dict[str, Entry] = {
    "smelu": Entry(SmeLUSpec, SmeLU, SmeLUUnit),
    "gsmelu": Entry(GSmeLUSpec, GSmeLU, GSmeLUUnit),
    "relu": Entry(ReLUSpec, ReLU, ReLUUnit),
    "hardswish": Entry(HardSwishSpec, HardSwish, HardSwishUnit),
    "swish": Entry(SwishSpec, Swish, SwishUnit),
    "softplus": Entry(SoftplusSpec, Softplus, SoftplusUnit),
    "gelu": Entry(GELUSpec, GELU, GELUUnit),
}
