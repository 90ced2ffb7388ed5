#!/usr/bin/python3
"""Writes the reference values that the Java distance tests check against.

Run with Debian's interpreter, which owns python3-numpy, python3-scipy and python3-pot:
    /usr/bin/python3 scripts/make-reference-vectors.py
Outputs (committed; CI does not regenerate them):
    src/test/resources/reference/w2.json         exact W2 on feature batches
    src/test/resources/reference/gaussian.json   the Gaussian distances (SciPy)
    src/test/resources/reference/empirical.json  every empirical, kernel and logit distance
"""
import json
import pathlib

import warnings

import numpy as np
import ot
import scipy
import scipy.linalg
from scipy.special import log_softmax, softmax

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

def labels_with_counts(rng, counts):
    labels = np.concatenate([np.full(c, k, dtype=np.int32) for k, c in enumerate(counts)])
    return rng.permutation(labels).astype(np.int32)


def sqdist(x, y):
    return ot.dist(x, y, metric="sqeuclidean")


def exact_ot(cost):
    n = cost.shape[0]
    w = np.full(n, 1.0 / n)
    return float(ot.emd2(w, w, cost))


def sinkhorn_value(xs, xt, epsilon, iterations):
    # The cost is divided by its (detached) maximum before the entropic solve, so epsilon is
    # relative to the largest squared distance in the batch; the loss is the plan against the raw
    # cost. stopThr=0 makes POT run exactly `iterations` iterations, as the Java solver does.
    cost = sqdist(xs, xt)
    n, m = cost.shape
    scale = cost.max()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plan = ot.sinkhorn(np.full(n, 1.0 / n), np.full(m, 1.0 / m), cost / scale, epsilon,
                           method="sinkhorn_log", numItermax=iterations, stopThr=0.0)
        scaled = ot.sinkhorn2(np.full(n, 1.0 / n), np.full(m, 1.0 / m), cost / scale, epsilon,
                              method="sinkhorn_log", numItermax=iterations, stopThr=0.0)
    value = float((plan * cost).sum())
    assert abs(value - float(scaled) * scale) <= 1e-9 * value
    return value


def class_w2(xs, xt, labels, weighting):
    n = len(labels)
    total = 0.0
    for c in np.unique(labels):
        idx = np.flatnonzero(labels == c)
        weight = len(idx) / n if weighting == "proportional" else 1.0
        total += weight * exact_ot(sqdist(xs[idx], xt[idx]))
    return total


def label_cost(ls, lt, kind):
    if kind == "logits":
        return sqdist(ls, lt)
    if kind == "probabilities":
        return sqdist(softmax(ls, axis=1), softmax(lt, axis=1))
    # cross-entropy: row i student, column j teacher: -sum_k p_T[j,k] log p_S[i,k]
    return -log_softmax(ls, axis=1) @ softmax(lt, axis=1).T


def joint_w2(xs, xt, ls, lt, beta, kind):
    feature = sqdist(xs, xt)
    return exact_ot(feature / feature.max() + beta * label_cost(ls, lt, kind))


def mmd(xs, xt, kernel, degree=2, offset=0.0, bandwidth="median"):
    if kernel == "linear":
        k = lambda a, b: a @ b.T
    elif kernel == "polynomial":
        k = lambda a, b: (a @ b.T + offset) ** degree
    else:
        pooled = np.vstack([xs, xt])
        d = sqdist(pooled, pooled)[np.triu_indices(len(pooled), k=1)]
        sigma2 = float(np.median(d) if bandwidth == "median" else d.mean())
        k = lambda a, b: np.exp(-sqdist(a, b) / (2 * sigma2))
    return float(k(xs, xs).mean() + k(xt, xt).mean() - 2 * k(xs, xt).mean())


def hinton_kd(ls, lt, temperature):
    log_ps = log_softmax(ls / temperature, axis=1)
    log_pt = log_softmax(lt / temperature, axis=1)
    kl = (np.exp(log_pt) * (log_pt - log_ps)).sum(axis=1)
    return float(temperature ** 2 * kl.mean())


