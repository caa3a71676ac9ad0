# amaranth: UnusedElaboratable=no
"""Parameter specs: quantization, defaults, and one-sentence errors naming parameter and range."""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from smelu_hw import GSmeLU, GSmeLUSpec, ParameterQuantizedWarning, QFormat, SmeLU, SmeLUSpec
from smelu_hw.models import model_for

R16 = QFormat(16, 8)


def test_smelu_spec_defaults_and_quantization():
    spec = SmeLUSpec(beta=2.0, fmt=R16)
    assert spec.beta_code == 512
    assert spec.out_fmt == R16
    assert spec.grad_fmt == QFormat(9, 8, signed=False)
    assert spec.rounding == "rne"
    assert spec.params() == {"beta": 2.0, "beta_code": 512, "beta_used": 2.0}
    assert SmeLUSpec(fmt=R16).beta_code == 256  # default beta = 1.0


@pytest.mark.parametrize(
    ("beta", "code", "used"),
    [
        (0.3, 77, 0.30078125),
        (Fraction(3, 512), 2, 0.0078125),
        (Fraction(5, 512), 2, 0.0078125),
        (1.001, 256, 1.0),
    ],
)
def test_off_grid_beta_rounds_to_nearest_even_with_a_warning(beta, code, used):
    message = re.escape(f"beta={beta!r} is not a multiple of 2**-8; using {used} (code {code})")
    with pytest.warns(ParameterQuantizedWarning, match=f"^{message}$"):
        spec = SmeLUSpec(beta=beta, fmt=R16)
    assert spec.beta_code == code
    assert spec.params()["beta_used"] == used


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"beta": Fraction(1, 512)}, r"beta must be between .* not Fraction\(1, 512\)"),  # ties to even: 0
        (
            {"beta": 0.001},
            r"beta must be between 0.00390625 and 127.99609375 \(codes 1 to 32767 in Q16.8\), not 0.001",
        ),
        (
            {"beta": 128.0},
            r"beta must be between 0.00390625 and 127.99609375 \(codes 1 to 32767 in Q16.8\), not 128.0",
        ),
        ({"beta": -1.0}, r"beta must be between .* not -1.0"),
        ({"beta": float("nan")}, "beta must be a finite real number, not nan"),
        ({"beta": float("inf")}, "beta must be a finite real number, not inf"),
        ({"rounding": "up"}, "rounding must be one of 'rne', 'rna', 'floor', not 'up'"),
        ({"grad_frac": 32}, "grad_frac must be an integer from 0 to 31, not 32"),
        ({"grad_frac": -1}, "grad_frac must be an integer from 0 to 31, not -1"),
        ({"fmt": QFormat(3, 1)}, "bits must be an integer from 4 to 32, not 3"),
        ({"fmt": QFormat(8, 8)}, "frac must be an integer from 0 to 7, not 8"),
        ({"fmt": QFormat(8, 4, signed=False)}, r"fmt must be signed, not UQ8.4"),
        ({"out_fmt": QFormat(3, 0)}, "out_bits must be an integer from 4 to 32, not 3"),
        ({"out_fmt": QFormat(8, 8)}, "out_frac must be an integer from 0 to 7, not 8"),
    ],
)
def test_smelu_spec_errors(kwargs, message):
    kwargs = {"fmt": R16, **kwargs}
    with pytest.raises(ValueError, match=f"^{message}$"):
        SmeLUSpec(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"beta": "2"}, "beta must be a finite real number, not '2'"),
        ({"beta": True}, "beta must be a finite real number, not True"),
        ({"fmt": (16, 8)}, r"fmt must be a QFormat, not \(16, 8\)"),
        ({"out_fmt": "Q16.8"}, "out_fmt must be a signed QFormat, not 'Q16.8'"),
        ({"grad_frac": 2.0}, "grad_frac must be an integer from 0 to 31, not 2.0"),
        ({"grad_frac": True}, "grad_frac must be an integer from 0 to 31, not True"),
    ],
)
def test_a_wrong_type_is_a_type_error(kwargs, message):
    kwargs = {"fmt": R16, **kwargs}
    with pytest.raises(TypeError, match=f"^{message}$"):
        SmeLUSpec(**kwargs)


def test_default_beta_needs_an_integer_bit():
    with pytest.raises(
        ValueError, match=r"^beta must be between 0.0078125 and 0.9921875 \(codes 1 to 127 in Q8.7\)"
    ):
        SmeLUSpec(fmt=QFormat(8, 7))


