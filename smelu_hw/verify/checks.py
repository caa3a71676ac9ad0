"""The units of verification work, each a picklable task an executor can run anywhere.

* :func:`sweep_shard`: drive a set of input codes (native driver or cocotb) and compare
  ``y``/``dy`` (and ``out_valid`` when pipelined) with the golden model;
* :func:`contract_check`: the pipelined valid/reset/latency contract (cocotb, or the Icarus
  batch driver);
* :func:`engine_check`: a streaming engine in every mode, under backpressure (cocotb);
* :func:`axis_check`: an AXI4-Stream engine's traffic patterns, throughput and reset (cocotb);
* :func:`proof_check`: a formal proof that a linear piece is implemented exactly.

Every task builds its design through :func:`~smelu_hw.verify.builds.design_build`, so a worker
builds each design once, and returns one of the results of :mod:`smelu_hw.verify.results`,
whose counts the caller checks against its plan.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from pathlib import Path

import numpy as np

from ..specs.pieces import LinearPiece
from .batch import batch_contract_outputs, batch_outputs
from .bench_io import FINDINGS
from .builds import BATCH, FORMAL, NATIVE, design_build, work_root
from .cocotb_run import (
    HANG_BASE_SECONDS,
    BenchError,
    bench_environment,
    read_summary,
    run_cocotb,
    run_limited,
)
from .compare import MAX_REPORTED, decode, first_codes, mismatch_records
from .contract import CONTRACT_CYCLES, contract_stimulus, judge_contract
from .design import Design
from .results import AxisResult, ContractResult, EngineResult, ProofResult, SweepResult, Throughput

__all__ = [
    "AXIS_TESTS",
    "axis_check",
    "cocotb_outputs",
    "contract_check",
    "engine_check",
    "proof_check",
    "sweep_shard",
]

BENCHES = "smelu_hw.verify.benches"
#: The cocotb tests of the AXI4-Stream bench (:mod:`smelu_hw.verify.benches.axis`).
AXIS_TESTS = ("axis_traffic", "axis_full_throughput", "axis_reset")
#: Beats the AXI4-Stream tests send, for their time limit.
AXIS_BEATS = 2000
#: Codes per second below which the native driver counts as hung (it runs millions).
NATIVE_MIN_RATE = 10_000


def _run_dir(folder: Path, label: str) -> Path:
    path = folder / f"run-{label}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    path.mkdir(parents=True)
    return path


def _cocotb(
    design: Design,
    simulator: str,
    module: str,
    tests: list[str],
    *,
    vectors: int,
    waves: bool = False,
    **env: object,
) -> tuple[Path, list[str]]:
    """Run cocotb ``tests`` of bench ``module`` on the design; return the run folder and the
    tests that failed (their summaries say what they found). ``vectors`` (codes, beats or
    cycles driven) sets the run's time limit (:func:`~smelu_hw.verify.cocotb_run.cocotb_limit`)."""
    folder = design_build(design, simulator, waves=waves)
    run = _run_dir(folder, module)
    failed = run_cocotb(
        toplevel=design.name,
        test_module=f"{BENCHES}.{module}",
        testcases=tests,
        build_dir=folder / "build",
        test_dir=run,
        simulator=simulator,
        env=bench_environment(manifest=folder / f"{design.name}.json", **env),
        waves=waves,
        vectors=vectors,
    )
    return run, failed


def _staged(codes: np.ndarray) -> Path:
    """``codes`` in a ``.npy`` file for a bench to read."""
    folder = work_root() / "codes"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{os.getpid()}-{uuid.uuid4().hex[:8]}.npy"
    np.save(path, np.asarray(codes, dtype=np.int64))
    return path


