"""The spec layer: frozen parameter specs turn user parameters into validated codes and formats.

Imports run one way, spec → model → hardware → tools; nothing here loads NumPy models or
Amaranth. :data:`SPECS` maps each activation name of SPEC §5 to its spec class.
"""

from .base import (
    IO_BITS,
    MAX_GRAD_BITS,
    ActivationSpec,
    Parameter,
    ParameterQuantizedWarning,
    check_count,
    check_latency,
    exact_real,
    io_format,
    quantize_parameter,
)
from .baselines import (
    MAX_SMOOTH_BETA,
    METHODS,
    POLY_MAX_BITS,
    ROM_MAX_BITS,
    BetaSmoothSpec,
    ELUSpec,
    GELUSpec,
    HardSwishSpec,
    ReLUSpec,
    SmoothSpec,
    SoftplusSpec,
    SwishSpec,
)
from .dense import DenseSpec, check_chain
from .engine import ENGINE_MODES, MODE_BITS, RESERVED_MODES, RESERVED_RESULT
from .smelu import ACCURACIES, SMELU_METHODS, GSmeLUSpec, SmeLUFamilySpec, SmeLUSpec, SquarePlan

__all__ = [
    "ACCURACIES",
    "SMELU_METHODS",
    "ENGINE_MODES",
    "IO_BITS",
    "MAX_GRAD_BITS",
    "MAX_SMOOTH_BETA",
    "METHODS",
    "MODE_BITS",
    "POLY_MAX_BITS",
    "ROM_MAX_BITS",
    "RESERVED_MODES",
    "RESERVED_RESULT",
    "SPECS",
    "activation_of",
    "ActivationSpec",
    "BetaSmoothSpec",
    "check_chain",
    "check_count",
    "check_latency",
    "DenseSpec",
    "ELUSpec",
    "exact_real",
    "GELUSpec",
    "GSmeLUSpec",
    "HardSwishSpec",
    "io_format",
    "Parameter",
    "ParameterQuantizedWarning",
    "quantize_parameter",
    "ReLUSpec",
    "SmeLUFamilySpec",
    "SmeLUSpec",
    "SquarePlan",
    "SmoothSpec",
    "SoftplusSpec",
    "SwishSpec",
]

#: Activation name (SPEC §5) -> spec class.
SPECS: dict[str, type[ActivationSpec]] = {
    spec.activation: spec
    for spec in (SmeLUSpec, GSmeLUSpec, ReLUSpec, HardSwishSpec, SwishSpec, SoftplusSpec, GELUSpec, ELUSpec)
}


def activation_of(spec: object) -> str:
    """The activation name of an activation spec.

    Raises
    ------
    TypeError
        If ``spec`` is not the spec of a known activation.
    """
    name = getattr(spec, "activation", None) if isinstance(spec, ActivationSpec) else None
    if name not in SPECS:
        raise TypeError(f"spec must be an activation spec, not {spec!r}")
    return name
