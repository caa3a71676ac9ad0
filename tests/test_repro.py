"""The reproducibility study: backpropagation is right, the quantized activation is the golden
model's arithmetic, and the quick study runs end to end."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from smelu_hw import QFormat, SmeLU
from smelu_hw.approx.functions import smelu_float
from smelu_hw.repro.__main__ import main
from smelu_hw.repro.net import MLP, QuantizedActivation
from tests.reference import round_fraction, smelu


@pytest.mark.parametrize("normalize", [False, True])
def test_backpropagation_matches_finite_differences(normalize):
    # A float activation isolates the network's own calculus from the quantized steps.
    net = MLP([5, 7, 6, 3], lambda z: smelu_float(z, 2.0), init_seed=1, normalize=normalize)
    rng = np.random.default_rng(0)
    x, labels = rng.normal(size=(4, 5)), np.array([0, 2, 1, 2])

    def loss() -> float:
        p, _ = net.forward(x)
        return float(-np.mean(np.log(p[np.arange(4), labels])))

    grads = net.gradients(x, labels)
    for layer, (dw, _) in enumerate(grads):
        for i, j in ((0, 0), (1, 2)):
            weights, step = net.weights[layer], 1e-6
            weights[i, j] += step
            up = loss()
            weights[i, j] -= 2 * step
            down = loss()
            weights[i, j] += step
            assert abs((up - down) / (2 * step) - dw[i, j]) < 1e-6 * max(1.0, abs(dw[i, j]))


def test_the_quantized_activation_is_the_golden_models_arithmetic():
    # Q8.4 SmeLU with beta = 1: pre-activations off the grid, ties included, and beyond the
    # input range (saturated), against quantization and SPEC §3 done in Fractions.
    act = QuantizedActivation(SmeLU(1.0, fmt=QFormat(8, 4)))
    spec = act.model.spec
    z = np.arange(-9.0, 9.0, 1 / 64)
    value, slope = act(z)
    for zi, vi, si in zip(z, value, slope, strict=True):
        code = min(max(round_fraction(Fraction(zi) * 16, "rne"), -128), 127)
        exact_value, exact_slope = smelu(Fraction(code, 16), Fraction(1))
        want_value = min(max(round_fraction(exact_value * 16, "rne"), -128), 127)
        want_slope = min(round_fraction(exact_slope * (1 << spec.grad_frac), "rne"), spec.grad_fmt.max_code)
        assert (vi, si) == (Fraction(want_value, 16), Fraction(want_slope, 1 << spec.grad_frac)), zi
    assert len(z) == 1152


def test_quick_study_writes_table_plot_and_verdict(tmp_path):
    assert main(["--quick", "--out-dir", str(tmp_path), "--jobs", "2"]) == 0
    text = (tmp_path / "repro_quick.md").read_text()
    assert "| relu |" in text and "## Verdict" in text and "Best SmeLU" in text
    assert (tmp_path / "repro_quick_pd_vs_loss.png").read_bytes()[:4] == b"\x89PNG"
    assert len((tmp_path / "repro_quick.csv").read_text().splitlines()) == 5  # header + 4 arms


@pytest.mark.parametrize(
    ("args", "message"), [(["--bits", "3"], "bits must be"), (["--seeds", "1"], "--seeds")]
)
def test_bad_arguments_exit_2(tmp_path, capsys, args, message):
    assert main([*args, "--out-dir", str(tmp_path / "out")]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
