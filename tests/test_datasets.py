"""The shared data sets: the fast digits reader gives scikit-learn's own arrays."""

from __future__ import annotations

import numpy as np
import pytest

from smelu_hw import datasets


@pytest.fixture(scope="module")
def sklearn_digits() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits

    digits = load_digits()
    return digits.data, digits.target


def test_the_digits_file_is_found_without_importing_scikit_learn() -> None:
    assert datasets._digits_file() is not None


@pytest.mark.parametrize("route", ["csv", "scikit-learn"])
def test_the_digits_equal_scikit_learns_loader(
    route: str, sklearn_digits: tuple[np.ndarray, np.ndarray], monkeypatch: pytest.MonkeyPatch
) -> None:
    if route == "scikit-learn":
        monkeypatch.setattr(datasets, "_digits_file", lambda: None)
    pixels, labels = datasets.load_digits_arrays()
    assert pixels.dtype == sklearn_digits[0].dtype and labels.dtype == sklearn_digits[1].dtype
    assert np.array_equal(pixels, sklearn_digits[0]) and np.array_equal(labels, sklearn_digits[1])


def test_the_digits_split_is_a_fixed_permutation() -> None:
    x_train, y_train, x_eval, y_eval = datasets.load_digits_split()
    assert (len(x_train), len(x_eval)) == (1797 - datasets.EVAL_EXAMPLES, datasets.EVAL_EXAMPLES)
    assert x_train.min() == 0.0 and x_train.max() == 1.0
    again = datasets.load_digits_split()
    assert all(np.array_equal(a, b) for a, b in zip((x_train, y_train, x_eval, y_eval), again, strict=True))
