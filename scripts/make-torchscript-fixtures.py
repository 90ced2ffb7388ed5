#!/usr/bin/python3
"""Writes the TorchScript teachers the tests load, made with Debian's python3-torch (1.13).

    /usr/bin/python3 scripts/make-torchscript-fixtures.py

Output, committed under src/test/resources/teachers/:
  tiny-cnn.pt             forward(x) -> (logits, features): 1x28x28 inputs, 4 classes, 32 features
  tiny-cnn.expected.json  an input batch and PyTorch's outputs for it, to check libtorch in DJL agrees
  logits-only.pt          forward(x) -> logits: breaks the contract, must be refused
"""
import json
import pathlib

import torch
from torch import nn

OUT = pathlib.Path(__file__).resolve().parent.parent / "src/test/resources/teachers"


class TinyCnn(nn.Module):
    def __init__(self, classes=4, features=32):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(4),
            nn.Flatten(), nn.Linear(16 * 4 * 4, features), nn.ReLU())
        self.head = nn.Linear(features, classes)

    def forward(self, x):
        features = self.body(x)
        return self.head(features), features


class LogitsOnly(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = TinyCnn()

    def forward(self, x):
        return self.net(x)[0]


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(20261127)
    teacher = TinyCnn().eval()
    torch.jit.script(teacher).save(str(OUT / "tiny-cnn.pt"))
    torch.jit.script(LogitsOnly().eval()).save(str(OUT / "logits-only.pt"))
    x = torch.rand(3, 1, 28, 28)
    with torch.no_grad():
        logits, features = teacher(x)
    expected = {"torch": torch.__version__, "input": x.flatten().tolist(), "inputShape": list(x.shape),
                "logits": logits.flatten().tolist(), "features": features.flatten().tolist()}
    (OUT / "tiny-cnn.expected.json").write_text(json.dumps(expected, separators=(",", ":")) + "\n")
    print("wrote", sorted(p.name for p in OUT.iterdir()))


if __name__ == "__main__":
    main()
