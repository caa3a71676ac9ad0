"""The C model's certificate (SPEC §8): ``MODULE.h`` compiled and compared with the golden model.

:func:`check_c_model` compiles the header with the driver of :mod:`smelu_hw.verify.cdriver`
(``-std=c99 -Wall -Wextra -Werror -pedantic -O2``) and compares it with the golden model built
from the manifest, as the RTL checks are:

* forward and gradient: every code when the input format has at most 2**24 codes; beyond,
  the regions the RTL plan uses (:func:`~smelu_hw.verify.plan.plan_regions` on the native
  path), with the linear tails *sampled* (a C function is not proved), and the clamping of
  codes one beyond each end;
* an engine's ``MODULE_fused_backward(x, g)``: every ``(x, g)`` pair up to
  :data:`EXHAUSTIVE_PAIRS` pairs, else the sampled pairs of the RTL plan
  (:func:`~smelu_hw.verify.engine_native.sampled_backward`); ``MODULE_lane`` in every mode
  code; and the payload helpers on :data:`PAYLOAD_VECTORS` vectors against the field offsets
  of the engine's wire (:attr:`~smelu_hw.verify.design.Design.wire`, the manifest's).

The result is a :class:`~smelu_hw.verify.results.CModelResult`; a header that does not compile
is a failed result (not bad input), with the compiler's message.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..manifest import file_sha256
from ..models import Activation
from ..models.engine import engine_results
from ..specs.engine import MODE_BITS
from .cdriver import (
    CompileError,
    DriverReport,
    clamp_block,
    codes_block,
    compile_driver,
    compiler_version,
    find_compiler,
    pairs_block,
    payload_block,
    reserved_block,
    run_driver,
    table_block,
)
from .compare import MAX_REPORTED, first_codes
from .design import Design
from .engine_native import BackwardRegion, sampled_backward
from .plan import plan_regions
from .results import CModelResult

__all__ = [
    "EXHAUSTIVE_PAIRS",
    "PAYLOAD_VECTORS",
    "CHeader",
    "CModelInputError",
    "check_c_model",
    "header_beside",
    "read_header",
]

#: Most ``(x, g)`` pairs of the fused backward compared one by one.
EXHAUSTIVE_PAIRS = 1 << 24
#: Random payload vectors packed and unpacked (after two of every lane's extreme codes).
PAYLOAD_VECTORS = 256
#: Codes the golden model computes, and the driver reads, at a time.
CHUNK = 1 << 20


class CModelInputError(Exception):
    """The header cannot be read, or there is no C compiler (bad input, found before a run)."""


def read_header(path: Path) -> str:
    """The text of the header at ``path``, checked readable, with a compiler to compile it.

    Raises
    ------
    CModelInputError
        If it is missing or unreadable, or no C compiler is installed.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CModelInputError(f"cannot read C header {path}: {getattr(error, 'strerror', error)}") from None
    if find_compiler() is None:
        raise CModelInputError(f"no C compiler to check {path} with (set CC, or install cc or gcc)")
    return text


@dataclass(frozen=True)
class CHeader:
    """A header to check: its text as read, its file name, and whether it was found beside
    the manifest (no ``--c``)."""

    text: str
    name: str
    automatic: bool = False

    @classmethod
    def read(cls, path: Path, automatic: bool = False) -> CHeader:
        """The header at ``path`` (:func:`read_header`: readable, and a compiler installed).

        Raises
        ------
        CModelInputError
            If it cannot be checked.
        """
        return cls(read_header(path), Path(path).name, automatic)


def header_beside(manifest: Path, module: str) -> Path | None:
    """``MODULE.h`` beside the manifest, if there is one (checked automatically)."""
    path = Path(manifest).with_name(f"{module}.h")
    return path if path.is_file() else None


def _code_blocks(model: Activation, codes: np.ndarray, with_grad: bool) -> Iterator[np.ndarray]:
    for start in range(0, len(codes), CHUNK):
        x = codes[start : start + CHUNK]
        yield codes_block(x, model.forward(x), model.grad(x) if with_grad else None)


def _pair_region(model: Activation, seed: int) -> BackwardRegion:
    spec = model.spec
    fmt, out = spec.fmt, spec.out_fmt
    name = "fused backward (x, g pairs)"
    if (fmt.max_code - fmt.min_code + 1) * (out.max_code - out.min_code + 1) <= EXHAUSTIVE_PAIRS:
        return BackwardRegion(name, fmt.min_code, fmt.max_code, "exhaustive", fmt.codes(), out.codes())
    return sampled_backward(spec, name, fmt.min_code, fmt.max_code, seed)


