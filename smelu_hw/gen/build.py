"""Build a unit from its spec, in memory: :func:`generate`, the component that implements a spec,
and ``method="auto"``, the smaller of two equal units.

:func:`generate` checks every argument and elaborates the unit before anything is written
(:class:`~smelu_hw.gen.files.GeneratedUnit`). Its errors name parameters, not flags
(:mod:`smelu_hw.errors`): a wrong type is a ``TypeError``, a bad value or combination a
``ValueError``; the command line (:mod:`smelu_hw.gen.__main__`) spells them as its flags.

A spec with ``method="rom"`` is built as a :class:`~smelu_hw.hw.rom.RomUnit` whose table is the
golden model evaluated on every input code; every other spec by its activation's component.
For SmeLU and generalized SmeLU, ``arith`` and ``rom`` give the same output for every input, so
``--method auto`` may pick either: :func:`choose_method` builds both and keeps the one with
fewer transistors in the house area metric (:func:`smelu_hw.synth.generic_area`,
combinational), and the manifest records both figures.
"""

from __future__ import annotations

import dataclasses
import functools
import warnings
from collections.abc import Callable, Sequence

from ..errors import ParameterError
from ..hw import unit_class_for
from ..hw.axis import AxiStreamEngine
from ..hw.engine import StreamEngine
from ..hw.rom import RomUnit
from ..models import model_for
from ..specs import ActivationSpec, ParameterQuantizedWarning, check_count, check_latency
from .files import EMITS, GeneratedUnit, check_module_name, default_name
from .fusesoc import check_vlnv_part

__all__ = [
    "INTERFACES",
    "MAX_LANES",
    "MAX_USER_BITS",
    "MethodChoice",
    "choose_method",
    "generate",
    "rom_contents",
    "unit_factory",
]

#: Ports of an engine: Amaranth streams, or AXI4-Stream.
INTERFACES = ("stream", "axis")
#: Most free TUSER bits an AXI4-Stream engine carries.
MAX_USER_BITS = 64
#: Widest engine generated.
MAX_LANES = 1024


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
    """What ``--method auto`` measured and built; ``record()`` is its manifest entry.

    ``costs`` are in the metric of ``cost`` (:data:`COSTS`): house transistors, or µm² on the
    shipped IHP SG13G2 cells at the typical corner.
    """

    built: str
    costs: dict[str, float]
    cost: str = "cmos"

    def record(self) -> dict[str, object]:
        figures = {"transistors": dict(self.costs)} if self.cost == "cmos" else {"um2": dict(self.costs)}
        return {
            "requested": "auto",
            "built": self.built,
            "cost": self.cost,
            "metric": COSTS[self.cost],
            **figures,
            "reason": f"'{self.built}' is the smaller; both give the same output for every input",
        }


#: The metrics ``method=auto`` can minimise (``--cost``), and what each measures.
COSTS = {
    "cmos": "house transistors of the combinational unit (yosys synth; abc -g AND,NAND,OR,NOR,XOR,XNOR,MUX; "
    "stat -tech cmos)",
    "liberty": "area in µm² of the combinational unit on IHP SG13G2, typical corner (yosys synth -flatten; "
    "dfflibmap; abc -liberty; stat -liberty)",
}


def choose_method(
    spec: ActivationSpec, with_grad: bool, cost: str = "cmos"
) -> tuple[ActivationSpec, MethodChoice]:
    """Build ``spec`` with each of its methods (combinational) and return the smallest in the
    metric ``cost`` (:data:`COSTS`); a tie keeps the default method.

    Raises
    ------
    ValueError
        If the spec's methods are not interchangeable (their outputs differ).
    smelu_hw.synth.SynthesisError
        If Yosys is missing or fails.
    """
    from amaranth.back import verilog

    from ..liberty import liberty_area
    from ..synth import generic_area

    if cost not in COSTS:
        raise ParameterError(f"`cost` must be one of {', '.join(COSTS)}, not {cost!r}")
    if not spec.interchangeable_methods:
        raise ParameterError(
            f"`method=auto` does not apply to {spec.activation}: its methods give other outputs"
        )
    counts = {}
    for method in spec.methods:
        candidate = _with_method(spec, method)
        unit = unit_factory(candidate)(candidate, latency=0, with_grad=with_grad)
        text = verilog.convert(unit, name="candidate", emit_src=False)
        if cost == "cmos":
            counts[method] = generic_area(text, "candidate").transistors
        else:
            counts[method] = round(liberty_area(text, "candidate").area, 2)
    built = min(counts, key=lambda method: (counts[method], method != spec.methods[0]))
    return _with_method(spec, built), MethodChoice(built, counts, cost)


