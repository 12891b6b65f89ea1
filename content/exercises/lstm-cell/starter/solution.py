"""Recurrent cells in PyTorch's weight layout: fill in each function."""

import torch
from torch import Tensor


def rnn_cell(x: Tensor, h: Tensor, W_ih: Tensor, W_hh: Tensor, b_ih: Tensor, b_hh: Tensor) -> Tensor:
    """One tanh RNN step."""
    return torch.tanh(x @ W_ih.T + h @ W_hh.T)  # biases forgotten


def lstm_cell(
    x: Tensor, h: Tensor, c: Tensor, W_ih: Tensor, W_hh: Tensor, b_ih: Tensor, b_hh: Tensor
) -> tuple[Tensor, Tensor]:
    """One LSTM step with gates stacked (i, f, g, o): (h', c')."""
    raise NotImplementedError


def gru_cell(x: Tensor, h: Tensor, W_ih: Tensor, W_hh: Tensor, b_ih: Tensor, b_hh: Tensor) -> Tensor:
    """One GRU step with gates stacked (r, z, n)."""
    raise NotImplementedError


def lstm_sequence(
    xs: Tensor, h0: Tensor, c0: Tensor, W_ih: Tensor, W_hh: Tensor, b_ih: Tensor, b_hh: Tensor
) -> tuple[Tensor, tuple[Tensor, Tensor]]:
    """Run the LSTM over (T, B, I) inputs: (outputs (T, B, H), (h_T, c_T))."""
    raise NotImplementedError
