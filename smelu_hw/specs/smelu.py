"""Specs of SmeLU and generalized SmeLU (SPEC §3), and their one float64 definition."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import numpy.typing as npt

from ..errors import ParameterError
from ..fixed import check_rounding
from ..squaring import Truncation, plan_faithful_truncation, power_of_two_shift, truncated_quotient
from .base import ActivationSpec, Parameter, exact_real, quantize_parameter
from .baselines import check_rom_bits
from .pieces import Affine, LinearPiece

__all__ = [
    "ACCURACIES",
    "SMELU_METHODS",
    "GSmeLUSpec",
    "SmeLUFamilySpec",
    "SmeLUSpec",
    "SquarePlan",
    "gsmelu_float",
    "smelu_float",
]

#: Accuracies of SmeLU and generalized SmeLU (SPEC §2): correctly rounded, or faithful.
ACCURACIES = ("correct", "faithful")
#: How SmeLU and generalized SmeLU are built: arithmetic, or a table of every input code holding
#: the same outputs (for the comparison with the smooth baselines' tables).
SMELU_METHODS = ("arith", "rom")


def gsmelu_float(
    x: npt.ArrayLike, beta_left: float, beta_right: float, slope_left: float = 0.0, slope_right: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """Generalized SmeLU and its derivative in float64, straight from SPEC §3: the one float64
    SmeLU of the package, for error analysis, training and benchmarks (exactness is checked
    against integer and Fraction references, never against this).

    Slope ``slope_left`` left of ``-beta_left``, ``slope_right`` right of ``beta_right``, and
    the quadratic between them that joins both with a continuous derivative.
    """
    x = np.asarray(x, dtype=np.float64)
    width = beta_left + beta_right
    a = (slope_right - slope_left) / (2 * width)
    u = x + beta_left
    right = a * width**2 + slope_left * width + slope_right * (x - beta_right)
    value = np.where(
        x <= -beta_left, slope_left * u, np.where(x >= beta_right, right, a * u * u + slope_left * u)
    )
    slope = np.where(
        x <= -beta_left, slope_left, np.where(x >= beta_right, slope_right, 2 * a * u + slope_left)
    )
    return value, slope


def smelu_float(x: npt.ArrayLike, beta: float) -> tuple[np.ndarray, np.ndarray]:
    """SmeLU and its derivative in float64: ``0``, ``(x + beta)**2 / (4 beta)``, ``x``."""
    return gsmelu_float(x, beta, beta)


@dataclass(frozen=True, kw_only=True)
class SmeLUFamilySpec(ActivationSpec):
    """What SmeLU and generalized SmeLU add to every spec: a choice of accuracy (SPEC §2) and of
    implementation.

    ``accuracy="correct"`` rounds every output once with ``rounding``. ``"faithful"`` only
    promises one of the two codes that bracket the exact value: the unit truncates instead
    of rounding (``rounding`` becomes ``"floor"``; ``"rna"`` is refused) and may drop low
    partial products of its squarer (:attr:`SmeLUSpec.square_plan`). ``method="rom"`` builds
    a table of every input code (up to 16 bits) holding exactly the outputs of ``"arith"``.
    """

    methods: ClassVar[tuple[str, ...]] = SMELU_METHODS
    accuracies: ClassVar[tuple[str, ...]] = ACCURACIES
    interchangeable_methods: ClassVar[bool] = True

    accuracy: str = "correct"
    method: str = "arith"

    def __post_init__(self) -> None:
        self._check_choices()
        if self.accuracy == "faithful":
            if check_rounding(self.rounding) == "rna":
                raise ParameterError(
                    "`accuracy=faithful` truncates; it takes no rounding mode (leave `rounding` unset)"
                )
            object.__setattr__(self, "rounding", "floor")
        super().__post_init__()
        if self.method == "rom":
            check_rom_bits(self.fmt.bits)

    @property
    def faithful(self) -> bool:
        return self.accuracy == "faithful"

    def _used(self, name: str) -> float:
        """The value of parameter ``name`` that the unit uses: its code on the input grid."""
        return float(getattr(self, f"{name}_code")) / (1 << self.fmt.frac)


@dataclass(frozen=True)
class SquarePlan:
    """A faithful SmeLU's quadratic region: ``floor((u**2 - dropped + offset) / 2**shift)``
    for ``1 <= u <= u_max``, ``u`` a ``width``-bit number, the ``truncation`` planned over every
    ``u`` (:func:`~smelu_hw.squaring.plan_faithful_truncation`)."""

    width: int
    u_max: int
    shift: int
    truncation: Truncation

    @property
    def quotient_max(self) -> int:
        """The largest quotient over ``1 <= u <= u_max``: the width the squarer's result needs."""
        codes = np.arange(1, self.u_max + 1, dtype=np.int64)
        return int(np.max(truncated_quotient(codes, self.width, self.shift, self.truncation)))


