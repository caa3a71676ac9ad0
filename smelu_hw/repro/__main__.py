"""``python -m smelu_hw.repro``: train pairs of networks per activation and report PD.

Writes ``repro.md`` (table and a plain verdict), ``repro.csv`` and ``repro_pd_vs_loss.png`` to
the output folder. ``--quick`` is a small study for CI. Bad arguments exit with status 2.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import NoReturn

from ..cli import Parser, UsageError, run_main
from ..specs import io_format
from .net import TrainConfig
from .study import arms, run_arm

__all__ = ["main", "run"]


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="python -m smelu_hw.repro", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small study for CI (a couple of minutes)")
    parser.add_argument("--bits", type=int, default=16, help="activation input/output width (default 16)")
    parser.add_argument("--frac", type=int, help="fractional bits (default bits // 2)")
    parser.add_argument("--seeds", type=int, help="initialisation seeds per activation (default 8, quick 3)")
    parser.add_argument("--epochs", type=int, help="training epochs (default 30, quick 8)")
    parser.add_argument("--out-dir", type=Path, default=Path("reports"))
    parser.add_argument("--jobs", type=int, default=2, help="parallel processes")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        fmt = io_format(args.bits, args.frac)
        seeds = args.seeds if args.seeds is not None else (3 if args.quick else 8)
        epochs = args.epochs if args.epochs is not None else (8 if args.quick else 30)
        if seeds < 2 or epochs < 1 or args.jobs < 1:
            raise UsageError("--seeds must be at least 2, --epochs and --jobs at least 1")
    except (UsageError, ValueError) as error:
        print(f"smelu_hw.repro: error: {error}", file=sys.stderr)
        return 2
    config = TrainConfig(epochs=epochs)
    chosen = arms(args.quick)
    start = time.monotonic()
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        futures = [pool.submit(run_arm, arm, list(range(seeds)), config, fmt) for arm in chosen]
        results = []
        for done, future in enumerate(futures, start=1):
            results.append(future.result())
            print(f"[{done}/{len(futures)}] {chosen[done - 1].label}", file=sys.stderr)
    from .document import write_outputs  # matplotlib only from here on

    args.out_dir.mkdir(parents=True, exist_ok=True)
    write_outputs(results, args.out_dir, fmt, config, seeds, quick=args.quick)
    print(
        f"{len(results)} arms x {seeds} seeds in {time.monotonic() - start:.0f} s -> {args.out_dir}/",
        file=sys.stderr,
    )
    return 0


def run() -> NoReturn:
    """Console-script entry point."""
    run_main(main, "smelu_hw.repro")


if __name__ == "__main__":
    run()
