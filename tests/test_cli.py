"""SPEC §5 and §8: an unexpected failure inside any tool is one line on stderr and exit status 1,
with no traceback and no output folder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from smelu_hw.cli import descendants

#: Tool module, the function inside its main path that is made to fail, and its arguments.
TOOLS = [
    ("smelu_hw.gen.__main__", "smelu_hw.gen.__main__.generate", ["--bits", "8"]),
    (
        "smelu_hw.report.__main__",
        "smelu_hw.report.__main__.measure_all",
        ["--quick", "--activation", "smelu"],
    ),
    ("smelu_hw.repro.__main__", "smelu_hw.repro.__main__.arms", ["--quick"]),
    ("smelu_hw.verify.__main__", "smelu_hw.verify.__main__.verify_manifest", ["--bits", "8"]),
]

PROBE = """
import importlib, sys
module_name, target, out_dir, *args = sys.argv[1:]
owner, name = target.rsplit(".", 1)
def broken(*_args, **_kwargs):
    raise RuntimeError("simulated internal failure")
setattr(importlib.import_module(owner), name, broken)
sys.argv = [module_name, *args, "--out-dir", out_dir]
module = importlib.import_module(module_name)
module.run()
"""


@pytest.mark.parametrize(("module", "target", "args"), TOOLS, ids=[tool[0].split(".")[1] for tool in TOOLS])
def test_an_internal_failure_is_one_line_and_exit_status_1(tmp_path: Path, module, target, args):
    out_dir = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-c", PROBE, module, target, str(out_dir), *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    prog = module.removesuffix(".__main__")
    assert result.returncode == 1, result.stderr
    # One line for the failure, no traceback; before it, only what the tool logs as it starts
    # (the report's job count).
    lines = result.stderr.splitlines()
    assert lines[-1] == f"{prog}: internal error: RuntimeError: simulated internal failure"
    assert "Traceback" not in result.stderr and all(": error" not in line for line in lines[:-1])
    assert not out_dir.exists()


def running(pid: int) -> bool:
    """Whether process ``pid`` still runs (a zombie waiting for a reaper does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_an_interrupt_stops_every_process_the_tool_started(tmp_path: Path, sig):
    """What a CI timeout does: the signal goes to the tool alone, mid-build. Every compiler,
    make and simulator it started ends with it; one line, status 128 + signal, no certificate."""
    out_dir = tmp_path / "certs"
    environment = {**os.environ, "SMELU_VERIFY_WORK": str(tmp_path / "work")}  # a fresh build
    command = [sys.executable, "-m", "smelu_hw.verify", "--bits", "20", "--sim", "verilator"]
    tool = subprocess.Popen(
        [*command, "--jobs", "2", "--out-dir", str(out_dir)],
        cwd=tmp_path,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # not this test's process group: only the tool gets the signal
    )
    started = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and tool.poll() is None:
        started = descendants(tool.pid)
        if len(started) >= 3:  # the worker pool and the build under it
            break
        time.sleep(0.05)
    assert len(started) >= 3, "the tool started no build to interrupt"
    tool.send_signal(sig)
    _, stderr = tool.communicate(timeout=30)
    assert tool.returncode == 128 + sig
    name = signal.Signals(sig).name
    assert stderr.endswith(f"smelu_hw.verify: interrupted by {name}; stopped every process it started\n")
    assert "Traceback" not in stderr
    time.sleep(0.2)
    assert [pid for pid in started if running(pid)] == []
    assert not out_dir.exists()


@pytest.mark.parametrize("status", [0, 1])
def test_a_reader_that_goes_away_costs_the_output_not_the_status(status):
    """``tool | head -1``: the tool's later writes meet a closed pipe. No traceback, and the
    exit status is the tool's own (a mismatch must not turn into a pass, nor a pass into 1)."""
    script = (
        "import sys\nfrom smelu_hw.cli import run_main\n"
        f"def main():\n    print('line\\n' * 100000)\n    return {status}\n"
        "run_main(main, 'tool')\n"
    )
    tool = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    tool.stdout.readline()
    tool.stdout.close()
    stderr = tool.stderr.read().decode()
    tool.stderr.close()
    assert tool.wait(timeout=30) == status
    assert stderr == ""
