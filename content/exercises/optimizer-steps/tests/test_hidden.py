"""Hidden tests: 25 steps against torch.optim on the same gradient sequence."""

import numpy as np
import pytest
import torch
from solution import adam_step, adamw_step, sgd_momentum_step

STEPS = 25


def loss_fn(p):
    # a skewed quadratic plus a quartic: curvature differs per coordinate
    scales = torch.arange(1, p.numel() + 1, dtype=torch.float64)
    return (scales * p**2).sum() + 0.1 * (p**4).sum()


def run_torch(make_optimizer, start):
    p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    optimizer = make_optimizer([p])
    params, grads = [], []
    for _ in range(STEPS):
        optimizer.zero_grad()
        loss_fn(p).backward()
        grads.append(p.grad.numpy().copy())
        optimizer.step()
        params.append(p.detach().numpy().copy())
    return params, grads


def start():
    return np.random.default_rng(1014).normal(size=6)


def grad_at(x):
    p = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    loss_fn(p).backward()
    return p.grad.numpy()


@pytest.mark.points(2)
@pytest.mark.task(1)
def test_sgd_momentum_matches_torch():
    expected, _ = run_torch(lambda ps: torch.optim.SGD(ps, lr=0.01, momentum=0.9), start())
    x, velocity = start(), np.zeros(6)
    for step in range(STEPS):
        x, velocity = sgd_momentum_step(x, grad_at(x), velocity, lr=0.01, momentum=0.9)
        np.testing.assert_allclose(x, expected[step], rtol=1e-10, atol=1e-12)


@pytest.mark.points(2)
@pytest.mark.task(1)
def test_sgd_nesterov_and_weight_decay_match_torch():
    make = lambda ps: torch.optim.SGD(ps, lr=0.02, momentum=0.8, nesterov=True, weight_decay=0.05)  # noqa: E731
    expected, _ = run_torch(make, start())
    x, velocity = start(), np.zeros(6)
    for step in range(STEPS):
        x, velocity = sgd_momentum_step(
            x, grad_at(x), velocity, lr=0.02, momentum=0.8, weight_decay=0.05, nesterov=True
        )
        np.testing.assert_allclose(x, expected[step], rtol=1e-10, atol=1e-12)


@pytest.mark.points(3)
@pytest.mark.task(2)
def test_adam_matches_torch():
    expected, _ = run_torch(lambda ps: torch.optim.Adam(ps, lr=0.05), start())
    x, m, v = start(), np.zeros(6), np.zeros(6)
    for step in range(STEPS):
        x, m, v = adam_step(x, grad_at(x), m, v, step + 1, lr=0.05)
        np.testing.assert_allclose(x, expected[step], rtol=1e-10, atol=1e-12)


@pytest.mark.points(1)
@pytest.mark.task(2)
def test_adam_with_l2_and_custom_betas_matches_torch():
    make = lambda ps: torch.optim.Adam(ps, lr=0.03, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)  # noqa: E731
    expected, _ = run_torch(make, start())
    x, m, v = start(), np.zeros(6), np.zeros(6)
    for step in range(STEPS):
        x, m, v = adam_step(
            x, grad_at(x), m, v, step + 1, lr=0.03, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1
        )
        np.testing.assert_allclose(x, expected[step], rtol=1e-10, atol=1e-12)


@pytest.mark.points(2)
@pytest.mark.task(3)
def test_adamw_matches_torch():
    make = lambda ps: torch.optim.AdamW(ps, lr=0.05, weight_decay=0.2)  # noqa: E731
    expected, _ = run_torch(make, start())
    x, m, v = start(), np.zeros(6), np.zeros(6)
    for step in range(STEPS):
        x, m, v = adamw_step(x, grad_at(x), m, v, step + 1, lr=0.05, weight_decay=0.2)
        np.testing.assert_allclose(x, expected[step], rtol=1e-10, atol=1e-12)


@pytest.mark.points(1)
def test_steps_do_not_modify_inputs():
    x, g, m, v = start(), grad_at(start()), np.ones(6), np.ones(6)
    copies = [a.copy() for a in (x, g, m, v)]
    sgd_momentum_step(x, g, m, lr=0.1)
    adam_step(x, g, m, v, 3)
    adamw_step(x, g, m, v, 3)
    for original, copy in zip((x, g, m, v), copies, strict=True):
        np.testing.assert_array_equal(original, copy)
