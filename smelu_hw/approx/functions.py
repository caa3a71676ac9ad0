"""Reference definitions in float64 (SmeLU, generalized SmeLU, the smooth baselines) and mpmath.

:func:`gsmelu_float` and :func:`smelu_float` are the one float64 SmeLU of the package, for
error analysis, training and benchmarks; exactness is checked against integer and Fraction
references, never against these.

Swish, Softplus and GELU all satisfy ``f(x) - f(-x) = x``. So with ``a = |x|``::

    f(x)  = relu(x) + L(a)                         with L(a) = f(-a)
    f'(x) = G(a) for x <= 0,  1 - G(a) for x > 0   with G(a) = f'(-a)

and ``L`` and ``G`` decay to 0 as ``a`` grows. The units approximate only ``L`` and ``G`` on
``a >= 0`` (the "subtract ReLU" and symmetry tricks). These float64 definitions drive the
coefficient search; the mpmath ones (50 digits) are the exact reference for error analysis
and for deciding faithfulness where float64 cannot.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import numpy.typing as npt

__all__ = [
    "SMOOTH",
    "activation_float",
    "erfc",
    "gsmelu_float",
    "smelu_float",
    "left_value",
    "left_slope",
    "value_mp",
    "slope_mp",
]

#: The smooth baselines approximated by polynomials.
SMOOTH = ("swish", "softplus", "gelu")

_erfc_object = np.frompyfunc(math.erfc, 1, 1)
_SQRT2 = math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def erfc(x: npt.ArrayLike) -> np.ndarray:
    """The complementary error function of an array, in float64 (NumPy has none)."""
    return _erfc_object(np.asarray(x, dtype=np.float64)).astype(np.float64)


def gsmelu_float(
    x: npt.ArrayLike, beta_left: float, beta_right: float, slope_left: float = 0.0, slope_right: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """Generalized SmeLU and its derivative in float64, straight from SPEC §3.

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


def activation_float(name: str, x: npt.ArrayLike, beta: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Any activation of the package and its derivative in float64, with no quantization.

    ``name`` is ``relu``, ``smelu`` (``beta`` required), ``hardswish``, or one of
    :data:`SMOOTH` (``beta`` defaults to 1; GELU has none). The derivatives follow the
    golden models' conventions at the kinks: ``relu'(0) = 0`` and hard-swish's ``x/3 + 1/2`` on
    the closed ``[-3, 3]``.
    """
    x = np.asarray(x, dtype=np.float64)
    if name == "relu":
        return np.maximum(x, 0.0), (x > 0).astype(np.float64)
    if name == "smelu":
        if beta is None:
            raise ValueError("smelu needs a beta")
        return smelu_float(x, beta)
    if name == "hardswish":
        value = x * np.clip(x + 3.0, 0.0, 6.0) / 6.0
        return value, np.where(x < -3.0, 0.0, np.where(x > 3.0, 1.0, x / 3.0 + 0.5))
    if name in SMOOTH:
        b, a = 1.0 if beta is None else beta, np.abs(x)
        left = left_slope(name, b, a)
        return np.maximum(x, 0.0) + left_value(name, b, a), np.where(x > 0, 1.0 - left, left)
    raise ValueError(f"unknown activation {name!r}")


def _sigmoid_neg(z: np.ndarray) -> np.ndarray:
    """``sigmoid(-z)`` for ``z >= 0`` without overflow."""
    e = np.exp(-z)
    return e / (1.0 + e)


def left_value(name: str, beta: float, a: npt.ArrayLike) -> np.ndarray:
    """``L(a) = f(-a)`` in float64, for ``a >= 0``."""
    a = np.asarray(a, dtype=np.float64)
    if name == "softplus":
        return np.log1p(np.exp(-beta * a)) / beta
    if name == "swish":
        return -a * _sigmoid_neg(beta * a)
    if name == "gelu":
        return -a * 0.5 * erfc(a / _SQRT2)
    raise ValueError(f"unknown smooth activation {name!r}")


def left_slope(name: str, beta: float, a: npt.ArrayLike) -> np.ndarray:
    """``G(a) = f'(-a)`` in float64, for ``a >= 0``."""
    a = np.asarray(a, dtype=np.float64)
    if name == "softplus":
        return _sigmoid_neg(beta * a)
    if name == "swish":
        s = _sigmoid_neg(beta * a)
        return s - beta * a * s * (1.0 - s)
    if name == "gelu":
        return 0.5 * erfc(a / _SQRT2) - a * _INV_SQRT_2PI * np.exp(-0.5 * a * a)
    raise ValueError(f"unknown smooth activation {name!r}")


def _mp_function(name: str, beta: mpmath.mpf, x: mpmath.mpf) -> tuple[mpmath.mpf, mpmath.mpf]:
    if name == "softplus":
        value = mpmath.log1p(mpmath.exp(beta * x)) / beta
        slope = 1 / (1 + mpmath.exp(-beta * x))
        return value, slope
    if name == "swish":
        s = 1 / (1 + mpmath.exp(-beta * x))
        return x * s, s + beta * x * s * (1 - s)
    if name == "gelu":
        phi = mpmath.erfc(-x / mpmath.sqrt(2)) / 2
        return x * phi, phi + x * mpmath.exp(-x * x / 2) / mpmath.sqrt(2 * mpmath.pi)
    raise ValueError(f"unknown smooth activation {name!r}")


def value_mp(name: str, beta: float, x: float) -> mpmath.mpf:
    """``f(x)`` to 50 significant digits."""
    with mpmath.workdps(50):
        return _mp_function(name, mpmath.mpf(beta), mpmath.mpf(x))[0]


def slope_mp(name: str, beta: float, x: float) -> mpmath.mpf:
    """``f'(x)`` to 50 significant digits."""
    with mpmath.workdps(50):
        return _mp_function(name, mpmath.mpf(beta), mpmath.mpf(x))[1]
