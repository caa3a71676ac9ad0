"""Amaranth components of the activation units."""

from .gsmelu import GSmeLUUnit
from .smelu import SmeLUUnit
from .unit import ActivationUnit

__all__ = ["ActivationUnit", "GSmeLUUnit", "SmeLUUnit"]
