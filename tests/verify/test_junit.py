"""``--junit FILE``: the certificate as JUnit XML, a testcase per region and one for the contract."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

import pytest

from smelu_hw import QFormat, SmeLUSpec
from smelu_hw.gen import generate
from smelu_hw.verify.__main__ import main
from smelu_hw.verify.certificate import Certificate
from smelu_hw.verify.junit import junit_xml


def cases(text: str) -> dict[str, ElementTree.Element]:
    suite = ElementTree.fromstring(text)
    assert suite.tag == "testsuite" and suite.get("errors") == suite.get("skipped") == "0"
    found = {case.get("name"): case for case in suite.iter("testcase")}
    assert suite.get("tests") == str(len(found))
    assert suite.get("failures") == str(sum(case.find("failure") is not None for case in found.values()))
    return found


def test_a_verified_unit_is_a_passing_suite(tmp_path):
    _, manifest = generate(SmeLUSpec(fmt=QFormat(6, 3)), latency=1).write(tmp_path)
    report = tmp_path / "reports" / "unit.xml"
    assert main([str(manifest), "--jobs", "1", "--junit", str(report)]) == 0
    found = cases(report.read_text())
    assert set(found) == {"region all codes", "contract"}
    assert all(case.find("failure") is None for case in found.values())
    assert found["region all codes"].findtext("system-out") == "exhaustive, codes -32..31, 64 checked"


def certificate(regions, mismatch_count, contract=None):
    return Certificate(
        module="unit",
        sha256={},
        configuration={},
        tools={},
        regions=regions,
        contract=contract or {"latency": 2, "checked": "the contract"},
        mismatch_count=mismatch_count,
    )


def test_mismatches_a_counterexample_and_the_contract_fail_their_own_cases():
    regions = [
        {"name": "left tail", "low": -9, "high": -5, "codes": 5, "method": "disproved", "mismatch_count": 1,
         "counterexample": -7},
        {"name": "band", "low": -4, "high": 4, "codes": 9, "method": "exhaustive", "mismatch_count": 2,
         "checked": 9},
        {"name": "right tail", "low": 5, "high": 9, "codes": 5, "method": "proved", "mismatch_count": 0},
    ]  # fmt: skip
    found = cases(junit_xml(certificate(regions, mismatch_count=3 + 4)))
    assert "counterexample x = -7" in found["region left tail"].find("failure").get("message")
    assert found["region band"].find("failure").get("message").startswith("2 mismatch(es)")
    assert found["region right tail"].find("failure") is None
    assert found["contract"].find("failure").get("message") == "4 contract mismatch(es)"


@pytest.mark.parametrize("require_complete", [False, True])
def test_a_sampled_region_fails_only_when_completeness_is_required(require_complete):
    regions = [{"name": "forward mode", "codes": 9, "method": "sampled", "mismatch_count": 0, "checked": 4}]
    found = cases(junit_xml(certificate(regions, 0), require_complete=require_complete))
    assert found["region forward mode"].findtext("system-out") == "sampled, 4 checked"
    assert (found["region forward mode"].find("failure") is not None) == require_complete


def test_an_unwritable_junit_file_is_bad_input_before_the_run(tmp_path, capsys):
    _, manifest = generate(SmeLUSpec(fmt=QFormat(6, 3))).write(tmp_path)
    assert main([str(manifest), "--junit", str(tmp_path)]) == 2
    assert "is a folder, not a file" in capsys.readouterr().err
    assert main([str(manifest), "--junit", "/proc/1/x/unit.xml"]) == 2
    assert capsys.readouterr().err.startswith("smelu_hw.verify: error: cannot write")
    assert not list(tmp_path.glob("*.cert.json"))
