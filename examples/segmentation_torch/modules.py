"""Building blocks of the lesion segmenter (PyTorch)."""
import torch
import torch.nn as nn


class TemperedSigmoid(nn.Module):
    """Sigmoid with a temperature, used for the attention gate.

    A high temperature keeps the gate close to 0.5 early in training.
    """

    def __init__(self, temperature=16.0):
        super().__init__()
        self.temperature = temperature

    def forward(self, x):
        return torch.sigmoid(x / self.temperature)


class SwishFn(torch.autograd.Function):
    """Swish x * sigmoid(x) that stores only the input (saves memory on 512x512 crops)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * torch.sigmoid(x)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        s = torch.sigmoid(x)
        return grad_output * s * (1.0 + x * (1.0 - s))


class AttentionSegmenter(nn.Module):
    def __init__(self, in_channels=3, width=32):
        super().__init__()
        self.encode = nn.Conv2d(in_channels, width, 3, padding=1)
        self.attend = nn.Conv2d(width, 1, 1)
        self.gate = TemperedSigmoid(temperature=16.0)
        self.head = nn.Conv2d(width, 1, 1)

    def forward(self, images):
        h = SwishFn.apply(self.encode(images))
        return self.head(h * self.gate(self.attend(h)))
