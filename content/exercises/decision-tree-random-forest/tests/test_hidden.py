"""Hidden tests: criteria against hand values and scikit-learn's trees, a forest on wine."""

import time

import numpy as np
import pytest
from sklearn.datasets import load_wine
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import train_test_split
from sklearn.tree import DecisionTreeClassifier
from solution import best_split, entropy, gini, top_features, train_random_forest


@pytest.mark.points(1)
def test_gini_three_classes():
    assert gini(np.array([0, 0, 1, 2])) == pytest.approx(1 - (0.25 + 0.0625 + 0.0625))


@pytest.mark.points(1)
def test_entropy_pure_and_skewed():
    assert entropy(np.array([3, 3, 3])) == pytest.approx(0.0, abs=1e-12)
    p = np.array([0.25, 0.75])
    assert entropy(np.array([0, 1, 1, 1])) == pytest.approx(-np.sum(p * np.log2(p)))


def stump_reference(x, y):
    tree = DecisionTreeClassifier(max_depth=1, criterion="gini", random_state=0).fit(x[:, None], y)
    t = tree.tree_
    n = t.weighted_n_node_samples
    decrease = t.impurity[0] - (n[1] * t.impurity[1] + n[2] * t.impurity[2]) / n[0]
    return t.threshold[0], decrease


@pytest.mark.points(3)
def test_best_split_matches_sklearn_stump():
    gen = np.random.default_rng(1008)
    for _ in range(5):
        x = gen.normal(size=60)
        y = (x + gen.normal(scale=0.7, size=60) > 0.3).astype(int)
        threshold, decrease = best_split(x, y)
        expected_threshold, expected_decrease = stump_reference(x, y)
        assert threshold == pytest.approx(expected_threshold, abs=1e-7)
        assert decrease == pytest.approx(expected_decrease, abs=1e-9)


@pytest.mark.points(2)
def test_best_split_multiclass_wine_feature():
    X, y = load_wine(return_X_y=True)
    x = X[:, 6] + np.random.default_rng(0).normal(scale=1e-6, size=len(y))  # break value ties
    threshold, decrease = best_split(x, y)
    expected_threshold, expected_decrease = stump_reference(x, y)
    assert threshold == pytest.approx(expected_threshold, abs=1e-6)
    assert decrease == pytest.approx(expected_decrease, abs=1e-9)


@pytest.mark.points(1)
def test_best_split_threshold_is_a_midpoint():
    threshold, decrease = best_split(np.array([1.0, 2.0, 10.0, 11.0]), np.array([0, 0, 1, 1]))
    assert threshold == pytest.approx(6.0)
    assert decrease == pytest.approx(0.5)


@pytest.mark.points(3)
def test_random_forest_accuracy_on_wine():
    data = load_wine()
    X_train, X_test, y_train, y_test = train_test_split(
        data.data, data.target, test_size=0.3, stratify=data.target, random_state=0
    )
    started = time.perf_counter()
    model = train_random_forest(X_train, y_train, seed=0)
    assert time.perf_counter() - started < 2.0
    assert isinstance(model, RandomForestClassifier)
    assert model.score(X_test, y_test) >= 0.93


@pytest.mark.points(1)
def test_top_features_order():
    data = load_wine()
    model = RandomForestClassifier(n_estimators=30, random_state=0).fit(data.data, data.target)
    names = list(data.feature_names)
    got = top_features(model, names, 3)
    importances = dict(zip(names, model.feature_importances_, strict=True))
    assert len(got) == 3
    assert got == sorted(names, key=importances.__getitem__, reverse=True)[:3]
