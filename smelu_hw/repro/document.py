"""The study's outputs: a table, a CSV, a PD-versus-loss plot and a plain verdict."""

from __future__ import annotations

import csv
import io
from itertools import pairwise
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from ..fixed import QFormat
from .net import TrainConfig
from .study import ArmResult, interval

__all__ = ["write_outputs", "verdict"]


def _paired(results: list[ArmResult], label: str) -> ArmResult:
    return next(result for result in results if result.arm.label == label)


def verdict(results: list[ArmResult]) -> tuple[ArmResult, list[str]]:
    """The best SmeLU against ReLU, paired over seeds, and sentences that say what was found."""
    relu = _paired(results, "relu")
    smelus = [result for result in results if result.arm.curve == "smelu"]
    best = min(smelus, key=lambda result: float(np.mean(result.pd)))
    ratio, low, high = interval(best.pd / relu.pd)
    gap, gap_low, gap_high = interval(best.accuracy - relu.accuracy)
    lines = [
        f"Best SmeLU ({best.arm.label}): PD {np.mean(best.pd):.4f} against ReLU's {np.mean(relu.pd):.4f}, "
        f"a ratio of **{ratio:.2f}** (95% CI {low:.2f} to {high:.2f}, paired over {len(best.pd)} seeds). "
        f"Accuracy difference against ReLU: {100 * gap:+.2f} points (95% CI {100 * gap_low:+.2f} to "
        f"{100 * gap_high:+.2f})."
    ]
    if high < 1 and ratio <= 0.6:
        lines.append(
            f"The claim reproduced here: SmeLU's PD is {ratio:.2f} of ReLU's, in line with the published "
            "reduction of roughly one half, and the interval excludes no reduction."
        )
    elif high < 1:
        lines.append(
            "The claim reproduced only in part: SmeLU's prediction difference is significantly lower than "
            "ReLU's, but the reduction is smaller than the roughly one half that was published."
        )
    else:
        lines.append(
            "The claim did not reproduce here: the interval for SmeLU's PD relative to ReLU includes 1 "
            "(no significant reduction) in this setting."
        )
    smooth = [result for result in results if result.arm.curve not in ("relu", "smelu", "hardswish")]
    if smooth:
        most = min(smooth, key=lambda result: float(np.mean(result.pd)))
        _, most_low, most_high = interval(most.pd)
        _, best_low, best_high = interval(best.pd)
        if best_high < most_low:
            relation = "significantly lower than it"
        elif most_high < best_low:
            relation = "significantly higher than it"
        else:
            relation = "indistinguishable from it (the intervals overlap)"
        lines.append(
            f"Among the other smooth activations the lowest PD is {most.arm.label} ({np.mean(most.pd):.4f}); "
            f"SmeLU's best is {relation}."
        )
    lines += smoothness_trends(results)
    return best, lines


def smoothness_trends(results: list[ArmResult]) -> list[str]:
    """Whether PD falls as each swept activation gets smoother (larger SmeLU beta, smaller
    Swish/Softplus beta), stated from the measured means."""
    sentences = []
    for curve, smoother_with_larger_beta in (("smelu", True), ("swish", False), ("softplus", False)):
        members = sorted(
            (result for result in results if result.arm.curve == curve and result.arm.beta is not None),
            key=lambda result: result.arm.beta if smoother_with_larger_beta else -result.arm.beta,
        )
        if len(members) < 3:
            continue
        means = [float(np.mean(member.pd)) for member in members]
        trend = "falls steadily" if all(b <= a for a, b in pairwise(means)) else "does not fall steadily"
        sentences.append(
            f"{curve}: PD {trend} as it gets smoother ({' -> '.join(f'{m:.4f}' for m in means)}, "
            f"{members[0].arm.label} to {members[-1].arm.label})."
        )
    return sentences


def write_outputs(
    results: list[ArmResult], out_dir: Path, fmt: QFormat, config: TrainConfig, seeds: int, quick: bool
) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    header = [
        "arm",
        "curve",
        "beta",
        "pd_mean",
        "pd_low",
        "pd_high",
        "acc_mean",
        "acc_low",
        "acc_high",
        "loss_mean",
    ]
    writer.writerow(header)
    table = ["| activation | PD (95% CI) | accuracy (95% CI) | eval loss |", "|---|---|---|---|"]
    for result in results:
        pd, acc = interval(result.pd), interval(result.accuracy)
        loss = float(np.mean(result.loss))
        writer.writerow(
            [
                result.arm.label,
                result.arm.curve,
                result.arm.beta or "",
                *(f"{v:.5f}" for v in (*pd, *acc)),
                f"{loss:.5f}",
            ]
        )
        table.append(
            f"| {result.arm.label} | {pd[0]:.4f} ({pd[1]:.4f} to {pd[2]:.4f}) | {100 * acc[0]:.2f}% "
            f"({100 * acc[1]:.2f} to {100 * acc[2]:.2f}) | {loss:.4f} |"
        )
    prefix = "repro_quick" if quick else "repro"
    (out_dir / f"{prefix}.csv").write_text(buffer.getvalue())
    plot(results, out_dir / f"{prefix}_pd_vs_loss.png", fmt)
    _, lines = verdict(results)
    text = [
        "# Reproducibility of fixed-point activations",
        "",
        f"`python -m smelu_hw.repro{' --quick' if quick else ''}`: "
        f"an MLP 64-{'-'.join(map(str, config.hidden))}-10 on scikit-learn's digits (1297 train, 500 eval), "
        f"SGD with momentum {config.momentum}, learning rate {config.learning_rate}, batch {config.batch}, "
        f"{config.epochs} epochs{', hidden outputs normalized per example' if config.normalize else ''}. "
        f"Hidden activations and their gradients are the bit-exact fixed-point golden models at {fmt}. "
        f"For each of {seeds} seeds, two networks with the same initial weights are trained on differently "
        "shuffled data; PD is the mean of |p1 - p2| / ((p1 + p2) / 2) over the evaluation set, p the "
        "probability of the true class. Intervals are 95% Student-t over seeds.",
        "",
        *table,
        "",
        "## Verdict",
        "",
        *lines,
        "",
        f"![PD against loss]({prefix}_pd_vs_loss.png)",
    ]
    (out_dir / f"{prefix}.md").write_text("\n".join(text) + "\n")


def plot(results: list[ArmResult], path: Path, fmt: QFormat) -> None:
    figure, axes = plt.subplots(figsize=(8, 5.5))
    curves: dict[str, list[ArmResult]] = {}
    for result in results:
        curves.setdefault(result.arm.curve, []).append(result)
    for curve, members in curves.items():
        loss = [float(np.mean(member.loss)) for member in members]
        pd = [interval(member.pd) for member in members]
        means = [p[0] for p in pd]
        errors = np.array([[p[0] - p[1] for p in pd], [p[2] - p[0] for p in pd]])
        axes.errorbar(loss, means, yerr=errors, marker="o", capsize=3, label=curve)
        for member, x, y in zip(members, loss, means, strict=True):
            if member.arm.beta is not None:
                axes.annotate(
                    f"b={member.arm.beta:g}", (x, y), fontsize=7, xytext=(4, 3), textcoords="offset points"
                )
    axes.set(
        title=f"Prediction difference against loss ({fmt} fixed-point activations)",
        xlabel="evaluation cross-entropy loss",
        ylabel="relative prediction difference (PD)",
    )
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110, metadata={"Software": None})
    plt.close(figure)
