"""An MLP for the digits data (reference solution)."""

import torch
from torch import Tensor, nn


class MLP(nn.Module):
    """Fully connected network: Linear + ReLU per hidden layer, then a Linear to the class logits."""

    def __init__(self, in_features: int = 64, hidden: tuple[int, ...] = (128,), n_classes: int = 10):
        super().__init__()
        layers: list[nn.Module] = []
        width = in_features
        for size in hidden:
            layers += [nn.Linear(width, size), nn.ReLU()]
            width = size
        layers.append(nn.Linear(width, n_classes))
        self.net = nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        """Class logits, shape (N, n_classes)."""
        return self.net(x)


def train_mlp(
    X: Tensor, y: Tensor, *, epochs: int = 20, lr: float = 1e-2, batch_size: int = 64, seed: int = 0
) -> MLP:
    """Train an MLP with cross-entropy and Adam on shuffled mini-batches; return it in eval mode."""
    torch.manual_seed(seed)
    model = MLP(in_features=X.shape[1])
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(X))
        for start in range(0, len(X), batch_size):
            batch = order[start : start + batch_size]
            optimizer.zero_grad()
            loss_fn(model(X[batch]), y[batch]).backward()
            optimizer.step()
    return model.eval()


def accuracy(model: nn.Module, X: Tensor, y: Tensor) -> float:
    """Fraction of rows whose arg-max logit equals the label."""
    with torch.no_grad():
        return float((model(X).argmax(dim=1) == y).float().mean())
