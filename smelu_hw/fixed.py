"""Fixed-point formats and exact, vectorised integer rounding.

Everything here works on integer code arrays. Two array kinds are exact:

* ``int64`` arrays, used whenever every intermediate value provably fits in 62 bits;
* ``object`` arrays of Python ``int``, the *wide path*, used when it might not (squares and
  products of 33-bit values at 32-bit formats). Python integers never overflow.

:func:`exact_array` picks the kind from a bit bound the caller computes up front, so the fast
path is only taken where it cannot overflow.
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass
from typing import Literal, TypeVar

import numpy as np
import numpy.typing as npt

from .errors import ParameterError, ParameterTypeError

__all__ = [
    "ROUNDING_MODES",
    "Rounding",
    "QFormat",
    "check_rounding",
    "exact_array",
    "round_div",
    "round_int",
    "round_scaled",
    "shift_round_half_up",
    "scale_shifts",
]

Rounding = Literal["rne", "rna", "floor"]

#: Rounding mode names (SPEC §2): round to nearest with ties to even, ties away from zero, and
#: round toward minus infinity.
ROUNDING_MODES: tuple[str, ...] = ("rne", "rna", "floor")

#: Largest magnitude (in bits) that the int64 fast path accepts for any intermediate value.
#: Two bits of headroom cover ``2 * r`` in the rounding step and sums of two such terms.
INT64_SAFE_BITS = 61

MAX_FORMAT_BITS = 32

T = TypeVar("T")


def check_rounding(rounding: object) -> str:
    """Return ``rounding`` if it names a mode in :data:`ROUNDING_MODES`, else raise.

    Raises
    ------
    ValueError
        If ``rounding`` is not one of ``"rne"``, ``"rna"``, ``"floor"``.
    """
    if rounding not in ROUNDING_MODES:
        raise ParameterError(f"`rounding` must be one of 'rne', 'rna', 'floor', not {rounding!r}")
    return str(rounding)


def _check_int(name: str, value: object, low: int, high: int) -> int:
    message = f"`{name}` must be an integer from {low} to {high}, not {value!r}"
    if isinstance(value, bool):
        raise ParameterTypeError(message)
    try:
        value = operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise ParameterTypeError(message) from None
    if not low <= value <= high:
        raise ParameterError(message)
    return value


@dataclass(frozen=True)
class QFormat:
    """A binary fixed-point format: an integer code ``X`` stands for ``X * 2**-frac``.

    Parameters
    ----------
    bits : int
        Total width in bits, 1 to 32.
    frac : int
        Number of fractional bits, 0 to ``bits``.
    signed : bool
        Two's complement if true (the default), unsigned otherwise.

    Attributes
    ----------
    min_code, max_code : int
        The smallest and largest representable codes.
    ulp : float
        The value of one code step, ``2**-frac``.

    Raises
    ------
    ValueError
        If a field is out of range.
    """

    bits: int
    frac: int
    signed: bool = True

    def __post_init__(self) -> None:
        bits = _check_int("bits", self.bits, 1, MAX_FORMAT_BITS)
        frac = _check_int("frac", self.frac, 0, bits)
        if not isinstance(self.signed, bool):
            raise ParameterTypeError(f"`signed` must be a bool, not {self.signed!r}")
        object.__setattr__(self, "bits", bits)
        object.__setattr__(self, "frac", frac)

    @property
    def min_code(self) -> int:
        return -(1 << (self.bits - 1)) if self.signed else 0

    @property
    def max_code(self) -> int:
        return (1 << (self.bits - 1)) - 1 if self.signed else (1 << self.bits) - 1

    @property
    def ulp(self) -> float:
        return math.ldexp(1.0, -self.frac)

    def __str__(self) -> str:
        kind = "Q" if self.signed else "UQ"
        return f"{kind}{self.bits}.{self.frac}"

    def codes(self) -> npt.NDArray[np.int64]:
        """Every code of the format in increasing order (for exhaustive checks)."""
        return np.arange(self.min_code, self.max_code + 1, dtype=np.int64)

    def check_codes(self, x: npt.ArrayLike, name: str = "x") -> np.ndarray:
        """Return ``x`` as an exact integer array, raising if any code is outside the format.

        Raises
        ------
        TypeError
            If ``x`` is not an array of integers.
        ValueError
            If it holds a code outside ``[min_code, max_code]``.
        """
        array = np.asarray(x)
        if array.dtype == object:
            if not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in array.flat):
                raise TypeError(f"{name} must hold integer codes")
        elif array.dtype.kind not in "iu":
            raise TypeError(f"{name} must be an integer array of codes, not dtype {array.dtype}")
        if array.size:
            low, high = array.min(), array.max()
            if low < self.min_code or high > self.max_code:
                bad = low if low < self.min_code else high
                raise ValueError(
                    f"{name} code {int(bad)} is outside {self} (codes {self.min_code} to {self.max_code})"
                )
        if array.dtype == object:
            return array
        return array.astype(np.int64, copy=False)

    def saturate(self, codes: np.ndarray) -> npt.NDArray[np.int64]:
        """Clamp exact integer ``codes`` to the format's range and return them as int64."""
        if codes.dtype == object:
            clipped = np.minimum(np.maximum(codes, self.min_code), self.max_code)
            return clipped.astype(np.int64)
        return np.clip(codes, self.min_code, self.max_code).astype(np.int64, copy=False)

    def to_codes(self, values: npt.ArrayLike, rounding: Rounding = "rne") -> npt.NDArray[np.int64]:
        """Quantize real ``values`` to codes: scale by ``2**frac``, round once, saturate.

        Scaling a float64 by a power of two is exact, so the only error is the rounding.

        Raises
        ------
        ValueError
            If ``rounding`` is unknown or a value is NaN.
        """
        check_rounding(rounding)
        scaled = np.ldexp(np.asarray(values, dtype=np.float64), self.frac)
        if np.isnan(scaled).any():
            raise ValueError("values must not be NaN")
        if rounding == "rne":  # IEEE round half to even, the default mode: exact and fast
            return np.clip(np.rint(scaled), self.min_code, self.max_code).astype(np.int64)
        low = np.floor(scaled)
        rest = scaled - low  # exact: both operands lie in the same or adjacent binades
        if rounding == "floor":
            rounded = low
        else:
            up = rest > 0.5
            tie = rest == 0.5
            up |= tie & (scaled > 0)
            rounded = low + up
        clipped = np.clip(rounded, self.min_code, self.max_code)
        return clipped.astype(np.int64)

    def to_real(self, codes: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Return the real values of ``codes`` as float64 (exact for formats up to 53 bits)."""
        return np.ldexp(np.asarray(codes, dtype=np.float64), -self.frac)


def exact_array(values: npt.ArrayLike, magnitude_bits: int) -> np.ndarray:
    """Return integer ``values`` in an array kind that holds ``2**magnitude_bits`` exactly.

    ``magnitude_bits`` is the caller's proven bound on every intermediate it will compute.
    Up to :data:`INT64_SAFE_BITS` the result is int64, otherwise an object array of Python ints.
    """
    array = np.asarray(values)
    if magnitude_bits <= INT64_SAFE_BITS:
        return array.astype(np.int64, copy=False)
    if array.dtype == object:
        return array
    return np.array([int(v) for v in array.flat], dtype=object).reshape(array.shape)


def round_div(num: np.ndarray, den: int, rounding: str) -> np.ndarray:
    """Round the rational ``num / den`` to an integer, elementwise and exactly.

    Parameters
    ----------
    num : ndarray
        Exact integer numerators (int64 or object), any sign. The caller guarantees that
        ``num + den`` cannot overflow the array kind (see :func:`exact_array`).
    den : int
        Positive integer denominator.
    rounding : {"rne", "rna", "floor"}
        Rounding mode (SPEC §2).

    Returns
    -------
    ndarray
        The rounded quotients, of the same array kind as ``num``.

    Notes
    -----
    Round-to-nearest is ``floor((num + den // 2) / den)``, i.e. ties rounded up, then corrected:
    a tie is exactly a zero remainder of that division when ``den`` is even (with ``den`` odd
    there are no ties). A tie that went up to an odd quotient (``rne``) or away from zero in the
    negative direction (``rna``) steps down by one.
    """
    if den <= 0:
        raise ValueError(f"den must be a positive integer, not {den!r}")
    if den == 1:
        return num
    if rounding == "floor":
        return _floor_divmod(num, den)[0]
    half = den >> 1
    quotient, remainder = _floor_divmod(num + half, den)
    if den & 1:
        return quotient
    tie = remainder == 0
    if rounding == "rne":
        tie &= (quotient & 1) == 1
    else:
        tie &= num < 0
    return quotient - tie


def _floor_divmod(num: np.ndarray, den: int) -> tuple[np.ndarray, np.ndarray]:
    """Floor quotient and remainder ``0 <= r < den``; shifts and masks for powers of two."""
    if den & (den - 1) == 0:
        return num >> (den.bit_length() - 1), num & (den - 1)
    if num.dtype == object:  # np.divmod has no object loop
        quotient = num // den
        return quotient, num - quotient * den
    return np.divmod(num, den)


def round_int(num: int, den: int, rounding: str) -> int:
    """Scalar :func:`round_div` on Python integers."""
    return int(round_div(np.array([num], dtype=object), den, rounding)[0])


def shift_round_half_up(value: T, shift: int) -> T:
    """``value / 2**shift`` rounded half up (``shift >= 1``): ``(value + 2**(shift-1)) >> shift``.

    The same expression serves Python and NumPy integers and Amaranth values (whose ``>>`` of a
    signed value is arithmetic), so the golden model and the gates share it.
    """
    return (value + (1 << (shift - 1))) >> shift


def scale_shifts(shift: int) -> tuple[int, int]:
    """Split a net power-of-two scale ``2**shift`` into (numerator, denominator) shifts, both >= 0."""
    return max(shift, 0), max(-shift, 0)


def round_scaled(num: int, den: int, shift: int, rounding: str) -> int:
    """``round(num * 2**shift / den)`` on Python integers, rounded once with ``rounding``."""
    up, down = scale_shifts(shift)
    return round_int(num << up, den << down, rounding)
