"""Visible tests: hand-computed probabilities and losses."""

import numpy as np
import pytest
from solution import log_loss, predict_proba


def test_probability_at_zero_logit_is_half():
    p = predict_proba(np.array([1.0, -1.0]), 0.0, np.array([[2.0, 2.0]]))
    np.testing.assert_allclose(p, [0.5])


def test_log_loss_of_confident_right_answers_is_small():
    assert log_loss(np.array([1, 0]), np.array([0.99, 0.01])) == pytest.approx(-np.log(0.99))
