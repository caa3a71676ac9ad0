"""The reproducibility study: backpropagation is right, the quantized activation is the golden
model's arithmetic, the float64 arm is the exact function, the staircase and the verdict say
what the numbers say, and the quick study runs end to end."""

from __future__ import annotations

import csv
import math
from fractions import Fraction
from itertools import pairwise

import mpmath
import numpy as np
import pytest

from smelu_hw import QFormat, SmeLU
from smelu_hw.approx.functions import activation_float, smelu_float
from smelu_hw.datasets import load_breast_cancer_split
from smelu_hw.repro.__main__ import main
from smelu_hw.repro.net import MLP, QuantizedActivation
from smelu_hw.repro.study import Arm, ArmResult, Study, gradient_staircase
from smelu_hw.repro.verdict import reduction_widths, verdict
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


def _hardswish(x: Fraction) -> tuple[Fraction, Fraction]:
    value = x * min(max(x + 3, Fraction(0)), Fraction(6)) / 6
    return value, (Fraction(0) if x < -3 else Fraction(1) if x > 3 else x / 3 + Fraction(1, 2))


def _mp_reference(name: str, beta: float) -> object:
    def function(x: Fraction) -> tuple[object, object]:
        with mpmath.workdps(40):
            z, b = mpmath.mpf(x.numerator) / x.denominator, mpmath.mpf(beta)
            if name == "softplus":
                return mpmath.log1p(mpmath.exp(b * z)) / b, 1 / (1 + mpmath.exp(-b * z))
            if name == "swish":
                s = 1 / (1 + mpmath.exp(-b * z))
                return z * s, s + b * z * s * (1 - s)
            phi = mpmath.ncdf(z)
            return z * phi, phi + z * mpmath.npdf(z)

    return function


@pytest.mark.parametrize(
    ("name", "beta", "reference"),
    [
        ("relu", None, lambda x: (max(x, Fraction(0)), Fraction(int(x > 0)))),
        ("smelu", 0.5, lambda x: smelu(x, Fraction(1, 2))),
        ("smelu", 4.0, lambda x: smelu(x, Fraction(4))),
        ("hardswish", None, _hardswish),
        ("swish", 0.5, _mp_reference("swish", 0.5)),
        ("softplus", 1.0, _mp_reference("softplus", 1.0)),
        ("gelu", None, _mp_reference("gelu", 1.0)),
    ],
)
def test_the_float64_arm_is_the_function_and_its_derivative(name, beta, reference):
    # Points on both sides of every kink and band edge, the kinks themselves, and far out.
    x = np.concatenate([np.arange(-9, 9, 0.125), [-3.0, -0.5, 0.0, 0.5, 3.0, -40.0, 40.0]])
    value, slope = activation_float(name, x, beta=beta)
    for xi, vi, si in zip(x, value, slope, strict=True):
        want_value, want_slope = reference(Fraction(xi))
        assert math.isclose(vi, float(want_value), rel_tol=1e-12, abs_tol=1e-14), (name, xi)
        assert math.isclose(si, float(want_slope), rel_tol=1e-12, abs_tol=1e-14), (name, xi)


def test_the_float64_arm_refuses_what_it_cannot_compute():
    with pytest.raises(ValueError, match="needs a beta"):
        activation_float("smelu", [0.0])
    with pytest.raises(ValueError, match="unknown smooth activation"):
        activation_float("tanh", [0.0])


@pytest.mark.parametrize(("beta", "bits"), [(0.25, 8), (0.5, 8), (4.0, 8), (1.0, 10), (0.5, 12)])
def test_the_gradient_staircase_is_measured_on_the_rounded_gradient(beta, bits):
    # Independently: every code from -beta to beta, the exact derivative in Fractions rounded
    # once to the gradient format (grad_frac = frac = bits // 2).
    frac = bits // 2
    exact_beta, scale = Fraction(beta), 1 << frac
    codes = range(math.floor(-exact_beta * scale), math.ceil(exact_beta * scale) + 1)
    gradient = [
        Fraction(round_fraction(smelu(Fraction(c, scale), exact_beta)[1] * scale, "rne"), scale)
        for c in codes
    ]
    staircase = gradient_staircase(beta, bits)
    assert staircase.largest_jump == max(abs(b - a) for a, b in pairwise(gradient))
    assert staircase.levels == len(set(gradient))
    assert staircase.codes_in_band == sum(abs(Fraction(c, scale)) < exact_beta for c in codes)
    assert staircase.exact_jump == 1 / (2 * beta * scale)


def test_at_q8_4_the_gradient_format_not_beta_sets_the_step():
    # beta = 0.25: 7 codes inside the band, the gradient rises by 1/8 per code; beta = 4: 127
    # codes, but a 4-fractional-bit gradient still rises in steps of 1/16, held for 8 codes.
    narrow, wide = gradient_staircase(0.25, 8), gradient_staircase(4.0, 8)
    assert (narrow.codes_in_band, narrow.largest_jump, narrow.levels) == (7, 0.125, 9)
    assert (wide.codes_in_band, wide.largest_jump, wide.levels) == (127, 0.0625, 17)


def _study(pd: dict[tuple[str, object], list[float]]) -> Study:
    arms = (Arm("relu", "relu"), Arm("smelu", "smelu", 1.0), Arm("gelu", "gelu"))
    results = [
        ArmResult(arm, bits, "digits", np.array(pd[arm.label, bits]), np.full(4, 0.9), np.full(4, 0.1))
        for arm in arms
        for bits in (8, 10, 16, None)
    ]
    return Study(results, ("digits",), (8, 10, 16), arms)


