"""The recommender study: the seed's own setting, a click-through task and a tower model.

Pairs of :class:`~smelu_hw.repro.tower.Tower` models per activation, smoothness parameter and
precision are trained on the task of :mod:`smelu_hw.repro.clicks`; the two models of a pair
share their initial weights (seed ``s``) and differ only in the order of the training
impressions. Every arm sees the same seeds, so arms are compared pairwise, as in the
classifier study. The seed's metrics, over the evaluation impressions (the last ones in time):

- **relative PD**: the mean of ``|p1 - p2| / ((p1 + p2) / 2)``, ``p`` the click probability;
- **per-user log loss**: each evaluation user's mean log loss, averaged over users;
- **per-user AUC**: the AUC of each evaluation user with a click and a non-click, averaged;
- **top-k swap rate**: for each of the :data:`RANKED_USERS` users with the most evaluation
  impressions, every item is scored and the two models' top-:data:`TOP_K` lists compared;
  the rate is the fraction of the list that differs, ``1 - |A & B| / k``, averaged.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from .clicks import ClickConfig, ClickData, make_clicks, roc_auc
from .study import Arm, Precision, interval
from .tower import Tower, TowerConfig, train_tower

__all__ = [
    "QUICK_CLICKS",
    "RANKED_USERS",
    "TOP_K",
    "RecsysResult",
    "RecsysStudy",
    "pair_metrics",
    "prediction_difference",
    "recsys_arms",
    "run_recsys_arm",
    "swap_rate",
]

#: Users whose rankings are compared, and the length of the compared lists.
RANKED_USERS, TOP_K = 100, 10
#: The task of ``--quick``: fewer users, items and impressions.
QUICK_CLICKS = ClickConfig(users=400, items=200, impressions=40_000)
#: The smoothness parameters of the study's curves.
RECSYS_BETAS = {"smelu": (0.5, 1.0, 2.0, 4.0), "swish": (0.5, 1.0, 2.0), "softplus": (1.0, 2.0, 4.0)}


def recsys_arms(quick: bool) -> list[Arm]:
    """ReLU, SmeLU along its beta, GELU, Swish and Softplus along theirs (``quick``: ReLU,
    SmeLU beta 2 and Swish beta 0.5)."""
    if quick:
        return [Arm("relu", "relu"), Arm("smelu", "smelu", 2.0), Arm("swish", "swish", 0.5)]
    curves = [Arm(name, name, beta) for name, betas in RECSYS_BETAS.items() for beta in betas]
    return [Arm("relu", "relu"), *curves[:4], Arm("gelu", "gelu"), *curves[4:]]


def prediction_difference(p1: np.ndarray, p2: np.ndarray) -> float:
    """Relative PD of two models' probabilities: the mean of ``|p1 - p2| / ((p1 + p2) / 2)``."""
    return float(np.mean(np.abs(p1 - p2) / ((p1 + p2) / 2)))


def swap_rate(scores1: np.ndarray, scores2: np.ndarray, k: int = TOP_K) -> float:
    """Mean over rows (users) of the fraction of the top-``k`` lists (by score, ties to the
    lower column) of two models that differ: ``1 - |A & B| / k``."""
    top1 = np.argsort(-scores1, axis=1, kind="stable")[:, :k]
    top2 = np.argsort(-scores2, axis=1, kind="stable")[:, :k]
    shared = [len(np.intersect1d(a, b)) for a, b in zip(top1, top2, strict=True)]
    return float(1.0 - np.mean(shared) / k)


@dataclass(frozen=True)
class _Evaluation:
    """What the metrics read: evaluation impressions grouped by user, and the ranked users."""

    features: np.ndarray
    labels: np.ndarray
    #: Index of each evaluation impression's user among :attr:`users`.
    group: np.ndarray
    users: np.ndarray
    #: Users with a click and a non-click (their AUC is defined).
    auc_users: np.ndarray
    #: Feature rows of the ranked users with every item, ``(RANKED_USERS * items, fields)``.
    candidates: np.ndarray
    items: int


