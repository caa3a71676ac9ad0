"""Setting up a simulator changes nothing in this process: the environment its tools need is
returned and handed to them, and the scheduler's connect timeout is read when it is used."""

from __future__ import annotations

import os
import time

import pytest

from smelu_hw import executor
from smelu_hw.verify.cocotb_run import _lent_environment
from smelu_hw.verify.simulators import VERILATOR_FLAGS, X_FLAGS, cocotb_build_args, simulator_environment


def test_the_simulator_set_up_leaves_this_process_alone(monkeypatch):
    monkeypatch.delenv("VERILATOR_ROOT", raising=False)
    before = dict(os.environ)
    assert cocotb_build_args("verilator") == [*VERILATOR_FLAGS, *X_FLAGS]
    assert cocotb_build_args("icarus") == []
    env = simulator_environment("verilator")
    assert os.path.isdir(env["VERILATOR_ROOT"])
    assert env["PATH"].split(os.pathsep)[0] == os.path.join(env["VERILATOR_ROOT"], "bin")
    assert simulator_environment("icarus") == before
    assert dict(os.environ) == before


def test_a_lent_environment_is_given_back_even_after_an_error(monkeypatch):
    monkeypatch.delenv("VERILATOR_ROOT", raising=False)
    before = dict(os.environ)
    env = simulator_environment("verilator")
    with pytest.raises(RuntimeError, match="build failed"), _lent_environment(env):
        assert dict(os.environ) == env
        raise RuntimeError("build failed")
    assert dict(os.environ) == before


def test_the_connect_timeout_is_read_when_used(monkeypatch):
    monkeypatch.delenv("SMELU_CONNECT_TIMEOUT", raising=False)
    assert executor.connect_timeout() == executor.CONNECT_TIMEOUT
    monkeypatch.setenv("SMELU_CONNECT_TIMEOUT", "2.5")
    assert executor.connect_timeout() == 2.5
    for bad in ("soon", "0", "-1", "nan"):
        monkeypatch.setenv("SMELU_CONNECT_TIMEOUT", bad)
        with pytest.raises(ValueError, match=rf"^SMELU_CONNECT_TIMEOUT must be a positive number .*{bad!r}$"):
            executor.connect_timeout()


def test_an_unreachable_scheduler_gives_up_after_the_timeout_set_now(monkeypatch):
    pytest.importorskip("distributed")
    monkeypatch.setattr(executor, "CONNECT_TIMEOUT", 60.0)  # what an import-time read would keep
    monkeypatch.setenv("SMELU_CONNECT_TIMEOUT", "1")
    start = time.monotonic()
    with (
        pytest.raises(ValueError, match="cannot reach the Dask scheduler"),
        executor.open_executor(cluster="tcp://127.0.0.1:9"),
    ):
        pytest.fail("connected to nothing")
    assert time.monotonic() - start < 20
