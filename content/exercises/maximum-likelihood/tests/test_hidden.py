"""Hidden tests: scipy.stats references, large-sample recovery and optimality."""

import numpy as np
import pytest
from scipy import stats
from solution import (
    bernoulli_mle,
    exponential_mle,
    gaussian_log_likelihood,
    gaussian_mle,
    poisson_log_likelihood,
    poisson_mle,
)


def gen():
    return np.random.default_rng(1004)


@pytest.mark.points(2)
def test_gaussian_mle_is_biased_variance():
    x = gen().normal(3.0, 2.0, size=50)
    mu, var = gaussian_mle(x)
    assert mu == pytest.approx(x.mean(), rel=1e-12)
    assert var == pytest.approx(x.var(ddof=0), rel=1e-12)
    assert isinstance(mu, float)
    assert isinstance(var, float)


@pytest.mark.points(2)
def test_gaussian_log_likelihood_matches_scipy():
    x = gen().normal(-1.0, 0.5, size=200)
    expected = stats.norm.logpdf(x, loc=-0.9, scale=np.sqrt(0.3)).sum()
    assert gaussian_log_likelihood(x, -0.9, 0.3) == pytest.approx(expected, rel=1e-9)


@pytest.mark.points(2)
def test_gaussian_mle_maximises_likelihood():
    x = gen().normal(10.0, 3.0, size=100)
    mu, var = gaussian_mle(x)
    best = gaussian_log_likelihood(x, mu, var)
    for d_mu, d_var in [(0.05, 0), (-0.05, 0), (0, 0.2), (0, -0.2)]:
        assert best > gaussian_log_likelihood(x, mu + d_mu, var + d_var)


@pytest.mark.points(1)
def test_bernoulli_recovers_p():
    x = (gen().random(20000) < 0.3).astype(int)
    assert bernoulli_mle(x) == pytest.approx(0.3, abs=0.01)


@pytest.mark.points(2)
def test_poisson_mle_and_log_likelihood():
    x = gen().poisson(4.0, size=500)
    lam = poisson_mle(x)
    assert lam == pytest.approx(x.mean())
    assert poisson_log_likelihood(x, 3.5) == pytest.approx(stats.poisson.logpmf(x, 3.5).sum(), rel=1e-9)
    assert poisson_log_likelihood(x, lam) > poisson_log_likelihood(x, lam * 1.02)


@pytest.mark.points(1)
def test_exponential_recovers_rate():
    x = gen().exponential(scale=1 / 2.5, size=20000)
    assert exponential_mle(x) == pytest.approx(2.5, rel=0.03)
    assert exponential_mle(np.array([0.5, 1.5])) == pytest.approx(1.0)
