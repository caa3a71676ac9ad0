"""The C-model driver: compile a unit's header with ``c/cmodel_driver.c`` and stream it vectors.

:func:`compile_driver` builds the driver around a header (a copy of it, ``cmodel.h``, in a
folder of the caller's); :func:`run_driver` streams it blocks of int64 words on its standard
input (:func:`codes_block`, :func:`table_block`, :func:`pairs_block`, :func:`payload_block`,
:func:`axis_block`, :func:`clamp_block`; the protocol is in the driver's comment) and returns
what it found as a :class:`DriverReport`. The verifier's C-model check
(:mod:`smelu_hw.verify.cmodel_check`) and the tests of the generated headers both use it, so
users' own suites can too.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

__all__ = [
    "CFLAGS",
    "CXXFLAGS",
    "SANITIZE",
    "CompileError",
    "DriverReport",
    "axis_block",
    "clamp_block",
    "codes_block",
    "compile_driver",
    "compiler_version",
    "find_compiler",
    "pairs_block",
    "payload_block",
    "run_driver",
    "table_block",
]

#: How the header must compile (SPEC §5), and the driver with it.
CFLAGS = ("-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O2")
#: The same as C++ (the header is valid C++ too).
CXXFLAGS = ("-std=c++17", "-Wall", "-Wextra", "-Werror", "-O2")
#: Undefined behaviour and memory errors end the run (exit status not 0) at the first one.
SANITIZE = ("-fsanitize=undefined,address", "-fno-sanitize-recover=all", "-g")
#: Rows streamed to the driver per write.
ROWS = 1 << 18
#: Seconds a run may take beyond its vectors (a compiler's start-up, a slow disk).
BASE_SECONDS = 30
#: The slowest rate, in comparisons per second, a run may go at (a sanitized one included).
MIN_RATE = 1_000_000

_TAGS = {"end": 0, "codes": 1, "table": 2, "pairs": 3, "payload": 4, "clamp": 5, "axis": 7}


class CompileError(Exception):
    """The header (with the driver) does not compile; the message is the compiler's output."""


def find_compiler() -> str | None:
    """The C compiler: ``$CC`` if set, else ``cc``, else ``gcc`` on ``PATH``; ``None`` if none."""
    for name in (os.environ.get("CC"), "cc", "gcc"):
        if name and (path := shutil.which(name)):
            return path
    return None


def compiler_version(compiler: str | None = None) -> str:
    """The first line of ``compiler --version`` (``"not installed"`` without a compiler)."""
    compiler = compiler or find_compiler()
    if compiler is None:
        return "not installed"
    try:
        run = subprocess.run([compiler, "--version"], capture_output=True, text=True, check=False, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return (run.stdout.splitlines() or ["unknown"])[0].strip()


def compile_driver(
    header: str,
    module: str,
    folder: Path,
    *,
    with_grad: bool = True,
    engine: bool = False,
    axis: bool = False,
    payload: bool | None = None,
    compiler: str | None = None,
    flags: Sequence[str] = (),
    cxx: bool = False,
) -> Path:
    """Compile the driver around ``header`` (its text) in ``folder``; return the program.

    Parameters
    ----------
    header : str
        The text of ``MODULE.h``.
    module : str
        The prefix of its functions and macros.
    folder : Path
        Where the copy of the header, the driver (with its ``cmodel_fields.h``) and the
        program go.
    with_grad, engine : bool
        Whether the header has ``MODULE_grad``, and an engine's functions (SPEC §5).
    axis : bool
        Whether the engine is an AXI4-Stream engine (its helpers pack TDATA and TUSER).
    payload : bool, optional
        Whether it has the engine's pack/unpack helpers (default ``engine``): a stream
        engine's payload ones, or with ``axis`` its TDATA and TUSER ones.
    compiler : str, optional
        The compiler (default :func:`find_compiler`; ``g++`` or ``c++`` with ``cxx``).
    flags : sequence of str
        More flags (e.g. :data:`SANITIZE`), after :data:`CFLAGS` (or :data:`CXXFLAGS`).
    cxx : bool
        Compile as C++17 instead of C99.

    Raises
    ------
    CompileError
        If the compiler fails (its first 40 lines of output are the message).
    FileNotFoundError
        If there is no compiler.
    """
    compiler = compiler or (shutil.which("c++") if cxx else find_compiler())
    if compiler is None:
        raise FileNotFoundError("no C compiler (set CC, or install cc or gcc)")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "cmodel.h").write_text(header, encoding="utf-8")
    source = folder / ("cmodel_driver.cpp" if cxx else "cmodel_driver.c")
    sources = resources.files(__package__).joinpath("c")
    source.write_text(sources.joinpath("cmodel_driver.c").read_text(encoding="utf-8"))
    (folder / "cmodel_fields.h").write_text(sources.joinpath("cmodel_fields.h").read_text(encoding="utf-8"))
    program = folder / "cmodel_driver"
    defines = [
        f"-DSMELU_MODULE={module}",
        f"-DSMELU_HAS_GRAD={int(with_grad)}",
        f"-DSMELU_ENGINE={int(engine)}",
        f"-DSMELU_AXIS={int(axis)}",
        f"-DSMELU_PAYLOAD={int(engine if payload is None else payload)}",
    ]
    command = [compiler, *(CXXFLAGS if cxx else CFLAGS), *flags, *defines, "-o", str(program), str(source)]
    run = subprocess.run(command, capture_output=True, text=True, check=False, cwd=folder)
    if run.returncode != 0:
        lines = (run.stderr or run.stdout).replace(str(folder) + os.sep, "").splitlines()
        raise CompileError("\n".join(lines[:40]) or f"{compiler} exited with status {run.returncode}")
    return program


