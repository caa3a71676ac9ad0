"""The recommender study's outputs: its section of ``repro.md``, its CSV files and its figure.

The verdict is generated from the numbers: at each width, the SmeLU arm with the lowest PD is
judged against ReLU (does PD stay near the published reduction of about one half, with its
interval below 1, and is the per-user log loss within :data:`LOSS_TOLERANCE` percent of
ReLU's?) and against GELU, Swish and Softplus at their lowest-PD setting.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np

from .recsys import RANKED_USERS, TOP_K, RecsysResult, RecsysStudy
from .study import Precision, interval, precision_label
from .verdict import PUBLISHED_RATIO

__all__ = ["LOSS_TOLERANCE", "plot_recsys", "recsys_csv", "recsys_section", "recsys_verdict"]

#: Largest rise of the per-user log loss over ReLU's, in percent, that still "keeps accuracy".
LOSS_TOLERANCE = 1.0
#: The smooth curves SmeLU is compared with.
COMPARED = ("gelu", "swish", "softplus")


def _ci(values: tuple[float, ...], digits: int = 2, unit: str = "") -> str:
    mean, low, high = values
    return f"{mean:.{digits}f}{unit} (95% CI {low:.{digits}f} to {high:.{digits}f})"


def best_of(study: RecsysStudy, curve: str, bits: Precision) -> RecsysResult | None:
    """The arm of ``curve`` with the lowest mean PD at ``bits``, if the study has the curve."""
    results = [study.get(arm.label, bits) for arm in study.arms if arm.curve == curve]
    return min(results, key=lambda result: float(np.mean(result.pd))) if results else None


def recsys_verdict(study: RecsysStudy) -> list[str]:
    """The generated sentences of the recommender study: one per precision, then the overall
    answer to the seed's claim."""
    lines, kept, ratios = [], [], []
    for bits in study.precisions:
        smelu = best_of(study, "smelu", bits)
        if smelu is None:
            return ["The study has no SmeLU arm."]
        pd, swap, loss = study.ratio(smelu, "pd"), study.ratio(smelu, "swap"), study.loss_change(smelu)
        ratios.append(pd[0])
        reduces, keeps_loss = pd[2] < 1, loss[0] <= LOSS_TOLERANCE
        by = f"by {100 * (1 - pd[0]):.0f}%"
        if reduces and pd[0] <= PUBLISHED_RATIO and keeps_loss:
            judgement = "keeps the published reduction of about one half and its accuracy"
            kept.append(bits)
        elif reduces and keeps_loss:
            judgement = (
                f"reduces PD significantly and keeps its accuracy, but {by}, **not the published one half**"
            )
        elif reduces:
            judgement = (
                f"reduces PD significantly ({by}), but its loss rises by more than {LOSS_TOLERANCE:g}%"
            )
        else:
            judgement = "**does not reduce PD significantly**"
        others = []
        for curve in COMPARED:
            other = best_of(study, curve, bits)
            if other is not None:
                others.append(f"{other.arm.label} {_ci(study.ratio(other, 'pd'))}")
        lines.append(
            f"At {precision_label(bits)}, the best SmeLU ({smelu.arm.label}) {judgement}: PD ratio to ReLU "
            f"{_ci(pd)}, swap-rate ratio {_ci(swap)}, per-user log loss {_ci(loss, unit='%')} against "
            f"ReLU's. The others' best PD ratios: {'; '.join(others) if others else 'none in this run'}."
        )
    if kept:
        widths = ", ".join(precision_label(bits) for bits in kept)
        lines.append(
            f"**SmeLU keeps the seed's reduction of about one half, with its accuracy, at {widths}.**"
        )
    else:
        lines.append(
            f"**This contradicts the seed's figure in this setting: at no precision does SmeLU keep a "
            f"reduction of about one half.** Its best PD ratio to ReLU is {min(ratios):.2f} to "
            f"{max(ratios):.2f} across the precisions."
        )
    return lines


