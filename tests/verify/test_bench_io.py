"""A bench and its runner agree on one set of conventions: the variables a runner sets are
the ones a bench reads, and a summary a bench writes is the one the runner reads."""

from __future__ import annotations

import json

import pytest

from smelu_hw.verify.bench_io import read_manifest, read_seed, summary_path, write_summary
from smelu_hw.verify.cocotb_run import bench_environment, read_summary


def test_a_bench_reads_what_its_runner_sets(tmp_path, monkeypatch):
    manifest = {"module": "unit", "latency": 2}
    (tmp_path / "unit.json").write_text(json.dumps(manifest))
    for name, value in bench_environment(manifest=tmp_path / "unit.json", seed=7).items():
        monkeypatch.setenv(name, value)
    assert read_manifest() == manifest
    assert read_seed() == 7


def test_the_seed_defaults_and_a_missing_manifest_is_named(monkeypatch):
    monkeypatch.delenv("SMELU_SEED", raising=False)
    monkeypatch.delenv("SMELU_MANIFEST", raising=False)
    assert read_seed() == 1 and read_seed(5) == 5
    with pytest.raises(
        LookupError, match=r"^SMELU_MANIFEST is not set: run the bench with bench_environment"
    ):
        read_manifest()


def test_the_runner_reads_the_summary_a_bench_writes(tmp_path, monkeypatch):
    summary = {"count": 3, "mismatch_count": 0, "mismatches": []}
    assert write_summary("sweep", summary, tmp_path) == summary_path(tmp_path, "sweep")
    assert read_summary(tmp_path, "sweep") == summary
    monkeypatch.chdir(tmp_path)  # cocotb runs a bench in its test folder
    write_summary("pipeline_contract", {"cycles": 600})
    assert (tmp_path / "pipeline_contract.json").read_text() == '{"cycles": 600}'
