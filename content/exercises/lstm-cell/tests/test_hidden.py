"""Hidden tests: every cell against torch.nn with copied weights, and gradients."""

import pytest
import torch
from solution import gru_cell, lstm_cell, lstm_sequence, rnn_cell

B, IN, H, T = 4, 6, 5, 7


def inputs(seed=1021):
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(B, IN, generator=gen, dtype=torch.float64)
    h = torch.randn(B, H, generator=gen, dtype=torch.float64)
    c = torch.randn(B, H, generator=gen, dtype=torch.float64)
    return x, h, c


def weights(cell):
    return cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh


def close(a, b):
    torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-10)


@pytest.mark.points(1)
def test_rnn_cell():
    torch.manual_seed(1)
    cell = torch.nn.RNNCell(IN, H).double()
    x, h, _ = inputs()
    close(rnn_cell(x, h, *weights(cell)), cell(x, h))


@pytest.mark.points(3)
def test_lstm_cell_matches_torch():
    torch.manual_seed(2)
    cell = torch.nn.LSTMCell(IN, H).double()
    x, h, c = inputs()
    got_h, got_c = lstm_cell(x, h, c, *weights(cell))
    exp_h, exp_c = cell(x, (h, c))
    close(got_h, exp_h)
    close(got_c, exp_c)


@pytest.mark.points(1)
def test_lstm_gate_order_with_large_forget_bias():
    torch.manual_seed(3)
    cell = torch.nn.LSTMCell(IN, H).double()
    with torch.no_grad():
        cell.bias_ih[H : 2 * H] = 10.0  # forget gate wide open: c' ~ c + input contribution
    x, h, c = inputs(5)
    got_h, got_c = lstm_cell(x, h, c, *weights(cell))
    exp_h, exp_c = cell(x, (h, c))
    close(got_c, exp_c)
    close(got_h, exp_h)


@pytest.mark.points(3)
def test_gru_cell_matches_torch():
    torch.manual_seed(4)
    cell = torch.nn.GRUCell(IN, H).double()
    x, h, _ = inputs(6)
    close(gru_cell(x, h, *weights(cell)), cell(x, h))


@pytest.mark.points(3)
def test_lstm_sequence_matches_nn_lstm():
    torch.manual_seed(5)
    lstm = torch.nn.LSTM(IN, H).double()
    gen = torch.Generator().manual_seed(7)
    xs = torch.randn(T, B, IN, generator=gen, dtype=torch.float64)
    _, h0, c0 = inputs(8)
    outputs, (h_T, c_T) = lstm_sequence(
        xs, h0, c0, lstm.weight_ih_l0, lstm.weight_hh_l0, lstm.bias_ih_l0, lstm.bias_hh_l0
    )
    exp_out, (exp_h, exp_c) = lstm(xs, (h0[None], c0[None]))
    assert outputs.shape == (T, B, H)
    close(outputs, exp_out)
    close(h_T, exp_h[0])
    close(c_T, exp_c[0])


@pytest.mark.points(2)
def test_gradients_flow_to_weights():
    torch.manual_seed(6)
    cell = torch.nn.LSTMCell(IN, H).double()
    ours = [w.detach().clone().requires_grad_() for w in weights(cell)]
    x, h, c = inputs(9)
    got_h, got_c = lstm_cell(x, h, c, *ours)
    (got_h.sum() + got_c.square().sum()).backward()
    exp_h, exp_c = cell(x, (h, c))
    (exp_h.sum() + exp_c.square().sum()).backward()
    for mine, theirs in zip(ours, weights(cell), strict=True):
        close(mine.grad, theirs.grad)
