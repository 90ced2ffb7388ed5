#!/usr/bin/python3
"""Writes the reference values that the Java distance tests check against.

Run with Debian's interpreter, which owns python3-numpy and python3-pot:
    /usr/bin/python3 scripts/make-reference-vectors.py
Output: src/test/resources/reference/w2.json (committed; CI does not regenerate it).
"""
import json
import pathlib

import numpy as np
import ot

OUT = pathlib.Path(__file__).resolve().parent.parent / "src/test/resources/reference"


def float32_list(a):
    # Nine significant digits round-trip a float32 exactly.
    return [float(f"{v:.9g}") for v in a.ravel()]


def w2_cases():
    rng = np.random.default_rng(20261127)
    cases = []
    # (n, d, shift): square and n < d shapes, including points with ties and a batch of one.
    for n, d, shift in [(1, 3, 0.0), (2, 2, 0.5), (5, 3, 1.0), (16, 8, 0.3), (32, 64, 0.0),
                        (64, 16, 2.0), (128, 128, 0.1), (20, 512, 0.7)]:
        xs = rng.normal(size=(n, d)).astype(np.float32)
        xt = (rng.normal(size=(n, d)) * 1.5 + shift).astype(np.float32)
        if n >= 5:
            xt[1] = xt[0]  # duplicate points make the optimal plan non-unique
        xs64, xt64 = xs.astype(np.float64), xt.astype(np.float64)
        cost = ot.dist(xs64, xt64, metric="sqeuclidean")
        weights = np.full(n, 1.0 / n)
        plan = ot.emd(weights, weights, cost)
        cases.append({
            "n": n, "d": d,
            "student": float32_list(xs),
            "teacher": float32_list(xt),
            "emd2": float(ot.emd2(weights, weights, cost)),
            "planCost": float((plan * cost).sum()),
            "pairedL2": float(((xs64 - xt64) ** 2).sum(axis=1).mean()),
        })
    return cases


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    payload = {"generator": "scripts/make-reference-vectors.py",
               "numpy": np.__version__, "pot": ot.__version__, "cases": w2_cases()}
    (OUT / "w2.json").write_text(json.dumps(payload, separators=(",", ":")) + "\n")
    print("wrote", OUT / "w2.json", len(payload["cases"]), "cases")


if __name__ == "__main__":
    main()
