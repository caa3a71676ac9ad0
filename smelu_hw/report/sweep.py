"""What a report measures: the unit configurations, the jobs, and one result row per unit.

A *job* is one tool run or one error analysis. Jobs are independent, so they run in a process
pool or on a Dask cluster (:func:`smelu_hw.executor.open_executor`), which is why :func:`run_job`
is a top-level function of pickleable arguments; each returns the columns it measured, or
raises, in which case the row records the failure and the column stays empty (a failure is
never a zero).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from amaranth.back import verilog as amaranth_verilog

from ..accuracy import error_stats, reference_codes
from ..approx.functions import SMOOTH
from ..fixed import QFormat
from ..gen.build import generate, unit_factory
from ..hw.harness import TimingHarness
from ..liberty import SG13G2_SLOW, SG13G2_TYPICAL, Corner, liberty_area
from ..liberty.pareto import DELAY_TARGETS_PS, useful_latencies
from ..registry import ACTIVATIONS
from ..specs import POLY_MAX_BITS, ActivationSpec
from ..synth import fmax, measure, registered_area
from .frontier import PARETO_COLUMNS, SLOW, latency_columns
from .streams import ENERGY_COLUMNS, energy_columns

__all__ = [
    "UnitConfig",
    "Job",
    "default_units",
    "quick_jobs",
    "quick_units",
    "jobs_for",
    "run_job",
    "sample_codes",
    "COLUMNS",
]

SMELU_BETAS = (0.5, 1.0, 2.0, 4.0)
BITS = (8, 12, 16, 24, 32)
#: Widths of the width-crossover comparison: SmeLU (correct and faithful, beta = 2) against
#: every smooth unit, whichever method is cheapest.
CROSSOVER_BITS = (8, 10, 12, 16)
#: SmeLU's beta in the faithful and crossover units.
CROSSOVER_BETA = 2.0
#: Widest table of every code the report synthesizes: beyond it the table is tens of thousands
#: of words, slow to synthesize and never the cheapest unit.
REPORT_ROM_BITS = 12
TIMING_BITS = (8, 16)
HARDSWISH_MAX_BITS = 16
LATENCIES = (0, 1, 2, 3, 4)
QUICK_LATENCIES = (2,)
#: The area-against-delay points of ``--quick`` (SmeLU only): (latency, ABC delay target).
QUICK_PARETO_POINTS: tuple[tuple[int, int | None], ...] = ((0, None), (0, 1000), (2, None))
#: Area flows of ``--quick``: all but Xilinx's, whose synthesis takes as long as all the others.
QUICK_FLOWS = ("cmos", "ge", "ice40", "ecp5")
DEVICES = ("ice40", "ecp5")
#: Area flows and what each reports, as (column, cell types summed).
AREA_COLUMNS = {
    "cmos": [("transistors", None)],
    "ge": [("ge", None)],
    "ice40": [("ice40_lut4", ("SB_LUT4",)), ("ice40_carry", ("SB_CARRY",))],
    "ecp5": [("ecp5_lut4", ("LUT4",)), ("ecp5_ccu2", ("CCU2C",))],
    "xilinx": [
        ("xc7_lut", ("LUT1", "LUT2", "LUT3", "LUT4", "LUT5", "LUT6")),
        ("xc7_carry4", ("CARRY4",)),
        ("xc7_dsp48", ("DSP48E1",)),
    ],
}
ERROR_COLUMNS = [
    "fwd_max_ulp",
    "fwd_mean_ulp",
    "fwd_non_faithful",
    "grad_max_ulp",
    "grad_mean_ulp",
    "grad_non_faithful",
    "monotonic_violations",
    "grad_max_jump_ulp",
    "error_codes",
]
KEY_COLUMNS = ["unit", "activation", "method", "accuracy", "bits", "frac", "beta", "rounding"]
#: The Liberty flow's columns (docs/SPEC.md §9), at the report's corner (SG13G2 typical by
#: default): µm² and cells, forward and forward + gradient, the critical path of the
#: combinational forward + gradient unit, and its energy per activation at 250 MHz on three
#: input streams, forward and forward + gradient (:mod:`~smelu_hw.report.streams`; at the
#: timing widths only).
LIBERTY_COLUMNS = ["um2_fwd", "um2_both", "cells_fwd", "cells_both", "ns_both", *ENERGY_COLUMNS]


def _area_columns() -> list[str]:
    names = [name for columns in AREA_COLUMNS.values() for name, _ in columns] + ["depth"]
    return [f"{name}_{part}" for name in names for part in ("fwd", "both")]


COLUMNS = (
    KEY_COLUMNS
    + _area_columns()
    + LIBERTY_COLUMNS
    + ERROR_COLUMNS
    + [f"fmax_{device}_l{latency}" for device in DEVICES for latency in LATENCIES]
    + [f"{part}_l{latency}" for latency in LATENCIES for part in ("logic", "flops")]
    + PARETO_COLUMNS
    + ["failures"]
)


@dataclass(frozen=True)
class UnitConfig:
    """One unit of the sweep: an activation, a method, a width and a beta."""

    activation: str
    bits: int
    beta: float | None = None
    method: str | None = None
    accuracy: str | None = None

    @property
    def label(self) -> str:
        parts = [self.activation]
        if self.method:
            parts.append(self.method)
        if self.accuracy:
            parts.append(self.accuracy)
        if self.activation == "smelu":
            parts.append(f"b={self.beta:g}")
        return " ".join(parts)

    @property
    def name(self) -> str:
        return f"{self.label} {self.bits}b"

    def spec(self) -> ActivationSpec:
        kwargs: dict[str, object] = {"fmt": QFormat(self.bits, self.bits // 2)}
        if self.beta is not None:
            kwargs["beta"] = self.beta
        if self.method is not None:
            kwargs["method"] = self.method
        if self.accuracy is not None:
            kwargs["accuracy"] = self.accuracy
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # every sweep parameter is on the grid
            return ACTIVATIONS[self.activation].spec(**kwargs)

    def key(self) -> dict[str, object]:
        spec = self.spec()
        return {
            "unit": self.name,
            "activation": self.activation,
            "method": self.method or "",
            "accuracy": self.accuracy or "",
            "bits": self.bits,
            "frac": spec.fmt.frac,
            "beta": "" if self.beta is None else self.beta,
            "rounding": spec.rounding,
        }


def default_units() -> list[UnitConfig]:
    """Every activation at every width it supports; SmeLU at four betas, and faithful at beta = 2;
    tables of every code (``rom``) up to 12 bits, of the smooth baselines and of SmeLU at beta =
    2; and 10-bit units for the width crossover."""
    units = [UnitConfig("smelu", bits, beta) for bits in BITS for beta in SMELU_BETAS]
    units += [UnitConfig("smelu", bits, CROSSOVER_BETA, accuracy="faithful") for bits in BITS]
    units += [
        UnitConfig("smelu", 10, CROSSOVER_BETA),
        UnitConfig("smelu", 10, CROSSOVER_BETA, accuracy="faithful"),
    ]
    units += [  # the table side of --method auto, for the crossover
        UnitConfig("smelu", bits, CROSSOVER_BETA, method="rom", accuracy=accuracy)
        for bits in CROSSOVER_BITS
        if bits <= REPORT_ROM_BITS
        for accuracy in (None, "faithful")
    ]
    units += [UnitConfig("relu", bits) for bits in BITS]
    # Hard-swish's exact division by 3 grows a wide reciprocal multiplier: beyond 16 bits its
    # synthesis takes tens of minutes per flow, so the default sweep stops there.
    units += [UnitConfig("hardswish", bits) for bits in BITS if bits <= HARDSWISH_MAX_BITS]
    for name in SMOOTH:
        units += [UnitConfig(name, bits, method="poly") for bits in BITS if bits <= POLY_MAX_BITS]
        units += [UnitConfig(name, bits, method="table") for bits in BITS]
        units += [UnitConfig(name, bits, method="rom") for bits in CROSSOVER_BITS if bits <= REPORT_ROM_BITS]
        units += [UnitConfig(name, 10, method=method) for method in ("poly", "table")]
    return units


def quick_units() -> list[UnitConfig]:
    """A small subset of :func:`default_units` for CI: SmeLU and one smooth baseline at 8 bits
    (measured by :func:`quick_jobs`)."""
    return [UnitConfig("smelu", 8, 1.0), UnitConfig("swish", 8, method="poly")]


@dataclass(frozen=True)
class Job:
    """One measurement: ``kind`` is ``area``, ``fmax``, ``registers`` (the house metric with
    flip-flops at ``latency``), ``liberty`` (µm², cells and delay at ``corner``), ``energy``
    (pJ per activation at ``corner``), ``pareto`` (area and register-to-register delay at
    ``latency`` for each of ``targets`` at ``corner``, columns prefixed by ``flow``:
    :mod:`~smelu_hw.report.frontier`) or ``errors``."""

    unit: UnitConfig
    kind: str
    flow: str = ""
    with_grad: bool = True
    latency: int = 0
    corner: Corner = SG13G2_TYPICAL
    targets: tuple[int | None, ...] = ()

    @property
    def description(self) -> str:
        detail = {
            "area": f"{self.flow} {'fwd+grad' if self.with_grad else 'fwd'}",
            "fmax": f"{self.flow} L={self.latency}",
            "registers": f"L={self.latency}",
            "liberty": f"{'fwd+grad' if self.with_grad else 'fwd'} {self.corner.label}",
            "energy": f"{'fwd+grad' if self.with_grad else 'fwd'} {self.corner.label}",
            "pareto": f"L={self.latency} -D {self.targets[0] if self.targets else '-'} {self.corner.label}",
            "errors": "",
        }[self.kind]
        return f"{self.unit.name} {self.kind} {detail}".strip()


def jobs_for(
    units: list[UnitConfig],
    latencies: tuple[int, ...],
    flows: tuple[str, ...] = tuple(AREA_COLUMNS),
    corner: Corner = SG13G2_TYPICAL,
) -> list[Job]:
    """Every measurement of ``units``: errors, area in each of ``flows``, the Liberty flow at
    ``corner`` (and, at the timing widths, energy), Fmax at ``latencies``, and at the headline
    width (:func:`headline_width`, the only one the report draws) area against delay at each of
    ``latencies`` that can reach the front (:func:`~smelu_hw.liberty.pareto.useful_latencies`),
    also at the SG13G2 slow corner when ``corner`` is the typical one; SmeLU at the other
    timing widths at :data:`QUICK_PARETO_POINTS`, as ``--quick`` measures it."""
    jobs = []
    pareto_width = headline_width({unit.bits for unit in units}) if units else None
    for unit in units:
        jobs.append(Job(unit, "errors"))
        jobs += [Job(unit, "area", flow, with_grad) for flow in flows for with_grad in (False, True)]
        jobs += [Job(unit, "liberty", with_grad=with_grad, corner=corner) for with_grad in (False, True)]
        if unit.bits in TIMING_BITS:
            jobs += [Job(unit, "energy", with_grad=with_grad, corner=corner) for with_grad in (False, True)]
            jobs += [
                Job(unit, "fmax", device, latency=latency) for device in DEVICES for latency in latencies
            ]
            jobs += [Job(unit, "registers", latency=latency) for latency in latencies]
            if unit.bits == pareto_width:
                kept = useful_latencies(unit.spec(), latencies)
                points = [(latency, target) for latency in kept for target in DELAY_TARGETS_PS]
                jobs += _pareto_jobs(unit, points, corner, slow=corner == SG13G2_TYPICAL)
            elif unit.activation == "smelu":  # --quick's points, so its test compares them
                jobs += _pareto_jobs(unit, list(QUICK_PARETO_POINTS), corner, slow=False)
    return jobs


def headline_width(widths: set[int]) -> int:
    """The report's headline width: 16 when swept, else the widest up to 16 (or the narrowest)."""
    small = [width for width in widths if width <= 16]
    return max(small) if small else min(widths)