def _pair_blocks(design: Design, region: BackwardRegion) -> Iterator[np.ndarray]:
    """The expected results by gradient class (the model's fused backward depends on x only
    through its gradient code), then every x with its class: the header computes every pair."""
    model, backward = design.model, design.manifest["engine"]["modes"]["backward"]
    gradients, classes = np.unique(model.grad(region.x), return_inverse=True)
    representative = region.x[np.unique(classes, return_index=True)[1]]
    n_g = len(region.upstream)
    x = np.repeat(representative, n_g)
    table = engine_results(model, backward, x, np.tile(region.upstream, len(representative)))
    yield table_block(region.upstream, table.reshape(len(gradients), n_g))
    yield pairs_block(region.x, classes)


def _payload(design: Design, seed: int) -> tuple[np.ndarray, int, int]:
    """Payload rows for the driver (see :func:`~.cdriver.payload_block`), with the words each
    vector packs to at the wire's offsets."""
    wire, spec = design.wire, design.model.spec
    lanes, fmt, out = wire.lanes, spec.fmt, spec.out_fmt
    in_words, out_words = -(-wire.in_bits // 64), -(-wire.out_bits // 64)
    rng = np.random.default_rng(seed)
    half = 1 << (wire.out_stride - 1)
    modes = _lane_values(rng, 0, (1 << MODE_BITS) - 1, 1)[:, 0]
    x = _lane_values(rng, fmt.min_code, fmt.max_code, lanes)
    g = _lane_values(rng, out.min_code, out.max_code, lanes)
    result = _lane_values(rng, -half, half - 1, lanes)
    rows = []
    for mode, xs, gs, rs in zip(modes, x, g, result, strict=True):
        packed = int(mode) << wire.mode_at
        for lane in range(lanes):
            packed |= (int(xs[lane]) & ((1 << wire.x_bits) - 1)) << (wire.x_at + lane * wire.x_stride)
            packed |= (int(gs[lane]) & ((1 << wire.g_bits) - 1)) << (wire.g_at + lane * wire.g_stride)
        output = sum(
            (int(r) & ((1 << wire.out_stride) - 1)) << (lane * wire.out_stride) for lane, r in enumerate(rs)
        )
        rows.append([int(mode), *xs, *gs, *_words(packed, in_words), *rs, *_words(output, out_words)])
    return np.array(rows, dtype=np.int64), in_words, out_words


def _lane_values(rng: np.random.Generator, low: int, high: int, lanes: int) -> np.ndarray:
    """Two vectors of every lane at ``low`` and at ``high``, then random values in between."""
    ends = np.array([[low] * lanes, [high] * lanes], dtype=np.int64)
    return np.concatenate([ends, rng.integers(low, high + 1, (PAYLOAD_VECTORS, lanes))])


def _words(value: int, count: int) -> list[int]:
    """``value`` as ``count`` 64-bit words, low first, each as a signed int64."""
    words = [(value >> (64 * i)) & ((1 << 64) - 1) for i in range(count)]
    return [word - (1 << 64) if word >> 63 else word for word in words]


def _record(record: list[object], lanes: int) -> list[object]:
    """A driver record ``[x, field, g, got, want]`` as the certificate's ``[x, field, got, want]``."""
    x, field, g, got, want = record
    if field in ("y", "dy"):
        return [x, field, got, want]
    if field in ("clamp_y", "clamp_dy"):
        return [x, f"{field[6:]} (clamped)", got, want]
    if field == "fused":
        return [x, f"fused (g={g})", got, want]
    if field == "lane_mode":
        return [x, f"lane (mode {g})", got, want]
    if field == "lane_backward":
        return [x, f"lane (backward, g={g})", got, want]
    if field == "reserved":
        return [None, f"lane (reserved mode {g})", got, want]
    if field in ("pack_in", "pack_out"):
        return [None, f"{field} (vector {x}, word {g})", got, want]
    if field == "unpack_in":
        name = "mode" if g < 0 else f"x[{g}]" if g < lanes else f"g[{g - lanes}]"
        return [None, f"unpack_in (vector {x}, {name})", got, want]
    if field == "unpack_out":
        return [None, f"unpack_out (vector {x}, result[{g}])", got, want]
    return [None, "IN_WORDS, OUT_WORDS", [got // 1000, got % 1000], [want // 1000, want % 1000]]


def _entry(name: str, low: int | None, high: int | None, size: dict[str, int], method: str) -> dict:
    span = {} if low is None else {"low": low, "high": high}
    return {"name": name, **span, **size, "method": method}


def check_c_model(
    design: Design,
    header: str,
    header_name: str,
    *,
    automatic: bool = False,
    compiler: str | None = None,
    flags: tuple[str, ...] = (),
    seed: int = 1,
) -> CModelResult:
    """Compile ``header`` (the text of ``header_name``) and compare it with ``design``'s model.

    Parameters
    ----------
    design : Design
        The manifest (and Verilog) as read; its golden model is the reference.
    header, header_name : str
        The header's text and file name.
    automatic : bool
        Whether it was found beside the manifest (recorded).
    compiler : str, optional
        The C compiler (default: :func:`~.cdriver.find_compiler`).
    flags : tuple of str
        Extra compiler flags (e.g. :data:`~.cdriver.SANITIZE`).
    seed : int
        Seed of the sampled codes and payload vectors.
    """
    began = time.perf_counter()
    model, manifest = design.model, design.manifest
    with_grad, engine = manifest["grad"] is not None, design.is_engine
    payload = engine and not design.is_axis  # an AXI4-Stream engine's header packs no payload
    base = {
        "header": header_name,
        "sha256": file_sha256(header),
        "automatic": automatic,
        "compiler": compiler_version(compiler),
    }
    with tempfile.TemporaryDirectory(prefix="smelu-cmodel-") as folder:
        try:
            program = compile_driver(
                header,
                design.name,
                Path(folder),
                with_grad=with_grad,
                engine=engine,
                payload=payload,
                compiler=compiler,
                flags=flags,
            )
        except CompileError as error:
            message = f"{header_name} does not compile with the driver:\n{error}"
            return CModelResult(count=0, error=message, seconds=time.perf_counter() - began, **base)
        runs: list[tuple[dict, DriverReport, int]] = []
        for region in plan_regions(model.spec, True, can_prove=False):
            report = run_driver(program, _code_blocks(model, region.codes, with_grad), 3 * len(region.codes))
            entry = _entry(region.name, region.low, region.high, {"codes": region.size}, region.method)
            runs.append((entry, report, len(region.codes)))
        report = run_driver(program, [clamp_block()], 2)
        runs.append(
            (_entry("one beyond each end (clamped)", None, None, {"codes": 2}, "exhaustive"), report, 2)
        )
        if engine:
            pairs = _pair_region(model, seed)
            report = run_driver(program, _pair_blocks(design, pairs), 2 * pairs.pairs)
            out = model.spec.out_fmt
            size = {"pairs": (pairs.high - pairs.low + 1) * (out.max_code - out.min_code + 1)}
            runs.append((_entry(pairs.name, pairs.low, pairs.high, size, pairs.method), report, pairs.pairs))
        if payload:
            rows, in_words, out_words = _payload(design, seed)
            reserved = manifest["engine"].get("reserved_result", 0)
            block = payload_block(reserved, 1 << MODE_BITS, in_words, out_words, rows)
            report = run_driver(program, [block], len(rows))
            name = "payload fields (pack and unpack)"
            runs.append((_entry(name, None, None, {"vectors": len(rows)}, "round trip"), report, len(rows)))
        elif engine:  # without payload helpers, the reserved mode codes on their own
            reserved = manifest["engine"].get("reserved_modes", [])
            result = manifest["engine"].get("reserved_result", 0)
            report = run_driver(program, [reserved_block(result, 1 << MODE_BITS)], len(reserved))
            entry = _entry("reserved mode codes", None, None, {"codes": len(reserved)}, "exhaustive")
            runs.append((entry, report, len(reserved)))
    regions, records, error = [], [], None
    for entry, report, planned in runs:
        if not report.finished and error is None:
            detail = report.stderr.strip().splitlines()[:20]
            error = (
                f"the C-model driver stopped (status {report.returncode}) in {entry['name']}:\n"
                + "\n".join(detail)
            )
        elif report.checked != planned and error is None:
            error = f"{entry['name']}: {report.checked} compared, {planned} planned"
        regions.append(
            entry
            | {
                "checked": max(report.checked, 0),
                "mismatch_count": report.mismatch_count,
                "failing_codes": max(report.failing, 0),
            }
        )
        records += [_record(record, design.wire.lanes if engine else 1) for record in report.records]
    return CModelResult(
        count=sum(region["checked"] for region in regions),
        mismatch_count=sum(region["mismatch_count"] for region in regions),
        mismatches=tuple(first_codes(records)[:MAX_REPORTED]),
        seconds=time.perf_counter() - began,
        regions=tuple(regions),
        failures=sum(region["failing_codes"] for region in regions),
        error=error,
        **base,
    )
