"""The recommender study's parts: the click task, the tower's calculus, and the seed's metrics
against hand-built cases."""

from __future__ import annotations

from itertools import product

import numpy as np
import pytest

from smelu_hw import QFormat, SmeLU, SwishSpec
from smelu_hw.approx.functions import smelu_float
from smelu_hw.models import model_for
from smelu_hw.repro.clicks import ClickConfig, make_clicks, roc_auc, zipf_choice
from smelu_hw.repro.net import QuantizedActivation
from smelu_hw.repro.recsys import prediction_difference, swap_rate
from smelu_hw.repro.tower import Tower, TowerConfig

SMALL = ClickConfig(users=300, items=120, impressions=60_000, seed=3)


@pytest.fixture(scope="module")
def task():
    return make_clicks(SMALL)


def test_the_task_is_deterministic_and_depends_on_its_seed(task):
    again = make_clicks(SMALL)
    assert np.array_equal(task.features, again.features) and np.array_equal(task.labels, again.labels)
    other = make_clicks(ClickConfig(users=300, items=120, impressions=60_000, seed=4))
    assert not np.array_equal(task.labels, other.labels)


def test_the_positive_rate_is_the_configured_one(task):
    # The teacher's mean probability is solved to 4%; the drawn clicks are within 4 sigma of it.
    assert abs(task.probability.mean() - SMALL.positive_rate) < 1e-6
    sigma = np.sqrt(SMALL.positive_rate * (1 - SMALL.positive_rate) / SMALL.impressions)
    assert abs(task.labels.mean() - SMALL.positive_rate) < 4 * sigma


def test_the_teacher_ranks_its_own_clicks_well_so_the_task_is_learnable(task):
    # The floor of this small task; the default one's teacher scores 0.89.
    assert roc_auc(task.probability, task.labels) > 0.8
    assert roc_auc(task.probability[task.eval], task.labels[task.eval]) > 0.8


def test_features_follow_the_entities_and_the_split_is_by_time(task):
    users, items = task.features[:, 0], task.features[:, task.item_field]
    assert np.array_equal(task.features[:, 1:3], task.user_attributes[users])
    assert np.array_equal(task.features[:, 4:], task.item_attributes[items])
    assert task.train.stop == task.eval.start == 48_000 and task.eval.stop == 60_000
    for field, size in enumerate(task.vocabulary):
        assert task.features[:, field].min() >= 0 and task.features[:, field].max() < size
    candidates = task.candidates(7)
    assert candidates.shape == (120, 6) and np.array_equal(candidates[:, task.item_field], np.arange(120))


def test_zipf_popularity_falls_with_rank():
    draws = zipf_choice(np.random.default_rng(0), 50, 1.1, 200_000)
    counts = np.sort(np.bincount(draws, minlength=50))[::-1]
    expected = np.arange(1, 51) ** -1.1 / np.sum(np.arange(1, 51) ** -1.1) * 200_000
    assert np.all(np.abs(counts - expected) < 5 * np.sqrt(expected) + 5)


def test_auc_is_the_fraction_of_correctly_ordered_pairs():
    rng = np.random.default_rng(1)
    scores, labels = rng.integers(0, 5, 40).astype(float), rng.integers(0, 2, 40)
    pairs = [(s, t) for s, t in product(scores[labels == 1], scores[labels == 0])]
    brute = sum(1.0 if s > t else 0.5 if s == t else 0.0 for s, t in pairs) / len(pairs)
    assert roc_auc(scores, labels) == pytest.approx(brute, abs=1e-12)
    with pytest.raises(ValueError, match="one positive and one negative"):
        roc_auc(np.ones(3), np.ones(3))


def test_swap_rate_on_hand_built_rankings():
    items = np.arange(12, dtype=float)
    same = np.vstack([items, items])
    assert swap_rate(same, same.copy()) == 0.0
    # User 0: the second model's top 10 drops items 2 and 3 for 0 and 1 (2 of 10 differ);
    # user 1: the order within the top 10 changes, which is no swap.
    second = same.copy()
    second[0, [0, 1]], second[0, [2, 3]] = 100.0, -100.0
    second[1, 2:] = second[1, 2:][::-1]
    assert swap_rate(same, second) == pytest.approx((0.2 + 0.0) / 2)
    assert swap_rate(same, -same, k=6) == 1.0


def test_prediction_difference_on_hand_built_models():
    p1, p2 = np.array([0.1, 0.2, 0.5, 0.5]), np.array([0.3, 0.2, 0.5, 0.25])
    # |0.1-0.3|/0.2 = 1, 0, 0, |0.5-0.25|/0.375 = 2/3
    assert prediction_difference(p1, p2) == pytest.approx((1 + 2 / 3) / 4, abs=1e-15)
    assert prediction_difference(p1, p1) == 0.0


def _loss(model, features, labels):
    p = model.predict(features)
    return float(-np.mean(labels * np.log(p) + (1 - labels) * np.log(1 - p)))


@pytest.mark.parametrize("normalize", [False, True])
def test_the_towers_gradients_match_finite_differences(normalize):
    """One Adagrad step moves each parameter by ``-rate * g / sqrt(g**2 + eps)``, so a step
    from fresh accumulators reveals the sign of every gradient; the values are compared with
    finite differences of the loss through a spy on the update."""
    vocabulary = (5, 3, 4)
    config = TowerConfig(embedding_dim=3, hidden=(6, 4), normalize=normalize)
    model = Tower(vocabulary, config, lambda z: smelu_float(z, 1.0), init_seed=2)
    rng = np.random.default_rng(5)
    features = np.column_stack([rng.integers(0, size, 8) for size in vocabulary])
    labels = rng.integers(0, 2, 8).astype(float)
    parameters = [model.table, *model.weights, *model.biases]
    before = [parameter.copy() for parameter in parameters]
    numeric = []
    for parameter in parameters:
        for index in [(0, 0), tuple(np.array(parameter.shape) - 1)][: 2 if parameter.ndim == 2 else 1]:
            index = index if parameter.ndim == 2 else (index[0],)
            step = 1e-6
            parameter[index] += step
            up = _loss(model, features, labels)
            parameter[index] -= 2 * step
            down = _loss(model, features, labels)
            parameter[index] += step
            numeric.append((parameter, index, (up - down) / (2 * step)))
    squares = [s.copy() for s in model._squares]
    model.step(features, labels)
    for parameter, index, gradient in numeric:
        i = next(k for k, p in enumerate(parameters) if p is parameter)
        moved = before[i][index] - parameter[index]  # = rate * g / sqrt(squares + g**2)
        g2 = (moved / config.learning_rate) ** 2
        magnitude = np.sqrt(g2 * squares[i][index] / max(1 - g2, 1e-300))
        assert np.sign(moved) == np.sign(gradient) or abs(gradient) < 1e-9
        assert magnitude == pytest.approx(abs(gradient), rel=1e-4, abs=1e-9)


@pytest.mark.parametrize("model", [SmeLU(2.0, fmt=QFormat(16, 8)), model_for(SwishSpec(fmt=QFormat(12, 6)))])
def test_the_lookup_tables_are_the_models_own_outputs(model):
    activation = QuantizedActivation(model)
    z = np.random.default_rng(0).normal(0.0, 4.0, 5000)
    looked_up = activation(z)
    codes = model.spec.fmt.to_codes(z)
    direct = activation._evaluate(codes)
    assert np.array_equal(looked_up[0], direct[0]) and np.array_equal(looked_up[1], direct[1])
    assert np.array_equal(direct[0] * 2**model.spec.out_fmt.frac, model.forward(codes))