def _pareto_jobs(
    unit: UnitConfig, points: list[tuple[int, int | None]], corner: Corner, slow: bool
) -> list[Job]:
    corners = [("", corner)] + ([(SLOW, SG13G2_SLOW)] if slow else [])
    return [  # one job per point, so that a few points spread over the workers
        Job(unit, "pareto", prefix, latency=latency, corner=at, targets=(target,))
        for prefix, at in corners
        for latency, target in points
    ]


def quick_jobs(units: list[UnitConfig], corner: Corner = SG13G2_TYPICAL) -> list[Job]:
    """The measurements of ``--quick``: SmeLU on every quick flow (forward + gradient; forward
    only on the house metric and the Liberty flow too) and at the quick latency, so each
    measurement path (Yosys, the Liberty flow and energy, nextpnr, the error check) runs once;
    a baseline only its errors, the house metric and the Liberty flow and energy, enough to
    compare it with SmeLU; energy forward + gradient only. SmeLU's area against delay:
    :data:`QUICK_PARETO_POINTS` at ``corner`` only."""
    jobs = []
    for unit in units:
        if unit.activation == "smelu":
            # Forward-only area on the house metric alone: the other flows' paths are the same.
            full = jobs_for([unit], QUICK_LATENCIES, QUICK_FLOWS, corner)
            jobs += [
                job
                for job in full
                if (job.with_grad or job.kind == "liberty" or job.flow == "cmos") and job.kind != "pareto"
            ]
            jobs += _pareto_jobs(unit, list(QUICK_PARETO_POINTS), corner, slow=False)
        else:
            jobs += [
                job
                for job in jobs_for([unit], (), ("cmos",), corner)
                if job.with_grad or job.kind != "energy"
            ]
    return jobs