def test_gsmelu_spec_quantizes_every_parameter():
    spec = GSmeLUSpec(beta_left=1.0, beta_right=2.0, slope_left=0.0625, slope_right=1.0, fmt=R16)
    assert (spec.beta_left_code, spec.beta_right_code, spec.slope_left_code, spec.slope_right_code) == (
        256,
        512,
        16,
        256,
    )
    assert spec.grad_fmt == QFormat(9, 8, signed=False)
    assert spec.params()["slope_left_used"] == 0.0625


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"slope_left": -0.001}, "slope_left must be between 0 and 1, not -0.001"),
        ({"slope_right": 1.5}, "slope_right must be between 0 and 1, not 1.5"),
        ({"slope_right": float("nan")}, "slope_right must be a finite real number, not nan"),
        ({"beta_left": 0.0}, r"beta_left must be between 0.00390625 and 127.99609375 .*, not 0.0"),
        ({"beta_right": 200}, r"beta_right must be between 0.00390625 and 127.99609375 .*, not 200"),
    ],
)
def test_gsmelu_spec_errors(kwargs, message):
    with pytest.raises(ValueError, match=f"^{message}$"):
        GSmeLUSpec(fmt=R16, **kwargs)


def test_specs_are_frozen():
    spec = SmeLUSpec(fmt=R16)
    with pytest.raises(AttributeError):
        spec.beta_code = 3


def test_models_reject_codes_outside_the_input_format():
    model = SmeLU(2.0, fmt=R16)
    with pytest.raises(ValueError, match=r"^x code 32768 is outside Q16.8 \(codes -32768 to 32767\)$"):
        model.forward(np.array([0, 32768]))
    with pytest.raises(ValueError, match=r"^x code -32769 is outside Q16.8"):
        model.grad([-32769])
    with pytest.raises(TypeError, match="^x must be an integer array of codes, not dtype float64$"):
        GSmeLU(fmt=R16).forward(np.array([1.5]))


def test_models_keep_shape_and_accept_scalars_and_lists():
    model = SmeLU(2.0, fmt=R16)
    assert model.forward(np.zeros((3, 4), dtype=np.int32)).shape == (3, 4)
    assert model.forward(512).tolist() == 512 and model.grad([-512, 0, 512]).tolist() == [0, 128, 256]
    assert model.forward(np.array([], dtype=np.int64)).shape == (0,)


@pytest.mark.parametrize(
    "build",
    [
        lambda: SmeLUSpec(beta=0.3, fmt=R16),
        lambda: SmeLU(0.3, fmt=R16),
        lambda: GSmeLU(beta_left=0.3, fmt=R16),
        lambda: GSmeLUSpec(beta_right=0.3, fmt=R16),
    ],
    ids=["spec", "model", "gsmelu model", "gsmelu spec"],
)
def test_the_quantization_warning_points_at_the_callers_line(build):
    with pytest.warns(ParameterQuantizedWarning) as caught:
        build()
    assert [Path(warning.filename).name for warning in caught] == [Path(__file__).name]


@pytest.mark.parametrize("model", [SmeLU, GSmeLU])
def test_a_model_of_the_wrong_spec_type_is_a_type_error(model):
    other = GSmeLUSpec(fmt=R16) if model is SmeLU else SmeLUSpec(fmt=R16)
    with pytest.raises(TypeError, match=f"^spec must be a {model.__name__}Spec, not "):
        model.from_spec(other)
    with pytest.raises(TypeError, match="^spec must be an activation spec, not 'smelu'"):
        model_for("smelu")


@pytest.mark.parametrize(
    ("latency", "error", "message"),
    [
        (-1, ValueError, "latency must be 0 or more, not -1"),
        (True, TypeError, "latency must be an integer, not True"),
        (1.5, TypeError, "latency must be an integer, not 1.5"),
        ("2", TypeError, "latency must be an integer, not '2'"),
    ],
)
def test_latency_is_checked_once_for_units_engines_and_the_cli(latency, error, message):
    """One check (``operator.index``; a bool is no integer) for every component that takes a
    latency, and for ``generate``, whose CLI spells the parameter as ``--latency``."""
    from smelu_hw.gen import generate
    from smelu_hw.hw import SmeLUUnit
    from smelu_hw.hw.axis import AxiStreamEngine
    from smelu_hw.hw.engine import StreamEngine
    from smelu_hw.specs import check_latency

    spec = SmeLUSpec(fmt=QFormat(8, 4))
    builds = [
        lambda: check_latency(latency),
        lambda: SmeLUUnit(spec, latency=latency),
        lambda: StreamEngine(spec, 2, SmeLUUnit, latency),
        lambda: AxiStreamEngine(spec, 2, SmeLUUnit, latency),
        lambda: generate(spec, latency=latency),
    ]
    for build in builds:
        with pytest.raises(error, match=f"^{message}$"):
            build()
    assert check_latency(np.int64(3)) == 3 and type(check_latency(np.int64(3))) is int
