"""Hidden tests: values and autograd gradients against torch.nn.functional."""

import pytest
import torch
import torch.nn.functional as F
from solution import binary_cross_entropy_with_logits, cross_entropy, cross_entropy_grad


def batch(n=32, classes=7, scale=3.0, seed=1013):
    gen = torch.Generator().manual_seed(seed)
    logits = torch.randn(n, classes, generator=gen, dtype=torch.float64) * scale
    targets = torch.randint(0, classes, (n,), generator=gen)
    return logits, targets


def close(a, b, tol=1e-10):
    torch.testing.assert_close(a, b, rtol=tol, atol=tol)


@pytest.mark.points(2)
def test_value_and_autograd_match_torch():
    logits, targets = batch()
    ours = logits.clone().requires_grad_()
    theirs = logits.clone().requires_grad_()
    loss = cross_entropy(ours, targets)
    expected = F.cross_entropy(theirs, targets)
    assert loss.dim() == 0
    close(loss, expected)
    loss.backward()
    expected.backward()
    close(ours.grad, theirs.grad)


@pytest.mark.points(3)
def test_extreme_logits_stay_finite():
    logits = torch.tensor(
        [[1000.0, 0.0, -1000.0], [-1000.0, 1000.0, 0.0], [0.0, 0.0, 1000.0]], dtype=torch.float64
    )
    targets = torch.tensor([0, 2, 1])
    loss = cross_entropy(logits, targets)
    assert torch.isfinite(loss)
    close(loss, F.cross_entropy(logits, targets))


@pytest.mark.points(2)
def test_class_weights():
    logits, targets = batch(seed=2)
    weight = torch.linspace(0.2, 3.0, 7, dtype=torch.float64)
    close(cross_entropy(logits, targets, weight=weight), F.cross_entropy(logits, targets, weight=weight))


@pytest.mark.points(2)
def test_label_smoothing():
    logits, targets = batch(seed=3)
    for eps in (0.1, 0.3):
        close(
            cross_entropy(logits, targets, label_smoothing=eps),
            F.cross_entropy(logits, targets, label_smoothing=eps),
        )


@pytest.mark.points(3)
def test_analytic_gradient_matches_autograd():
    logits, targets = batch(seed=4, scale=10.0)
    leaf = logits.clone().requires_grad_()
    F.cross_entropy(leaf, targets).backward()
    got = cross_entropy_grad(logits.clone(), targets)
    assert got.shape == logits.shape
    close(got, leaf.grad)
    close(got.sum(dim=1), torch.zeros(len(targets), dtype=torch.float64))


@pytest.mark.points(2)
def test_binary_cross_entropy_with_logits():
    gen = torch.Generator().manual_seed(5)
    logits = torch.randn(50, generator=gen, dtype=torch.float64) * 4
    logits[:4] = torch.tensor([1000.0, -1000.0, 800.0, -800.0], dtype=torch.float64)
    targets = torch.rand(50, generator=gen, dtype=torch.float64).round()
    ours, theirs = logits.clone().requires_grad_(), logits.clone().requires_grad_()
    loss = binary_cross_entropy_with_logits(ours, targets)
    expected = F.binary_cross_entropy_with_logits(theirs, targets)
    close(loss, expected)
    loss.backward()
    expected.backward()
    close(ours.grad, theirs.grad)
