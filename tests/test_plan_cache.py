"""Smooth-unit plans: the file cache returns exactly the searched plan, and can be turned off."""

from __future__ import annotations

from smelu_hw import QFormat, SoftplusSpec
from smelu_hw.approx import plans
from smelu_hw.approx.functions import left_value
from smelu_hw.approx.poly import search


def fresh(spec):
    plans.value_plan.cache_clear()
    return plans.value_plan(spec)


def test_cached_plan_equals_a_fresh_search(tmp_path, monkeypatch):
    monkeypatch.setenv("SMELU_HW_CACHE", str(tmp_path))
    spec = SoftplusSpec(fmt=QFormat(10, 5))
    first = fresh(spec)
    files = list(tmp_path.glob("plans/*.json"))
    assert len(files) == 1
    assert fresh(spec) == first  # read back from the file
    values = left_value("softplus", 1.0, plans.magnitudes(spec))
    assert first == search(values, 5, min_frac=5)
    files[0].write_text("{not json")
    assert fresh(spec) == first  # a damaged file is recomputed


def test_cache_off_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("SMELU_HW_CACHE", "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    fresh(SoftplusSpec(fmt=QFormat(9, 5)))
    assert not any(tmp_path.rglob("*"))
