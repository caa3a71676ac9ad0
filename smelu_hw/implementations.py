"""Which component implements a spec, and ``--method auto``: the smaller of two equal units.

A spec with ``method="rom"`` is built as a :class:`~smelu_hw.hw.rom.RomUnit` whose table is the
golden model evaluated on every input code; every other spec by its activation's component.
For SmeLU and generalized SmeLU, ``arith`` and ``rom`` give the same output for every input, so
``--method auto`` may pick either: it builds both and keeps the one with fewer transistors in
the house area metric (:func:`smelu_hw.synth.generic_area`, combinational), and records both
figures in the manifest.
"""

from __future__ import annotations

import dataclasses
import functools
import warnings
from collections.abc import Callable

from .hw import unit_class_for
from .hw.rom import RomUnit
from .models import model_for
from .specs import ActivationSpec, ParameterQuantizedWarning

__all__ = ["MethodChoice", "choose_method", "rom_contents", "unit_factory"]


def rom_contents(spec: ActivationSpec) -> dict[str, tuple[int, ...]]:
    """The golden model's output and gradient codes of every input code, in code order."""
    model, codes = model_for(spec), spec.fmt.codes()
    return {"forward": tuple(model.forward(codes).tolist()), "grad": tuple(model.grad(codes).tolist())}


def unit_factory(spec: ActivationSpec) -> Callable[..., object]:
    """What builds ``spec``'s unit: called as ``factory(spec, latency=..., with_grad=...)``."""
    if getattr(spec, "method", None) == "rom":
        return functools.partial(RomUnit, **rom_contents(spec))
    return unit_class_for(spec)


@dataclasses.dataclass(frozen=True)
class MethodChoice:
    """What ``--method auto`` measured and built; ``record()`` is its manifest entry."""

    built: str
    transistors: dict[str, int]

    def record(self) -> dict[str, object]:
        return {
            "requested": "auto",
            "built": self.built,
            "metric": "house transistors of the combinational unit (yosys synth; "
            "abc -g AND,NAND,OR,NOR,XOR,XNOR,MUX; stat -tech cmos)",
            "transistors": dict(self.transistors),
            "reason": f"'{self.built}' is the smaller; both give the same output for every input",
        }


def choose_method(spec: ActivationSpec, with_grad: bool) -> tuple[ActivationSpec, MethodChoice]:
    """Build ``spec`` as ``arith`` and as ``rom`` (combinational) and return the smaller one.

    Raises
    ------
    smelu_hw.synth.SynthesisError
        If Yosys is missing or fails.
    """
    from amaranth.back import verilog

    from .synth import generic_area

    counts = {}
    for method in ("arith", "rom"):
        candidate = _with_method(spec, method)
        unit = unit_factory(candidate)(candidate, latency=0, with_grad=with_grad)
        text = verilog.convert(unit, name="candidate", emit_src=False)
        counts[method] = generic_area(text, "candidate").transistors
    built = min(counts, key=lambda method: (counts[method], method != "arith"))  # a tie keeps arith
    return _with_method(spec, built), MethodChoice(built, counts)


def _with_method(spec: ActivationSpec, method: str) -> ActivationSpec:
    """``spec`` with another method; an off-grid parameter is quantized again, silently (the
    caller has warned about it once already)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ParameterQuantizedWarning)
        return dataclasses.replace(spec, method=method)
