"""The generated C99 headers against the NumPy golden models, bit for bit.

Each case renders a header, compiles it with ``gcc -std=c99 -Wall -Wextra -Werror -pedantic``
together with the verifier's C-model driver (:mod:`smelu_hw.verify.cdriver`), which streams
input codes and the model's expected codes, and requires zero mismatches: every code of formats
up to 24 bits, and about 100k codes (ends, knots and 0 with 64 neighbours each, random codes) of
32-bit formats.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from smelu_hw import ELU, GELU, GSmeLU, HardSwish, QFormat, ReLU, SmeLU, Softplus, Swish
from smelu_hw.cmodel import render_c_header
from smelu_hw.models import Activation, model_for
from smelu_hw.specs import ActivationSpec
from smelu_hw.specs.pieces import codes_near_knots
from smelu_hw.verify.cdriver import (
    CFLAGS,
    CompileError,
    DriverReport,
    clamp_block,
    codes_block,
    compile_driver,
    run_driver,
)

INT128_GUARD = "#if defined(__SIZEOF_INT128__)"


@pytest.fixture(scope="module")
def gcc() -> str:
    """The C compiler; its absence is a failure (``scripts/setup.sh --test`` installs it)."""
    path = shutil.which("gcc")
    if path is None:
        pytest.fail("gcc not found: the C model tests need it (run scripts/setup.sh --test)")
    return path


@pytest.fixture(scope="module")
def gxx() -> str:
    path = shutil.which("g++")
    if path is None:
        pytest.fail("g++ not found: the C model tests need it (run scripts/setup.sh --test)")
    return path


def quiet(factory: Callable[..., Activation], *args, **kwargs) -> ActivationSpec:
    """The spec of a model whose parameters may be off-grid, without the quantization warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return factory(*args, **kwargs)


def build(
    folder: Path, spec: ActivationSpec, compiler: str, *, with_grad: bool = True, cxx: bool = False
) -> Path:
    """Compile the header of ``spec`` (named ``unit``) with the verifier's C-model driver."""
    header = render_c_header(spec, "unit", with_grad=with_grad)
    try:
        return compile_driver(header, "unit", folder, with_grad=with_grad, compiler=compiler, cxx=cxx)
    except CompileError as error:
        pytest.fail(f"{compiler} failed:\n{error}")


