"""Verify one design: plan its regions, run the checks on an executor, write the certificate."""

from __future__ import annotations

import contextlib
import shutil
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor, Future
from pathlib import Path

import numpy as np

from ..executor import open_executor
from ..specs.pieces import codes_near_knots
from .builds import BATCH, NATIVE, design_build
from .certificate import Certificate, check_writable
from .checks import cocotb_outputs, contract_check, proof_check, sweep_shard
from .cmodel_check import CHeader, check_c_model, header_beside
from .cocotb_run import BenchError
from .compare import first_codes
from .design import Design, load_design
from .engine_run import EngineOutcome, verify_engine
from .formal import prover_available
from .plan import EXHAUSTIVE_CODES, RANDOM_SAMPLES, SAMPLE_MARGIN, Region, plan_regions
from .results import CheckResult, ContractResult, EngineResult, ProofResult, SweepResult
from .simulators import check_simulator, simulator_installed, tool_versions

__all__ = ["ExecutorUnavailable", "verify_design", "verify_manifest"]

#: Fewest codes per sweep shard, so a shard's start-up stays small against its work.
MIN_SHARD = 1 << 15
#: Seconds a proof may take before its region falls back to sampling.
PROOF_TIMEOUT = 120
#: Codes either side of the first mismatch that ``--waves`` traces.
WAVES_WINDOW = 32

#: How a region was covered: the results of its sweep shards, or its proof.
Covered = list[SweepResult] | ProofResult


