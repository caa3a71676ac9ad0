"""Width crossover: SmeLU (beta = 2, correctly rounded and faithful) against the cheapest smooth
unit of any method, at 8, 10, 12 and 16 bits, in the house area metric.

Every unit is combinational with forward and gradient (``smelu_hw.synth.generic_area``: Yosys
0.70 ``synth; abc -g AND,NAND,OR,NOR,XOR,XNOR,MUX; stat -tech cmos``). SmeLU counts as the
cheaper of its arithmetic unit and its table of every code (what ``--method auto`` builds);
the smooth units are Swish, Softplus, GELU and ELU as faithful polynomials (``poly``), hls4ml-style
tables (``table``, not faithful) and correctly rounded tables of every code (``rom``, up to 12
bits here: a 16-bit one is 65,536 words). Issue targets: faithful SmeLU at most 0.25x the
cheapest faithful smooth unit at 16 bits, and at most 0.5x the cheapest smooth unit of any
method at 8 bits. Needs the report extra: ``pip install -e '.[report]'``.
Run: ``python benchmarks/crossover.py``.
"""

from concurrent.futures import ProcessPoolExecutor

from smelu_hw import QFormat, SmeLUSpec
from smelu_hw.approx.functions import SMOOTH
from smelu_hw.gen import generate
from smelu_hw.specs import SPECS, ActivationSpec
from smelu_hw.synth import generic_area, yosys_version

WIDTHS = (8, 10, 12, 16)
ROM_BITS = 12
BETA = 2.0


def specs(bits: int) -> dict[str, ActivationSpec]:
    fmt = QFormat(bits, bits // 2)
    table = {}
    for accuracy in ("correct", "faithful"):
        for method in ("arith", "rom") if bits <= ROM_BITS else ("arith",):
            table[f"smelu {accuracy} {method}"] = SmeLUSpec(
                beta=BETA, fmt=fmt, accuracy=accuracy, method=method
            )
    for name in SMOOTH:
        for method in ("poly", "table", "rom") if bits <= ROM_BITS else ("poly", "table"):
            table[f"{name} {method}"] = SPECS[name](fmt=fmt, method=method)
    return table


def transistors(spec: ActivationSpec) -> int:
    unit = generate(spec)
    return generic_area(unit.verilog, unit.name).transistors


def main() -> None:
    jobs = [(bits, label, spec) for bits in WIDTHS for label, spec in specs(bits).items()]
    with ProcessPoolExecutor(max_workers=2) as pool:
        counts = dict(
            zip(
                [(bits, label) for bits, label, _ in jobs],
                pool.map(transistors, [job[2] for job in jobs]),
                strict=True,
            )
        )
    print(f"{yosys_version()} house metric, forward + gradient, combinational; SmeLU beta = {BETA:g}")
    print(
        f"{'bits':>4} {'SmeLU correct':>14} {'SmeLU faithful':>15} {'cheapest smooth (any)':>30} "
        f"{'cheapest faithful smooth':>30} {'corr/any':>9} {'faith/any':>10} {'faith/faith':>12}"
    )
    for bits in WIDTHS:
        at = {label: count for (width, label), count in counts.items() if width == bits}
        correct = min(count for label, count in at.items() if label.startswith("smelu correct"))
        faithful = min(count for label, count in at.items() if label.startswith("smelu faithful"))
        smooth = {label: count for label, count in at.items() if not label.startswith("smelu")}
        faithful_smooth = {label: count for label, count in smooth.items() if not label.endswith("table")}
        any_label = min(smooth, key=smooth.get)
        faithful_label = min(faithful_smooth, key=faithful_smooth.get)
        cheapest, cheapest_faithful = smooth[any_label], faithful_smooth[faithful_label]
        print(
            f"{bits:>4} {correct:>14} {faithful:>15} {f'{cheapest} ({any_label})':>30} "
            f"{f'{cheapest_faithful} ({faithful_label})':>30} {correct / cheapest:>9.3f} "
            f"{faithful / cheapest:>10.3f} {faithful / cheapest_faithful:>12.3f}"
        )
    print("every unit:")
    for (bits, label), count in counts.items():
        print(f"  {bits:>2} {label:<24} {count:>7}")


if __name__ == "__main__":
    main()