def _words(*parts: object) -> np.ndarray:
    return np.concatenate([np.atleast_1d(np.asarray(part, dtype=np.int64)).ravel() for part in parts])


def codes_block(x: np.ndarray, y: np.ndarray, dy: np.ndarray | None) -> np.ndarray:
    """Rows ``(x, y, dy)``: the header's forward (and gradient) must give ``y`` (and ``dy``)."""
    rows = np.zeros((len(x), 3), dtype=np.int64)
    rows[:, 0], rows[:, 1] = x, y
    if dy is not None:
        rows[:, 2] = dy
    return _words(_TAGS["codes"], len(x), rows)


def table_block(upstream: np.ndarray, table: np.ndarray) -> np.ndarray:
    """The fused backward's expected results: ``table[class, j]`` for upstream code ``upstream[j]``."""
    return _words(_TAGS["table"], len(upstream), upstream, table.shape[0], table)


def pairs_block(x: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """Input codes and their table rows: every ``(x, upstream[j])`` pair is compared."""
    return _words(_TAGS["pairs"], len(x), np.stack([x, classes], axis=1))


def payload_block(
    reserved_result: int, mode_codes: int, in_words: int, out_words: int, rows: np.ndarray
) -> np.ndarray:
    """Payload vectors: per row ``mode, x[L], g[L], in_words words, result[L], out_words words``."""
    return _words(_TAGS["payload"], reserved_result, mode_codes, len(rows), in_words, out_words, rows)


def axis_block(
    reserved_result: int, mode_codes: int, words: tuple[int, int, int], rows: np.ndarray
) -> np.ndarray:
    """AXI4-Stream beats: per row ``mode, user, x[L], g[L], s_tdata, tuser, s_tdata`` with other
    padding bits, ``result[L], m_tdata``, of ``words`` (``s_tdata``, ``m_tdata``, ``tuser``) words."""
    return _words(_TAGS["axis"], reserved_result, mode_codes, len(rows), *words, rows)


def clamp_block() -> np.ndarray:
    """Codes one beyond each end of the input format give the end's results."""
    return _words(_TAGS["clamp"])


@dataclass(frozen=True)
class DriverReport:
    """What one run of the driver found.

    Attributes
    ----------
    checked : int
        Comparisons of codes (one per row of a codes block), pairs and payload vectors.
    failing : int
        Distinct failing inputs (codes, fused backward ``x`` codes, payload vectors).
    mismatch_count : int
        Every mismatching comparison.
    records : tuple of list
        The first mismatches of each field as ``[x, field, g, got, want]``.
    returncode : int
        The driver's exit status (0 all equal, 1 a mismatch, other: a crash or a sanitizer).
    stderr : str
        What the driver wrote to its standard error (a sanitizer's report).
    """

    checked: int
    failing: int
    mismatch_count: int
    records: tuple[list[object], ...]
    returncode: int
    stderr: str

    @property
    def finished(self) -> bool:
        """Whether the driver read every block and exited 0 or 1."""
        return self.returncode in (0, 1) and self.checked >= 0


def run_driver(program: Path, blocks: Iterable[np.ndarray], comparisons: int) -> DriverReport:
    """Stream ``blocks`` to ``program`` and parse its report; ``comparisons`` (about how many
    the blocks hold) sets the time limit. A driver that crashes, is stopped by a sanitizer or
    runs past its limit gives ``checked = -1`` and its status (``-9`` when killed)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen([str(program)], stdin=subprocess.PIPE, stdout=out, stderr=err)
        try:
            for block in itertools.chain(blocks, [np.array([_TAGS["end"]], dtype=np.int64)]):
                for start in range(0, len(block), ROWS):
                    process.stdin.write(block[start : start + ROWS].astype("=i8").tobytes())
            process.stdin.close()
        except BrokenPipeError:  # it stopped reading: its status says why
            pass
        try:
            status = process.wait(timeout=BASE_SECONDS + comparisons / MIN_RATE)
        except subprocess.TimeoutExpired:
            process.kill()
            status = process.wait()
            err.write(f"\nthe C-model driver ran over {BASE_SECONDS + comparisons / MIN_RATE:.0f} s\n")
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    records: list[list[object]] = []
    checked = failing = count = -1
    for line in stdout.splitlines():
        word, *values = line.split()
        if word == "mismatch":
            field, *numbers = values
            records.append([int(numbers[0]), field, *map(int, numbers[1:])])
        elif word == "checked" and status in (0, 1):
            checked, failing, count = map(int, values)
    if "done" not in stdout.split():
        checked = -1
    return DriverReport(checked, failing, max(count, 0), tuple(records), status, stderr)
