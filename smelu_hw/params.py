"""Frozen parameter specs: user parameters in, validated integer codes and formats out.

A spec is the single source of truth for every derived constant of a unit: the quantized
``beta`` codes, slopes, and the input, output and gradient formats. The NumPy golden models
and the Amaranth components both read a spec; neither derives those constants again.

Quantization follows SPEC §3: a real parameter ``p`` becomes the code ``rne(p * 2**frac)`` on
the input grid. A value that is not exactly on the grid is accepted with a
:class:`ParameterQuantizedWarning` naming the value actually used.
"""

from __future__ import annotations

import math
import numbers
import warnings
from dataclasses import dataclass, field
from fractions import Fraction
from typing import ClassVar

from .fixed import QFormat, check_rounding
from .pieces import Affine, LinearPiece

__all__ = [
    "ParameterQuantizedWarning",
    "ActivationSpec",
    "SmeLUSpec",
    "GSmeLUSpec",
    "ReLUSpec",
    "HardSwishSpec",
    "SmoothSpec",
    "SwishSpec",
    "SoftplusSpec",
    "GELUSpec",
    "io_format",
    "quantize_parameter",
]

#: Widths of the input and output formats (SPEC §1).
IO_BITS = (4, 32)
#: Widest gradient port.
MAX_GRAD_BITS = 32


class ParameterQuantizedWarning(UserWarning):
    """A real parameter was not on the input grid and was rounded to the nearest code."""


def io_format(bits: object, frac: object = None, *, name: str = "") -> QFormat:
    """Validate an input or output format (SPEC §1) and return it as a signed :class:`QFormat`.

    ``frac`` defaults to ``bits // 2``. ``name`` prefixes the parameter names in messages
    (``"out_"`` gives ``out_bits`` / ``out_frac``).

    Raises
    ------
    ValueError
        If ``bits`` is not an integer in 4..32 or ``frac`` not in 0..bits-1.
    """
    low, high = IO_BITS
    if isinstance(bits, bool) or not isinstance(bits, numbers.Integral) or not low <= bits <= high:
        raise ValueError(f"{name}bits must be an integer from {low} to {high}, not {bits!r}")
    bits = int(bits)
    if frac is None:
        frac = bits // 2
    if isinstance(frac, bool) or not isinstance(frac, numbers.Integral) or not 0 <= frac < bits:
        raise ValueError(f"{name}frac must be an integer from 0 to {bits - 1}, not {frac!r}")
    return QFormat(bits, int(frac), signed=True)


def _real(name: str, value: object) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a finite real number, not {value!r}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{name} must be a finite real number, not {value!r}")
    return Fraction(value)


def _fmt_value(code: int, frac: int) -> str:
    return repr(math.ldexp(code, -frac))


def quantize_parameter(name: str, value: object, fmt: QFormat, low_code: int, high_code: int) -> int:
    """Quantize a real parameter to ``rne(value * 2**fmt.frac)`` and check the code's range.

    Warns with :class:`ParameterQuantizedWarning` when the value is not exactly on the grid.

    Raises
    ------
    ValueError
        If ``value`` is not a finite real number, or its code lies outside
        ``[low_code, high_code]``.
    """
    exact = _real(name, value) * (1 << fmt.frac)
    code = round(exact)  # Fraction.__round__ rounds half to even
    if not low_code <= code <= high_code:
        raise ValueError(
            f"{name} must be between {_fmt_value(low_code, fmt.frac)} and "
            f"{_fmt_value(high_code, fmt.frac)} (codes {low_code} to {high_code} in {fmt}), "
            f"not {value!r}"
        )
    if code != exact:
        warnings.warn(
            f"{name}={value!r} is not a multiple of 2**-{fmt.frac}; "
            f"using {_fmt_value(code, fmt.frac)} (code {code})",
            ParameterQuantizedWarning,
            stacklevel=4,
        )
    return code


