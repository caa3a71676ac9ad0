"""Specs of the baselines SmeLU is compared with (SPEC §3): ReLU, hard-swish, Swish, Softplus, GELU."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from .base import ActivationSpec, exact_real

__all__ = [
    "ReLUSpec",
    "HardSwishSpec",
    "SmoothSpec",
    "SwishSpec",
    "SoftplusSpec",
    "GELUSpec",
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


#: How a smooth baseline is evaluated: faithful piecewise polynomials, an hls4ml-style table, or
#: a correctly rounded table of every input code.
METHODS = ("poly", "table", "rom")
#: Widest input of a table of every code (``method="rom"``, any activation).
ROM_MAX_BITS = 16
#: Widest input of the polynomial units: their faithfulness is checked on every input code.
POLY_MAX_BITS = 16
#: Largest accepted ``beta`` of Swish and Softplus.
MAX_SMOOTH_BETA = 64.0


def check_rom_bits(bits: int) -> None:
    """Raise ``ValueError`` unless a table of every code of a ``bits``-bit input is allowed."""
    if bits > ROM_MAX_BITS:
        raise ValueError(
            f"bits must be at most {ROM_MAX_BITS} for method 'rom' (a table of every input code), not {bits}"
        )


@dataclass(frozen=True, kw_only=True)
class SmoothSpec(ActivationSpec):
    """Base of Swish, Softplus and GELU (SPEC §3), which are not rational.

    ``method="poly"`` is faithfully rounded (every output is one of the two codes around the
    exact value) for inputs up to 16 bits and rounds to nearest internally, so ``rounding``
    must be ``"rne"`` (the default) or ``"rna"``. ``method="table"`` reproduces an hls4ml
    activation table (1024 entries over [-8, 8), 18-bit entries, truncating), so ``rounding``
    is ``"floor"`` (the default for tables). ``method="rom"`` is a table of every input code
    (up to :data:`ROM_MAX_BITS` bits), each entry correctly rounded with ``rounding`` (default
    ``"rne"``) against the mpmath reference, like SmeLU's outputs.
    """

    has_beta: ClassVar[bool] = True

    beta: float = 1.0
    method: str = "poly"
    rounding: str | None = None

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {', '.join(map(repr, METHODS))}, not {self.method!r}")
        if self.rounding is None:
            object.__setattr__(self, "rounding", "floor" if self.method == "table" else "rne")
        super().__post_init__()

    def _quantize(self) -> None:
        if not self.has_beta and self.beta != 1.0:
            raise ValueError(f"{self.activation} has no beta parameter")
        if self.has_beta:
            beta = exact_real("beta", self.beta)
            if not 0 < beta <= MAX_SMOOTH_BETA:
                raise ValueError(
                    f"beta must be greater than 0 and at most {MAX_SMOOTH_BETA}, not {self.beta!r}"
                )
            object.__setattr__(self, "beta", float(self.beta))
        if self.method == "table" and self.rounding != "floor":
            raise ValueError(
                f"method 'table' truncates like hls4ml; rounding must be 'floor', not {self.rounding!r}"
            )
        if self.method == "rom":
            check_rom_bits(self.fmt.bits)
        if self.method == "poly":
            if self.rounding == "floor":
                raise ValueError(
                    f"{self.activation} is faithfully rounded to nearest; rounding must be 'rne' or 'rna'"
                )
            if self.fmt.bits > POLY_MAX_BITS:
                raise ValueError(
                    f"bits must be at most {POLY_MAX_BITS} for method 'poly' (faithfulness is checked "
                    f"on every input code), not {self.fmt.bits}"
                )

    def params(self) -> dict[str, object]:
        return {"beta": self.beta, "method": self.method} if self.has_beta else {"method": self.method}


@dataclass(frozen=True, kw_only=True)
class SwishSpec(SmoothSpec):
    """Swish ``x sigmoid(beta x)``; its gradient leaves [0, 1], so the gradient is signed."""

    activation: ClassVar[str] = "swish"
    grad_signed: ClassVar[bool] = True


@dataclass(frozen=True, kw_only=True)
class SoftplusSpec(SmoothSpec):
    """Softplus ``log(1 + exp(beta x)) / beta``; gradient ``sigmoid(beta x)`` in [0, 1]."""

    activation: ClassVar[str] = "softplus"


@dataclass(frozen=True, kw_only=True)
class GELUSpec(SmoothSpec):
    """GELU ``x Phi(x)`` (the erf form); no parameter, signed gradient."""

    activation: ClassVar[str] = "gelu"
    grad_signed: ClassVar[bool] = True
    has_beta: ClassVar[bool] = False
