"""The report's energy columns: pJ per activation of a unit on three input streams.

Every stream is :data:`ENERGY_VECTORS` codes of the unit's input format, one per clock cycle at
:data:`ENERGY_CLOCK_NS` (:func:`smelu_hw.liberty.energy_per_activation`, docs/SPEC.md §9):

* ``digits``: the stored digits network's hidden-layer pre-activations (its first layer's
  ``z``, Q16.8), image after image, neuron after neuron, as one unit serving that layer sees
  them; requantized to the unit's format (round to nearest even, saturated) where it differs;
* ``gauss``: a Gaussian of sigma = :data:`GAUSS_SIGMA` (beta of R16, the reference SmeLU),
  rounded to the nearest code and saturated (seed 20);
* ``uniform``: codes drawn uniformly from every code (seed 1).

The columns are ``pj_{stream}_{part}`` (``part`` ``fwd`` or ``both``, forward + gradient),
except the uniform stream's, ``pj_fwd`` and ``pj_both`` (the report's first energy column).
"""

from __future__ import annotations

from functools import cache

import numpy as np

from ..approx.functions import SMOOTH
from ..datasets import load_digits_arrays
from ..fixed import QFormat
from ..gen.build import generate
from ..liberty import Corner, energy_per_activation
from ..models.dense import DenseLayer
from ..network import input_codes, load_network
from ..specs import ActivationSpec
from .rows import Row, number, unit_label

__all__ = [
    "ENERGY_CLOCK_NS",
    "ENERGY_VECTORS",
    "ENERGY_STREAMS",
    "ENERGY_COLUMNS",
    "GAUSS_SIGMA",
    "energy_column",
    "energy_codes",
    "stream_codes",
    "energy_columns",
    "ENERGY_TARGET_RATIO",
    "energy_lines",
]

ENERGY_CLOCK_NS = 4.0
ENERGY_VECTORS = 4096
ENERGY_STREAMS = ("digits", "gauss", "uniform")
#: The Gaussian stream's sigma in the input's units: beta of R16.
GAUSS_SIGMA = 2.0


def energy_column(stream: str, with_grad: bool) -> str:
    """The column of one stream's figure, forward (``fwd``) or forward + gradient (``both``)."""
    part = "both" if with_grad else "fwd"
    return f"pj_{part}" if stream == "uniform" else f"pj_{stream}_{part}"


ENERGY_COLUMNS = [energy_column(stream, grad) for stream in ENERGY_STREAMS for grad in (False, True)]


def energy_codes(fmt: QFormat) -> np.ndarray:
    """The uniform stream: :data:`ENERGY_VECTORS` codes of ``fmt`` drawn uniformly (seed 1)."""
    return np.random.default_rng(1).integers(fmt.min_code, fmt.max_code + 1, ENERGY_VECTORS)


@cache
def _digits() -> tuple[np.ndarray, int]:
    """The digits network's first :data:`ENERGY_VECTORS` hidden pre-activations and their frac."""
    pixels, _ = load_digits_arrays()
    first = load_network()[0]
    hidden = DenseLayer(first).preactivation(input_codes(pixels / 16))
    return hidden.ravel()[:ENERGY_VECTORS].astype(np.int64), first.activation.fmt.frac


def stream_codes(stream: str, fmt: QFormat) -> np.ndarray:
    """The codes of ``stream`` (one of :data:`ENERGY_STREAMS`) in ``fmt``."""
    if stream == "uniform":
        return energy_codes(fmt)
    if stream == "digits":
        codes, frac = _digits()
        scaled = np.rint(np.ldexp(codes.astype(np.float64), fmt.frac - frac))  # rint: ties to even
    elif stream == "gauss":
        scaled = np.rint(np.random.default_rng(20).normal(0.0, GAUSS_SIGMA * 2**fmt.frac, ENERGY_VECTORS))
    else:
        raise ValueError(f"stream must be one of {', '.join(ENERGY_STREAMS)}, not {stream!r}")
    return np.clip(scaled, fmt.min_code, fmt.max_code).astype(np.int64)


def energy_columns(spec: ActivationSpec, with_grad: bool, corner: Corner) -> dict[str, object]:
    """pJ per activation of ``spec``'s combinational unit on every stream (one mapped netlist)."""
    unit = generate(spec, with_grad=with_grad)
    return {
        energy_column(stream, with_grad): round(
            energy_per_activation(
                unit.verilog,
                unit.name,
                stream_codes(stream, spec.fmt),
                corner=corner,
                clock_ns=ENERGY_CLOCK_NS,
            ).total_pj,
            4,
        )
        for stream in ENERGY_STREAMS
    }


