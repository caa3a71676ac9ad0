"""Correctly rounded tables of every input code for the smooth baselines (method ``rom``).

Each entry is the exact function value (or derivative) at the code, scaled to the output (or
gradient) format, rounded once with the spec's mode, then saturated: the same rule as SmeLU's
(SPEC §2). Float64 decides an entry when its scaled value is far from a rounding boundary (a
tie for ``rne``/``rna``, an integer for ``floor``); the few entries within :data:`MARGIN` of a
boundary are decided by the 50-digit mpmath reference (:meth:`~smelu_hw.specs.SmoothSpec.exact_value`).
A boundary that mpmath cannot separate from the value either (closer than ``1e-40`` without
being exact) raises, rather than guess.
"""

from __future__ import annotations

import math
from functools import lru_cache

import mpmath
import numpy as np

from ..fixed import QFormat
from ..specs import SmoothSpec

__all__ = ["MARGIN", "rom_tables", "round_exactly"]

#: Distance from a rounding boundary, in units of the last place, within which float64 is not
#: trusted to decide an entry (its error on these functions is below 1e-9 units up to 16 bits).
MARGIN = 1e-6


def round_exactly(scaled: mpmath.mpf, rounding: str) -> int:
    """Round an mpmath value once with ``rounding`` (``rne``, ``rna`` or ``floor``).

    Raises
    ------
    ArithmeticError
        If the value lies within ``1e-40`` of a boundary without being on it.
    """
    low = int(mpmath.floor(scaled))
    rest = scaled - low
    boundary = mpmath.mpf(0) if rounding == "floor" else mpmath.mpf(1) / 2
    distance = abs(rest - boundary)
    if 0 < distance < mpmath.mpf(10) ** -40:
        raise ArithmeticError(f"cannot decide the rounding of {scaled} with 50 digits")
    if rounding == "floor":
        return low
    if rest != boundary:
        return low + 1 if rest > boundary else low
    if rounding == "rne":
        return low if low % 2 == 0 else low + 1
    return low + 1 if scaled > 0 else low  # rna: ties away from zero


def _round_column(
    approx: np.ndarray, exact: object, codes: np.ndarray, fmt: QFormat, frac: int, rounding: str
) -> np.ndarray:
    scaled = approx * float(1 << frac)
    if rounding == "floor":
        result = np.floor(scaled)
        close = np.abs(scaled - np.round(scaled)) < MARGIN
    else:
        result = np.floor(scaled + 0.5)  # both nearest modes agree away from ties
        close = np.abs(scaled - np.floor(scaled) - 0.5) < MARGIN
    result = result.astype(np.int64)
    for index in np.flatnonzero(close):
        value = exact(math.ldexp(int(codes[index]), -fmt.frac))
        with mpmath.workdps(50):
            result[index] = round_exactly(value * (1 << frac), rounding)
    return result


@lru_cache(maxsize=16)
def rom_tables(spec: SmoothSpec) -> tuple[np.ndarray, np.ndarray]:
    """Forward and gradient codes of every input code of ``spec.fmt``, in code order.

    Parameters
    ----------
    spec : SmoothSpec
        A smooth baseline's spec; its ``method`` is not read.
    """
    codes = spec.fmt.codes()
    x = codes / float(1 << spec.fmt.frac)
    value = spec.from_left(x, spec.left_value(np.abs(x), spec.shape))
    slope = spec.from_left(x, spec.left_slope(np.abs(x), spec.shape), gradient=True)
    forward = _round_column(value, spec.exact_value, codes, spec.fmt, spec.out_fmt.frac, spec.rounding)
    grad = _round_column(
        slope, lambda x: spec.exact_value(x, gradient=True), codes, spec.fmt, spec.grad_frac, spec.rounding
    )
    return spec.out_fmt.saturate(forward), spec.grad_fmt.saturate(grad)
