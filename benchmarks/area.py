"""Area of the reference SmeLU unit R16 beside ReLU-16, a naive full-width SmeLU, and every
baseline unit at the same format.

R16: 16 bits, frac 8, beta = 2, rne, forward + gradient, combinational. Prints, per design,
the CMOS transistor estimate of the house flow (Yosys 0.70:
``synth; abc -g AND,NAND,OR,NOR,XOR,XNOR,MUX; stat -tech cmos``), the generic cell count, the
depth in logic levels, and iCE40 LUT4 + carry cells. Issue target: R16 <= 2000 transistors.
The second table gives every unit at Q16.8 forward-only and forward + gradient, and R16's
ratio to each (issue target: SmeLU at most 1/5 of the cheapest faithful smooth unit), and
the faithful R16 (``--accuracy faithful``; targets: at most 1400 transistors, and at most 0.25x
the cheapest faithful smooth unit).
Needs the report extra: ``pip install -e '.[report]'``. Run: ``python benchmarks/area.py``.
"""

from concurrent.futures import ProcessPoolExecutor

from amaranth.back import verilog

from benchmarks.naive import NaiveSmeLU16, ReLU16
from smelu_hw import HardSwishSpec, QFormat, ReLUSpec, SmeLUSpec
from smelu_hw.approx.functions import SMOOTH
from smelu_hw.gen import generate
from smelu_hw.gen.standard import REFERENCE_R16
from smelu_hw.specs import SPECS, ActivationSpec
from smelu_hw.synth import generic_area, ice40_area, yosys_version

TARGET_TRANSISTORS = 2000
FAITHFUL_TARGET_TRANSISTORS = 1400
FAITHFUL_TARGET_RATIO = 0.25
R16_FAITHFUL = SmeLUSpec(beta=2.0, fmt=QFormat(16, 8), accuracy="faithful")


def baseline_specs() -> dict[str, ActivationSpec]:
    fmt = QFormat(16, 8)
    return {
        "smelu b=2 (R16)": REFERENCE_R16,
        "smelu b=2 faithful": R16_FAITHFUL,
        "relu": ReLUSpec(fmt=fmt),
        "hardswish": HardSwishSpec(fmt=fmt),
        **{
            f"{name} {method} ({kind})": SPECS[name](fmt=fmt, method=method)
            for method, kind in (("poly", "faithful"), ("table", "hls4ml"))
            for name in SMOOTH
        },
    }


def _transistors(job: tuple[ActivationSpec, bool]) -> int:
    spec, with_grad = job
    unit = generate(spec, with_grad=with_grad)
    return generic_area(unit.verilog, unit.name).transistors


def baselines_table() -> None:
    specs = baseline_specs()
    jobs = [(spec, with_grad) for spec in specs.values() for with_grad in (False, True)]
    with ProcessPoolExecutor(max_workers=2) as pool:
        counts = list(pool.map(_transistors, jobs))
    r16 = counts[1]
    print(f"\n{'unit at Q16.8':<26} {'fwd only':>9} {'fwd+grad':>9} {'R16 / unit':>11}")
    for i, label in enumerate(specs):
        forward, both = counts[2 * i], counts[2 * i + 1]
        print(f"{label:<26} {forward:>9} {both:>9} {r16 / both:>11.3f}")
    smooth = [i for i, label in enumerate(specs) if "faithful" in label and not label.startswith("smelu")]
    cheapest = min(counts[2 * i + 1] for i in smooth)
    verdict = "meets" if 5 * r16 <= cheapest else "MISSES"
    print(f"R16 / cheapest faithful smooth unit = {r16 / cheapest:.3f}: {verdict} the target of <= 1/5")
    faithful = counts[3]
    verdict = "meets" if faithful <= FAITHFUL_TARGET_RATIO * cheapest else "MISSES"
    print(
        f"R16 faithful / cheapest faithful smooth unit = {faithful / cheapest:.3f}: {verdict} the target "
        f"of <= {FAITHFUL_TARGET_RATIO}"
    )


def main() -> None:
    designs = {
        "SmeLU R16 (smelu_hw)": (generate(REFERENCE_R16).verilog, "smelu_q16f8_beta512_rne"),
        "SmeLU R16 faithful": (generate(R16_FAITHFUL).verilog, "smelu_q16f8_beta512_faithful"),
        "ReLU-16": (verilog.convert(ReLU16(), name="relu16", emit_src=False), "relu16"),
        "SmeLU-16 naive full-width": (
            verilog.convert(NaiveSmeLU16(), name="naive16", emit_src=False),
            "naive16",
        ),
    }
    print(f"{yosys_version()}: synth; abc -g AND,NAND,OR,NOR,XOR,XNOR,MUX; stat -tech cmos")
    print(f"{'design':<28} {'transistors':>11} {'cells':>6} {'depth':>6} {'iCE40 LUT4':>11} {'SB_CARRY':>9}")
    results = {}
    for label, (text, top) in designs.items():
        area, fpga = generic_area(text, top), ice40_area(text, top)
        results[label] = area
        row = f"{label:<28} {area.transistors:>11} {area.cells:>6} {area.depth:>6}"
        print(f"{row} {fpga.luts:>11} {fpga.carries:>9}")
    r16 = results["SmeLU R16 (smelu_hw)"].transistors
    verdict = "meets" if r16 <= TARGET_TRANSISTORS else "MISSES"
    print(f"R16 = {r16} transistors: {verdict} the target of <= {TARGET_TRANSISTORS}")
    faithful = results["SmeLU R16 faithful"].transistors
    verdict = "meets" if faithful <= FAITHFUL_TARGET_TRANSISTORS else "MISSES"
    print(f"R16 faithful = {faithful} transistors: {verdict} the target of <= {FAITHFUL_TARGET_TRANSISTORS}")
    baselines_table()


if __name__ == "__main__":
    main()