def test_the_verdict_reads_the_smallest_width_off_the_paired_intervals():
    relu = [1.0, 1.1, 0.9, 1.0]
    pd = {("relu", bits): relu for bits in (8, 10, 16, None)}
    pd |= {("smelu b=1", 8): [1.1, 1.0, 1.0, 1.1], ("smelu b=1", 10): [0.6, 0.65, 0.5, 0.6]}
    pd |= {("smelu b=1", 16): [0.5, 0.55, 0.45, 0.5], ("smelu b=1", None): [0.9, 1.2, 1.0, 0.8]}
    pd |= {("gelu", bits): [0.95, 1.2, 0.7, 1.1] for bits in (8, 10, 16, None)}
    study = _study(pd)
    assert reduction_widths(study, "digits", None) == ([10, 16], 10)
    assert reduction_widths(study, "digits", "gelu") == ([], None)
    text = "\n".join(verdict(study, []))
    assert "every wider one, is 10 bits** (Q10.5)" in text
    assert "gelu not at the widest width (significant at no width" in text
    assert "This contradicts the seed: in float64 too" in text
    assert "neither does any other smooth activation" in text
    # A gap in the middle is reported, and the smallest width then starts above it.
    pd[("smelu b=1", 8)] = [0.5, 0.55, 0.45, 0.5]
    pd[("smelu b=1", 10)] = [1.1, 1.0, 1.0, 1.1]
    study = _study(pd)
    assert reduction_widths(study, "digits", None) == ([8, 16], 16)
    assert "not contiguous: 8 and 16 bits are, 10 bits not" in "\n".join(verdict(study, []))


def test_the_second_dataset_is_standardized_and_split_the_same_way_every_time():
    x, y, x_eval, y_eval = load_breast_cancer_split()
    assert x.shape == (369, 30) and x_eval.shape == (200, 30) and set(y) | set(y_eval) == {0, 1}
    np.testing.assert_allclose(x.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(x.std(axis=0), 1, atol=1e-12)
    assert np.array_equal(load_breast_cancer_split()[3], y_eval)


def test_quick_study_writes_tables_plots_and_verdict(tmp_path):
    # Three epochs and two seeds instead of --quick's eight and three: the same tables, plots and
    # verdict (paired over two seeds), in less time.
    assert main(["--quick", "--epochs", "3", "--seeds", "2", "--out-dir", str(tmp_path), "--jobs", "2"]) == 0
    text = (tmp_path / "repro_quick.md").read_text()
    for needle in ("## Verdict", "Best SmeLU", "## digits", "## breast_cancer", "## Gradient staircase"):
        assert needle in text
    assert "| smelu b=2 | " in text and "| Q8.4 | Q16.8 | float64 |" in text
    for name in ("pd_vs_bits_digits", "pd_vs_bits_breast_cancer", "pd_vs_loss"):
        assert (tmp_path / f"repro_quick_{name}.png").read_bytes()[:4] == b"\x89PNG"
    rows = list(csv.DictReader((tmp_path / "repro_quick.csv").read_text().splitlines()))
    assert len(rows) == 2 * 3 * 3  # datasets x arms (relu, smelu b=2, swish b=0.5) x (8, 16, float64)
    assert {row["precision"] for row in rows} == {"Q8.4", "Q16.8", "float64"}
    assert all(row["ratio_relu_mean"] == "1.00000" for row in rows if row["arm"] == "relu")
    seeds = list(csv.DictReader((tmp_path / "repro_quick_seeds.csv").read_text().splitlines()))
    assert len(seeds) == 2 * len(rows) and {row["seed"] for row in seeds} == {"0", "1"}
    # The recommender setting (the default datasets include it).
    assert "## Recommender setting (recsys)" in text and "the best SmeLU (smelu b=2)" in text
    assert (tmp_path / "repro_quick_recsys.png").read_bytes()[:4] == b"\x89PNG"
    recsys = list(csv.DictReader((tmp_path / "repro_quick_recsys.csv").read_text().splitlines()))
    assert [(row["arm"], row["precision"]) for row in recsys] == [
        (arm, precision)
        for arm in ("relu", "smelu b=2", "swish b=0.5")
        for precision in ("Q8.4", "Q16.8", "float64")
    ]
    assert all(row["pd_ratio_mean"] == "1.00000" for row in recsys if row["arm"] == "relu")
    assert all(0 < float(row["swap_mean"]) < 1 and 0.5 < float(row["auc_mean"]) < 1 for row in recsys)
    per_seed = (tmp_path / "repro_quick_recsys_seeds.csv").read_text().splitlines()
    assert len(per_seed) == 1 + 2 * len(recsys)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--bits", "3"], "bits must be"),
        (["--bits", "8,20"], "--bits goes up to 16"),
        (["--bits", "8,8"], "a width twice"),
        (["--bits", "8,x"], "comma-separated list of integers"),
        (["--datasets", "mnist"], "--datasets must list"),
        (["--datasets", "digits,digits"], "--datasets must list"),
        (["--datasets", "recsys,recsys"], "--datasets must list"),
        (["--seeds", "1"], "--seeds"),
    ],
)
def test_bad_arguments_exit_2(tmp_path, capsys, args, message):
    assert main([*args, "--out-dir", str(tmp_path / "out")]) == 2
    error = capsys.readouterr().err
    assert message in error and error.count("\n") == 1
    assert not (tmp_path / "out").exists()
