#!/usr/bin/env python3
"""Writes bench/lecture2-jupyter.ipynb: the Jupyter side of bench/authoring.

The same lecture as the speed target of issue 3, the Jupyter way: the textbook backprop
example, 1000 epochs of gradient descent on one sigmoid neuron, and 2000 epochs of an XOR
network, with two learning-curve plots. bench/authoring times
`jupyter nbconvert --execute --to html` on it against nbrun on notebooks/lecture2.md.
"""
import json
import pathlib

cells = [
    ("markdown", "# Week 2: Mathematical building blocks\n\nThe textbook backprop example, gradient descent on one neuron, and XOR."),
    ("code", "import numpy as np\nimport matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt\n"
             "sigmoid = lambda z: 1 / (1 + np.exp(-z))"),
    ("markdown", "## Backpropagation by hand (Han & Kamber)"),
    ("code", "x = np.array([1.0, 0.0, 1.0]); t = 1.0; l = 0.9\n"
             "W1 = np.array([[0.2, -0.3], [0.4, 0.1], [-0.5, 0.2]]); b1 = np.array([-0.4, 0.2])\n"
             "W2 = np.array([[-0.3], [-0.2]]); b2 = np.array([0.1])\n"
             "I1 = x @ W1 + b1; O1 = sigmoid(I1); I2 = O1 @ W2 + b2; O2 = sigmoid(I2)\n"
             "Err2 = O2 * (1 - O2) * (t - O2); Err1 = O1 * (1 - O1) * (W2 @ Err2)\n"
             "W2n = W2 + l * np.outer(O1, Err2); b2n = b2 + l * Err2\n"
             "W1n = W1 + l * np.outer(x, Err1); b1n = b1 + l * Err1\n"
             "print('O:', O1.round(3), O2.round(3)); print('Err:', Err2.round(4), Err1.round(4))\n"
             "print('new W1', W1n.round(3)); print('new W2', W2n.round(3)); print('new b', b1n.round(3), b2n.round(3))"),
    ("markdown", "## Gradient descent on one sigmoid neuron"),
    ("code", "X = [0.5, 2.5]; Y = [0.2, 0.9]\nw, b, eta = -2.0, -2.0, 1.0; losses = []\n"
             "for epoch in range(1000):\n"
             "    fx = [sigmoid(w * x + b) for x in X]\n"
             "    losses.append(sum(0.5 * (f - y) ** 2 for f, y in zip(fx, Y)))\n"
             "    dw = sum((f - y) * f * (1 - f) * x for f, y, x in zip(fx, Y, X))\n"
             "    db = sum((f - y) * f * (1 - f) for f, y in zip(fx, Y))\n"
             "    w, b = w - eta * dw, b - eta * db\n"
             "for e in range(0, 1000, 100): print(e + 1, round(losses[e], 4))\n"
             "plt.figure(figsize=(6.4, 3.6)); plt.plot(range(1, 1001), losses); plt.xlabel('Epoch'); plt.ylabel('Loss'); plt.title('neuron: loss per epoch'); plt.show()"),
    ("markdown", "## A network that solves XOR"),
    ("code", "rng = np.random.default_rng(3)\nXs = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float); Ys = np.array([[0], [1], [1], [0]], float)\n"
             "W1 = rng.uniform(-1, 1, (2, 2)); b1 = np.zeros(2); W2 = rng.uniform(-1, 1, (2, 1)); b2 = np.zeros(1); losses = []\n"
             "for epoch in range(2000):\n"
             "    H = np.tanh(Xs @ W1 + b1); P = sigmoid(H @ W2 + b2)\n"
             "    losses.append(float(-np.mean(Ys * np.log(P) + (1 - Ys) * np.log(1 - P))))\n"
             "    dZ2 = (P - Ys) / 4; dW2 = H.T @ dZ2; db2 = dZ2.sum(0)\n"
             "    dZ1 = (dZ2 @ W2.T) * (1 - H ** 2); dW1 = Xs.T @ dZ1; db1 = dZ1.sum(0)\n"
             "    W1 -= 0.5 * dW1; b1 -= 0.5 * db1; W2 -= 0.5 * dW2; b2 -= 0.5 * db2\n"
             "for e in range(0, 2000, 250): print(e + 1, round(losses[e], 4))\n"
             "plt.figure(figsize=(6.4, 3.6)); plt.semilogy(range(1, 2001), losses); plt.xlabel('Epoch'); plt.ylabel('Loss'); plt.title('XOR: loss per epoch'); plt.show()\n"
             "print(P.round(3).ravel())"),
]
notebook = {
    "cells": [
        {"cell_type": kind, "metadata": {}, "source": text, **({"outputs": [], "execution_count": None} if kind == "code" else {})}
        for kind, text in cells
    ],
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    "nbformat": 4,
    "nbformat_minor": 5,
}
out = pathlib.Path(__file__).resolve().parent / "lecture2-jupyter.ipynb"
out.write_text(json.dumps(notebook, indent=1) + "\n")
print(f"wrote {out}")
