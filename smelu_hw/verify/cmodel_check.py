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
  code; and the pack/unpack helpers on :data:`PAYLOAD_VECTORS` vectors (and the extremes):
  a stream engine's payloads against the field offsets of the engine's wire
  (:attr:`~smelu_hw.verify.design.Design.wire`, the manifest's), an AXI4-Stream engine's
  TDATA and TUSER against the words the cocotb bench sends and expects
  (:class:`~smelu_hw.verify.axis_beats.AxisBeats`, the manifest's ``axis`` entry), unpacked
  from words whose padding bits are random.

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
from .axis_beats import AxisBeats, Beat
from .cdriver import (
    CompileError,
    DriverReport,
    axis_block,
    clamp_block,
    codes_block,
    compile_driver,
    compiler_version,
    find_compiler,
    pairs_block,
    payload_block,
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


def _vectors(design: Design, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """The payload vectors' modes, ``x``, ``g`` and results (every lane's extremes first)."""
    wire, spec = design.wire, design.model.spec
    low = -(1 << (wire.lane_bits - 1)) if wire.result_signed else 0
    high = low + (1 << wire.lane_bits) - 1
    modes = _lane_values(rng, 0, (1 << MODE_BITS) - 1, 1)[:, 0]
    x = _lane_values(rng, spec.fmt.min_code, spec.fmt.max_code, wire.lanes)
    g = _lane_values(rng, spec.out_fmt.min_code, spec.out_fmt.max_code, wire.lanes)
    return modes, x, g, _lane_values(rng, low, high, wire.lanes)


def _payload(design: Design, seed: int) -> tuple[np.ndarray, int, int]:
    """Payload rows for the driver (see :func:`~.cdriver.payload_block`), with the words each
    vector packs to at the wire's offsets."""
    wire = design.wire
    in_words, out_words = -(-wire.in_bits // 64), -(-wire.out_bits // 64)
    rows = []
    for mode, xs, gs, rs in zip(*_vectors(design, np.random.default_rng(seed)), strict=True):
        packed = int(mode) << wire.mode_at
        for lane in range(wire.lanes):
            packed |= (int(xs[lane]) & ((1 << wire.x_bits) - 1)) << (wire.x_at + lane * wire.x_stride)
            packed |= (int(gs[lane]) & ((1 << wire.g_bits) - 1)) << (wire.g_at + lane * wire.g_stride)
        output = sum(
            (int(r) & ((1 << wire.out_stride) - 1)) << (lane * wire.out_stride) for lane, r in enumerate(rs)
        )
        rows.append([int(mode), *xs, *gs, *_words(packed, in_words), *rs, *_words(output, out_words)])
    return np.array(rows, dtype=np.int64), in_words, out_words


def _axis_words(design: Design) -> tuple[int, int, int]:
    """Words of ``s_axis_tdata``, ``m_axis_tdata`` and TUSER."""
    layout = design.manifest["axis"]
    bits = (layout["s_axis"]["tdata_bits"], layout["m_axis"]["tdata_bits"], layout["tuser"]["bits"])
    return tuple(-(-width // 64) for width in bits)


def _axis_rows(design: Design, seed: int) -> np.ndarray:
    """AXI4-Stream rows for the driver (see :func:`~.cdriver.axis_block`): each vector's words
    as the cocotb bench packs them (:class:`~.axis_beats.AxisBeats`), and its ``s_axis_tdata``
    again with random padding bits, which unpacking must ignore."""
    beats = AxisBeats(design.manifest["axis"])
    s_words, m_words, u_words = _axis_words(design)
    rng = np.random.default_rng(seed)
    vectors = _vectors(design, rng)
    top = (1 << beats.user_bits) - 1
    users = [0, top, *map(int, rng.integers(0, top + 1, PAYLOAD_VECTORS, dtype=np.uint64))]
    padding, rows = beats.padding(), []
    for mode, xs, gs, rs, user in zip(*vectors, users, strict=True):
        beat = Beat(int(mode), tuple(map(int, xs)), tuple(map(int, gs)), user)
        tdata = int.from_bytes(beats.tdata(beat), "little")
        padded = tdata ^ (int.from_bytes(rng.bytes(beats.in_bytes), "little") & padding)
        result = int.from_bytes(beats.result_tdata([int(r) for r in rs]), "little")
        inputs = [*_words(tdata, s_words), *_words(beats.tuser(beat), u_words), *_words(padded, s_words)]
        rows.append([beat.mode, *_words(user, 1), *xs, *gs, *inputs, *rs, *_words(result, m_words)])
    return np.array(rows, dtype=np.int64)


def _lane_values(rng: np.random.Generator, low: int, high: int, lanes: int) -> np.ndarray:
    """Two vectors of every lane at ``low`` and at ``high``, then random values in between."""
    ends = np.array([[low] * lanes, [high] * lanes], dtype=np.int64)
    return np.concatenate([ends, rng.integers(low, high + 1, (PAYLOAD_VECTORS, lanes))])


def _words(value: int, count: int) -> list[int]:
    """``value`` as ``count`` 64-bit words, low first, each as a signed int64."""
    words = [(value >> (64 * i)) & ((1 << 64) - 1) for i in range(count)]
    return [word - (1 << 64) if word >> 63 else word for word in words]


def _axis_record(field: str, vector: int, g: int, lanes: int, words: tuple[int, int, int]) -> str:
    """What an AXI4-Stream record names: a TDATA or TUSER word of a packer, a field of an unpacker."""
    if field in ("pack_s_axis", "pack_m_axis"):
        tdata = words[0] if field == "pack_s_axis" else words[1]
        word = f"TDATA word {g}" if g < tdata else f"TUSER word {g - tdata}"
        return f"{field} (vector {vector}, {word})"
    names = {-2: "user", -1: "mode"}
    if field == "unpack_s_axis":
        name = names.get(g) or (f"x[{g}]" if g < lanes else f"g[{g - lanes}]")
    else:
        name = names.get(g) or f"result[{g}]"
    return f"{field} (vector {vector}, {name})"


def _record(record: list[object], lanes: int, words: tuple[int, int, int] | None = None) -> list[object]:
    """A driver record ``[x, field, g, got, want]`` as the certificate's ``[x, field, got, want]``
    (``words``: an AXI4-Stream engine's TDATA and TUSER words, :func:`_axis_words`)."""
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
    if field in ("pack_s_axis", "unpack_s_axis", "pack_m_axis", "unpack_m_axis"):
        return [None, _axis_record(field, x, g, lanes, words), got, want]
    if field == "axis_words":
        split = [[value // 1000000, value // 1000 % 1000, value % 1000] for value in (got, want)]
        return [None, "S_TDATA_WORDS, M_TDATA_WORDS, TUSER_WORDS", *split]
    return [None, "IN_WORDS, OUT_WORDS", [got // 1000, got % 1000], [want // 1000, want % 1000]]


def _record_context(design: Design) -> tuple[int, tuple[int, int, int] | None]:
    """The lanes, and an AXI4-Stream engine's TDATA and TUSER words, that name its records."""
    if not design.is_engine:
        return 1, None
    return design.wire.lanes, (_axis_words(design) if design.is_axis else None)


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
    with_grad, engine, axis = manifest["grad"] is not None, design.is_engine, design.is_axis
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
                axis=axis,
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
        if engine:
            reserved = manifest["engine"].get("reserved_result", 0)
            if axis:
                rows = _axis_rows(design, seed)
                block = axis_block(reserved, 1 << MODE_BITS, _axis_words(design), rows)
                name = "TDATA and TUSER fields (pack and unpack)"
            else:
                rows, in_words, out_words = _payload(design, seed)
                block = payload_block(reserved, 1 << MODE_BITS, in_words, out_words, rows)
                name = "payload fields (pack and unpack)"
            report = run_driver(program, [block], len(rows))
            runs.append((_entry(name, None, None, {"vectors": len(rows)}, "round trip"), report, len(rows)))
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
        records += [_record(record, *_record_context(design)) for record in report.records]
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
