"""The study's verdict: sentences generated from the numbers, never written by hand."""

from __future__ import annotations

import numpy as np

from ..approx.functions import SMOOTH
from .study import ArmResult, Precision, Staircase, Study, interval, precision_label

__all__ = ["best_smelu", "reduction_widths", "verdict", "staircase_sentences"]

#: The published reduction of PD by smooth activations: roughly one half.
PUBLISHED_RATIO = 0.6


def _ci(values: tuple[float, ...]) -> str:
    mean, low, high = values
    return f"{mean:.2f} (95% CI {low:.2f} to {high:.2f})"


def _widths_text(widths: list[int]) -> str:
    if not widths:
        return "no width"
    text = [f"{bits}" for bits in widths]
    return (", ".join(text[:-1]) + " and " + text[-1] if len(text) > 1 else text[0]) + " bits"


def best_smelu(study: Study, dataset: str, bits: Precision) -> ArmResult:
    """The SmeLU arm with the lowest mean PD at ``bits`` (chosen on the same seeds it is judged on)."""
    candidates = [study.get(dataset, arm.label, bits) for arm in study.arms if arm.curve == "smelu"]
    return min(candidates, key=lambda result: float(np.mean(result.pd)))


def reduction_widths(study: Study, dataset: str, label: str | None) -> tuple[list[int], int | None]:
    """Widths at which the arm's PD is below ReLU's with the interval excluding no reduction,
    and the smallest width from which that holds at every wider width studied.

    ``label`` ``None`` means the best SmeLU at each width.
    """
    significant = []
    for bits in study.widths:
        result = best_smelu(study, dataset, bits) if label is None else study.get(dataset, label, bits)
        if study.ratio(result)[2] < 1:
            significant.append(bits)
    from_here = None
    for bits in reversed(study.widths):
        if bits not in significant:
            break
        from_here = bits
    return significant, from_here


def _smelu_sentences(study: Study, dataset: str) -> list[str]:
    significant, from_here = reduction_widths(study, dataset, None)
    best = {bits: best_smelu(study, dataset, bits) for bits in study.precisions}
    per_width = "; ".join(
        f"{precision_label(bits)} {result.arm.label}: {_ci(study.ratio(result))}"
        for bits, result in best.items()
    )
    lines = [f"Best SmeLU's PD relative to ReLU at the same precision: {per_width}."]
    if from_here is None:
        lines.append(
            "**SmeLU's reduction does not hold at the widest width studied**: its interval includes no "
            "reduction there."
        )
    else:
        lines.append(
            f"**The smallest width at which SmeLU's PD stays below ReLU's, with the interval excluding no "
            f"reduction at that width and every wider one, is {from_here} bits** "
            f"({precision_label(from_here)})."
        )
    missing = [bits for bits in study.widths if bits not in significant]
    if missing and significant and min(significant) < max(missing):
        lines.append(
            f"The significant widths are not contiguous: {_widths_text(significant)} are, "
            f"{_widths_text(missing)} not."
        )
    float_ratio = study.ratio(best[None])
    if float_ratio[2] >= 1:
        smooth = [arm.label for arm in study.arms if arm.curve in SMOOTH]
        reducing = [label for label in smooth if study.ratio(study.get(dataset, label, None))[2] < 1]
        others = (
            f"while {', '.join(reducing)} does"
            if reducing
            else "and neither does any other smooth activation: the effect is not seen on this dataset"
        )
        lines.append(
            f"This contradicts the seed: in float64 too, SmeLU shows no significant reduction here, {others}."
        )
    elif float_ratio[0] <= PUBLISHED_RATIO:
        lines.append("In float64 the reduction is in line with the published one of roughly one half.")
    else:
        lines.append(
            "In float64 the reduction is significant but smaller than the published one of roughly one half."
        )
    return lines


def _comparison_sentences(study: Study, dataset: str) -> list[str]:
    others = [arm for arm in study.arms if arm.curve not in ("relu", "smelu")]
    if not others:
        return []
    parts = []
    for arm in others:
        significant, from_here = reduction_widths(study, dataset, arm.label)
        narrowest = study.ratio(study.get(dataset, arm.label, study.widths[0]))
        reach = f"from {from_here} bits up" if from_here is not None else "not at the widest width"
        parts.append(
            f"{arm.label} {reach} (significant at {_widths_text(significant)}; at {study.widths[0]} bits "
            f"{_ci(narrowest)})"
        )
    return [f"The others, against ReLU at the same width: {'; '.join(parts)}."]


def _quantization_sentences(study: Study, dataset: str) -> list[str]:
    parts = []
    for bits in study.widths:
        result = best_smelu(study, dataset, bits)
        parts.append(
            f"{precision_label(bits)} {result.arm.label} {_ci(study.ratio(result, result.arm.label, None))}"
        )
    relu = [
        f"{precision_label(bits)} {_ci(study.ratio(study.get(dataset, 'relu', bits), 'relu', None))}"
        for bits in study.widths
    ]
    return [
        f"Quantization against float64 (PD at the width over PD of the same arm in float64, paired): "
        f"best SmeLU {'; '.join(parts)}. ReLU: {'; '.join(relu)}."
    ]


def _accuracy_sentences(study: Study, dataset: str) -> list[str]:
    parts, worse = [], []
    for bits in study.precisions:
        best, relu = best_smelu(study, dataset, bits), study.get(dataset, "relu", bits)
        gap, low, high = interval(best.accuracy - relu.accuracy)
        parts.append(
            f"{precision_label(bits)} {100 * gap:+.2f} points ({100 * low:+.2f} to {100 * high:+.2f})"
        )
        if high < 0:
            worse.append(precision_label(bits))
    tail = f" It is significantly less accurate at {', '.join(worse)}." if worse else ""
    return [f"Accuracy of the best SmeLU minus ReLU's: {'; '.join(parts)}.{tail}"]


def staircase_sentences(staircases: list[Staircase]) -> list[str]:
    """What the gradient staircase looks like at the narrowest width, from the measured table."""
    if not staircases:
        return []
    narrowest = min(staircase.bits for staircase in staircases)
    at = sorted((s for s in staircases if s.bits == narrowest), key=lambda s: s.beta)
    coarse = [s for s in at if s.largest_jump > s.exact_jump]
    text = "; ".join(
        f"b={s.beta:g}: {s.codes_in_band} codes, {s.levels} levels, jump {s.largest_jump:g}" for s in at
    )
    line = (
        f"Gradient staircase at {narrowest} bits (codes inside the band, distinct gradient values, "
        f"largest jump between neighbouring codes; ReLU's one jump is 1): {text}."
    )
    if coarse:
        line += (
            f" For b={', '.join(f'{s.beta:g}' for s in coarse)} the jump exceeds the exact gradient's change "
            f"per code: the gradient's own rounding, not the input grid, sets the step."
        )
    return [line]


def verdict(study: Study, staircases: list[Staircase]) -> list[str]:
    """Sentences per dataset, the gradient staircase, and the caveat of picking the best beta."""
    lines = []
    for dataset in study.datasets:
        lines.append(f"**{dataset}.**")
        for part in (_smelu_sentences, _comparison_sentences, _quantization_sentences, _accuracy_sentences):
            lines += part(study, dataset)
        lines.append("")
    lines += staircase_sentences(staircases)
    lines.append(
        "The best SmeLU beta is picked per width on the same seeds it is judged on, which flatters "
        "SmeLU slightly; the tables give every beta."
    )
    return lines
