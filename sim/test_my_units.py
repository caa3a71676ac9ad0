"""Example for your own CI: every unit in a folder equals its golden model, bit for bit.

Copy this file into your suite. The ``smelu_verify`` fixture comes with the package (a pytest
plugin), so nothing else is needed::

    pytest sim/test_my_units.py                      # the units in rtl/
    SMELU_UNITS=build/ pytest sim/test_my_units.py   # yours
    pytest sim/test_my_units.py --smelu-sim verilator -n auto

Each case writes its certificate into its temporary folder and fails on any mismatch, and on
an incomplete certificate where a complete one is possible (``can_be_complete``): for every
unit, at any width, and for an engine (``--lanes``) where Verilator is installed and every
``(x, g)`` pair of its fused backward is simulated or proved (docs/SPEC.md §8).
AXI4-Stream units (``--interface axis``) are verified on their own ports, like their engine.
"""

import os

import pytest

from smelu_hw.verify import can_be_complete, find_manifests

UNITS = os.environ.get("SMELU_UNITS", os.path.join(os.path.dirname(__file__), "..", "rtl"))


@pytest.mark.parametrize("manifest", find_manifests(UNITS), ids=lambda path: path.stem)
def test_unit_equals_its_golden_model(smelu_verify, manifest):
    smelu_verify(manifest, require_complete=can_be_complete(manifest))
