"""What each check of :mod:`smelu_hw.verify.checks` found, as frozen, picklable values.

A check returns one of five results, each with the vectors it compared, the mismatches it
found and the seconds it took:

* :class:`SweepResult`: input codes driven through the unit and compared with the model;
* :class:`ContractResult`: the pipelined valid/reset/latency contract;
* :class:`EngineResult`: a streaming engine in every mode, and its full-throughput run;
* :class:`CModelResult`: the C model (``MODULE.h``) compiled and compared with the golden model;
* :class:`ProofResult`: a formal proof over a linear piece. A proof that ran out of time is
  covered by a sampled sweep, and a counterexample is simulated so that it is reported as
  the mismatch it is; both are attached to the proof (:meth:`ProofResult.with_fallback`,
  :meth:`ProofResult.with_witness`) instead of standing beside it.

Mismatch records are ``[x, field, got, want]`` rows, as the certificate lists them. Results
are frozen, but shallowly: the records and per-mode counts are plain JSON-ready lists and dicts
(a ``MappingProxyType`` would not cross to a worker process), which no code changes in place.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = [
    "AxisResult",
    "CModelResult",
    "CheckResult",
    "ContractResult",
    "EngineResult",
    "ProofResult",
    "SweepResult",
    "Throughput",
]


@dataclass(frozen=True, kw_only=True)
class _Compared:
    """Vectors compared with the golden model, and what differed.

    Attributes
    ----------
    count : int
        Vectors compared.
    mismatch_count : int
        Every mismatching (input, field) pair found.
    mismatches : tuple of list
        The first few mismatches as ``[x, field, got, want]``.
    seconds : float
        Time the check took.
    """

    count: int
    mismatch_count: int = 0
    mismatches: tuple[list[object], ...] = ()
    seconds: float = 0.0


@dataclass(frozen=True, kw_only=True)
class SweepResult(_Compared):
    """Input codes driven through a unit, each compared with the golden model (``y``, ``dy``
    and, when pipelined, ``out_valid``); ``count`` is the number of codes.

    Attributes
    ----------
    failures : int
        Distinct input codes with any field wrong (``mismatch_count`` counts each field).
    """

    failures: int


@dataclass(frozen=True, kw_only=True)
class ContractResult(_Compared):
    """The valid/reset/latency contract of a pipelined unit under a random stream.

    Attributes
    ----------
    cycles : int
        Clock cycles of the random stream.
    failures : int
        Distinct failures: results with a wrong or undefined field, and edges whose
        ``out_valid`` is wrong.
    """

    cycles: int
    failures: int

    @property
    def results(self) -> int:
        """Results that came out and were checked (the ``count``)."""
        return self.count


@dataclass(frozen=True)
class Throughput:
    """An engine's run without gaps or backpressure.

    Attributes
    ----------
    beats : int
        Beats that came out.
    cycles : int
        Cycles they took.
    latency : int
        The engine's latency.
    """

    beats: int
    cycles: int
    latency: int

    @property
    def expected_cycles(self) -> int:
        """One beat per cycle: ``beats + latency``."""
        return self.beats + self.latency

    @property
    def sustained(self) -> bool:
        """Whether the engine took exactly :attr:`expected_cycles`."""
        return self.cycles == self.expected_cycles


@dataclass(frozen=True, kw_only=True)
class EngineResult(_Compared):
    """A streaming engine in every mode under backpressure, then at full throughput.

    ``count`` is the number of lane vectors compared, in every mode together.

    Attributes
    ----------
    vectors : Mapping[str, int]
        Lane vectors compared per mode (``forward``, ``gradient``, ``backward`` and, for an
        engine with reserved mode codes, ``reserved``).
    mode_mismatches : Mapping[str, int]
        Mismatching lane results per mode, with the same keys.
    throughput : Throughput
        The full-throughput run.
    reset : Mapping[str, object] or None
        What the mid-stream reset test saw (edges checked in reset, ``o__valid`` in reset,
        beats after it); ``None`` for a combinational engine, which has no ``rst``.
    stall : str or None
        What stopped the run's coverage stream, if it stalled (no beat moved for many cycles):
        :attr:`vectors` are then those compared before it, fewer than planned, and the stall is
        one of the mismatches (``stall``). ``None`` when every beat came through.
    undefined : str or None
        Likewise, what stopped it on an output with an ``x`` or ``z`` bit (cocotb on Icarus),
        a mismatch named ``x``; ``None`` otherwise.
    """

    vectors: Mapping[str, int]
    mode_mismatches: Mapping[str, int]
    throughput: Throughput
    reset: Mapping[str, object] | None = None
    stall: str | None = None
    undefined: str | None = None

    @property
    def cut_short(self) -> str | None:
        """A note on why the coverage stream stopped before its end (:attr:`stall` or
        :attr:`undefined`), or ``None``."""
        if self.stall:
            return f"{self.stall}; compared up to the stall"
        return f"{self.undefined}; compared up to the undefined value" if self.undefined else None


@dataclass(frozen=True, kw_only=True)
class AxisResult(_Compared):
    """The AXI4-Stream contract of an engine (``--interface axis``): every crossing of the
    idle and backpressure inserters' traffic patterns, full throughput, and a reset in the
    middle of a frame. ``count`` is the lane vectors compared in all three; ``mismatch_count``
    every contract failure (a wrong lane, TUSER or frame, a handshake in reset, a throughput
    shortfall).

    Attributes
    ----------
    vectors : Mapping[str, int]
        Lane vectors compared per mode, in all three tests.
    crossings : tuple of dict
        Per crossing: ``idle``, ``backpressure`` (pattern names), the ``frames`` and ``beats``
        compared, its ``mismatch_count`` and its ``accept_mismatches`` (frames the design took
        other than sent).
    throughput : Throughput
        The run without gaps or backpressure.
    reset : Mapping[str, object]
        What the reset test saw (handshakes in reset, beats in flight, stale frames).
    """

    vectors: Mapping[str, int]
    crossings: tuple[Mapping[str, object], ...]
    throughput: Throughput
    reset: Mapping[str, object]


@dataclass(frozen=True, kw_only=True)
class CModelResult(_Compared):
    """A unit's C model (``MODULE.h``, SPEC §5) compiled and compared with the golden model.

    ``count`` is every comparison in every region: input codes (forward and gradient), ``(x,
    g)`` pairs of an engine's fused backward, and payload vectors; ``mismatch_count`` every
    mismatching one. A header that does not compile, or a driver that crashes, has ``error``
    and compares nothing. Fail closed: :attr:`verified` needs comparisons and no mismatch.

    Attributes
    ----------
    header : str
        The header's file name (no folder: certificates hold no machine paths).
    sha256 : str
        Of the header's text as checked.
    automatic : bool
        Whether it was found beside the manifest (no ``--c``).
    compiler : str
        The compiler's version line.
    regions : tuple of dict
        Per region: ``name``, ``low``, ``high``, ``codes`` (or ``pairs``), ``method``
        (``exhaustive`` or ``sampled``), ``checked``, ``mismatch_count``, ``failing_codes``.
    failures : int
        Distinct failing inputs: codes, fused-backward ``x`` codes and payload vectors.
    error : str or None
        The compiler's message, or why the driver did not finish.
    """

    header: str
    sha256: str
    automatic: bool
    compiler: str
    regions: tuple[Mapping[str, object], ...] = ()
    failures: int = 0
    error: str | None = None

    @property
    def complete(self) -> bool:
        """Whether no region was only sampled (every code or pair of each was compared)."""
        return bool(self.regions) and all(region["method"] != "sampled" for region in self.regions)

    @property
    def verified(self) -> bool:
        """It compiled, compared every planned vector (else ``error`` says so), and nothing differed."""
        return self.error is None and self.count > 0 and self.mismatch_count == 0

    def record(self) -> dict[str, object]:
        """The certificate's ``c_model`` entry (SPEC §8)."""
        return {
            "header": self.header,
            "sha256": self.sha256,
            "automatic": self.automatic,
            "compiler": self.compiler,
            "verified": self.verified,
            "complete": self.complete,
            "error": self.error,
            "regions": [dict(region) for region in self.regions],
            "checked": self.count,
            "mismatch_count": self.mismatch_count,
            "failing_codes": self.failures,
            "mismatches": [list(record) for record in self.mismatches],
            "seconds": round(self.seconds, 2),
        }


