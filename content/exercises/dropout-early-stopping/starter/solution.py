"""Dropout, an L2 penalty and early stopping: fill in each piece."""

import torch
from torch import Tensor, nn


def dropout(x: Tensor, p: float, training: bool = True, generator: torch.Generator | None = None) -> Tensor:
    """Inverted dropout: zero with probability ``p`` and scale survivors by 1 / (1 - p) in training."""
    mask = (torch.rand(x.shape, generator=generator) >= p).to(x.dtype)
    return x * mask  # survivors not rescaled, and applied in evaluation too


def l2_penalty(model: nn.Module, lam: float) -> Tensor:
    """``lam`` times the sum of squared entries of every weight (not bias) parameter."""
    raise NotImplementedError


class EarlyStopping:
    """Stop after ``patience`` epochs without an improvement of more than ``min_delta``."""

    def __init__(self, patience: int = 3, min_delta: float = 0.0) -> None:
        self.patience = patience
        self.min_delta = min_delta
        self.best_loss = float("inf")
        self.best_epoch = -1

    def step(self, val_loss: float) -> bool:
        """Record one epoch's validation loss; True when training should stop."""
        raise NotImplementedError


def train_with_early_stopping(
    model: nn.Module,
    X_train: Tensor,
    y_train: Tensor,
    X_val: Tensor,
    y_val: Tensor,
    *,
    max_epochs: int = 200,
    patience: int = 5,
    lr: float = 0.05,
    seed: int = 0,
) -> tuple[nn.Module, int]:
    """Full-batch Adam with early stopping; restores and returns the best epoch's weights."""
    raise NotImplementedError
