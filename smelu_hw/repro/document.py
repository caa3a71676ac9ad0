"""The study's outputs: tables, a CSV, plots and the generated verdict, in one Markdown file."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np

from ..datasets import DATASETS
from .net import TrainConfig
from .plots import plot_pd_vs_bits, plot_pd_vs_loss
from .recsys import RecsysStudy
from .recsys_report import plot_recsys, recsys_csv, recsys_section
from .study import (
    SMELU_BETAS,
    ArmResult,
    Precision,
    Staircase,
    Study,
    gradient_staircase,
    interval,
    precision_label,
)
from .verdict import verdict

__all__ = ["write_outputs", "ratio_table", "staircase_table"]

CSV_HEADER = [
    "dataset",
    "arm",
    "curve",
    "beta",
    "precision",
    *(f"{name}_{part}" for name in ("pd", "acc") for part in ("mean", "low", "high")),
    "loss_mean",
    *(f"{name}_{part}" for name in ("ratio_relu", "ratio_float") for part in ("mean", "low", "high")),
]


def _cell(values: tuple[float, ...]) -> str:
    """A paired ratio; bold when its interval excludes 1."""
    mean, low, high = values
    text = f"{mean:.2f}"
    if high < 1 or low > 1:
        text = f"**{text}**"
    return f"{text} ({low:.2f} to {high:.2f})"


def ratio_table(study: Study, dataset: str, against: str) -> list[str]:
    """Rows per arm, a column per precision: PD over ReLU's at the same precision
    (``against="relu"``) or over the same arm's float64 PD (``against="float"``)."""
    columns = study.precisions if against == "relu" else study.widths
    lines = [
        "| activation | " + " | ".join(precision_label(bits) for bits in columns) + " |",
        "|---" * (len(columns) + 1) + "|",
    ]
    for arm in study.arms:
        if against == "relu" and arm.label == "relu":
            continue
        cells = []
        for bits in columns:
            result = study.get(dataset, arm.label, bits)
            cells.append(
                _cell(study.ratio(result) if against == "relu" else study.ratio(result, arm.label, None))
            )
        lines.append(f"| {arm.label} | " + " | ".join(cells) + " |")
    return lines


def _accuracy_gap(study: Study, result: ArmResult, label: str, bits: Precision) -> str:
    """Accuracy of ``result`` minus that of arm ``label`` at ``bits``, paired by seed, in points."""
    other = study.get(result.dataset, label, bits)
    gap, low, high = (100 * value for value in interval(result.accuracy - other.accuracy))
    return f"{gap:+.2f} ({low:+.2f} to {high:+.2f})"


def _detail_table(study: Study, dataset: str) -> list[str]:
    lines = [
        "| activation | precision | PD (95% CI) | accuracy (95% CI) | accuracy - ReLU, points | "
        "accuracy - float64, points | eval loss |",
        "|---|---|---|---|---|---|---|",
    ]
    for arm in study.arms:
        for bits in study.precisions:
            result = study.get(dataset, arm.label, bits)
            pd, acc = interval(result.pd), interval(result.accuracy)
            against_relu = "" if arm.label == "relu" else _accuracy_gap(study, result, "relu", bits)
            against_float = "" if bits is None else _accuracy_gap(study, result, arm.label, None)
            lines.append(
                f"| {arm.label} | {precision_label(bits)} | {pd[0]:.4f} ({pd[1]:.4f} to {pd[2]:.4f}) | "
                f"{100 * acc[0]:.2f}% ({100 * acc[1]:.2f} to {100 * acc[2]:.2f}) | {against_relu} | "
                f"{against_float} | {np.mean(result.loss):.4f} |"
            )
    return lines


