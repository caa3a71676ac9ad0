"""Smooth-unit plans: the file cache returns exactly the searched plan, can be turned off, and
cannot go stale: its key is a hash of the search code and of everything the search reads."""

from __future__ import annotations

import numpy as np

from smelu_hw import QFormat, SoftplusSpec, SwishSpec
from smelu_hw.approx import plans
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
    values = SoftplusSpec.left_value(plans.magnitudes(spec), 1.0)
    assert first == search(values, 5, min_frac=5)
    files[0].write_text("{not json")
    assert fresh(spec) == first  # a damaged file is recomputed


def test_cache_off_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("SMELU_HW_CACHE", "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    fresh(SoftplusSpec(fmt=QFormat(9, 5)))
    assert not any(tmp_path.rglob("*"))


def test_an_edited_search_has_another_key():
    """A copy of the search with one constant changed, the same copy unchanged, and the search
    as installed: only the edit changes the key, so an old plan is never read for new code."""
    values = SoftplusSpec.left_value(plans.magnitudes(SoftplusSpec(fmt=QFormat(8, 4))), 1.0)
    source = plans.search_source()
    assert "MAX_DEGREE = 3" in source, "the search no longer has the constant this test edits"
    edited = source.replace("MAX_DEGREE = 3", "MAX_DEGREE = 2")
    key = plans.plan_key(values, 4, 4)
    assert plans.plan_key(values, 4, 4, source=str(source)) == key
    assert plans.plan_key(values, 4, 4, source=edited) != key


def test_the_key_covers_the_function_and_the_targets():
    """Another function, format, parameter or precision target is another key."""
    spec = SoftplusSpec(fmt=QFormat(8, 4))
    values = SoftplusSpec.left_value(plans.magnitudes(spec), 1.0)
    key = plans.plan_key(values, 4, 4)
    others = [
        plans.plan_key(SwishSpec.left_value(plans.magnitudes(spec), 1.0), 4, 4),
        plans.plan_key(SoftplusSpec.left_value(plans.magnitudes(spec), 2.0), 4, 4),
        plans.plan_key(SoftplusSpec.left_value(plans.magnitudes(SoftplusSpec(fmt=QFormat(8, 3))), 1.0), 4, 4),
        plans.plan_key(values, 5, 4),
        plans.plan_key(values, 4, 0),
        plans.plan_key(np.nextafter(values, 1.0), 4, 4),
    ]
    assert len({key, *others}) == 1 + len(others)
