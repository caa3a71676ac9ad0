"""``python -m smelu_hw.gen``: generate a unit's Verilog and JSON manifest (SPEC §5-7).

The command line over :func:`smelu_hw.gen.generate`: flags become a spec and the arguments of
``generate``, whose errors name parameters; :func:`flag_message` spells them as the flags the
user typed. Every argument is validated, and the unit fully elaborated, before anything is
written; files are written to a temporary name in the target folder and renamed into place, so
a failed run leaves no file written or half-written. Exit status: 0 success, 2 bad arguments
(one line on stderr), 1 unexpected internal failure.
"""

from __future__ import annotations

import argparse
import math
import sys
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from ..cli import Parser, UsageError, run_main
from ..errors import ParameterMessage
from ..fixed import ROUNDING_MODES
from ..registry import ACTIVATIONS
from ..specs import ActivationSpec, Parameter, io_format
from ..synth import SynthesisError
from .build import COSTS, INTERFACES, choose_method, generate
from .files import EMITS, GeneratedUnit

__all__ = ["add_unit_arguments", "build_parser", "flag_message", "main", "run", "unit_from_args"]


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


def _by_activation(describe: Callable[[type[ActivationSpec]], str | None]) -> str:
    """``describe(spec)`` for every activation that has one, activations with the same text
    joined: ``"smelu, gsmelu: arith (default) or rom; swish, ...: ..."``."""
    groups: dict[str, list[str]] = {}
    for name, entry in ACTIVATIONS.items():
        text = describe(entry.spec)
        if text:
            groups.setdefault(text, []).append(name)
    return "; ".join(f"{', '.join(names)}: {text}" for text, names in groups.items())


def _choices(spec: type[ActivationSpec], values: tuple[str, ...]) -> str | None:
    if not values:
        return None
    listed = [f"{values[0]} (default)", *values[1:]]
    if spec.interchangeable_methods and values is spec.methods:
        listed.append("auto (the smaller in the house area metric)")
    return ", ".join(listed)


def _parameters() -> dict[str, list[Parameter]]:
    """Every activation's declared parameters, by name, in the order first declared."""
    found: dict[str, list[Parameter]] = {}
    for entry in ACTIVATIONS.values():
        for parameter in entry.spec.parameters:
            found.setdefault(parameter.name, []).append(parameter)
    return found


def _methods() -> tuple[str, ...]:
    """Every ``--method`` value an activation declares, then ``auto``."""
    methods = dict.fromkeys(method for entry in ACTIVATIONS.values() for method in entry.spec.methods)
    return (*methods, "auto")


