"""Random valid configurations for the fuzz test: format, beta, rounding, accuracy, latency, lanes.

``SMELU_FUZZ_SEED`` picks the draw (default 2026) and ``SMELU_FUZZ_COUNT`` how many
configurations (default 8, what CI runs); ``SMELU_FUZZ_GSMELU_BITS`` bounds the width of a
generalized SmeLU (default 12), ``SMELU_FUZZ_ENGINE_BITS`` that of an engine (default 12) and
``SMELU_FUZZ_SLOPE_BITS`` the fractional bits of a generalized SmeLU's slopes (default 8).
Run more with, for example,
``SMELU_FUZZ_COUNT=200 python -m pytest tests/sim/test_fuzz.py -n auto``.
"""

from __future__ import annotations

import math
import os
import random
from dataclasses import dataclass

from smelu_hw import QFormat
from smelu_hw.specs import ActivationSpec, GSmeLUSpec, SmeLUSpec

__all__ = ["FuzzCase", "fuzz_cases"]

#: Widest generalized SmeLU of the draw (``SMELU_FUZZ_GSMELU_BITS``; up to 32). One with arbitrary
#: parameters is up to megabytes of RTL and minutes of simulation per case, so CI draws them up to
#: 12 bits; the deterministic matrix (tests/sim/test_rtl_units.py) has 16 and 32 bits.
GSMELU_MAX_BITS = int(os.environ.get("SMELU_FUZZ_GSMELU_BITS", "12"))
#: Widest input of a drawn engine (``SMELU_FUZZ_ENGINE_BITS``): an engine's modes are swept over
#: every code through the stream bench, a beat at a time (tests/sim/test_engine.py has 16 bits).
ENGINE_MAX_BITS = int(os.environ.get("SMELU_FUZZ_ENGINE_BITS", "12"))
#: Fractional bits of a drawn generalized SmeLU slope (``SMELU_FUZZ_SLOPE_BITS``; up to 31).
SLOPE_BITS = int(os.environ.get("SMELU_FUZZ_SLOPE_BITS", "8"))
#: Share of drawn configurations built faithful (``accuracy="faithful"``); half of the faithful
#: SmeLUs get a power-of-two beta code, where the truncated squarer is planned. These draws come
#: from a side stream, so every other parameter of a case is what it was without them. So does
#: the rest of a drawn latency of 3 (3, 4 or 5, which reaches every internal cut of SmeLU); that
#: draw moved the side stream, so the faithful draws of a seed changed with it.
FAITHFUL_SHARE = 0.3


@dataclass(frozen=True)
class FuzzCase:
    spec: ActivationSpec
    latency: int
    lanes: int | None

    @property
    def label(self) -> str:
        spec = self.spec
        codes = "_".join(f"{value}" for key, value in spec.params().items() if key.endswith("_code"))
        lanes = f"_engine{self.lanes}" if self.lanes else ""
        formats = f"{spec.fmt}_{spec.out_fmt}_g{spec.grad_frac}"
        rounding = "faithful" if spec.params().get("accuracy") == "faithful" else spec.rounding
        return f"{spec.activation}_{formats}_{codes}_{rounding}_l{self.latency}{lanes}"


def _case(rng: random.Random, side: random.Random) -> FuzzCase:
    generalized = rng.random() >= 0.7
    widest = GSMELU_MAX_BITS if generalized else 32
    narrow = min(16, widest)
    bits = rng.choice([rng.randint(4, narrow), rng.randint(4, narrow), rng.randint(min(17, widest), widest)])
    fmt = QFormat(bits, rng.randint(0, bits - 1))
    out_bits = rng.randint(4, 32)
    out_fmt = rng.choice([None, QFormat(out_bits, rng.randint(0, out_bits - 1))])
    grad_frac = rng.choice([None, rng.randint(0, 31)])
    rounding = rng.choice(["rne", "rna", "floor"])

    def code_value(low: int) -> float:
        # Log-uniform over the codes, so small, medium and huge bands are all drawn: a uniform
        # draw over 2**31 codes would almost always give a band too wide to simulate.
        code = round(2 ** rng.uniform(math.log2(low), math.log2(fmt.max_code)))
        return math.ldexp(min(max(code, low), fmt.max_code), -fmt.frac)

    faithful = side.random() < FAITHFUL_SHARE and rounding != "rna"
    accuracy = "faithful" if faithful else "correct"
    if not generalized:
        beta = code_value(1)
        if faithful and side.random() < 0.5:  # a power-of-two beta code: a planned squarer
            beta = math.ldexp(1 << min(round(math.log2(beta * 2**fmt.frac)), fmt.bits - 2), -fmt.frac)
        spec = SmeLUSpec(
            beta=beta, fmt=fmt, out_fmt=out_fmt, grad_frac=grad_frac, rounding=rounding, accuracy=accuracy
        )
    else:
        # Slopes in [0, 1] with at most SLOPE_BITS fractional bits (leaky slopes such as 1/16):
        # arbitrary 20-bit slopes on a 32-bit input make megabytes of RTL per case.
        step = max(fmt.frac - SLOPE_BITS, 0)
        slopes = [math.ldexp(rng.randint(0, 1 << (fmt.frac - step)) << step, -fmt.frac) for _ in range(2)]
        spec = GSmeLUSpec(
            beta_left=code_value(1),
            beta_right=code_value(1),
            slope_left=slopes[0],
            slope_right=slopes[1],
            fmt=fmt,
            out_fmt=out_fmt,
            grad_frac=grad_frac,
            rounding=rounding,
            accuracy=accuracy,
        )
    lanes = rng.choice([None, None, rng.randint(1, 4)]) if bits <= ENGINE_MAX_BITS else None
    latency = rng.randint(0, 3)
    if latency == 3:
        latency += side.randint(0, 2)
    return FuzzCase(spec, latency, lanes)


def fuzz_cases() -> list[FuzzCase]:
    seed = int(os.environ.get("SMELU_FUZZ_SEED", "2026"))
    rng, side = random.Random(seed), random.Random(seed + 1)
    return [_case(rng, side) for _ in range(int(os.environ.get("SMELU_FUZZ_COUNT", "8")))]