def empirical_batches():
    rng = np.random.default_rng(20261128)
    batches = []
    # (name, d, class counts): n > d, n < d, every sample its own class, and n=128 d=64; each
    # has unbalanced classes, a class missing from the batch (count 0) and a class of one sample.
    for name, d, counts in [
            ("n>d", 6, [12, 7, 4, 1, 0]),
            ("n<d", 32, [6, 0, 3, 1]),
            ("singletons", 3, [1, 1, 1, 1, 1]),
            ("n=128,d=64", 64, [40, 25, 18, 12, 10, 9, 7, 5, 1, 0, 1])]:
        k = len(counts)
        labels = labels_with_counts(rng, counts)
        n = len(labels)
        means = rng.normal(size=(k, d)) * 0.8
        xs = (means[labels] + rng.normal(size=(n, d))).astype(np.float32)
        xt = (1.2 * means[labels] + 1.3 * rng.normal(size=(n, d)) + 0.4).astype(np.float32)
        onehot = np.eye(k)[labels]
        ls = (2.0 * onehot + rng.normal(size=(n, k))).astype(np.float32)
        lt = (4.0 * onehot + 1.5 * rng.normal(size=(n, k))).astype(np.float32)
        xs64, xt64, ls64, lt64 = (a.astype(np.float64) for a in (xs, xt, ls, lt))
        values = []

        def add(distance, parameters, value):
            values.append({"distance": distance, "parameters": parameters, "value": value})

        add("w2", {}, exact_ot(sqdist(xs64, xt64)))
        add("w2", {"solver": "sinkhorn"}, sinkhorn_value(xs64, xt64, 0.05, 200))
        add("w2", {"solver": "sinkhorn", "epsilon": 0.01, "iterations": 50},
            sinkhorn_value(xs64, xt64, 0.01, 50))
        add("class-w2", {}, class_w2(xs64, xt64, labels, "proportional"))
        add("class-w2", {"classWeighting": "uniform"}, class_w2(xs64, xt64, labels, "uniform"))
        for kind in ["logits", "probabilities", "cross-entropy"]:
            add("joint-w2", {"labelCost": kind}, joint_w2(xs64, xt64, ls64, lt64, 1.0, kind))
        add("joint-w2", {"beta": 0.25, "labelCost": "cross-entropy"},
            joint_w2(xs64, xt64, ls64, lt64, 0.25, "cross-entropy"))
        add("mmd", {"kernel": "linear"}, mmd(xs64, xt64, "linear"))
        add("mmd", {"kernel": "polynomial"}, mmd(xs64, xt64, "polynomial"))
        add("mmd", {"kernel": "polynomial", "degree": 3, "offset": 1.0},
            mmd(xs64, xt64, "polynomial", degree=3, offset=1.0))
        add("mmd", {}, mmd(xs64, xt64, "gaussian", bandwidth="median"))
        add("mmd", {"kernel": "gaussian", "bandwidth": "mean"}, mmd(xs64, xt64, "gaussian", bandwidth="mean"))
        add("hinton-kd", {}, hinton_kd(ls64, lt64, 4.0))
        add("hinton-kd", {"temperature": 1.0}, hinton_kd(ls64, lt64, 1.0))
        add("paired-l2", {}, float(((xs64 - xt64) ** 2).sum(axis=1).mean()))
        batches.append({
            "name": name, "n": n, "d": d, "classes": k,
            "labels": [int(v) for v in labels],
            "studentFeatures": float32_list(xs), "teacherFeatures": float32_list(xt),
            "studentLogits": float32_list(ls), "teacherLogits": float32_list(lt),
            "values": values,
        })
    return batches


def write(name, payload):
    (OUT / name).write_text(json.dumps(payload, separators=(",", ":")) + "\n")


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    header = {"generator": "scripts/make-reference-vectors.py", "numpy": np.__version__, "pot": ot.__version__}
    w2 = dict(header, cases=w2_cases())
    write("w2.json", w2)
    print("wrote", OUT / "w2.json", len(w2["cases"]), "cases")
    gaussian = dict(header, scipy=scipy.__version__, cases=gaussian_cases())
    write("gaussian.json", gaussian)
    print("wrote", OUT / "gaussian.json", len(gaussian["cases"]), "cases")
    empirical = dict(header, batches=empirical_batches())
    write("empirical.json", empirical)
    print("wrote", OUT / "empirical.json", len(empirical["batches"]), "batches")


if __name__ == "__main__":
    main()
