"""What a cocotb bench reads from its runner and writes back, in one place.

A runner passes a bench its parameters as environment variables, ``SMELU_<NAME>`` for each
keyword of :func:`~smelu_hw.verify.cocotb_run.bench_environment`, and reads back a JSON
summary per test with :func:`~smelu_hw.verify.cocotb_run.read_summary`, to check that exactly
the planned vectors were compared. The benches of :mod:`smelu_hw.verify.benches` and users'
own benches use the same conventions::

    import random

    import cocotb
    from smelu_hw.verify.bench_io import read_manifest, read_seed, write_summary

    @cocotb.test()
    async def my_check(dut):
        manifest, rng = read_manifest(), random.Random(read_seed())
        ...
        write_summary("my_check", {"count": count, "mismatch_count": mismatches})

Nothing here imports cocotb: the runner side uses :func:`bench_variable` and
:func:`summary_path` too.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

__all__ = [
    "DEFAULT_SEED",
    "FINDINGS",
    "bench_variable",
    "findings",
    "read_manifest",
    "read_seed",
    "summary_path",
    "write_summary",
]

#: The seed of a bench's random stimulus when the runner gives none.
DEFAULT_SEED = 1
#: Summary fields that name why a test stopped short: ``stall`` (its stream stopped moving) and
#: ``x`` (an output read with an undefined bit). Each is ``None`` or the finding's message.
FINDINGS = ("stall", "x")


def bench_variable(name: str) -> str:
    """The environment variable that carries bench parameter ``name``.

    Parameters
    ----------
    name : str
        A keyword of :func:`~smelu_hw.verify.cocotb_run.bench_environment`, e.g. ``"seed"``.

    Returns
    -------
    str
        ``SMELU_<NAME>``, e.g. ``SMELU_SEED``.
    """
    return f"SMELU_{name.upper()}"


def read_manifest() -> dict[str, object]:
    """The manifest (``MODULE.json``) of the design under test, from ``$SMELU_MANIFEST``.

    Returns
    -------
    dict
        The parsed manifest; :func:`~smelu_hw.manifest.model_from_manifest` rebuilds the golden
        model from it.

    Raises
    ------
    LookupError
        If the runner set no ``SMELU_MANIFEST``.
    """
    variable = bench_variable("manifest")
    if variable not in os.environ:
        raise LookupError(f"{variable} is not set: run the bench with bench_environment(manifest=...)")
    return json.loads(Path(os.environ[variable]).read_text())


def read_seed(default: int = DEFAULT_SEED) -> int:
    """The seed of the bench's random stimulus: ``$SMELU_SEED``, else ``default``.

    Parameters
    ----------
    default : int, optional
        The seed without ``SMELU_SEED``.

    Returns
    -------
    int
        The seed.
    """
    return int(os.environ.get(bench_variable("seed"), default))


def findings(error: BaseException | None) -> dict[str, str | None]:
    """The :data:`FINDINGS` fields of a summary: ``error``'s message under its ``field``
    attribute (``"stall"`` or ``"x"``), the others ``None``.

    Parameters
    ----------
    error : BaseException or None
        What stopped the test (e.g. :class:`~smelu_hw.verify.streams.StreamStalled`), or
        ``None`` if nothing did.

    Returns
    -------
    dict
        ``{"stall": ..., "x": ...}``.
    """
    named = getattr(error, "field", None)
    return {field: str(error) if field == named else None for field in FINDINGS}


def summary_path(folder: str | os.PathLike[str], name: str) -> Path:
    """Where test ``name`` leaves its summary in ``folder``: ``NAME.json``.

    Parameters
    ----------
    folder : path-like
        The test folder (a bench runs in it).
    name : str
        The cocotb test.

    Returns
    -------
    pathlib.Path
        The summary file.
    """
    return Path(folder) / f"{name}.json"


def write_summary(name: str, summary: Mapping[str, object], folder: str | os.PathLike[str] = ".") -> Path:
    """Write what test ``name`` compared as JSON, for the runner to check against its plan.

    Write it before the test's assertions, so that a failing test still says what it found.

    Parameters
    ----------
    name : str
        The cocotb test.
    summary : Mapping
        JSON-ready counts, e.g. ``{"count": ..., "mismatch_count": ..., "mismatches": [...]}``.
    folder : path-like, optional
        The test folder; by default the current folder, where cocotb runs a bench.

    Returns
    -------
    pathlib.Path
        The file written (:func:`summary_path`).
    """
    path = summary_path(folder, name)
    path.write_text(json.dumps(summary))
    return path
