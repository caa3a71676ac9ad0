"""Bit-exact NumPy golden models of the activation units (SPEC §2-§4).

The model layer reads the spec layer and nothing above it: importing it never loads Amaranth.
:data:`MODELS` maps each activation name to its model class, and :func:`model_for` builds the
model of a spec.
"""

from ..specs import ActivationSpec, activation_of
from .base import Activation
from .rational import HardSwish, ReLU
from .smelu import GSmeLU, SmeLU
from .smooth import ELU, GELU, SmoothActivation, Softplus, Swish

__all__ = [
    "MODELS",
    "model_for",
    "Activation",
    "SmeLU",
    "GSmeLU",
    "ReLU",
    "HardSwish",
    "SmoothActivation",
    "Swish",
    "Softplus",
    "GELU",
    "ELU",
]

#: Activation name (SPEC §5) -> golden model class.
MODELS: dict[str, type[Activation]] = {
    model.spec_class.activation: model
    for model in (SmeLU, GSmeLU, ReLU, HardSwish, Swish, Softplus, GELU, ELU)
}


def model_for(spec: ActivationSpec) -> Activation:
    """The golden model of ``spec``.

    Raises
    ------
    TypeError
        If ``spec`` is not the spec of a known activation.
    """
    return MODELS[activation_of(spec)].from_spec(spec)
