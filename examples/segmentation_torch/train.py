"""Training loop for the lesion segmenter."""
import torch
from torch.optim.lr_scheduler import LambdaLR

from .criteria import SoftDiceLoss
from .modules import AttentionSegmenter


def linear_warmup(step, warmup=500):
    return min(1.0, (step + 1) / warmup)


def pixel_accuracy(probs, masks):
    return ((probs > 0.5).float() == masks).float().mean()


def train(loader, epochs=40, device="cuda"):
    model = AttentionSegmenter().to(device)
    criterion = SoftDiceLoss(smooth=1.0)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-4)
    sched = LambdaLR(opt, lr_lambda=linear_warmup)
    for epoch in range(epochs):
        for images, masks in loader:
            images, masks = images.to(device), masks.to(device)
            probs = torch.sigmoid(model(images))
            loss = criterion(probs, masks)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        with torch.no_grad():
            print(f"epoch {epoch}: loss {loss.item():.4f} acc {pixel_accuracy(probs, masks).item():.3f}")
    return model
