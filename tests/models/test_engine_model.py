"""The engine's golden beat: modes 0-2 are the model's forward, gradient and fused backward;
the reserved mode is refused."""

from __future__ import annotations

import numpy as np
import pytest

from smelu_hw import QFormat, SmeLU
from smelu_hw.models.engine import engine_results
from smelu_hw.specs import ENGINE_MODES, MODE_BITS, RESERVED_MODES

MODEL = SmeLU(2.0, fmt=QFormat(8, 4))
X = np.arange(-128, 128, dtype=np.int64)
G = np.resize(np.arange(-128, 128, 7, dtype=np.int64), X.shape)


def test_each_mode_is_its_model_operation():
    expected = {
        "forward": MODEL.forward(X),
        "gradient": MODEL.grad(X),
        "backward": MODEL.fused_backward(X, G),
    }
    for name, code in ENGINE_MODES.items():
        np.testing.assert_array_equal(engine_results(MODEL, code, X, G), expected[name])


def test_every_code_of_the_mode_field_is_either_a_mode_or_reserved():
    assert sorted([*ENGINE_MODES.values(), *RESERVED_MODES]) == list(range(1 << MODE_BITS))
    assert RESERVED_MODES == (3,)


@pytest.mark.parametrize("mode", [3, -1, 4])
def test_a_reserved_or_unknown_mode_is_refused(mode):
    with pytest.raises(
        ValueError,
        match=f"^mode must be one of 0 \\(forward\\), 1 \\(gradient\\), 2 \\(backward\\), not {mode}$",
    ):
        engine_results(MODEL, mode, X, G)
