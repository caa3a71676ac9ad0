"""The study's plots: PD against width per activation, and PD against loss at one width."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from .study import Precision, Study, interval, precision_label

__all__ = ["plot_pd_vs_bits", "plot_pd_vs_loss"]

_MARKERS = {
    "relu": "s",
    "smelu": "o",
    "gelu": "D",
    "swish": "^",
    "softplus": "v",
    "elu": "X",
    "hardswish": "P",
}


def _errors(intervals: list[tuple[float, float, float]]) -> np.ndarray:
    return np.array(
        [[mean - low for mean, low, _ in intervals], [high - mean for mean, _, high in intervals]]
    )


def _save(figure: plt.Figure, path: Path) -> None:
    figure.savefig(path, dpi=110, metadata={"Software": None})
    plt.close(figure)


def plot_pd_vs_bits(study: Study, dataset: str, path: Path) -> None:
    """One panel per activation: PD (95% CI) at each width, its float64 PD as a dashed line
    with a shaded interval, and ReLU at each width in grey for reference."""
    count = len(study.arms)
    columns = min(count, 3)
    rows = -(-count // columns)
    figure, axes = plt.subplots(
        rows, columns, figsize=(4 * columns, 3 * rows), sharex=True, sharey=True, squeeze=False
    )
    widths = np.array(study.widths)

    def series(panel: plt.Axes, label: str, **style: object) -> None:
        points = [interval(study.get(dataset, label, bits).pd) for bits in study.widths]
        panel.errorbar(widths, [p[0] for p in points], yerr=_errors(points), label=label, **style)

    for panel, arm in zip(axes.flat, study.arms, strict=False):
        if arm.label != "relu":
            series(panel, "relu", color="0.6", marker="s", capsize=2)
        series(panel, arm.label, color="C0", marker="o", capsize=3)
        mean, low, high = interval(study.get(dataset, arm.label, None).pd)
        panel.axhline(mean, color="C3", linestyle="--", label="float64")
        panel.axhspan(low, high, color="C3", alpha=0.12)
        panel.set_title(arm.label, fontsize=10)
        panel.set_xticks(widths)
        panel.grid(alpha=0.3)
        panel.legend(fontsize=7)
    for panel in axes.flat[count:]:
        panel.set_visible(False)
    for panel in axes[-1]:
        panel.set_xlabel("activation width (bits)")
    for panel in axes[:, 0]:
        panel.set_ylabel("PD")
    figure.suptitle(f"Prediction difference against width ({dataset}; 95% intervals over seeds)")
    figure.tight_layout()
    _save(figure, path)


def plot_pd_vs_loss(study: Study, dataset: str, bits: Precision, path: Path) -> None:
    """PD against evaluation loss at one precision: a marker per arm (shape by curve, colour by
    arm), named in a legend beside the axes so that no label overlaps a point or another label."""
    figure, axes = plt.subplots(figsize=(8.5, 5))
    for index, arm in enumerate(study.arms):
        result = study.get(dataset, arm.label, bits)
        mean, low, high = interval(result.pd)
        axes.errorbar(
            [float(np.mean(result.loss))],
            [mean],
            yerr=[[mean - low], [high - mean]],
            marker=_MARKERS.get(arm.curve, "o"),
            color=f"C{index % 10}",
            linestyle="none",
            capsize=3,
            markersize=7,
            label=arm.label,
        )
    axes.set(
        title=f"PD against loss ({dataset}, {precision_label(bits)} activations)",
        xlabel="evaluation cross-entropy loss",
        ylabel="relative prediction difference (PD)",
    )
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.02, 0.5))
    figure.tight_layout()
    _save(figure, path)
