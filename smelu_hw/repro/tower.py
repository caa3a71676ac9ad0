"""A recommender-shaped model: embedding tables, an MLP tower, a logistic output.

Each categorical field has an embedding table (all fields share one table, each at its own
offset); an impression's embeddings are concatenated and go through dense layers (64-32 by
default) with the arm's activation, each hidden output normalized per example, as in the
classifier study (:mod:`smelu_hw.repro.net`), and a logistic output gives the click
probability. The activation is a :class:`~smelu_hw.repro.net.QuantizedActivation` (the
bit-exact golden models forward and backward) or a float64 function; the rest is float64.
Training is one pass (or a few) of Adagrad over mini-batches, as recommenders train.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from .net import ActivationFunction, normalize_backward, normalize_rows

__all__ = ["Tower", "TowerConfig", "train_tower"]


@dataclass(frozen=True)
class TowerConfig:
    embedding_dim: int = 8
    hidden: tuple[int, ...] = (64, 32)
    batch: int = 512
    learning_rate: float = 0.05
    epochs: int = 1
    normalize: bool = True
    #: Standard deviation of the initial embeddings.
    embedding_scale: float = 0.05


class Tower:
    """The model of the module docstring, its initial weights drawn from ``init_seed``."""

    def __init__(
        self, vocabulary: tuple[int, ...], config: TowerConfig, activation: ActivationFunction, init_seed: int
    ) -> None:
        rng = np.random.default_rng(init_seed)
        self.config, self.activation = config, activation
        self.offsets = np.concatenate([[0], np.cumsum(vocabulary)[:-1]]).astype(np.int64)
        self.table = rng.normal(0.0, config.embedding_scale, (int(sum(vocabulary)), config.embedding_dim))
        sizes = [len(vocabulary) * config.embedding_dim, *config.hidden, 1]
        self.weights = [rng.normal(0, np.sqrt(2 / n_in), (n_in, n_out)) for n_in, n_out in pairwise(sizes)]
        self.biases = [np.zeros(n_out) for n_out in sizes[1:]]
        parameters = [self.table, *self.weights, *self.biases]
        self._squares = [np.full_like(parameter, 1e-8) for parameter in parameters]

    def _forward(self, features: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[tuple]]:
        rows = features + self.offsets
        h = self.table[rows].reshape(len(features), -1)
        cache = []
        for w, b in zip(self.weights[:-1], self.biases[:-1], strict=True):
            a, slope = self.activation(h @ w + b)
            norm = None
            if self.config.normalize:
                a, scale = normalize_rows(a)
                norm = (a, scale)
            cache.append((h, slope, norm))
            h = a
        logits = (h @ self.weights[-1] + self.biases[-1])[:, 0]
        cache.append((h, None, None))
        return rows, logits, cache

    def predict(self, features: np.ndarray) -> np.ndarray:
        """Click probability of each row of ``features`` (``(n, fields)`` ids)."""
        _, logits, _ = self._forward(features)
        return 1.0 / (1.0 + np.exp(-logits))

    def step(self, features: np.ndarray, labels: np.ndarray) -> None:
        """One Adagrad step on the mean log loss of a mini-batch."""
        rows, logits, cache = self._forward(features)
        delta = (1.0 / (1.0 + np.exp(-logits)) - labels)[:, None] / len(labels)
        grads_w, grads_b = [], []
        for layer in range(len(self.weights) - 1, -1, -1):
            h = cache[layer][0]
            grads_w.append(h.T @ delta)
            grads_b.append(delta.sum(axis=0))
            upstream = delta @ self.weights[layer].T
            if layer:
                _, slope, norm = cache[layer - 1]
                if norm is not None:
                    upstream = normalize_backward(upstream, *norm)
                delta = upstream * slope
        table_grad = np.zeros_like(self.table)
        np.add.at(table_grad, rows.ravel(), upstream.reshape(rows.size, -1))
        gradients = [table_grad, *grads_w[::-1], *grads_b[::-1]]
        parameters = [self.table, *self.weights, *self.biases]
        rate = self.config.learning_rate
        for parameter, gradient, squares in zip(parameters, gradients, self._squares, strict=True):
            squares += gradient * gradient
            parameter -= rate * gradient / np.sqrt(squares)


def train_tower(model: Tower, features: np.ndarray, labels: np.ndarray, order_seed: int) -> Tower:
    """Train ``model`` on the impressions; ``order_seed`` alone decides their order."""
    rng = np.random.default_rng(order_seed)
    batch = model.config.batch
    for _ in range(model.config.epochs):
        order = rng.permutation(len(labels))
        for start in range(0, len(order), batch):
            chosen = order[start : start + batch]
            model.step(features[chosen], labels[chosen])
    return model
