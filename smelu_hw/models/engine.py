"""Golden model of one beat of the streaming engine (SPEC §6): a mode and ``lanes`` codes."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ..specs.engine import ENGINE_MODES
from .base import Activation

__all__ = ["engine_results"]


def engine_results(model: Activation, mode: int, x: npt.ArrayLike, g: npt.ArrayLike) -> np.ndarray:
    """The lane results of a beat: ``y`` (mode 0), ``dy`` (mode 1) or the fused backward (mode 2).

    Raises
    ------
    ValueError
        If ``mode`` is not one of :data:`~smelu_hw.specs.engine.ENGINE_MODES` (code 3 is
        reserved: the hardware outputs zeros for it, but it computes nothing).
    """
    if mode == ENGINE_MODES["forward"]:
        return model.forward(x)
    if mode == ENGINE_MODES["gradient"]:
        return model.grad(x)
    if mode == ENGINE_MODES["backward"]:
        return model.fused_backward(x, g)
    names = ", ".join(f"{code} ({name})" for name, code in ENGINE_MODES.items())
    raise ValueError(f"mode must be one of {names}, not {mode!r}")
