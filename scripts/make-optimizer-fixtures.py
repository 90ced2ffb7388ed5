#!/usr/bin/python3
"""Writes what torch.optim's Adam and SGD do on a few steps, for the Java optimiser tests.

Run with Debian's interpreter, which owns python3-torch (1.13):
    /usr/bin/python3 scripts/make-optimizer-fixtures.py
Output (committed; CI does not regenerate it):
    src/test/resources/reference/optimizers.json
Each case: two parameters with their initial values, the gradient of every step, the learning
rate of every step (changed between steps, as a schedule does), and the parameters after each step.
"""
import json
import pathlib

import numpy as np
import torch

OUT = pathlib.Path(__file__).resolve().parent.parent / "src/test/resources/reference/optimizers.json"
STEPS = 6
SHAPES = [(3, 4), (5,)]


def floats(t):
    # Nine significant digits round-trip a float32 exactly.
    return [float(f"{v:.9g}") for v in t.detach().numpy().ravel()]


def case(name, make, seed):
    rng = np.random.default_rng(seed)
    initial = [rng.normal(size=s).astype(np.float32) for s in SHAPES]
    grads = [[(rng.normal(size=s) * 0.5).astype(np.float32) for s in SHAPES] for _ in range(STEPS)]
    rates = [float(np.float32(0.05 * (1 - 0.12 * k))) for k in range(STEPS)]
    params = [torch.nn.Parameter(torch.from_numpy(a.copy())) for a in initial]
    optimizer = make(params)
    after = []
    for k in range(STEPS):
        for group in optimizer.param_groups:
            group["lr"] = rates[k]
        for p, g in zip(params, grads[k]):
            p.grad = torch.from_numpy(g.copy())
        optimizer.step()
        after.append([floats(p) for p in params])
    return {
        "name": name,
        "shapes": [list(s) for s in SHAPES],
        "initial": [floats(torch.from_numpy(a)) for a in initial],
        "gradients": [[floats(torch.from_numpy(g)) for g in step] for step in grads],
        "rates": rates,
        "after": after,
    }


def main():
    cases = [
        case("adam", lambda p: torch.optim.Adam(p, lr=0.05), 1),
        case("adam-weight-decay", lambda p: torch.optim.Adam(p, lr=0.05, weight_decay=0.01), 2),
        case("sgd-momentum-weight-decay", lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, weight_decay=5e-4), 3),
        case("sgd", lambda p: torch.optim.SGD(p, lr=0.05), 4),
    ]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"torch": torch.__version__, "cases": cases}, indent=1) + "\n")


if __name__ == "__main__":
    main()
