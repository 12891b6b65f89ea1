"""Hidden tests: dropout statistics and gradient, L2 penalty, early stopping, restoring the best epoch."""

import copy

import pytest
import torch
from sklearn.datasets import make_classification
from solution import EarlyStopping, dropout, l2_penalty, train_with_early_stopping


def gen(seed=1017):
    return torch.Generator().manual_seed(seed)


@pytest.mark.points(3)
def test_dropout_statistics():
    x = torch.ones(100_000)
    y = dropout(x, 0.3, generator=gen())
    dropped = (y == 0).float().mean().item()
    assert dropped == pytest.approx(0.3, abs=0.01)
    survivors = y[y != 0]
    torch.testing.assert_close(survivors, torch.full_like(survivors, 1 / 0.7))
    assert y.mean().item() == pytest.approx(1.0, abs=0.02)


@pytest.mark.points(1)
def test_dropout_reproducible_and_edge_probabilities():
    x = torch.randn(50, generator=gen(1))
    assert torch.equal(dropout(x, 0.5, generator=gen(2)), dropout(x, 0.5, generator=gen(2)))
    assert torch.equal(dropout(x, 0.0, generator=gen(2)), x)
    with pytest.raises(ValueError):
        dropout(x, 1.0)
    with pytest.raises(ValueError):
        dropout(x, -0.1)


@pytest.mark.points(1)
def test_dropout_gradient():
    x = torch.randn(1000, generator=gen(3), requires_grad=True)
    y = dropout(x, 0.25, generator=gen(4))
    y.sum().backward()
    expected = (y.detach() != 0).float() / 0.75
    torch.testing.assert_close(x.grad, expected)


@pytest.mark.points(2)
def test_l2_penalty_skips_biases():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2))
    expected = 0.01 * (model[0].weight.pow(2).sum() + model[2].weight.pow(2).sum())
    penalty = l2_penalty(model, 0.01)
    torch.testing.assert_close(penalty, expected)
    penalty.backward()
    torch.testing.assert_close(model[0].weight.grad, 0.02 * model[0].weight.detach())
    assert model[0].bias.grad is None or torch.count_nonzero(model[0].bias.grad) == 0


@pytest.mark.points(2)
def test_early_stopping_patience_and_best_epoch():
    stopper = EarlyStopping(patience=3)
    assert stopper.best_epoch == -1
    losses = [1.0, 0.7, 0.6, 0.65, 0.61, 0.59, 0.60, 0.62, 0.63, 0.5]
    decisions = [stopper.step(v) for v in losses[:9]]
    assert decisions == [False] * 8 + [True]
    assert stopper.best_epoch == 5
    assert stopper.best_loss == pytest.approx(0.59)


@pytest.mark.points(1)
def test_early_stopping_min_delta():
    stopper = EarlyStopping(patience=2, min_delta=0.05)
    assert [stopper.step(v) for v in [1.0, 0.97, 0.96]] == [False, False, True]
    assert stopper.best_epoch == 0


@pytest.mark.points(3)
def test_training_restores_the_best_epoch():
    X, y = make_classification(n_samples=120, n_features=30, n_informative=5, random_state=0)
    X, y = torch.tensor(X, dtype=torch.float32), torch.tensor(y)
    X_train, y_train, X_val, y_val = X[:60], y[:60], X[60:], y[60:]
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(30, 64), torch.nn.ReLU(), torch.nn.Linear(64, 2))
    # replay the same training by hand to know every epoch's validation loss
    shadow = copy.deepcopy(model)
    optimizer = torch.optim.Adam(shadow.parameters(), lr=0.05)
    loss_fn = torch.nn.CrossEntropyLoss()
    history = []
    for _ in range(200):
        optimizer.zero_grad()
        loss_fn(shadow(X_train), y_train).backward()
        optimizer.step()
        with torch.no_grad():
            history.append(loss_fn(shadow(X_val), y_val).item())
    trained, best_epoch = train_with_early_stopping(model, X_train, y_train, X_val, y_val, patience=5)
    assert best_epoch < 150  # this small network overfits long before 200 epochs
    assert min(history[: best_epoch + 6]) == pytest.approx(history[best_epoch], rel=1e-5)
    with torch.no_grad():
        restored = loss_fn(trained(X_val), y_val).item()
    assert restored == pytest.approx(history[best_epoch], rel=1e-4)
