"""``python -m smelu_hw.gen``: generate a unit's Verilog and JSON manifest (SPEC §5-7).

Every argument is validated, and the unit fully elaborated, before anything is written; files
are written to a temporary name in the target folder and renamed into place, so a failed run
leaves no file written or half-written. Exit status: 0 success, 2 bad arguments (one line on
stderr), 1 unexpected internal failure.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from amaranth.back import verilog
from amaranth.hdl import Shape

from . import __version__
from .cli import Parser, UsageError, run_main
from .files import write_atomically
from .fixed import ROUNDING_MODES
from .hw import ActivationUnit
from .hw.engine import StreamEngine, engine_layouts
from .keywords import RESERVED_WORDS
from .manifest import format_entry
from .registry import ACTIVATIONS
from .specs import METHODS, ActivationSpec, io_format
from .specs.engine import ENGINE_MODES, RESERVED_MODES, RESERVED_RESULT

__all__ = ["GeneratedUnit", "add_unit_arguments", "generate", "main", "unit_from_args"]


IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


#: Verilator -Wall waivers for two properties of all Amaranth output, not of this design:
#: every intermediate expression keeps its full width even where only some bits are used, and
#: every register carries an initial value. All other -Wall checks stay on.
LINT_WAIVERS = (
    "// Amaranth keeps intermediates at full width and gives registers initial values:\n"
    "/* verilator lint_off UNUSEDSIGNAL */\n"
    "/* verilator lint_off PROCASSINIT */\n"
)


#: Widest engine the CLI generates.
MAX_LANES = 1024


def _finite(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be finite, not {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="python -m smelu_hw.gen", description=__doc__.splitlines()[0])
    add_unit_arguments(parser, bits_required=True)
    parser.add_argument("--out-dir", type=Path, default=Path("rtl"), help="output folder (default rtl/)")
    return parser


def add_unit_arguments(parser: argparse.ArgumentParser, *, bits_required: bool) -> None:
    """Add the flags that describe a unit (SPEC §5, all but ``--out-dir``) to ``parser``."""
    parser.add_argument("--bits", type=int, required=bits_required, help="input width, 4..32")
    parser.add_argument("--frac", type=int, help="input fractional bits (default bits // 2)")
    parser.add_argument("--activation", choices=tuple(ACTIVATIONS), default="smelu")
    parser.add_argument("--beta", type=_finite, help="SmeLU half-width (default 1.0)")
    parser.add_argument("--beta-left", type=_finite, help="generalized SmeLU left half-width")
    parser.add_argument("--beta-right", type=_finite, help="generalized SmeLU right half-width")
    parser.add_argument("--slope-left", type=_finite, help="generalized SmeLU left slope, 0..1")
    parser.add_argument("--slope-right", type=_finite, help="generalized SmeLU right slope, 0..1")
    parser.add_argument("--out-bits", type=int, help="output width (default: input width)")
    parser.add_argument("--out-frac", type=int, help="output fractional bits (default: input's)")
    parser.add_argument("--grad-frac", type=int, help="gradient fractional bits (default: input's)")
    parser.add_argument("--no-grad", action="store_true", help="omit the gradient output dy")
    parser.add_argument(
        "--rounding", choices=ROUNDING_MODES, help="rne (default), rna or floor; tables always floor"
    )
    parser.add_argument(
        "--method", choices=METHODS, help="swish/softplus/gelu: faithful 'poly' (default) or hls4ml 'table'"
    )
    parser.add_argument("--latency", type=int, default=0, help="pipeline register stages, 0 or more")
    parser.add_argument("--lanes", type=int, help="generate a streaming engine with this many lanes per beat")
    parser.add_argument("--name", help="Verilog module name (default encodes the parameters)")


#: The parameter flags each activation accepts (besides formats and rounding).
PARAMETER_FLAGS = {
    "smelu": ("beta",),
    "gsmelu": ("beta_left", "beta_right", "slope_left", "slope_right"),
    "relu": (),
    "hardswish": (),
    "swish": ("beta", "method"),
    "softplus": ("beta", "method"),
    "gelu": ("method",),
}


def _spec_from_args(args: argparse.Namespace) -> ActivationSpec:
    accepted = PARAMETER_FLAGS[args.activation]
    for flag in ("beta", "beta_left", "beta_right", "slope_left", "slope_right", "method"):
        if getattr(args, flag) is not None and flag not in accepted:
            raise UsageError(f"--{flag.replace('_', '-')} does not apply to --activation {args.activation}")
    fmt = io_format(args.bits, args.frac)
    out_fmt = None
    if args.out_bits is not None or args.out_frac is not None:
        out_bits = fmt.bits if args.out_bits is None else args.out_bits
        out_frac = fmt.frac if args.out_frac is None else args.out_frac
        out_fmt = io_format(out_bits, out_frac, name="out_")
    kwargs = {name: getattr(args, name) for name in accepted if getattr(args, name) is not None}
    if args.rounding is not None:
        kwargs["rounding"] = args.rounding
    return ACTIVATIONS[args.activation].spec(fmt=fmt, out_fmt=out_fmt, grad_frac=args.grad_frac, **kwargs)


def _name_part(key: str, value: object, params: dict[str, object]) -> str | None:
    if key.endswith("_code"):
        return f"{key[: -len('_code')].replace('_', '')}{value}"
    if key.endswith("_used") or f"{key}_code" in params:
        return None
    if key == "method":
        return str(value)
    return f"{key}{value}".replace(".", "p").replace("-", "m")


def default_name(spec: ActivationSpec, latency: int, with_grad: bool, lanes: int | None = None) -> str:
    """A module name that encodes every parameter, e.g. ``smelu_q16f8_beta512_rne``."""
    params = spec.params()
    parts = [spec.activation, f"q{spec.fmt.bits}f{spec.fmt.frac}"]
    parts += [part for key, value in params.items() if (part := _name_part(key, value, params))]
    if spec.out_fmt != spec.fmt:
        parts.append(f"o{spec.out_fmt.bits}f{spec.out_fmt.frac}")
    if with_grad and spec.grad_frac != spec.fmt.frac:
        parts.append(f"g{spec.grad_frac}")
    parts.append(spec.rounding)
    if latency:
        parts.append(f"l{latency}")
    if not with_grad:
        parts.append("nograd")
    if lanes is not None:
        parts.append(f"engine{lanes}")
    return "_".join(parts)


class GeneratedUnit:
    """A unit's Verilog text and manifest, built in memory (nothing written yet)."""

    def __init__(self, spec: ActivationSpec, unit: ActivationUnit | StreamEngine, name: str) -> None:
        self.spec, self.unit, self.name = spec, unit, name
        self.manifest = self._manifest()
        self.verilog = self._header() + verilog.convert(unit, name=name, emit_src=False)

    def _manifest(self) -> dict[str, object]:
        spec, unit = self.spec, self.unit
        ports = []
        for path, member, _ in unit.signature.flatten(unit):
            shape = Shape.cast(member.shape)
            direction = "in" if member.flow.name == "In" else "out"
            ports.append(
                {"name": "__".join(path), "dir": direction, "width": shape.width, "signed": shape.signed}
            )
        if unit.latency:
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
        if isinstance(unit, StreamEngine):
            inputs, outputs = engine_layouts(spec, unit.lanes)
            manifest["engine"] = {
                "lanes": unit.lanes,
                "modes": ENGINE_MODES,
                "reserved_modes": list(RESERVED_MODES),
                "reserved_result": RESERVED_RESULT,
                "input_fields": {
                    name: [field.offset, Shape.cast(field.shape).width] for name, field in inputs
                },
                "output_lane_bits": Shape.cast(outputs.elem_shape).width,
                "fused_backward": "round(g * dy * 2**frac / 2**(out_frac + grad_frac)), saturated",
            }
        return manifest

    @property
    def with_grad(self) -> bool:
        return self.unit.with_grad if isinstance(self.unit, ActivationUnit) else True

    def _header(self) -> str:
        spec = self.spec
        params = ", ".join(f"{key}={value!r}" for key, value in spec.params().items())
        grad = f"dy {spec.grad_fmt}" if self.with_grad else "no gradient output"
        kind = f"{self.unit.lanes}-lane streaming engine" if isinstance(self.unit, StreamEngine) else "unit"
        return (
            f"// {self.name}: {spec.activation} {kind} generated by smelu_hw {__version__}\n"
            f"// parameters: {params}\n"
            f"// formats: x {spec.fmt}, y {spec.out_fmt}, {grad}; rounding {spec.rounding}\n"
            f"// latency: {self.unit.latency} register stage(s)"
            f"{'' if self.unit.latency else ' (combinational)'}\n" + LINT_WAIVERS
        )

    def write(self, out_dir: Path) -> list[Path]:
        """Write ``NAME.v`` and ``NAME.json`` atomically (temporary file, then rename)."""
        out_dir.mkdir(parents=True, exist_ok=True)
        manifest = json.dumps(self.manifest, indent=2) + "\n"
        texts = ((".v", self.verilog), (".json", manifest))
        return [write_atomically(out_dir / f"{self.name}{suffix}", text) for suffix, text in texts]


