"""Training throughput of the recommender tower (issue target: >= 200k impressions/s per core
for the fixed-point 64-32 tower, forward + backward), beside a float64 run.

Trains one model for one pass over the default click task's training impressions, on one core
(BLAS limited to one thread), and prints impressions per second for each activation setting.
Run: ``python benchmarks/recsys_throughput.py``.
"""

from __future__ import annotations

import argparse
import time

from threadpoolctl import threadpool_limits

from smelu_hw.repro.clicks import ClickConfig
from smelu_hw.repro.recsys import _task
from smelu_hw.repro.study import Arm
from smelu_hw.repro.tower import Tower, TowerConfig, train_tower

SETTINGS = [
    ("smelu b=2", Arm("smelu", "smelu", 2.0), 16),
    ("smelu b=2", Arm("smelu", "smelu", 2.0), 8),
    ("swish b=1", Arm("swish", "swish", 1.0), 16),
    ("smelu b=2", Arm("smelu", "smelu", 2.0), None),
    ("relu", Arm("relu", "relu"), None),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2, help="runs per setting; the fastest counts")
    args = parser.parse_args()
    data, _ = _task(ClickConfig())
    features, labels = data.features[data.train], data.labels[data.train]
    config = TowerConfig()
    tower = "-".join(map(str, config.hidden))
    print(f"{len(labels)} training impressions, tower {tower}, batch {config.batch}")
    with threadpool_limits(1):
        for label, arm, bits in SETTINGS:
            activation = arm.function(bits)
            best = float("inf")
            for _ in range(args.repeats):
                model = Tower(data.vocabulary, config, activation, init_seed=0)
                start = time.perf_counter()
                train_tower(model, features, labels, order_seed=1)
                best = min(best, time.perf_counter() - start)
            precision = "float64" if bits is None else f"Q{bits}.{bits // 2}"
            print(f"{label:<10} {precision:<8} {len(labels) / best:>10,.0f} impressions/s")


if __name__ == "__main__":
    main()