def add_unit_arguments(parser: argparse.ArgumentParser, *, bits_required: bool) -> None:
    """Add the flags that describe a unit (SPEC §5, all but ``--out-dir``) to ``parser``: the
    formats, every parameter an activation declares (:attr:`ActivationSpec.parameters`), its
    methods and accuracies, and what :func:`~smelu_hw.gen.generate` takes."""
    parser.add_argument("--bits", type=int, required=bits_required, help="input width, 4..32")
    parser.add_argument("--frac", type=int, help="input fractional bits (default bits // 2)")
    parser.add_argument("--activation", choices=tuple(ACTIVATIONS), default="smelu")
    for name, declared in _parameters().items():
        helps = "; ".join(dict.fromkeys(parameter.help for parameter in declared))
        parser.add_argument(f"--{name.replace('_', '-')}", type=_finite, help=helps)
    parser.add_argument("--out-bits", type=int, help="output width (default: input width)")
    parser.add_argument("--out-frac", type=int, help="output fractional bits (default: input's)")
    parser.add_argument("--grad-frac", type=int, help="gradient fractional bits (default: input's)")
    parser.add_argument("--no-grad", action="store_true", help="omit the gradient output dy")
    parser.add_argument(
        "--rounding", choices=ROUNDING_MODES, help="rne (default), rna or floor; tables always floor"
    )
    accuracies = tuple(dict.fromkeys(a for entry in ACTIVATIONS.values() for a in entry.spec.accuracies))
    parser.add_argument(
        "--accuracy",
        choices=accuracies,
        help=_by_activation(lambda spec: _choices(spec, spec.accuracies))
        + " ('faithful': one of the two codes around the exact value; truncates, cheaper)",
    )
    parser.add_argument(
        "--method", choices=_methods(), help=_by_activation(lambda spec: _choices(spec, spec.methods))
    )
    parser.add_argument(
        "--cost",
        choices=tuple(COSTS),
        help="--method auto: minimise house transistors ('cmos', default) or SG13G2 µm² ('liberty')",
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
    parser.add_argument(
        "--tkeep",
        action="store_true",
        help="--interface axis: add s_axis_tkeep (not seen: full beats only) and m_axis_tkeep (all ones)",
    )
    parser.add_argument("--name", help="Verilog module name (default encodes the parameters)")
    parser.add_argument(
        "--emit",
        action="append",
        choices=EMITS,
        default=[],
        help="also write: 'c' (NAME.h, a bit-exact C99 model), 'fusesoc' (NAME.core and a smoke bench); "
        "repeatable; 'verilog' is always written",
    )


def _spec_from_args(args: argparse.Namespace) -> ActivationSpec:
    """The spec the flags describe, checking each flag against the activation's declarations."""
    spec_class = ACTIVATIONS[args.activation].spec
    accepted = {parameter.name for parameter in spec_class.parameters}
    for name in _parameters():
        if getattr(args, name) is not None and name not in accepted:
            raise UsageError(f"--{name.replace('_', '-')} does not apply to --activation {args.activation}")
    kwargs = {name: getattr(args, name) for name in accepted if getattr(args, name) is not None}
    if args.method is not None:
        methods = (*spec_class.methods, "auto") if spec_class.interchangeable_methods else spec_class.methods
        if not spec_class.methods:
            raise UsageError(f"--method does not apply to --activation {args.activation}")
        if args.method not in methods:
            raise UsageError(f"--method {args.method} does not apply to --activation {args.activation}")
        # unit_from_args measures every method for auto; the spec starts with the default
        kwargs["method"] = spec_class.methods[0] if args.method == "auto" else args.method
    if args.rounding is not None:
        kwargs["rounding"] = args.rounding
    if args.accuracy is not None:
        if not spec_class.accuracies:
            with_choice = [name for name, entry in ACTIVATIONS.items() if entry.spec.accuracies]
            raise UsageError(
                f"--accuracy applies to {' and '.join(with_choice)} only; "
                f"{args.activation} is {spec_class.exactness}"
            )
        if args.accuracy == "faithful" and args.rounding is not None:
            raise UsageError("--accuracy faithful truncates and takes no --rounding; drop one of them")
        kwargs["accuracy"] = args.accuracy
    fmt = io_format(args.bits, args.frac)
    out_fmt = None
    if args.out_bits is not None or args.out_frac is not None:
        out_bits = fmt.bits if args.out_bits is None else args.out_bits
        out_frac = fmt.frac if args.out_frac is None else args.out_frac
        out_fmt = io_format(out_bits, out_frac, name="out_")
    return spec_class(fmt=fmt, out_fmt=out_fmt, grad_frac=args.grad_frac, **kwargs)


#: Parameters whose flag is not their name with dashes.
_FLAGS = {"emits": "--emit"}


def _spelled_as_flag(name: str, value: str | None) -> str:
    if name == "with_grad":
        return "--no-grad"
    flag = _FLAGS.get(name, f"--{name.replace('_', '-')}")
    return flag if value is None else f"{flag} {value}"


def flag_message(error: ParameterMessage) -> str:
    """``error``'s message with each parameter spelled as its flag (``lanes`` as ``--lanes``,
    ``interface=axis`` as ``--interface axis``, ``with_grad=False`` as ``--no-grad``)."""
    return error.spelled(_spelled_as_flag)


def unit_from_args(args: argparse.Namespace) -> tuple[GeneratedUnit, list[str]]:
    """Elaborate the unit the flags of :func:`add_unit_arguments` describe.

    Returns the unit and the parameter-quantization warnings to print.

    Raises
    ------
    UsageError
        On a bad flag or parameter (one line, exit status 2), spelled as flags.
    """
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            spec = _spec_from_args(args)
        choice = None
        if args.cost is not None and args.method != "auto":
            raise UsageError("--cost applies to --method auto only")
        if args.method == "auto":
            try:
                spec, choice = choose_method(spec, with_grad=not args.no_grad, cost=args.cost or "cmos")
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
            tkeep=args.tkeep,
            emits=args.emit,
            method_choice=choice,
        )
    except ParameterMessage as error:
        raise UsageError(flag_message(error)) from None
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
