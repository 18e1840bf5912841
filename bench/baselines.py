#!/usr/bin/env python3
"""The benchmark's reference implementations, one JSON object per line, the same keys
and workloads as `nbrun-bench`: a hand-written NumPy training loop always, scikit-learn's
MLPClassifier and PyTorch when they are installed.

Usage: python3 bench/baselines.py [--workload digits,synth,gemm] [--threads 1]
Only the training loop is timed. Run it beside nbrun-bench (bench/compare does both).
"""
import argparse
import json
import os
import pathlib
import sys
import time

parser = argparse.ArgumentParser()
parser.add_argument("--workload", default="digits,synth,gemm")
parser.add_argument("--threads", type=int, default=1)
parser.add_argument("--runs", type=int, default=3, help="runs per workload; the median is reported")
parser.add_argument("--cnn-epochs", type=int, default=10, help="epochs of the digits CNN")
args = parser.parse_args()
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(args.threads)

import numpy as np  # noqa: E402  (after the thread settings)

ROOT = pathlib.Path(__file__).resolve().parent.parent


def emit(**fields):
    keys = ["workload", "dtype", "threads", "epochs", "seconds", "samples_per_s",
            "final_loss", "accuracy", "implementation"]
    record = {k: fields.get(k) for k in keys}
    record.update({k: v for k, v in fields.items() if k not in record})
    print(json.dumps(record), flush=True)


def digits_data():
    data = np.loadtxt(ROOT / "data" / "digits.csv", delimiter=",", dtype=np.float32)
    return data[:, :64] / 16.0, data[:, 64].astype(np.int64)


def hash_uniform(indices):
    """nbrun-bench's hashUniform: the SplitMix64 finaliser of index + 1, top 24 bits."""
    with np.errstate(over="ignore"):
        z = (indices.astype(np.uint64) + np.uint64(1)) * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z ^= z >> np.uint64(31)
    return ((z >> np.uint64(40)).astype(np.float32) / np.float32(1 << 24)).astype(np.float32)


def synth_data():
    """The same 20000 × 784 inputs and linear teacher as nbrun-bench."""
    n = 20000 * 784
    x = hash_uniform(np.arange(n)).reshape(20000, 784)
    teacher = (2 * hash_uniform(np.arange(n, n + 7840)) - 1).reshape(784, 10)
    return x, np.argmax(x @ teacher, axis=1)


