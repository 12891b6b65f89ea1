"""Split criteria and a random forest: fill in each function."""

import numpy as np
from sklearn.ensemble import RandomForestClassifier


def gini(y: np.ndarray) -> float:
    """Gini impurity of the labels ``y``."""
    raise NotImplementedError


def entropy(y: np.ndarray) -> float:
    """Entropy (base 2) of the labels ``y``."""
    raise NotImplementedError


def best_split(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Best ``x <= threshold`` split of one feature by Gini decrease: (threshold, decrease)."""
    raise NotImplementedError


def train_random_forest(X: np.ndarray, y: np.ndarray, seed: int = 0) -> RandomForestClassifier:
    """A fitted random forest."""
    raise NotImplementedError


def top_features(model: RandomForestClassifier, names: list[str], k: int) -> list[str]:
    """The ``k`` most important feature names, most important first."""
    raise NotImplementedError
