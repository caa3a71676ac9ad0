"""Bit-exact NumPy golden models of the activation units."""

from .base import Activation
from .rational import HardSwish, ReLU
from .smelu import GSmeLU, SmeLU
from .smooth import GELU, SmoothActivation, Softplus, Swish

__all__ = [
    "Activation",
    "SmeLU",
    "GSmeLU",
    "ReLU",
    "HardSwish",
    "SmoothActivation",
    "Swish",
    "Softplus",
    "GELU",
]
