"""Bit-exact NumPy golden models of the activation units."""

from .base import Activation
from .smelu import GSmeLU, SmeLU

__all__ = ["Activation", "SmeLU", "GSmeLU"]
