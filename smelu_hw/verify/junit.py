"""``--junit FILE``: a certificate as JUnit XML, for CI dashboards.

One ``testsuite`` per run, named after the module. Each input region of the certificate is a
``testcase`` (its method and codes in ``system-out``), and so is the contract (the §6 latency
and reset contract, or an engine's stream checks). A region fails when it has mismatches or
its proof found a counterexample; the contract fails on the mismatches no region owns; with
``require_complete`` a ``sampled`` region fails too. Nothing is ever ``skipped``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

from .certificate import Certificate

__all__ = ["junit_xml"]


def _case(
    suite: ElementTree.Element, certificate: Certificate, name: str, seconds: float
) -> ElementTree.Element:
    return ElementTree.SubElement(
        suite, "testcase", {"classname": certificate.module, "name": name, "time": f"{seconds:.3f}"}
    )


def _c_model_cases(suite: ElementTree.Element, certificate: Certificate) -> int:
    """The C model's test cases (none without one); returns how many fail."""
    c_model = certificate.c_model
    if c_model is None:
        return 0
    if c_model["error"] is not None or not c_model["regions"]:
        case = _case(suite, certificate, "c model", float(c_model["seconds"]))
        ElementTree.SubElement(case, "system-out").text = f"{c_model['header']}: {c_model['compiler']}"
        message = (c_model["error"] or "nothing compared").splitlines()[0]
        ElementTree.SubElement(case, "failure", {"message": message}).text = c_model["error"]
        return 1
    failed = 0
    for region in c_model["regions"]:
        case = _case(suite, certificate, f"c model {region['name']}", 0.0)
        span = f", codes {region['low']}..{region['high']}" if "low" in region else ""
        text = f"{c_model['header']}: {region['method']}{span}, {region['checked']} compared"
        ElementTree.SubElement(case, "system-out").text = text
        if region["mismatch_count"]:
            failed += 1
            message = f"{region['mismatch_count']} mismatch(es) of the C model against the golden model"
            ElementTree.SubElement(case, "failure", {"message": message})
    return failed


def junit_xml(certificate: Certificate, *, require_complete: bool = False) -> str:
    """The JUnit XML text of ``certificate`` (see the module docstring)."""
    suite = ElementTree.Element("testsuite", {"name": f"smelu_hw.verify {certificate.module}"})
    failures = 0
    owned = 0
    for region in certificate.regions:
        case = _case(suite, certificate, f"region {region['name']}", float(region.get("seconds", 0.0)))
        span = f", codes {region['low']}..{region['high']}" if "low" in region and "high" in region else ""
        checked = f", {region['checked']} checked" if "checked" in region else ""
        ElementTree.SubElement(case, "system-out").text = f"{region['method']}{span}{checked}"
        count = int(region.get("mismatch_count", 0))
        owned += count
        if count or region["method"] == "disproved":
            failures += 1
            witness = region.get("counterexample")
            detail = f"; counterexample x = {witness}" if witness is not None else ""
            ElementTree.SubElement(
                case, "failure", {"message": f"{count} mismatch(es) against the golden model{detail}"}
            )
        elif require_complete and region["method"] == "sampled":
            failures += 1
            ElementTree.SubElement(case, "failure", {"message": "only sampled (--require-complete)"})
    failures += _c_model_cases(suite, certificate)
    contract = _case(suite, certificate, "contract", 0.0)
    ElementTree.SubElement(contract, "system-out").text = str(certificate.contract.get("checked", ""))
    unowned = certificate.mismatch_count - owned
    if unowned > 0:
        failures += 1
        ElementTree.SubElement(contract, "failure", {"message": f"{unowned} contract mismatch(es)"})
    suite.set("tests", str(len(suite.findall("testcase"))))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    suite.set("skipped", "0")
    suite.set("time", f"{certificate.wall_seconds:.3f}")
    ElementTree.indent(suite)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(suite, encoding="unicode") + "\n"
