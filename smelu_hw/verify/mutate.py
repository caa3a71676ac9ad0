"""Mutants of a generated unit's Verilog: small deliberate faults a verifier must find.

:func:`mutants` reads the text Amaranth emits (``assign a = b OP c;``, ``always @*`` blocks
of blocking assignments, ``always @(posedge clk) r <= d;`` registers) and returns every
mutant of these kinds, in file order, each differing from the original text:

* ``operator``: one binary operator flipped (``+``/``-``, ``&``/``|``, ``^`` to ``~^``,
  ``<``/``>=``, ``>``/``<=``, ``==``/``!=``, ``<<``/``>>``, ``&&``/``||``, ``*`` to ``+``),
  or a unary ``~``/``!`` dropped;
* ``constant``: one sized literal (``8'h1f``, ``2'h1:`` of a case) plus or minus one,
  modulo its width;
* ``register dropped``: a ``<=`` register made a wire of its input (``always @*``), or the
  ``if (rst) ...`` (or ``axis_rst``) reset of a block removed;
* ``register added``: one output of a clocked unit delayed by one more cycle;
* ``bits swapped``: two adjacent bits of one output exchanged (lowest, middle and top pair).

The last two wrap the unit: the original module is renamed ``NAME_core`` and a new module
``NAME``, with the same ports, instantiates it and alters one output, so the mutant keeps the
manifest's module and ports (:func:`~smelu_hw.verify.design.load_design` accepts it; its
certificate says ``verilog_as_generated: false``). :func:`sample` picks a deterministic
subset, round-robin over the kinds.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

__all__ = ["KINDS", "Mutant", "mutants", "sample"]

#: The kinds of mutant, in the order :func:`sample` visits them.
KINDS = ("operator", "constant", "register dropped", "register added", "bits swapped")

#: What each binary operator becomes.
_FLIPS = {
    "+": "-", "-": "+", "&": "|", "|": "&", "^": "~^", "~^": "^", "<": ">=", ">=": "<",
    ">": "<=", "<=": ">", "==": "!=", "!=": "==", "<<": ">>", ">>": "<<", "<<<": ">>>",
    ">>>": "<<<", "&&": "||", "||": "&&", "*": "+",
}  # fmt: skip
_TOKEN = re.compile(
    r"(?P<escaped>\\\S+\s)|(?P<sized>\d+'s?[hdbo][0-9a-fA-F_]+)|(?P<name>\$?[A-Za-z_][\w$]*)"
    r"|(?P<number>\d+)|(?P<op><<<|>>>|==|!=|<=|>=|<<|>>|&&|\|\||~\^|[-+*&|^<>~!?:])|(?P<other>\S)"
)
_SIZED = re.compile(r"(\d+)'(s?)([hdbo])([0-9a-fA-F_]+)")
_BASES = {"h": 16, "d": 10, "b": 2, "o": 8}
_STATEMENT = re.compile(r"^(\s*(?:assign\s+)?)(\S.*?)\s(<?=)\s(.*);\s*$")
_CASE_LABEL = re.compile(r"^\s*\d+'[hdbo][0-9a-fA-F_]+\s*:\s*$")
_REGISTER = re.compile(r"always @\(posedge (\w+)\)\n(\s+)(.+?) <= ([^;]+);")
_RESET = re.compile(r"\n(\s*)if \((rst|axis_rst)\) begin\n(?:.*\n)*?\1end")
_PORT = re.compile(r"^\s*(input|output)\s+(?:\[(\d+):0\]\s*)?(\w+)\s*;", re.M)


@dataclass(frozen=True)
class Mutant:
    """One mutant of a Verilog file.

    Attributes
    ----------
    kind : str
        One of :data:`KINDS`.
    line : int
        The 1-based line of the original text that the mutation changes (for a wrapper, the
        line of the module it wraps).
    description : str
        What changed, in one line (``"line 71: + -> -"``).
    verilog : str
        The whole mutated text.
    """

    kind: str
    line: int
    description: str
    verilog: str


def _sized(value: str, delta: int) -> str | None:
    """``value`` (a sized literal) plus ``delta`` modulo its width, in its own base, or ``None``."""
    width, signed, base, digits = _SIZED.fullmatch(value).groups()
    number = int(digits.replace("_", ""), _BASES[base])
    number = (number + delta) % (1 << int(width))
    text = format(number, {"h": "x", "d": "d", "b": "b", "o": "o"}[base]).rjust(len(digits), "0")
    return f"{width}'{signed}{base}{text}"


def _unary(previous: str | None) -> bool:
    """Whether an operator after the token ``previous`` is unary (an expression's start)."""
    return previous is None or previous in "([{,?:=" or previous in _FLIPS or previous in ("~", "!")


def _span_edits(text: str, start: int, end: int) -> list[tuple[int, int, str, str]]:
    """Every (start, end, replacement, kind) edit of the expression ``text[start:end]``."""
    edits, previous, depth = [], None, 0
    for token in _TOKEN.finditer(text, start, end):
        kind, value = token.lastgroup, token[0]
        if value == "[":
            depth += 1
        elif value == "]":
            depth -= 1
        elif kind == "sized" and depth == 0:
            for delta in (1, -1):
                edits.append((token.start(), token.end(), _sized(value, delta), "constant"))
        elif kind == "op" and depth == 0:
            if value in ("~", "!") and _unary(previous):
                edits.append((token.start(), token.end(), "", "operator"))
            elif value in _FLIPS and not _unary(previous):
                edits.append((token.start(), token.end(), _FLIPS[value], "operator"))
        previous = value.strip() if kind == "escaped" else value
    return edits


def _line_spans(text: str) -> list[tuple[int, int]]:
    """The expression spans of the statements and case labels of ``text``."""
    spans, offset = [], 0
    for line in text.splitlines(keepends=True):
        statement = _STATEMENT.match(line)
        stripped = line.strip()
        if statement and not stripped.startswith(("wire", "reg", "input", "output", "(*", "//")):
            spans.append((offset + statement.start(4), offset + statement.end(4)))
        elif _CASE_LABEL.match(line):
            spans.append((offset, offset + len(line)))
        elif stripped.startswith("if (") and "dump_module" not in line:
            spans.append((offset + line.index("(") + 1, offset + line.rindex(")")))
        offset += len(line)
    return spans


def _line_of(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def _edit_mutants(text: str) -> list[Mutant]:
    found = []
    for start, end in _line_spans(text):
        for low, high, replacement, kind in _span_edits(text, start, end):
            line = _line_of(text, low)
            before = text[low:high].strip()
            what = f"{before} -> {replacement.strip() or '(dropped)'}"
            mutated = text[:low] + replacement + text[high:]
            found.append(Mutant(kind, line, f"line {line}: {what}", mutated))
    return found


def _register_mutants(text: str) -> list[Mutant]:
    found = []
    for match in _REGISTER.finditer(text):
        indent, target, source = match[2], match[3], match[4]
        bypass = f"always @*\n{indent}{target} = {source};"
        line = _line_of(text, match.start())
        what = f"line {line}: register {target.strip()} bypassed (always @*)"
        found.append(
            Mutant("register dropped", line, what, text[: match.start()] + bypass + text[match.end() :])
        )
    for match in _RESET.finditer(text):
        line = _line_of(text, match.start() + 1)
        what = f"line {line}: reset on {match[2]} removed"
        found.append(Mutant("register dropped", line, what, text[: match.start()] + text[match.end() :]))
    return found


def _wrapper(text: str, module: str, port: str, drive: str, clock: str | None) -> str:
    """``text`` with ``module`` renamed ``MODULE_core`` and a new ``module`` around it whose
    output ``port`` is ``drive`` of the core's (``core_PORT``); every other port passes through."""
    header = re.search(rf"^module {module}\((.*?)\);\n", text, re.M)
    end = text.index("endmodule", header.end())
    ports = _PORT.findall(text, header.end(), end)
    width = {name: int(msb) + 1 if msb else 1 for _, msb, name in ports}
    lines = [f"module {module}({header[1]});"]
    lines += [f"  {d} {f'[{width[n] - 1}:0] ' if msb else ''}{n};" for d, msb, n in ports]
    lines.append(f"  wire [{width[port] - 1}:0] core_{port};")
    if clock is not None:
        lines += [
            f"  reg [{width[port] - 1}:0] delay_{port};",
            f"  always @(posedge {clock}) delay_{port} <= core_{port};",
        ]
    links = ", ".join(f".{n}({f'core_{n}' if n == port else n})" for _, _, n in ports)
    lines += [f"  {module}_core core({links});", f"  assign {port} = {drive};", "endmodule", ""]
    core = (
        text[: header.start()] + f"module {module}_core(" + text[header.start() + len(f"module {module}(") :]
    )
    return core + "\n" + "\n".join(lines)


def _output_mutants(text: str, module: str) -> list[Mutant]:
    header = re.search(rf"^module {module}\(", text, re.M)
    if header is None:
        raise ValueError(f"the Verilog has no module {module!r}")
    end = text.index("endmodule", header.end())
    ports = [(d, int(msb) + 1 if msb else 1, n) for d, msb, n in _PORT.findall(text, header.end(), end)]
    clock = next((name for _, _, name in ports if name in ("clk", "aclk")), None)
    line, found = _line_of(text, header.start()), []
    for direction, width, name in ports:
        if direction != "output":
            continue
        if clock is not None:
            wrapped = _wrapper(text, module, name, f"delay_{name}", clock)
            found.append(Mutant("register added", line, f"output {name} delayed one cycle", wrapped))
        for low in sorted({0, width // 2 - 1, width - 2} - {-1}) if width >= 2 else []:
            bits = [f"core_{name}[{bit}]" for bit in reversed(range(width))]
            top, bottom = width - 1 - low, width - 2 - low
            bits[top], bits[bottom] = bits[bottom], bits[top]
            wrapped = _wrapper(text, module, name, "{ " + ", ".join(bits) + " }", None)
            found.append(
                Mutant("bits swapped", line, f"output {name} bits {low} and {low + 1} swapped", wrapped)
            )
    return found


def mutants(verilog: str, module: str) -> list[Mutant]:
    """Every mutant of ``verilog`` (the generated text of the unit ``module``), in a fixed
    order; each text differs from ``verilog`` and from every other mutant's.

    Raises
    ------
    ValueError
        If ``verilog`` has no module ``module``.
    """
    seen, unique = {verilog}, []
    for mutant in _edit_mutants(verilog) + _register_mutants(verilog) + _output_mutants(verilog, module):
        if mutant.verilog not in seen:
            seen.add(mutant.verilog)
            unique.append(mutant)
    return unique


def sample(found: list[Mutant], count: int | None, seed: int = 0) -> list[Mutant]:
    """``count`` of ``found`` (all when ``None`` or more), drawn with ``seed``: each kind's
    mutants shuffled, then taken one kind after another, so every kind present is sampled.
    The result keeps the order of ``found``."""
    if count is None or count >= len(found):
        return list(found)
    rng = random.Random(seed)
    pools = [[m for m in found if m.kind == kind] for kind in KINDS]
    for pool in pools:
        rng.shuffle(pool)
    chosen: set[int] = set()
    while len(chosen) < count:
        for pool in pools:
            if pool and len(chosen) < count:
                chosen.add(id(pool.pop()))
    return [mutant for mutant in found if id(mutant) in chosen]