class _InlineExecutor(Executor):
    """Runs each task at submission, in this process: one job needs no worker processes."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as error:
            future.set_exception(error)
        return future


class ExecutorUnavailable(Exception):
    """The Dask scheduler of ``--cluster`` cannot be reached (bad input, one line)."""


@contextlib.contextmanager
def _executor(jobs: int, cluster: str | None) -> Iterator[Executor]:
    if jobs == 1 and cluster is None:
        yield _InlineExecutor()
        return
    with contextlib.ExitStack() as stack:
        try:
            executor = stack.enter_context(open_executor(jobs, cluster))
        except ValueError as error:  # the scheduler cannot be reached
            raise ExecutorUnavailable(str(error)) from None
        yield executor


def _configuration(design: Design) -> dict[str, object]:
    keys = ("activation", "params", "input", "output", "grad", "rounding", "latency", "engine")
    return {key: design.manifest[key] for key in keys if key in design.manifest}


def _shards(codes: np.ndarray, jobs: int) -> list[np.ndarray]:
    # One worker runs the shards one after another: splitting would only repeat the start-up.
    count = 1 if jobs == 1 else max(1, min(2 * jobs, len(codes) // MIN_SHARD))
    return np.array_split(codes, count)


def _engine_contract(design: Design, outcome: EngineOutcome) -> dict[str, object]:
    """The certificate's ``contract`` of an engine: its stream under backpressure (cocotb), and
    full throughput there and in every native run."""
    stream = outcome.stream
    native = [r for r in outcome.results if isinstance(r, EngineResult) and r is not stream]
    short = sum(not result.throughput.sustained for result in [stream, *native])
    beats = sum(result.throughput.beats for result in native)
    checked = (
        f"stream handshakes under random source gaps and sink stalls, every beat in order; "
        f"full throughput: {stream.throughput.beats} beats in {stream.throughput.cycles} cycles "
        f"(latency {design.latency})"
    )
    if stream.reset:
        checked += f"; rst high for {stream.reset['reset_cycles']} cycles mid-stream, a beat offered on each"
    if native:
        checked += f", and {beats:,} beats at one per cycle on the native driver"
    # On cocotb alone, a mode's mismatches are its regions' failing inputs; what is left is the
    # stream's own. With the native driver covering the regions, all of cocotb's are the stream's.
    own = stream.mismatch_count - (0 if outcome.native else sum(stream.mode_mismatches.values()))
    return {"latency": design.latency, "checked": checked, "failures": own + short}


def _axis_contract(design: Design, outcome: EngineOutcome) -> dict[str, object]:
    """The certificate's ``contract`` of an AXI4-Stream engine: each crossing of the traffic
    patterns, full throughput and the reset (cocotb); and on the native driver, every beat's
    TUSER and TLAST at one beat per cycle."""
    axis = outcome.stream
    native = [result for result in outcome.results if isinstance(result, EngineResult)]
    sideband = sum(result.mismatch_count - sum(result.mode_mismatches.values()) for result in native)
    short = sum(not result.throughput.sustained for result in native)
    full = axis.throughput
    checked = (
        "AXI4-Stream: every output beat's lanes, TUSER and TLAST against its input beat under each "
        f"of the {len(axis.crossings)} crossings of the idle and the backpressure inserter (off, "
        f"periodic, random); full throughput: {full.beats} beats in {full.cycles} cycles (latency "
        f"{design.latency}); aresetn low for {axis.reset['reset_cycles']} cycles in the middle of a "
        f"frame ({axis.reset['in_flight_at_reset']} beat(s) in flight): no handshake in reset, no "
        "beat of before it after it, frames after it intact"
    )
    if native:
        beats = sum(result.throughput.beats for result in native)
        checked += (
            f"; and {beats:,} beats at one per cycle on the native driver, each with random user "
            "bits, TLAST and input padding bits, its TUSER and TLAST compared"
        )
    return {
        "latency": design.latency,
        "checked": checked,
        "patterns": [dict(crossing) for crossing in axis.crossings],
        "failures": axis.mismatch_count + sideband + short,
    }


def _contract(design: Design, result: ContractResult | None) -> dict[str, object]:
    """The certificate's ``contract`` of a unit: a pipelined unit's contract check, or none
    for a combinational unit."""
    if result is None:
        return {"latency": 0, "checked": "combinational: every output settles in one evaluation"}
    return {
        "latency": design.latency,
        "checked": (
            f"out_valid exactly {design.latency} cycle(s) after each accepted input under random "
            f"in_valid gaps and a synchronous reset mid-stream ({result.cycles} cycles, "
            f"{result.results} results); every swept code one per cycle at latency {design.latency}"
        ),
        "failures": result.failures,
    }


def _checked(region: Region, sweeps: Sequence[SweepResult], planned: int) -> int:
    """The codes ``sweeps`` compared, which must be the ``planned`` ones."""
    checked = sum(sweep.count for sweep in sweeps)
    if checked != planned:
        raise BenchError(f"{region.name}: {checked} codes compared, {planned} planned")
    return checked


def _region_entry(region: Region, covered: Covered) -> dict[str, object]:
    """The certificate's entry of ``region``, from its sweep shards or its settled proof."""
    entry: dict[str, object] = {"name": region.name, "low": region.low, "high": region.high}
    entry |= {"codes": region.size, "method": region.method}
    if not isinstance(covered, ProofResult):
        entry["mismatch_count"] = sum(sweep.mismatch_count for sweep in covered)
        entry["failing_codes"] = sum(sweep.failures for sweep in covered)  # the shards are disjoint
        return entry | {"checked": _checked(region, covered, len(region.codes))}
    entry["mismatch_count"] = covered.mismatch_count
    entry["failing_codes"] = covered.failures
    if covered.timed_out:  # no proof in time: the sampled fallback is the coverage
        if covered.fallback is None:
            raise BenchError(f"{region.name}: no proof in time, and no codes were sampled instead")
        note = f"no proof within {covered.timed_out_after} CPU s; sampled instead"
        return entry | {"method": "sampled", "note": note, "checked": covered.fallback.count}
    entry |= {"engine": covered.engine, "seconds": round(covered.seconds, 3)}
    if covered.disproved:
        entry |= {"method": "disproved", "counterexample": covered.counterexample}
    return entry


def sample_codes_of(region: Region, sweeper: str) -> np.ndarray:
    """The sampled fallback of a proved region: its ends' neighbourhoods and random codes."""
    count = RANDOM_SAMPLES["native" if sweeper == NATIVE else "cocotb"]
    return codes_near_knots((), region.low, region.high, margin=SAMPLE_MARGIN, count=count)


def _trace(design: Design, simulator: str, x: int, out_dir: Path) -> Path | None:
    """Rerun a window around ``x`` with tracing; copy the trace to ``out_dir``."""
    fmt = design.model.spec.fmt
    window = np.arange(max(fmt.min_code, x - WAVES_WINDOW), min(fmt.max_code, x + WAVES_WINDOW) + 1)
    run = cocotb_outputs(design, simulator, window, waves=True)
    folder = design_build(design, simulator, waves=True)
    traces = sorted(
        [*run.rglob("*.fst"), *run.rglob("*.vcd"), *folder.glob("build/*.fst"), *folder.glob("build/*.vcd")]
    )
    if not traces:
        return None
    target = out_dir / f"{design.name}{traces[-1].suffix}"
    shutil.copyfile(traces[-1], target)
    return target


