"""Dropout, an L2 penalty and early stopping (reference solution)."""

import copy

import torch
from torch import Tensor, nn


def dropout(x: Tensor, p: float, training: bool = True, generator: torch.Generator | None = None) -> Tensor:
    """Inverted dropout: zero with probability ``p`` and scale survivors by 1 / (1 - p) in training."""
    if not 0 <= p < 1:
        raise ValueError(f"dropout probability must be in [0, 1), got {p}")
    if not training or p == 0:
        return x
    keep = (torch.rand(x.shape, generator=generator) >= p).to(x.dtype)
    return x * keep / (1 - p)


def l2_penalty(model: nn.Module, lam: float) -> Tensor:
    """``lam`` times the sum of squared entries of every weight (not bias) parameter."""
    weights = [param for name, param in model.named_parameters() if name.endswith("weight")]
    return lam * sum((w.pow(2).sum() for w in weights), torch.tensor(0.0))


class EarlyStopping:
    """Stop after ``patience`` epochs without an improvement of more than ``min_delta``."""

    def __init__(self, patience: int = 3, min_delta: float = 0.0) -> None:
        self.patience = patience
        self.min_delta = min_delta
        self.best_loss = float("inf")
        self.best_epoch = -1
        self._epoch = -1
        self._bad_epochs = 0

    def step(self, val_loss: float) -> bool:
        """Record one epoch's validation loss; True when training should stop."""
        self._epoch += 1
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss = val_loss
            self.best_epoch = self._epoch
            self._bad_epochs = 0
        else:
            self._bad_epochs += 1
        return self._bad_epochs >= self.patience


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
    torch.manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    stopper = EarlyStopping(patience)
    best_state = copy.deepcopy(model.state_dict())
    for _ in range(max_epochs):
        model.train()
        optimizer.zero_grad()
        loss_fn(model(X_train), y_train).backward()
        optimizer.step()
        model.eval()
        with torch.no_grad():
            val_loss = loss_fn(model(X_val), y_val).item()
        stop = stopper.step(val_loss)
        if stopper.best_epoch == stopper._epoch:
            best_state = copy.deepcopy(model.state_dict())
        if stop:
            break
    model.load_state_dict(best_state)
    return model, stopper.best_epoch
