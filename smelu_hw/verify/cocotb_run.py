"""Build a design and run cocotb benches on it, failing closed.

cocotb selects tests by name, and a name that matches nothing runs zero tests without a
failure. :func:`run_cocotb` therefore checks the results file itself: it must exist, list
exactly the tests asked for, and report no failure. Benches then write what they compared
(:func:`read_summary`), and the caller checks those counts against its plan.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from importlib import resources
from pathlib import Path
from xml.etree import ElementTree

from .bench_io import bench_variable, summary_path
from .simulators import cocotb_build_args, cocotb_plusargs, simulator_environment

__all__ = [
    "BenchError",
    "bench_environment",
    "bench_python_environment",
    "build_design",
    "read_summary",
    "require_tests",
    "run_cocotb",
    "run_limited",
    "HANG_BASE_SECONDS",
    "cocotb_limit",
]


class BenchError(Exception):
    """A bench did not run as planned: a build failed, tests are missing or failed, or a
    results file is missing or short. Never a pass."""


#: Seconds every simulator run (cocotb, batch, native) may take before its vectors: far from
#: any real run's start-up, and short enough that a hung unit (a combinational loop, a
#: handshake that never completes) ends its verification within a minute.
HANG_BASE_SECONDS = 30
#: The slowest rate (vectors per second) a cocotb run may run at after its start-up.
COCOTB_MIN_RATE = 200


def cocotb_limit(vectors: int) -> int:
    """The wall-clock limit of a cocotb run of ``vectors`` codes, beats or cycles."""
    return HANG_BASE_SECONDS + vectors // COCOTB_MIN_RATE


#: A run's wall-clock backstop, as a multiple of its limit. The limit counts CPU seconds (where
#: the platform can limit them): a loaded machine (``pytest -n auto``, a shared CI runner)
#: stretches a run's wall time, not its CPU time, while a hung simulator (a combinational
#: loop, a clock that runs on with no handshake) keeps computing and reaches the limit. A run
#: that waits without computing ends at the backstop.
WALL_BACKSTOP = 10


def _limit_cpu(pid: int, limit: float) -> bool:
    """Give the running process ``pid`` (and the children it starts) ``limit`` CPU seconds:
    the kernel stops it with ``SIGXCPU`` past them. Whether the platform could."""
    import resource

    if not hasattr(resource, "prlimit"):  # Linux only
        return False
    seconds = max(1, int(limit))
    try:
        resource.prlimit(pid, resource.RLIMIT_CPU, (seconds, seconds + 1))
    except (OSError, ValueError):  # it has already ended
        return False
    return True


def _run_within(
    command: Sequence[str], limit: float, **options: object
) -> subprocess.CompletedProcess | None:
    """``subprocess.run(command, **options)`` within ``limit`` CPU seconds (``limit`` wall
    seconds where CPU time cannot be limited) and ``limit`` times :data:`WALL_BACKSTOP` wall
    seconds; ``None`` if it ran over and was stopped."""
    with subprocess.Popen(command, **options) as process:  # type: ignore[call-overload]
        wall = limit * WALL_BACKSTOP if _limit_cpu(process.pid, limit) else limit
        try:
            stdout, stderr = process.communicate(timeout=wall)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            return None
    if process.returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        return None
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def _limited(runner: object, limit: float) -> object:
    """``runner`` whose simulator commands each end after ``limit`` CPU seconds
    (:func:`_run_within`).

    cocotb's runner starts the simulator with ``subprocess.run`` and no timeout; this
    replaces that one step (``Runner._execute_cmds``, cocotb 2.1, which the package pins) with
    the same call within the limit, so a simulator past it is stopped and the run fails.
    """

    class Limited(type(runner)):  # type: ignore[misc]
        def _execute_cmds(self, cmds, cwd, stdout=None):
            for cmd in cmds:
                stderr = None if stdout is None else subprocess.STDOUT
                result = _run_within(cmd, limit, cwd=cwd, env=self.env, stdout=stdout, stderr=stderr)
                if result is None:
                    raise _TimedOut
                if result.returncode != 0:
                    raise RuntimeError(f"Command failed with return code: {result.returncode}")

    runner.__class__ = Limited
    return runner


class _TimedOut(Exception):
    pass


def run_limited(command: list[str], cwd: Path, limit: float, late: Exception) -> subprocess.CompletedProcess:
    """Run a tool in ``cwd``, capturing its output as text; raise ``late`` if it runs over
    ``limit`` CPU seconds (a hung unit, a solver without an answer; :func:`_run_within`)."""
    result = _run_within(command, limit, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if result is None:
        raise late
    return result


@contextlib.contextmanager
def _lent_environment(env: Mapping[str, str]) -> Iterator[None]:
    """This process's environment is ``env`` inside the block, and as before after it.

    cocotb's ``Runner.build`` takes no environment: it finds its tools on ``os.environ``'s
    ``PATH`` and starts them with ``os.environ``. Nothing changes when ``env`` is that already.
    """
    saved = dict(os.environ)
    if saved == env:
        yield
        return
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def build_design(
    sources: Sequence[Path], toplevel: str, build_dir: Path, simulator: str, *, waves: bool = False
) -> None:
    """Compile ``sources`` for ``simulator`` into ``build_dir`` (log in ``build.log``), with
    the tools of :func:`~smelu_hw.verify.simulators.simulator_environment`."""
    from cocotb_tools.runner import get_runner

    build_dir.mkdir(parents=True, exist_ok=True)
    runner = get_runner(simulator)
    environment = simulator_environment(simulator)
    if simulator == "verilator":
        # Verilator's runtime (verilated.cpp, its VPI and threads: 22 of 26 CPU seconds of a
        # build at its default -Os) unoptimised: the model keeps its flags, and a bench's run
        # takes as long (measured: 3.2 and 3.0 s against 2.9 and 3.3 s) for 6 s less compiling.
        environment["MAKEFLAGS"] = f"{environment.get('MAKEFLAGS', '')} OPT_GLOBAL=-O0".strip()
    try:
        with _lent_environment(environment):
            runner.build(
                sources=list(sources),
                hdl_toplevel=toplevel,
                build_dir=build_dir,
                timescale=("1ns", "1ps"),
                build_args=cocotb_build_args(simulator),
                waves=waves,
                log_file=build_dir / "build.log",
            )
    except (RuntimeError, SystemExit) as error:
        raise BenchError(f"{simulator} could not build {toplevel}; see {build_dir / 'build.log'}") from error


def bench_python_environment() -> dict[str, str]:
    """How a bench's Python starts: cocotb makes a pytest configuration to rewrite assertions,
    which by default loads every installed pytest plugin (this package's, xdist, hypothesis)
    and rewrites every module imported after it, without caching when bytecode is not written:
    about 2 CPU seconds per simulation. Here no plugin is loaded and only the packaged benches'
    files are rewritten. A variable already set by the user is kept."""
    benches = resources.files("smelu_hw.verify.benches")
    files = sorted(entry.name for entry in benches.iterdir() if entry.name.endswith(".py"))
    chosen = {"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", "COCOTB_REWRITE_ASSERTION_FILES": " ".join(files)}
    return {name: os.environ.get(name, value) for name, value in chosen.items()}


def _results(path: Path) -> dict[str, str]:
    """Test name -> ``passed``/``failed`` from a cocotb xUnit results file."""
    outcome = {}
    for case in ElementTree.parse(path).getroot().iter("testcase"):
        failed = case.find("failure") is not None or case.find("error") is not None
        outcome[case.get("name", "")] = "failed" if failed else "passed"
    return outcome


def run_cocotb(
    *,
    toplevel: str,
    test_module: str,
    testcases: Sequence[str],
    build_dir: Path,
    test_dir: Path,
    simulator: str,
    env: Mapping[str, str],
    waves: bool = False,
    vectors: int = 0,
) -> list[str]:
    """Run ``testcases`` of ``test_module`` on a built design; return the tests that failed.

    The run may take :func:`cocotb_limit` of ``vectors`` (the codes, beats or cycles it
    drives) seconds; past that the simulator is killed and the run fails.

    The simulation runs in :func:`~smelu_hw.verify.simulators.simulator_environment` with the
    bench's variables ``env`` (:func:`bench_environment`) added. A failed test may still have
    written its summary (what it found); the caller decides.

    Raises
    ------
    BenchError
        If the results file is missing, the tests that ran are not exactly those requested, or
        the run went past its time limit.
    """
    from cocotb_tools.runner import get_runner

    if not testcases:
        raise BenchError("no cocotb test was requested")
    test_dir.mkdir(parents=True, exist_ok=True)
    results = test_dir / "results.xml"
    results.unlink(missing_ok=True)
    limit = cocotb_limit(vectors)
    runner = _limited(get_runner(simulator), limit)
    try:
        with contextlib.suppress(RuntimeError, SystemExit):  # the results file decides; a crash leaves none
            runner.test(
                hdl_toplevel=toplevel,
                hdl_toplevel_lang="verilog",  # what build() would have told a runner that built
                test_module=test_module,
                testcase=list(testcases),
                build_dir=build_dir,
                test_dir=test_dir,
                extra_env=simulator_environment(simulator) | bench_python_environment() | dict(env),
                waves=waves,
                results_xml=str(results),
                plusargs=cocotb_plusargs(simulator),
                log_file=test_dir / "sim.log",
            )
    except _TimedOut:
        log = test_dir / "sim.log"
        raise BenchError(
            f"the {simulator} simulation of {toplevel} ran over {limit} CPU s (a hung unit?); see {log}"
        ) from None
    return require_tests(results, testcases, log=test_dir / "sim.log")


def require_tests(results: Path, testcases: Sequence[str], *, log: Path | None = None) -> list[str]:
    """Check a cocotb results file: it exists and lists exactly ``testcases``. Return those
    that failed.

    Raises
    ------
    BenchError
        If the file is missing, or other tests than ``testcases`` ran (none at all included).
    """
    see = f"; see {log}" if log else ""
    if not Path(results).is_file():
        raise BenchError(f"the simulation left no results file {Path(results).name}{see}")
    ran = {name.rsplit(".", 1)[-1]: state for name, state in _results(Path(results)).items()}
    if sorted(ran) != sorted(testcases):
        raise BenchError(f"the bench ran {sorted(ran)} instead of {list(testcases)}{see}")
    return [name for name, state in ran.items() if state != "passed"]


def read_summary(test_dir: Path, name: str) -> dict[str, object]:
    """The JSON summary a bench wrote as ``NAME.json`` in ``test_dir``.

    Raises
    ------
    BenchError
        If the bench wrote none (it did not run to the end).
    """
    path = summary_path(test_dir, name)
    if not path.is_file():
        raise BenchError(f"the bench wrote no {path.name}; see {test_dir / 'sim.log'}")
    return json.loads(path.read_text())


def bench_environment(**values: object) -> dict[str, str]:
    """Environment variables for a bench: ``SMELU_<NAME>`` for each keyword
    (:func:`~smelu_hw.verify.bench_io.bench_variable`)."""
    return {bench_variable(key): str(value) for key, value in values.items()} | {
        "PYTHONHASHSEED": os.environ.get("PYTHONHASHSEED", "0")
    }
