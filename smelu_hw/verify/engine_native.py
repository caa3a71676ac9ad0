"""A streaming engine, every lane and every vector, on the native Verilator driver.

The driver (``cpp/engine_driver.cpp``) streams at full throughput and gives each lane every
vector of each mode: the planned input codes through the forward and the gradient mode, and
every ``(x, g)`` pair of the planned x codes and upstream codes through the fused backward.
It compares every lane of every output beat, in order, with the golden model's results.

Those come from :meth:`~smelu_hw.models.base.Activation.fused_backward`, which is a function
of the model's gradient code ``DY(x)`` and ``g``: one table row per distinct ``DY`` holds the
results of every pair, so a table of ``classes x upstream codes`` stands for all ``x x g``
pairs without computing each one. (That the *hardware* also depends on ``x`` only through
``DY`` is not assumed: every pair is simulated.)

:func:`plan_engine` chooses the vectors: every code up to
:data:`~smelu_hw.verify.plan.EXHAUSTIVE_CODES` (native), and every pair up to
:data:`ENGINE_PAIRS`; beyond either, a sample that the certificate calls ``sampled``.
"""

from __future__ import annotations

import itertools
import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..models import Activation
from ..models.engine import engine_results
from ..specs import ActivationSpec
from ..specs.pieces import codes_near_knots
from .builds import NATIVE, design_build
from .cocotb_run import HANG_BASE_SECONDS, BenchError, run_limited
from .compare import MAX_REPORTED, first_codes
from .design import Design
from .plan import EXHAUSTIVE_CODES, KNOT_MARGIN, RANDOM_SAMPLES, SAMPLE_MARGIN
from .results import EngineResult, Throughput

__all__ = [
    "ENGINE_PAIRS",
    "BackwardRegion",
    "EnginePlan",
    "native_engine_check",
    "plan_engine",
    "sampled_backward",
]

#: Most ``(x, g)`` pairs whose fused backward every lane simulates one by one.
ENGINE_PAIRS = 1 << 28
#: Sampled x codes and upstream codes of a fused backward with more pairs than that.
SAMPLED_SIDE = 1 << 12
#: Beats in a reserved mode code, each with random lanes.
RESERVED_BEATS = 64
#: Beats per second below which the native engine driver counts as hung.
NATIVE_MIN_BEATS = 10_000
#: Table entries the golden model computes at a time.
TABLE_BLOCK = 1 << 22

_FIELDS = {"forward": "y", "gradient": "dy", "backward": "fused", "reserved": "reserved"}


@dataclass(frozen=True)
class BackwardRegion:
    """Input codes ``low ..= high`` of the fused backward, with every upstream code, and how
    they are covered: ``"exhaustive"`` or ``"sampled"`` (every pair of ``x`` and
    ``upstream`` is simulated), or ``"proved"`` (a linear tail whose gradient code is
    ``gradient_code``, :mod:`smelu_hw.verify.engine_formal`)."""

    name: str
    low: int
    high: int
    method: str
    x: np.ndarray | None = None
    upstream: np.ndarray | None = None
    gradient_code: int | None = None

    @property
    def pairs(self) -> int:
        """The ``(x, g)`` pairs simulated (per lane)."""
        return 0 if self.x is None else len(self.x) * len(self.upstream)


@dataclass(frozen=True)
class EnginePlan:
    """The vectors an engine's lanes each see on the native driver.

    Attributes
    ----------
    codes : numpy.ndarray
        Input codes of the forward and the gradient mode.
    codes_method : str
        ``"exhaustive"`` (every code) or ``"sampled"``.
    backward : tuple of BackwardRegion
        The fused backward's regions, in increasing order of x.
    """

    codes: np.ndarray
    codes_method: str
    backward: tuple[BackwardRegion, ...]


