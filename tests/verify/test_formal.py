"""Formal proofs of linear tails: they prove what is right, refute what is wrong, can never
hold vacuously, and fall back to sampling when they take too long."""

from __future__ import annotations

from pathlib import Path

import pytest

from smelu_hw import GSmeLUSpec, QFormat, SmeLUSpec
from smelu_hw.gen import generate
from smelu_hw.verify import BenchError, load_design, verify_design
from smelu_hw.verify.builds import FORMAL, design_build
from smelu_hw.verify.formal import ProofTimeout, prove_piece

RTL = Path(__file__).resolve().parents[2] / "rtl"


def test_a_32_bit_generalized_smelu_gets_a_complete_certificate(tmp_path):
    # Also the 32-bit generalized unit of tests/sim/test_rtl_units.py (frac 12, floor: a band of
    # 15,872 codes, which Icarus simulates in seconds).
    spec = GSmeLUSpec(
        beta_left=1.5,
        beta_right=2.25,
        slope_left=0.0625,
        slope_right=0.9375,
        fmt=QFormat(32, 12),
        rounding="floor",
    )
    _, manifest = generate(spec).write(tmp_path)
    certificate = verify_design(load_design(manifest), jobs=1)
    assert certificate.verified and certificate.complete, certificate.summary()
    assert [region["method"] for region in certificate.regions] == ["proved", "exhaustive", "proved"]


def test_pipelined_tails_are_proved_after_the_pipeline_fills():
    design = load_design(RTL / "smelu_q16f8_beta512_rne_l2.json")
    folder = design_build(design, FORMAL)
    left, right = design.model.spec.linear_pieces()
    assert prove_piece(design, left, left.low, left.high - 256, folder) is None
    assert prove_piece(design, right, right.low + 256, right.high, folder) is None


def test_a_wrong_piece_is_refuted_with_a_counterexample_inside_the_range():
    design = load_design(RTL / "smelu_q16f8_beta512_rne_l2.json")
    _, right = design.model.spec.linear_pieces()
    wrong = type(right)(right.name, right.low, right.high, right.y, type(right.dy)(0, 255, 0))  # dy 255/256
    counterexample = prove_piece(design, wrong, 1000, 2000, design_build(design, FORMAL))
    assert counterexample is not None and 1000 <= counterexample <= 2000


def test_an_empty_range_is_an_error_not_a_proof():
    design = load_design(RTL / "smelu_q8f4_beta16_rne.json")
    left, _ = design.model.spec.linear_pieces()
    with pytest.raises(BenchError, match="unreachable"):
        prove_piece(design, left, -20, -30, design_build(design, FORMAL))


def test_a_proof_that_takes_too_long_falls_back_to_sampling(tmp_path, monkeypatch):
    def slow(*args, **kwargs):
        raise ProofTimeout("no proof within 1 s")

    monkeypatch.setattr("smelu_hw.verify.formal.prove_piece", slow)
    # beta of 256 codes: a band of 512 codes to simulate, beside tails of 2**31 codes each.
    _, manifest = generate(SmeLUSpec(beta=2**-8, fmt=QFormat(32, 16))).write(tmp_path)
    certificate = verify_design(load_design(manifest), jobs=1, proof_timeout=1)
    left, band, right = certificate.regions
    assert certificate.verified and not certificate.complete
    for tail in (left, right):
        assert tail["method"] == "sampled" and tail["note"] == "no proof within 1 CPU s; sampled instead"
        assert 0 < tail["checked"] < tail["codes"]
    assert band["method"] == "exhaustive"
