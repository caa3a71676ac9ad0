"""A generated unit's files: the unit in memory, its default name, the names it may not take, and
the atomic writer.

:class:`GeneratedUnit` holds a unit's Verilog, manifest (SPEC §7) and the extra files of
``--emit``. Nothing is written until :meth:`GeneratedUnit.write`, and every file's text exists
before the first one is written, so a bad request fails before anything reaches the disk; each
file is written to a temporary name beside its target and renamed into place
(:func:`write_atomically`), so it is either complete or absent, never half-written.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from amaranth.hdl import Shape

from .. import __version__
from ..errors import ParameterError, ParameterTypeError
from ..hw import ActivationUnit
from ..hw.axis import AxiStreamEngine
from ..hw.engine import StreamEngine, engine_layouts
from ..manifest import file_sha256, format_entry
from ..specs import ActivationSpec
from ..specs.engine import ENGINE_MODES, RESERVED_MODES, RESERVED_RESULT
from .convert import convert

if TYPE_CHECKING:
    from .build import MethodChoice

__all__ = [
    "EMITS",
    "LINT_WAIVERS",
    "RESERVED_WORDS",
    "GeneratedUnit",
    "check_module_name",
    "default_name",
    "write_atomically",
]

#: Words a generated module may not be named: the reserved keywords of IEEE 1800-2017
#: (SystemVerilog, Annex B), a superset of IEEE 1364-2005's. Users read generated files with
#: SystemVerilog tools too, so a Verilog-2005 module named ``logic`` would still break a flow.
_KEYWORDS = """
    accept_on alias always always_comb always_ff always_latch and assert assign assume automatic
    before begin bind bins binsof bit break buf bufif0 bufif1 byte case casex casez cell chandle
    checker class clocking cmos config const constraint context continue cover covergroup coverpoint
    cross deassign default defparam design disable dist do edge else end endcase endchecker endclass
    endclocking endconfig endfunction endgenerate endgroup endinterface endmodule endpackage
    endprimitive endprogram endproperty endspecify endsequence endtable endtask enum event
    eventually expect export extends extern final first_match for force foreach forever fork
    forkjoin function generate genvar global highz0 highz1 if iff ifnone ignore_bins illegal_bins
    implements implies import incdir include initial inout input inside instance int integer
    interconnect interface intersect join join_any join_none large let liblist library local
    localparam logic longint macromodule matches medium modport module nand negedge nettype new
    nexttime nmos nor noshowcancelled not notif0 notif1 null or output package packed parameter pmos
    posedge primitive priority program property protected pull0 pull1 pulldown pullup
    pulsestyle_ondetect pulsestyle_onevent pure rand randc randcase randsequence rcmos real realtime
    ref reg reject_on release repeat restrict return rnmos rpmos rtran rtranif0 rtranif1 s_always
    s_eventually s_nexttime s_until s_until_with scalared sequence shortint shortreal showcancelled
    signed small soft solve specify specparam static string strong strong0 strong1 struct super
    supply0 supply1 sync_accept_on sync_reject_on table tagged task this throughout time
    timeprecision timeunit tran tranif0 tranif1 tri tri0 tri1 triand trior trireg type typedef union
    unique unique0 unsigned until until_with untyped use uwire var vectored virtual void wait
    wait_order wand weak weak0 weak1 while wildcard wire with within wor xnor xor
"""
RESERVED_WORDS = frozenset(_KEYWORDS.split())
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def check_module_name(name: object) -> str:
    """Return ``name`` if it is a plain Verilog identifier and no (System)Verilog keyword.

    Raises
    ------
    TypeError
        If ``name`` is not a string.
    ValueError
        If it is not ``[A-Za-z_][A-Za-z0-9_]*`` or is a reserved word (:data:`RESERVED_WORDS`).
    """
    if not isinstance(name, str):
        raise ParameterTypeError(f"`name` must be a string, not {name!r}")
    if not _IDENTIFIER.match(name) or name in RESERVED_WORDS:
        raise ParameterError(
            f"`name` must be a plain Verilog identifier ([A-Za-z_][A-Za-z0-9_]*) and no (System)Verilog "
            f"keyword, not {name!r}"
        )
    return name


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomically(path: Path, text: str) -> Path:
    """Write ``text`` (UTF-8, ``\\n`` line ends) to a temporary file beside ``path`` and
    rename it into place, with the permissions an ordinary new file would get."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp creates files private
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
    return path


