"""Lane-parallel cocotb verification: many copies of a unit side by side
(:class:`~smelu_hw.hw.lanes.LaneArray`), a NumPy array of vectors per simulation step.

The cocotb path of choice for wide sweeps on a simulator: it moves a step's vectors as one
packed word (:func:`~smelu_hw.hw.lanes.encode_lanes`) and compares all results at once. The
native driver (:mod:`smelu_hw.verify.checks`) is faster still; this path also runs on Icarus.
"""

from __future__ import annotations

from pathlib import Path

from amaranth.back import verilog as amaranth_verilog

from ..hw.lanes import LaneArray
from ..registry import ACTIVATIONS
from ..specs import ActivationSpec
from .cocotb_run import BenchError, bench_environment, build_design, read_summary, run_cocotb

__all__ = ["lanes_check"]


def lanes_check(
    work_dir: Path, spec: ActivationSpec, lanes: int, *, simulator: str = "icarus", codes: str = "all"
) -> tuple[int, float]:
    """Check every code in ``codes`` (``all`` or ``start:stop``) through a lane array.

    Returns the number of codes checked and the seconds of the simulation loop (unpacking,
    golden model and comparison included).

    Raises
    ------
    BenchError
        If the bench failed, or checked another number of codes than asked.
    """
    from ..gen.build import generate

    work_dir.mkdir(parents=True, exist_ok=True)
    _, manifest = generate(spec).write(work_dir)
    source = work_dir / "lanes.v"
    array = LaneArray(spec, lanes, ACTIVATIONS[spec.activation].unit)
    source.write_text(amaranth_verilog.convert(array, name="lanes", emit_src=False))
    build_design([source], "lanes", work_dir / "build", simulator)
    failed = run_cocotb(
        toplevel="lanes",
        test_module="smelu_hw.verify.benches.lanes",
        testcases=["lanes_match_model"],
        build_dir=work_dir / "build",
        test_dir=work_dir / "run",
        simulator=simulator,
        env=bench_environment(manifest=manifest.resolve(), lanes=lanes, codes=codes),
        vectors=(1 << spec.fmt.bits)
        if codes == "all"
        else int(codes.split(":")[1]) - int(codes.split(":")[0]),
    )
    if failed:
        raise BenchError(f"the lane bench failed; see {work_dir / 'run' / 'sim.log'}")
    summary = read_summary(work_dir / "run", "lanes_match_model")
    start, stop = (spec.fmt.min_code, spec.fmt.max_code + 1) if codes == "all" else map(int, codes.split(":"))
    if summary["count"] != stop - start:
        raise BenchError(f"the lane bench checked {summary['count']} codes, not {stop - start}")
    return summary["count"], summary["seconds"]
