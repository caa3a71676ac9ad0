"""The full report's cold cost: its job count, and CPU seconds extrapolated from a sample.

Lists the jobs of ``python -m smelu_hw.report`` (the default sweep at the SG13G2 typical
corner), groups them into strata (kind, flow or device or corner, width), runs ``--per-stratum``
jobs of each (seeded) one after the other with an empty cache (``SMELU_HW_CACHE`` a new
temporary folder, so every tool run is cold; jobs of the sample share it, as the report's
jobs do), and multiplies each stratum's mean CPU seconds (this process and its tool
subprocesses) by its job count. The wall time on ``--cores`` cores is the CPU total divided by
them (the report keeps every core busy: its jobs are independent and many). It is an upper
bound: each sampled job pays its unit's Verilog conversion, which the report's jobs of one
unit share through the cache. Issue 20's target:
the full report in at most 45 minutes cold on 2 cores. Needs the report extra:
``pip install -e '.[report]'``. Run: ``python benchmarks/report_time.py [--per-stratum 2]``.
"""

import argparse
import os
import random
import resource
import sys
import tempfile
import time
from collections import defaultdict

from smelu_hw.report.sweep import LATENCIES, Job, default_units, jobs_for, run_job

TARGET_MINUTES = 45.0


def stratum(job: Job) -> tuple[str, str, int]:
    """The group a job's cost is estimated in: kind, flow (device, corner prefix), width."""
    return job.kind, job.flow, job.unit.bits


def _cpu() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-stratum", type=int, default=2, help="jobs timed per stratum")
    parser.add_argument("--cores", type=int, default=2, help="cores of the wall-time estimate")
    parser.add_argument("--seed", type=int, default=20)
    args = parser.parse_args()
    jobs = jobs_for(default_units(), LATENCIES)
    strata: dict[tuple[str, str, int], list[Job]] = defaultdict(list)
    for job in jobs:
        strata[stratum(job)].append(job)
    kinds = defaultdict(int)
    for job in jobs:
        kinds[job.kind] += 1
    print(f"{len(jobs)} jobs: " + ", ".join(f"{kind} {count}" for kind, count in sorted(kinds.items())))
    rng = random.Random(args.seed)
    os.environ["SMELU_HW_CACHE"] = tempfile.mkdtemp(prefix="smelu_hw_cold_")
    estimate: dict[str, float] = defaultdict(float)
    print(f"{'kind':<10} {'flow':<8} {'bits':>4} {'jobs':>5} {'sampled CPU s':>24}  est. CPU s")
    for key in sorted(strata, key=lambda k: (k[0], k[1], k[2])):
        members = strata[key]
        sample = rng.sample(members, min(args.per_stratum, len(members)))
        seconds = []
        for job in sample:
            before = _cpu()
            run_job(job)
            seconds.append(_cpu() - before)
        total = sum(seconds) / len(seconds) * len(members)
        estimate[key[0]] += total
        timed = " ".join(f"{s:.1f}" for s in seconds)
        print(f"{key[0]:<10} {key[1] or '-':<8} {key[2]:>4} {len(members):>5} {timed:>24}  {total:>9.0f}")
        sys.stdout.flush()
    cpu = sum(estimate.values())
    wall = cpu / args.cores / 60
    print(
        "by kind, CPU s: " + ", ".join(f"{kind} {seconds:.0f}" for kind, seconds in sorted(estimate.items()))
    )
    verdict = "met" if wall <= TARGET_MINUTES else "missed"
    print(
        f"estimated cold: {cpu:.0f} CPU s, {wall:.0f} min on {args.cores} cores "
        f"(target <= {TARGET_MINUTES:g} min: {verdict})"
    )


if __name__ == "__main__":
    main()
