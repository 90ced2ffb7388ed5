#!/usr/bin/python3
"""Writes torchvision networks as safetensors state dicts, with their outputs on a fixed input.

    /usr/bin/python3 scripts/make-safetensors-fixtures.py OUT_DIR [--check-keys DIR] [ARCH ...]

For each catalog id ARCH (default: resnet18 resnet18-cifar resnet34-cifar mobilenetv2), from a fixed
seed: torchvision's network with 4 classes and 3 input channels (the -cifar ids with a 3x3/1 stem and
no max pool), BatchNorm affine parameters moved away from 1 and 0 and running statistics measured in
training mode on random batches (so num_batches_tracked is 2, not 0), then in OUT_DIR:
  ARCH.safetensors  model.state_dict(), num_batches_tracked included
  ARCH.json         {"shape": [2, 3, 32, 32], "input": [...], "logits": [[...]], "features": [[...]]}

The files are not committed: a ResNet-18 is 45 MB of float32. TorchvisionInteropTest runs this
script at test time (when torch and torchvision import) and checks that the service reads the file
into a network that answers the same logits.

--check-keys DIR compares the state_dict keys of torchvision's resnet18, resnet34 and mobilenet_v2
with DIR/resnet18.keys, DIR/resnet34.keys and DIR/mobilenet_v2.keys (src/test/resources/torchvision)
and fails when they differ.
"""
import argparse
import json
import pathlib
import sys

import torch
import torchvision
from torch import nn

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from check_safetensors_in_torch import build, run, write_safetensors  # noqa: E402

SEED = 20240601


def check_keys(folder):
    ok = True
    for name in ["resnet18", "resnet34", "mobilenet_v2"]:
        real = list(getattr(torchvision.models, name)().state_dict().keys())
        committed = (pathlib.Path(folder) / (name + ".keys")).read_text().split()
        if real != committed:
            ok = False
            print(f"{name}.keys differs from torchvision {torchvision.__version__}: "
                  f"missing {sorted(set(real) - set(committed))}, extra {sorted(set(committed) - set(real))}"
                  + ("" if set(real) != set(committed) else ", order differs"), file=sys.stderr)
    return ok


def make(arch, out):
    torch.manual_seed(SEED)
    model, head = build(arch, 4, 3)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, nn.BatchNorm2d):
                module.weight.uniform_(0.5, 1.5)
                module.bias.normal_(0.0, 0.2)
                module.reset_running_stats()
                module.momentum = None  # a plain average over the calibration batches
        model.train()
        for _ in range(2):
            model(torch.rand(8, 3, 32, 32))
    x = torch.rand(2, 3, 32, 32)
    logits, features = run(model, head, x)
    write_safetensors(out / (arch + ".safetensors"), model.state_dict())
    (out / (arch + ".json")).write_text(json.dumps({
        "shape": list(x.shape), "input": x.flatten().tolist(),
        "logits": logits.tolist(), "features": features.tolist()}))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--check-keys")
    parser.add_argument("archs", nargs="*", default=["resnet18", "resnet18-cifar", "resnet34-cifar", "mobilenetv2"])
    args = parser.parse_intermixed_args()
    if args.check_keys and not check_keys(args.check_keys):
        sys.exit(1)
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for arch in args.archs:
        make(arch, out)


if __name__ == "__main__":
    main()
