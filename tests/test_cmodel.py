"""The generated C99 headers against the NumPy golden models, bit for bit.

Each case renders a header, compiles it with ``gcc -std=c99 -Wall -Wextra -Werror -pedantic``
together with a driver that streams input codes and the model's expected codes from binary
files, and requires zero mismatches: every code of formats up to 24 bits, and about 100k codes
(ends, knots and 0 with 64 neighbours each, random codes) of 32-bit formats.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from smelu_hw import ELU, GELU, GSmeLU, HardSwish, QFormat, ReLU, SmeLU, Softplus, Swish
from smelu_hw.cmodel import render_c_header
from smelu_hw.models import Activation, model_for
from smelu_hw.specs import ActivationSpec
from smelu_hw.specs.pieces import codes_near_knots

CFLAGS = ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic"]
CXXFLAGS = ["-std=c++17", "-Wall", "-Wextra", "-Werror"]
INT128_GUARD = "#if defined(__SIZEOF_INT128__)"

# Valid C99 and C++: streams x, y and dy in chunks and compares with the header's functions.
DRIVER = r"""
#include <stdint.h>
#include <stdio.h>
#include "@NAME@.h"

typedef @X_T@ x_t;
typedef @Y_T@ y_t;
typedef @DY_T@ dy_t;

enum { CHUNK = 1 << 16, SHOWN = 10 };
static x_t xs[CHUNK];
static y_t ys[CHUNK];
static dy_t dys[CHUNK];
static long long mismatches = 0;

static void report(long long x, const char *field, long long got, long long want)
{
    if (mismatches < SHOWN) {
        printf("mismatch x=%lld field=%s got=%lld want=%lld\n", x, field, got, want);
    }
    mismatches++;
}