def _seeds_csv(study: Study) -> str:
    """Every pair's raw result, one row per seed, for analyses of your own."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["dataset", "arm", "precision", "seed", "pd", "accuracy", "loss"])
    for result in study.results:
        for seed, values in enumerate(zip(result.pd, result.accuracy, result.loss, strict=True)):
            writer.writerow(
                [
                    result.dataset,
                    result.arm.label,
                    precision_label(result.bits),
                    seed,
                    *(f"{v:.6f}" for v in values),
                ]
            )
    return buffer.getvalue()


def staircase_table(staircases: list[Staircase], widths: tuple[int, ...]) -> list[str]:
    """Rows per beta, a column per width: codes in the band / gradient levels / largest jump."""
    lines = [
        "| SmeLU beta | " + " | ".join(precision_label(bits) for bits in widths) + " |",
        "|---" * (len(widths) + 1) + "|",
    ]
    for beta in sorted({staircase.beta for staircase in staircases}):
        cells = {s.bits: s for s in staircases if s.beta == beta}
        lines.append(
            f"| {beta:g} | "
            + " | ".join(
                f"{cells[bits].codes_in_band} / {cells[bits].levels} / {cells[bits].largest_jump:g}"
                for bits in widths
            )
            + " |"
        )
    return lines


def _csv(study: Study) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for result in study.results:
        numbers = [
            *interval(result.pd),
            *interval(result.accuracy),
            float(np.mean(result.loss)),
            *study.ratio(result),
            *study.ratio(result, result.arm.label, None),
        ]
        writer.writerow(
            [
                result.dataset,
                result.arm.label,
                result.arm.curve,
                "" if result.arm.beta is None else f"{result.arm.beta:g}",
                precision_label(result.bits),
                *(f"{number:.5f}" for number in numbers),
            ]
        )
    return buffer.getvalue()


def _setup(study: Study, config: TrainConfig, seeds: int, quick: bool) -> str:
    sizes = {name: DATASETS[name]()[0] for name in study.datasets}
    data = ", ".join(f"{name} ({len(x)} training examples, {x.shape[1]} inputs)" for name, x in sizes.items())
    return (
        f"`python -m smelu_hw.repro{' --quick' if quick else ''}`: MLPs with hidden layers "
        f"{'-'.join(map(str, config.hidden))} on {data}; the data ship inside scikit-learn. "
        f"SGD with momentum {config.momentum}, learning rate {config.learning_rate}, batch {config.batch}, "
        f"{config.epochs} epochs{', hidden outputs normalized per example' if config.normalize else ''}. "
        "Hidden activations and their gradients are the bit-exact fixed-point golden models at "
        f"{', '.join(precision_label(bits) for bits in study.widths)} (fractional bits = bits // 2; "
        "pre-activations rounded to the input format and saturated), or float64 with no quantization. "
        f"For each of {seeds} seeds, two networks with the same initial weights are trained on differently "
        "shuffled data; PD is the mean of |p1 - p2| / ((p1 + p2) / 2) over the evaluation set, p the "
        "probability of the true class. Every arm sees the same seeds, so ratios are paired by seed; "
        "intervals are 95% Student-t over seeds, and a ratio is **bold** when its interval excludes 1."
    )


def write_outputs(
    study: Study,
    out_dir: Path,
    config: TrainConfig,
    seeds: int,
    quick: bool,
    recsys: RecsysStudy | None = None,
    seconds: float = 0.0,
) -> None:
    """Write ``<prefix>.md``, ``<prefix>.csv`` (summary), ``<prefix>_seeds.csv`` (every pair)
    and the plots (prefix ``repro`` or ``repro_quick``); with ``recsys``, its section and
    ``<prefix>_recsys.csv``, ``<prefix>_recsys_seeds.csv`` and ``<prefix>_recsys.png``."""
    prefix = "repro_quick" if quick else "repro"
    text = ["# Reproducibility of fixed-point activations against precision", ""]
    if study.datasets:
        text += _classifier_sections(study, out_dir, prefix, config, seeds, quick)
    if recsys is not None:
        summary, per_seed = recsys_csv(recsys)
        (out_dir / f"{prefix}_recsys.csv").write_text(summary)
        (out_dir / f"{prefix}_recsys_seeds.csv").write_text(per_seed)
        plot_recsys(recsys, out_dir / f"{prefix}_recsys.png")
        text += [*([""] if text[-1] else []), *recsys_section(recsys, seeds, f"{prefix}_recsys.png", seconds)]
    (out_dir / f"{prefix}.md").write_text("\n".join(text).rstrip("\n") + "\n")


def _classifier_sections(
    study: Study, out_dir: Path, prefix: str, config: TrainConfig, seeds: int, quick: bool
) -> list[str]:
    """The classifier study's sections (writing its CSV files and plots)."""
    (out_dir / f"{prefix}.csv").write_text(_csv(study))
    (out_dir / f"{prefix}_seeds.csv").write_text(_seeds_csv(study))
    betas = sorted({arm.beta for arm in study.arms if arm.curve == "smelu"} | set(SMELU_BETAS))
    staircases = [gradient_staircase(beta, bits) for beta in betas for bits in study.widths]
    text = [
        _setup(study, config, seeds, quick),
        "",
        "## Verdict",
        "",
        *verdict(study, staircases),
        "",
    ]
    for dataset in study.datasets:
        plot_pd_vs_bits(study, dataset, out_dir / f"{prefix}_pd_vs_bits_{dataset}.png")
        text += [
            f"## {dataset}",
            "",
            "PD relative to ReLU at the same precision (below 1 is a reduction):",
            "",
            *ratio_table(study, dataset, "relu"),
            "",
            "PD relative to the same activation in float64 (above 1: quantization raises PD):",
            "",
            *ratio_table(study, dataset, "float"),
            "",
            *_detail_table(study, dataset),
            "",
            f"![PD against width, {dataset}]({prefix}_pd_vs_bits_{dataset}.png)",
            "",
        ]
    widest = study.widths[-1]
    plot_pd_vs_loss(study, study.datasets[0], widest, out_dir / f"{prefix}_pd_vs_loss.png")
    return [
        *text,
        f"![PD against loss, {study.datasets[0]} at {precision_label(widest)}]({prefix}_pd_vs_loss.png)",
        "",
        "## Gradient staircase",
        "",
        "SmeLU's gradient across its band, from the golden model at each width: codes strictly inside "
        "(-beta, beta) / distinct gradient values from the last code at or below -beta to the first at "
        "or above beta / largest gradient difference between neighbouring codes there (ReLU's is 1, in "
        "one step).",
        "",
        *staircase_table(staircases, study.widths),
    ]