@dataclass(frozen=True, kw_only=True)
class ActivationSpec:
    """Formats and rounding shared by every activation unit.

    Parameters
    ----------
    fmt : QFormat
        Signed input format, 4 to 32 bits.
    out_fmt : QFormat, optional
        Signed output format; defaults to ``fmt``.
    grad_frac : int, optional
        Fractional bits of the gradient; defaults to ``fmt.frac``.
    rounding : {"rne", "rna", "floor"}
        Rounding mode of every output (SPEC §2).

    Attributes
    ----------
    grad_fmt : QFormat
        Gradient format: unsigned ``grad_frac + 1`` bits when the derivative lies in [0, 1],
        signed ``grad_frac + 2`` bits otherwise (SPEC §1).
    """

    #: Activation name as used by the CLI and manifest.
    activation: ClassVar[str] = ""
    #: Whether the derivative can leave [0, 1] and so needs a signed gradient format.
    grad_signed: ClassVar[bool] = False

    fmt: QFormat
    out_fmt: QFormat | None = None
    grad_frac: int | None = None
    rounding: str = "rne"
    grad_fmt: QFormat = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.fmt, QFormat):
            raise ValueError(f"fmt must be a QFormat, not {self.fmt!r}")
        fmt = io_format(self.fmt.bits, self.fmt.frac)
        if not self.fmt.signed:
            raise ValueError(f"fmt must be signed, not {self.fmt}")
        out_fmt = fmt if self.out_fmt is None else self.out_fmt
        if not isinstance(out_fmt, QFormat) or not out_fmt.signed:
            raise ValueError(f"out_fmt must be a signed QFormat, not {out_fmt!r}")
        io_format(out_fmt.bits, out_fmt.frac, name="out_")
        int_bits = 2 if self.grad_signed else 1
        grad_frac = fmt.frac if self.grad_frac is None else self.grad_frac
        high = MAX_GRAD_BITS - int_bits
        if (
            isinstance(grad_frac, bool)
            or not isinstance(grad_frac, numbers.Integral)
            or not 0 <= grad_frac <= high
        ):
            raise ValueError(f"grad_frac must be an integer from 0 to {high}, not {grad_frac!r}")
        grad_frac = int(grad_frac)
        object.__setattr__(self, "fmt", fmt)
        object.__setattr__(self, "out_fmt", out_fmt)
        object.__setattr__(self, "grad_frac", grad_frac)
        object.__setattr__(self, "rounding", check_rounding(self.rounding))
        object.__setattr__(
            self, "grad_fmt", QFormat(grad_frac + int_bits, grad_frac, signed=self.grad_signed)
        )
        self._quantize()

    def _quantize(self) -> None:
        """Validate and quantize the activation's own parameters (subclasses)."""

    def params(self) -> dict[str, object]:
        """Requested and quantized parameter values, as the manifest records them."""
        return {}

    def _positive_code(self, name: str, value: object) -> int:
        return quantize_parameter(name, value, self.fmt, 1, self.fmt.max_code)

    def knots(self) -> tuple[int, ...]:
        """Input codes where the function changes piece (benches probe around them)."""
        return (0,)

    def linear_pieces(self) -> tuple[LinearPiece, ...]:
        """The outermost input ranges on which output and gradient are affine in the code.

        Empty where the activation has no exact affine tails (the smooth baselines).
        """
        return ()


@dataclass(frozen=True, kw_only=True)
class SmeLUSpec(ActivationSpec):
    """SmeLU parameters (SPEC §3): ``beta`` quantized to ``beta_code = rne(beta * 2**frac)``.

    Raises
    ------
    ValueError
        If ``beta_code`` is outside ``1 .. 2**(bits-1) - 1``, or a format is invalid.
    """

    activation: ClassVar[str] = "smelu"

    beta: float = 1.0
    beta_code: int = field(init=False)

    def _quantize(self) -> None:
        object.__setattr__(self, "beta_code", self._positive_code("beta", self.beta))

    def knots(self) -> tuple[int, ...]:
        return (-self.beta_code, self.beta_code)

    def linear_pieces(self) -> tuple[LinearPiece, ...]:
        """``f = 0`` for ``X <= -B``; ``f = x`` (slope one) for ``X >= B`` (SPEC §3)."""
        fmt, out_frac, grad_frac = self.fmt, self.out_fmt.frac, self.grad_frac
        zero = Affine(0, 0, 0)
        return (
            LinearPiece("left tail", fmt.min_code, -self.beta_code, zero, zero),
            LinearPiece(
                "right tail",
                self.beta_code,
                fmt.max_code,
                Affine(1, 0, fmt.frac - out_frac),
                Affine(0, 1, -grad_frac),
            ),
        )

    def params(self) -> dict[str, object]:
        return {
            "beta": float(self.beta),
            "beta_code": self.beta_code,
            "beta_used": math.ldexp(self.beta_code, -self.fmt.frac),
        }


