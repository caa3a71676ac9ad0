"""The typed results of the checks, and how the verifier turns them into certificate entries:
a proof that timed out is covered by its sampled fallback, a counterexample counts as a
mismatch, and nothing is found by position."""

from __future__ import annotations

import dataclasses
import pickle

import numpy as np
import pytest

from smelu_hw.verify import BenchError
from smelu_hw.verify import run as verify_run
from smelu_hw.verify.engine_run import EngineOutcome
from smelu_hw.verify.plan import Region
from smelu_hw.verify.results import ContractResult, EngineResult, ProofResult, SweepResult, Throughput

TAIL = Region("right tail", 1000, 1999, "proved")
ENGINE = "yosys sat (minisat)"
#: The keys of a region entry, in the order of the certificate (docs/SPEC.md §8).
HEAD = ["name", "low", "high", "codes", "method", "mismatch_count", "failing_codes"]


def proof(**outcome: object) -> ProofResult:
    return ProofResult(codes=TAIL.size, engine=ENGINE, seconds=1.23456, **outcome)


def test_a_proved_range_has_no_mismatch():
    entry = verify_run._region_entry(TAIL, proof())
    assert list(entry) == [*HEAD, "engine", "seconds"]
    assert (entry["method"], entry["mismatch_count"], entry["seconds"]) == ("proved", 0, 1.235)


def test_a_counterexample_is_a_mismatch_even_before_it_is_simulated():
    found = proof(counterexample=1500)
    assert found.disproved and found.mismatch_count == 1
    assert found.mismatches == ([1500, "proof", None, None],)
    entry = verify_run._region_entry(TAIL, found)
    assert list(entry) == [*HEAD, "engine", "seconds", "counterexample"]
    assert (entry["method"], entry["counterexample"], entry["mismatch_count"]) == ("disproved", 1500, 1)
    assert entry["failing_codes"] == 1


def test_a_simulated_counterexample_reports_what_the_simulation_found():
    shown = SweepResult(
        count=1, mismatch_count=2, failures=1, mismatches=([1500, "y", 3, 4], [1500, "dy", 0, 1])
    )
    found = proof(counterexample=1500).with_witness(shown)
    assert (found.mismatch_count, found.mismatches) == (2, shown.mismatches)
    # A difference that needs a sequence of inputs shows in no single-code run: still one mismatch.
    silent = proof(counterexample=1500).with_witness(SweepResult(count=1, failures=0))
    assert (silent.mismatch_count, silent.mismatches) == (1, ([1500, "proof", None, None],))


def test_a_proof_that_timed_out_is_covered_by_its_fallback():
    sampled = SweepResult(count=300, mismatch_count=5, failures=4, mismatches=([1001, "dy", 0, 1],))
    late = proof(timed_out_after=7)
    assert late.timed_out and late.mismatch_count == 0
    settled = late.with_fallback(sampled)
    assert late.fallback is None  # a new value: the unsettled result is unchanged
    entry = verify_run._region_entry(TAIL, settled)
    assert list(entry) == [*HEAD, "note", "checked"]
    assert entry["method"] == "sampled" and entry["note"] == "no proof within 7 CPU s; sampled instead"
    assert (entry["checked"], entry["mismatch_count"]) == (300, 5)
    assert settled.mismatches == sampled.mismatches


def test_a_timed_out_proof_without_its_fallback_is_a_failure_not_a_pass():
    with pytest.raises(BenchError, match="right tail: no proof in time, and no codes were sampled"):
        verify_run._region_entry(TAIL, proof(timed_out_after=7))


def test_a_proof_has_one_outcome():
    with pytest.raises(ValueError, match="a proof that timed out has no counterexample"):
        proof(counterexample=1500, timed_out_after=7)
    with pytest.raises(ValueError, match="only a proof that timed out has a sampled fallback"):
        proof().with_fallback(SweepResult(count=1, failures=0))
    with pytest.raises(ValueError, match="only a disproved range has a simulated counterexample"):
        proof(timed_out_after=7).with_witness(SweepResult(count=1, failures=0))


def test_settling_builds_new_results(monkeypatch):
    swept: list[list[int]] = []

    def sweep(design, sweeper, codes):
        swept.append(np.asarray(codes).tolist())
        return SweepResult(
            count=len(codes), mismatch_count=1, failures=1, mismatches=([int(codes[0]), "y", 0, 1],)
        )

    monkeypatch.setattr(verify_run, "sweep_shard", sweep)
    late, wrong, shards = (
        proof(timed_out_after=7),
        proof(counterexample=1500),
        [SweepResult(count=4, failures=0)],
    )
    settled = [verify_run._settled(None, "native", TAIL, item) for item in (late, wrong, shards, proof())]
    assert settled[0].fallback.count == len(verify_run.sample_codes_of(TAIL, "native")) == len(swept[0])
    assert min(swept[0]) == TAIL.low and max(swept[0]) == TAIL.high
    assert settled[1].witness.mismatches == ([1500, "y", 0, 1],) and swept[1] == [1500]
    assert settled[2] is shards and settled[3] == proof() and len(swept) == 2
    assert late.fallback is None and wrong.witness is None


def test_results_are_frozen_and_cross_processes():
    results = [
        SweepResult(count=3, failures=1, mismatches=([1, "y", 2, 3],)),
        ContractResult(count=400, cycles=600, failures=0),
        EngineResult(
            count=8,
            vectors={"forward": 4, "gradient": 4},
            mode_mismatches={"forward": 0, "gradient": 0},
            throughput=Throughput(beats=200, cycles=201, latency=1),
        ),
        proof(counterexample=1500).with_witness(SweepResult(count=1, failures=0)),
    ]
    for result in results:
        assert pickle.loads(pickle.dumps(result)) == result
        with pytest.raises(dataclasses.FrozenInstanceError):
            result.seconds = 1.0


def test_the_contract_text_comes_from_the_typed_results():
    class Unit:
        latency = 2

    text = verify_run._contract(Unit(), ContractResult(count=414, cycles=600, failures=0))["checked"]
    assert "(600 cycles, 414 results)" in text
    stream = EngineResult(
        count=0, vectors={}, mode_mismatches={}, throughput=Throughput(beats=200, cycles=202, latency=2)
    )
    native = EngineResult(
        count=0, vectors={}, mode_mismatches={}, throughput=Throughput(beats=5000, cycles=5003, latency=2)
    )
    contract = verify_run._engine_contract(Unit(), EngineOutcome([], [native, stream], stream, native=True))
    assert "full throughput: 200 beats in 202 cycles (latency 2)" in contract["checked"]
    assert "5,000 beats at one per cycle on the native driver" in contract["checked"]
    assert contract["failures"] == 1  # the native run took a cycle too many
    assert verify_run._contract(Unit(), None)["latency"] == 0


def test_throughput_is_one_beat_per_cycle_after_the_latency():
    assert Throughput(beats=200, cycles=203, latency=3).sustained
    late = Throughput(beats=200, cycles=204, latency=3)
    assert not late.sustained and late.expected_cycles == 203
