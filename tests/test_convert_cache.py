"""The conversion cache: a cached unit's Verilog is the text a fresh conversion gives, the
cache can be turned off, and it cannot go stale (its key hashes the package's code)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import smelu_hw
from smelu_hw import GSmeLUSpec, QFormat, SmeLUSpec, SwishSpec
from smelu_hw.gen import convert, generate

CONFIGURATIONS = {
    "smelu_l2": (SmeLUSpec(beta=1.5, fmt=QFormat(10, 5)), {"latency": 2}),
    "gsmelu_rom_fwd": (GSmeLUSpec(slope_left=0.25, fmt=QFormat(6, 3), method="rom"), {"with_grad": False}),
    "swish_poly": (SwishSpec(fmt=QFormat(8, 4)), {"latency": 1}),
    "engine": (SmeLUSpec(fmt=QFormat(8, 4)), {"lanes": 2, "latency": 1}),
    "axis": (SmeLUSpec(fmt=QFormat(8, 4)), {"lanes": 2, "interface": "axis", "user_bits": 3}),
}


@pytest.mark.parametrize("name", CONFIGURATIONS)
def test_a_cached_unit_is_the_fresh_conversion(name, tmp_path, monkeypatch):
    spec, kwargs = CONFIGURATIONS[name]
    monkeypatch.setenv("SMELU_HW_CACHE", "off")
    fresh = generate(spec, **kwargs).verilog
    monkeypatch.setenv("SMELU_HW_CACHE", str(tmp_path))
    stored = generate(spec, **kwargs).verilog
    (entry,) = tmp_path.glob("verilog/*.json")
    record = json.loads(entry.read_text())
    entry.write_text(json.dumps({**record, "value": record["value"] + "// read back\n"}))
    assert stored == fresh
    assert generate(spec, **kwargs).verilog == fresh + "// read back\n"  # this case did read it
    entry.write_text("{not json")
    assert generate(spec, **kwargs).verilog == fresh  # a damaged entry is converted again


def test_units_that_differ_in_any_argument_have_their_own_entries(tmp_path, monkeypatch):
    monkeypatch.setenv("SMELU_HW_CACHE", str(tmp_path))
    spec = SmeLUSpec(fmt=QFormat(8, 4))
    variants = [
        generate(spec),
        generate(spec, latency=1),
        generate(spec, with_grad=False),
        generate(spec, name="renamed"),
        generate(SmeLUSpec(fmt=QFormat(8, 4), rounding="floor")),
        generate(spec, lanes=1),
        generate(spec, lanes=2),
        generate(spec, lanes=1, interface="axis"),
        generate(spec, lanes=1, interface="axis", user_bits=1),
    ]
    assert len({unit.verilog for unit in variants}) == len(variants)
    assert len(list(tmp_path.glob("verilog/*.json"))) == len(variants)


def test_cache_off_converts_every_time(monkeypatch):
    monkeypatch.setenv("SMELU_HW_CACHE", "off")
    calls = []
    real = convert.verilog.convert
    monkeypatch.setattr(convert.verilog, "convert", lambda *a, **k: calls.append(1) or real(*a, **k))
    first, second = (generate(SmeLUSpec(fmt=QFormat(6, 3))) for _ in range(2))
    assert len(calls) == 2 and first.verilog == second.verilog


def test_edited_code_has_another_key(tmp_path):
    """A copy of the package with one constant of a component changed, the same copy unedited,
    and the package as installed: only the edit changes the digest, and so the key."""
    installed = Path(smelu_hw.__file__).parent
    copy = tmp_path / "smelu_hw"
    shutil.copytree(installed, copy, ignore=shutil.ignore_patterns("__pycache__"))
    digest = convert.package_digest()
    assert convert.source_digest(copy) == digest
    component = copy / "hw" / "arith.py"
    text = component.read_text()
    assert "TREE_CUT_STAGES = 2" in text, "the component no longer has the constant this test edits"
    component.write_text(text.replace("TREE_CUT_STAGES = 2", "TREE_CUT_STAGES = 3"))
    assert convert.source_digest(copy) != digest
    key = convert.conversion_key("unit", "top")
    assert convert.conversion_key("unit", "top", digest=convert.source_digest(copy)) != key
    assert convert.conversion_key("unit", "top", digest=digest) == key
    assert convert.conversion_key("unit", "other") != key != convert.conversion_key("other unit", "top")