def unit_fmax(spec: ActivationSpec, device: str, latency: int) -> float:
    """Fmax in MHz of the unit ``spec`` builds (forward + gradient) at ``latency`` on ``device``:
    in the timing harness (:class:`~smelu_hw.hw.harness.TimingHarness`), then nextpnr with a
    fixed seed (:func:`~smelu_hw.synth.fmax`, cached)."""
    unit = unit_factory(spec)(spec, latency=latency)
    harness = amaranth_verilog.convert(TimingHarness(unit), name="harness", emit_src=False)
    return fmax(device, harness, "harness")


def run_job(job: Job) -> dict[str, object]:
    """Run one job; return the columns it measured."""
    spec = job.unit.spec()
    if job.kind == "errors":
        return error_columns(spec)
    if job.kind == "fmax":
        return {f"fmax_{job.flow}_l{job.latency}": round(unit_fmax(spec, job.flow, job.latency), 2)}
    if job.kind in ("liberty", "energy"):
        return _liberty_columns(job, spec)
    if job.kind == "pareto":
        return latency_columns(spec, job.latency, job.targets, job.corner, job.flow)
    if job.kind == "registers":
        pipelined = generate(spec, latency=job.latency)
        split = registered_area(pipelined.verilog, pipelined.name)
        return {f"logic_l{job.latency}": split.logic, f"flops_l{job.latency}": split.flops}
    unit = generate(spec, with_grad=job.with_grad)
    stat = measure(job.flow, unit.verilog, unit.name)
    part = "both" if job.with_grad else "fwd"
    result: dict[str, object] = {}
    for column, cell_types in AREA_COLUMNS[job.flow]:
        if cell_types is None:
            value = stat["transistors"] if job.flow == "cmos" else round(float(stat["area"]), 2)
        else:
            value = sum(int(stat["num_cells_by_type"].get(cell, 0)) for cell in cell_types)
        result[f"{column}_{part}"] = value
    if job.flow == "cmos":
        result[f"depth_{part}"] = stat["depth"]
    return result


