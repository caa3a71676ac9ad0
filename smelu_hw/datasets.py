"""The data the study, the network and its benches share, split once.

A neutral home, so that a bench or a test that needs the images does not import the
reproducibility study (and SciPy's statistics) with them. Both datasets ship inside
scikit-learn, so nothing is downloaded: the digits (8x8 images, 10 classes), and the Wisconsin
breast-cancer measurements (30 features, 2 classes), the study's second dataset.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

__all__ = [
    "CANCER_EVAL_EXAMPLES",
    "DATASETS",
    "EVAL_EXAMPLES",
    "PIXEL_MAX",
    "Split",
    "load_breast_cancer_split",
    "load_digits_arrays",
    "load_digits_split",
]

#: Training inputs, training labels, evaluation inputs, evaluation labels.
Split = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]

#: Examples held out for evaluation by the fixed permutation; the other 1297 are for training.
EVAL_EXAMPLES = 500
#: Largest raw pixel value of the digits (images are 8x8, pixels 0..16).
PIXEL_MAX = 16


def _digits_file() -> Path | None:
    """scikit-learn's own copy of the digits (``datasets/data/digits.csv.gz``), if installed.

    Found without importing scikit-learn, which takes seconds: a bench in a simulator
    process only needs the numbers.
    """
    spec = importlib.util.find_spec("sklearn")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "datasets" / "data" / "digits.csv.gz"
    return path if path.is_file() else None


def load_digits_arrays() -> tuple[np.ndarray, np.ndarray]:
    """The 1797 digits as raw pixels (0..16, shape ``(1797, 64)``) and labels.

    The same arrays as ``sklearn.datasets.load_digits()``'s ``data`` and ``target``: read from
    the CSV it ships when that file is where scikit-learn keeps it, else through its loader.
    """
    path = _digits_file()
    if path is None:
        from sklearn.datasets import load_digits  # a layout we do not know: ask scikit-learn

        digits = load_digits()
        return digits.data, digits.target
    table = np.loadtxt(path, delimiter=",")
    return table[:, :-1], table[:, -1].astype(int)


def load_digits_split(seed: int = 0) -> Split:
    """Training images, training labels, evaluation images, evaluation labels.

    Images are flattened to 64 values scaled to [0, 1] (``pixel / 16``); the split is a
    permutation drawn from ``seed``.
    """
    pixels, labels = load_digits_arrays()
    x, y = pixels / PIXEL_MAX, labels
    order = np.random.default_rng(seed).permutation(len(x))
    test, train = order[:EVAL_EXAMPLES], order[EVAL_EXAMPLES:]
    return x[train], y[train], x[test], y[test]


#: Breast-cancer examples held out for evaluation; the other 369 are for training.
CANCER_EVAL_EXAMPLES = 200


def load_breast_cancer_split(seed: int = 0) -> Split:
    """Training features, training labels, evaluation features, evaluation labels.

    The 569 examples of 30 measurements each are standardized with the training part's mean
    and standard deviation; the split is a permutation drawn from ``seed``.
    """
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer()
    order = np.random.default_rng(seed).permutation(len(data.data))
    test, train = order[:CANCER_EVAL_EXAMPLES], order[CANCER_EVAL_EXAMPLES:]
    mean, std = data.data[train].mean(axis=0), data.data[train].std(axis=0)
    x = (data.data - mean) / std
    return x[train], data.target[train], x[test], data.target[test]


#: The datasets by name, each loader returning a :data:`Split`.
DATASETS = {"digits": load_digits_split, "breast_cancer": load_breast_cancer_split}
