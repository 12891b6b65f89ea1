"""A convolution by hand and a small CNN for the digits data (reference solution)."""

import torch
import torch.nn.functional as F
from torch import Tensor, nn


def conv_output_size(size: int, kernel: int, stride: int = 1, padding: int = 0) -> int:
    """Output length of a convolution along one dimension."""
    return (size + 2 * padding - kernel) // stride + 1


def conv2d(
    x: Tensor, weight: Tensor, bias: Tensor | None = None, stride: int = 1, padding: int = 0
) -> Tensor:
    """2-D cross-correlation of (N, C_in, H, W) input with (C_out, C_in, kh, kw) weight."""
    n, _, h, w = x.shape
    out_channels, _, kh, kw = weight.shape
    x = F.pad(x, (padding, padding, padding, padding))
    oh = conv_output_size(h, kh, stride, padding)
    ow = conv_output_size(w, kw, stride, padding)
    out = x.new_zeros(n, out_channels, oh, ow)
    for u in range(kh):
        for v in range(kw):
            patch = x[:, :, u : u + stride * (oh - 1) + 1 : stride, v : v + stride * (ow - 1) + 1 : stride]
            out = out + torch.einsum("nchw,oc->nohw", patch, weight[:, :, u, v])
    if bias is not None:
        out = out + bias.view(1, -1, 1, 1)
    return out


class DigitsCNN(nn.Module):
    """A small CNN mapping (N, 1, 8, 8) images to (N, 10) logits."""

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.classifier = nn.Linear(32 * 2 * 2, 10)

    def forward(self, x: Tensor) -> Tensor:
        """Class logits."""
        return self.classifier(self.features(x).flatten(1))


def train_cnn(
    X: Tensor, y: Tensor, *, epochs: int = 8, lr: float = 1e-2, batch_size: int = 64, seed: int = 0
) -> DigitsCNN:
    """Train a DigitsCNN with Adam and cross-entropy; return it in eval mode."""
    torch.manual_seed(seed)
    model = DigitsCNN()
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
