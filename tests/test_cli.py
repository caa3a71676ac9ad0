"""SPEC §5 and §8: an unexpected failure inside any tool is one line on stderr and exit status 1,
with no traceback and no output folder."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

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
    assert result.stderr == f"{prog}: internal error: RuntimeError: simulated internal failure\n"
    assert not out_dir.exists()
