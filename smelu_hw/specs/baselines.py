"""Specs of the baselines SmeLU is compared with (SPEC §3): ReLU, hard-swish, Swish, Softplus, GELU, ELU.

Each spec class is its activation's one home: besides its parameters it declares its float64
definition (:meth:`~smelu_hw.specs.ActivationSpec.reference`, for error analysis) and, for the
smooth ones, the left halves the polynomial plans approximate and the 50-digit mpmath
definition that decides correct and faithful rounding (:class:`SmoothSpec`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import mpmath
import numpy as np
import numpy.typing as npt

from ..errors import ParameterError
from .base import ActivationSpec, Parameter, exact_real

__all__ = [
    "ReLUSpec",
    "HardSwishSpec",
    "SmoothSpec",
    "BetaSmoothSpec",
    "erfc",
    "SwishSpec",
    "SoftplusSpec",
    "GELUSpec",
    "ELUSpec",
    "METHODS",
    "POLY_MAX_BITS",
    "ROM_MAX_BITS",
    "check_rom_bits",
    "MAX_SMOOTH_BETA",
]


@dataclass(frozen=True, kw_only=True)
class ReLUSpec(ActivationSpec):
    """ReLU, with PyTorch's ``relu'(0) = 0``. Correctly rounded (only a rescale can round)."""

    activation: ClassVar[str] = "relu"

    def reference(self, x: np.ndarray, gradient: bool = False) -> np.ndarray:
        return (x > 0).astype(np.float64) if gradient else np.maximum(x, 0.0)


@dataclass(frozen=True, kw_only=True)
class HardSwishSpec(ActivationSpec):
    """Hard-swish ``x relu6(x + 3) / 6``; gradient ``x/3 + 1/2`` on the closed ``[-3, 3]``.

    Correctly rounded. The gradient lies in [-0.5, 1.5], so its format is signed (SPEC §1).
    """

    activation: ClassVar[str] = "hardswish"
    grad_signed: ClassVar[bool] = True

    def knots(self) -> tuple[int, ...]:
        three = 3 << self.fmt.frac
        return tuple(code for code in (-three, 0, three) if self.fmt.min_code <= code <= self.fmt.max_code)

    def reference(self, x: np.ndarray, gradient: bool = False) -> np.ndarray:
        if gradient:
            return np.where(x < -3, 0.0, np.where(x > 3, 1.0, x / 3 + 0.5))
        return x * np.clip(x + 3, 0, 6) / 6


#: How a smooth baseline is evaluated: faithful piecewise polynomials, an hls4ml-style table, or
#: a correctly rounded table of every input code.
METHODS = ("poly", "table", "rom")
#: Widest input of a table of every code (``method="rom"``, any activation).
ROM_MAX_BITS = 16
#: Widest input of the polynomial units: their faithfulness is checked on every input code.
POLY_MAX_BITS = 16
#: Largest accepted ``beta`` of Swish and Softplus.
MAX_SMOOTH_BETA = 64.0


_erfc_object = np.frompyfunc(math.erfc, 1, 1)
_SQRT2 = math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def erfc(x: npt.ArrayLike) -> np.ndarray:
    """The complementary error function of an array, in float64 (NumPy has none)."""
    return _erfc_object(np.asarray(x, dtype=np.float64)).astype(np.float64)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-z))


def _sigmoid_neg(z: np.ndarray) -> np.ndarray:
    """``sigmoid(-z)`` for ``z >= 0`` without overflow."""
    e = np.exp(-z)
    return e / (1.0 + e)


def check_rom_bits(bits: int) -> None:
    """Raise ``ValueError`` unless a table of every code of a ``bits``-bit input is allowed."""
    if bits > ROM_MAX_BITS:
        raise ParameterError(
            f"`bits` must be at most {ROM_MAX_BITS} for `method=rom` (a table of every input code), "
            f"not {bits}"
        )


@dataclass(frozen=True, kw_only=True)
class SmoothSpec(ActivationSpec):
    """Base of the smooth baselines (SPEC §3), which are not rational.

    ``method="poly"`` is faithfully rounded (every output is one of the two codes around the
    exact value) for inputs up to 16 bits and rounds to nearest internally, so ``rounding``
    must be ``"rne"`` (the default) or ``"rna"``. ``method="table"`` reproduces an hls4ml
    activation table (1024 entries over [-8, 8), 18-bit entries, truncating), so ``rounding``
    is ``"floor"`` (the default for tables). ``method="rom"`` is a table of every input code
    (up to :data:`ROM_MAX_BITS` bits), each entry correctly rounded with ``rounding`` (default
    ``"rne"``) against the mpmath reference, like SmeLU's outputs.

    A subclass declares its function by its *left half*, which the units approximate: with
    ``a = |x|``, ``L(a) = f(-a) - left_limit`` and ``G(a) = f'(-a)`` (:meth:`left_value`,
    :meth:`left_slope`), both decaying to 0. A :attr:`symmetric` function (``f(x) - f(-x) =
    x``: Swish, Softplus, GELU) is ``relu(x) + L(a)`` with slope ``1 - G(a)`` right of 0; any
    other is ``x`` with slope 1 there (:meth:`from_left`).
    """

    methods: ClassVar[tuple[str, ...]] = METHODS
    records_method: ClassVar[bool] = True
    exactness: ClassVar[str] = "faithful by construction"
    #: Whether ``f(x) - f(-x) = x``, so the left half gives the right half too.
    symmetric: ClassVar[bool] = True
    #: ``f(-inf)``, an integer: what the left half decays to.
    left_limit: ClassVar[int] = 0

    method: str = "poly"
    rounding: str | None = None

    def __post_init__(self) -> None:
        self._check_choices()
        if self.rounding is None:
            object.__setattr__(self, "rounding", "floor" if self.method == "table" else "rne")
        super().__post_init__()

    def _quantize(self) -> None:
        if self.method == "table" and self.rounding != "floor":
            raise ParameterError(
                f"`method=table` truncates like hls4ml; `rounding` must be 'floor', not {self.rounding!r}"
            )
        if self.method == "rom":
            check_rom_bits(self.fmt.bits)
        if self.method == "poly":
            if self.rounding == "floor":
                raise ParameterError(
                    f"{self.activation} is faithfully rounded to nearest; `rounding` must be 'rne' or 'rna'"
                )
            if self.fmt.bits > POLY_MAX_BITS:
                raise ParameterError(
                    f"`bits` must be at most {POLY_MAX_BITS} for `method=poly` (faithfulness is checked "
                    f"on every input code), not {self.fmt.bits}"
                )

    @property
    def shape(self) -> float:
        """The parameter the function's shape depends on (Swish's and Softplus's ``beta``); 1.0
        for a function without one."""
        return 1.0

    @staticmethod
    def left_value(a: np.ndarray, beta: float) -> np.ndarray:
        """``L(a) = f(-a) - left_limit`` in float64, for ``a >= 0`` (``beta``: :attr:`shape`)."""
        raise NotImplementedError

    @staticmethod
    def left_slope(a: np.ndarray, beta: float) -> np.ndarray:
        """``G(a) = f'(-a)`` in float64, for ``a >= 0``."""
        raise NotImplementedError

    @staticmethod
    def exact(x: mpmath.mpf, beta: mpmath.mpf) -> tuple[mpmath.mpf, mpmath.mpf]:
        """``(f(x), f'(x))`` in mpmath at the working precision."""
        raise NotImplementedError

    @classmethod
    def from_left(cls, x: np.ndarray, left: np.ndarray, gradient: bool = False) -> np.ndarray:
        """``f(x)`` (or ``f'(x)``) from the left half ``left`` evaluated at ``|x|``."""
        if gradient:
            return np.where(x > 0, 1.0 - left if cls.symmetric else 1.0, left)
        if cls.symmetric:
            return np.where(x > 0, x + left, left)
        return np.where(x > 0, x, left + cls.left_limit)

    def exact_value(self, x: float, gradient: bool = False) -> mpmath.mpf:
        """``f(x)`` (or ``f'(x)``) to 50 significant digits."""
        with mpmath.workdps(50):
            return self.exact(mpmath.mpf(x), mpmath.mpf(self.shape))[int(gradient)]


