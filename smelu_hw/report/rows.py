"""Reading the report's result rows (one dict per unit, as ``results.json`` stores them)."""

from __future__ import annotations

__all__ = ["Row", "number", "unit_label"]

#: One unit's measurements: column name -> value ("" or None where nothing was measured).
Row = dict[str, object]


def number(row: Row, column: str) -> float | None:
    """The value of ``column`` as a float, or ``None`` where it was not measured."""
    value = row.get(column, "")
    return None if value in ("", None) else float(value)


def unit_label(row: Row) -> str:
    """The unit's name without its width (``"smelu b=2 16b"`` -> ``"smelu b=2"``)."""
    return str(row["unit"]).rsplit(" ", 1)[0]
