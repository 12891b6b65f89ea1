"""Hidden tests: the diabetes data against scikit-learn's estimators."""

import numpy as np
import pytest
from sklearn import metrics
from sklearn.datasets import load_diabetes
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.preprocessing import StandardScaler
from solution import fit_gradient_descent, fit_least_squares, fit_ridge, fit_sklearn, r2_score


def diabetes():
    X, y = load_diabetes(return_X_y=True)
    return X, y


@pytest.mark.points(3)
def test_least_squares_matches_sklearn():
    X, y = diabetes()
    coef, intercept = fit_least_squares(X, y)
    expected = LinearRegression().fit(X, y)
    np.testing.assert_allclose(coef, expected.coef_, rtol=1e-6)
    assert intercept == pytest.approx(expected.intercept_, rel=1e-6)


@pytest.mark.points(3)
def test_ridge_matches_sklearn():
    X, y = diabetes()
    for alpha in (0.1, 1.0, 10.0):
        coef, intercept = fit_ridge(X, y, alpha)
        expected = Ridge(alpha=alpha).fit(X, y)
        np.testing.assert_allclose(coef, expected.coef_, rtol=1e-6)
        assert intercept == pytest.approx(expected.intercept_, rel=1e-6)


@pytest.mark.points(1)
def test_ridge_shrinks_coefficients():
    X, y = diabetes()
    norms = [np.linalg.norm(fit_ridge(X, y, alpha)[0]) for alpha in (0.01, 1.0, 100.0)]
    assert norms[0] > norms[1] > norms[2]


@pytest.mark.points(2)
def test_r2_matches_sklearn():
    X, y = diabetes()
    prediction = X @ np.linspace(-100, 100, X.shape[1]) + 150
    assert r2_score(y, prediction) == pytest.approx(metrics.r2_score(y, prediction), rel=1e-9)


@pytest.mark.points(3)
def test_gradient_descent_converges_to_least_squares():
    X, y = diabetes()
    Xs = StandardScaler().fit_transform(X[:, :4])
    coef, intercept = fit_gradient_descent(Xs, y, lr=0.1, n_iter=2000)
    expected_coef, expected_intercept = LinearRegression().fit(Xs, y).coef_, y.mean()
    np.testing.assert_allclose(coef, expected_coef, atol=1e-4)
    assert intercept == pytest.approx(expected_intercept, abs=1e-4)


@pytest.mark.points(1)
def test_fit_sklearn_returns_fitted_model():
    X, y = diabetes()
    model = fit_sklearn(X, y)
    assert isinstance(model, LinearRegression)
    assert model.score(X, y) == pytest.approx(LinearRegression().fit(X, y).score(X, y))
