#!/usr/bin/python3
"""Runs safetensors state dicts with torchvision's key names in torchvision, and prints the outputs.

    /usr/bin/python3 scripts/check_safetensors_in_torch.py ARCH:WEIGHTS:INPUT [ARCH:WEIGHTS:INPUT ...]

ARCH is a catalog id (resnet18, resnet34, resnet18-cifar, resnet34-cifar, mobilenetv2), WEIGHTS a
safetensors file as GET /v1/jobs/{id}/student?format=safetensors serves it, INPUT a JSON file
{"shape": [N, C, H, W], "input": [N*C*H*W floats]}. The network is torchvision's, with the -cifar
stem (3x3/1 conv, no max pool) and the input channels taken from the weights; the file is loaded with
load_state_dict(strict=True). Prints one JSON list of {"logits": [[...]], "features": [[...]]}, the
features being what the classifier reads (the service's features).

Needs Debian's python3-torch and python3-torchvision; there is no safetensors package there, so the
format (8-byte little-endian header length, JSON header, raw little-endian data) is read by hand.
The test TorchvisionInteropTest runs this script.
"""
import json
import struct
import sys

import numpy as np
import torch
import torchvision
from torch import nn

DTYPES = {"F32": "<f4", "F64": "<f8", "I64": "<i8", "I32": "<i4"}


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (length,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + length])
    data = raw[8 + length:]
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        array = np.frombuffer(data[begin:end], dtype=DTYPES[entry["dtype"]]).reshape(entry["shape"])
        tensors[name] = torch.from_numpy(array.copy())
    return tensors


def write_safetensors(path, tensors):
    header, chunks, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name, tensor in tensors.items():
        array = tensor.detach().cpu().contiguous().numpy()
        dtype = {np.dtype("float32"): "F32", np.dtype("int64"): "I64"}[array.dtype]
        chunk = array.astype(array.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": dtype, "shape": list(array.shape), "data_offsets": [offset, offset + len(chunk)]}
        chunks.append(chunk)
        offset += len(chunk)
    encoded = json.dumps(header, separators=(",", ":")).encode()
    encoded += b" " * (-len(encoded) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)))
        f.write(encoded)
        for chunk in chunks:
            f.write(chunk)


def build(arch, classes, channels):
    """torchvision's network as the catalog id names it, for `channels` input channels."""
    if arch.startswith("resnet"):
        model = getattr(torchvision.models, arch.split("-")[0])(num_classes=classes)
        if arch.endswith("-cifar"):
            model.conv1 = nn.Conv2d(channels, 64, kernel_size=3, stride=1, padding=1, bias=False)
            model.maxpool = nn.Identity()
        elif channels != 3:
            model.conv1 = nn.Conv2d(channels, 64, kernel_size=7, stride=2, padding=3, bias=False)
        return model, model.fc
    if arch == "mobilenetv2":
        model = torchvision.models.mobilenet_v2(num_classes=classes)
        if channels != 3:
            model.features[0][0] = nn.Conv2d(channels, 32, kernel_size=3, stride=2, padding=1, bias=False)
        return model, model.classifier
    raise SystemExit("no torchvision counterpart for " + arch)


def shape_of(arch, tensors):
    head = tensors["classifier.1.weight" if arch == "mobilenetv2" else "fc.weight"]
    stem = tensors["features.0.0.weight" if arch == "mobilenetv2" else "conv1.weight"]
    return head.shape[0], stem.shape[1]


def run(model, head, x):
    """Logits and the features the head reads, in inference mode."""
    seen = {}
    hook = head.register_forward_pre_hook(lambda module, inputs: seen.setdefault("features", inputs[0]))
    model.eval()
    with torch.no_grad():
        logits = model(x)
    hook.remove()
    return logits, seen["features"]


def main(jobs):
    results = []
    for job in jobs:
        arch, weights, inputs = job.split(":")
        tensors = read_safetensors(weights)
        model, head = build(arch, *shape_of(arch, tensors))
        model.load_state_dict(tensors, strict=True)
        with open(inputs) as f:
            spec = json.load(f)
        x = torch.tensor(spec["input"], dtype=torch.float32).reshape(spec["shape"])
        logits, features = run(model, head, x)
        results.append({"logits": logits.tolist(), "features": features.tolist()})
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1:])