def median_of_runs(train):
    """Calls train() args.runs times; returns its last result with the median time."""
    results = [train() for _ in range(max(1, args.runs))]
    times = sorted(r["seconds"] for r in results)
    result = results[-1]
    result["seconds"] = times[len(times) // 2]
    result["samples_per_s"] = result["samples"] / result["seconds"]
    del result["samples"]
    emit(**result)


def shuffled_batches(x, y, batch, rng):
    """One epoch's mini-batches, the samples in a new random order."""
    order = rng.permutation(len(x))
    xs, ys = x[order], y[order]
    for i in range(0, len(x), batch):
        yield xs[i:i + batch], ys[i:i + batch]


def softmax_cross_entropy(z, labels):
    """The batch's summed cross-entropy of softmax(z) and ∂(mean loss)/∂z = (p − y)/m."""
    m = len(z)
    z = z - z.max(axis=1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    loss = -np.log(p[np.arange(m), labels] + 1e-12).sum()
    p[np.arange(m), labels] -= 1
    return loss, p / m


def numpy_mlp(name, x, y, sizes, epochs, batch, lr=0.1):
    median_of_runs(lambda: numpy_mlp_once(name, x, y, sizes, epochs, batch, lr))


def numpy_mlp_once(name, x, y, sizes, epochs, batch, lr):
    """Plain NumPy SGD: ReLU hidden layers, softmax + cross-entropy, He-uniform init."""
    rng = np.random.default_rng(0)
    weights = [rng.uniform(-np.sqrt(6 / a), np.sqrt(6 / a), (a, b)).astype(np.float32)
               for a, b in zip(sizes, sizes[1:])]
    biases = [np.zeros(b, np.float32) for b in sizes[1:]]
    n = len(x)
    start = time.perf_counter()
    for _ in range(epochs):
        total = 0.0
        for xb, yb in shuffled_batches(x, y, batch, rng):
            acts = [xb]
            for w, b in zip(weights[:-1], biases[:-1]):
                acts.append(np.maximum(acts[-1] @ w + b, 0))
            loss, delta = softmax_cross_entropy(acts[-1] @ weights[-1] + biases[-1], yb)
            total += loss
            for k in range(len(weights) - 1, -1, -1):
                gw = acts[k].T @ delta
                gb = delta.sum(axis=0)
                if k:
                    delta = (delta @ weights[k].T) * (acts[k] > 0)
                weights[k] -= lr * gw
                biases[k] -= lr * gb
        loss = float(total / n)
    seconds = time.perf_counter() - start
    a = x
    for w, b in zip(weights[:-1], biases[:-1]):
        a = np.maximum(a @ w + b, 0)
    accuracy = float((np.argmax(a @ weights[-1] + biases[-1], axis=1) == y).mean())
    return dict(workload=name, dtype="float32", threads=args.threads, epochs=epochs,
                seconds=seconds, samples=n * epochs, final_loss=loss, accuracy=accuracy,
                implementation="numpy")


def numpy_cnn(x, y, epochs, batch, lr=0.1):
    median_of_runs(lambda: numpy_cnn_once(x, y, epochs, batch, lr))


def numpy_cnn_once(x, y, epochs, batch, lr, filters=8):
    """The digits CNN written by hand in NumPy the usual way: 3×3 convolution of 8 filters
    as im2col (a strided view) and one matmul, ReLU, 2×2 max pooling, a dense softmax
    layer, cross-entropy, plain SGD; the backward pass col2im by nine slice additions."""
    rng = np.random.default_rng(0)
    images = x.reshape(-1, 8, 8, 1)
    K = rng.uniform(-np.sqrt(6 / 9), np.sqrt(6 / 9), (9, filters)).astype(np.float32)
    kb = np.zeros(filters, np.float32)
    W = rng.uniform(-np.sqrt(6 / 72), np.sqrt(6 / 72), (72, 10)).astype(np.float32)
    b = np.zeros(10, np.float32)
    n = len(x)

    def patches(xb):
        m = len(xb)
        s = xb.strides
        view = np.lib.stride_tricks.as_strided(
            xb, (m, 6, 6, 3, 3, 1), (s[0], s[1], s[2], s[1], s[2], s[3]))
        return np.ascontiguousarray(view).reshape(m * 36, 9)

    def forward(xb):
        m = len(xb)
        cols = patches(xb)
        z = cols @ K + kb
        a = np.maximum(z, 0).reshape(m, 3, 2, 3, 2, filters)
        pooled = a.max(axis=(2, 4))
        return cols, z, a, pooled

    start = time.perf_counter()
    for _ in range(epochs):
        total = 0.0
        for xb, yb in shuffled_batches(images, y, batch, rng):
            m = len(xb)
            cols, z, a, pooled = forward(xb)
            flat = pooled.reshape(m, 72)
            loss, delta = softmax_cross_entropy(flat @ W + b, yb)
            total += loss
            gW, gb = flat.T @ delta, delta.sum(axis=0)
            dflat = (delta @ W.T).reshape(m, 3, 1, 3, 1, filters)
            mask = a == pooled[:, :, None, :, None, :]
            da = (mask * dflat).reshape(m * 36, filters)
            dz = da * (z > 0)
            gK, gkb = cols.T @ dz, dz.sum(axis=0)
            W -= lr * gW
            b -= lr * gb
            K -= lr * gK
            kb -= lr * gkb
        loss = float(total / n)
    seconds = time.perf_counter() - start
    _, _, _, pooled = forward(images)
    accuracy = float((np.argmax(pooled.reshape(n, 72) @ W + b, axis=1) == y).mean())
    return dict(workload="cnn", dtype="float32", threads=args.threads, epochs=epochs,
                seconds=seconds, samples=n * epochs, final_loss=loss, accuracy=accuracy,
                implementation="numpy")


def sklearn_mlp(name, x, y, hidden, epochs, batch):
    try:
        from sklearn.neural_network import MLPClassifier
    except ImportError:
        print(f"# scikit-learn not installed: {name} skipped", file=sys.stderr)
        return
    import warnings
    model = MLPClassifier(hidden_layer_sizes=hidden, solver="sgd", learning_rate_init=0.1,
                          momentum=0, batch_size=batch, max_iter=epochs, alpha=0, shuffle=True,
                          random_state=0, tol=0, n_iter_no_change=epochs + 1)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(x, y)
    seconds = time.perf_counter() - start
    emit(workload=name, dtype=str(x.dtype), threads=args.threads, epochs=epochs, seconds=seconds,
         samples_per_s=len(x) * epochs / seconds, final_loss=float(model.loss_),
         accuracy=float(model.score(x, y)), implementation="sklearn")


def torch_mlp(name, x, y, sizes, epochs, batch):
    try:
        import torch
    except ImportError:
        print(f"# PyTorch not installed: {name} skipped", file=sys.stderr)
        return
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    layers = []
    for a, b in zip(sizes, sizes[1:]):
        layers += [torch.nn.Linear(a, b), torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers[:-1])
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    lossf = torch.nn.CrossEntropyLoss()
    start = time.perf_counter()
    for _ in range(epochs):
        order = torch.randperm(len(xt))
        for i in range(0, len(xt), batch):
            idx = order[i:i + batch]
            opt.zero_grad()
            loss = lossf(model(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
    seconds = time.perf_counter() - start
    with torch.no_grad():
        accuracy = float((model(xt).argmax(1) == yt).float().mean())
    emit(workload=name, dtype="float32", threads=args.threads, epochs=epochs, seconds=seconds,
         samples_per_s=len(x) * epochs / seconds, final_loss=float(loss), accuracy=accuracy,
         implementation="pytorch")


def gemm():
    for n in (256, 1024):
        for dtype in (np.float32, np.float64):
            rng = np.random.default_rng(4)
            a = rng.random((n, n)).astype(dtype)
            b = rng.random((n, n)).astype(dtype)
            repeats = max(3, 200_000_000 // n ** 3)
            a @ b
            start = time.perf_counter()
            for _ in range(repeats):
                a @ b
            seconds = time.perf_counter() - start
            emit(workload="gemm", dtype=np.dtype(dtype).name, threads=args.threads, n=n,
                 seconds=seconds, gflops=2 * n ** 3 * repeats / seconds / 1e9,
                 implementation="numpy")


for name in args.workload.split(","):
    if name == "digits":
        x, y = digits_data()
        numpy_mlp("digits", x, y, [64, 64, 10], 50, 32)
        sklearn_mlp("digits", x, y, (64,), 50, 32)
        torch_mlp("digits", x, y, [64, 64, 10], 50, 32)
    elif name == "synth":
        x, y = synth_data()
        numpy_mlp("synth", x, y, [784, 256, 128, 10], 5, 128)
        sklearn_mlp("synth", x, y, (256, 128), 5, 128)
        torch_mlp("synth", x, y, [784, 256, 128, 10], 5, 128)
    elif name == "cnn":
        x, y = digits_data()
        numpy_cnn(x, y, args.cnn_epochs, 32)
    elif name == "gemm":
        gemm()
