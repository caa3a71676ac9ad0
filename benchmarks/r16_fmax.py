"""Fmax of R16 (correct and faithful) at latency 0..5 against the Fmax targets and the harness ceiling.

R16 is :data:`smelu_hw.gen.standard.REFERENCE_R16` (Q16.8, beta = 2, rne), forward + gradient; the
faithful unit is the same with ``accuracy="faithful"``. Each is placed and routed as the
report's sweep does it (:func:`smelu_hw.report.sweep.unit_fmax`: the timing harness, then
nextpnr with a fixed seed). Latency ``L`` registers the input and enables SmeLU's first
``L - 1`` cuts (``SmeLUUnit.cut_priority``: before the final adders, halfway through the
carry-save trees, halfway through the final adders, after the region decode); ``L = 5`` has
every cut and is printed for reference, outside the targets.

For iCE40 UP5K and ECP5-25k this prints the Fmax in MHz per latency, the best at ``L <= 4``, that
best as a share of the harness ceiling (:func:`smelu_hw.report.__main__.harness_ceiling`, a bare
register-to-register path through the same harness) and the verdict against the issue's targets:
at least 100 MHz on iCE40 and 300 MHz on ECP5, and at least 90 % of the ceiling. Needs the report
extra: ``pip install -e '.[report]'``. Run: ``python benchmarks/r16_fmax.py`` (about two minutes
on two workers with a cold cache; results are cached like the report's).
"""

import dataclasses
from concurrent.futures import ProcessPoolExecutor

from smelu_hw.gen.standard import REFERENCE_R16
from smelu_hw.report.__main__ import harness_ceiling, short_version
from smelu_hw.report.sweep import unit_fmax
from smelu_hw.synth import tool_versions

DEVICES = {"ice40": "iCE40 UP5K", "ecp5": "ECP5-25k"}
LATENCIES = (0, 1, 2, 3, 4, 5)
#: The targets: latencies allowed, MHz per device, and the share of the harness ceiling.
TARGET_LATENCY = 4
TARGET_MHZ = {"ice40": 100.0, "ecp5": 300.0}
TARGET_SHARE = 0.9
SPECS = {"R16": REFERENCE_R16, "R16 faithful": dataclasses.replace(REFERENCE_R16, accuracy="faithful")}


def main() -> None:
    jobs = [(spec, device, latency) for device in DEVICES for spec in SPECS.values() for latency in LATENCIES]
    with ProcessPoolExecutor(max_workers=2) as pool:
        results = dict(zip(jobs, pool.map(unit_fmax, *zip(*jobs, strict=True)), strict=True))
    ceiling = harness_ceiling()
    versions = tool_versions()
    print(", ".join(short_version(versions[f"yowasp-nextpnr-{device}"]) for device in DEVICES) + ", seed 1")
    print(f"forward + gradient, Fmax in MHz; best over L <= {TARGET_LATENCY}")
    for device, device_name in DEVICES.items():
        header = " ".join(f"{f'L={latency}':>7}" for latency in LATENCIES)
        print(f"\n{device_name} (harness ceiling {ceiling[device]:.1f} MHz)")
        print(f"{'unit':<14} {header} {'best':>7} {'ceiling':>8}  target")
        for label, spec in SPECS.items():
            row = [results[spec, device, latency] for latency in LATENCIES]
            best = max(row[: TARGET_LATENCY + 1])
            share = best / ceiling[device]
            verdicts = [
                f"{TARGET_MHZ[device]:g} MHz {'met' if best >= TARGET_MHZ[device] else 'MISSED'}",
                f"{TARGET_SHARE:.0%} of ceiling {'met' if share >= TARGET_SHARE else 'MISSED'}",
            ]
            cells = " ".join(f"{value:>7.1f}" for value in row)
            print(f"{label:<14} {cells} {best:>7.1f} {share:>8.0%}  {', '.join(verdicts)}")


if __name__ == "__main__":
    main()
