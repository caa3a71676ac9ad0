"""``python -m smelu_hw.gen``: generate a unit's Verilog and JSON manifest (SPEC §5-7).

Every argument is validated, and the unit fully elaborated, before anything is written; files
are written to a temporary name in the target folder and renamed into place, so a failed run
leaves no file written or half-written. Exit status: 0 success, 2 bad arguments (one line on
stderr), 1 unexpected internal failure.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from .cli import Parser, UsageError, run_main
from .fixed import ROUNDING_MODES
from .fusesoc import check_vlnv_part
from .generated import EMITS, LINT_WAIVERS, GeneratedUnit, default_name
from .hw.axis import AxiStreamEngine
from .hw.engine import StreamEngine
from .implementations import MethodChoice, choose_method, unit_factory
from .keywords import RESERVED_WORDS
from .registry import ACTIVATIONS
from .specs import ACCURACIES, METHODS, SMELU_METHODS, ActivationSpec, io_format
from .synth import SynthesisError

__all__ = [
    "EMITS",
    "INTERFACES",
    "LINT_WAIVERS",
    "GeneratedUnit",
    "add_unit_arguments",
    "generate",
    "main",
    "unit_from_args",
]


IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


#: Most free TUSER bits an AXI4-Stream engine carries.
MAX_USER_BITS = 64
#: Ports of an engine: Amaranth streams, or AXI4-Stream.
INTERFACES = ("stream", "axis")
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
        "--accuracy",
        choices=ACCURACIES,
        help="smelu/gsmelu: 'correct' rounding (default) or 'faithful' (one of the two codes around "
        "the exact value; truncates, cheaper)",
    )
    parser.add_argument(
        "--method",
        choices=ALL_METHODS,
        help="swish/softplus/gelu: faithful 'poly' (default), hls4ml 'table' or correctly rounded 'rom'; "
        "smelu/gsmelu: 'arith' (default), 'rom', or 'auto' (the smaller in the house area metric)",
    )
    parser.add_argument("--latency", type=int, default=0, help="pipeline register stages, 0 or more")
    parser.add_argument("--lanes", type=int, help="generate a streaming engine with this many lanes per beat")
    parser.add_argument(
        "--interface",
        choices=INTERFACES,
        default="stream",
        help="ports of an engine (--lanes): Amaranth 'stream' (default) or AXI4-Stream 'axis'",
    )
    parser.add_argument("--user-bits", type=int, default=0, help="--interface axis: free TUSER bits")
    parser.add_argument("--name", help="Verilog module name (default encodes the parameters)")
    parser.add_argument(
        "--emit",
        action="append",
        choices=EMITS,
        default=[],
        help="also write: 'c' (NAME.h, a bit-exact C99 model), 'fusesoc' (NAME.core and a smoke bench); "
        "repeatable; 'verilog' is always written",
    )


#: The activations with a choice of accuracy (SPEC §2).
ACCURACY_ACTIVATIONS = ("smelu", "gsmelu")
#: ``--method`` values: the smooth baselines', then SmeLU's, then ``auto`` (SmeLU only).
ALL_METHODS = (*METHODS, *(method for method in SMELU_METHODS if method not in METHODS), "auto")

#: The parameter flags each activation accepts (besides formats and rounding).
PARAMETER_FLAGS = {
    "smelu": ("beta", "method"),
    "gsmelu": ("beta_left", "beta_right", "slope_left", "slope_right", "method"),
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
    methods = (*SMELU_METHODS, "auto") if args.activation in ACCURACY_ACTIVATIONS else METHODS
    if args.method is not None and args.method not in methods:
        raise UsageError(f"--method {args.method} does not apply to --activation {args.activation}")
    if kwargs.get("method") == "auto":
        kwargs["method"] = "arith"  # unit_from_args measures both implementations
    if args.rounding is not None:
        kwargs["rounding"] = args.rounding
    if args.accuracy is not None:
        if args.activation not in ACCURACY_ACTIVATIONS:
            raise UsageError(
                f"--accuracy applies to {' and '.join(ACCURACY_ACTIVATIONS)} only; {args.activation} is "
                + ("faithful by construction" if "method" in accepted else "always correctly rounded")
            )
        if args.accuracy == "faithful" and args.rounding is not None:
            raise UsageError("--accuracy faithful truncates and takes no --rounding; drop one of them")
        kwargs["accuracy"] = args.accuracy
    return ACTIVATIONS[args.activation].spec(fmt=fmt, out_fmt=out_fmt, grad_frac=args.grad_frac, **kwargs)


def generate(
    spec: ActivationSpec,
    *,
    latency: int = 0,
    with_grad: bool = True,
    name: str | None = None,
    lanes: int | None = None,
    interface: str = "stream",
    user_bits: int = 0,
    emits: Sequence[str] = ("verilog",),
    method_choice: MethodChoice | None = None,
) -> GeneratedUnit:
    """Elaborate the unit of ``spec`` and return its Verilog, manifest and emitted files, in memory.

    With ``lanes`` it is a streaming engine of the unit: ``interface="stream"`` gives Amaranth
    stream ports, ``"axis"`` AXI4-Stream ports (SPEC §6.2) with ``user_bits`` free TUSER bits.
    ``emits`` adds files (:data:`~smelu_hw.generated.EMITS`). ``method_choice`` is what
    ``--method auto`` measured (:func:`~smelu_hw.implementations.choose_method`), recorded in
    the manifest.

    Raises
    ------
    ValueError
        On a combination that cannot be built, naming the flag (SPEC §5).
    """
    if interface not in INTERFACES:
        raise ValueError(f"--interface must be one of {', '.join(INTERFACES)}, not {interface!r}")
    if interface == "axis" and lanes is None:
        raise ValueError("--interface axis wraps a streaming engine: give --lanes N (N = 1 is allowed)")
    if user_bits and interface != "axis":
        raise ValueError("--user-bits applies to --interface axis only")
    if not 0 <= user_bits <= MAX_USER_BITS:
        raise ValueError(f"--user-bits must be from 0 to {MAX_USER_BITS}, not {user_bits}")
    if lanes is not None and not with_grad:
        raise ValueError("an engine needs the gradient (its modes use it); drop --no-grad")
    if name is None:
        name = default_name(spec, latency, with_grad, lanes) + ("_axis" if interface == "axis" else "")
    if "fusesoc" in emits:  # a core's VLNV carries the module name
        check_vlnv_part(name, "--name")
    if not IDENTIFIER.match(name) or name in RESERVED_WORDS:
        raise ValueError(
            f"name must be a plain Verilog identifier ([A-Za-z_][A-Za-z0-9_]*) and no (System)Verilog "
            f"keyword, not {name!r}"
        )
    unit_class = unit_factory(spec)
    if interface == "axis":
        unit = AxiStreamEngine(spec, lanes, unit_class, latency, user_bits=user_bits)
    elif lanes is not None:
        unit = StreamEngine(spec, lanes, unit_class, latency)
    else:
        unit = unit_class(spec, latency=latency, with_grad=with_grad)
    return GeneratedUnit(spec, unit, name, tuple(emits), method_choice=method_choice)


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
    choice = None
    if args.method == "auto":
        try:
            spec, choice = choose_method(spec, with_grad=not args.no_grad)
        except SynthesisError as error:
            raise UsageError(f"--method auto measures both implementations with Yosys: {error}") from None
    unit = generate(
        spec,
        latency=args.latency,
        with_grad=not args.no_grad,
        name=args.name,
        lanes=args.lanes,
        interface=args.interface,
        user_bits=args.user_bits,
        emits=args.emit,
        method_choice=choice,
    )
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
