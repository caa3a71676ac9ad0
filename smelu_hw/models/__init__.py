"""Bit-exact NumPy golden models of the activation units (SPEC §2-§4).

The model layer reads the spec layer and nothing above it: importing it never loads Amaranth.
:data:`MODELS` maps each activation name to its model class, and :func:`model_for` builds the
model of a spec.
"""

from ..specs import ActivationSpec
from .base import Activation
from .rational import HardSwish, ReLU
from .smelu import GSmeLU, SmeLU
from .smooth import GELU, SmoothActivation, Softplus, Swish

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
]

#: Activation name (SPEC §5) -> golden model class.
MODELS: dict[str, type[Activation]] = {
    model.spec_class.activation: model for model in (SmeLU, GSmeLU, ReLU, HardSwish, Swish, Softplus, GELU)
}


def model_for(spec: ActivationSpec) -> Activation:
    """The golden model of ``spec``.

    Raises
    ------
    TypeError
        If ``spec`` is not the spec of a known activation.
    """
    model = MODELS.get(getattr(spec, "activation", None)) if isinstance(spec, ActivationSpec) else None
    if model is None:
        raise TypeError(f"spec must be an activation spec, not {spec!r}")
    return model.from_spec(spec)
