"""Atomic file writes: a generated file is either complete or absent, never half-written."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["write_atomically"]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomically(path: Path, text: str) -> Path:
    """Write ``text`` (UTF-8, ``\\n`` line ends) to a temporary file beside ``path`` and
    rename it into place, with the permissions an ordinary new file would get."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp creates files private
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
    return path
