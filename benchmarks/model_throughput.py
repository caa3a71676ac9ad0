"""Golden-model throughput against a plain float64 NumPy SmeLU, in the same run.

Prints elements per second for forward + grad over 2**22 random codes of a 16-bit format, for
the exact integer model and for the float ``np.where`` formula, and their ratio (issue target:
exact >= 1.0x float). Run: ``python benchmarks/model_throughput.py``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np

from smelu_hw import QFormat, SmeLU
from smelu_hw.approx.functions import smelu_float


def best_rate(run: Callable[[], object], elements: int, repeats: int) -> float:
    """Elements per second of the fastest of ``repeats`` runs."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return elements / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--log2-n", type=int, default=22, help="log2 of the number of codes")
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()

    fmt = QFormat(16, 8)
    rng = np.random.default_rng(2026)
    codes = rng.integers(fmt.min_code, fmt.max_code + 1, size=1 << args.log2_n, dtype=np.int64)
    reals = fmt.to_real(codes)
    print(f"{codes.size} random codes of {fmt}, forward + grad, best of {args.repeats}")
    for beta in (2.0, 1.5):
        model = SmeLU(beta, fmt=fmt)
        exact = best_rate(lambda m=model: (m.forward(codes), m.grad(codes)), codes.size, args.repeats)
        floating = best_rate(lambda b=beta: smelu_float(reals, b), codes.size, args.repeats)
        print(
            f"beta={beta:<4} exact int model {exact / 1e6:7.1f} M elem/s | "
            f"float64 np.where {floating / 1e6:7.1f} M elem/s | ratio {exact / floating:.2f}x"
        )


if __name__ == "__main__":
    main()
