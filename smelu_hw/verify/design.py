"""A generated design as a verifier sees it: ``MODULE.json`` and the ``MODULE.v`` beside it.

:func:`load_design` reads both and checks everything that makes them usable before any tool
runs: the manifest parses and describes a valid unit, the Verilog file exists, and its module
and ports match the manifest. Edited *logic* is not checked here; finding it is the
verifier's job.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from ..manifest import file_sha256, format_entry, model_from_manifest
from ..models import Activation
from .wire import EngineWire, engine_wire

__all__ = ["Design", "DesignError", "load_design"]


class DesignError(Exception):
    """The manifest or the Verilog file is missing, corrupt or inconsistent (bad input)."""


_MODULE = re.compile(r"^\s*module\s+([A-Za-z_][A-Za-z0-9_$]*)\s*\(", re.MULTILINE)
_PORT = re.compile(
    r"^\s*(input|output)\s+(?:wire\s+|reg\s+)?(?:signed\s+)?(?:\[(\d+):0\]\s*)?(\w+)\s*;", re.M
)


@dataclass(frozen=True)
class Design:
    """A validated design: manifest, Verilog text and the golden model."""

    manifest: dict
    verilog: str
    manifest_text: str

    @property
    def name(self) -> str:
        return self.manifest["module"]

    @property
    def latency(self) -> int:
        return self.manifest["latency"]

    @property
    def is_engine(self) -> bool:
        return "engine" in self.manifest

    @property
    def is_axis(self) -> bool:
        """Whether the design is an AXI4-Stream engine (``--interface axis``)."""
        return self.manifest.get("interface") == "axis"

    @cached_property
    def wire(self) -> EngineWire:
        """Where an engine's lanes, mode and handshake sit on its ports."""
        return engine_wire(self.manifest)

    @cached_property
    def model(self) -> Activation:
        return model_from_manifest(self.manifest)

    @property
    def sha256(self) -> dict[str, str]:
        return {
            "verilog": file_sha256(self.verilog),
            "manifest": file_sha256(self.manifest_text),
        }

    @property
    def as_generated(self) -> bool | None:
        """Whether the Verilog is the file the generator wrote (its sha256 is the manifest's
        ``verilog_sha256``); ``None`` for a manifest that records no hash."""
        recorded = self.manifest.get("verilog_sha256")
        return None if recorded is None else recorded == self.sha256["verilog"]

    def key(self) -> str:
        """A short content hash naming this design's build folders."""
        return hashlib.sha256((self.verilog + self.manifest_text).encode()).hexdigest()[:16]

    def write(self, folder: Path) -> tuple[Path, Path]:
        """Write ``MODULE.v`` and ``MODULE.json`` into ``folder``; return their paths."""
        folder.mkdir(parents=True, exist_ok=True)
        verilog, manifest = folder / f"{self.name}.v", folder / f"{self.name}.json"
        verilog.write_text(self.verilog)
        manifest.write_text(self.manifest_text)
        return verilog, manifest


def _ports(verilog: str, module: str) -> dict[str, tuple[str, int]]:
    """Port name -> (direction, width) of ``module`` in ``verilog``."""
    for match in _MODULE.finditer(verilog):
        if match[1] != module:
            continue
        end = verilog.find("endmodule", match.end())
        body = verilog[match.end() : end if end >= 0 else len(verilog)]
        return {
            name: ("in" if direction == "input" else "out", int(msb) + 1 if msb else 1)
            for direction, msb, name in _PORT.findall(body)
        }
    raise DesignError(f"the Verilog file has no module {module!r}")


def _unit_ports(manifest: dict, spec: object) -> set[tuple[str, str, int]]:
    """The ports (SPEC §6) that a unit of ``spec`` with the manifest's latency has."""
    ports = {("x", "in", spec.fmt.bits), ("y", "out", spec.out_fmt.bits)}
    if manifest["grad"] is not None:
        ports.add(("dy", "out", spec.grad_fmt.bits))
    if manifest["latency"]:
        ports |= {("clk", "in", 1), ("rst", "in", 1), ("in_valid", "in", 1), ("out_valid", "out", 1)}
    return ports


