"""The verification certificate: ``MODULE.cert.json`` and a short ``MODULE.cert.md``.

The JSON is the record (docs/SPEC.md §8): the hashes of the files verified, the configuration
and tool versions, how every input region was covered, the contract checked, the mismatches,
and the wall time. Both files are written atomically, so an interrupted run leaves none.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

__all__ = ["CERTIFICATE_VERSION", "Certificate", "OutputFolderError", "check_writable"]

#: Version of the certificate's JSON layout.
CERTIFICATE_VERSION = 1


class OutputFolderError(Exception):
    """The certificate folder cannot be written (bad input, found before anything runs)."""


def check_writable(out_dir: Path) -> None:
    """Make sure certificates can be written into ``out_dir`` (made if missing) before a run:
    its nearest existing folder must take a file. Nothing is left behind.

    Raises
    ------
    OutputFolderError
        If it cannot.
    """
    folder = probe = Path(out_dir)
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if not probe.is_dir():
        raise OutputFolderError(f"cannot write certificates into {folder}: {probe} is not a folder")
    try:
        with tempfile.TemporaryFile(dir=probe):
            pass
    except OSError as error:
        raise OutputFolderError(
            f"cannot write certificates into {folder}: {error.strerror or error}"
        ) from None


@dataclass
class Certificate:
    """What a verification run established about one design.

    Attributes
    ----------
    module : str
        The Verilog module verified.
    sha256 : dict
        ``{"verilog": ..., "manifest": ...}`` of the files as read.
    configuration : dict
        The manifest's description of the unit (activation, parameters, formats, latency).
    tools : dict
        Tool versions.
    regions : list of dict
        Every input region with ``method`` ``exhaustive`` (``checked`` of ``codes``),
        ``proved`` (``engine``, ``seconds``), ``disproved`` (a ``counterexample``) or
        ``sampled`` (``checked`` of ``codes``), and its ``mismatch_count``.
    contract : dict
        The latency and valid/reset (or stream) contract checked, if any.
    mismatch_count : int
        Every mismatching (input, field) pair found.
    mismatches : list
        The first ten as ``[x, field, got, want]``.
    complete : bool
        Whether every input code is covered exhaustively or by proof.
    wall_seconds : float
        Time of the run, builds included.
    verilog_as_generated : bool or None
        Whether the Verilog is the file the generator wrote (its sha256 equals the manifest's
        ``verilog_sha256``); ``None`` when the manifest records no hash.
    c_model : dict or None
        The C model's check (:meth:`~smelu_hw.verify.results.CModelResult.record`), when a
        header was checked; its failure (or a check that compared nothing) fails the
        certificate. ``complete`` and ``mismatch_count`` are the RTL's; this entry has its own.
    """

    module: str
    sha256: dict[str, str]
    configuration: dict[str, object]
    tools: dict[str, str]
    regions: list[dict[str, object]] = field(default_factory=list)
    contract: dict[str, object] = field(default_factory=dict)
    mismatch_count: int = 0
    mismatches: list[list[object]] = field(default_factory=list)
    complete: bool = False
    wall_seconds: float = 0.0
    verilog_as_generated: bool | None = None
    c_model: dict[str, object] | None = None

    @property
    def verified(self) -> bool:
        """No mismatch and no contract failure was found (complete or not), and a C model, if
        one was checked, compiled and equalled the golden model on every code compared."""
        c_model = self.c_model is None or (self.c_model["verified"] is True and self.c_model["checked"] > 0)
        return self.mismatch_count == 0 and not self.contract.get("failures", 0) and c_model

    @property
    def verdict(self) -> str:
        if not self.verified:
            return "MISMATCH"
        return "VERIFIED (complete)" if self.complete else "VERIFIED (incomplete: some regions sampled)"

    def to_json(self) -> dict[str, object]:
        record = asdict(self)
        if record["c_model"] is None:  # certificates without a C model keep their fields
            del record["c_model"]
        return {"certificate_version": CERTIFICATE_VERSION, "verdict": self.verdict, **record}

    def _c_model_line(self) -> str:
        """The C model's verdict in a few words (``""`` when none was checked)."""
        c = self.c_model
        if c is None:
            return ""
        header = f"C model {c['header']}" + (" (found beside the manifest)" if c["automatic"] else "")
        if c["error"] is not None:
            return f"{header}: FAILED, {c['error'].splitlines()[0]}"
        coverage = "complete" if c["complete"] else "some regions sampled"
        if c["verified"]:
            return f"{header}: verified ({c['checked']:,} compared, {coverage})"
        line = f"{header}: MISMATCH, {c['failing_codes']} wrong input(s) of {c['checked']:,} compared"
        if c["mismatches"]:
            x, name, got, want = c["mismatches"][0]
            line += f", first {f'at x={x} ' if x is not None else ''}({name}: got {got}, want {want})"
        return line

    def summary(self) -> str:
        """One line: verdict, coverage and the first mismatch."""
        line = f"{self.module}: {self.verdict}"
        if self.verilog_as_generated is False:
            line += " [the Verilog was edited after generation: its sha256 is not the manifest's]"
        if self.mismatches:
            x, name, got, want = self.mismatches[0]
            codes = sum(int(region.get("failing_codes", 0)) for region in self.regions)
            contract = int(self.contract.get("failures", 0))
            counted = f"{codes} wrong code(s)" + (f" and {contract} contract failure(s)" if contract else "")
            at = f"at x={x} " if x is not None else ""
            line += (
                f"; {counted} ({self.mismatch_count} mismatch(es) counting each field), "
                f"first {at}({name}: got {got}, want {want})"
            )
        elif self.contract.get("failures", 0):
            line += f"; {self.contract['failures']} contract failure(s): {self.contract['checked']}"
        if self.c_model is not None:
            line += f"; {self._c_model_line()}"
        return line

    def to_markdown(self) -> str:
        config = self.configuration
        lines = [
            f"# Verification certificate: `{self.module}`",
            "",
            f"**{self.verdict}** in {self.wall_seconds:.1f} s.",
            "",
            f"- Verilog sha256 `{self.sha256['verilog']}`"
            + {True: " (as generated)", False: " (**edited after generation**)", None: ""}[
                self.verilog_as_generated
            ],
            f"- manifest sha256 `{self.sha256['manifest']}`",
            f"- {config['activation']}, parameters {json.dumps(config['params'])}, rounding "
            f"{config['rounding']}, latency {config['latency']}",
            f"- tools: {', '.join(f'{name} {version}' for name, version in self.tools.items())}",
            "",
            "| region | codes | method | coverage |",
            "|---|---|---|---|",
        ]
        for region in self.regions:
            if region["method"] == "proved":
                coverage = f"{region['engine']}, {region['seconds']:.2f} s"
            elif region["method"] == "disproved":
                witness = region.get("counterexample", "not simulated")
                coverage = f"{region['engine']}: counterexample x={witness}"
            else:
                coverage = f"{region['checked']:,} of {region['codes']:,} codes"
            span = f"{region['low']} .. {region['high']}"
            lines.append(f"| {region['name']} | {span} | {region['method']} | {coverage} |")
        if self.contract:
            lines += ["", f"Contract: {self.contract['checked']}."]
        if self.contract.get("patterns"):
            lines += ["", "| idle | backpressure | frames | beats | mismatches |", "|---|---|---|---|---|"]
            lines += [
                f"| {p['idle']} | {p['backpressure']} | {p['frames']} | {p['beats']} | "
                f"{p['mismatch_count'] + p['accept_mismatches']} |"
                for p in self.contract["patterns"]
            ]
        lines += ["", f"Mismatches: {self.mismatch_count}."]
        lines += [f"- x={x}: {name} got {got}, want {want}" for x, name, got, want in self.mismatches]
        if self.c_model is not None:
            lines += self._c_model_markdown()
        return "\n".join(lines) + "\n"

    def _c_model_markdown(self) -> list[str]:
        c = self.c_model
        lines = ["", "## C model", "", f"{self._c_model_line()}.", "", f"- sha256 `{c['sha256']}`"]
        lines += [f"- compiler: {c['compiler']}", ""]
        if c["error"] is not None:
            return [*lines, "```", c["error"], "```"]
        lines += ["| region | inputs | method | compared | mismatches |", "|---|---|---|---|---|"]
        for region in c["regions"]:
            size = next(f"{region[key]:,} {key}" for key in ("codes", "pairs", "vectors") if key in region)
            span = f"{region['low']} .. {region['high']} ({size})" if "low" in region else size
            lines.append(
                f"| {region['name']} | {span} | {region['method']} | {region['checked']:,} | "
                f"{region['mismatch_count']} |"
            )
        lines += [f"- x={x}: {name} got {got}, want {want}" for x, name, got, want in c["mismatches"]]
        return lines

    def write(self, out_dir: Path) -> list[Path]:
        """Write ``MODULE.cert.json`` and ``MODULE.cert.md`` into ``out_dir`` atomically."""
        out_dir.mkdir(parents=True, exist_ok=True)
        texts = {
            f"{self.module}.cert.json": json.dumps(self.to_json(), indent=2) + "\n",
            f"{self.module}.cert.md": self.to_markdown(),
        }
        from ..gen.files import write_atomically  # the generator's writer, without loading it early

        return [write_atomically(out_dir / name, text) for name, text in texts.items()]