def _native_outputs(design: Design, codes: np.ndarray) -> np.ndarray:
    folder = design_build(design, NATIVE)
    run = _run_dir(folder, "native")
    codes.astype("<i8").tofile(run / "codes.bin")
    limit = HANG_BASE_SECONDS + len(codes) // NATIVE_MIN_RATE  # far beyond any real run: a hung unit fails
    late = BenchError(f"the native driver ran over {limit} CPU s in {run}")
    result = run_limited([str(folder / "obj" / "unit_driver"), "codes.bin", "out.bin"], run, limit, late)
    if result.returncode != 0:
        raise BenchError(f"the native driver failed with status {result.returncode} in {run}")
    raw = np.fromfile(run / "out.bin", dtype="<u4").astype(np.int64).reshape(-1, 3)
    for name in ("codes.bin", "out.bin"):
        (run / name).unlink()
    run.rmdir()
    return raw


def _batch_outputs(design: Design, codes: np.ndarray) -> np.ndarray:
    folder = design_build(design, BATCH)
    run = _run_dir(folder, "batch")
    raw = batch_outputs(folder, run, codes, design.manifest["input"]["bits"])
    shutil.rmtree(run)
    return raw


def cocotb_outputs(design: Design, simulator: str, codes: np.ndarray, *, waves: bool = False) -> Path:
    """Run the ``sweep`` bench on ``codes``; return its run folder (``sweep_out.npy``)."""
    staged = _staged(codes)
    try:
        run, failed = _cocotb(
            design, simulator, "activation", ["sweep"], vectors=len(codes), waves=waves, codes=staged
        )
    finally:
        staged.unlink()
    _summary(run, "sweep", failed)
    return run


def sweep_shard(design: Design, simulator: str, codes: np.ndarray) -> SweepResult:
    """Drive ``codes`` through the unit on ``simulator`` (or :data:`NATIVE`) and compare
    ``y``, ``dy`` and, when pipelined, ``out_valid`` with the golden model."""
    began = time.perf_counter()
    codes = np.asarray(codes, dtype=np.int64)
    if simulator == NATIVE:
        raw = _native_outputs(design, codes)
    elif simulator == BATCH:
        raw = _batch_outputs(design, codes)
    else:
        run = cocotb_outputs(design, simulator, codes)
        raw = np.load(run / "sweep_out.npy")
        shutil.rmtree(run)
    return _compare_sweep(design, simulator, codes, raw, began)


def _compare_sweep(
    design: Design, simulator: str, codes: np.ndarray, raw: np.ndarray, began: float
) -> SweepResult:
    if len(raw) != len(codes):
        raise BenchError(f"{len(raw)} results for {len(codes)} codes on {simulator}")
    y, dy = decode(design.manifest, raw)
    records, count, failed = mismatch_records(design.model, codes, y, dy)
    invalid = raw[:, 2] != 1
    count += int(invalid.sum())
    records += [
        [int(codes[i]), "out_valid", int(raw[i, 2]), 1] for i in np.flatnonzero(invalid)[:MAX_REPORTED]
    ]
    return SweepResult(
        count=len(codes),
        mismatch_count=count,
        failures=int((failed | invalid).sum()),
        mismatches=tuple(first_codes(records)),
        seconds=time.perf_counter() - began,
    )


def _summary(run: Path, name: str, failed: list[str]) -> dict:
    summary = read_summary(run, name)
    found = summary.get("mismatch_count") or summary.get("valid_error_count") or _stopped(summary)
    if name in failed and not found:
        raise BenchError(f"cocotb test {name} failed without a mismatch; see {run / 'sim.log'}")
    return summary


def _stopped(summary: dict) -> bool:
    """Whether a test stopped short on a finding (:data:`~.bench_io.FINDINGS`: a ``stall``, an ``x``)."""
    return any(summary.get(field) for field in FINDINGS)


def _findings(summaries: dict[str, dict]) -> list[list[object]]:
    """A record per test that stopped short, named by its finding (``stall`` or ``x``): one
    mismatch each, and the test's own later checks (throughput, reset) are not counted again."""
    return [
        [None, field, f"{name}: {summary[field]}", None]
        for name, summary in summaries.items()
        for field in FINDINGS
        if summary.get(field)
    ]


