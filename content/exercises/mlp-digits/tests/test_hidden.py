"""Hidden tests: architecture details, the metric, and training to a stated accuracy on digits."""

import time

import pytest
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from solution import MLP, accuracy, train_mlp


def digits_split():
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X / 16.0, y, test_size=0.25, stratify=y, random_state=0
    )
    as_x = lambda a: torch.tensor(a, dtype=torch.float32)  # noqa: E731
    as_y = lambda a: torch.tensor(a, dtype=torch.int64)  # noqa: E731
    return as_x(X_train), as_x(X_test), as_y(y_train), as_y(y_test)


@pytest.mark.points(1)
def test_deeper_network_layers_and_count():
    model = MLP(64, (32, 16), 10)
    linears = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == [(64, 32), (32, 16), (16, 10)]
    assert sum(isinstance(m, torch.nn.ReLU) for m in model.modules()) == 2


@pytest.mark.points(1)
def test_outputs_are_raw_logits():
    torch.manual_seed(0)
    out = MLP()(torch.rand(8, 64) * 4)
    assert (out < 0).any()  # neither ReLU nor softmax on the output layer


@pytest.mark.points(1)
def test_accuracy_metric():
    class Fixed(torch.nn.Module):
        def forward(self, x):
            return torch.tensor([[0.0, 1.0], [2.0, 1.0], [0.0, 3.0], [5.0, 0.0]])

    assert accuracy(Fixed(), torch.zeros(4, 1), torch.tensor([1, 0, 0, 0])) == pytest.approx(0.75)


@pytest.mark.points(4)
def test_trained_model_reaches_95_percent_on_held_out_digits():
    X_train, X_test, y_train, y_test = digits_split()
    train_mlp(X_train[:8], y_train[:8], epochs=1)  # torch imports parts of itself on first use
    started = time.perf_counter()
    model = train_mlp(X_train, y_train, seed=0)
    assert time.perf_counter() - started < 3.0
    assert not model.training
    assert accuracy(model, X_test, y_test) >= 0.95


@pytest.mark.points(2)
def test_training_is_seeded():
    X_train, X_test, y_train, _ = digits_split()
    first = train_mlp(X_train[:300], y_train[:300], epochs=3, seed=3)
    second = train_mlp(X_train[:300], y_train[:300], epochs=3, seed=3)
    with torch.no_grad():
        torch.testing.assert_close(first(X_test), second(X_test))
