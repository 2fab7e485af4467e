"""Training criteria (PyTorch convention: input, target)."""
import torch.nn as nn


class SoftDiceLoss(nn.Module):
    """Soft Dice on sigmoid probabilities, smoothed so empty masks are handled."""

    def __init__(self, smooth=1.0):
        super().__init__()
        self.smooth = smooth

    def forward(self, input, target):
        dims = tuple(range(1, input.dim()))
        overlap = (input * target).sum(dims)
        total = input.sum(dims) + target.sum(dims)
        return (1.0 - (2.0 * overlap + self.smooth) / (total + self.smooth)).mean()