def contract_check(design: Design, simulator: str, seed: int = 1) -> ContractResult:
    """The valid/reset/latency contract of a pipelined unit, with results checked too: the
    cocotb bench on ``simulator``, or the same stimulus and judge on :data:`BATCH`."""
    began = time.perf_counter()
    if simulator == BATCH:
        folder = design_build(design, BATCH)
        run = _run_dir(folder, "contract")
        stimulus = contract_stimulus(design.model, design.latency, seed)
        rows = batch_contract_outputs(folder, run, stimulus, design.manifest["input"]["bits"])
        shutil.rmtree(run)
        summary = judge_contract(stimulus, design.manifest, design.model, rows)
    else:
        run, failed = _cocotb(
            design, simulator, "activation", ["pipeline_contract"], vectors=CONTRACT_CYCLES, seed=seed
        )
        summary = _summary(run, "pipeline_contract", failed)
    records = list(summary["mismatches"])
    records += [[None, "out_valid", message, None] for message in summary["valid_errors"]]
    return ContractResult(
        count=summary["checked"],
        mismatch_count=summary["mismatch_count"] + summary["valid_error_count"],
        failures=summary["failures"],
        mismatches=tuple(first_codes(records)),
        seconds=time.perf_counter() - began,
        cycles=summary["cycles"],
    )


def engine_check(
    design: Design, simulator: str, codes: np.ndarray, backward_beats: int, seed: int = 1
) -> EngineResult:
    """Every code in ``codes`` through the forward and gradient modes, ``backward_beats``
    random fused-backward beats, in random order under backpressure; then full throughput."""
    began = time.perf_counter()
    staged = _staged(codes)
    tests = ["engine_sweep", "engine_full_throughput"] + (["engine_reset"] if design.latency else [])
    try:
        vectors = 2 * len(codes) + backward_beats
        run, failed = _cocotb(
            design,
            simulator,
            "engine",
            tests,
            vectors=vectors,
            codes=staged,
            backward_beats=backward_beats,
            seed=seed,
        )
    finally:
        staged.unlink()
    summary = _summary(run, "engine_sweep", failed)
    full = read_summary(run, "engine_full_throughput")
    reset = read_summary(run, "engine_reset") if design.latency else None
    tests = {"engine_sweep": summary, "engine_full_throughput": full} | (
        {"engine_reset": reset} if reset else {}
    )
    found = _findings(tests)
    throughput = Throughput(beats=full["beats"], cycles=full["cycles"], latency=full["latency"])
    count, records = summary["mismatch_count"] + len(found), found + list(summary["mismatches"])
    if not throughput.sustained and not _stopped(full):  # a stall or an x is named once, as one
        count += 1
        records.append([None, "throughput", throughput.cycles, throughput.expected_cycles])
    elif "engine_full_throughput" in failed and count == 0:
        raise BenchError(f"engine_full_throughput failed; see {run / 'sim.log'}")
    if reset is not None:
        broken = _engine_reset_failures(reset)
        count += len(broken)
        records += [[None, "rst", message, None] for message in broken]
        if "engine_reset" in failed and not broken and not _stopped(reset):
            raise BenchError(f"engine_reset failed without a finding; see {run / 'sim.log'}")
    vectors = summary["vectors"]
    return EngineResult(
        count=sum(vectors.values()),
        mismatch_count=count,
        mismatches=tuple(records[:MAX_REPORTED]),
        seconds=time.perf_counter() - began,
        vectors=vectors,
        mode_mismatches=summary["per_mode"],
        throughput=throughput,
        reset=reset,
        stall=summary.get("stall"),
        undefined=summary.get("x"),
    )


def _engine_reset_failures(reset: dict) -> list[str]:
    """What the reset test saw that breaks SPEC §6.1's reset rule (beats missing after a
    finding that stopped the test are that finding, not also lost beats)."""
    lost = reset["beats_out_after_reset"] != reset["beats_sent_after_reset"]
    checks = {
        "o__valid was high after an edge with rst high": reset["valid_in_reset"],
        "a beat of before or during the reset came out": reset["wrong_beats_after_reset"]
        + reset["extra_beats"],
        "beats after the reset were lost": lost and not _stopped(reset),
    }
    return [message for message, failed in checks.items() if failed]