def expected(spec: ActivationSpec, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The golden model's output and gradient codes."""
    model = model_for(spec)
    return model.forward(codes), model.grad(codes)


def run(program: Path, codes: np.ndarray, y: np.ndarray, dy: np.ndarray | None) -> DriverReport:
    """Stream ``codes`` with the expected codes, and the clamping check, through the driver."""
    return run_driver(program, [codes_block(codes, y, dy), clamp_block()], 3 * codes.size)


def check(folder: Path, spec: ActivationSpec, codes: np.ndarray, compiler: str, *, cxx: bool = False) -> None:
    """Build the header of ``spec`` and require zero mismatches (and exit 0) on ``codes``."""
    program = build(folder, spec, compiler, cxx=cxx)
    result = run(program, codes, *expected(spec, codes))
    assert result.mismatch_count == 0, result.records
    assert result.returncode == 0, result.stderr
    assert result.checked == codes.size + 2  # and the two codes beyond the ends


def sampled_codes(spec: ActivationSpec) -> np.ndarray:
    """Ends, knots and 0 with 64 neighbours each, and 100k random codes."""
    fmt = spec.fmt
    return codes_near_knots(spec.knots(), fmt.min_code, fmt.max_code, margin=64, count=100_000)


Q16 = QFormat(16, 8)

# Every code of each format (up to 24 bits).
EXHAUSTIVE = {
    "smelu-rne": lambda: SmeLU(2.0, fmt=Q16),
    "smelu-rna": lambda: SmeLU(2.0, fmt=Q16, rounding="rna"),
    "smelu-floor": lambda: SmeLU(2.0, fmt=Q16, rounding="floor"),
    "smelu-beta-1.5": lambda: SmeLU(1.5, fmt=Q16, rounding="rna"),
    "smelu-beta-0.3-off-grid": lambda: quiet(
        SmeLU, 0.3, fmt=Q16, out_fmt=QFormat(12, 5), grad_frac=6, rounding="floor"
    ),
    "smelu-coarse-saturating": lambda: SmeLU(2.0, fmt=Q16, out_fmt=QFormat(8, 3), grad_frac=4),
    "smelu-finer": lambda: SmeLU(
        0.75, fmt=QFormat(12, 6), out_fmt=QFormat(24, 20), grad_frac=15, rounding="rna"
    ),
    "smelu-wide-beta-saturating": lambda: SmeLU(
        100.0, fmt=Q16, out_fmt=QFormat(10, 4), grad_frac=12, rounding="floor"
    ),
    "smelu-24bit": lambda: SmeLU(2.0, fmt=QFormat(24, 12), rounding="rna"),
    "smelu-faithful": lambda: SmeLU(2.0, fmt=Q16, accuracy="faithful"),
    "smelu-faithful-finer-saturating": lambda: SmeLU(
        0.5, fmt=QFormat(12, 4), out_fmt=QFormat(10, 8), grad_frac=6, accuracy="faithful"
    ),
    "gsmelu-leaky": lambda: GSmeLU(1.0, 2.0, 0.0625, 1.0, fmt=Q16),
    "gsmelu-leaky-floor": lambda: quiet(
        GSmeLU, 0.5, 1.3, 0.1, 0.75, fmt=Q16, out_fmt=QFormat(12, 4), grad_frac=10, rounding="floor"
    ),
    "gsmelu-rna-fine": lambda: GSmeLU(
        0.25, 3.0, 0.5, 0.875, fmt=QFormat(12, 5), out_fmt=QFormat(20, 14), rounding="rna"
    ),
    "relu-coarse": lambda: ReLU(fmt=Q16, out_fmt=QFormat(12, 3)),
    "relu-finer-rna": lambda: ReLU(fmt=QFormat(8, 4), out_fmt=QFormat(16, 12), grad_frac=2, rounding="rna"),
    "relu-floor": lambda: ReLU(fmt=Q16, out_fmt=QFormat(10, 5), rounding="floor"),
    "hardswish": lambda: HardSwish(fmt=Q16),
    "hardswish-coarse-floor": lambda: HardSwish(
        fmt=QFormat(12, 6), out_fmt=QFormat(10, 3), grad_frac=3, rounding="floor"
    ),
    "hardswish-narrow-rna": lambda: HardSwish(
        fmt=QFormat(8, 7), out_fmt=QFormat(20, 18), grad_frac=9, rounding="rna"
    ),
    "swish-poly": lambda: Swish(fmt=QFormat(8, 4)),
    "swish-poly-beta": lambda: Swish(beta=1.702, fmt=QFormat(12, 6), rounding="rna"),
    "softplus-poly": lambda: Softplus(beta=2.0, fmt=QFormat(10, 5), out_fmt=QFormat(8, 4), grad_frac=6),
    "gelu-poly": lambda: GELU(fmt=QFormat(12, 6)),
    "gelu-poly-fine": lambda: GELU(fmt=QFormat(10, 8), out_fmt=QFormat(12, 10), grad_frac=11),
    "softplus-table": lambda: Softplus(fmt=QFormat(12, 6), method="table"),
    "gelu-table-coarse-in": lambda: GELU(
        fmt=QFormat(8, 2), out_fmt=QFormat(16, 12), grad_frac=13, method="table"
    ),
    "swish-table": lambda: Swish(fmt=QFormat(16, 8), out_fmt=QFormat(8, 3), grad_frac=5, method="table"),
    "elu-poly": lambda: ELU(fmt=QFormat(12, 6)),
    "elu-poly-fine-out": lambda: ELU(fmt=QFormat(10, 3), out_fmt=QFormat(12, 8), grad_frac=4, rounding="rna"),
    "elu-table": lambda: ELU(fmt=QFormat(10, 5), method="table"),
}


@pytest.mark.parametrize("case", sorted(EXHAUSTIVE))
def test_header_matches_model_on_every_code(case: str, tmp_path: Path, gcc: str) -> None:
    spec = EXHAUSTIVE[case]().spec
    assert spec.fmt.bits <= 24
    check(tmp_path, spec, spec.fmt.codes(), gcc)


Q32 = QFormat(32, 16)

# 32-bit formats: sampled. The flag says whether the spec's bounds require __int128.
SAMPLED = {
    "smelu32": (lambda: SmeLU(2.0, fmt=Q32), False),
    "smelu32-fine-out": (lambda: SmeLU(2.0, fmt=Q32, out_fmt=QFormat(32, 30), grad_frac=30), True),
    "smelu32-wide-beta": (lambda: SmeLU(30000.0, fmt=Q32, rounding="floor"), True),
    "smelu32-odd-beta-rna": (
        lambda: quiet(SmeLU, 0.1, fmt=QFormat(32, 24), out_fmt=QFormat(24, 12), rounding="rna"),
        False,
    ),
    "gsmelu32-leaky-fine-out": (
        lambda: GSmeLU(1.0, 2.0, 0.0625, 1.0, fmt=Q32, out_fmt=QFormat(32, 30)),
        True,
    ),
    "gsmelu32-default": (lambda: GSmeLU(fmt=Q32, rounding="floor"), True),
    "gsmelu32-coarse-frac": (
        lambda: GSmeLU(1.0, 1.5, 0.125, 0.75, fmt=QFormat(32, 8), rounding="rna"),
        False,
    ),
    # A denominator of 2**75: constants beyond 64 bits, and a saturating coarse output.
    "gsmelu32-tiny-beta": (
        lambda: GSmeLU(
            2.0**-20, 2.0**-19, 0.25, 0.5, fmt=QFormat(32, 31), out_fmt=QFormat(8, 0), grad_frac=29
        ),
        True,
    ),
}


@pytest.mark.parametrize("case", sorted(SAMPLED))
def test_header_matches_model_on_sampled_codes(case: str, tmp_path: Path, gcc: str) -> None:
    factory, wide = SAMPLED[case]
    spec = factory().spec
    codes = sampled_codes(spec)
    assert codes[0] == spec.fmt.min_code and codes[-1] == spec.fmt.max_code and 0 in codes
    assert codes.size > 100_000
    assert (INT128_GUARD in render_c_header(spec, "unit")) is wide
    check(tmp_path, spec, codes, gcc)


@pytest.mark.parametrize("case", ["gsmelu32-leaky-fine-out", "gelu-poly", "swish-table"])
def test_header_compiles_and_matches_as_cxx(case: str, tmp_path: Path, gxx: str) -> None:
    spec = SAMPLED[case][0]().spec if case in SAMPLED else EXHAUSTIVE[case]().spec
    codes = sampled_codes(spec) if spec.fmt.bits > 24 else spec.fmt.codes()
    check(tmp_path, spec, codes, gxx, cxx=True)


def test_driver_reports_a_wrong_expected_value(tmp_path: Path, gcc: str) -> None:
    spec = EXHAUSTIVE["smelu-rne"]().spec
    codes = spec.fmt.codes()
    program = build(tmp_path, spec, gcc)
    y, dy = expected(spec, codes)
    bad_y, bad_dy = 40000, 33000  # indices: codes 7232 (right tail) and 232 (quadratic region)
    y[bad_y] += 1
    dy[bad_dy] -= 1
    result = run(program, codes, y, dy)
    assert result.returncode == 1
    assert (result.mismatch_count, result.failing, result.checked) == (2, 2, codes.size + 2)
    assert list(result.records) == [  # in input order
        [int(codes[bad_dy]), "dy", 0, int(dy[bad_dy]) + 1, int(dy[bad_dy])],
        [int(codes[bad_y]), "y", 0, int(y[bad_y]) - 1, int(y[bad_y])],
    ]


def test_forward_only_header(tmp_path: Path, gcc: str) -> None:
    spec = EXHAUSTIVE["gsmelu-leaky"]().spec
    text = render_c_header(spec, "unit", with_grad=False)
    assert "unit_grad" not in text and "unit_DY_" not in text
    codes = spec.fmt.codes()
    program = build(tmp_path, spec, gcc, with_grad=False)
    y, _ = expected(spec, codes)
    result = run(program, codes, y, None)
    assert (result.checked, result.mismatch_count, result.returncode) == (codes.size + 2, 0, 0)


def test_int128_only_where_needed(tmp_path: Path, gcc: str) -> None:
    narrow = render_c_header(EXHAUSTIVE["smelu-24bit"]().spec, "narrow")
    assert "__int128" not in narrow and "_i128" not in narrow
    wide_spec = SAMPLED["smelu32-wide-beta"][0]().spec
    wide = render_c_header(wide_spec, "wide")
    assert wide.count("__int128") == 3  # the guard, the typedef and the #error
    assert '#error "wide.h needs a compiler with __int128 (GCC or Clang) for this configuration"' in wide
    (tmp_path / "wide.h").write_text(wide)
    (tmp_path / "use.c").write_text('#include "wide.h"\nint main(void) { return (int)wide_forward(0); }\n')
    run = subprocess.run(
        [gcc, *CFLAGS, "-U__SIZEOF_INT128__", "-fsyntax-only", str(tmp_path / "use.c")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode != 0
    assert "wide.h needs a compiler with __int128" in run.stderr


def test_header_text_is_deterministic_and_has_no_paths() -> None:
    cases = ["smelu-beta-0.3-off-grid", "gsmelu-leaky", "gelu-poly", "softplus-table"]
    texts = [render_c_header(EXHAUSTIVE[case]().spec, "unit") for case in cases]
    assert texts == [render_c_header(EXHAUSTIVE[case]().spec, "unit") for case in cases]
    program = (
        "import sys, warnings; warnings.simplefilter('ignore'); from tests.test_cmodel import EXHAUSTIVE;"
        "from smelu_hw.cmodel import render_c_header;"
        f"sys.stdout.write('\\0'.join(render_c_header(EXHAUSTIVE[c]().spec, 'unit') for c in {cases!r}))"
    )
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONHASHSEED": "12345", "SMELU_HW_CACHE": "off"}
    fresh = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True, cwd=root, env=env
    )
    assert fresh.stdout.split("\0") == texts
    for text in texts:
        assert "/tmp" not in text and str(Path.home()) not in text and str(root) not in text
        assert "generated by smelu_hw — bit-exact with the NumPy golden model; do not edit" in text
        assert "#ifndef SMELU_HW_unit_H" in text and text.endswith("#endif /* SMELU_HW_unit_H */\n")
    assert "beta_code=77" in texts[0] and "rounding:    floor" in texts[0]


@pytest.mark.parametrize("name", ["", "1unit", "my-unit", "a b", "unit.h"])
def test_bad_names_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="C identifier"):
        render_c_header(EXHAUSTIVE["smelu-rne"]().spec, name)