#: What ``--emit`` may ask for; ``verilog`` (with the manifest) is always written.
EMITS = ("verilog", "c", "fusesoc")
#: The fused backward mode's operation, as the manifest states it (SPEC §6.1).
FUSED_BACKWARD = "round(g * dy * 2**frac / 2**(out_frac + grad_frac)), saturated"

#: Verilator -Wall waivers for two properties of all Amaranth output, not of this design:
#: every intermediate expression keeps its full width even where only some bits are used, and
#: every register carries an initial value. All other -Wall checks stay on.
#: One more for engines: Amaranth writes their lanes' submodules into the same file.
SUBMODULE_WAIVER = "/* verilator lint_off DECLFILENAME */\n"
LINT_WAIVERS = (
    "// Amaranth keeps intermediates at full width and gives registers initial values:\n"
    "/* verilator lint_off UNUSEDSIGNAL */\n"
    "/* verilator lint_off PROCASSINIT */\n"
)


def default_name(spec: ActivationSpec, latency: int, with_grad: bool, lanes: int | None = None) -> str:
    """A module name that encodes every parameter, e.g. ``smelu_q16f8_beta512_rne``."""
    parts = [spec.activation, f"q{spec.fmt.bits}f{spec.fmt.frac}", *spec.name_parts()]
    if spec.out_fmt != spec.fmt:
        parts.append(f"o{spec.out_fmt.bits}f{spec.out_fmt.frac}")
    if with_grad and spec.grad_frac != spec.fmt.frac:
        parts.append(f"g{spec.grad_frac}")
    if getattr(spec, "accuracy", None) != "faithful":  # a faithful unit truncates: "faithful" says it
        parts.append(spec.rounding)
    if latency:
        parts.append(f"l{latency}")
    if not with_grad:
        parts.append("nograd")
    if lanes is not None:
        parts.append(f"engine{lanes}")
    return "_".join(parts)


