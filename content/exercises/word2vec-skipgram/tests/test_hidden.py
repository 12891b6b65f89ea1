"""Hidden tests: pairs, the sampling distribution and one SGD step against torch autograd."""

import numpy as np
import pytest
import torch
from solution import negative_sampling_distribution, sgns_loss, sgns_step, skipgram_pairs

VOCAB, DIM = 12, 8


def tables(seed=1020):
    gen = np.random.default_rng(seed)
    return gen.normal(scale=0.5, size=(VOCAB, DIM)), gen.normal(scale=0.5, size=(VOCAB, DIM))


def torch_step(W_in, W_out, center, context, negatives, lr):
    t_in = torch.tensor(W_in, requires_grad=True)
    t_out = torch.tensor(W_out, requires_grad=True)
    optimizer = torch.optim.SGD([t_in, t_out], lr=lr)
    v = t_in[center]
    loss = -torch.nn.functional.logsigmoid(t_out[context] @ v)
    loss = loss - torch.nn.functional.logsigmoid(-(t_out[negatives] @ v)).sum()
    loss.backward()
    optimizer.step()
    return t_in.detach().numpy(), t_out.detach().numpy(), loss.item()


@pytest.mark.points(2)
def test_pairs_window_two_at_the_edges():
    pairs = skipgram_pairs([1, 2, 3, 4], 2)
    assert pairs == [
        (1, 2), (1, 3),
        (2, 1), (2, 3), (2, 4),
        (3, 1), (3, 2), (3, 4),
        (4, 2), (4, 3),
    ]  # fmt: skip
    assert skipgram_pairs([5], 3) == []


@pytest.mark.points(1)
def test_negative_sampling_distribution():
    counts = np.array([100, 10, 1, 0])
    p = negative_sampling_distribution(counts)
    expected = counts**0.75 / np.sum(counts**0.75)
    np.testing.assert_allclose(p, expected, rtol=1e-12)
    assert p.sum() == pytest.approx(1.0)


@pytest.mark.points(2)
def test_loss_matches_torch_and_is_stable():
    W_in, W_out = tables()
    _, _, expected = torch_step(W_in, W_out, 3, 5, [1, 7, 9], lr=0.0)
    assert sgns_loss(W_in, W_out, 3, 5, [1, 7, 9]) == pytest.approx(expected, rel=1e-12)
    big = W_in * 500
    assert np.isfinite(sgns_loss(big, W_out * 500, 3, 5, [1, 7, 9]))


@pytest.mark.points(3)
def test_step_matches_torch_sgd():
    W_in, W_out = tables()
    new_in, new_out, loss = sgns_step(W_in, W_out, 2, 6, [0, 4, 11], lr=0.1)
    exp_in, exp_out, exp_loss = torch_step(W_in, W_out, 2, 6, [0, 4, 11], lr=0.1)
    np.testing.assert_allclose(new_in, exp_in, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(new_out, exp_out, rtol=1e-10, atol=1e-12)
    assert loss == pytest.approx(exp_loss, rel=1e-12)


@pytest.mark.points(2)
def test_repeated_negatives_accumulate():
    W_in, W_out = tables(7)
    negatives = [4, 4, 6, 9]  # 4 twice, 6 is also the context
    new_in, new_out, _ = sgns_step(W_in, W_out, 1, 6, negatives, lr=0.5)
    exp_in, exp_out, _ = torch_step(W_in, W_out, 1, 6, negatives, lr=0.5)
    np.testing.assert_allclose(new_in, exp_in, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(new_out, exp_out, rtol=1e-10, atol=1e-12)


@pytest.mark.points(1)
def test_step_touches_only_involved_rows_and_copies():
    W_in, W_out = tables(3)
    before_in, before_out = W_in.copy(), W_out.copy()
    new_in, new_out, _ = sgns_step(W_in, W_out, 0, 1, [2, 3], lr=0.2)
    np.testing.assert_array_equal(W_in, before_in)
    np.testing.assert_array_equal(W_out, before_out)
    np.testing.assert_array_equal(new_in[1:], W_in[1:])
    np.testing.assert_array_equal(new_out[4:], W_out[4:])
    np.testing.assert_array_equal(new_out[0], W_out[0])


@pytest.mark.points(1)
def test_repeated_steps_reduce_the_loss():
    W_in, W_out = tables(11)
    first = sgns_loss(W_in, W_out, 5, 8, [0, 2])
    for _ in range(20):
        W_in, W_out, _ = sgns_step(W_in, W_out, 5, 8, [0, 2], lr=0.1)
    assert sgns_loss(W_in, W_out, 5, 8, [0, 2]) < first