def _with_method(spec: ActivationSpec, method: str) -> ActivationSpec:
    """``spec`` with another method; an off-grid parameter is quantized again, silently (the
    caller has warned about it once already)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ParameterQuantizedWarning)
        return dataclasses.replace(spec, method=method)


def generate(
    spec: ActivationSpec,
    *,
    latency: int = 0,
    with_grad: bool = True,
    name: str | None = None,
    lanes: int | None = None,
    interface: str = "stream",
    user_bits: int = 0,
    tkeep: bool = False,
    emits: Sequence[str] = ("verilog",),
    method_choice: MethodChoice | None = None,
) -> GeneratedUnit:
    """Elaborate the unit of ``spec`` and return its Verilog, manifest and emitted files, in memory.

    Parameters
    ----------
    spec : ActivationSpec
        The activation and its validated parameters.
    latency : int
        Register stages, 0 or more (SPEC §6).
    with_grad : bool
        Whether the unit has the gradient output ``dy``; an engine needs it.
    name : str, optional
        The Verilog module name; by default one that encodes every parameter
        (:func:`~smelu_hw.gen.files.default_name`, ``_axis`` added for AXI4-Stream).
    lanes : int, optional
        Build a streaming engine of this many lanes (1 to :data:`MAX_LANES`) instead of a unit.
    interface : {"stream", "axis"}
        An engine's ports: Amaranth streams (SPEC §6.1) or AXI4-Stream (SPEC §6.2).
    user_bits : int
        Free TUSER bits of an AXI4-Stream engine, 0 to :data:`MAX_USER_BITS`.
    tkeep : bool
        Give an AXI4-Stream engine TKEEP ports (``_keep`` is added to the default name).
    emits : sequence of str
        Extra files (:data:`~smelu_hw.gen.files.EMITS`).
    method_choice : MethodChoice, optional
        What ``method="auto"`` measured (:func:`choose_method`), recorded in the manifest.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        On a bad value or a combination that cannot be built, naming the parameters.
    """
    if not isinstance(spec, ActivationSpec):
        raise TypeError(f"spec must be an activation spec, not {spec!r}")
    latency = check_latency(latency)
    if lanes is not None:
        lanes = check_count("lanes", lanes, 1, MAX_LANES)
    if interface not in INTERFACES:
        raise ParameterError(f"`interface` must be one of {', '.join(INTERFACES)}, not {interface!r}")
    if interface == "axis" and lanes is None:
        raise ParameterError("`interface=axis` wraps a streaming engine: give `lanes=N` (N = 1 is allowed)")
    user_bits = check_count("user_bits", user_bits, 0, MAX_USER_BITS)
    if user_bits and interface != "axis":
        raise ParameterError("`user_bits` applies to `interface=axis` only")
    if not isinstance(tkeep, bool):
        raise TypeError(f"tkeep must be a bool, not {tkeep!r}")
    if tkeep and interface != "axis":
        raise ParameterError("`tkeep` applies to `interface=axis` only")
    if lanes is not None and not with_grad:
        raise ParameterError("an engine needs the gradient (its modes use it); drop `with_grad=False`")
    unknown = sorted(set(emits) - set(EMITS))
    if unknown:
        raise ParameterError(f"`emits` must be some of {', '.join(EMITS)}, not {unknown[0]!r}")
    if name is None:
        name = default_name(spec, latency, with_grad, lanes) + ("_axis" if interface == "axis" else "")
        name += "_keep" if tkeep else ""
    if "fusesoc" in emits:  # a core's VLNV carries the module name
        check_vlnv_part(name)
    check_module_name(name)
    unit_class = unit_factory(spec)
    if interface == "axis":
        unit = AxiStreamEngine(spec, lanes, unit_class, latency, user_bits=user_bits, keep=tkeep)
    elif lanes is not None:
        unit = StreamEngine(spec, lanes, unit_class, latency)
    else:
        unit = unit_class(spec, latency=latency, with_grad=with_grad)
    # Everything that built the unit (its lane class and ROM contents follow from the spec).
    described = (spec, type(unit).__qualname__, latency, with_grad, lanes, user_bits) + (
        ("keep",) if tkeep else ()
    )
    description = repr(described)
    return GeneratedUnit(spec, unit, name, tuple(emits), method_choice=method_choice, description=description)
