"""The shared emitter of the C models: integer terms with proven ranges, and C99 text.

A :class:`Body` builds one C function the way a golden model computes: every operation makes
a :class:`Term` carrying its C expression and the exact interval ``[lo, hi]`` of its value over
every valid input code (interval arithmetic, which is sound for ``+``, ``*``, clamps and the
monotone roundings used here). The largest magnitude any term, or any step inside a rounding
helper, can take is the function's *peak*; it picks the C type: ``int64_t`` when the peak is at
most ``2**63 - 1``, else ``__int128``. Signed overflow is therefore impossible by
construction, and the width decision is a proof from the spec's constants, not a trial.

Rendered text avoids the implementation-defined and undefined corners of C99: no shift of a
negative value (scaling multiplies by a power of two; floor division corrects the truncating
``/``), and a function's type is substituted only when the whole body is known.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..fixed import QFormat, round_int

__all__ = ["INT64_MAX", "INT128_MAX", "Term", "Body", "BodyBuilder", "literal", "helper_text", "table_text"]

INT64_MAX = (1 << 63) - 1
INT128_MAX = (1 << 127) - 1

#: Placeholders in rendered text: the function's integer type and its helpers' suffix.
TYPE, SUFFIX = "@T@", "@S@"
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def literal(value: int) -> str:
    """A C constant of exactly ``value``, parenthesized when negative.

    Beyond 64 bits the constant is assembled in the function's (128-bit) type from two halves.
    """
    if -(1 << 31) < value < (1 << 31):
        return str(value) if value >= 0 else f"({value})"
    if abs(value) <= INT64_MAX:
        return f"INT64_C({value})" if value >= 0 else f"(-INT64_C({-value}))"
    high, low = value >> 64, value & ((1 << 64) - 1)
    return f"(({TYPE})INT64_C({high}) * (({TYPE})1 << 64) + ({TYPE})UINT64_C({low}))"


@dataclass(frozen=True)
class Term:
    """A C expression and the proven interval of its value."""

    text: str
    lo: int
    hi: int

    @property
    def magnitude(self) -> int:
        return max(abs(self.lo), abs(self.hi))


Operand = Term | int


@dataclass
class Body:
    """The statements of one C function over ``int64_t x`` and the peak magnitude they reach.

    Parameters
    ----------
    prefix : str
        The header's name, prefixed to every helper it calls.
    fmt : QFormat
        The input format. The body starts from ``xc``, the input clamped to it.
    """

    prefix: str
    fmt: QFormat
    lines: list[tuple[str, str]] = field(default_factory=list)
    peak: int = 0
    helpers: set[str] = field(default_factory=set)
    #: Tables and functions the body calls (text blocks), and the 64-bit helpers they use.
    preamble: list[str] = field(default_factory=list)
    needs_i64: set[str] = field(default_factory=set)
    _names: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        low, high = literal(self.fmt.min_code), literal(self.fmt.max_code)
        clamped = f"(x < {low} ? {low} : (x > {high} ? {high} : x))"
        self.x = self._let("xc", Term(f"({TYPE}){clamped}", self.fmt.min_code, self.fmt.max_code))

    # -- terms ------------------------------------------------------------------------------
    def term(self, text: str, lo: int, hi: int) -> Term:
        """A term with a range proven by the caller; every term passes through here."""
        if lo > hi:
            raise AssertionError(f"empty interval for {text}")
        self.peak = max(self.peak, abs(lo), abs(hi))
        return Term(text, lo, hi)

    def _operand(self, value: Operand) -> Term:
        return value if isinstance(value, Term) else self.term(literal(value), value, value)

    def _let(self, name: str, term: Term) -> Term:
        self._names.add(name)
        self.lines.append((name, term.text))
        return Term(name, term.lo, term.hi)

    def let(self, value: Operand, name: str | None = None) -> Term:
        """Bind a term to a ``const`` local (unused locals are dropped when rendering)."""
        term = self._operand(value)
        if name is None:
            name = f"t{len(self._names)}"
        if name in self._names:
            raise AssertionError(f"local {name} bound twice")
        return self._let(name, term)

    def _named(self, value: Operand) -> Term:
        term = self._operand(value)
        return term if _IDENTIFIER.match(term.text) or term.lo == term.hi else self.let(term)

    def _folded(self, p: Term, q: Term, value: Callable[[int, int], int]) -> Term | None:
        """The constant ``value(p, q)`` when both operands are constants (C would compute it
        in ``int``, which can overflow), else ``None``."""
        if p.lo == p.hi and q.lo == q.hi:
            return self._operand(value(p.lo, q.lo))
        return None

    def add(self, p: Operand, q: Operand) -> Term:
        p, q = self._operand(p), self._operand(q)
        if folded := self._folded(p, q, operator.add):
            return folded
        if q.lo == q.hi == 0:
            return p
        if q.lo == q.hi < 0:
            return self.term(f"({p.text} - {literal(-q.lo)})", p.lo + q.lo, p.hi + q.hi)
        return self.term(f"({p.text} + {q.text})", p.lo + q.lo, p.hi + q.hi)

    def sub(self, p: Operand, q: Operand) -> Term:
        p, q = self._operand(p), self._operand(q)
        if folded := self._folded(p, q, operator.sub):
            return folded
        return self.term(f"({p.text} - {q.text})", p.lo - q.hi, p.hi - q.lo)

    def neg(self, p: Operand) -> Term:
        p = self._operand(p)
        if p.lo == p.hi:
            return self._operand(-p.lo)
        return self.term(f"(-{p.text})", -p.hi, -p.lo)

    def mul(self, p: Operand, q: Operand) -> Term:
        p, q = self._operand(p), self._operand(q)
        if folded := self._folded(p, q, operator.mul):
            return folded
        if (p.lo == p.hi == 0) or (q.lo == q.hi == 0):
            return self._operand(0)
        if q.lo == q.hi == 1:
            return p
        ends = [p.lo * q.lo, p.lo * q.hi, p.hi * q.lo, p.hi * q.hi]
        return self.term(f"({p.text} * {q.text})", min(ends), max(ends))

    def scale(self, p: Operand, shift: int) -> Term:
        """``p * 2**shift`` for ``shift >= 0`` (a multiplication: shifting a negative is UB)."""
        if shift < 0:
            raise AssertionError("scale takes a non-negative shift")
        return self.mul(p, 1 << shift)

    def clip(self, p: Operand, low: int | None, high: int | None) -> Term:
        """``min(max(p, low), high)``; ``None`` leaves that side open."""
        p = self._named(p)
        if p.lo == p.hi:
            value = p.lo if high is None else min(p.lo, high)
            return self._operand(value if low is None else max(value, low))
        text, lo, hi = p.text, p.lo, p.hi
        if high is not None:
            text, lo, hi = (
                f"({text} > {literal(high)} ? {literal(high)} : {text})",
                min(lo, high),
                min(hi, high),
            )
        if low is not None:
            inner = text
            text = f"({p.text} < {literal(low)} ? {literal(low)} : {inner})"
            lo, hi = max(lo, low), max(hi, low)
        return self.term(text, lo, hi)

    def select(self, condition: str, p: Operand, q: Operand) -> Term:
        """``condition ? p : q``: the union of both ranges (both are evaluated in the model).

        Between two constants the result is cast to the function's type, so that every
        non-constant term has that type and arithmetic on it never happens in ``int``.
        """
        p, q = self._operand(p), self._operand(q)
        text = f"({condition} ? {p.text} : {q.text})"
        if p.lo == p.hi and q.lo == q.hi:
            text = f"(({TYPE}){text})"
        return self.term(text, min(p.lo, q.lo), max(p.hi, q.hi))

    def call(self, text: str, lo: int, hi: int) -> Term:
        """A value computed elsewhere (a table entry, a plan's function), proven in ``[lo, hi]``."""
        return self.term(f"(({TYPE}){text})", lo, hi)

    def floor_div(self, p: Operand, den: int) -> Term:
        """``floor(p / den)``, ``den > 0``: the model's ``>>`` or ``//``."""
        return self.round_div(p, den, "floor")

    def round_div(self, p: Operand, den: int, rounding: str) -> Term:
        """``p / den`` rounded once with ``rounding``, exactly like :func:`~smelu_hw.fixed.round_div`."""
        p = self._operand(p)
        if den <= 0:
            raise AssertionError("den must be positive")
        if den == 1:
            return p
        if p.lo == p.hi:
            return self._operand(round_int(p.lo, den, rounding))
        kind = "fdiv" if rounding == "floor" else rounding
        self.helpers.add(kind)
        self.term(literal(den), den, den)
        # Inside the helper: num + den // 2, num / den and num % den stay within |num| + den.
        self.peak = max(self.peak, p.magnitude + den)
        lo, hi = round_int(p.lo, den, rounding), round_int(p.hi, den, rounding)
        return self.term(f"{self.prefix}_{kind}{SUFFIX}({p.text}, {literal(den)})", lo, hi)

    def saturate(self, p: Operand, fmt: QFormat) -> Term:
        """Clamp the exact result to ``fmt`` (the models' ``saturate``)."""
        p = self._operand(p)
        if not (_IDENTIFIER.match(p.text) or p.lo == p.hi):
            p = self.let(p, "q")
        return self.clip(p, fmt.min_code, fmt.max_code)

    # -- rendering --------------------------------------------------------------------------
    @property
    def wide(self) -> bool:
        """Whether the body needs 128-bit arithmetic.

        Raises
        ------
        ValueError
            If even 128 bits could overflow (no supported configuration comes close).
        """
        if self.peak > INT128_MAX:
            raise ValueError(f"intermediate values reach {self.peak.bit_length()} bits; 127 is the limit")
        return self.peak > INT64_MAX

    def render(self, signature: str, result: Term, comment: str) -> str:
        """The function text, in the narrowest type the peak allows, without unused locals."""
        ctype, suffix = (f"{self.prefix}_i128", "_i128") if self.wide else ("int64_t", "_i64")
        returned = f"(int64_t){result.text}" if self.wide else result.text
        kept: list[tuple[str, str]] = []
        used = returned
        for name, text in reversed(self.lines):
            if re.search(rf"\b{name}\b", used):
                kept.append((name, text))
                used += " " + text
        statements = [f"    const {ctype} {name} = {text};" for name, text in reversed(kept)]
        if not re.search(r"\bxc?\b", used):  # a constant function
            statements.insert(0, "    (void)x;")
        lines = [f"/* {comment} */", f"static inline {signature}", "{", *statements]
        lines += [f"    return {returned};", "}"]
        return "\n".join(lines).replace(TYPE, ctype).replace(SUFFIX, suffix) + "\n"


#: Builds the body of one function (forward or gradient) of a spec; returns the unsaturated code.
BodyBuilder = Callable[[Any, Body], Term]

_HELPER_DOC = {
    "fdiv": "floor(n / d) for d > 0 (C's / truncates toward zero)",
    "rne": "n / d rounded to nearest, ties to even, for d > 0",
    "rna": "n / d rounded to nearest, ties away from zero, for d > 0",
}


def helper_text(prefix: str, kind: str, ctype: str, suffix: str) -> str:
    """The rounding helper ``kind`` (``fdiv``, ``rne`` or ``rna``) over ``ctype``.

    ``rne``/``rna`` follow :func:`~smelu_hw.fixed.round_div`: ``m = n + d / 2`` rounded down,
    and a tie (zero remainder with ``d`` even) that went to an odd quotient or, for a negative
    ``n``, away from zero steps back by one.
    """
    head = [
        f"/* {_HELPER_DOC[kind]} */",
        f"static inline {ctype} {prefix}_{kind}{suffix}({ctype} n, {ctype} d)",
    ]
    if kind == "fdiv":
        body = ["    return n / d - (n % d < 0);"]
    else:
        tie = "q % 2 != 0" if kind == "rne" else "n < 0"
        body = [
            f"    const {ctype} m = n + d / 2;",
            f"    const {ctype} r = m % d;",
            f"    const {ctype} q = m / d - (r < 0);",
            f"    return q - (d % 2 == 0 && r == 0 && {tie});",
        ]
    return "\n".join([*head, "{", *body, "}"]) + "\n"


def table_text(ctype: str, name: str, values: Sequence[int], width: int | None = None) -> str:
    """A ``static const`` array of ``values``: flat, or rows of ``width`` (a 2-D array)."""
    text = [literal(value) for value in values]
    if width is None:
        shape, per_line = f"[{len(text)}]", 12
        lines = [", ".join(text[i : i + per_line]) + "," for i in range(0, len(text), per_line)]
    else:
        shape = f"[{len(text) // width}][{width}]"
        lines = ["{" + ", ".join(text[i : i + width]) + "}," for i in range(0, len(text), width)]
    return (
        "\n".join([f"static const {ctype} {name}{shape} = {{", *(f"    {line}" for line in lines), "};"])
        + "\n"
    )