def _table(study: RecsysStudy) -> list[str]:
    lines = [
        "| activation | precision | PD | PD / ReLU | swap rate | swap / ReLU | per-user log loss | "
        "loss vs ReLU | per-user AUC |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for arm in study.arms:
        for bits in study.precisions:
            result = study.get(arm.label, bits)
            relu = arm.label == "relu"
            pd_ratio = "" if relu else _ci(study.ratio(result, "pd"))
            swap_ratio = "" if relu else _ci(study.ratio(result, "swap"))
            loss = "" if relu else _ci(study.loss_change(result), unit="%")
            lines.append(
                f"| {arm.label} | {precision_label(bits)} | {np.mean(result.pd):.4f} | {pd_ratio} | "
                f"{np.mean(result.swap):.3f} | {swap_ratio} | {np.mean(result.loss):.4f} | {loss} | "
                f"{np.mean(result.auc):.4f} |"
            )
    return lines


def recsys_section(study: RecsysStudy, seeds: int, figure: str, seconds: float) -> list[str]:
    """The Markdown of the recommender section, its figure named ``figure``."""
    clicks, config = study.clicks, study.config
    setup = (
        f"A synthetic click-through task (`smelu_hw.repro.clicks`): {clicks.users} users and "
        f"{clicks.items} items with Zipf popularity (exponent {clicks.zipf:g}), user attribute fields of "
        f"{', '.join(map(str, clicks.user_fields))} values and item attribute fields of "
        f"{', '.join(map(str, clicks.item_fields))} values; {clicks.impressions} impressions in time order, "
        f"the last {100 * clicks.eval_fraction:g}% held out. Clicks are drawn from a teacher: a "
        f"factorization machine over the six ids (dimension {clicks.teacher_dim}, scale "
        f"{clicks.teacher_scale:g}) plus {clicks.cross:g} * tanh(2 <a_user, b_item>), its bias set for a "
        f"{100 * clicks.positive_rate:g}% click rate. The model: one {config.embedding_dim}-wide embedding "
        f"per field, concatenated, an MLP tower {'-'.join(map(str, config.hidden))} with the arm's "
        "activation (the bit-exact golden models forward and backward at each width, or float64), hidden "
        f"outputs normalized per example, a logistic output; Adagrad (rate {config.learning_rate:g}, batch "
        f"{config.batch}), {config.epochs} pass(es). {seeds} seeds, two models per seed differing only in "
        f"data order. Swap rate: the {RANKED_USERS} users with the most evaluation impressions rank every "
        f"item, and the two models' top-{TOP_K} lists are compared. Ratios and loss changes are against "
        f"ReLU at the same precision, paired by seed, with 95% Student-t intervals. Its {len(study.results)} "
        f"runs took {seconds:.0f} s (`--jobs` processes, submitted before the classifiers' runs)."
    )
    return [
        "## Recommender setting (recsys)",
        "",
        setup,
        "",
        *recsys_verdict(study),
        "",
        *_table(study),
        "",
        f"![PD and swap rate against the change in loss, recsys]({figure})",
        "",
    ]


def recsys_csv(study: RecsysStudy) -> tuple[str, str]:
    """The summary CSV (one row per arm and precision) and the per-seed CSV."""
    summary, seeds = io.StringIO(), io.StringIO()
    head = ["arm", "curve", "beta", "precision"]
    write = csv.writer(summary, lineterminator="\n")
    write.writerow(
        [
            *head,
            *(f"{name}_{part}" for name in ("pd", "swap", "loss", "auc") for part in ("mean", "low", "high")),
            *(
                f"{name}_{part}"
                for name in ("pd_ratio", "swap_ratio", "loss_change_pct")
                for part in ("mean", "low", "high")
            ),
        ]
    )
    per_seed = csv.writer(seeds, lineterminator="\n")
    per_seed.writerow([*head, "seed", "pd", "swap", "loss", "auc"])
    for result in study.results:
        arm = result.arm
        key = [
            arm.label,
            arm.curve,
            "" if arm.beta is None else f"{arm.beta:g}",
            precision_label(result.bits),
        ]
        numbers = [
            *(value for name in ("pd", "swap", "loss", "auc") for value in interval(getattr(result, name)))
        ]
        numbers += [*study.ratio(result, "pd"), *study.ratio(result, "swap"), *study.loss_change(result)]
        write.writerow([*key, *(f"{number:.5f}" for number in numbers)])
        for seed, values in enumerate(zip(result.pd, result.swap, result.loss, result.auc, strict=True)):
            per_seed.writerow([*key, seed, *(f"{value:.6f}" for value in values)])
    return summary.getvalue(), seeds.getvalue()


def plot_recsys(study: RecsysStudy, path: Path) -> None:
    """PD (top row) and swap rate (bottom row) against the per-user log loss change relative to
    ReLU, one panel per precision, one curve per activation along its smoothness parameter."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    precisions = study.precisions
    figure, axes = plt.subplots(2, len(precisions), figsize=(4 * len(precisions), 7), squeeze=False)
    curves = list(dict.fromkeys(arm.curve for arm in study.arms))
    for column, bits in enumerate(precisions):
        for row, metric in enumerate(("pd", "swap")):
            axis = axes[row][column]
            for curve in curves:
                arms = [arm for arm in study.arms if arm.curve == curve]
                results = [study.get(arm.label, bits) for arm in arms]
                x = [0.0 if curve == "relu" else study.loss_change(r)[0] for r in results]
                y = [interval(getattr(r, metric)) for r in results]
                axis.errorbar(
                    x,
                    [v[0] for v in y],
                    yerr=[[v[0] - v[1] for v in y], [v[2] - v[0] for v in y]],
                    marker="o",
                    capsize=2,
                    label=curve,
                )
                for arm, px, py in zip(arms, x, y, strict=True):
                    if arm.beta is not None:
                        axis.annotate(
                            f"{arm.beta:g}",
                            (px, py[0]),
                            fontsize=7,
                            xytext=(3, 3),
                            textcoords="offset points",
                        )
            axis.set_title(f"{precision_label(bits)}")
            axis.set_xlabel("per-user log loss vs ReLU (%)")
            axis.set_ylabel("relative PD" if metric == "pd" else f"top-{TOP_K} swap rate")
            axis.grid(alpha=0.3)
    axes[0][0].legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=100, metadata={"Software": None})
    plt.close(figure)
