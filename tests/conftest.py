"""Suite-wide setup: plan files and verifier builds go to private folders, never the user's,
the long simulations start first, and the suite's Python processes share compiled bytecode."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

# The suite starts hundreds of Python processes (simulators' embedded benches, the CLIs, Yosys
# for Amaranth). Where the environment sets PYTHONDONTWRITEBYTECODE (some CI machines do, and
# the setup installs with --no-compile), each would compile NumPy, Amaranth, cocotb and this
# package from source again: about 1 to 2 CPU seconds a process. Within the suite, the first
# process to import a module leaves its bytecode for the others.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.dont_write_bytecode = False

#: Test files whose cases simulate for tens of seconds. They start first, so that the workers
#: of ``pytest -n auto`` finish together instead of one waiting on the other's last long case.
LONG_FIRST = (
    "tests/sim/test_fuzz.py",
    "tests/test_report.py",
    "tests/test_examples.py",
    "tests/test_repro.py",
    "tests/sim/test_network.py",
    "tests/sim/test_fast_path.py",
    "tests/verify/test_formal.py",
    "tests/verify/test_scale_out.py",
    "tests/test_emit.py",
    "tests/sim/",
    "tests/verify/",
)


def _rank(item: pytest.Item) -> int:
    path = Path(item.path).as_posix()
    for rank, prefix in enumerate(LONG_FIRST):
        if f"/{prefix}" in f"/{path}" or path.endswith(prefix):
            return rank
    return len(LONG_FIRST)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=_rank)  # stable: the order within each group is the collection order


def _run_folder(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    """A folder of this run that every xdist worker shares (content-keyed, written atomically)."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # popen-gwN's parent: this run's folder
    folder = base / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(autouse=True, scope="session")
def private_plan_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    os.environ["SMELU_HW_CACHE"] = str(_run_folder(tmp_path_factory, "plan-cache"))


@pytest.fixture(autouse=True, scope="session")
def private_verify_builds(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The verifier's builds go to this run's folder, shared by its cases and workers."""
    os.environ["SMELU_VERIFY_WORK"] = str(_run_folder(tmp_path_factory, "verify-builds"))