def _liberty_columns(job: Job, spec: ActivationSpec) -> dict[str, object]:
    """The Liberty flow's columns of one job (:data:`LIBERTY_COLUMNS`)."""
    if job.kind == "energy":
        return energy_columns(spec, job.with_grad, job.corner)
    unit = generate(spec, with_grad=job.with_grad)
    part = "both" if job.with_grad else "fwd"
    area = liberty_area(unit.verilog, unit.name, job.corner)
    result: dict[str, object] = {f"um2_{part}": round(area.area, 2), f"cells_{part}": area.cells}
    return result | ({"ns_both": round(area.delay_ns, 4)} if job.with_grad else {})


#: Widest input whose error statistics cover every code.
EXHAUSTIVE_ERROR_BITS = 16
#: Wider inputs are sampled in windows of this many consecutive codes,
SAMPLE_WINDOW = 1024
#: this many of them spread evenly from the smallest to the largest code, plus two more.
SPREAD_WINDOWS = 62


def sample_codes(fmt: QFormat) -> np.ndarray:
    """Every code up to 16 bits; otherwise 64 windows of 1024 consecutive codes: 62 spread
    evenly (both extremes included), one centred on 0 and one centred on -1.0."""
    if fmt.bits <= EXHAUSTIVE_ERROR_BITS:
        return fmt.codes()
    half = SAMPLE_WINDOW // 2
    starts = np.linspace(fmt.min_code, fmt.max_code - (SAMPLE_WINDOW - 1), SPREAD_WINDOWS).astype(np.int64)
    starts = np.concatenate([starts, [-half, -(1 << fmt.frac) - half]])
    codes = np.unique(np.concatenate([np.arange(start, start + SAMPLE_WINDOW) for start in starts]))
    return codes[(codes >= fmt.min_code) & (codes <= fmt.max_code)]


def error_columns(spec: ActivationSpec) -> dict[str, object]:
    """ULP errors, faithfulness, monotonicity and gradient jumps against the exact reference."""
    model = ACTIVATIONS[spec.activation].model.from_spec(spec)
    codes = sample_codes(spec.fmt)
    y, dy = model.forward(codes), model.grad(codes)
    forward = error_stats(spec, codes, y)
    gradient = error_stats(spec, codes, dy, gradient=True)
    neighbours = np.diff(codes) == 1
    exact_step = np.diff(reference_codes(spec, codes))
    output_step = np.diff(y)
    # Wrong direction: the output falls where the exact function does not, or vice versa.
    violations = neighbours & (
        ((output_step < 0) & (exact_step >= 0)) | ((output_step > 0) & (exact_step <= 0))
    )
    jumps = np.abs(np.diff(dy))[neighbours]
    return {
        "fwd_max_ulp": round(forward.max_ulp, 4),
        "fwd_mean_ulp": round(forward.mean_ulp, 5),
        "fwd_non_faithful": forward.non_faithful,
        "grad_max_ulp": round(gradient.max_ulp, 4),
        "grad_mean_ulp": round(gradient.mean_ulp, 5),
        "grad_non_faithful": gradient.non_faithful,
        "monotonic_violations": int(np.count_nonzero(violations)),
        "grad_max_jump_ulp": int(jumps.max(initial=0)),
        "error_codes": "all" if spec.fmt.bits <= 16 else f"{codes.size} sampled",
    }
