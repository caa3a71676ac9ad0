"""Piecewise-polynomial approximation with a bit-exact integer evaluation, and its search.

A :class:`PolyPlan` approximates a function ``H(a)`` of an unsigned input code ``A`` (real value
``A * 2**-in_frac``) to ``frac`` fractional bits:

* inputs ``A >= 2**in_bits`` give 0 (the function has decayed below the error budget there);
* the top ``segment_bits`` of the ``in_bits``-bit ``A`` index a ROM of coefficients, and the low
  ``r = in_bits - segment_bits`` bits are the local coordinate ``t`` in ``[0, 1)``;
* Horner evaluation with truncated products: ``acc = c_d``, then
  ``acc = floor(acc * t / 2**r) + c_j`` for ``j = d-1 .. 0``.

The same integer steps are the golden model (:meth:`PolyPlan.evaluate`) and the gates
(:mod:`smelu_hw.hw.smooth`). :func:`search` picks the cheapest plan whose error is below the
budget for *every* input code, checked exhaustively.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["PolyPlan", "search"]

#: Rough transistor costs used to rank candidate plans (ROM bit, multiplier bit-pair, adder bit).
ROM_BIT, MULT_BIT, ADD_BIT = 4, 40, 36
MAX_DEGREE = 3
MAX_EXTRA_FRAC = 12


@dataclass(frozen=True)
class PolyPlan:
    """A piecewise polynomial in integer arithmetic (see the module docstring).

    Attributes
    ----------
    in_bits, segment_bits, degree, frac : int
        Domain width, ROM index width, polynomial degree, fractional bits of the result.
    coefficients : tuple of tuple of int
        ``coefficients[i][j]``: coefficient ``j`` of segment ``i``, in units of ``2**-frac``.
    """

    in_bits: int
    segment_bits: int
    degree: int
    frac: int
    coefficients: tuple[tuple[int, ...], ...]

    @property
    def local_bits(self) -> int:
        return self.in_bits - self.segment_bits

    def steps(self, a: np.ndarray) -> list[np.ndarray]:
        """Accumulator after each Horner step (``c_d`` first, the result last), for ``A < 2**in_bits``."""
        r = self.local_bits
        index = a >> r
        t = a & ((1 << r) - 1)
        table = np.array(self.coefficients, dtype=np.int64)
        acc = table[index, self.degree]
        history = [acc]
        for j in range(self.degree - 1, -1, -1):
            acc = ((acc * t) >> r) + table[index, j]
            history.append(acc)
        return history

    def evaluate(self, a: np.ndarray) -> np.ndarray:
        """The approximation in units of ``2**-frac``, for unsigned int64 codes ``a``."""
        inside = a < (1 << self.in_bits)
        result = self.steps(np.where(inside, a, 0))[-1]
        return np.where(inside, result, 0)

    def step_bounds(self) -> list[int]:
        """Largest magnitude of each Horner accumulator over the whole domain (for widths)."""
        a = np.arange(1 << self.in_bits, dtype=np.int64)
        return [int(np.abs(step).max()) for step in self.steps(a)]

    def cost(self) -> float:
        """A rough area estimate, only used to rank plans."""
        rom_bits = sum(
            (1 << self.segment_bits) * (int(max(abs(c[j]) for c in self.coefficients)).bit_length() + 1)
            for j in range(self.degree + 1)
        )
        bounds = self.step_bounds()
        mult = sum((bound.bit_length() + 1) * self.local_bits for bound in bounds[:-1])
        add = sum(bound.bit_length() + 1 for bound in bounds[1:])
        return ROM_BIT * rom_bits + MULT_BIT * mult + ADD_BIT * add


def _fit(values: np.ndarray, local_bits: int, degree: int, frac: int) -> np.ndarray:
    """Least-squares fit per segment (rows of ``values``) in ``t``, quantized to ``2**-frac``."""
    t = np.arange(1 << local_bits) / (1 << local_bits)
    vandermonde = np.vander(t, degree + 1, increasing=True)
    coefficients, *_ = np.linalg.lstsq(vandermonde, values.T, rcond=None)
    return np.rint(np.ldexp(coefficients.T, frac)).astype(np.int64)


def _try(values: np.ndarray, in_bits: int, segment_bits: int, degree: int, frac: int, budget: float):
    """Fit, quantize, centre the error of each segment, and check every code; plan or None."""
    segments = values.reshape(1 << segment_bits, -1)
    local_bits = in_bits - segment_bits
    table = _fit(segments, local_bits, degree, frac)
    plan = PolyPlan(in_bits, segment_bits, degree, frac, tuple(map(tuple, table.tolist())))
    a = np.arange(1 << in_bits, dtype=np.int64)
    error = (np.ldexp(plan.evaluate(a).astype(np.float64), -frac) - values).reshape(segments.shape)
    # Move each segment's error band to straddle zero (a minimax correction of c_0).
    shift = np.rint(np.ldexp(-(error.max(axis=1) + error.min(axis=1)) / 2, frac)).astype(np.int64)
    table[:, 0] += shift
    plan = PolyPlan(in_bits, segment_bits, degree, frac, tuple(map(tuple, table.tolist())))
    error = np.ldexp(plan.evaluate(a).astype(np.float64), -frac) - values
    return plan if np.abs(error).max() < budget else None


def search(values: np.ndarray, target_frac: int, min_frac: int = 0) -> PolyPlan:
    """The cheapest plan approximating ``values[A]`` for every code ``A``.

    Parameters
    ----------
    values : ndarray of float64
        ``H`` at every input code ``A = 0 .. len(values) - 1`` (plans work on codes, whatever
        their scale).
    target_frac : int
        The error must stay below half a unit of ``2**-target_frac``, with a float64 margin.
    min_frac : int
        Lower bound on the plan's fractional bits (e.g. to align with the input grid).

    Returns
    -------
    PolyPlan

    Raises
    ------
    ValueError
        If no plan within the search space meets the budget.
    """
    budget = 0.5 * 2.0**-target_frac - 4 * np.finfo(np.float64).eps * max(1.0, float(np.abs(values).max()))
    # Smallest power-of-two domain beyond which |H| already fits the budget.
    tail = np.maximum.accumulate(np.abs(values)[::-1])[::-1]  # tail[A] = max |H| over codes >= A
    in_bits = next(
        (
            bits
            for bits in range(len(values).bit_length() + 1)
            if (1 << bits) >= len(values) or tail[1 << bits] < budget
        ),
        len(values).bit_length(),
    )
    padded = np.zeros(1 << in_bits)
    covered = min(len(values), 1 << in_bits)
    padded[:covered] = values[:covered]
    best: PolyPlan | None = None
    for degree in range(MAX_DEGREE + 1):
        for segment_bits in range(in_bits - (degree > 0), -1, -1):
            for frac in range(max(target_frac + 1, min_frac), target_frac + MAX_EXTRA_FRAC + 1):
                plan = _try(padded, in_bits, segment_bits, degree, frac, budget)
                if plan is not None:
                    if best is None or plan.cost() < best.cost():
                        best = plan
                    break
            else:
                break  # fewer segments cannot work either at this degree
    if best is None:
        raise ValueError("no piecewise polynomial meets the error budget")
    return best