@dataclass(frozen=True, kw_only=True)
class BetaSmoothSpec(SmoothSpec):
    """A smooth baseline whose shape has a real ``beta`` in ``(0, 64]`` (Swish, Softplus)."""

    parameters: ClassVar[tuple[Parameter, ...]] = (
        Parameter("beta", f"Swish and Softplus sharpness, up to {MAX_SMOOTH_BETA:g} (default 1.0)", False),
    )

    beta: float = 1.0

    def _quantize(self) -> None:
        beta = exact_real("beta", self.beta)
        if not 0 < beta <= MAX_SMOOTH_BETA:
            raise ParameterError(
                f"`beta` must be greater than 0 and at most {MAX_SMOOTH_BETA}, not {self.beta!r}"
            )
        object.__setattr__(self, "beta", float(self.beta))
        super()._quantize()

    @property
    def shape(self) -> float:
        return self.beta


@dataclass(frozen=True, kw_only=True)
class SwishSpec(BetaSmoothSpec):
    """Swish ``x sigmoid(beta x)``; its gradient leaves [0, 1], so the gradient is signed."""

    activation: ClassVar[str] = "swish"
    grad_signed: ClassVar[bool] = True

    def reference(self, x: np.ndarray, gradient: bool = False) -> np.ndarray:
        s = _sigmoid(self.beta * x)
        return s + self.beta * x * s * (1 - s) if gradient else x * s

    @staticmethod
    def left_value(a: np.ndarray, beta: float) -> np.ndarray:
        a = np.asarray(a, dtype=np.float64)
        return -a * _sigmoid_neg(beta * a)

    @staticmethod
    def left_slope(a: np.ndarray, beta: float) -> np.ndarray:
        a = np.asarray(a, dtype=np.float64)
        s = _sigmoid_neg(beta * a)
        return s - beta * a * s * (1.0 - s)

    @staticmethod
    def exact(x: mpmath.mpf, beta: mpmath.mpf) -> tuple[mpmath.mpf, mpmath.mpf]:
        s = 1 / (1 + mpmath.exp(-beta * x))
        return x * s, s + beta * x * s * (1 - s)