def _sweeps_natively(design: Design, simulator: str) -> bool:
    """Whether the native driver should sweep: on Verilator always; on Icarus only where it
    covers more than the Icarus sweep would. Up to 2**24 codes it simulates every code, and
    beyond, a band wider than Icarus sweeps exhaustively. Where the Icarus plan is already as
    complete (a wide unit with a narrow band and proved tails), the Verilator build is spared."""
    if simulator == "verilator":
        return not design.is_engine or design.wire.native
    total = 1 << design.manifest["input"]["bits"]
    if design.is_engine:  # every lane, every pair: only the native driver is fast enough
        return design.wire.native and simulator_installed("verilator")
    if total <= EXHAUSTIVE_CODES["cocotb"]:
        return False
    if total > EXHAUSTIVE_CODES["native"]:
        icarus_plan = plan_regions(design.model.spec, False, can_prove=prover_available())
        if all(region.method != "sampled" for region in icarus_plan):
            return False
    return simulator_installed("verilator")


def _submit_regions(
    executor: Executor, design: Design, regions: list[Region], sweeper: str, jobs: int, proof_timeout: int
) -> list[Future | list[Future]]:
    """Per region, the future of its proof (a proved region) or of each of its sweep shards."""
    pending: list[Future | list[Future]] = []
    for region in regions:
        if region.method == "proved":
            task = (proof_check, design, region.piece, region.low, region.high, proof_timeout)
            pending.append(executor.submit(*task))
        else:
            shards = _shards(region.codes, jobs)
            pending.append([executor.submit(sweep_shard, design, sweeper, shard) for shard in shards])
    return pending


def _collect(pending: Future | list[Future]) -> Covered:
    return [future.result() for future in pending] if isinstance(pending, list) else pending.result()


def _settled(design: Design, sweeper: str, region: Region, covered: Covered) -> Covered:
    """A proof that timed out with its sampled fallback, and one with a counterexample with
    that code simulated, so that it is reported as the mismatch it is. Sweeps are final."""
    if not isinstance(covered, ProofResult):
        return covered
    if covered.timed_out:
        codes = sample_codes_of(region, sweeper)
        fallback = sweep_shard(design, sweeper, codes)
        _checked(region, [fallback], len(codes))
        return covered.with_fallback(fallback)
    if covered.disproved:
        return covered.with_witness(sweep_shard(design, sweeper, np.array([covered.counterexample])))
    return covered


def _results(covered: list[Covered]) -> list[CheckResult]:
    """Every result of the regions, proofs and sweep shards alike."""
    return [result for item in covered for result in ([item] if isinstance(item, ProofResult) else item)]


