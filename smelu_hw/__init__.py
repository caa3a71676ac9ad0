"""smelu_hw: verified, synthesizable SmeLU (Smooth ReLU) hardware for ML accelerators."""

from .fixed import ROUNDING_MODES, QFormat
from .models import Activation, GSmeLU, SmeLU
from .params import GSmeLUSpec, ParameterQuantizedWarning, SmeLUSpec

__version__ = "0.1.0"

__all__ = [
    "ROUNDING_MODES",
    "QFormat",
    "Activation",
    "SmeLU",
    "GSmeLU",
    "SmeLUSpec",
    "GSmeLUSpec",
    "ParameterQuantizedWarning",
]
