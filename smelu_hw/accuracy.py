"""Accuracy of any unit's output codes against an exact reference (error analysis only).

The reference is each function's textbook definition in float64, scaled to output codes, with
every code whose verdict a float64 error could flip recomputed in mpmath at 50 digits. It
shares no code with the golden models or their plans (the plans' search uses the left-half
form; this uses the direct formulas). Errors are in output ULPs, after saturating the exact
value to the output range, so a saturated code counts as exact.

An output is *faithful* when it is one of the two codes bracketing the exact value, i.e. when
its error is below one ULP.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import mpmath
import numpy as np

from .approx.functions import erfc, gsmelu_float, slope_mp, value_mp
from .specs import ActivationSpec

__all__ = ["ErrorStats", "reference_codes", "error_stats"]

#: Relative error bound of the float64 formulas below (a few ulps each), generously rounded up.
FLOAT_MARGIN = 2.0**-40


def _sigmoid(z: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-z))


def _float_reference(spec: ActivationSpec, x: np.ndarray, gradient: bool) -> np.ndarray:
    """The exact function (or derivative) in float64, straight from SPEC §3."""
    name = spec.activation
    if name in ("smelu", "gsmelu"):
        p = spec.params()
        bl, br = (
            (p["beta_used"], p["beta_used"])
            if name == "smelu"
            else (p["beta_left_used"], p["beta_right_used"])
        )
        sl, sr = (0.0, 1.0) if name == "smelu" else (p["slope_left_used"], p["slope_right_used"])
        return gsmelu_float(x, bl, br, sl, sr)[int(gradient)]
    if name == "relu":
        return (x > 0).astype(np.float64) if gradient else np.maximum(x, 0.0)
    if name == "hardswish":
        if gradient:
            return np.where(x < -3, 0.0, np.where(x > 3, 1.0, x / 3 + 0.5))
        return x * np.clip(x + 3, 0, 6) / 6
    beta = getattr(spec, "beta", 1.0)
    if name == "swish":
        s = _sigmoid(beta * x)
        return s + beta * x * s * (1 - s) if gradient else x * s
    if name == "softplus":
        return _sigmoid(beta * x) if gradient else np.logaddexp(0.0, beta * x) / beta
    if name == "gelu":
        phi = 0.5 * erfc(-x / math.sqrt(2.0))
        return phi + x * np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi) if gradient else x * phi
    raise ValueError(f"unknown activation {name!r}")


def reference_codes(spec: ActivationSpec, codes: np.ndarray, gradient: bool = False) -> np.ndarray:
    """Exact values scaled to output (or gradient) codes, in float64, before saturation."""
    x = spec.fmt.to_real(codes)
    frac = spec.grad_frac if gradient else spec.out_fmt.frac
    return np.ldexp(_float_reference(spec, x, gradient), frac)


@dataclass(frozen=True)
class ErrorStats:
    """Error of output codes against the exact value, in ULPs of the output format."""

    max_ulp: float
    mean_ulp: float
    non_faithful: int
    count: int


def error_stats(
    spec: ActivationSpec, codes: np.ndarray, outputs: np.ndarray, gradient: bool = False
) -> ErrorStats:
    """Max and mean ULP error of ``outputs`` for input ``codes``, and how many are not faithful."""
    out = spec.grad_fmt if gradient else spec.out_fmt
    exact = np.clip(reference_codes(spec, codes, gradient), out.min_code, out.max_code)
    error = np.abs(outputs.astype(np.float64) - exact)
    doubtful = np.flatnonzero(np.abs(error - 1.0) <= FLOAT_MARGIN * np.maximum(np.abs(exact), 1.0))
    if len(doubtful) and spec.activation in ("swish", "softplus", "gelu"):
        function = slope_mp if gradient else value_mp
        beta = getattr(spec, "beta", 1.0)
        frac = spec.grad_frac if gradient else out.frac
        for i in doubtful:
            with mpmath.workdps(50):
                value = (
                    function(spec.activation, beta, float(spec.fmt.to_real(codes[i]))) * mpmath.mpf(2) ** frac
                )
                value = min(max(value, out.min_code), out.max_code)
                error[i] = float(abs(int(outputs[i]) - value))
    non_faithful = int(np.count_nonzero(error >= 1.0))
    return ErrorStats(
        float(error.max(initial=0.0)), float(error.mean()) if error.size else 0.0, non_faithful, error.size
    )