int main(int argc, char **argv)
{
    FILE *fx, *fy, *fdy = NULL;
    long long checked = 0;
    size_t n, i;
    if (argc < 3) {
        return 2;
    }
    fx = fopen(argv[1], "rb");
    fy = fopen(argv[2], "rb");
    if (argc > 3) {
        fdy = fopen(argv[3], "rb");
    }
    if (!fx || !fy || (argc > 3 && !fdy)) {
        return 2;
    }
    while ((n = fread(xs, sizeof xs[0], CHUNK, fx)) > 0) {
        if (fread(ys, sizeof ys[0], n, fy) != n || (fdy && fread(dys, sizeof dys[0], n, fdy) != n)) {
            return 2;
        }
        for (i = 0; i < n; i++) {
            const int64_t x = (int64_t)xs[i];
            const int64_t y = @NAME@_forward(x);
            if (y != (int64_t)ys[i]) {
                report(x, "y", y, ys[i]);
            }
            if (fdy) {
                const int64_t dy = @GRAD@(x);
                if (dy != (int64_t)dys[i]) {
                    report(x, "dy", dy, dys[i]);
                }
            }
        }
        checked += (long long)n;
    }
    /* Documented: codes beyond the input format are saturated to it first. */
    if (@NAME@_forward(@NAME@_X_MIN - 1) != @NAME@_forward(@NAME@_X_MIN)) {
        report(@NAME@_X_MIN - 1, "clamp", @NAME@_forward(@NAME@_X_MIN - 1), @NAME@_forward(@NAME@_X_MIN));
    }
    if (@NAME@_forward(@NAME@_X_MAX + 1) != @NAME@_forward(@NAME@_X_MAX)) {
        report(@NAME@_X_MAX + 1, "clamp", @NAME@_forward(@NAME@_X_MAX + 1), @NAME@_forward(@NAME@_X_MAX));
    }
    printf("checked %lld mismatches %lld\n", checked, mismatches);
    return mismatches != 0;
}
"""


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


def code_dtype(fmt: QFormat) -> tuple[type, str]:
    """The narrowest of int32 and int64 holding every code of ``fmt``, as NumPy and C types."""
    if fmt.min_code >= -(1 << 31) and fmt.max_code < (1 << 31):
        return np.int32, "int32_t"
    return np.int64, "int64_t"


@dataclass
class Result:
    checked: int
    mismatches: int
    lines: list[str]
    returncode: int


def build(
    folder: Path, spec: ActivationSpec, compiler: str, *, with_grad: bool = True, cxx: bool = False
) -> Path:
    """Write ``unit.h`` and the driver into ``folder``, compile them, return the executable."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "unit.h").write_text(render_c_header(spec, "unit", with_grad=with_grad))
    y_type, dy_type = code_dtype(spec.out_fmt)[1], code_dtype(spec.grad_fmt)[1]
    driver = (
        DRIVER.replace("@NAME@", "unit")
        .replace("@X_T@", "int32_t")
        .replace("@Y_T@", y_type)
        .replace("@DY_T@", dy_type)
        .replace("@GRAD@", "unit_grad" if with_grad else "unit_forward")
    )
    source = folder / ("driver.cpp" if cxx else "driver.c")
    source.write_text(driver)
    program = folder / "driver"
    flags = CXXFLAGS if cxx else CFLAGS
    run = subprocess.run(
        [compiler, *flags, "-O2", "-o", str(program), str(source)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, f"{compiler} failed:\n{run.stderr}"
    return program


def run_driver(
    program: Path, folder: Path, codes: np.ndarray, y: np.ndarray, dy: np.ndarray | None
) -> Result:
    """Write the binaries, run the driver, parse its report."""
    files = [folder / "x.bin", folder / "y.bin"]
    codes.astype(np.int32).tofile(files[0])
    y.tofile(files[1])
    if dy is not None:
        files.append(folder / "dy.bin")
        dy.tofile(files[2])
    run = subprocess.run([str(program), *map(str, files)], capture_output=True, text=True, check=False)
    summary = re.search(r"checked (\d+) mismatches (\d+)", run.stdout)
    assert summary is not None, f"driver crashed ({run.returncode}):\n{run.stdout}\n{run.stderr}"
    lines = [line for line in run.stdout.splitlines() if line.startswith("mismatch ")]
    return Result(int(summary[1]), int(summary[2]), lines, run.returncode)


def expected(spec: ActivationSpec, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The golden model's output and gradient codes, in the arrays the driver reads."""
    model = model_for(spec)
    y = model.forward(codes).astype(code_dtype(spec.out_fmt)[0])
    dy = model.grad(codes).astype(code_dtype(spec.grad_fmt)[0])
    return y, dy


def check(folder: Path, spec: ActivationSpec, codes: np.ndarray, compiler: str, *, cxx: bool = False) -> None:
    """Build the header of ``spec`` and require zero mismatches on ``codes``."""
    program = build(folder, spec, compiler, cxx=cxx)
    y, dy = expected(spec, codes)
    result = run_driver(program, folder, codes, y, dy)
    assert result.mismatches == 0, "\n".join(result.lines)
    assert result.returncode == 0
    assert result.checked == codes.size


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
    result = run_driver(program, tmp_path, codes, y, dy)
    assert result.returncode == 1
    assert result.mismatches == 2
    assert result.lines == [
        f"mismatch x={codes[bad_dy]} field=dy got={dy[bad_dy] + 1} want={dy[bad_dy]}",
        f"mismatch x={codes[bad_y]} field=y got={y[bad_y] - 1} want={y[bad_y]}",
    ]


def test_forward_only_header(tmp_path: Path, gcc: str) -> None:
    spec = EXHAUSTIVE["gsmelu-leaky"]().spec
    text = render_c_header(spec, "unit", with_grad=False)
    assert "unit_grad" not in text and "unit_DY_" not in text
    codes = spec.fmt.codes()
    program = build(tmp_path, spec, gcc, with_grad=False)
    y, _ = expected(spec, codes)
    result = run_driver(program, tmp_path, codes, y, None)
    assert (result.checked, result.mismatches) == (codes.size, 0)


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
