"""Split criteria and a random forest (reference solution)."""

import numpy as np
from sklearn.ensemble import RandomForestClassifier


def _proportions(y: np.ndarray) -> np.ndarray:
    _, counts = np.unique(y, return_counts=True)
    return counts / counts.sum()


def gini(y: np.ndarray) -> float:
    """Gini impurity of the labels ``y``."""
    return float(1.0 - np.sum(_proportions(y) ** 2))


def entropy(y: np.ndarray) -> float:
    """Entropy (base 2) of the labels ``y``."""
    p = _proportions(y)
    return float(-np.sum(p * np.log2(p)))


def best_split(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Best ``x <= threshold`` split of one feature by Gini decrease: (threshold, decrease)."""
    order = np.argsort(x, kind="stable")
    xs, ys = x[order], y[order]
    parent = gini(ys)
    n = len(ys)
    best_threshold, best_decrease = float("nan"), -np.inf
    for i in range(1, n):
        if xs[i] == xs[i - 1]:
            continue
        decrease = parent - (i * gini(ys[:i]) + (n - i) * gini(ys[i:])) / n
        if decrease > best_decrease:
            best_threshold, best_decrease = (xs[i - 1] + xs[i]) / 2, decrease
    return float(best_threshold), float(best_decrease)


def train_random_forest(X: np.ndarray, y: np.ndarray, seed: int = 0) -> RandomForestClassifier:
    """A fitted random forest."""
    return RandomForestClassifier(n_estimators=100, random_state=seed).fit(X, y)


def top_features(model: RandomForestClassifier, names: list[str], k: int) -> list[str]:
    """The ``k`` most important feature names, most important first."""
    order = np.argsort(model.feature_importances_)[::-1][:k]
    return [names[i] for i in order]
