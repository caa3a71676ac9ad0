"""Golden models of SmeLU and generalized SmeLU: exact rational arithmetic, one rounding.

All arithmetic is on integer codes. A value ``v`` in a format with ``F`` fractional bits is the
code ``V = v * 2**F``. Every output is written as one exact fraction ``N / D`` of integer arrays
and rounded once by :func:`~smelu_hw.fixed.round_div`.

Both functions are evaluated without branches by clamping ``u = x + beta_left`` into the
quadratic region, ``uc = clip(u, 0, W)`` with ``W`` the region's width: the quadratic formula at
``uc`` gives the knot values, and the linear tails are added back as ``min(u, W)`` and
``max(u - W, 0)`` terms. Each model computes a bound on its intermediates up front and runs on
int64 when they fit in 61 bits, on Python integers (the wide path) otherwise.
"""

from __future__ import annotations

import numpy as np

from ..fixed import QFormat, exact_array, round_div, scale_shifts
from ..specs import GSmeLUSpec, SmeLUSpec
from ..squaring import truncated_quotient
from .base import Activation

__all__ = ["SmeLU", "GSmeLU"]


class SmeLU(Activation):
    """Bit-exact fixed-point SmeLU and its gradient (SPEC §3).

    With ``B = beta_code`` and ``F = fmt.frac``, for input code ``X``::

        y  = (X + B)**2 / (4 B 2**F) * 2**out_frac   for -B < X < B   (0 below, X / 2**F above)
        dy = (X + B) / (2 B) * 2**grad_frac           (0 below, 1 above)

    each rounded once with ``rounding`` and saturated to the output or gradient format.

    Parameters
    ----------
    beta : float
        Half-width of the quadratic region; any value on the input grid.
    fmt : QFormat
        Signed input format, 4 to 32 bits.
    out_fmt : QFormat, optional
        Output format; defaults to ``fmt``.
    grad_frac : int, optional
        Fractional bits of the gradient; defaults to ``fmt.frac``.
    rounding : {"rne", "rna", "floor"}
        Rounding mode.
    accuracy : {"correct", "faithful"}
        ``"faithful"`` truncates instead of rounding, and where the spec plans a truncated
        squarer (:attr:`~smelu_hw.specs.SmeLUSpec.square_plan`) the quadratic region is that
        squarer's ``floor((u**2 - dropped + offset) / 2**shift)``, bit for bit.

    Raises
    ------
    ValueError
        If a parameter is out of range (see :class:`~smelu_hw.specs.SmeLUSpec`).
    """

    spec_class = SmeLUSpec

    def __init__(
        self,
        beta: float = 1.0,
        *,
        fmt: QFormat,
        out_fmt: QFormat | None = None,
        grad_frac: int | None = None,
        rounding: str = "rne",
        accuracy: str = "correct",
    ) -> None:
        super().__init__(
            SmeLUSpec(
                beta=beta, fmt=fmt, out_fmt=out_fmt, grad_frac=grad_frac, rounding=rounding, accuracy=accuracy
            )
        )

    def _forward(self, x: np.ndarray) -> np.ndarray:
        spec = self.spec
        if spec.square_plan is not None:
            return self._truncated_forward(x)
        b = spec.beta_code
        num_shift, den_shift = scale_shifts(spec.out_fmt.frac - spec.fmt.frac)
        den = (4 * b) << den_shift
        # |num| <= 4 B max|X| * 2**num_shift < 2**(2 bits + num_shift); 2*remainder < 2 den.
        bound = max(2 * spec.fmt.bits + num_shift, den.bit_length() + 1)
        x = exact_array(x, bound)
        u = x + b
        uc = np.clip(u, 0, 2 * b)
        # Above the region: uc**2 + 4B (u - 2B) = 4B X, i.e. y = X / 2**F.
        num = (uc * uc + 4 * b * np.maximum(u - 2 * b, 0)) << num_shift
        return round_div(num, den, spec.rounding)

    def _truncated_forward(self, x: np.ndarray) -> np.ndarray:
        """A faithful unit's planned arithmetic: 0 on the left, ``x`` truncated to the output
        format on the right, the truncated squarer's quotient in between."""
        spec, plan = self.spec, self.spec.square_plan
        num_shift, den_shift = scale_shifts(spec.out_fmt.frac - spec.fmt.frac)
        b, x = spec.beta_code, exact_array(x, spec.fmt.bits + num_shift + 1)
        quadratic = truncated_quotient(
            np.clip(x + b, 0, plan.u_max).astype(np.int64), plan.width, plan.shift, plan.truncation
        )
        linear = (x << num_shift) >> den_shift
        return np.where(x <= -b, 0, np.where(x >= b, linear, quadratic))

    def _grad(self, x: np.ndarray) -> np.ndarray:
        spec = self.spec
        b = spec.beta_code
        bound = spec.fmt.bits + 1 + spec.grad_frac
        uc = np.clip(exact_array(x, bound) + b, 0, 2 * b)
        return round_div(uc << spec.grad_frac, 2 * b, spec.rounding)


