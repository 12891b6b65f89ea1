"""Cross-entropy losses in torch, from scratch (reference solution)."""

import torch
from torch import Tensor


def _log_probs(logits: Tensor) -> Tensor:
    return logits - torch.logsumexp(logits, dim=1, keepdim=True)


def cross_entropy(
    logits: Tensor, targets: Tensor, weight: Tensor | None = None, label_smoothing: float = 0.0
) -> Tensor:
    """Mean cross-entropy of ``logits`` (N, C) against integer ``targets`` (N,)."""
    log_probs = _log_probs(logits)
    n, classes = logits.shape
    hard = -log_probs[torch.arange(n), targets]
    if label_smoothing:
        uniform = -log_probs.sum(dim=1) / classes
        hard = (1 - label_smoothing) * hard + label_smoothing * uniform
    if weight is None:
        return hard.mean()
    w = weight[targets]
    return (w * hard).sum() / w.sum()


def cross_entropy_grad(logits: Tensor, targets: Tensor) -> Tensor:
    """Analytic gradient of the mean cross-entropy with respect to ``logits``."""
    probs = torch.exp(_log_probs(logits))
    probs[torch.arange(len(targets)), targets] -= 1.0
    return probs / len(targets)


def binary_cross_entropy_with_logits(logits: Tensor, targets: Tensor) -> Tensor:
    """Mean binary cross-entropy computed stably from logits."""
    loss = torch.clamp(logits, min=0) - logits * targets + torch.log1p(torch.exp(-logits.abs()))
    return loss.mean()