@dataclass(frozen=True, kw_only=True)
class SmeLUSpec(SmeLUFamilySpec):
    """SmeLU parameters (SPEC §3): ``beta`` quantized to ``beta_code = rne(beta * 2**frac)``.

    Attributes
    ----------
    square_plan : SquarePlan or None
        Faithful units only, when ``4 beta`` and the output scaling make the quadratic region a
        plain shift of ``u**2`` over at most ``2**16`` codes: the truncated squarer that the
        golden model and the hardware share. Otherwise ``None`` (a faithful unit then
        truncates the exact quotient).

    Raises
    ------
    ValueError
        If ``beta_code`` is outside ``1 .. 2**(bits-1) - 1``, or a format is invalid.
    """

    activation: ClassVar[str] = "smelu"
    parameters: ClassVar[tuple[Parameter, ...]] = (Parameter("beta", "SmeLU half-width (default 1.0)"),)

    beta: float = 1.0
    beta_code: int = field(init=False)
    square_plan: SquarePlan | None = field(init=False, repr=False, compare=False)

    def _quantize(self) -> None:
        beta_code = self._positive_code("beta", self.beta)
        object.__setattr__(self, "beta_code", beta_code)
        plan = None
        shift = power_of_two_shift(self.out_fmt.frac - self.fmt.frac, 4 * beta_code)
        if self.faithful and shift is not None:
            u_max = 2 * beta_code - 1
            width = u_max.bit_length()
            truncation = plan_faithful_truncation(width, u_max, shift)
            if truncation is not None:
                plan = SquarePlan(width, u_max, shift, truncation)
        object.__setattr__(self, "square_plan", plan)

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

    def reference(self, x: np.ndarray, gradient: bool = False) -> np.ndarray:
        beta = self._used("beta")
        return smelu_float(x, beta)[int(gradient)]


@dataclass(frozen=True, kw_only=True)
class GSmeLUSpec(SmeLUFamilySpec):
    """Generalized SmeLU parameters (SPEC §3).

    Half-widths are quantized like SmeLU's ``beta``; slopes to multiples of ``2**-frac`` with
    codes in ``0 .. 2**frac`` (the real range [0, 1]).

    Attributes
    ----------
    beta_left_code, beta_right_code, slope_left_code, slope_right_code : int
        The quantized codes, all in units of ``2**-frac``.
    """

    activation: ClassVar[str] = "gsmelu"
    parameters: ClassVar[tuple[Parameter, ...]] = (
        Parameter("beta_left", "generalized SmeLU left half-width (default 1.0)"),
        Parameter("beta_right", "generalized SmeLU right half-width (default 1.0)"),
        Parameter("slope_left", "generalized SmeLU left slope, 0..1 (default 0)"),
        Parameter("slope_right", "generalized SmeLU right slope, 0..1 (default 1)"),
    )

    beta_left: float = 1.0
    beta_right: float = 1.0
    slope_left: float = 0.0
    slope_right: float = 1.0
    beta_left_code: int = field(init=False)
    beta_right_code: int = field(init=False)
    slope_left_code: int = field(init=False)
    slope_right_code: int = field(init=False)

    def _quantize(self) -> None:
        one = 1 << self.fmt.frac
        for name in (parameter.name for parameter in self.parameters):
            value = getattr(self, name)
            if name.startswith("beta"):
                code = self._positive_code(name, value)
            elif not 0 <= exact_real(name, value) <= 1:
                raise ParameterError(f"`{name}` must be between 0 and 1, not {value!r}")
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

    def reference(self, x: np.ndarray, gradient: bool = False) -> np.ndarray:
        used = [self._used(parameter.name) for parameter in self.parameters]
        return gsmelu_float(x, *used)[int(gradient)]
