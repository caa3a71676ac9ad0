"""A user's library on a command line: ``--liberty FILE [--corner LABEL]``, for the report
and the cost benchmarks alike."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .flow import Corner
from .library import check_library

__all__ = ["add_corner_arguments", "user_corner", "user_corner_or_exit"]


def add_corner_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--liberty FILE`` and ``--corner LABEL`` to ``parser``."""
    parser.add_argument(
        "--liberty",
        type=Path,
        metavar="FILE",
        help="measure µm², ns and pJ on this Liberty library instead of the shipped SG13G2 typical corner",
    )
    parser.add_argument("--corner", metavar="LABEL", help="--liberty: the corner's name in the output")


def user_corner(liberty: Path | None, label: str | None) -> Corner | None:
    """The corner of ``--liberty FILE`` (checked first: :func:`~.library.check_library`), or
    ``None`` without one.

    Raises
    ------
    LibertyError
        If the file is missing, does not parse, or lacks a D flip-flop or basic gates.
    ValueError
        If ``label`` is given without ``liberty``.
    """
    if liberty is None:
        if label is not None:
            raise ValueError("--corner names the corner of --liberty FILE")
        return None
    check_library(liberty)
    return Corner.of(Path(liberty).resolve(), label)


def user_corner_or_exit(args: argparse.Namespace, prog: str) -> Corner | None:
    """:func:`user_corner` of parsed ``--liberty``/``--corner``; on bad input, one line on
    stderr (``PROG: error: --liberty: ...``) and exit status 2, before anything is measured.

    Raises
    ------
    SystemExit
        With status 2 if the library is missing, unparsable or unmappable, or ``--corner``
        is given alone.
    """
    try:
        return user_corner(args.liberty, args.corner)
    except ValueError as error:  # LibertyError is one
        prefix = "--liberty: " if args.liberty is not None else ""
        print(f"{prog}: error: {prefix}{error}", file=sys.stderr)
        raise SystemExit(2) from None
