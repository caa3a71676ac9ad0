"""Raw port values to codes, and the comparison with the golden model.

Simulators hand back port bits as unsigned integers; :func:`decode` turns them into codes of
the manifest's formats (two's complement where the format is signed), and
:func:`mismatch_records` compares codes with the golden model in one vectorised pass.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..models import Activation

__all__ = ["MAX_REPORTED", "decode", "first_codes", "mismatch_records", "sign_extend"]

#: Mismatches a certificate lists (the count is always complete).
MAX_REPORTED = 10


def sign_extend(raw: np.ndarray, bits: int, signed: bool) -> np.ndarray:
    """The low ``bits`` of ``raw`` as codes: two's complement if ``signed``."""
    codes = np.asarray(raw, dtype=np.int64) & ((1 << bits) - 1)
    return np.where(codes >= 1 << (bits - 1), codes - (1 << bits), codes) if signed else codes


def first_codes(records: list[list[object]], codes: int = MAX_REPORTED) -> list[list[object]]:
    """The records of the first ``codes`` distinct inputs (by input code; contract records
    without one last), each input with all of its failing fields, so none repeats a code
    at the expense of another failing one."""
    ordered = sorted(records, key=lambda record: (record[0] is None, record[0] or 0))
    kept, seen = [], []
    for record in ordered:
        key = record[0] if record[0] is not None else ("contract", len(seen))
        if key not in seen:
            if len(seen) == codes:
                break
            seen.append(key)
        kept.append(record)
    return kept


def decode(manifest: Mapping[str, object], raw: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """Columns ``[y, dy, ...]`` of raw port values as output and gradient codes."""
    out, grad = manifest["output"], manifest["grad"]
    y = sign_extend(raw[:, 0], out["bits"], True)
    dy = None if grad is None else sign_extend(raw[:, 1], grad["bits"], grad["signed"])
    return y, dy


def mismatch_records(
    model: Activation, x: np.ndarray, y: np.ndarray, dy: np.ndarray | None
) -> tuple[list[list[object]], int, np.ndarray]:
    """Compare ``y`` (and ``dy``) at inputs ``x`` with the golden model.

    Returns
    -------
    records : list
        The mismatches ``[x, field, got, want]`` of the first :data:`MAX_REPORTED` failing
        inputs (every field of each), in input order.
    count : int
        Every mismatching ``(x, field)`` pair.
    failed : ndarray of bool
        Per input, whether any of its fields differs (the distinct failing inputs).
    """
    x = np.asarray(x, dtype=np.int64)
    fields = [("y", y, model.forward(x))]
    if dy is not None:
        fields.append(("dy", dy, model.grad(x)))
    found: list[tuple[int, int, list[object]]] = []
    count = 0
    failed = np.zeros(len(x), dtype=bool)
    for order, (name, got, want) in enumerate(fields):
        differs = np.asarray(got) != np.asarray(want)
        failed |= differs
        bad = np.flatnonzero(differs)
        count += int(bad.size)
        found += [(int(i), order, [int(x[i]), name, int(got[i]), int(want[i])]) for i in bad[:MAX_REPORTED]]
    found.sort(key=lambda item: item[:2])
    # Each field's first ten failing inputs hold every field of the first ten distinct ones.
    return first_codes([record for *_, record in found]), count, failed