def sampled_backward(spec: ActivationSpec, name: str, low: int, high: int, seed: int = 1) -> BackwardRegion:
    """A sample of the pairs of ``low ..= high``: codes around the knots and ends, and random
    ones, crossed with a sample of the upstream codes."""
    out = spec.out_fmt
    side = {"margin": SAMPLE_MARGIN // 4, "count": SAMPLED_SIDE, "seed": seed}
    x = codes_near_knots(spec.knots(), low, high, **side)
    return BackwardRegion(
        name, low, high, "sampled", x, codes_near_knots((), out.min_code, out.max_code, **side)
    )


def _tail(model: Activation, name: str, low: int, high: int, seed: int) -> BackwardRegion:
    """A linear tail: proved where the model's gradient code is one constant on it."""
    gradients = np.unique(model.grad(np.arange(low, high + 1, dtype=np.int64)))
    if len(gradients) == 1:
        return BackwardRegion(name, low, high, "proved", gradient_code=int(gradients[0]))
    return sampled_backward(model.spec, name, low, high, seed)


def plan_engine(model: Activation, seed: int = 1) -> EnginePlan:
    """The native plan of an engine of ``model``: every code of the forward and gradient modes
    up to 2**24 codes; every pair of the fused backward up to :data:`ENGINE_PAIRS`, and beyond,
    every pair of the band between the linear tails with the tails proved (while the codes are
    exhaustive); else samples."""
    spec = model.spec
    fmt, out = spec.fmt, spec.out_fmt
    total, upstream = fmt.max_code - fmt.min_code + 1, out.codes()
    if total <= EXHAUSTIVE_CODES["native"]:
        codes, codes_method = fmt.codes(), "exhaustive"
    else:
        count = RANDOM_SAMPLES["native"]
        codes = codes_near_knots(spec.knots(), fmt.min_code, fmt.max_code, margin=SAMPLE_MARGIN, count=count)
        codes_method = "sampled"
    everything = ("backward mode (x, g pairs)", fmt.min_code, fmt.max_code)
    if total * len(upstream) <= ENGINE_PAIRS:
        return EnginePlan(
            codes, codes_method, (BackwardRegion(*everything, "exhaustive", fmt.codes(), upstream),)
        )
    pieces = spec.linear_pieces()
    if codes_method == "sampled" or not pieces:
        return EnginePlan(codes, codes_method, (sampled_backward(spec, *everything, seed),))
    low = max(fmt.min_code, pieces[0].high - KNOT_MARGIN)
    high = min(fmt.max_code, pieces[-1].low + KNOT_MARGIN)
    band = np.arange(low, high + 1, dtype=np.int64)
    name = "backward mode, nonlinear band and knots (x, g pairs)"
    regions = [
        BackwardRegion(name, low, high, "exhaustive", band, upstream)
        if len(band) * len(upstream) <= ENGINE_PAIRS
        else sampled_backward(spec, name, low, high, seed)
    ]
    if low > fmt.min_code:
        regions.insert(
            0, _tail(model, f"backward mode, {pieces[0].name} (x, g pairs)", fmt.min_code, low - 1, seed)
        )
    if high < fmt.max_code:
        regions.append(
            _tail(model, f"backward mode, {pieces[-1].name} (x, g pairs)", high + 1, fmt.max_code, seed)
        )
    return EnginePlan(codes, codes_method, tuple(regions))


def _lane_bits(values: np.ndarray, bits: int) -> np.ndarray:
    return (np.asarray(values, dtype=np.int64) & ((1 << bits) - 1)).astype("<u4")


def _write_table(
    design: Design, codes: np.ndarray, x: np.ndarray, upstream: np.ndarray, reserved: int, path: Path
) -> None:
    """The driver's input file: codes and the model's expected lane bits (see the driver)."""
    model, engine = design.model, design.manifest["engine"]
    modes, bits = engine["modes"], design.wire.lane_bits
    zeros = np.zeros(len(codes), dtype=np.int64)
    gradient_codes, klass = np.unique(model.grad(x), return_inverse=True)
    representative = x[np.unique(klass, return_index=True)[1]]
    rows = max(1, TABLE_BLOCK // max(1, len(upstream)))
    table = [
        _lane_bits(
            engine_results(
                model,
                modes["backward"],
                np.repeat(representative[start : start + rows], len(upstream)),
                np.tile(upstream, len(representative[start : start + rows])),
            ),
            bits,
        )
        for start in range(0, len(gradient_codes), rows)
    ]
    with open(path, "wb") as sink:
        for part in (
            np.array([len(codes)], dtype="<i8"),
            codes.astype("<i8"),
            _lane_bits(engine_results(model, modes["forward"], codes, zeros), bits),
            _lane_bits(engine_results(model, modes["gradient"], codes, zeros), bits),
            np.array([len(x)], dtype="<i8"),
            x.astype("<i8"),
            klass.astype("<u4"),
            np.array([len(upstream)], dtype="<i8"),
            upstream.astype("<i8"),
            np.array([len(gradient_codes)], dtype="<i8"),
            *table,
            np.array([reserved], dtype="<i8"),
            _lane_bits(np.array([engine.get("reserved_result", 0)]), bits),
        ):
            part.tofile(sink)


def _signed(value: int, bits: int) -> int:
    return value - (1 << bits) if value >> (bits - 1) else value


def _parse(output: str, bits: int, modes: dict[str, int]) -> tuple[dict[str, int], list[list[object]]]:
    """The driver's counts and mismatch records ``[x, field, got, want]`` (``bits``: a result
    lane's stride); a sideband record names its beat and TUSER/TLAST; a stalled run gives the
    counts ``stalled`` (beats out before it) and ``stall_cycles``."""
    names = {code: name for name, code in modes.items()}
    counts: dict[str, int] = {}
    records: list[list[object]] = []
    for line in output.splitlines():
        word, *values = line.split()
        if word == "mismatch":
            beat, mode, lane, x, g, got, want = map(int, values)
            name = names.get(mode, "reserved")
            detail = f" g={g}" if name == "backward" else ""
            field = f"{_FIELDS[name]} (lane {lane}{detail}, beat {beat})"
            records.append([x, field, _signed(got, bits), _signed(want, bits)])
        elif word == "tkeep":
            beat, got, want = map(int, values)
            records.append([None, f"m_axis_tkeep of beat {beat}", got, want])
        elif word == "tuser_tlast":
            beat, got_user, want_user, got_last, want_last = map(int, values)
            field = f"m_axis_tuser, m_axis_tlast of beat {beat}"
            records.append([None, field, [got_user, got_last], [want_user, want_last]])
        elif word == "stalled":
            counts["stalled"], counts["stall_cycles"] = int(values[0]), int(values[1])
        else:
            counts[word] = int(values[0])
    return counts, records


def native_engine_check(
    design: Design,
    codes: np.ndarray,
    x: np.ndarray | None = None,
    upstream: np.ndarray | None = None,
    *,
    reserved: bool = False,
) -> EngineResult:
    """Stream ``codes`` through the forward and the gradient mode, every pair of ``x`` and
    ``upstream`` through the fused backward and, with ``reserved``, :data:`RESERVED_BEATS`
    beats in a reserved mode code, each lane seeing every vector, on the native driver.

    Raises
    ------
    BenchError
        If the driver fails, runs past its time limit or compares fewer beats than planned
        without a stall. A stall (no output beat for many cycles) is a mismatch, ``stall``,
        and the result's :attr:`~.results.EngineResult.stall`: its vectors are those compared
        before it.
    """
    began = time.perf_counter()
    empty = np.zeros(0, dtype=np.int64)
    codes = np.asarray(codes, dtype=np.int64)
    x = empty if x is None else np.asarray(x, dtype=np.int64)
    upstream = empty if upstream is None else np.asarray(upstream, dtype=np.int64)
    engine, wire = design.manifest["engine"], design.wire
    lanes = wire.lanes
    reserved_beats = RESERVED_BEATS if reserved and engine.get("reserved_modes") else 0
    folder = design_build(design, NATIVE)
    run = folder / f"run-engine-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    run.mkdir()
    _write_table(design, codes, x, upstream, reserved_beats, run / "table.bin")
    beats = 2 * len(codes) + len(x) * len(upstream) + reserved_beats
    limit = HANG_BASE_SECONDS + beats // NATIVE_MIN_BEATS
    late = BenchError(f"the native engine driver ran over {limit} CPU s in {run}")
    result = run_limited([str(folder / "obj" / "unit_driver"), "table.bin"], run, limit, late)
    if result.returncode != 0:
        raise BenchError(f"the native engine driver failed with status {result.returncode} in {run}")
    (run / "table.bin").unlink()
    run.rmdir()
    counts, records = _parse(result.stdout, wire.out_stride, engine["modes"])
    stall = None
    if "stalled" in counts and counts.get("beats") == counts["stalled"] < beats:
        stall = (
            f"no output beat for {counts['stall_cycles']} cycles (stalled) at beat {counts['stalled']} "
            f"of {beats} on the native driver"
        )
        records.insert(0, [None, "stall", stall, None])
    elif counts.get("beats") != beats:
        raise BenchError(f"the native engine driver compared {counts.get('beats')} beats, {beats} planned")
    # The beats go forward, gradient, backward, reserved (in that order) up to the last compared.
    sizes = {"forward": len(codes), "gradient": len(codes), "backward": len(x) * len(upstream)}
    sizes |= {"reserved": reserved_beats} if reserved_beats else {}
    bounds = dict(zip(sizes, itertools.accumulate(sizes.values(), initial=0), strict=False))
    vectors = {
        mode: lanes * min(size, max(0, counts["beats"] - bounds[mode])) for mode, size in sizes.items()
    }
    mode_mismatches = {mode: counts[mode] for mode in vectors}
    return EngineResult(
        count=sum(vectors.values()),
        mismatch_count=sum(mode_mismatches.values()) + counts["sideband"] + (stall is not None),
        mismatches=tuple(first_codes(records)[:MAX_REPORTED]),
        seconds=time.perf_counter() - began,
        vectors=vectors,
        mode_mismatches=mode_mismatches,
        throughput=Throughput(beats=counts["beats"], cycles=counts["cycles"], latency=design.latency),
        stall=stall,
    )
