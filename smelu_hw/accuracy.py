"""Accuracy of any unit's output codes against an exact reference (error analysis only).

The reference is each function's textbook definition in float64, as its spec declares it
(:meth:`~smelu_hw.specs.ActivationSpec.reference`), scaled to output codes, with every code of
a smooth baseline whose verdict a float64 error could flip recomputed in mpmath at 50 digits
(:meth:`~smelu_hw.specs.SmoothSpec.exact_value`). It shares no code with the golden models or
their plans (the plans' search uses the left-half form; this uses the direct formulas). Errors
are in output ULPs, after saturating the exact value to the output range, so a saturated code
counts as exact.

An output is *faithful* when it is one of the two codes bracketing the exact value, i.e. when
its error is below one ULP.
"""

from __future__ import annotations

from dataclasses import dataclass

import mpmath
import numpy as np

from .specs import ActivationSpec, SmoothSpec

__all__ = ["ErrorStats", "reference_codes", "error_stats"]

#: Relative error bound of the specs' float64 formulas (a few ulps each), generously rounded up.
FLOAT_MARGIN = 2.0**-40


def reference_codes(spec: ActivationSpec, codes: np.ndarray, gradient: bool = False) -> np.ndarray:
    """Exact values scaled to output (or gradient) codes, in float64, before saturation."""
    x = spec.fmt.to_real(codes)
    frac = spec.grad_frac if gradient else spec.out_fmt.frac
    return np.ldexp(spec.reference(x, gradient), frac)


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
    if len(doubtful) and isinstance(spec, SmoothSpec):
        frac = spec.grad_frac if gradient else out.frac
        for i in doubtful:
            with mpmath.workdps(50):
                value = spec.exact_value(float(spec.fmt.to_real(codes[i])), gradient) * mpmath.mpf(2) ** frac
                value = min(max(value, out.min_code), out.max_code)
                error[i] = float(abs(int(outputs[i]) - value))
    non_faithful = int(np.count_nonzero(error >= 1.0))
    return ErrorStats(
        float(error.max(initial=0.0)), float(error.mean()) if error.size else 0.0, non_faithful, error.size
    )