@dataclass(frozen=True, kw_only=True)
class ProofResult:
    """A formal proof that every code of a range gives a linear piece's values.

    Exactly one of three outcomes: proved (``counterexample`` and ``timed_out_after`` are
    ``None``), disproved (``counterexample`` is an input code that shows the difference), or
    no answer within ``timed_out_after`` seconds.

    Attributes
    ----------
    codes : int
        Input codes in the range.
    engine : str
        The proof engine.
    seconds : float
        Time the proof took.
    counterexample : int or None
        An input code whose outputs differ from the piece's, if the proof failed.
    timed_out_after : int or None
        The time limit, in seconds, if no proof came within it.
    fallback : SweepResult or None
        The sampled sweep that covers the range of a proof that timed out
        (:meth:`with_fallback`).
    witness : SweepResult or None
        The simulation of the counterexample (:meth:`with_witness`).
    """

    codes: int
    engine: str
    seconds: float = 0.0
    counterexample: int | None = None
    timed_out_after: int | None = None
    fallback: SweepResult | None = None
    witness: SweepResult | None = None

    def __post_init__(self) -> None:
        if self.counterexample is not None and self.timed_out_after is not None:
            raise ValueError("a proof that timed out has no counterexample")
        if self.fallback is not None and self.timed_out_after is None:
            raise ValueError("only a proof that timed out has a sampled fallback")
        if self.witness is not None and self.counterexample is None:
            raise ValueError("only a disproved range has a simulated counterexample")

    @property
    def timed_out(self) -> bool:
        """Whether no proof came in time (the range is sampled instead)."""
        return self.timed_out_after is not None

    @property
    def disproved(self) -> bool:
        """Whether the proof found a counterexample."""
        return self.counterexample is not None

    def with_fallback(self, sweep: SweepResult) -> ProofResult:
        """This result with ``sweep``, the sampled codes that stand in for the proof."""
        return dataclasses.replace(self, fallback=sweep)

    def with_witness(self, sweep: SweepResult) -> ProofResult:
        """This result with ``sweep``, the simulation of its counterexample."""
        return dataclasses.replace(self, witness=sweep)

    @property
    def mismatch_count(self) -> int:
        """Mismatches in the range: the fallback's, or at least one for a counterexample
        (which may need a sequence of inputs to show, so its simulation can find none)."""
        if self.fallback is not None:
            return self.fallback.mismatch_count
        if self.counterexample is None:
            return 0
        return max(self.witness.mismatch_count if self.witness else 0, 1)

    @property
    def failures(self) -> int:
        """Distinct failing input codes in the range: the fallback's, or the counterexample."""
        if self.fallback is not None:
            return self.fallback.failures
        return 0 if self.counterexample is None else 1

    @property
    def mismatches(self) -> tuple[list[object], ...]:
        """The fallback's mismatches, or the counterexample's: as simulated, else as a
        ``[x, "proof", None, None]`` record."""
        if self.fallback is not None:
            return self.fallback.mismatches
        if self.counterexample is None:
            return ()
        if self.witness is not None and self.witness.mismatches:
            return self.witness.mismatches
        return ([self.counterexample, "proof", None, None],)


#: Any check's result.
CheckResult = SweepResult | ContractResult | EngineResult | AxisResult | CModelResult | ProofResult
