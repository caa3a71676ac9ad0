"""A small NumPy MLP whose hidden activations run through the fixed-point golden models.

Pre-activations are quantized to the activation's input format (round to nearest, saturate),
the forward value and the gradient are the bit-exact codes the hardware would produce, and
backpropagation multiplies the upstream gradient by that gradient code. Everything else
(matrix products, softmax, SGD) is float64.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from ..models import Activation

__all__ = [
    "MLP",
    "ActivationFunction",
    "QuantizedActivation",
    "TrainConfig",
    "evaluate",
    "normalize_backward",
    "normalize_rows",
    "train",
]

#: An activation as the network calls it: pre-activations in, (values, slopes) out, in float64.
ActivationFunction = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]


#: Widest input format whose every code is evaluated once and looked up afterwards.
TABLE_MAX_BITS = 16


class QuantizedActivation:
    """A golden model as the network sees it: the hardware's arithmetic, read back as reals.

    Pre-activations are quantized to the model's input format (round half to even, saturate);
    the value and the slope are the model's forward and gradient codes, scaled to reals. Up to
    :data:`TABLE_MAX_BITS` input bits, the model is evaluated once on every input code and a
    call looks its codes up: the same numbers, many times faster than evaluating them again.
    """

    def __init__(self, model: Activation) -> None:
        self.model = model
        spec = model.spec
        self._in, self._out, self._slope = spec.fmt, spec.out_fmt, 2.0**-spec.grad_frac
        self._tables: tuple[np.ndarray, np.ndarray] | None = None
        if spec.fmt.bits <= TABLE_MAX_BITS:
            self._tables = self._evaluate(spec.fmt.codes())

    def _evaluate(self, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return self._out.to_real(self.model.forward(codes)), self.model.grad(codes) * self._slope

    def __call__(self, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        codes = self._in.to_codes(z)
        if self._tables is None:
            return self._evaluate(codes)
        index = codes - self._in.min_code
        return self._tables[0][index], self._tables[1][index]


def normalize_rows(h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row of ``h`` at zero mean and unit variance; and the scale ``1 / std`` used."""
    scale = 1.0 / np.sqrt(h.var(axis=1, keepdims=True) + 1e-5)
    return (h - h.mean(axis=1, keepdims=True)) * scale, scale


def normalize_backward(upstream: np.ndarray, normalized: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """The gradient through :func:`normalize_rows`, given its outputs ``normalized`` and ``scale``."""
    return scale * (
        upstream
        - upstream.mean(axis=1, keepdims=True)
        - normalized * (upstream * normalized).mean(axis=1, keepdims=True)
    )


@dataclass(frozen=True)
class TrainConfig:
    hidden: tuple[int, ...] = (64, 64)
    epochs: int = 30
    batch: int = 32
    learning_rate: float = 0.05
    momentum: float = 0.9
    #: Normalize each hidden layer's outputs (zero mean, unit variance per example), as in the
    #: setting where smooth activations were reported to help reproducibility.
    normalize: bool = True


class MLP:
    """Dense layers with an activation between them and softmax at the end.

    ``activation`` is a :class:`QuantizedActivation` in the study; any
    :data:`ActivationFunction` (a float64 one, for example) takes its place.
    """

    def __init__(
        self, sizes: list[int], activation: ActivationFunction, init_seed: int, normalize: bool = True
    ) -> None:
        self.normalize = normalize
        rng = np.random.default_rng(init_seed)
        self.weights = [rng.normal(0, np.sqrt(2 / n_in), (n_in, n_out)) for n_in, n_out in pairwise(sizes)]
        self.biases = [np.zeros(n_out) for n_out in sizes[1:]]
        self.activation = activation

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray, object]]]:
        """Class probabilities, and per layer its input, activation gradient and normalization."""
        cache = []
        h = x
        for w, b in zip(self.weights[:-1], self.biases[:-1], strict=True):
            a, slope = self.activation(h @ w + b)
            cache.append((h, slope, None))
            h = a
            if self.normalize:
                h, scale = normalize_rows(h)
                cache[-1] = (cache[-1][0], slope, (h, scale))
        logits = h @ self.weights[-1] + self.biases[-1]
        cache.append((h, None, None))
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        return p / p.sum(axis=1, keepdims=True), cache

    def gradients(self, x: np.ndarray, labels: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        p, cache = self.forward(x)
        delta = p
        delta[np.arange(len(labels)), labels] -= 1
        delta /= len(labels)
        grads = []
        for layer in range(len(self.weights) - 1, -1, -1):
            h = cache[layer][0]
            grads.append((h.T @ delta, delta.sum(axis=0)))
            if layer:
                upstream = delta @ self.weights[layer].T
                _, slope, norm = cache[layer - 1]
                if norm is not None:  # back through the normalization
                    upstream = normalize_backward(upstream, *norm)
                delta = upstream * slope
        return grads[::-1]


def train(model: MLP, x: np.ndarray, labels: np.ndarray, config: TrainConfig, order_seed: int) -> MLP:
    """SGD with momentum; ``order_seed`` alone decides the order examples are seen in."""
    rng = np.random.default_rng(order_seed)
    velocity = [
        (np.zeros_like(w), np.zeros_like(b)) for w, b in zip(model.weights, model.biases, strict=True)
    ]
    for _ in range(config.epochs):
        order = rng.permutation(len(x))
        for start in range(0, len(x), config.batch):
            batch = order[start : start + config.batch]
            for i, (dw, db) in enumerate(model.gradients(x[batch], labels[batch])):
                vw, vb = velocity[i]
                vw *= config.momentum
                vw -= config.learning_rate * dw
                vb *= config.momentum
                vb -= config.learning_rate * db
                model.weights[i] += vw
                model.biases[i] += vb
    return model


def evaluate(model: MLP, x: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, float, float]:
    """Probability of the true class per example, accuracy, and mean cross-entropy loss."""
    p, _ = model.forward(x)
    true = p[np.arange(len(labels)), labels]
    accuracy = float(np.mean(p.argmax(axis=1) == labels))
    loss = float(np.mean(-np.log(np.maximum(true, 1e-12))))
    return true, accuracy, loss