#: Issue 20's energy target: SmeLU (beta = 2) on the digits stream, forward + gradient, at most
#: this fraction of the cheapest smooth unit's energy per activation at the same clock.
ENERGY_TARGET_RATIO = 0.25
_NAMES = {
    "digits": "digits pre-activations",
    "gauss": f"Gaussian (sigma = {GAUSS_SIGMA:g})",
    "uniform": "uniform",
}

_STREAM_TEXT = {
    "digits": "the stored digits network's hidden-layer pre-activations",
    "gauss": f"a Gaussian of sigma = {GAUSS_SIGMA:g} (R16's beta)",
    "uniform": "uniform codes",
}


def energy_lines(rows: list[Row], bits: int, corner: str) -> list[str]:
    """The energy table of the ``bits``-wide units (pJ per activation, every stream measured,
    forward and forward + gradient) and sentences: SmeLU b=2 (and faithful) against the
    cheapest smooth unit on each stream, and the issue's target on the digits stream."""
    units = [row for row in rows if int(row["bits"]) == bits]
    columns = [column for column in ENERGY_COLUMNS if any(number(row, column) is not None for row in units)]
    units = [row for row in units if any(number(row, column) is not None for column in columns)]
    if not units:
        return []
    headers = [
        f"{stream} {'fwd+grad' if grad else 'fwd'}" for stream in ENERGY_STREAMS for grad in (False, True)
    ]
    named = dict(zip(ENERGY_COLUMNS, headers, strict=True))
    measured = [s for s in ENERGY_STREAMS if any(energy_column(s, g) in columns for g in (False, True))]
    lines = [
        f"pJ per activation on {corner} at {1000 / ENERGY_CLOCK_NS:.0f} MHz ({ENERGY_CLOCK_NS:g} ns), "
        f"combinational units, {ENERGY_VECTORS} codes per stream, one per cycle: "
        + ", ".join(_STREAM_TEXT[stream] for stream in measured)
        + " (`smelu_hw/report/streams.py`). Zero-delay simulation: glitches, which grow with logic "
        "depth, are left out, so the figures are lower bounds that favour the deeper smooth units.",
        "",
        "| unit | " + " | ".join(named[column] for column in columns) + " |",
        "|---|" + "---|" * len(columns),
    ]
    for row in units:
        cells = ["n/a" if (pj := number(row, column)) is None else f"{pj:.3f}" for column in columns]
        lines.append(f"| {unit_label(row)} | " + " | ".join(cells) + " |")
    lines.append("")
    smooth = [row for row in units if row["activation"] in SMOOTH]
    smelu = [row for row in units if row["activation"] == "smelu" and float(row["beta"]) == GAUSS_SIGMA]
    for stream in ENERGY_STREAMS:
        for with_grad in (False, True):
            lines += _stream_sentence(smooth, smelu, stream, with_grad, columns)
    return lines


def _stream_sentence(
    smooth: list[Row], smelu: list[Row], stream: str, with_grad: bool, columns: list[str]
) -> list[str]:
    """SmeLU b=2 (and faithful) against the cheapest smooth unit on one stream, and on the
    digits stream forward + gradient the issue's target."""
    column = energy_column(stream, with_grad)
    priced = {unit_label(row): pj for row in smooth if (pj := number(row, column)) is not None}
    mine = {unit_label(row): pj for row in smelu if (pj := number(row, column)) is not None}
    if column not in columns or not priced or not mine:
        return []
    cheapest = min(priced, key=priced.get)
    parts = ", ".join(f"{label} {pj:.3f} pJ ({pj / priced[cheapest]:.2f}x)" for label, pj in mine.items())
    lines = [
        f"- {_NAMES[stream]}, {'forward + gradient' if with_grad else 'forward'}: the cheapest smooth unit "
        f"is {cheapest} ({priced[cheapest]:.3f} pJ); {parts}."
    ]
    if stream == "digits" and with_grad and "smelu b=2" in mine:
        ratio = mine["smelu b=2"] / priced[cheapest]
        verdict = "met" if ratio <= ENERGY_TARGET_RATIO else f"missed by {ratio / ENERGY_TARGET_RATIO:.1f}x"
        lines.append(
            f"- Target: SmeLU b=2 on the digits pre-activations, forward + gradient, at most "
            f"{ENERGY_TARGET_RATIO:g}x the cheapest smooth unit at the same clock: {ratio:.2f}x, {verdict}."
        )
    return lines