@functools.cache
def _task(config: ClickConfig) -> tuple[ClickData, _Evaluation]:
    data = make_clicks(config)
    features, labels = data.features[data.eval], data.labels[data.eval]
    users, group = np.unique(features[:, 0], return_inverse=True)
    clicks = np.bincount(group, weights=labels, minlength=len(users))
    counts = np.bincount(group, minlength=len(users))
    auc_users = np.flatnonzero((clicks > 0) & (clicks < counts))
    ranked = users[np.lexsort((users, -counts))[:RANKED_USERS]]
    candidates = np.concatenate([data.candidates(int(user)) for user in ranked])
    return data, _Evaluation(features, labels, group, users, auc_users, candidates, config.items)


def _user_metrics(p: np.ndarray, evaluation: _Evaluation) -> tuple[float, float]:
    """Per-user log loss and per-user AUC of one model's evaluation probabilities."""
    labels, group = evaluation.labels, evaluation.group
    losses = -(labels * np.log(p) + (1 - labels) * np.log1p(-p))
    per_user = np.bincount(group, weights=losses) / np.bincount(group)
    order = np.argsort(group, kind="stable")
    starts = np.searchsorted(group[order], evaluation.auc_users)
    ends = np.searchsorted(group[order], evaluation.auc_users, side="right")
    aucs = [roc_auc(p[order[a:b]], labels[order[a:b]]) for a, b in zip(starts, ends, strict=True)]
    return float(np.mean(per_user)), float(np.mean(aucs))


def pair_metrics(first: Tower, second: Tower, evaluation: _Evaluation) -> tuple[float, float, float, float]:
    """PD, swap rate, per-user log loss and per-user AUC (both averaged over the pair)."""
    p1, p2 = first.predict(evaluation.features), second.predict(evaluation.features)
    shape = (-1, evaluation.items)
    scores1 = first.predict(evaluation.candidates).reshape(shape)
    scores2 = second.predict(evaluation.candidates).reshape(shape)
    (loss1, auc1), (loss2, auc2) = _user_metrics(p1, evaluation), _user_metrics(p2, evaluation)
    return (
        prediction_difference(p1, p2),
        swap_rate(scores1, scores2),
        (loss1 + loss2) / 2,
        (auc1 + auc2) / 2,
    )


@dataclass(frozen=True)
class RecsysResult:
    """Per-seed results of one arm at one precision."""

    arm: Arm
    bits: Precision
    pd: np.ndarray
    swap: np.ndarray
    loss: np.ndarray
    auc: np.ndarray


def run_recsys_arm(
    arm: Arm, seeds: list[int], bits: Precision, clicks: ClickConfig, config: TowerConfig
) -> RecsysResult:
    """Train one pair per seed on the task of ``clicks`` and measure it."""
    data, evaluation = _task(clicks)
    activation = arm.function(bits)
    features, labels = data.features[data.train], data.labels[data.train]
    rows = []
    for seed in seeds:
        pair = [
            train_tower(Tower(data.vocabulary, config, activation, init_seed=seed), features, labels, order)
            for order in (1000 * seed + 1, 1000 * seed + 2)
        ]
        rows.append(pair_metrics(*pair, evaluation))
    pd, swap, loss, auc = (np.array(column) for column in zip(*rows, strict=True))
    return RecsysResult(arm, bits, pd, swap, loss, auc)


@dataclass(frozen=True)
class RecsysStudy:
    """Every result of the recommender study, looked up by arm label and precision."""

    results: list[RecsysResult]
    widths: tuple[int, ...]
    arms: tuple[Arm, ...]
    clicks: ClickConfig
    config: TowerConfig

    @property
    def precisions(self) -> tuple[Precision, ...]:
        return (*self.widths, None)

    def get(self, label: str, bits: Precision) -> RecsysResult:
        for result in self.results:
            if result.arm.label == label and result.bits == bits:
                return result
        raise KeyError((label, bits))

    def ratio(self, result: RecsysResult, metric: str) -> tuple[float, float, float]:
        """``metric`` (``pd`` or ``swap``) of ``result`` over ReLU's at the same precision,
        paired by seed: mean and 95% interval."""
        relu = self.get("relu", result.bits)
        return interval(getattr(result, metric) / getattr(relu, metric))

    def loss_change(self, result: RecsysResult) -> tuple[float, float, float]:
        """Per-user log loss relative to ReLU's at the same precision, in percent, paired."""
        return interval(100 * (result.loss / self.get("relu", result.bits).loss - 1))

    def auc_change(self, result: RecsysResult) -> tuple[float, float, float]:
        """Per-user AUC minus ReLU's at the same precision, paired."""
        return interval(result.auc - self.get("relu", result.bits).auc)