def _check_engine(manifest: dict) -> None:
    """Check the ``engine`` entry and the wire it gives (:func:`~.wire.engine_wire`)."""
    engine, axis = manifest["engine"], manifest.get("interface") == "axis"
    fields = {} if axis else engine["input_fields"]  # an AXI4-Stream engine's are in its layout
    if not (
        isinstance(engine["lanes"], int)
        and engine["lanes"] >= 1
        and (axis or isinstance(engine["output_lane_bits"], int))
        and all(isinstance(engine["modes"][mode], int) for mode in ("forward", "gradient", "backward"))
        and all(isinstance(value, int) for field in fields.values() for value in field)
        and all(isinstance(code, int) for code in engine.get("reserved_modes", []))
        and ("reserved_modes" not in engine or isinstance(engine.get("reserved_result"), int))
    ):
        raise TypeError("malformed engine entry")
    if engine_wire(manifest).lanes != engine["lanes"]:
        raise ValueError("the engine's lanes differ from its wire's")


def _check(manifest: object) -> dict:
    """Check that the manifest describes one consistent unit; return it.

    Its formats must be the ones its spec derives, and (for a unit) its ports the ones
    SPEC §6 gives that spec and latency, so no output can escape the checks.
    """
    if not isinstance(manifest, dict):
        raise DesignError("corrupt manifest: not a JSON object")
    keys = ("module", "activation", "input", "output", "grad", "latency", "ports", "rounding", "params")
    missing = [key for key in keys if key not in manifest]
    if missing:
        raise DesignError(f"corrupt manifest: no {', '.join(missing)}")
    module, latency = manifest["module"], manifest["latency"]
    if not isinstance(module, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", module):
        raise DesignError(f"corrupt manifest: module {module!r} is not a Verilog identifier")
    if isinstance(latency, bool) or not isinstance(latency, int) or latency < 0:
        raise DesignError(f"corrupt manifest: latency {latency!r}")
    try:
        spec = model_from_manifest(manifest).spec
        ports = {(port["name"], port["dir"], port["width"]) for port in manifest["ports"]}
        if "engine" in manifest:
            _check_engine(manifest)
    except (KeyError, TypeError, ValueError, AttributeError, ArithmeticError) as error:
        raise DesignError(f"corrupt manifest: {error}") from None
    grad = manifest["grad"]
    formats = [("input", spec.fmt), ("output", spec.out_fmt)] + ([("grad", spec.grad_fmt)] if grad else [])
    for key, fmt in formats:
        if manifest[key] != format_entry(fmt):
            raise DesignError(f"corrupt manifest: {key} {manifest[key]} is not the unit's {fmt}")
    if "engine" not in manifest and ports != _unit_ports(manifest, spec):
        raise DesignError("corrupt manifest: its ports are not those of the unit it describes")
    return manifest


def _read(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise DesignError(f"cannot read {what} {path}: {getattr(error, 'strerror', error)}") from None


def load_design(manifest_path: Path) -> Design:
    """Read and check ``manifest_path`` and the Verilog file beside it.

    Raises
    ------
    DesignError
        If either file is missing or unreadable, the manifest is not a valid unit's, or the
        Verilog module's name or ports differ from the manifest's.
    """
    manifest_path = Path(manifest_path)
    text = _read(manifest_path, "manifest")
    try:
        manifest = _check(json.loads(text))
    except json.JSONDecodeError as error:
        raise DesignError(f"corrupt manifest {manifest_path}: {error}") from None
    verilog_path = manifest_path.with_name(f"{manifest['module']}.v")
    verilog = _read(verilog_path, "Verilog")
    ports = _ports(verilog, manifest["module"])
    wanted = {port["name"]: (port["dir"], port["width"]) for port in manifest["ports"]}
    if ports != wanted:
        differ = sorted(set(ports.items()) ^ set(wanted.items()))
        raise DesignError(
            f"the ports of module {manifest['module']} in {verilog_path.name} differ from its manifest: "
            + ", ".join(f"{name} {direction} {width}" for name, (direction, width) in differ[:4])
        )
    return Design(manifest, verilog, text)
