"""Digests of the Verilog the generator writes for every configuration of ``rtl/`` and the
report's sweep, to prove a refactoring leaves every generated file byte-identical.

    python scripts/verilog_digests.py write before.json     # on the old tree
    python scripts/verilog_digests.py write after.json      # on the new tree
    python scripts/verilog_digests.py compare before.json after.json

The configurations: every unit of the default report sweep, forward only and forward +
gradient at latency 0, and, for the units the report times, every latency from 1 to 5; the
standard set of ``rtl/``; generalized SmeLU (correct and faithful, three latencies); and
engines and AXI4-Stream engines of four activations. ``compare`` exits 1 on any difference or
on a configuration present on one side only, and prints how many it compared.
"""

from __future__ import annotations

import hashlib
import json
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

TIMED_LATENCIES = (1, 2, 3, 4, 5)


def _configurations() -> list[tuple[str, dict]]:
    """(label, description) of every configuration; the description is plain data, so the
    workers rebuild the spec themselves."""
    from smelu_hw.report.sweep import TIMING_BITS, default_units

    configurations = []
    for unit in default_units():
        base = {"kind": "sweep", "unit": [unit.activation, unit.bits, unit.beta, unit.method, unit.accuracy]}
        for with_grad in (True, False):
            configurations.append((f"{unit.name} grad={with_grad}", base | {"with_grad": with_grad}))
        if unit.bits in TIMING_BITS:
            for latency in TIMED_LATENCIES:
                configurations.append((f"{unit.name} L={latency}", base | {"latency": latency}))
    configurations.append(("standard", {"kind": "standard"}))
    gsmelu = {"beta_left": 1.0, "beta_right": 2.0, "slope_left": 0.0625}
    for accuracy in ("correct", "faithful"):
        for latency in (0, 1, 2):
            description = {"kind": "gsmelu", "params": gsmelu | {"accuracy": accuracy}, "latency": latency}
            configurations.append((f"gsmelu {accuracy} L={latency}", description))
    for activation in ("smelu", "relu", "hardswish", "gelu"):
        for interface, lanes, latency in (("stream", 4, 0), ("stream", 2, 2), ("axis", 4, 1)):
            description = {
                "kind": "engine",
                "activation": activation,
                "interface": interface,
                "lanes": lanes,
                "latency": latency,
            }
            configurations.append((f"{activation} {interface} lanes={lanes} L={latency}", description))
    return configurations


def _digest(description: dict) -> dict[str, str]:
    """Module name -> sha256 of each Verilog file the configuration generates."""
    from smelu_hw import QFormat
    from smelu_hw.gen import generate
    from smelu_hw.registry import ACTIVATIONS
    from smelu_hw.report.sweep import UnitConfig

    kind = description["kind"]
    if kind == "standard":
        from smelu_hw.gen.standard import standard_units

        units = standard_units()
    elif kind == "sweep":
        spec = UnitConfig(*description["unit"]).spec()
        options = {key: description[key] for key in ("with_grad", "latency") if key in description}
        units = [generate(spec, **options)]
    elif kind == "gsmelu":
        spec = ACTIVATIONS["gsmelu"].spec(fmt=QFormat(12, 6), **description["params"])
        units = [generate(spec, latency=description["latency"])]
    else:
        spec = ACTIVATIONS[description["activation"]].spec(fmt=QFormat(8, 4))
        units = [
            generate(
                spec,
                latency=description["latency"],
                lanes=description["lanes"],
                interface=description["interface"],
            )
        ]
    return {unit.name: hashlib.sha256(unit.verilog.encode()).hexdigest() for unit in units}


def write(path: Path) -> int:
    configurations = _configurations()
    with ProcessPoolExecutor() as pool:
        digests = list(pool.map(_digest, [description for _, description in configurations]))
    result = {label: digest for (label, _), digest in zip(configurations, digests, strict=True)}
    path.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n")
    print(f"{sum(len(d) for d in result.values())} Verilog files of {len(result)} configurations -> {path}")
    return 0


def compare(before: Path, after: Path) -> int:
    old, new = json.loads(before.read_text()), json.loads(after.read_text())
    differ = sorted(label for label in old.keys() & new.keys() if old[label] != new[label])
    one_side = sorted(old.keys() ^ new.keys())
    for label in differ:
        print(f"differs: {label}")
    for label in one_side:
        print(f"only in {'before' if label in old else 'after'}: {label}")
    files = sum(len(digest) for digest in old.values())
    counts = f"{len(differ)} differ, {len(one_side)} unmatched"
    print(f"{files} Verilog files of {len(old)} configurations compared: {counts}")
    return 1 if differ or one_side else 0


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "write":
        return write(Path(argv[1]))
    if len(argv) == 3 and argv[0] == "compare":
        return compare(Path(argv[1]), Path(argv[2]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
