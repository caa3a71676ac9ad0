"""smelu_hw: verified, synthesizable SmeLU (Smooth ReLU) hardware for ML accelerators.

"SPEC §n" in the docstrings is section n of ``docs/SPEC.md``, the contract, in the repository.
"""

from .fixed import ROUNDING_MODES, QFormat
from .models import ELU, GELU, Activation, GSmeLU, HardSwish, ReLU, SmeLU, Softplus, Swish
from .specs import (
    ELUSpec,
    GELUSpec,
    GSmeLUSpec,
    HardSwishSpec,
    ParameterQuantizedWarning,
    ReLUSpec,
    SmeLUSpec,
    SoftplusSpec,
    SwishSpec,
)

__version__ = "0.1.0"

__all__ = [
    "ROUNDING_MODES",
    "QFormat",
    "Activation",
    "SmeLU",
    "GSmeLU",
    "ReLU",
    "HardSwish",
    "Swish",
    "Softplus",
    "GELU",
    "ELU",
    "SmeLUSpec",
    "GSmeLUSpec",
    "ReLUSpec",
    "HardSwishSpec",
    "SwishSpec",
    "SoftplusSpec",
    "GELUSpec",
    "ELUSpec",
    "ParameterQuantizedWarning",
]
