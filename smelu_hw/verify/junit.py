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
    contract = _case(suite, certificate, "contract", 0.0)
    ElementTree.SubElement(contract, "system-out").text = str(certificate.contract.get("checked", ""))
    unowned = certificate.mismatch_count - owned
    if unowned > 0:
        failures += 1
        ElementTree.SubElement(contract, "failure", {"message": f"{unowned} contract mismatch(es)"})
    suite.set("tests", str(len(certificate.regions) + 1))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    suite.set("skipped", "0")
    suite.set("time", f"{certificate.wall_seconds:.3f}")
    ElementTree.indent(suite)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(suite, encoding="unicode") + "\n"
