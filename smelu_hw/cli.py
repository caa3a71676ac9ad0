"""What every command-line tool here shares: one-line usage errors (exit 2), a guarded entry
point (exit 1 with one line on an unexpected failure), and an interrupt that stops everything
the tool started (SIGINT or SIGTERM: one line, status ``128 + signal``)."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

__all__ = ["Interrupted", "UsageError", "Parser", "descendants", "int_list", "run_main"]


class UsageError(Exception):
    """A bad command-line argument: reported as one line, exit status 2."""


class Parser(argparse.ArgumentParser):
    """An argument parser that raises :class:`UsageError` instead of printing usage and exiting."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def int_list(text: str) -> list[int]:
    """An argparse ``type`` for a comma-separated list of integers, such as ``8,10,12``."""
    try:
        return [int(part) for part in text.split(",") if part]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a comma-separated list of integers: {text!r}") from None


def descendants(pid: int | None = None) -> list[int]:
    """Every living descendant of process ``pid`` (default: this one), read from ``/proc``;
    empty where there is no ``/proc``."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = entry.read_text()
        except OSError:
            continue  # it ended while we looked
        fields = text[text.rindex(")") + 2 :].split()  # after "pid (comm) "
        children.setdefault(int(fields[1]), []).append(int(entry.parent.name))
    found, pending = [], [os.getpid() if pid is None else pid]
    while pending:
        for child in children.get(pending.pop(), []):
            found.append(child)
            pending.append(child)
    return found


class Interrupted(BaseException):
    """SIGINT or SIGTERM arrived (a ``BaseException``, so no ``except Exception`` keeps it)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _kill_descendants() -> None:
    for child in descendants():
        with contextlib.suppress(OSError):  # already gone
            os.kill(child, signal.SIGKILL)


def _stop_everything() -> None:
    """On SIGINT or SIGTERM: kill every process this one started (simulators, compilers,
    make, worker pools; not the shell around it) and raise :class:`Interrupted`, so that
    ``finally`` blocks and atomic writes clean up after themselves. A second signal while
    that runs exits at once."""

    def handler(signum: int, frame: object) -> None:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda again, _: (_kill_descendants(), os._exit(128 + again)))
        _kill_descendants()
        raise Interrupted(signum)

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, handler)


def _drop_stdout() -> None:
    """Send what is left of stdout nowhere: its reader went away (``| head -1``)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


class _PipeSafe:
    """A stdout whose reader may go away: what is written after that goes nowhere."""

    def __init__(self, stream: object) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            _drop_stdout()
            return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            _drop_stdout()

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)


def run_main(main: Callable[[], int], prog: str) -> NoReturn:
    """Exit with ``main()``'s status; an unexpected exception is one line and status 1, and an
    interrupt stops every process the tool started (one line, status ``128 + signal``). A reader
    of stdout that goes away early (``| head -1``) costs the rest of the output, nothing else:
    no traceback, and the status stays ``main()``'s."""
    _stop_everything()
    sys.stdout = _PipeSafe(sys.stdout)
    try:
        status = main()
        sys.stdout.flush()
    except Interrupted as interrupt:
        _kill_descendants()  # anything started while the stack unwound
        print(f"{prog}: interrupted by {interrupt}; stopped every process it started", file=sys.stderr)
        status = 128 + interrupt.signum
    except Exception as error:  # the CLI contract: one line, exit status 1
        print(f"{prog}: internal error: {type(error).__name__}: {error}", file=sys.stderr)
        status = 1
    sys.exit(status)
