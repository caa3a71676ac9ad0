"""The study: pairs of identical trainings that differ only in data order, per activation and
precision.

Relative prediction difference (PD) of a pair: the mean over evaluation examples of
``|p1 - p2| / ((p1 + p2) / 2)``, with ``p`` the predicted probability of the true class.
Each configuration is trained from several initialisation seeds; seed ``s`` gives both members
of the pair the same initial weights and two different shuffling seeds, and every activation at
every precision sees the same seeds, so arms are compared pairwise: against ReLU at the same
width, and against the same activation in float64.
"""

from __future__ import annotations

import functools
import math
import warnings
from dataclasses import dataclass, field

import numpy as np
from scipy import stats

from ..approx.functions import activation_float
from ..datasets import DATASETS, Split
from ..fixed import QFormat
from ..models import Activation, model_for
from ..specs import SPECS, io_format
from .net import MLP, ActivationFunction, QuantizedActivation, TrainConfig, evaluate, train

__all__ = [
    "Arm",
    "ArmResult",
    "Precision",
    "Staircase",
    "Study",
    "arms",
    "gradient_staircase",
    "interval",
    "precision_label",
    "run_arm",
]

#: The precision of a run: an input width in bits (format ``Q<bits>.<bits // 2>``), or ``None``
#: for float64 arithmetic with no quantization at all.
Precision = int | None


def precision_label(bits: Precision) -> str:
    """``"Q8.4"`` for 8 bits, ``"float64"`` for ``None``."""
    return "float64" if bits is None else str(io_format(bits))


@dataclass(frozen=True)
class Arm:
    """One activation setting: a curve name and its smoothness parameter (if any)."""

    curve: str
    activation: str
    beta: float | None = None

    @property
    def label(self) -> str:
        return self.curve if self.beta is None else f"{self.curve} b={self.beta:g}"

    def model(self, fmt: QFormat) -> Activation:
        """The bit-exact golden model of this arm at ``fmt`` (input, output and gradient)."""
        kwargs: dict[str, object] = {"fmt": fmt}
        if self.beta is not None:
            kwargs["beta"] = self.beta
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            spec = SPECS[self.activation](**kwargs)
        return model_for(spec)

    def function(self, bits: Precision) -> ActivationFunction:
        """The activation as the network calls it: quantized at ``bits``, or float64."""
        if bits is None:
            return functools.partial(activation_float, self.activation, beta=self.beta)
        return QuantizedActivation(self.model(io_format(bits)))


#: SmeLU's half-widths in the study.
SMELU_BETAS = (0.5, 1.0, 2.0, 4.0)


def arms(quick: bool) -> list[Arm]:
    """ReLU; SmeLU along its beta; GELU, Swish and Softplus at their lowest-PD setting in the
    one-precision study (Swish beta = 0.5, Softplus beta = 1); ELU; hard-swish."""
    betas = (2.0,) if quick else SMELU_BETAS
    chosen = [Arm("relu", "relu"), *(Arm("smelu", "smelu", beta) for beta in betas)]
    if quick:
        return [*chosen, Arm("swish", "swish", 0.5)]
    smooth = [
        Arm("gelu", "gelu"),
        Arm("swish", "swish", 0.5),
        Arm("softplus", "softplus", 1.0),
        Arm("elu", "elu"),
    ]
    return [*chosen, *smooth, Arm("hardswish", "hardswish")]


@dataclass(frozen=True)
class ArmResult:
    """Per-seed results of one arm at one precision on one dataset."""

    arm: Arm
    bits: Precision
    dataset: str
    pd: np.ndarray
    accuracy: np.ndarray
    loss: np.ndarray


@functools.cache
def _split(dataset: str) -> Split:
    return DATASETS[dataset]()


def run_arm(arm: Arm, seeds: list[int], config: TrainConfig, bits: Precision, dataset: str) -> ArmResult:
    """Train one pair per seed and measure PD, accuracy and loss (accuracy and loss averaged
    over the pair)."""
    x, y, x_eval, y_eval = _split(dataset)
    activation = arm.function(bits)
    sizes = [x.shape[1], *config.hidden, int(y.max()) + 1]
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
    return ArmResult(arm, bits, dataset, np.array(pds), np.array(accuracies), np.array(losses))


def interval(values: np.ndarray) -> tuple[float, float, float]:
    """Mean and 95% Student-t confidence interval over seeds."""
    mean = float(np.mean(values))
    if len(values) < 2:
        return mean, math.nan, math.nan
    half = float(stats.t.ppf(0.975, len(values) - 1) * np.std(values, ddof=1) / math.sqrt(len(values)))
    return mean, mean - half, mean + half


@dataclass(frozen=True)
class Study:
    """Every result of a run, looked up by dataset, arm label and precision."""

    results: list[ArmResult]
    datasets: tuple[str, ...]
    widths: tuple[int, ...]
    arms: tuple[Arm, ...]
    _index: dict[tuple[str, str, Precision], ArmResult] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index = {(result.dataset, result.arm.label, result.bits): result for result in self.results}
        object.__setattr__(self, "_index", index)

    @property
    def precisions(self) -> tuple[Precision, ...]:
        """The quantized widths, narrowest first, then float64."""
        return (*self.widths, None)

    def get(self, dataset: str, label: str, bits: Precision) -> ArmResult:
        return self._index[dataset, label, bits]

    def ratio(
        self, result: ArmResult, label: str = "relu", bits: Precision | str = "same"
    ) -> tuple[float, ...]:
        """PD of ``result`` over PD of arm ``label`` at ``bits`` (default: ``result``'s own
        precision), paired by seed: mean and 95% interval of the per-seed ratios."""
        other = self.get(result.dataset, label, result.bits if bits == "same" else bits)
        return interval(result.pd / other.pd)


@dataclass(frozen=True)
class Staircase:
    """SmeLU's gradient across its quadratic band at one width, read from the golden model."""

    beta: float
    bits: int
    #: Input codes strictly inside ``(-beta, beta)``.
    codes_in_band: int
    #: Largest difference of the gradient between neighbouring codes, from the last code at or
    #: below ``-beta`` to the first at or above ``beta`` (ReLU's is 1, its one step).
    largest_jump: float
    #: The same difference for the exact gradient ``(x + beta) / (2 beta)``: one code's
    #: slope, ``2**-frac / (2 beta)`` (capped at 1 when the band holds no code).
    exact_jump: float
    #: Distinct gradient values across the band, its ends included.
    levels: int


def gradient_staircase(beta: float, bits: int) -> Staircase:
    """Measure how coarse SmeLU's gradient is at ``bits`` (format ``Q<bits>.<bits // 2>``)."""
    model = Arm("smelu", "smelu", beta).model(io_format(bits))
    fmt, scale = model.spec.fmt, 1 << model.spec.fmt.frac
    low = max(math.floor(-beta * scale), fmt.min_code)
    high = min(math.ceil(beta * scale), fmt.max_code)
    codes = np.arange(low, high + 1, dtype=np.int64)
    gradient = model.grad(codes) / (1 << model.spec.grad_frac)
    inside = int(np.count_nonzero(np.abs(codes) < beta * scale))
    return Staircase(
        beta=beta,
        bits=bits,
        codes_in_band=inside,
        largest_jump=float(np.max(np.abs(np.diff(gradient)))),
        exact_jump=min(1.0, 1.0 / (2 * beta * scale)),
        levels=len(np.unique(gradient)),
    )