@dataclass(frozen=True, kw_only=True)
class SoftplusSpec(BetaSmoothSpec):
    """Softplus ``log(1 + exp(beta x)) / beta``; gradient ``sigmoid(beta x)`` in [0, 1]."""

    activation: ClassVar[str] = "softplus"

    def reference(self, x: np.ndarray, gradient: bool = False) -> np.ndarray:
        return _sigmoid(self.beta * x) if gradient else np.logaddexp(0.0, self.beta * x) / self.beta

    @staticmethod
    def left_value(a: np.ndarray, beta: float) -> np.ndarray:
        a = np.asarray(a, dtype=np.float64)
        return np.log1p(np.exp(-beta * a)) / beta

    @staticmethod
    def left_slope(a: np.ndarray, beta: float) -> np.ndarray:
        return _sigmoid_neg(beta * np.asarray(a, dtype=np.float64))

    @staticmethod
    def exact(x: mpmath.mpf, beta: mpmath.mpf) -> tuple[mpmath.mpf, mpmath.mpf]:
        return mpmath.log1p(mpmath.exp(beta * x)) / beta, 1 / (1 + mpmath.exp(-beta * x))


@dataclass(frozen=True, kw_only=True)
class GELUSpec(SmoothSpec):
    """GELU ``x Phi(x)`` (the erf form); no parameter, signed gradient."""

    activation: ClassVar[str] = "gelu"
    grad_signed: ClassVar[bool] = True

    def reference(self, x: np.ndarray, gradient: bool = False) -> np.ndarray:
        phi = 0.5 * erfc(-x / _SQRT2)
        return phi + x * np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi) if gradient else x * phi

    @staticmethod
    def left_value(a: np.ndarray, beta: float) -> np.ndarray:
        a = np.asarray(a, dtype=np.float64)
        return -a * 0.5 * erfc(a / _SQRT2)

    @staticmethod
    def left_slope(a: np.ndarray, beta: float) -> np.ndarray:
        a = np.asarray(a, dtype=np.float64)
        return 0.5 * erfc(a / _SQRT2) - a * _INV_SQRT_2PI * np.exp(-0.5 * a * a)

    @staticmethod
    def exact(x: mpmath.mpf, beta: mpmath.mpf) -> tuple[mpmath.mpf, mpmath.mpf]:
        phi = mpmath.erfc(-x / mpmath.sqrt(2)) / 2
        return x * phi, phi + x * mpmath.exp(-x * x / 2) / mpmath.sqrt(2 * mpmath.pi)


@dataclass(frozen=True, kw_only=True)
class ELUSpec(SmoothSpec):
    """ELU with ``alpha = 1``: ``x`` for ``x > 0``, ``exp(x) - 1`` otherwise; gradient 1 and
    ``exp(x)``, in (0, 1]. It is not symmetric: its left half ``L(a) = exp(-a)`` (after the
    limit -1) and ``G(a) = exp(-a)`` give the left side, and the right side is exact."""

    activation: ClassVar[str] = "elu"
    symmetric: ClassVar[bool] = False
    left_limit: ClassVar[int] = -1

    def reference(self, x: np.ndarray, gradient: bool = False) -> np.ndarray:
        negative = np.minimum(x, 0.0)  # exp of the right side would overflow, and is not used
        if gradient:
            return np.where(x > 0, 1.0, np.exp(negative))
        return np.where(x > 0, x, np.expm1(negative))

    @staticmethod
    def left_value(a: np.ndarray, beta: float) -> np.ndarray:
        return np.exp(-np.asarray(a, dtype=np.float64))

    @staticmethod
    def left_slope(a: np.ndarray, beta: float) -> np.ndarray:
        return np.exp(-np.asarray(a, dtype=np.float64))

    @staticmethod
    def exact(x: mpmath.mpf, beta: mpmath.mpf) -> tuple[mpmath.mpf, mpmath.mpf]:
        if x > 0:
            return x, mpmath.mpf(1)
        return mpmath.expm1(x), mpmath.exp(x)