def generate(
    spec: ActivationSpec,
    *,
    latency: int = 0,
    with_grad: bool = True,
    name: str | None = None,
    lanes: int | None = None,
) -> GeneratedUnit:
    """Elaborate the unit of ``spec`` (or, with ``lanes``, a streaming engine of it) and return
    its Verilog and manifest, in memory."""
    if lanes is not None and not with_grad:
        raise ValueError("an engine needs the gradient (its modes use it); drop --no-grad")
    name = default_name(spec, latency, with_grad, lanes) if name is None else name
    if not IDENTIFIER.match(name) or name in RESERVED_WORDS:
        raise ValueError(
            f"name must be a plain Verilog identifier ([A-Za-z_][A-Za-z0-9_]*) and no (System)Verilog "
            f"keyword, not {name!r}"
        )
    unit_class = ACTIVATIONS[spec.activation].unit
    if lanes is not None:
        return GeneratedUnit(spec, StreamEngine(spec, lanes, unit_class, latency), name)
    return GeneratedUnit(spec, unit_class(spec, latency=latency, with_grad=with_grad), name)


def unit_from_args(args: argparse.Namespace) -> tuple[GeneratedUnit, list[str]]:
    """Elaborate the unit the flags of :func:`add_unit_arguments` describe.

    Returns the unit and the parameter-quantization warnings to print.

    Raises
    ------
    UsageError, ValueError
        On a bad flag or parameter (one line, exit status 2).
    """
    if args.latency < 0:
        raise UsageError(f"latency must be 0 or more, not {args.latency}")
    if args.lanes is not None and not 1 <= args.lanes <= MAX_LANES:
        raise UsageError(f"lanes must be from 1 to {MAX_LANES}, not {args.lanes}")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        spec = _spec_from_args(args)
    unit = generate(spec, latency=args.latency, with_grad=not args.no_grad, name=args.name, lanes=args.lanes)
    return unit, [str(warning.message) for warning in caught]


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    try:
        args = build_parser().parse_args(argv)
        unit, notes = unit_from_args(args)
    except (UsageError, ValueError) as error:
        print(f"smelu_hw.gen: error: {error}", file=sys.stderr)
        return 2
    for note in notes:
        print(f"smelu_hw.gen: warning: {note}", file=sys.stderr)
    try:
        paths = unit.write(args.out_dir)
    except OSError as error:
        print(f"smelu_hw.gen: error: cannot write to {args.out_dir}: {error.strerror}", file=sys.stderr)
        return 2
    for path in paths:
        print(path)
    return 0


def run() -> NoReturn:
    """Console-script entry point."""
    run_main(main, "smelu_hw.gen")


if __name__ == "__main__":
    run()
