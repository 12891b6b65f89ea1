"""Hidden tests: the hand-written convolution against F.conv2d, and training on digits."""

import time

import pytest
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from solution import DigitsCNN, conv2d, conv_output_size, train_cnn


def tensors(seed, x_shape, w_shape):
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(*x_shape, generator=gen, dtype=torch.float64)
    w = torch.randn(*w_shape, generator=gen, dtype=torch.float64)
    b = torch.randn(w_shape[0], generator=gen, dtype=torch.float64)
    return x, w, b


@pytest.mark.points(1)
def test_output_size_formula():
    for size, kernel, stride, padding in [(28, 5, 1, 2), (32, 3, 2, 1), (7, 7, 1, 0), (10, 4, 3, 2)]:
        expected = F.conv2d(
            torch.zeros(1, 1, size, size), torch.zeros(1, 1, kernel, kernel), stride=stride, padding=padding
        )
        assert conv_output_size(size, kernel, stride, padding) == expected.shape[-1]


@pytest.mark.points(3)
def test_conv2d_matches_torch():
    x, w, b = tensors(1016, (2, 3, 9, 7), (4, 3, 3, 2))
    torch.testing.assert_close(conv2d(x, w, b), F.conv2d(x, w, b), rtol=1e-10, atol=1e-10)


@pytest.mark.points(2)
def test_conv2d_stride_and_padding():
    x, w, b = tensors(7, (3, 2, 10, 11), (5, 2, 3, 3))
    for stride, padding in [(2, 0), (1, 1), (2, 1), (3, 2)]:
        torch.testing.assert_close(
            conv2d(x, w, b, stride=stride, padding=padding),
            F.conv2d(x, w, b, stride=stride, padding=padding),
            rtol=1e-10,
            atol=1e-10,
        )
    torch.testing.assert_close(conv2d(x, w, None, padding=1), F.conv2d(x, w, None, padding=1))


@pytest.mark.points(1)
def test_conv2d_is_differentiable():
    x, w, b = tensors(3, (1, 2, 6, 6), (3, 2, 3, 3))
    w1, w2 = w.clone().requires_grad_(), w.clone().requires_grad_()
    conv2d(x, w1, b, padding=1).square().sum().backward()
    F.conv2d(x, w2, b, padding=1).square().sum().backward()
    torch.testing.assert_close(w1.grad, w2.grad)


@pytest.mark.points(1)
def test_cnn_uses_convolutions_and_stays_small():
    model = DigitsCNN()
    assert any(isinstance(m, torch.nn.Conv2d) for m in model.modules())
    assert sum(p.numel() for p in model.parameters()) < 50_000


@pytest.mark.points(4)
def test_cnn_reaches_95_percent_on_held_out_digits():
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X / 16.0, y, test_size=0.25, stratify=y, random_state=0
    )
    as_images = lambda a: torch.tensor(a, dtype=torch.float32).view(-1, 1, 8, 8)  # noqa: E731
    X_train, X_test = as_images(X_train), as_images(X_test)
    y_train, y_test = torch.tensor(y_train), torch.tensor(y_test)
    train_cnn(X_train[:8], y_train[:8], epochs=1)  # torch imports parts of itself on first use
    started = time.perf_counter()
    model = train_cnn(X_train, y_train, seed=0)
    assert time.perf_counter() - started < 4.0
    assert not model.training
    with torch.no_grad():
        assert (model(X_test).argmax(1) == y_test).float().mean().item() >= 0.95
