"""The pipelined valid/reset/latency contract (SPEC §6), as a stimulus and a judge.

One random stream per seed: codes (a fifth of them at the knots and extremes), ``in_valid``
gaps, and a synchronous reset mid-stream with every stage full when it comes. A driver applies
one stimulus row per clock edge and records ``y``, ``dy`` and ``out_valid`` as they settle
after that edge; :func:`judge_contract` then checks that ``out_valid`` rises exactly ``latency``
edges after each accepted input, that results in flight at the reset are dropped, and that every
result equals the golden model. The cocotb bench
(:func:`~smelu_hw.verify.benches.activation.pipeline_contract`) and the Icarus batch driver
(:mod:`smelu_hw.verify.batch`) are such drivers, so both check the same contract.
Nothing here imports cocotb or a simulator.
"""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass
from typing import Any

import numpy as np

from .compare import MAX_REPORTED, decode, mismatch_records

__all__ = ["CONTRACT_CYCLES", "UNDEFINED", "ContractStimulus", "contract_stimulus", "judge_contract"]

#: Clock edges of the random stream.
CONTRACT_CYCLES = 600
#: What a driver records for a port with an ``x`` or ``z`` bit: free while ``out_valid`` is
#: low (a pipeline may fill with undefined data), a mismatch when a result is due.
UNDEFINED = -1


@dataclass(frozen=True)
class ContractStimulus:
    """What a driver applies before clock edge ``i``: ``codes[i]``, ``valid[i]``, ``reset[i]``."""

    codes: np.ndarray
    valid: np.ndarray
    reset: np.ndarray

    def __len__(self) -> int:
        return len(self.codes)


def contract_stimulus(model: Any, latency: int, seed: int) -> ContractStimulus:
    """The random stream of ``seed`` for a unit of ``latency`` computing ``model``."""
    rng = random.Random(seed)
    fmt = model.spec.fmt
    special = [k + d for k in model.spec.knots() for d in (-1, 0, 1)] + [fmt.min_code, fmt.max_code]
    special = [code for code in special if fmt.min_code <= code <= fmt.max_code]
    codes = [
        rng.choice(special) if rng.random() < 0.2 else rng.randint(fmt.min_code, fmt.max_code)
        for _ in range(CONTRACT_CYCLES)
    ]
    resets = {CONTRACT_CYCLES // 2, CONTRACT_CYCLES // 2 + 1}
    # Inputs on every edge just before the reset, so that every stage holds a result it must drop.
    primed = set(range(CONTRACT_CYCLES // 2 - latency, CONTRACT_CYCLES // 2))
    valid = [rng.random() < 0.7 or edge in primed for edge in range(CONTRACT_CYCLES)]
    return ContractStimulus(
        codes=np.array(codes, dtype=np.int64),
        valid=np.array(valid, dtype=bool),
        reset=np.array([edge in resets for edge in range(CONTRACT_CYCLES)], dtype=bool),
    )


def judge_contract(
    stimulus: ContractStimulus, manifest: dict[str, Any], model: Any, rows: np.ndarray
) -> dict[str, Any]:
    """Judge a run of ``stimulus``: ``rows`` holds ``[y, dy, out_valid]`` raw port bits per
    edge (``dy`` 0 without a gradient port, :data:`UNDEFINED` for a value with an ``x`` bit).
    Returns the bench's summary: ``cycles``, ``checked``, ``mismatch_count``, ``mismatches``,
    ``valid_errors``, ``valid_error_count``.
    """
    if len(rows) != len(stimulus):
        raise ValueError(f"{len(rows)} rows for a stream of {len(stimulus)} edges")
    latency = int(manifest["latency"])
    pending: deque[tuple[int, int]] = deque()  # (edge the result shows after, index)
    checked: list[int] = []  # index of each result shown
    shown: list[int] = []  # edge after which it showed
    valid_errors: list[str] = []
    for edge in range(len(stimulus)):
        if stimulus.reset[edge]:  # results still in flight are dropped
            pending = deque(item for item in pending if item[0] < edge)
        elif stimulus.valid[edge]:
            pending.append((edge + latency - 1, edge))
        due = bool(pending) and pending[0][0] == edge
        if int(rows[edge, 2]) != int(due):
            shows = "x" if rows[edge, 2] == UNDEFINED else int(rows[edge, 2])
            valid_errors.append(f"edge {edge}: out_valid={shows} want {int(due)}")
        if due:
            checked.append(pending.popleft()[1])
            shown.append(edge)
    results, codes = rows[shown, :2].reshape(-1, 2), stimulus.codes[checked]
    defined = (results != UNDEFINED).all(axis=1)
    y, dy = decode(manifest, results[defined])
    records, count, failed = mismatch_records(model, codes[defined], y, dy)
    records += [[int(code), "y/dy", "x", None] for code in codes[~defined][:MAX_REPORTED]]
    count += int((~defined).sum())
    return {
        # Distinct failures: results with a wrong or undefined field, and edges with a wrong out_valid.
        "failures": int(failed.sum()) + int((~defined).sum()) + len(valid_errors),
        "cycles": len(stimulus),
        "checked": len(checked),
        "mismatch_count": count,
        "mismatches": records,
        "valid_errors": valid_errors[:MAX_REPORTED],
        "valid_error_count": len(valid_errors),
    }
