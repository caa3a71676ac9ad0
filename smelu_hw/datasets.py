"""The data the study, the network and its benches share: scikit-learn's digits, split once.

A neutral home, so that a bench or a test that needs the images does not import the
reproducibility study (and SciPy's statistics) with them. The digits ship inside scikit-learn,
so nothing is downloaded.
"""

from __future__ import annotations

import numpy as np

__all__ = ["EVAL_EXAMPLES", "PIXEL_MAX", "load_digits_split"]

#: Examples held out for evaluation by the fixed permutation; the other 1297 are for training.
EVAL_EXAMPLES = 500
#: Largest raw pixel value of the digits (images are 8x8, pixels 0..16).
PIXEL_MAX = 16


def load_digits_split(seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Training images, training labels, evaluation images, evaluation labels.

    Images are flattened to 64 values scaled to [0, 1] (``pixel / 16``); the split is a
    permutation drawn from ``seed``.
    """
    from sklearn.datasets import load_digits  # imported here: scikit-learn is slow to load

    digits = load_digits()
    x, y = digits.data / PIXEL_MAX, digits.target
    order = np.random.default_rng(seed).permutation(len(x))
    test, train = order[:EVAL_EXAMPLES], order[EVAL_EXAMPLES:]
    return x[train], y[train], x[test], y[test]
