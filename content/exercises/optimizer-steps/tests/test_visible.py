"""Visible tests: the first step, worked by hand."""

import numpy as np
from solution import adam_step, sgd_momentum_step


def test_first_sgd_step_is_plain_gradient_step():
    param, velocity = sgd_momentum_step(np.array([1.0, 2.0]), np.array([0.5, -1.0]), np.zeros(2), lr=0.1)
    np.testing.assert_allclose(param, [0.95, 2.1])
    np.testing.assert_allclose(velocity, [0.5, -1.0])


def test_first_adam_step_moves_by_lr():
    param, _, _ = adam_step(
        np.array([1.0, 1.0]), np.array([3.0, -0.01]), np.zeros(2), np.zeros(2), t=1, lr=0.1
    )
    np.testing.assert_allclose(param, [0.9, 1.1], rtol=1e-6)