def proof_check(design: Design, piece: LinearPiece, low: int, high: int, timeout: int) -> ProofResult:
    """Prove that every code in ``low ..= high`` (inside ``piece``) gives the piece's values.

    The result holds the input code of a counterexample, if the proof found one, and
    ``timed_out_after`` if no proof came within ``timeout`` seconds.
    """
    from .formal import PROOF_ENGINE, ProofTimeout, prove_piece

    began = time.perf_counter()
    counterexample = timed_out_after = None
    try:
        counterexample = prove_piece(design, piece, low, high, design_build(design, FORMAL), timeout)
    except ProofTimeout:
        timed_out_after = timeout
    return ProofResult(
        codes=high - low + 1,
        engine=PROOF_ENGINE,
        seconds=time.perf_counter() - began,
        counterexample=counterexample,
        timed_out_after=timed_out_after,
    )


def _reset_failures(reset: dict) -> list[str]:
    """What the reset test saw that breaks SPEC §6.2's reset rule (beats missing after a
    finding that stopped the test are that finding, not also lost or unaccepted beats)."""
    stopped = _stopped(reset)
    checks = {
        "a handshake while aresetn was low or in the first cycle after it": reset["valid_in_reset"]
        + reset["ready_in_reset"],
        "m_axis_tvalid or s_axis_tready stayed high after aresetn fell": not reset["gated_at_once"],
        "a frame cut by the reset came out": reset["stale_frames"],
        "frames came out that were never sent": reset["extra_frames"],
        "beats after the reset were lost or repeated": reset["beats_out_after_reset"]
        != reset["beats_sent_after_reset"]
        and not stopped,
        "the design accepted other beats than were sent": reset["accept_mismatches"] and not stopped,
    }
    return [message for message, failed in checks.items() if failed]


def axis_check(design: Design, simulator: str, seed: int = 1) -> AxisResult:
    """The AXI4-Stream contract of ``design`` on cocotb: random beats under each crossing of
    the traffic patterns, full throughput, and a reset in the middle of a frame, every output
    beat's lanes, TUSER and TLAST compared with the model of its input beat."""
    began = time.perf_counter()
    run, failed = _cocotb(design, simulator, "axis", list(AXIS_TESTS), vectors=AXIS_BEATS, seed=seed)
    summaries = {name: read_summary(run, name) for name in AXIS_TESTS}
    full, reset = summaries["axis_full_throughput"], summaries["axis_reset"]
    throughput = Throughput(beats=full["output_beats"], cycles=full["cycles"], latency=design.latency)
    found = _findings(summaries)
    records = found + [record for summary in summaries.values() for record in summary["mismatches"]]
    # A test cut short by a stall or an x has only what it compared before (named once, as it);
    # one cut before its reset has no reset counts at all.
    broken = _reset_failures(reset) if "gated_at_once" in reset else []
    records += [[None, "aresetn", message, None] for message in broken]
    traffic = summaries["axis_traffic"]
    broken_traffic = 0 if _stopped(traffic) else traffic["accept_mismatches"] + traffic["extra_frames"]
    gaps = full["accept_gaps"] or full["output_gaps"]
    full_rate = _stopped(full) or (throughput.sustained and not gaps)
    if not full_rate:  # a stall or an x is named once, as one
        records.append([None, "throughput", throughput.cycles, throughput.expected_cycles])
        broken.append("throughput")
    count = sum(summary["mismatch_count"] for summary in summaries.values()) + len(broken) + broken_traffic
    count += len(found)
    if failed and count == 0:
        raise BenchError(f"cocotb tests {', '.join(failed)} failed without a mismatch; see {run / 'sim.log'}")
    shutil.rmtree(run)
    vectors = {mode: sum(s["vectors"][mode] for s in summaries.values()) for mode in traffic["vectors"]}
    return AxisResult(
        count=sum(vectors.values()),
        vectors=vectors,
        mismatch_count=count,
        mismatches=tuple(first_codes(records)[:MAX_REPORTED]),
        seconds=time.perf_counter() - began,
        crossings=tuple(traffic["crossings"]),
        throughput=throughput,
        reset={key: reset[key] for key in ("reset_cycles", "in_flight_at_reset", "edges_checked_in_reset")},
    )
