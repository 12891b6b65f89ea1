"""Visible tests: output sizes and the network's output shape."""

import torch
from solution import DigitsCNN, conv_output_size


def test_conv_output_size():
    assert conv_output_size(8, 3, 1, 1) == 8
    assert conv_output_size(8, 3, 2, 0) == 3


def test_cnn_output_shape():
    assert DigitsCNN()(torch.zeros(4, 1, 8, 8)).shape == (4, 10)