class GSmeLU(Activation):
    """Bit-exact fixed-point generalized SmeLU and its gradient (SPEC §3).

    With half-width codes ``BL``, ``BR``, ``W = BL + BR``, slope codes ``SL``, ``SR`` (units of
    ``2**-F``) and ``U = X + BL``, in the quadratic region ``0 < U < W``::

        y  = ((SR - SL) U**2 + 2 W SL U) / (2 W 2**(2F)) * 2**out_frac
        dy = ((SR - SL) U + SL W) / (W 2**F) * 2**grad_frac

    with linear tails of slope ``SL`` and ``SR`` outside, each rounded once and saturated.

    Parameters
    ----------
    beta_left, beta_right : float
        Half-widths of the quadratic region left and right of zero.
    slope_left, slope_right : float
        Slopes of the linear tails, in [0, 1].
    fmt, out_fmt, grad_frac, rounding
        As for :class:`SmeLU`.
    accuracy : {"correct", "faithful"}
        ``"faithful"`` truncates every output instead of rounding it.

    Raises
    ------
    ValueError
        If a parameter is out of range (see :class:`~smelu_hw.specs.GSmeLUSpec`).
    """

    spec_class = GSmeLUSpec

    def __init__(
        self,
        beta_left: float = 1.0,
        beta_right: float = 1.0,
        slope_left: float = 0.0,
        slope_right: float = 1.0,
        *,
        fmt: QFormat,
        out_fmt: QFormat | None = None,
        grad_frac: int | None = None,
        rounding: str = "rne",
        accuracy: str = "correct",
    ) -> None:
        super().__init__(
            GSmeLUSpec(
                beta_left=beta_left,
                beta_right=beta_right,
                slope_left=slope_left,
                slope_right=slope_right,
                fmt=fmt,
                out_fmt=out_fmt,
                grad_frac=grad_frac,
                rounding=rounding,
                accuracy=accuracy,
            )
        )

    def _codes(self) -> tuple[int, int, int, int]:
        spec = self.spec
        return (
            spec.beta_left_code,
            spec.beta_left_code + spec.beta_right_code,
            spec.slope_left_code,
            spec.slope_right_code,
        )

    def _forward(self, x: np.ndarray) -> np.ndarray:
        spec = self.spec
        bl, w, sl, sr = self._codes()
        num_shift, den_shift = scale_shifts(spec.out_fmt.frac - 2 * spec.fmt.frac)
        den = (2 * w) << den_shift
        # |U|, W < 2**(bits+1); slopes <= 2**F: every term is below 2**(2 bits + F + 4).
        bound = max(2 * spec.fmt.bits + spec.fmt.frac + 5 + num_shift, den.bit_length() + 1)
        u = exact_array(x, bound) + bl
        uc = np.clip(u, 0, w)
        tails = sl * np.minimum(u, w) + sr * np.maximum(u - w, 0)
        num = ((sr - sl) * uc * uc + 2 * w * tails) << num_shift
        return round_div(num, den, spec.rounding)

    def _grad(self, x: np.ndarray) -> np.ndarray:
        spec = self.spec
        bl, w, sl, sr = self._codes()
        num_shift, den_shift = scale_shifts(spec.grad_frac - spec.fmt.frac)
        den = w << den_shift
        bound = max(2 * spec.fmt.bits + 3 + num_shift, den.bit_length() + 1)
        uc = np.clip(exact_array(x, bound) + bl, 0, w)
        num = ((sr - sl) * uc + sl * w) << num_shift
        return round_div(num, den, spec.rounding)