@dataclass(frozen=True, kw_only=True)
class GSmeLUSpec(ActivationSpec):
    """Generalized SmeLU parameters (SPEC §3).

    Half-widths are quantized like SmeLU's ``beta``; slopes to multiples of ``2**-frac`` with
    codes in ``0 .. 2**frac`` (the real range [0, 1]).

    Attributes
    ----------
    beta_left_code, beta_right_code, slope_left_code, slope_right_code : int
        The quantized codes, all in units of ``2**-frac``.
    """

    activation: ClassVar[str] = "gsmelu"

    beta_left: float = 1.0
    beta_right: float = 1.0
    slope_left: float = 0.0
    slope_right: float = 1.0
    beta_left_code: int = field(init=False)
    beta_right_code: int = field(init=False)
    slope_left_code: int = field(init=False)
    slope_right_code: int = field(init=False)

    _NAMES: ClassVar[tuple[str, ...]] = ("beta_left", "beta_right", "slope_left", "slope_right")

    def _quantize(self) -> None:
        one = 1 << self.fmt.frac
        for name in self._NAMES:
            value = getattr(self, name)
            if name.startswith("beta"):
                code = self._positive_code(name, value)
            elif not 0 <= _real(name, value) <= 1:
                raise ValueError(f"{name} must be between 0 and 1, not {value!r}")
            else:
                code = quantize_parameter(name, value, self.fmt, 0, one)
            object.__setattr__(self, f"{name}_code", code)

    def knots(self) -> tuple[int, ...]:
        return (-self.beta_left_code, self.beta_right_code)

    def linear_pieces(self) -> tuple[LinearPiece, ...]:
        """Slope ``slope_left`` up to ``-beta_left``; from ``beta_right`` on, ``f(beta_right) +
        slope_right (x - beta_right)`` with ``f(beta_right) = (SL + SR)(BL + BR) / 2`` (SPEC §3).

        With every code in units of ``2**-frac``, the left value is ``SL (X + BL) / 2**(2 frac)``
        and the right one ``((SL + SR)(BL + BR) + 2 SR (X - BR)) / 2**(2 frac + 1)``.
        """
        frac, out_frac, grad_frac = self.fmt.frac, self.out_fmt.frac, self.grad_frac
        bl, br = self.beta_left_code, self.beta_right_code
        sl, sr = self.slope_left_code, self.slope_right_code
        return (
            LinearPiece(
                "left tail",
                self.fmt.min_code,
                -bl,
                Affine(sl, sl * bl, 2 * frac - out_frac),
                Affine(0, sl, frac - grad_frac),
            ),
            LinearPiece(
                "right tail",
                br,
                self.fmt.max_code,
                Affine(2 * sr, (sl + sr) * (bl + br) - 2 * sr * br, 2 * frac + 1 - out_frac),
                Affine(0, sr, frac - grad_frac),
            ),
        )

    def params(self) -> dict[str, object]:
        result: dict[str, object] = {}
        for name in self._NAMES:
            code = getattr(self, f"{name}_code")
            result[name] = float(getattr(self, name))
            result[f"{name}_code"] = code
            result[f"{name}_used"] = math.ldexp(code, -self.fmt.frac)
        return result


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


#: How a smooth baseline is evaluated: faithful piecewise polynomials, or an hls4ml-style table.
METHODS = ("poly", "table")
#: Widest input of the polynomial units: their faithfulness is checked on every input code.
POLY_MAX_BITS = 16
#: Largest accepted ``beta`` of Swish and Softplus.
MAX_SMOOTH_BETA = 64.0


@dataclass(frozen=True, kw_only=True)
class SmoothSpec(ActivationSpec):
    """Base of Swish, Softplus and GELU (SPEC §3), which are not rational.

    ``method="poly"`` is faithfully rounded (every output is one of the two codes around the
    exact value) for inputs up to 16 bits and rounds to nearest internally, so ``rounding``
    must be ``"rne"`` (the default) or ``"rna"``. ``method="table"`` reproduces an hls4ml
    activation table (1024 entries over [-8, 8), 18-bit entries, truncating), so ``rounding``
    is ``"floor"`` (the default for tables).
    """

    has_beta: ClassVar[bool] = True

    beta: float = 1.0
    method: str = "poly"
    rounding: str | None = None

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"method must be one of 'poly', 'table', not {self.method!r}")
        if self.rounding is None:
            object.__setattr__(self, "rounding", "floor" if self.method == "table" else "rne")
        super().__post_init__()

    def _quantize(self) -> None:
        if not self.has_beta and self.beta != 1.0:
            raise ValueError(f"{self.activation} has no beta parameter")
        if self.has_beta:
            beta = _real("beta", self.beta)
            if not 0 < beta <= MAX_SMOOTH_BETA:
                raise ValueError(
                    f"beta must be greater than 0 and at most {MAX_SMOOTH_BETA}, not {self.beta!r}"
                )
            object.__setattr__(self, "beta", float(self.beta))
        if self.method == "table" and self.rounding != "floor":
            raise ValueError(
                f"method 'table' truncates like hls4ml; rounding must be 'floor', not {self.rounding!r}"
            )
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
