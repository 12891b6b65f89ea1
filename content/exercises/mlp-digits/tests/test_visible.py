"""Visible tests: the model's shape and size."""

import torch
from solution import MLP


def test_output_shape():
    model = MLP()
    assert model(torch.zeros(5, 64)).shape == (5, 10)


def test_parameter_count():
    model = MLP(64, (128,), 10)
    assert sum(p.numel() for p in model.parameters()) == 9610
