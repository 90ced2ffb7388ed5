#!/usr/bin/python3
"""Writes the small .npz fixtures under src/test/resources/datasets/ (run from the repository root).

Deterministic: the same numpy writes the same files. Each is a few KB.
"""
import os

import numpy as np

OUT = os.path.join("src", "test", "resources", "datasets")
rng = np.random.default_rng(7)


def labels(n, classes):
    return (np.arange(n) % classes).astype(np.int64)


def save(name, compressed=False, **arrays):
    path = os.path.join(OUT, name)
    (np.savez_compressed if compressed else np.savez)(path, **arrays)
    print(path, os.path.getsize(path), "bytes")


os.makedirs(OUT, exist_ok=True)

# NHWC uint8 with a test part: 24 train / 8 test images of 8x8x3, 3 classes, int64 labels.
# Pixel (n, h, w, c) is (7n + 11h + 13w + 17c) % 256, so a test can check the transposition.
n, h, w, c = np.indices((24, 8, 8, 3))
x = ((7 * n + 11 * h + 13 * w + 17 * c) % 256).astype(np.uint8)
y = labels(24, 3)
x_test = x[:8].copy()
y_test = labels(8, 3)
save("nhwc-uint8.npz", x=x, y=y, x_test=x_test, y_test=y_test)

# NCHW float32 in [0, 1]: 20 images of 3x6x5 (channels first), int32 labels; compressed.
# Pixel (n, c, h, w) is ((n + c + h + w) % 5) / 4: 0, 0.25, 0.5, 0.75, 1 -> 0, 64, 128, 191, 255.
n, c, h, w = np.indices((20, 3, 6, 5))
xf = (((n + c + h + w) % 5) / 4).astype(np.float32)
save("nchw-float32.npz", compressed=True, x=xf, y=labels(20, 4).astype(np.int32))

# NHW uint8, uint8 labels, MNIST-like 28x28 (enough for a 1-epoch mlp job): 40 images, 2 classes.
yn = labels(40, 2).astype(np.uint8)
xn = rng.integers(0, 4, size=(40, 28, 28), dtype=np.uint8)
xn[yn == 1, 10:18, 10:18] = 250
save("nhw-uint8.npz", compressed=True, x=xn, y=yn)

# Broken ones.
bad = rng.random(size=(6, 4, 4), dtype=np.float32)
bad[2, 1, 3] = np.nan
save("nan.npz", x=bad, y=labels(6, 2))
save("label-out-of-range.npz", x=rng.integers(0, 256, size=(6, 4, 4), dtype=np.uint8),
     y=np.array([0, 1, 2, 1000, 0, 1], dtype=np.int64))
save("count-mismatch.npz", x=rng.integers(0, 256, size=(6, 4, 4), dtype=np.uint8), y=labels(5, 2))
save("one-class.npz", x=rng.integers(0, 256, size=(6, 4, 4), dtype=np.uint8), y=np.zeros(6, dtype=np.int64))
