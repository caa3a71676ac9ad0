"""A small on-disk JSON cache for derived results (approximation plans, synthesis runs).

Entries live in ``$SMELU_HW_CACHE`` (default ``$XDG_CACHE_HOME/smelu_hw``, else
``~/.cache/smelu_hw``); ``SMELU_HW_CACHE=off`` disables the files. An entry is found by the
hash of its full key text and stores that text, so a collision or a changed key never returns
a stale value. Writes are atomic; a damaged or unreadable entry is simply a miss.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

__all__ = ["cache_dir", "load", "store"]


def cache_dir() -> Path | None:
    """Where cache files live, or ``None`` when file caching is off."""
    setting = os.environ.get("SMELU_HW_CACHE")
    if setting == "off":
        return None
    if setting:
        return Path(setting)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "smelu_hw"


def _path(namespace: str, key: str) -> Path | None:
    folder = cache_dir()
    if folder is None:
        return None
    return folder / namespace / f"{hashlib.sha256(key.encode()).hexdigest()[:32]}.json"


def load(namespace: str, key: str) -> object | None:
    """The value stored under ``key``, or ``None``."""
    path = _path(namespace, key)
    if path is None or not path.exists():
        return None
    try:
        entry = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return entry.get("value") if isinstance(entry, dict) and entry.get("key") == key else None


def store(namespace: str, key: str, value: object) -> None:
    """Store a JSON-serialisable ``value`` under ``key`` (silently skipped if impossible)."""
    path = _path(namespace, key)
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(handle, "w") as stream:
            json.dump({"key": key, "value": value}, stream)
        os.replace(temporary, path)
    except OSError:
        pass  # caching is an optimisation only
