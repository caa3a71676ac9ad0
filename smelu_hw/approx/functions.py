"""Float64 and mpmath definitions of the activations by name, for tools without a spec.

Each definition lives with its activation's spec class (:mod:`smelu_hw.specs`): SmeLU's in
:func:`~smelu_hw.specs.smelu.gsmelu_float`, the smooth baselines' left halves and mpmath forms
in their :class:`~smelu_hw.specs.SmoothSpec` subclasses. This module looks them up by name, for
the reproducibility study's float64 arms and the tests.

The smooth baselines are evaluated from their left halves (``a = |x|``): a symmetric one as
``f(x) = relu(x) + L(a)`` with ``f'(x) = 1 - G(a)`` right of 0, which is how the units compute
them (the "subtract ReLU" and symmetry tricks); the mpmath ones (50 digits) are the exact
reference for error analysis and for deciding faithfulness where float64 cannot.
"""

from __future__ import annotations

import mpmath
import numpy as np
import numpy.typing as npt

from ..specs import SPECS, SmoothSpec
from ..specs.baselines import erfc
from ..specs.smelu import gsmelu_float, smelu_float

__all__ = [
    "SMOOTH",
    "activation_float",
    "erfc",
    "gsmelu_float",
    "smelu_float",
    "smooth_spec_class",
    "value_mp",
    "slope_mp",
]

#: The smooth baselines approximated by polynomials.
SMOOTH = tuple(name for name, spec in SPECS.items() if issubclass(spec, SmoothSpec))


def smooth_spec_class(name: str) -> type[SmoothSpec]:
    """The spec class of smooth baseline ``name``.

    Raises
    ------
    ValueError
        If ``name`` is not a smooth baseline.
    """
    if name not in SMOOTH:
        raise ValueError(f"unknown smooth activation {name!r}")
    return SPECS[name]


def activation_float(name: str, x: npt.ArrayLike, beta: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Any activation of the package and its derivative in float64, with no quantization.

    ``name`` is ``relu``, ``smelu`` (``beta`` required), ``hardswish``, or one of
    :data:`SMOOTH` (``beta`` defaults to 1; a function without one ignores it). The derivatives
    follow the golden models' conventions at the kinks: ``relu'(0) = 0`` and hard-swish's
    ``x/3 + 1/2`` on the closed ``[-3, 3]``.
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
    spec = smooth_spec_class(name)
    b, a = 1.0 if beta is None else beta, np.abs(x)
    value = spec.from_left(x, spec.left_value(a, b))
    return value, spec.from_left(x, spec.left_slope(a, b), gradient=True)


def value_mp(name: str, beta: float, x: float) -> mpmath.mpf:
    """``f(x)`` of smooth baseline ``name`` to 50 significant digits."""
    with mpmath.workdps(50):
        return smooth_spec_class(name).exact(mpmath.mpf(x), mpmath.mpf(beta))[0]


def slope_mp(name: str, beta: float, x: float) -> mpmath.mpf:
    """``f'(x)`` of smooth baseline ``name`` to 50 significant digits."""
    with mpmath.workdps(50):
        return smooth_spec_class(name).exact(mpmath.mpf(x), mpmath.mpf(beta))[1]
