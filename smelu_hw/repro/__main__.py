"""``python -m smelu_hw.repro``: train pairs of networks per activation and precision, report PD.

Every arm runs at each width of ``--bits`` (format ``Q<bits>.<bits // 2>``, the bit-exact
golden models forward and backward) and in float64 with no quantization, on each dataset of
``--datasets``: the classifiers' digits and breast cancer, and ``recsys``, the seed's own
setting (a click-through task and a recommender tower, :mod:`smelu_hw.repro.recsys`). Writes
``repro.md`` (tables and a verdict generated from the numbers), ``repro.csv``,
``repro_pd_vs_bits.png`` (one per classifier dataset), ``repro_pd_vs_loss.png``, and for
``recsys`` ``repro_recsys.csv``, ``repro_recsys_seeds.csv`` and ``repro_recsys.png`` to the
output folder. ``--quick`` is a small study for CI. Bad arguments exit with status 2.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import NoReturn

from ..cli import Parser, UsageError, int_list, run_main
from ..datasets import DATASETS
from ..specs import POLY_MAX_BITS, io_format
from .clicks import ClickConfig
from .net import TrainConfig
from .recsys import QUICK_CLICKS, RecsysStudy, recsys_arms, run_recsys_arm
from .study import Study, arms, run_arm
from .tower import TowerConfig

__all__ = ["main", "run"]

#: Widths of the full study and of ``--quick``.
WIDTHS, QUICK_WIDTHS = (8, 10, 12, 16), (8, 16)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="python -m smelu_hw.repro", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small study for CI (well under a minute)")
    parser.add_argument(
        "--bits", type=int_list, help="activation widths, e.g. 8,10,12,16 (the default; quick 8,16)"
    )
    parser.add_argument(
        "--datasets", help=f"comma-separated, from {', '.join(ALL_DATASETS)} (default: all of them)"
    )
    parser.add_argument("--seeds", type=int, help="initialisation seeds per arm (default 16, quick 3)")
    parser.add_argument("--epochs", type=int, help="training epochs (default 30, quick 8)")
    parser.add_argument("--out-dir", type=Path, default=Path("reports"))
    parser.add_argument("--jobs", type=int, default=2, help="parallel processes")
    return parser


def _widths(requested: list[int] | None, quick: bool) -> tuple[int, ...]:
    widths = tuple(requested) if requested is not None else (QUICK_WIDTHS if quick else WIDTHS)
    if not widths:
        raise UsageError("--bits lists no width")
    for bits in widths:
        io_format(bits)  # ValueError names the bad width
        if bits > POLY_MAX_BITS:
            raise UsageError(
                f"--bits goes up to {POLY_MAX_BITS} (the polynomial baselines' widest), not {bits}"
            )
    if len(set(widths)) != len(widths):
        raise UsageError(f"--bits lists a width twice: {','.join(map(str, widths))}")
    return tuple(sorted(widths))


#: Every dataset of ``--datasets``: the classifiers' and the recommender task.
ALL_DATASETS = (*DATASETS, "recsys")


def _datasets(requested: str | None) -> tuple[str, ...]:
    names = tuple(part for part in (requested or ",".join(ALL_DATASETS)).split(",") if part)
    unknown = [name for name in names if name not in ALL_DATASETS]
    if unknown or not names or len(set(names)) != len(names):
        raise UsageError(
            f"--datasets must list each of {', '.join(ALL_DATASETS)} at most once, not {requested!r}"
        )
    return names


def _single_threaded() -> None:
    """A worker's BLAS on one thread: the pool already runs one process per core, and the
    small products of these networks only lose time to threads fighting over the cores."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - scikit-learn, in the same extra, requires it
        return
    threadpool_limits(1)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        widths, datasets = _widths(args.bits, args.quick), _datasets(args.datasets)
        seeds = args.seeds if args.seeds is not None else (3 if args.quick else 16)
        epochs = args.epochs if args.epochs is not None else (8 if args.quick else 30)
        if seeds < 2 or epochs < 1 or args.jobs < 1:
            raise UsageError("--seeds must be at least 2, --epochs and --jobs at least 1")
    except (UsageError, ValueError) as error:
        print(f"smelu_hw.repro: error: {error}", file=sys.stderr)
        return 2
    config = TrainConfig(epochs=epochs)
    chosen = tuple(arms(args.quick))
    classifiers = tuple(name for name in datasets if name != "recsys")
    jobs = [(arm, bits, dataset) for dataset in classifiers for arm in chosen for bits in (*widths, None)]
    clicks = QUICK_CLICKS if args.quick else ClickConfig()
    tower = TowerConfig()
    recsys_chosen = tuple(recsys_arms(args.quick)) if "recsys" in datasets else ()
    recsys_jobs = [(arm, bits) for arm in recsys_chosen for bits in (*widths, None)]
    start = time.monotonic()
    with ProcessPoolExecutor(max_workers=args.jobs, initializer=_single_threaded) as pool:
        seed_list = list(range(seeds))
        futures = [
            pool.submit(run_recsys_arm, arm, seed_list, bits, clicks, tower) for arm, bits in recsys_jobs
        ]
        futures += [
            pool.submit(run_arm, arm, seed_list, config, bits, dataset) for arm, bits, dataset in jobs
        ]
        results = []
        recsys_seconds = 0.0
        for done, future in enumerate(futures, start=1):
            results.append(future.result())
            if done == len(recsys_jobs):  # they were submitted first: the recommender study's time
                recsys_seconds = time.monotonic() - start
            if done % max(len(futures) // 10, 1) == 0 or done == len(futures):
                print(f"[{done}/{len(futures)}] runs done", file=sys.stderr)
    seconds = time.monotonic() - start
    from .document import write_outputs  # matplotlib only from here on

    study = Study(results[len(recsys_jobs) :], classifiers, widths, chosen)
    recsys = (
        RecsysStudy(results[: len(recsys_jobs)], widths, recsys_chosen, clicks, tower)
        if recsys_jobs
        else None
    )
    args.out_dir.mkdir(parents=True, exist_ok=True)
    write_outputs(study, args.out_dir, config, seeds, quick=args.quick, recsys=recsys, seconds=recsys_seconds)
    print(
        f"{len(chosen)} arms x {len(widths) + 1} precisions x {len(classifiers)} datasets"
        f"{f' and {len(recsys_chosen)} recsys arms' if recsys else ''} x {seeds} seeds "
        f"in {seconds:.0f} s -> {args.out_dir}/",
        file=sys.stderr,
    )
    return 0


def run() -> NoReturn:
    """Console-script entry point."""
    run_main(main, "smelu_hw.repro")


if __name__ == "__main__":
    run()
