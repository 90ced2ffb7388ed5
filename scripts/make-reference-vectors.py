#!/usr/bin/python3
"""Writes the reference values that the Java distance tests check against.

Run with Debian's interpreter, which owns python3-numpy, python3-scipy and python3-pot:
    /usr/bin/python3 scripts/make-reference-vectors.py
Output: src/test/resources/reference/w2.json and gaussian.json (committed; CI does not regenerate
them).
"""
import json
import pathlib

import numpy as np
import ot
import scipy
import scipy.linalg

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


def gaussian_moments(x, covariance, eps):
    """Mean and population (1/n) covariance plus eps*I, or the variances plus eps."""
    mean = x.mean(axis=0)
    centred = x - mean
    if covariance == "diagonal":
        return mean, (centred ** 2).mean(axis=0) + eps
    return mean, centred.T @ centred / x.shape[0] + eps * np.eye(x.shape[1])


def gaussian_w2(xs, xt, covariance, eps):
    ms, cs = gaussian_moments(xs, covariance, eps)
    mt, ct = gaussian_moments(xt, covariance, eps)
    mean_term = float(((ms - mt) ** 2).sum())
    if covariance == "diagonal":
        return mean_term + float(((np.sqrt(cs) - np.sqrt(ct)) ** 2).sum())
    root_t = scipy.linalg.sqrtm(ct).real
    cross = scipy.linalg.sqrtm(root_t @ cs @ root_t).real
    return mean_term + float(np.trace(cs + ct - 2 * cross))


def class_gaussian_w2(xs, xt, labels, covariance, eps, weighting):
    total = 0.0
    for c in np.unique(labels):
        rows = labels == c
        weight = rows.sum() / len(labels) if weighting == "proportional" else 1.0
        total += weight * gaussian_w2(xs[rows], xt[rows], covariance, eps)
    return total


def gaussian_kl(xs, xt, covariance, eps, direction):
    """KL(p || q) with p the student for direction student-teacher, else the teacher."""
    p, q = (xs, xt) if direction == "student-teacher" else (xt, xs)
    mp, cp = gaussian_moments(p, covariance, eps)
    mq, cq = gaussian_moments(q, covariance, eps)
    diff = mq - mp
    d = p.shape[1]
    if covariance == "diagonal":
        return 0.5 * float((cp / cq).sum() + (diff ** 2 / cq).sum() - d + np.log(cq).sum() - np.log(cp).sum())
    _, logdet_p = np.linalg.slogdet(cp)
    _, logdet_q = np.linalg.slogdet(cq)
    return 0.5 * float(np.trace(np.linalg.solve(cq, cp)) + diff @ np.linalg.solve(cq, diff) - d + logdet_q - logdet_p)


def gaussian_expectations(xs, xt, labels):
    out = []
    for covariance in ["full", "diagonal"]:
        for eps in [1e-6, 1e-2] + ([0.0] if xs.shape[0] > xs.shape[1] else []):
            out.append({"distance": "gaussian-w2", "parameters": {"covariance": covariance, "epsilon": eps},
                        "value": gaussian_w2(xs, xt, covariance, eps)})
        for weighting in ["proportional", "uniform"]:
            for eps in [1e-6, 1e-2]:
                out.append({"distance": "class-gaussian-w2",
                            "parameters": {"covariance": covariance, "epsilon": eps, "classWeighting": weighting},
                            "value": class_gaussian_w2(xs, xt, labels, covariance, eps, weighting)})
        for direction in ["student-teacher", "teacher-student"]:
            for eps in [1e-4, 1e-1]:
                out.append({"distance": "gaussian-kl",
                            "parameters": {"covariance": covariance, "epsilon": eps, "direction": direction},
                            "value": gaussian_kl(xs, xt, covariance, eps, direction)})
    return out


def gaussian_cases():
    rng = np.random.default_rng(20260502)
    cases = []
    # name, n, d, classes: the share of each class in the batch; 0 leaves a class out of it.
    for name, n, d, shares, relu in [
            ("n>d, unbalanced classes", 40, 6, [0.6, 0.3, 0.1], False),
            ("n<d, a missing class and a class of one", 10, 24, [0.5, 0.0, 0.4, 0.1], True),
            ("d=1", 16, 1, [0.5, 0.5], False),
            ("n=128, d=64", 128, 64, [0.25, 0.25, 0.25, 0.25], True)]:
        counts = np.floor(np.array(shares) * n).astype(int)
        counts[0] += n - counts.sum()
        labels = rng.permutation(np.repeat(np.arange(len(shares)), counts))
        xs = rng.normal(size=(n, d)) @ rng.normal(size=(d, d)) / np.sqrt(d) + 0.3
        xt = rng.normal(size=(n, d)) * rng.uniform(0.5, 2.0, size=d) + labels[:, None] * 0.5
        if relu:
            # Post-ReLU features, with a unit that never fires on either side: zero variance.
            xs, xt = np.maximum(xs, 0), np.maximum(xt, 0)
            xs[:, 0] = 0
            xt[:, 0] = 0
        xs, xt = xs.astype(np.float32), xt.astype(np.float32)
        cases.append({
            "name": name, "n": n, "d": d,
            "student": float32_list(xs),
            "teacher": float32_list(xt),
            "labels": [int(v) for v in labels],
            "expected": gaussian_expectations(xs.astype(np.float64), xt.astype(np.float64), labels),
        })
    return cases


def write(name, payload):
    (OUT / name).write_text(json.dumps(payload, separators=(",", ":")) + "\n")
    print("wrote", OUT / name, len(payload["cases"]), "cases")


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    write("w2.json", {"generator": "scripts/make-reference-vectors.py",
                      "numpy": np.__version__, "pot": ot.__version__, "cases": w2_cases()})
    write("gaussian.json", {"generator": "scripts/make-reference-vectors.py",
                            "numpy": np.__version__, "scipy": scipy.__version__, "cases": gaussian_cases()})


if __name__ == "__main__":
    main()
