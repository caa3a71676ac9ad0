"""The study: pairs of identical trainings that differ only in data order, per activation.

Relative prediction difference (PD) of a pair: the mean over evaluation examples of
``|p1 - p2| / ((p1 + p2) / 2)``, with ``p`` the predicted probability of the true class.
Each configuration is trained from several initialisation seeds; seed ``s`` gives both members
of the pair the same initial weights and two different shuffling seeds, and every activation
sees the same seeds, so activations are compared pairwise.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
from scipy import stats

from ..datasets import load_digits_split
from ..fixed import QFormat
from ..models import model_for
from ..specs import SPECS
from .net import MLP, QuantizedActivation, TrainConfig, evaluate, train

__all__ = ["Arm", "ArmResult", "arms", "run_arm", "interval"]


@dataclass(frozen=True)
class Arm:
    """One activation setting: a curve name and its smoothness parameter (if any)."""

    curve: str
    activation: str
    beta: float | None = None

    @property
    def label(self) -> str:
        return self.curve if self.beta is None else f"{self.curve} b={self.beta:g}"

    def model(self, fmt: QFormat):
        kwargs: dict[str, object] = {"fmt": fmt}
        if self.beta is not None:
            kwargs["beta"] = self.beta
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            spec = SPECS[self.activation](**kwargs)
        return model_for(spec)


def arms(quick: bool) -> list[Arm]:
    """ReLU and hard-swish as points; SmeLU, Swish and Softplus along their beta; GELU."""
    betas = (0.5, 2.0) if quick else (0.25, 0.5, 1.0, 2.0, 4.0)
    chosen = [Arm("relu", "relu"), *(Arm("smelu", "smelu", beta) for beta in betas)]
    if quick:
        return [*chosen, Arm("swish", "swish", 1.0)]
    chosen += [Arm("swish", "swish", beta) for beta in (0.5, 1.0, 2.0, 4.0)]
    chosen += [Arm("softplus", "softplus", beta) for beta in (1.0, 2.0, 4.0)]
    return [*chosen, Arm("gelu", "gelu"), Arm("hardswish", "hardswish")]


@dataclass(frozen=True)
class ArmResult:
    """Per-seed results of one arm."""

    arm: Arm
    pd: np.ndarray
    accuracy: np.ndarray
    loss: np.ndarray


def run_arm(arm: Arm, seeds: list[int], config: TrainConfig, fmt: QFormat) -> ArmResult:
    x, y, x_eval, y_eval = load_digits_split()
    activation = QuantizedActivation(arm.model(fmt))
    sizes = [x.shape[1], *config.hidden, 10]
    pds, accuracies, losses = [], [], []
    for seed in seeds:
        members = []
        for member in (1, 2):
            model = train(
                MLP(sizes, activation, init_seed=seed), x, y, config, order_seed=1000 * seed + member
            )
            members.append(evaluate(model, x_eval, y_eval))
        (p1, acc1, loss1), (p2, acc2, loss2) = members
        pds.append(float(np.mean(np.abs(p1 - p2) / ((p1 + p2) / 2))))
        accuracies.append((acc1 + acc2) / 2)
        losses.append((loss1 + loss2) / 2)
    return ArmResult(arm, np.array(pds), np.array(accuracies), np.array(losses))


def interval(values: np.ndarray) -> tuple[float, float, float]:
    """Mean and 95% Student-t confidence interval over seeds."""
    mean = float(np.mean(values))
    if len(values) < 2:
        return mean, math.nan, math.nan
    half = float(stats.t.ppf(0.975, len(values) - 1) * np.std(values, ddof=1) / math.sqrt(len(values)))
    return mean, mean - half, mean + half
