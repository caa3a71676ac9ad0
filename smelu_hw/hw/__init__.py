"""Amaranth components of the activation units."""

from .smelu import SmeLUUnit
from .unit import ActivationUnit

__all__ = ["ActivationUnit", "SmeLUUnit"]
