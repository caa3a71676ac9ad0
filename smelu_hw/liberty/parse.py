"""The Liberty syntax: a file's tree of groups and attributes, and its boolean functions.

:func:`parse` reads groups ``name (args) { ... }``, simple attributes ``name : value ;`` and
complex ones ``name (args) ;`` (comments and line continuations removed) into :class:`Group`
trees; :func:`truth` evaluates a ``function`` expression (``! ' ^ & * | +``, juxtaposition as
AND, constants ``0``/``1``) into a truth table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["Group", "parse", "truth"]


@dataclass
class Group:
    """A Liberty group: its kind (``cell``, ``pin``, ...), arguments, simple attributes,
    complex attributes (the last of each name) and child groups."""

    kind: str
    args: list[str]
    attrs: dict[str, str] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)
    groups: list[Group] = field(default_factory=list)

    def children(self, kind: str) -> list[Group]:
        return [group for group in self.groups if group.kind == kind]


_TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)"|([^\s(){}:;,"]+)|([(){}:;,])|(\S)')
#: Token kinds: the match groups of :data:`_TOKEN`.
_VALUE, _NAME, _PUNCTUATION = (1, 2), (2,), (3,)
_COMMENT = re.compile(r"/\*.*?\*/|\\\n", re.S)


def parse(text: str) -> Group:
    """The tree of a Liberty text; ``ValueError("line N: ...")`` where it is malformed."""
    text = _COMMENT.sub(lambda match: "\n" * match.group().count("\n"), text)
    tokens = [(m.lastindex, m.group(m.lastindex), m.start()) for m in _TOKEN.finditer(text)]
    position = 0

    def fail(what: str, at: int) -> ValueError:
        offset = tokens[at][2] if at < len(tokens) else len(text)
        return ValueError(f"line {text.count(chr(10), 0, offset) + 1}: {what}")

    def take(kinds: tuple[int, ...], value: str | None = None) -> str:
        nonlocal position
        if position >= len(tokens):
            raise fail("unexpected end of file", position)
        got_kind, got, _ = tokens[position]
        if got_kind not in kinds or (value is not None and got != value):
            raise fail(
                f"expected {value or ('a name' if kinds == _NAME else 'a value')}, found {got!r}", position
            )
        position += 1
        return got

    def peek() -> str | None:
        return tokens[position][1] if position < len(tokens) and tokens[position][0] == 3 else None

    def statement(parent: Group) -> None:
        nonlocal position
        name = take(_NAME)
        if peek() == ":":
            position += 1
            parent.attrs[name] = take(_VALUE)
            if peek() == ";":
                position += 1
            return
        take(_PUNCTUATION, "(")
        args = []
        while peek() != ")":
            if peek() == ",":
                position += 1
                continue
            args.append(take(_VALUE))
        position += 1
        if peek() == "{":
            position += 1
            group = Group(name, args)
            while peek() != "}":
                statement(group)
            position += 1
            parent.groups.append(group)
        else:
            parent.lists[name] = args
            if peek() == ";":
                position += 1

    root = Group("", [])
    while position < len(tokens):
        statement(root)
    libraries = root.children("library")
    if len(libraries) != 1 or root.attrs or root.lists or len(root.groups) != 1:
        raise ValueError("a Liberty file holds one library (NAME) { ... } group")
    return libraries[0]


def truth(expression: str, names: list[str]) -> int:
    """The truth table of ``expression`` over the pins ``names`` (row ``r`` sets pin ``k`` to
    bit ``k`` of ``r``), an integer of ``2 ** len(names)`` bits; ``ValueError`` if unreadable."""
    rows = 1 << len(names)
    mask = (1 << rows) - 1
    columns = {name: sum(1 << r for r in range(rows) if r >> k & 1) for k, name in enumerate(names)}
    tokens = re.findall(r"[A-Za-z_][\w\[\].]*|[01]|[!'&*|+^()]", expression)
    position = 0

    def peek() -> str | None:
        return tokens[position] if position < len(tokens) else None

    def primary() -> int:
        nonlocal position
        token = peek()
        position += 1
        if token == "!":
            value = ~primary() & mask
        elif token == "(":
            value = either()
            if peek() != ")":
                raise ValueError(f"unbalanced parentheses in {expression!r}")
            position += 1
        elif token in ("0", "1"):
            value = mask if token == "1" else 0
        elif token in columns:
            value = columns[token]
        else:
            raise ValueError(f"{token!r} is not an input pin in {expression!r}")
        while peek() == "'":
            position += 1
            value = ~value & mask
        return value

    def exclusive() -> int:
        nonlocal position
        value = primary()
        while peek() == "^":
            position += 1
            value ^= primary()
        return value

    def both() -> int:
        nonlocal position
        value = exclusive()
        while peek() not in (None, ")", "|", "+"):
            position += peek() in ("&", "*")
            value &= exclusive()
        return value

    def either() -> int:
        nonlocal position
        value = both()
        while peek() in ("|", "+"):
            position += 1
            value |= both()
        return value

    value = either()
    if position != len(tokens):
        raise ValueError(f"cannot read {expression!r}")
    return value
