"""The shared executor: a local process pool, a real Dask LocalCluster, and unreachable schedulers."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import time

import pytest

from smelu_hw import executor
from smelu_hw.executor import open_executor
from smelu_hw.report.sweep import Job, UnitConfig, run_job

UNREACHABLE = "tcp://127.0.0.1:9"  # the discard port: nothing listens there
NUMBERS = [5, 0, 12, 3, 20, 1, 7]
ERROR_JOBS = [Job(UnitConfig("relu", 8), "errors"), Job(UnitConfig("smelu", 8, 1.0), "errors")]


def run_all(pool) -> tuple[list[int], list[dict[str, object]]]:
    """A plain function mapped in order, and two report jobs submitted one by one."""
    futures = [pool.submit(run_job, job) for job in ERROR_JOBS]
    return list(pool.map(math.factorial, NUMBERS)), [future.result() for future in futures]


def test_local_executor_maps_in_order():
    with open_executor(jobs=2) as pool:
        assert list(pool.map(math.factorial, NUMBERS)) == [math.factorial(n) for n in NUMBERS]


def test_cluster_executor_matches_the_local_one():
    distributed = pytest.importorskip("distributed")
    with open_executor(jobs=2) as pool:
        local = run_all(pool)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        open_executor(cluster=cluster.scheduler_address) as pool,
    ):
        remote = run_all(pool)
    assert remote == local
    assert local[0] == [math.factorial(n) for n in NUMBERS]


def test_unreachable_scheduler_is_one_line_value_error(monkeypatch):
    monkeypatch.setattr(executor, "CONNECT_TIMEOUT", 1.0)
    start = time.monotonic()
    expected = r"^cannot reach the Dask scheduler at 'tcp://127\.0\.0\.1:9': "
    with pytest.raises(ValueError, match=expected) as info, open_executor(cluster=UNREACHABLE):
        pytest.fail("connected to nothing")
    assert "\n" not in str(info.value)
    assert time.monotonic() - start < 10


def test_malformed_address_is_a_value_error():
    expected = r"^cannot reach the Dask scheduler at 'nowhere': .*port"
    with pytest.raises(ValueError, match=expected), open_executor(cluster="nowhere"):
        pytest.fail("connected to nothing")


def test_missing_extra_is_a_value_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # makes `import distributed` fail
    expected = r"^--cluster needs the 'cluster' extra: pip install 'smelu_hw\[cluster\]'$"
    with pytest.raises(ValueError, match=expected), open_executor(cluster=UNREACHABLE):
        pytest.fail("imported a missing module")


def test_report_with_unreachable_cluster_exits_2_and_writes_nothing(tmp_path):
    out_dir = tmp_path / "out"
    command = [sys.executable, "-m", "smelu_hw.report", "--cluster", UNREACHABLE, "--quick"]
    environment = dict(os.environ, SMELU_CONNECT_TIMEOUT="1")
    start = time.monotonic()
    result = subprocess.run(
        [*command, "--out-dir", str(out_dir)],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(
        f"smelu_hw.report: error: cannot reach the Dask scheduler at {UNREACHABLE!r}: "
    ), result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.endswith("\n"), result.stderr
    assert result.stdout == ""
    assert not out_dir.exists()
    assert time.monotonic() - start < 1 + 15
