"""A synthetic click-through task with known ground truth, the recommender study's data.

No recommender data set ships inside a package we can install, so the task is drawn from a
fixed "teacher", seeded and small, and independent of the models it is used to test:

- **Entities.** ``users`` users and ``items`` items. Each user has one value of each user
  attribute field (``user_fields``, e.g. an age bucket and a region), each item one of each
  item attribute field (a category, a brand). Attribute values are drawn with Zipf
  popularity.
- **Impressions.** ``impressions`` (user, item) pairs in time order, the user and the item
  each drawn with Zipf popularity (exponent ``zipf``; which id is how popular is a random
  permutation). An impression's features are six categorical ids: user, user attributes,
  item, item attributes.
- **Teacher.** A factorization machine over the six ids (a bias per id and a
  ``teacher_dim``-dimensional vector per id, every pair of fields interacting), plus a
  nonlinear cross term that no factorization machine has: ``cross * tanh(2 <a_user, b_item>)``
  with vectors of their own. The global bias is solved for so that the mean click
  probability is ``positive_rate``; clicks are Bernoulli draws of ``sigmoid(logit)``.
- **Split by time.** The last ``eval_fraction`` of the impressions are the evaluation set.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

__all__ = ["ClickConfig", "ClickData", "make_clicks", "roc_auc", "zipf_choice"]


@dataclass(frozen=True)
class ClickConfig:
    """Every choice of the task (see the module docstring)."""

    users: int = 1000
    items: int = 500
    impressions: int = 250_000
    #: Vocabulary sizes of the user attribute fields (age bucket, region).
    user_fields: tuple[int, ...] = (8, 24)
    #: Vocabulary sizes of the item attribute fields (category, brand).
    item_fields: tuple[int, ...] = (32, 100)
    zipf: float = 1.1
    teacher_dim: int = 8
    #: Standard deviation of the teacher's per-id bias and of each component of its vectors.
    teacher_scale: float = 0.3
    #: Weight of the teacher's nonlinear user-item term.
    cross: float = 1.5
    positive_rate: float = 0.04
    eval_fraction: float = 0.2
    seed: int = 0


def zipf_choice(rng: np.random.Generator, n: int, exponent: float, size: int) -> np.ndarray:
    """``size`` draws from ``0 .. n-1`` where the ``k``-th most popular value has probability
    proportional to ``k**-exponent``; which value is the ``k``-th is a random permutation."""
    weights = np.arange(1, n + 1, dtype=np.float64) ** -exponent
    ranked = rng.choice(n, size=size, p=weights / weights.sum())
    return rng.permutation(n)[ranked]


def roc_auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """Area under the ROC curve: the probability that a random positive scores above a random
    negative, ties counting one half (the Mann-Whitney statistic over average ranks)."""
    labels = np.asarray(labels, dtype=bool)
    positives, negatives = int(labels.sum()), int((~labels).sum())
    if not positives or not negatives:
        raise ValueError("the AUC needs at least one positive and one negative")
    order = np.argsort(scores, kind="stable")
    sorted_scores = np.asarray(scores)[order]
    ranks = np.empty(len(scores))
    _, first, counts = np.unique(sorted_scores, return_index=True, return_counts=True)
    average = first + (counts + 1) / 2  # 1-based average rank of each group of ties
    ranks[order] = np.repeat(average, counts)
    return float((ranks[labels].sum() - positives * (positives + 1) / 2) / (positives * negatives))


@dataclass(frozen=True)
class ClickData:
    """The drawn task: impressions in time order and the entities' attributes."""

    config: ClickConfig
    #: ``(impressions, fields)`` ids, field order: user, user attributes, item, item attributes.
    features: np.ndarray
    labels: np.ndarray
    #: The teacher's click probability of each impression.
    probability: np.ndarray
    #: ``(users, len(user_fields))`` and ``(items, len(item_fields))`` attribute values.
    user_attributes: np.ndarray
    item_attributes: np.ndarray

    @property
    def vocabulary(self) -> tuple[int, ...]:
        """Distinct ids of each field."""
        config = self.config
        return (config.users, *config.user_fields, config.items, *config.item_fields)

    @property
    def item_field(self) -> int:
        """Column of the item id in :attr:`features`."""
        return 1 + len(self.config.user_fields)

    @cached_property
    def train(self) -> slice:
        return slice(0, len(self.labels) - self.eval_size)

    @cached_property
    def eval(self) -> slice:
        return slice(len(self.labels) - self.eval_size, len(self.labels))

    @property
    def eval_size(self) -> int:
        return round(self.config.eval_fraction * len(self.labels))

    def candidates(self, user: int) -> np.ndarray:
        """Feature rows of ``user`` with every item: the list a recommender ranks."""
        items = np.arange(self.config.items)
        user_part = np.broadcast_to(np.r_[user, self.user_attributes[user]], (len(items), self.item_field))
        return np.column_stack([user_part, items, self.item_attributes[items]])


def _teacher_logits(config: ClickConfig, rng: np.random.Generator, features: np.ndarray) -> np.ndarray:
    """The factorization machine and the nonlinear cross term, before the global bias."""
    vocabulary = (config.users, *config.user_fields, config.items, *config.item_fields)
    logits = np.zeros(len(features))
    total = np.zeros((len(features), config.teacher_dim))
    squares = np.zeros(len(features))
    for field, size in enumerate(vocabulary):
        bias = rng.normal(0.0, config.teacher_scale, size)
        vectors = rng.normal(0.0, config.teacher_scale, (size, config.teacher_dim))
        picked = vectors[features[:, field]]
        logits += bias[features[:, field]]
        total += picked
        squares += (picked * picked).sum(axis=1)
    logits += 0.5 * ((total * total).sum(axis=1) - squares)  # every pair of fields, once
    user_vectors = rng.normal(0.0, 1.0, (config.users, config.teacher_dim)) / np.sqrt(config.teacher_dim)
    item_vectors = rng.normal(0.0, 1.0, (config.items, config.teacher_dim))
    item_column = 1 + len(config.user_fields)
    affinity = (user_vectors[features[:, 0]] * item_vectors[features[:, item_column]]).sum(axis=1)
    return logits + config.cross * np.tanh(2.0 * affinity)


def _bias_for_rate(logits: np.ndarray, rate: float) -> float:
    """The global bias that makes the mean of ``sigmoid(logits + bias)`` equal ``rate``."""
    low, high = -40.0, 40.0
    for _ in range(100):
        middle = (low + high) / 2
        if np.mean(1.0 / (1.0 + np.exp(-(logits + middle)))) < rate:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def make_clicks(config: ClickConfig) -> ClickData:
    """Draw the task of ``config`` (the same data for the same config, on every machine)."""
    rng = np.random.default_rng([config.seed, 0x5EED])
    user_attributes = np.column_stack(
        [zipf_choice(rng, size, config.zipf, config.users) for size in config.user_fields]
    )
    item_attributes = np.column_stack(
        [zipf_choice(rng, size, config.zipf, config.items) for size in config.item_fields]
    )
    users = zipf_choice(rng, config.users, config.zipf, config.impressions)
    items = zipf_choice(rng, config.items, config.zipf, config.impressions)
    features = np.column_stack([users, user_attributes[users], items, item_attributes[items]])
    logits = _teacher_logits(config, rng, features)
    probability = 1.0 / (1.0 + np.exp(-(logits + _bias_for_rate(logits, config.positive_rate))))
    labels = (rng.random(config.impressions) < probability).astype(np.int64)
    return ClickData(config, features.astype(np.int64), labels, probability, user_attributes, item_attributes)
