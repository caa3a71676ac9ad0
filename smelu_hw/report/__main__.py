"""``python -m smelu_hw.report``: sweep units, measure them, and write ``reports/``.

Writes ``REPORT.md`` (headline table and commentary from the numbers), ``results.csv`` and
``results.json`` (one row per unit) and PNG plots. ``--quick`` is a small sweep for CI.
``--render RESULTS.json`` measures nothing: it writes ``REPORT.md`` and the plots again from a
``results.json`` (into ``--out-dir``, default its folder), after a change to how they are written.
Measurements run in a process pool, or with ``--cluster`` on the workers of a Dask distributed
scheduler (:mod:`smelu_hw.executor`), with a progress line on stderr; the results do not depend
on which ran them or in what order they finished. They are cached by content hash
(:mod:`smelu_hw.synth`), so an unchanged unit is never synthesized twice. Bad arguments, or a
scheduler that cannot be reached, exit with status 2 and one line on stderr, before anything is
written.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, as_completed
from pathlib import Path
from typing import NoReturn

from ..cli import Parser, UsageError, int_list, run_main
from ..executor import open_executor
from ..liberty import SG13G2_TYPICAL, Corner
from ..liberty.corners import add_corner_arguments, user_corner
from ..registry import ACTIVATIONS
from ..synth import SynthesisError, tool_versions
from .sweep import (
    AREA_COLUMNS,
    COLUMNS,
    DEVICES,
    LATENCIES,
    QUICK_LATENCIES,
    Job,
    UnitConfig,
    default_units,
    jobs_for,
    quick_jobs,
    quick_units,
    run_job,
)

__all__ = ["main", "run"]


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="python -m smelu_hw.report", description=__doc__.splitlines()[0])
    parser.add_argument(
        "manifest",
        nargs="?",
        type=Path,
        metavar="MODULE.json",
        help="report on this one generated unit instead of sweeping (MODULE.report.md beside it)",
    )
    parser.add_argument("--quick", action="store_true", help="small sweep for CI")
    parser.add_argument("--bits", type=int_list, help="widths to keep, e.g. 8,16")
    parser.add_argument("--activation", help="activations to keep, e.g. smelu,swish")
    parser.add_argument(
        "--out-dir", type=Path, help="output folder (default reports/, or with --render the results' folder)"
    )
    parser.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, help="parallel processes (ignored with --cluster)"
    )
    parser.add_argument(
        "--cluster",
        metavar="ADDRESS",
        help="run the jobs on a Dask distributed scheduler at ADDRESS instead of local processes",
    )
    parser.add_argument("--no-plots", action="store_true", help="skip the PNG plots")
    add_corner_arguments(parser)
    parser.add_argument(
        "--render",
        type=Path,
        metavar="RESULTS.json",
        help="measure nothing: write REPORT.md and the plots again from a results.json",
    )
    return parser


def _corner(args: argparse.Namespace) -> Corner:
    """The library of the Liberty columns: ``--liberty FILE`` (checked first), else SG13G2."""
    try:
        return user_corner(args.liberty, args.corner) or SG13G2_TYPICAL
    except ValueError as error:  # LibertyError is one
        raise UsageError(f"--liberty: {error}" if args.liberty else str(error)) from None


def _unit_of(row: dict[str, object]) -> UnitConfig:
    """The sweep unit a stored row measured."""
    return UnitConfig(
        str(row["activation"]),
        int(row["bits"]),
        beta=None if row.get("beta") in ("", None) else float(row["beta"]),
        method=str(row["method"]) or None,
        accuracy=str(row["accuracy"]) or None,
    )


def render(results: Path, out_dir: Path, plots: bool = True) -> int:
    """``--render``: ``REPORT.md`` (and the plots) from a stored ``results.json``."""
    try:
        document = json.loads(results.read_text(encoding="utf-8"))
        metadata, rows = document["metadata"], document["units"]
        units = [_unit_of(row) for row in rows]
        messages = (str(row.get("failures", "")).split("; ") for row in rows)
        failures = [failure for row_messages in messages for failure in row_messages if failure]
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as error:
        raise UsageError(f"--render {results}: not a results.json of this report ({error})") from None
    out_dir.mkdir(parents=True, exist_ok=True)
    from .document import write_report

    write_report(rows, units, out_dir, metadata, failures, plots=plots)
    return 0


def select(args: argparse.Namespace) -> list[UnitConfig]:
    units = quick_units() if args.quick else default_units()
    if args.activation:
        wanted = set(args.activation.split(","))
        unknown = wanted - set(ACTIVATIONS)
        if unknown:
            raise UsageError(f"unknown activation(s): {', '.join(sorted(unknown))}")
        units = [unit for unit in units if unit.activation in wanted]
    if args.bits:
        units = [unit for unit in units if unit.bits in args.bits]
    if not units:
        raise UsageError("the selection matches no unit")
    if args.jobs < 1:
        raise UsageError(f"--jobs must be at least 1, not {args.jobs}")
    return units


def measure_all(
    jobs: list[Job], pool: Executor, run: Callable[[Job], dict[str, object]] = run_job
) -> tuple[dict[str, dict[str, object]], list[str]]:
    """Run every job on ``pool``; return the measured columns per unit name and the failure messages.

    ``run`` measures one job (:func:`~smelu_hw.report.sweep.run_job`). A job that fails with a
    tool or input error leaves its columns out of the row (an empty cell, never zero) and
    adds a message to the row's ``failures`` and to the returned list.

    Progress follows completion, but results are merged in job order, so rows and failure
    messages are the same whichever executor ran the jobs and whatever order they finished in.
    """
    interactive = sys.stderr.isatty()
    futures = {pool.submit(run, job): job for job in jobs}
    for done, future in enumerate(as_completed(futures), start=1):
        job = futures[future]
        if interactive or done == len(jobs) or done % max(len(jobs) // 20, 1) == 0:
            end = "\n" if not interactive or done == len(jobs) else ""
            print(
                f"\r[{done:>4}/{len(jobs)}] {job.description:<60.60}",
                end=end,
                file=sys.stderr,
                flush=True,
            )
    rows: dict[str, dict[str, object]] = {}
    failures: list[str] = []
    for future, job in futures.items():
        row = rows.setdefault(job.unit.name, job.unit.key())
        try:
            row.update(future.result())
        except (SynthesisError, ValueError, OSError) as error:
            message = f"{job.description}: {error}"
            failures.append(message)
            row["failures"] = "; ".join(filter(None, [str(row.get("failures", "")), message]))
    return rows, failures


def write_tables(rows: list[dict[str, object]], out_dir: Path, metadata: dict[str, object]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({column: row.get(column, "") for column in COLUMNS})
    (out_dir / "results.csv").write_text(buffer.getvalue())
    document = {"metadata": metadata, "units": [{c: row.get(c, "") for c in COLUMNS} for row in rows]}
    (out_dir / "results.json").write_text(json.dumps(document, indent=1) + "\n")


def harness_fmax(device: str, width: int = 16) -> float:
    """Fmax on ``device`` of the timing harness around a bare ``width``-bit wire: the fastest a
    unit can be measured (:meth:`smelu_hw.hw.harness.TimingHarness.bare`)."""
    from amaranth.back import verilog

    from ..hw.harness import TimingHarness
    from ..synth import fmax

    text = verilog.convert(TimingHarness.bare(width), name="harness", emit_src=False)
    return round(fmax(device, text, "harness"), 2)


def harness_ceiling(width: int = 16) -> dict[str, float]:
    """:func:`harness_fmax` on every device."""
    return {device: harness_fmax(device, width) for device in DEVICES}


def short_version(line: str) -> str:
    """``Yosys 0.70 (git sha1 28ba3cb92)`` or ``nextpnr-ice40 0.11.1``: no build paths."""
    if "(Version nextpnr-" in line:
        family = line.split('"')[1].removeprefix("yowasp-") if '"' in line else "nextpnr"
        return f"{family} {line.split('(Version nextpnr-')[1].rstrip(')')}"
    return line.split(", ")[0] + (")" if "(" in line else "")


def _one_unit(args: argparse.Namespace) -> int:
    """``python -m smelu_hw.report MODULE.json``: the report of one generated unit."""
    from ..verify.certificate import OutputFolderError, check_writable
    from ..verify.design import DesignError, load_design
    from .single import unit_report, write_unit_report

    if args.quick or args.bits or args.activation or args.render:
        raise UsageError(
            "MODULE.json reports on that one unit: --quick, --bits, --activation and --render do not apply"
        )
    corner = _corner(args)
    try:
        design = load_design(args.manifest)
        out_dir = args.out_dir or args.manifest.parent
        check_writable(out_dir)
    except (DesignError, OutputFolderError) as error:
        raise UsageError(str(error)) from None
    with open_executor(args.jobs, args.cluster) as pool:
        report = unit_report(design, pool, corner)
    for path in write_unit_report(report, out_dir):
        print(path)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        if args.manifest is not None:
            return _one_unit(args)
        if args.render is not None:
            return render(args.render, args.out_dir or args.render.parent, plots=not args.no_plots)
        args.out_dir = args.out_dir or Path("reports")
        units = select(args)
        corner = _corner(args)
    except UsageError as error:
        print(f"smelu_hw.report: error: {error}", file=sys.stderr)
        return 2
    latencies = QUICK_LATENCIES if args.quick else LATENCIES
    start = time.monotonic()
    with contextlib.ExitStack() as stack:
        try:
            pool = stack.enter_context(open_executor(args.jobs, args.cluster))
        except ValueError as error:  # no `distributed`, or no scheduler at that address
            print(f"smelu_hw.report: error: {error}", file=sys.stderr)
            return 2
        jobs = (
            quick_jobs(units, corner)
            if args.quick
            else jobs_for(units, latencies, tuple(AREA_COLUMNS), corner)
        )
        kinds = Counter(job.kind for job in jobs)
        print(
            f"{len(jobs)} jobs ({', '.join(f'{kind} {count}' for kind, count in sorted(kinds.items()))}); "
            "cold cost estimate: benchmarks/report_time.py",
            file=sys.stderr,
        )
        ceiling = {device: pool.submit(harness_fmax, device) for device in DEVICES}  # beside the jobs
        rows_by_name, failures = measure_all(jobs, pool)
        ceiling = {device: future.result() for device, future in ceiling.items()}
    rows = [rows_by_name[unit.name] for unit in units]
    versions = {name: short_version(version) for name, version in tool_versions().items()}
    metadata = {
        "tools": versions,
        "quick": args.quick,
        "latencies": list(latencies),
        "ceiling": ceiling,
        "liberty": corner.label,
    }
    args.out_dir.mkdir(parents=True, exist_ok=True)
    write_tables(rows, args.out_dir, metadata)
    from .document import write_report  # matplotlib is only needed from here on

    write_report(rows, units, args.out_dir, metadata, failures, plots=not args.no_plots)
    elapsed = time.monotonic() - start
    print(
        f"{len(rows)} units, {len(failures)} failed measurements, {elapsed:.0f} s -> {args.out_dir}/",
        file=sys.stderr,
    )
    return 0


def run() -> NoReturn:
    """Console-script entry point."""
    run_main(main, "smelu_hw.report")


if __name__ == "__main__":
    run()
