"""What every command-line tool here shares: one-line usage errors (exit 2) and a guarded
entry point (exit 1 with one line on an unexpected failure)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import NoReturn

__all__ = ["UsageError", "Parser", "int_list", "run_main"]


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


def run_main(main: Callable[[], int], prog: str) -> NoReturn:
    """Exit with ``main()``'s status; an unexpected exception is one line and status 1."""
    try:
        status = main()
    except Exception as error:  # the CLI contract: one line, exit status 1
        print(f"{prog}: internal error: {type(error).__name__}: {error}", file=sys.stderr)
        status = 1
    sys.exit(status)
