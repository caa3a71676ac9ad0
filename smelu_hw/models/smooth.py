"""Golden models of Swish, Softplus, GELU and ELU: the integer algorithm the hardware runs.

These are not exact functions: each is bit-exact to its unit, and faithfully rounded (method
``poly``), the hls4ml table (method ``table``), or a table of every input code, each entry
correctly rounded (method ``rom``, :func:`smelu_hw.approx.rom.rom_tables`). Their accuracy is
measured separately against mpmath (``tests/models/test_smooth.py``, ``benchmarks/errors.py``).

With ``a = |X|`` and plans from :mod:`smelu_hw.approx.plans` (``frac`` = ``Q``), for a
symmetric function (:attr:`~smelu_hw.specs.SmoothSpec.symmetric`: Swish, Softplus, GELU)::

    y  = round_half_up((relu(X) 2**(Q - F) + L_Q(a)) / 2**(Q - F_out))
    dy = round_half_up(((1 - G)_Q if X > 0 else G_Q(a)) / 2**(Q - F_grad))

and for any other (ELU), whose right side is exact and whose left half decays to the limit
``c = left_limit``::

    y  = round_half_up((X 2**(Q - F) if X > 0 else L_Q(a) + c 2**Q) / 2**(Q - F_out))
    dy = round_half_up((2**Q if X > 0 else G_Q(a)) / 2**(Q - F_grad))
"""

from __future__ import annotations

import numpy as np

from ..approx.plans import slope_plan, slope_table, value_plan, value_table
from ..approx.rom import rom_tables
from ..fixed import QFormat, shift_round_half_up
from ..specs import ELUSpec, GELUSpec, SmoothSpec, SoftplusSpec, SwishSpec
from .base import Activation

__all__ = ["SmoothActivation", "Swish", "Softplus", "GELU", "ELU"]


class SmoothActivation(Activation):
    """Shared evaluation of the smooth baselines (see the module docstring)."""

    spec_class = SmoothSpec

    def _forward(self, x: np.ndarray) -> np.ndarray:
        spec = self.spec
        if spec.method == "rom":
            return rom_tables(spec)[0][x - spec.fmt.min_code]
        if spec.method == "table":
            return value_table(spec).lookup(x, spec.out_fmt.frac)
        plan = value_plan(spec)
        right = x << (plan.frac - spec.fmt.frac)
        left = plan.evaluate(np.abs(x))
        if spec.symmetric:
            value = np.where(x > 0, right, 0) + left
        else:
            value = np.where(x > 0, right, left + (spec.left_limit << plan.frac))
        return shift_round_half_up(value, plan.frac - spec.out_fmt.frac)

    def _grad(self, x: np.ndarray) -> np.ndarray:
        spec = self.spec
        if spec.method == "rom":
            return rom_tables(spec)[1][x - spec.fmt.min_code]
        if spec.method == "table":
            return slope_table(spec).lookup(x, spec.grad_frac)
        plan = slope_plan(spec)
        left = plan.evaluate(np.abs(x))
        right = (1 << plan.frac) - left if spec.symmetric else 1 << plan.frac
        return shift_round_half_up(np.where(x > 0, right, left), plan.frac - spec.grad_frac)


class _BetaSmooth(SmoothActivation):
    """A smooth baseline with a ``beta`` parameter; the constructor both subclasses share."""

    def __init__(
        self,
        beta: float = 1.0,
        *,
        fmt: QFormat,
        out_fmt: QFormat | None = None,
        grad_frac: int | None = None,
        rounding: str | None = None,
        method: str = "poly",
    ) -> None:
        spec = self.spec_class(
            beta=beta, fmt=fmt, out_fmt=out_fmt, grad_frac=grad_frac, rounding=rounding, method=method
        )
        super().__init__(spec)


class Swish(_BetaSmooth):
    """Swish ``x sigmoid(beta x)`` and its gradient (see :class:`~smelu_hw.specs.SmoothSpec`).

    Parameters
    ----------
    beta : float
        Sharpness, in (0, 64].
    fmt, out_fmt, grad_frac, rounding
        As for :class:`~smelu_hw.SmeLU` (rounding ``rne`` or ``rna``; tables use ``floor``).
    method : {"poly", "table", "rom"}
        Faithful piecewise polynomials, the hls4ml-style table, or a correctly rounded table of
        every input code.
    """

    spec_class = SwishSpec


class Softplus(_BetaSmooth):
    """Softplus ``log(1 + exp(beta x)) / beta`` and its gradient ``sigmoid(beta x)``.

    Parameters as for :class:`Swish`.
    """

    spec_class = SoftplusSpec


class _FixedSmooth(SmoothActivation):
    """A smooth baseline without a parameter; the constructor GELU and ELU share."""

    def __init__(
        self,
        *,
        fmt: QFormat,
        out_fmt: QFormat | None = None,
        grad_frac: int | None = None,
        rounding: str | None = None,
        method: str = "poly",
    ) -> None:
        super().__init__(
            self.spec_class(fmt=fmt, out_fmt=out_fmt, grad_frac=grad_frac, rounding=rounding, method=method)
        )


class GELU(_FixedSmooth):
    """GELU ``x Phi(x)`` (erf form) and its gradient ``Phi(x) + x phi(x)``.

    Parameters as for :class:`Swish`, without ``beta``.
    """

    spec_class = GELUSpec


class ELU(_FixedSmooth):
    """ELU (``alpha = 1``): ``x`` right of 0, ``exp(x) - 1`` left of it; gradient 1 and ``exp(x)``.

    Parameters as for :class:`Swish`, without ``beta``.
    """

    spec_class = ELUSpec