class GeneratedUnit:
    """A unit's Verilog text, manifest and requested extra files, built in memory.

    Parameters
    ----------
    spec : ActivationSpec
        The activation's parameters.
    unit : ActivationUnit, StreamEngine or AxiStreamEngine
        The elaboratable component.
    name : str
        The Verilog module name.
    emits : sequence of str
        Members of :data:`EMITS`: ``c`` adds ``NAME.h`` (a bit-exact C99 model), ``fusesoc``
        adds ``NAME.core`` and ``NAME_smoke.v``. The Verilog and manifest are always written.
    method_choice : MethodChoice, optional
        What ``--method auto`` measured; the manifest records it as ``method_choice``.
    description : str, optional
        Everything that built ``unit`` (:func:`~smelu_hw.gen.generate` gives it): its Verilog
        is then read from the conversion cache when the same code converted it before
        (:mod:`smelu_hw.gen.convert`). Without it, the unit is always converted.
    """

    def __init__(
        self,
        spec: ActivationSpec,
        unit: ActivationUnit | StreamEngine | AxiStreamEngine,
        name: str,
        emits: tuple[str, ...] = ("verilog",),
        method_choice: MethodChoice | None = None,
        description: str | None = None,
    ) -> None:
        unknown = sorted(set(emits) - set(EMITS))
        if unknown:
            raise ParameterError(f"`emits` must be some of {', '.join(EMITS)}, not {unknown[0]!r}")
        self.spec, self.unit, self.name = spec, unit, name
        self.method_choice = method_choice
        self.emits = tuple(emit for emit in EMITS if emit in emits)
        self.manifest = self._manifest()
        self.verilog = self._header() + convert(unit, name, description)
        # So an edited file is recognised as one (SPEC §7): the hash of MODULE.v as written.
        self.manifest["verilog_sha256"] = file_sha256(self.verilog)
        self.files = self._files()

    def _manifest(self) -> dict[str, object]:
        spec, unit = self.spec, self.unit
        ports = []
        for path, member, _ in unit.signature.flatten(unit):
            shape = Shape.cast(member.shape)
            direction = "in" if member.flow.name == "In" else "out"
            ports.append(
                {"name": "__".join(path), "dir": direction, "width": shape.width, "signed": shape.signed}
            )
        if unit.latency and not isinstance(unit, AxiStreamEngine):  # the AXI ports name their clock
            ports[:0] = [
                {"name": "clk", "dir": "in", "width": 1, "signed": False},
                {"name": "rst", "dir": "in", "width": 1, "signed": False},
            ]
        manifest = {
            "module": self.name,
            "activation": spec.activation,
            "generator_version": __version__,
            "params": spec.params(),
            "input": format_entry(spec.fmt),
            "output": format_entry(spec.out_fmt),
            "grad": format_entry(spec.grad_fmt) if self.with_grad else None,
            "rounding": spec.rounding,
            "latency": unit.latency,
            "ports": ports,
        }
        if self.method_choice is not None:
            manifest["method_choice"] = self.method_choice.record()
        if isinstance(unit, (StreamEngine, AxiStreamEngine)):
            manifest["engine"] = {
                "lanes": unit.lanes,
                "modes": ENGINE_MODES,
                "reserved_modes": list(RESERVED_MODES),
                "reserved_result": RESERVED_RESULT,
                "fused_backward": FUSED_BACKWARD,
            }
        if isinstance(unit, StreamEngine):
            inputs, outputs = engine_layouts(spec, unit.lanes)
            manifest["engine"]["input_fields"] = {
                name: [field.offset, Shape.cast(field.shape).width] for name, field in inputs
            }
            manifest["engine"]["output_lane_bits"] = Shape.cast(outputs.elem_shape).width
        if isinstance(unit, AxiStreamEngine):
            manifest["interface"] = "axis"
            manifest["axis"] = unit.layout
        return manifest

    @property
    def with_grad(self) -> bool:
        return self.unit.with_grad if isinstance(self.unit, ActivationUnit) else True

    def _header(self) -> str:
        spec, unit = self.spec, self.unit
        params = ", ".join(f"{key}={value!r}" for key, value in spec.params().items())
        grad = f"dy {spec.grad_fmt}" if self.with_grad else "no gradient output"
        kind = "unit"
        if isinstance(unit, StreamEngine):
            kind = f"{unit.lanes}-lane streaming engine"
        elif isinstance(unit, AxiStreamEngine):
            kind = f"{unit.lanes}-lane AXI4-Stream engine"
        return (
            f"// {self.name}: {spec.activation} {kind} generated by smelu_hw {__version__}\n"
            f"// parameters: {params}\n"
            f"// formats: x {spec.fmt}, y {spec.out_fmt}, {grad}; rounding {spec.rounding}\n"
            f"// latency: {unit.latency} register stage(s)"
            f"{'' if unit.latency else ' (combinational)'}\n"
            + LINT_WAIVERS
            + ("" if isinstance(unit, ActivationUnit) else SUBMODULE_WAIVER)
        )

    def _files(self) -> dict[str, str]:
        """Every file to write, by name: the Verilog and manifest first, then the emitted ones."""
        files = {
            f"{self.name}.v": self.verilog,
            f"{self.name}.json": json.dumps(self.manifest, indent=2) + "\n",
        }
        if "c" in self.emits:
            from ..cmodel import render_c_header

            # An engine's header also models its lanes' fused backward, and packs a stream
            # engine's payloads or an AXI4-Stream engine's TDATA and TUSER at the manifest's offsets.
            engine, axis = self.manifest.get("engine"), self.manifest.get("axis")
            files[f"{self.name}.h"] = render_c_header(self.spec, self.name, self.with_grad, engine, axis)
        if "fusesoc" in self.emits:
            from ..models import model_for
            from .fusesoc import render_core, render_smoke_bench

            files[f"{self.name}.core"] = render_core(self.manifest)
            files[f"{self.name}_smoke.v"] = render_smoke_bench(self.manifest, model_for(self.spec))
        return files

    def write(self, out_dir: Path) -> list[Path]:
        """Write every file atomically (temporary file, then rename); the Verilog first, then the
        manifest, then the emitted files."""
        out_dir.mkdir(parents=True, exist_ok=True)
        return [write_atomically(out_dir / name, text) for name, text in self.files.items()]
