"""Hidden tests: breast-cancer data against scikit-learn."""

import warnings

import numpy as np
import pytest
from sklearn import metrics
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from solution import fit_logistic_gd, log_loss, predict_proba, train_classifier


def split():
    X, y = load_breast_cancer(return_X_y=True)
    return train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)


@pytest.mark.points(2)
def test_predict_proba_matches_sklearn():
    X_train, X_test, y_train, _ = split()
    scaler = StandardScaler().fit(X_train)
    model = LogisticRegression(max_iter=1000).fit(scaler.transform(X_train), y_train)
    got = predict_proba(model.coef_[0], model.intercept_[0], scaler.transform(X_test))
    np.testing.assert_allclose(got, model.predict_proba(scaler.transform(X_test))[:, 1], rtol=1e-9)


@pytest.mark.points(1)
def test_predict_proba_extreme_logits_without_warnings():
    X = np.array([[1000.0], [-1000.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise"):
            p = predict_proba(np.array([1.0]), 0.0, X)
    np.testing.assert_allclose(p, [1.0, 0.0])


@pytest.mark.points(2)
def test_log_loss_matches_sklearn_with_clipping():
    gen = np.random.default_rng(1007)
    y = gen.integers(0, 2, 200)
    p = gen.random(200)
    p[:3] = [0.0, 1.0, 1.0]
    expected = metrics.log_loss(y, np.clip(p, 1e-15, 1 - 1e-15))
    assert log_loss(y, p) == pytest.approx(expected, rel=1e-9)
    assert np.isfinite(log_loss(np.array([1, 0]), np.array([0.0, 1.0])))


@pytest.mark.points(3)
def test_gradient_descent_fits_training_data():
    X_train, _, y_train, _ = split()
    Xs = StandardScaler().fit_transform(X_train)
    coef, intercept = fit_logistic_gd(Xs, y_train, lr=0.5, n_iter=500)
    p = predict_proba(coef, intercept, Xs)
    assert np.mean((p > 0.5) == y_train) >= 0.97
    assert log_loss(y_train, p) < np.log(2)


@pytest.mark.points(1)
def test_gradient_descent_gradient_direction():
    X = np.array([[1.0], [2.0], [-1.0], [-2.0]])
    y = np.array([1, 1, 0, 0])
    coef, intercept = fit_logistic_gd(X, y, lr=0.1, n_iter=1)
    np.testing.assert_allclose(coef, [0.1 * 0.75])
    assert intercept == pytest.approx(0.0)


@pytest.mark.points(3)
def test_pipeline_reaches_stated_accuracy():
    X_train, X_test, y_train, y_test = split()
    model = train_classifier(X_train, y_train)
    assert isinstance(model, Pipeline)
    assert any(isinstance(step, StandardScaler) for _, step in model.steps)
    assert model.score(X_test, y_test) >= 0.95
