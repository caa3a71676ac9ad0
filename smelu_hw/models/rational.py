"""Golden models of the rational baselines, ReLU and hard-swish: exact, one rounding."""

from __future__ import annotations

import numpy as np

from ..fixed import QFormat, exact_array, round_div
from ..specs import HardSwishSpec, ReLUSpec
from .base import Activation

__all__ = ["ReLU", "HardSwish"]


def _rescale(x: np.ndarray, num_shift: int, rounding: str) -> np.ndarray:
    """``round(x * 2**num_shift)`` for a possibly negative shift."""
    if num_shift >= 0:
        return x << num_shift
    return round_div(x, 1 << -num_shift, rounding)


class _Parameterless(Activation):
    """An activation without parameters of its own: only formats and rounding."""

    def __init__(
        self,
        *,
        fmt: QFormat,
        out_fmt: QFormat | None = None,
        grad_frac: int | None = None,
        rounding: str = "rne",
    ) -> None:
        super().__init__(self.spec_class(fmt=fmt, out_fmt=out_fmt, grad_frac=grad_frac, rounding=rounding))


class ReLU(_Parameterless):
    """Bit-exact ReLU: ``y = round(max(x, 0))`` in the output format, ``dy = [x > 0]``.

    Parameters
    ----------
    fmt, out_fmt, grad_frac, rounding
        As for :class:`~smelu_hw.SmeLU`.
    """

    spec_class = ReLUSpec

    def _forward(self, x: np.ndarray) -> np.ndarray:
        spec = self.spec
        return _rescale(np.maximum(x, 0), spec.out_fmt.frac - spec.fmt.frac, spec.rounding)

    def _grad(self, x: np.ndarray) -> np.ndarray:
        return (x > 0).astype(np.int64) << self.spec.grad_frac


class HardSwish(_Parameterless):
    """Bit-exact hard-swish ``x relu6(x + 3) / 6`` and PyTorch's gradient.

    With ``T = 3 * 2**F`` and ``c = clip(X, -T, T)``, the output is
    ``(c (c + T) + 6 2**F max(X - T, 0)) * 2**out_frac / (6 2**(2F))``: the clamp gives 0 on
    the left and the linear term makes it ``X / 2**F`` on the right. The gradient is
    ``(2X + T) / (6 2**F)`` on the closed ``[-T, T]``, 0 below and 1 above.

    Parameters
    ----------
    fmt, out_fmt, grad_frac, rounding
        As for :class:`~smelu_hw.SmeLU`.
    """

    spec_class = HardSwishSpec

    def _forward(self, x: np.ndarray) -> np.ndarray:
        spec = self.spec
        f, three = spec.fmt.frac, 3 << spec.fmt.frac
        num_shift = max(spec.out_fmt.frac - 2 * f, 0)
        den = (6 << (2 * f)) >> min(spec.out_fmt.frac, 2 * f)
        # |c (c + T)| <= 2 T**2 and 6 2**F |X| are below 2**(2 bits + 6).
        x = exact_array(x, 2 * max(spec.fmt.bits, f + 2) + 8 + num_shift)
        c = np.clip(x, -three, three)
        num = c * (c + three) + (6 << f) * np.maximum(x - three, 0)
        return round_div(num << num_shift, den, spec.rounding)

    def _grad(self, x: np.ndarray) -> np.ndarray:
        spec = self.spec
        f, three, g = spec.fmt.frac, 3 << spec.fmt.frac, spec.grad_frac
        num_shift = max(g - f, 0)
        den = (6 << f) >> min(g, f)
        inside = round_div((2 * x + three) << num_shift, den, spec.rounding)
        return np.where(x < -three, 0, np.where(x > three, 1 << g, inside))
