"""Visible tests: shapes, and the RNN cell against nn.RNNCell."""

import torch
from solution import lstm_cell, rnn_cell


def test_rnn_cell_matches_torch():
    torch.manual_seed(0)
    cell = torch.nn.RNNCell(3, 4).double()
    x, h = torch.randn(2, 3, dtype=torch.float64), torch.randn(2, 4, dtype=torch.float64)
    got = rnn_cell(x, h, cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh)
    torch.testing.assert_close(got, cell(x, h))


def test_lstm_cell_shapes():
    H, IN = 5, 3
    h, c = lstm_cell(
        torch.zeros(2, IN), torch.zeros(2, H), torch.zeros(2, H),
        torch.zeros(4 * H, IN), torch.zeros(4 * H, H), torch.zeros(4 * H), torch.zeros(4 * H),
    )  # fmt: skip
    assert h.shape == (2, H)
    assert c.shape == (2, H)