def verify_design(
    design: Design,
    *,
    simulator: str = "icarus",
    jobs: int = 1,
    cluster: str | None = None,
    seed: int = 1,
    proof_timeout: int = PROOF_TIMEOUT,
    native: bool | None = None,
    c_header: CHeader | None = None,
) -> Certificate:
    """Verify ``design`` against its golden model and return the certificate (not written).

    With ``c_header``, its C model is compiled and compared too
    (:func:`~smelu_hw.verify.cmodel_check.check_c_model`), into the certificate's ``c_model``.

    ``native`` chooses where code sweeps run: on the native Verilator driver (``True``), or
    through cocotb on ``simulator`` (``False``). By default (``None``) they run natively with
    ``simulator="verilator"``, and with Icarus wherever Verilator is installed and the native
    plan covers more: an input of more codes than cocotb sweeps exhaustively, up to 2**24
    codes, and beyond that a band too wide for Icarus (a narrow band with proved tails is
    swept on Icarus). Otherwise Icarus sweeps run on its batch driver
    (:mod:`smelu_hw.verify.batch`, a plain Verilog bench), and so does the latency contract
    of a pipelined unit. Otherwise that contract runs on cocotb, and an engine's stream
    contract always does, on ``simulator``.

    Raises
    ------
    SimulatorUnavailable
        If ``simulator`` is unknown or not installed.
    ExecutorUnavailable
        If ``cluster`` cannot be reached.
    BenchError
        If a check did not run as planned (never a pass).
    """
    began = time.perf_counter()
    check_simulator(simulator)
    batch = native is None and simulator == "icarus"
    native = _sweeps_natively(design, simulator) if native is None else native
    if native:
        check_simulator("verilator")
    sweeper = NATIVE if native else BATCH if batch else simulator
    regions: list[Region] = []
    outcome: EngineOutcome | None = None
    with _executor(jobs, cluster) as executor:
        c_check = None
        if c_header is not None:
            task = (check_c_model, design, c_header.text, c_header.name)
            c_check = executor.submit(*task, automatic=c_header.automatic, seed=seed)
        if design.is_engine:
            pending, extra = [], None
            options = {"native": native, "jobs": jobs, "seed": seed, "proof_timeout": proof_timeout}
            outcome = verify_engine(design, executor, simulator, **options)
        else:
            regions = plan_regions(design.model.spec, native, can_prove=prover_available())
            pending = _submit_regions(executor, design, regions, sweeper, jobs, proof_timeout)
            contractor = BATCH if batch else simulator
            extra = executor.submit(contract_check, design, contractor, seed) if design.latency else None
        found = [_collect(item) for item in pending]
        extra_result = extra.result() if extra is not None else None
        c_result = c_check.result() if c_check is not None else None
    covered = [_settled(design, sweeper, *pair) for pair in zip(regions, found, strict=True)]
    if outcome is not None:
        results, entries = outcome.results, outcome.regions
        contract = (_axis_contract if design.is_axis else _engine_contract)(design, outcome)
    else:
        results = _results(covered) + ([extra_result] if extra_result is not None else [])
        entries = [_region_entry(*pair) for pair in zip(regions, covered, strict=True)]
        contract = _contract(design, extra_result)
    mismatches = first_codes([record for result in results for record in result.mismatches])
    tools = tool_versions(simulator, native=native, prover=any(e["method"] == "proved" for e in entries))
    if c_result is not None:
        tools["cc"] = c_result.compiler
    return Certificate(
        module=design.name,
        sha256=design.sha256,
        configuration=_configuration(design),
        tools=tools,
        regions=entries,
        contract=contract,
        mismatch_count=sum(result.mismatch_count for result in results),
        mismatches=mismatches,
        complete=all(entry["method"] != "sampled" for entry in entries),
        wall_seconds=round(time.perf_counter() - began, 2),
        verilog_as_generated=design.as_generated,
        c_model=c_result.record() if c_result is not None else None,
    )


def verify_manifest(
    manifest: Path,
    *,
    out_dir: Path | None = None,
    simulator: str = "icarus",
    jobs: int = 1,
    cluster: str | None = None,
    waves: bool = False,
    proof_timeout: int = PROOF_TIMEOUT,
    native: bool | None = None,
    c_header: Path | None = None,
    find_c_header: bool = True,
) -> Certificate:
    """Verify the Verilog beside ``manifest`` and write its certificate into ``out_dir``
    (default: beside the manifest). With ``waves``, a mismatch also leaves a trace of the
    window around the first mismatching input there. The C model ``c_header`` is checked
    too, or without it (and with ``find_c_header``) ``MODULE.h`` beside the manifest if there
    is one. Other arguments as :func:`verify_design`.

    Raises
    ------
    DesignError
        If the manifest or the Verilog file is missing, corrupt or inconsistent.
    OutputFolderError
        If ``out_dir`` cannot take the certificate (checked before anything runs).
    CModelInputError
        If the header cannot be read or there is no C compiler (checked before anything runs).
    SimulatorUnavailable
        If ``simulator`` is unknown or not installed.
    BenchError
        If a check did not run as planned.
    """
    design = load_design(Path(manifest))
    header = None
    if c_header is not None:
        header = CHeader.read(c_header)
    elif find_c_header and (beside := header_beside(Path(manifest), design.name)) is not None:
        header = CHeader.read(beside, automatic=True)
    out_dir = Path(manifest).parent if out_dir is None else Path(out_dir)
    check_writable(out_dir)  # before the run, not after it
    options = {"jobs": jobs, "cluster": cluster, "proof_timeout": proof_timeout, "native": native}
    certificate = verify_design(design, simulator=simulator, c_header=header, **options)
    certificate.write(out_dir)
    if waves and certificate.mismatches and not design.is_engine:
        first = next((record[0] for record in certificate.mismatches if record[0] is not None), None)
        if first is not None:
            _trace(design, simulator, first, out_dir)
    return certificate
