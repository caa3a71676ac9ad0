"""Input vectors for the benches: exhaustive when cheap, targeted and random otherwise."""

from __future__ import annotations

import numpy as np

from smelu_hw.params import ActivationSpec

#: Inputs up to this many bits are checked exhaustively.
EXHAUSTIVE_BITS = 16


def knots(spec: ActivationSpec) -> list[int]:
    """Input codes where the function changes region."""
    if spec.activation == "smelu":
        return [-spec.beta_code, spec.beta_code]
    if spec.activation == "gsmelu":
        return [-spec.beta_left_code, spec.beta_right_code]
    return [0]


def input_codes(spec: ActivationSpec, seed: int, around: int = 64, region_max: int = 1 << 14) -> np.ndarray:
    """Every code up to 16 bits; else the region between the knots when small, each knot and
    extreme with ``around`` neighbours, and 4096 random codes."""
    fmt = spec.fmt
    if fmt.bits <= EXHAUSTIVE_BITS:
        return fmt.codes()
    points = knots(spec)
    parts = []
    if max(points) - min(points) <= region_max:
        parts.append(np.arange(min(points), max(points) + 1))
    for centre in [*points, fmt.min_code, fmt.max_code, 0]:
        parts.append(np.arange(centre - around, centre + around + 1))
    parts.append(np.random.default_rng(seed).integers(fmt.min_code, fmt.max_code + 1, size=4096))
    codes = np.unique(np.concatenate(parts))
    return codes[(codes >= fmt.min_code) & (codes <= fmt.max_code)]
