"""nbrun's neural-network engine, written out in NumPy.

Every cell below calls these functions. They compute what nbrun computes, with the same
formulas, in the same order, from the same random numbers (nbrun's own generator,
xoshiro256**, reproduced exactly), so the numbers printed here are the handout's.
Read them as the lecture's formulas in code: a layer is z = x·W + b, a = φ(z); the
backward pass is δ = φ′(z) ⊙ (δ_next · W_nextᵀ); a step is θ ← θ − η·∂L/∂θ.
"""

import copy
import math

import numpy as np

try:
    from IPython.display import display
except ImportError:  # plain Python: print instead
    display = None

V = {}  # every value nbrun names, by the name a notebook quotes: V["hk.O6"]

# ---------------------------------------------------------------- random numbers

MASK = (1 << 64) - 1


def _rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & MASK


class Random:
    """nbrun's seeded generator: xoshiro256** seeded through SplitMix64."""

    def __init__(self, seed):
        mix = seed & MASK
        state = []
        for _ in range(4):
            mix = (mix + 0x9E3779B97F4A7C15) & MASK
            z = mix
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
            state.append(z ^ (z >> 31))
        self.s = state

    def next(self):
        s = self.s
        result = (_rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = _rotl(s[3], 45)
        return result

    def uniform(self, low=0.0, high=1.0):
        return low + (high - low) * ((self.next() >> 11) * 2.0**-53)

    def integer(self, bound):
        """A uniform integer in 0..bound-1 (Lemire's method, unbiased)."""
        if bound <= 1:
            return 0
        product = self.next() * bound
        if product & MASK < bound:
            threshold = ((1 << 64) - bound) % bound
            while product & MASK < threshold:
                product = self.next() * bound
        return product >> 64

    def gaussian(self, mean=0.0, std=1.0):
        """A normal number (Marsaglia's polar method)."""
        while True:
            u = 2 * self.uniform() - 1
            v = 2 * self.uniform() - 1
            s = u * u + v * v
            if 0 < s < 1:
                return mean + std * (u * math.sqrt(-2 * _log(s) / s))

    def shuffle(self, items):
        """Fisher–Yates, in place."""
        for i in range(len(items) - 1, 0, -1):
            j = self.integer(i + 1)
            items[i], items[j] = items[j], items[i]


def _log(x):
    """ln x by nbrun's own series, so every machine draws the same normal numbers."""
    m, e = math.frexp(x)
    m, e = m * 2, float(e - 1)
    if m > 1.4142135623730951:
        m /= 2
        e += 1
    s = (m - 1) / (m + 1)
    s2, term, total, k = s * s, s, 0.0, 1.0
    while k < 40:
        total += term / k
        term *= s2
        k += 2
    return 2 * total + e * 0.6931471805599453


# ---------------------------------------------------------------- data


class Data:
    """Features X (one sample per row) and targets Y, with their column names."""

    def __init__(self, X, Y, features, targets, classes=None):
        self.X, self.Y = np.asarray(X, dtype=float), np.asarray(Y, dtype=float)
        self.features, self.targets, self.classes = features, targets, classes
        self.parts = {}

    def __len__(self):
        return len(self.X)

    def rows(self, order):
        return Data(self.X[order], self.Y[order], self.features, self.targets, self.classes)

    def __getattr__(self, part):  # digits.train, digits.test
        parts = self.__dict__.get("parts", {})
        if part in parts:
            return parts[part]
        raise AttributeError(part)


def table_data(rows, columns, target=None):
    """A data set from a table: the target column (the last by default) and the features."""
    rows = np.asarray(rows, dtype=float)
    t = columns.index(target) if target in columns else len(columns) - 1
    keep = [c for c in range(len(columns)) if c != t]
    y = rows[:, [t]]
    whole = bool(np.all((y >= 0) & (y == np.round(y)) & (y < 1000)))
    count = int(y.max()) + 1 if whole and len(y) else 0
    classes = [str(c) for c in range(count)] if whole and 2 <= count <= 50 else None
    return Data(rows[:, keep], y, [columns[c] for c in keep], [columns[t]], classes)


def one_hot(data):
    labels = data.Y[:, 0].astype(int)
    count = len(data.classes) if data.classes else labels.max() + 1
    Y = np.zeros((len(labels), count))
    Y[np.arange(len(labels)), labels] = 1
    return Data(data.X, Y, data.features, data.classes, data.classes)


def split(data, validation, test, seed):
    """Shuffles the rows with the seed, then cuts train | validation | test."""
    order = list(range(len(data)))
    Random(seed).shuffle(order)
    n_test = round_half_away(len(data) * test)
    n_val = round_half_away(len(data) * validation)
    n_train = len(data) - n_test - n_val
    return {
        "train": data.rows(order[:n_train]),
        "validation": data.rows(order[n_train : n_train + n_val]),
        "test": data.rows(order[n_train + n_val :]),
    }


def round_half_away(x):
    return int(math.floor(x + 0.5)) if x >= 0 else -int(math.floor(-x + 0.5))


def scaler(X, kind):
    """The scaling fitted on X (the training part), as a function of other data."""
    if kind == "max":
        top = np.abs(X).max()
        return lambda Z: Z * (1 / top)
    if kind == "standard":
        mean = X.sum(axis=0) / len(X)
        var = ((X - mean) ** 2).sum(axis=0) / len(X)
        factor = np.where(var > 0, 1 / np.sqrt(np.where(var > 0, var, 1)), 1.0)
        return lambda Z: (Z - mean) * factor
    low, high = X.min(axis=0), X.max(axis=0)
    factor = np.where(high > low, 1 / np.where(high > low, high - low, 1), 1.0)
    return lambda Z: (Z - low) * factor


def pixels(text, rows, columns):
    """Decodes pixel values written one character each (0-9, then a-g for 10-16)."""
    values = np.array([int(c, 17) for c in text], dtype=float)
    return values.reshape(rows, columns)


# ---------------------------------------------------------------- activations

SELU_LAMBDA, SELU_ALPHA = 1.0507009873554804934, 1.6732632423543772848
_erf = np.vectorize(math.erf)


def logistic(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def activate(name, z, alpha=None):
    """a = φ(z); softmax acts on each row."""
    if name == "identity":
        return z.copy()
    if name == "step":
        return np.where(z >= 0, 1.0, 0.0)
    if name == "sign":
        return np.sign(z)
    if name == "sigmoid":
        return logistic(z)
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0)
    if name == "leaky_relu":
        return np.where(z > 0, z, alpha * z)
    if name == "elu":
        return np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0)))
    if name == "selu":
        return SELU_LAMBDA * np.where(z > 0, z, SELU_ALPHA * np.expm1(np.minimum(z, 0)))
    if name == "softplus":
        return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))
    if name == "gelu":
        return z * ((1 + _erf(z / math.sqrt(2))) / 2)
    if name == "silu":
        return z * logistic(z)
    if name == "gaussian":
        return np.exp(-z * z)
    if name == "softmax":
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e * (1 / e.sum(axis=1, keepdims=True))
    raise ValueError(f"unknown activation {name}")


def derivative(name, z, a, alpha=None):
    """φ′(z), element by element (for softmax the Jacobian's diagonal a(1 − a))."""
    if name == "identity":
        return np.ones_like(z)
    if name in ("step", "sign"):
        return np.zeros_like(z)
    if name in ("sigmoid", "softmax"):
        return a * (1 - a)
    if name == "tanh":
        return 1 - a * a
    if name == "relu":
        return np.where(z > 0, 1.0, 0.0)
    if name == "leaky_relu":
        return np.where(z > 0, 1.0, alpha)
    if name == "elu":
        return np.where(z > 0, 1.0, alpha * np.exp(np.minimum(z, 0)))
    if name == "selu":
        return SELU_LAMBDA * np.where(z > 0, 1.0, SELU_ALPHA * np.exp(np.minimum(z, 0)))
    if name == "softplus":
        return logistic(z)
    if name == "gelu":
        return (1 + _erf(z / math.sqrt(2))) / 2 + z * np.exp(-z * z / 2) / math.sqrt(2 * math.pi)
    if name == "silu":
        s = logistic(z)
        return s * (1 + z * (1 - s))
    if name == "gaussian":
        return -2 * z * a
    raise ValueError(f"unknown activation {name}")


def back_through(name, z, a, g, alpha=None):
    """∂L/∂z from ∂L/∂a: φ′(z) ⊙ g, or for softmax a ⊙ (g − Σ g⊙a) per row."""
    if name == "softmax":
        return a * (g - (g * a).sum(axis=1, keepdims=True))
    if name == "sigmoid":
        return g * a * (1 - a)
    if name == "tanh":
        return g * (1 - a * a)
    if name == "relu":
        return np.where(z > 0, g, 0.0)
    if name == "identity":
        return g.copy()
    return g * derivative(name, z, a, alpha)


# ---------------------------------------------------------------- losses

EPSILON = 1e-7


def clamp(p):
    return np.minimum(np.maximum(p, np.finfo(float).tiny), 1 - np.finfo(float).eps / 2)


def loss_value(name, p, y, delta=1.0):
    n, count = p.shape[0], p.size
    if name in ("mse", "half_sse"):
        total = ((y - p) * (y - p)).sum()
        return total / 2 if name == "half_sse" else total / count
    if name == "mae":
        return np.abs(y - p).sum() / count
    if name == "huber":
        e = np.abs(y - p)
        return np.where(e <= delta, e * e / 2, delta * (e - delta / 2)).sum() / count
    if name == "binary_crossentropy":
        q = clamp(p)
        return -(y * np.log(q) + (1 - y) * np.log1p(-q)).sum() / count
    if name == "categorical_crossentropy":
        return -np.where(y != 0, y * np.log(clamp(p)), 0).sum() / n
    if name == "sparse_categorical_crossentropy":
        return -np.log(clamp(p[np.arange(n), y[:, 0].astype(int)])).sum() / n
    if name == "hinge":
        t = np.where(y == 0, -1.0, y)
        return np.maximum(0, 1 - t * p).sum() / count
    if name == "mape":
        return 100 * (np.abs(y - p) / np.maximum(np.abs(y), EPSILON)).sum() / count
    if name == "msle":
        d = np.log1p(np.maximum(p, EPSILON)) - np.log1p(np.maximum(y, EPSILON))
        return (d * d).sum() / count
    if name == "kl_divergence":
        t = np.clip(y, EPSILON, 1)
        return (t * np.log(t / np.clip(p, EPSILON, 1))).sum() / n
    if name == "poisson":
        return (p - y * np.log(p + EPSILON)).sum() / count
    raise ValueError(f"unknown loss {name}")


def loss_gradient(name, p, y, delta=1.0):
    """∂L/∂ŷ, the gradient with respect to the predictions."""
    n, count = p.shape[0], p.size
    if name == "mse":
        return 2 * (p - y) / count
    if name == "half_sse":
        return p - y
    if name == "mae":
        return np.sign(p - y) / count
    if name == "huber":
        e = p - y
        return np.where(np.abs(e) <= delta, e, np.where(e > 0, delta, -delta)) / count
    if name == "binary_crossentropy":
        q = clamp(p)
        return (q - y) / (q * (1 - q)) / count
    if name == "categorical_crossentropy":
        return -y / clamp(p) / n
    if name == "sparse_categorical_crossentropy":
        g = np.zeros_like(p)
        rows, labels = np.arange(n), y[:, 0].astype(int)
        g[rows, labels] = -1 / clamp(p[rows, labels]) / n
        return g
    if name == "hinge":
        t = np.where(y == 0, -1.0, y)
        return np.where(1 - t * p > 0, -t / count, 0.0)
    if name == "mape":
        return 100 * np.sign(p - y) / np.maximum(np.abs(y), EPSILON) / count
    if name == "msle":
        d = np.log1p(np.maximum(p, EPSILON)) - np.log1p(np.maximum(y, EPSILON))
        return np.where(p > EPSILON, 2 * d / (1 + p) / count, 0.0)
    if name == "kl_divergence":
        inside = (p > EPSILON) & (p < 1)
        return np.where(inside, -np.clip(y, EPSILON, 1) / np.where(inside, p, 1) / n, 0.0)
    if name == "poisson":
        return (1 - y / (p + EPSILON)) / count
    raise ValueError(f"unknown loss {name}")


FUSED = {"binary_crossentropy": "sigmoid", "categorical_crossentropy": "softmax",
         "sparse_categorical_crossentropy": "softmax"}


def fused_loss(name, z, a, y):
    """Cross-entropy computed from the net input (stable), and ∂L/∂z = (a − y)/n."""
    n = z.shape[0]
    if name == "binary_crossentropy":
        value = (np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))).sum() / z.size
        return value, (a - y) / z.size
    top = z.max(axis=1, keepdims=True)
    log_sum = top + np.log(np.exp(z - top).sum(axis=1, keepdims=True))
    if name == "sparse_categorical_crossentropy":
        labels = y[:, 0].astype(int)
        rows = np.arange(n)
        value = (log_sum[:, 0] - z[rows, labels]).sum() / n
        d = a / n
        d[rows, labels] -= 1 / n
        return value, d
    value = np.where(y != 0, y * (log_sum - z), 0).sum() / n
    return value, (a * y.sum(axis=1, keepdims=True) - y) / n


# ---------------------------------------------------------------- models


class Dense:
    """A layer a = φ(x·W + b): W[i, j] is the weight from input i to unit j. Optional:
    inverted dropout on its outputs while training, Keras's kernel_regularizer (l1, l2) and
    batch normalisation of z before φ (`bn`)."""

    def __init__(self, W, b, activation, alpha=None):
        self.W, self.b, self.activation, self.alpha = W, b, activation, alpha
        self.dropout, self.l1, self.l2, self.bn = 0.0, 0.0, 0.0, None


class BatchNorm:
    """x̂ = (z − μ)/√(σ² + ε), y = γx̂ + β; running statistics move by Keras's momentum."""

    def __init__(self, units, momentum=0.99, epsilon=0.001):
        self.gamma, self.beta = np.ones(units), np.zeros(units)
        self.mean, self.var = np.zeros(units), np.ones(units)
        self.momentum, self.epsilon = momentum, epsilon

    def copy(self):
        other = BatchNorm(len(self.gamma), self.momentum, self.epsilon)
        other.gamma, other.beta = self.gamma.copy(), self.beta.copy()
        other.mean, other.var = self.mean.copy(), self.var.copy()
        return other


def regularize(net, layer, dropout=0.0, l1=0.0, l2=0.0, batchnorm=None):
    """A layer's dropout rate, penalties, and batch normalisation (momentum, ε)."""
    d = net.layers[layer]
    d.dropout, d.l1, d.l2 = dropout, l1, l2
    if batchnorm is not None:
        d.bn = BatchNorm(d.W.shape[1], *batchnorm)


class Model:
    def __init__(self, inputs, layers, names=None, neuron=False, dtype=float, labels=None):
        self.front, self.shape = None, None  # convolution and pooling, or a recurrent cell
        if isinstance(inputs, int):
            inputs = [f"x{i + 1}" for i in range(inputs)]
        self.inputs, self.layers, self.neuron, self.dtype = inputs, layers, neuron, dtype
        # unit labels: inputs, then every layer's units
        self.labels = labels or unit_labels(inputs, [d.W.shape[1] for d in layers], names)

    def copy(self):
        layers = []
        for d in self.layers:
            c = Dense(d.W.copy(), None if d.b is None else d.b.copy(), d.activation, d.alpha)
            c.dropout, c.l1, c.l2 = d.dropout, d.l1, d.l2
            c.bn = None if d.bn is None else d.bn.copy()
            layers.append(c)
        other = Model(self.inputs, layers, neuron=self.neuron, dtype=self.dtype, labels=self.labels)
        other.front, other.shape = copy.deepcopy(self.front), self.shape
        return other

    def parameters(self):
        """(name, layer, kind, index, value) for every weight then bias, layer by layer."""
        result = []
        for l, d in enumerate(self.layers):
            for i in range(d.W.shape[0]):
                for j in range(d.W.shape[1]):
                    result.append((self.name(l, "W", (i, j)), l, "W", (i, j), d.W[i, j]))
            for j in range(0 if d.b is None else len(d.b)):
                result.append((self.name(l, "b", j), l, "b", j, d.b[j]))
        return result

    def name(self, layer, kind, index):
        """The unit-notation name: w14 (unit 1 to unit 4), θ4; w3,12 when a label is long."""
        if self.neuron:
            return "w" if kind == "W" else "b"
        if kind == "b":
            return "θ" + self.labels[layer + 1][index]
        source, target = self.labels[layer][index[0]], self.labels[layer + 1][index[1]]
        return "w" + source + ("," if len(source) > 1 or len(target) > 1 else "") + target


def initial_values(init, count, fan_in, fan_out, rng):
    """nbrun's initialisers (Keras's formulas), drawing from the seeded generator."""
    kind, *args = init
    fan_in_f = float(max(1, fan_in))
    fan_sum = float(max(1, fan_in_f + fan_out))
    if kind == "zeros":
        return [0.0] * count
    if kind == "ones":
        return [1.0] * count
    if kind == "constant":
        return [args[0]] * count
    if kind == "uniform":
        return [rng.uniform(args[0], args[1]) for _ in range(count)]
    if kind == "normal":
        return [rng.gaussian(args[0], args[1]) for _ in range(count)]
    limit = {"glorot_uniform": 6 / fan_sum, "lecun_uniform": 3 / fan_in_f,
             "he_uniform": 6 / fan_in_f}.get(kind)
    if limit is not None:
        limit = math.sqrt(limit)
        return [rng.uniform(-limit, limit) for _ in range(count)]
    std = math.sqrt({"glorot_normal": 2 / fan_sum, "lecun_normal": 1 / fan_in_f,
                     "he_normal": 2 / fan_in_f}[kind])
    return [rng.gaussian(0.0, std) for _ in range(count)]


def unit_labels(inputs, widths, names=None):
    """The textbook's unit numbers: inputs x1 x2 x3 are units 1 2 3, then every layer's
    units counting on (hidden 4 5, output 6), unless a layer names its units."""
    labels = [[name[1:] if name == f"x{i + 1}" else name for i, name in enumerate(inputs)]]
    following = len(inputs) + 1
    for l, width in enumerate(widths):
        given = names[l] if names and l < len(names) else None
        labels.append(given or [str(following + j) for j in range(width)])
        following += width
    return labels


def model(inputs, layers, init, seed, names=None, neuron=False):
    """A model of dense layers, each (units, activation, alpha, bias), its weights drawn in
    order from the seeded generator. `inputs` is a count or the inputs' names."""
    if isinstance(inputs, int):
        inputs = [f"x{i + 1}" for i in range(inputs)]
    labels = unit_labels(inputs, [units for units, *_ in layers], names)
    built = dense_layers(layers, len(inputs), init, Random(seed))
    return Model(inputs, built, neuron=neuron, labels=labels)


def dense_layers(layers, width, init, rng):
    """Dense layers (units, activation, alpha, bias), their weights drawn in order."""
    built = []
    for units, activation, alpha, bias in layers:
        W = np.array(initial_values(init, width * units, width, units, rng)).reshape(width, units)
        b = np.zeros(units) if bias else None
        built.append(Dense(W, b, activation, alpha))
        width = units
    return built


# ---------------------------------------------------------------- convolutional and recurrent


class Conv:
    """Keras's Conv2D: K is (kh·kw·channels) × filters, rows (i, j, channel), channel fastest."""

    def __init__(self, K, b, kh, kw, sh, sw, padding, activation, alpha=None):
        self.K, self.b, self.kh, self.kw, self.sh, self.sw = K, b, kh, kw, sh, sw
        self.padding, self.activation, self.alpha = padding, activation, alpha

    def params(self):
        return [("K", self.K), ("b", self.b)]


class Pool:
    """Max (ties to the first cell, row by row) or average (of the cells inside) pooling."""

    def __init__(self, kind, kh, kw, sh, sw, padding):
        self.kind, self.kh, self.kw, self.sh, self.sw, self.padding = kind, kh, kw, sh, sw, padding

    def params(self):
        return []


class Cell:
    """Keras's SimpleRNN: z_t = x_t·Wx + h_{t−1}·Wh + b, h_t = φ(z_t), h_0 = 0."""

    def __init__(self, Wx, Wh, b, activation, alpha=None):
        self.Wx, self.Wh, self.b, self.activation, self.alpha = Wx, Wh, b, activation, alpha

    def params(self):
        return [("Wx", self.Wx), ("Wh", self.Wh), ("b", self.b)]


def layered_model(shape, front, layers, init, seed):
    """A model with convolution and pooling (or a recurrent cell) before dense layers, every
    weight drawn in Keras's layer order from the seeded generator, as nbrun draws them.
    `front` holds ("conv", filters, kh, kw, stride, padding, activation, alpha, bias),
    ("pool", kind, size, stride, padding) or ("rnn", units, activation, alpha, bias)."""
    rng, stages = Random(seed), []
    if front[0][0] == "rnn":
        steps, d = shape
        _, units, activation, alpha, bias = front[0]
        Wx = np.array(initial_values(init, d * units, d, units, rng)).reshape(d, units)
        Wh = np.array(initial_values(init, units * units, units, units, rng)).reshape(units, units)
        stages.append(Cell(Wx, Wh, np.zeros(units) if bias else None, activation, alpha))
        width = units
    else:
        h, w, c = shape
        for spec in front:
            if spec[0] == "conv":
                _, filters, kh, kw, stride, padding, activation, alpha, bias = spec
                rows = kh * kw * c
                K = np.array(initial_values(init, rows * filters, rows, kh * kw * filters, rng))
                stages.append(Conv(K.reshape(rows, filters), np.zeros(filters) if bias else None,
                                   kh, kw, stride, stride, padding, activation, alpha))
                c = filters
                (h, _), (w, _) = window_place(h, kh, stride, padding), window_place(w, kw, stride, padding)
            else:
                _, kind, size, stride, padding = spec
                stages.append(Pool(kind, size, size, stride, stride, padding))
                (h, _), (w, _) = window_place(h, size, stride, padding), window_place(w, size, stride, padding)
        width = h * w * c
    net = Model(width, dense_layers(layers, width, init, rng))
    net.front, net.shape = stages, tuple(shape)
    return net


def _pool_forward(p, a):
    """The pooled maps, and each output's route (max) or cell count (average)."""
    fill = -np.inf if p.kind == "max" else 0.0
    padded, oh, ow, top, left = padded_view(a, p.kh, p.kw, p.sh, p.sw, p.padding)
    inside, *_ = padded_view(np.ones(a.shape), p.kh, p.kw, p.sh, p.sw, p.padding)
    padded = np.where(inside > 0, padded, fill)
    out = np.full((a.shape[0], oh, ow, a.shape[3]), fill)
    route = np.full(out.shape, -1)
    count = np.zeros(out.shape)
    for i in range(p.kh):
        for j in range(p.kw):
            cells = padded[:, i:i + p.sh * oh:p.sh, j:j + p.sw * ow:p.sw, :]
            if p.kind == "max":
                better = cells > out
                route = np.where(better, i * p.kw + j, route)
                out = np.maximum(out, cells)
            else:
                out = out + cells
                count = count + inside[:, i:i + p.sh * oh:p.sh, j:j + p.sw * ow:p.sw, :]
    if p.kind == "max":
        out = np.where(route < 0, 0.0, out)
        return out, route
    return np.where(count > 0, out / np.maximum(count, 1), 0.0), count


def _pool_backward(p, a, extra, up):
    padded, oh, ow, top, left = padded_view(np.zeros(a.shape), p.kh, p.kw, p.sh, p.sw, p.padding)
    inside, *_ = padded_view(np.ones(a.shape), p.kh, p.kw, p.sh, p.sw, p.padding)
    for i in range(p.kh):
        for j in range(p.kw):
            window = (slice(None), slice(i, i + p.sh * oh, p.sh), slice(j, j + p.sw * ow, p.sw))
            if p.kind == "max":
                padded[window] += np.where(extra == i * p.kw + j, up, 0.0)
            else:
                padded[window] += inside[window] * (up / np.maximum(extra, 1))
    H, W = a.shape[1], a.shape[2]
    return padded[:, top:top + H, left:left + W, :]


def front_forward(net, X):
    """The front's trace for the backward pass, and the features (one row per sample)."""
    X = np.asarray(X, dtype=float)
    first = net.front[0]
    if isinstance(first, Cell):
        steps, d = net.shape
        xs = [X[:, t * d:(t + 1) * d] for t in range(X.shape[1] // d)]
        h = np.zeros((len(X), first.Wx.shape[1]))
        states, nets = [h], []
        for x in xs:
            z = x @ first.Wx + states[-1] @ first.Wh
            if first.b is not None:
                z = z + first.b
            nets.append(z)
            states.append(activate(first.activation, z, first.alpha))
        return (xs, states, nets), states[-1]
    a = X.reshape((len(X),) + tuple(net.shape))
    trace = []
    for st in net.front:
        if isinstance(st, Conv):
            cols, oh, ow = im2col(a, st.kh, st.kw, st.sh, st.sw, st.padding)
            z = cols @ st.K
            if st.b is not None:
                z = z + st.b
            out = activate(st.activation, z, st.alpha)
            a_next = out.reshape(len(X), oh, ow, st.K.shape[1])
            trace.append((a, cols, z, out, a_next.shape))
            a = a_next
        else:
            out, extra = _pool_forward(st, a)
            trace.append((a, extra))
            a = out
    return trace, a.reshape(len(X), -1)


def front_backward(net, trace, dF):
    """The front's parameter gradients from ∂L/∂features, in nbrun's order: each
    convolution's kernel and bias, or the cell's Wx, Wh and b."""
    first = net.front[0]
    if isinstance(first, Cell):
        xs, states, nets = trace
        dWx, dWh = np.zeros_like(first.Wx), np.zeros_like(first.Wh)
        db = np.zeros(first.Wx.shape[1])
        dh = dF
        for t in range(len(xs) - 1, -1, -1):
            dz = back_through(first.activation, nets[t], states[t + 1], dh, first.alpha)
            dWx = dWx + xs[t].T @ dz
            dWh = dWh + states[t].T @ dz
            db = db + dz.sum(axis=0)
            dh = dz @ first.Wh.T
        return [dWx, dWh, db if first.b is not None else None]
    grads = []
    last = trace[-1]
    up = dF.reshape(last[4] if len(last) == 5 else last[1].shape)
    for index in range(len(net.front) - 1, -1, -1):
        st = net.front[index]
        if isinstance(st, Conv):
            a, cols, z, out, _ = trace[index]
            dz = back_through(st.activation, z, out, up.reshape(z.shape), st.alpha)
            grads = [cols.T @ dz, dz.sum(axis=0) if st.b is not None else None] + grads
            if index > 0:
                up = col2im(dz @ st.K.T, a.shape, st.kh, st.kw, st.sh, st.sw, st.padding)
        elif index > 0:
            a, extra = trace[index]
            up = _pool_backward(st, a, extra, up.reshape(extra.shape))
    return grads


def front_parameters(net):
    """Every front parameter set as (stage, attribute), in nbrun's order."""
    return [(st, name) for st in (net.front or []) for name, _ in st.params()]


def publish_layered(owner, net):
    """A convolutional or recurrent model's parameter and multiply-add counts."""
    MODELS[owner] = net
    front = sum(getattr(st, n).size for st, n in front_parameters(net) if getattr(st, n) is not None)
    dense = sum(d.W.size + (0 if d.b is None else d.b.size) for d in net.layers)
    V[key(owner, "parameters")] = front + dense
    work = sum(d.W.size for d in net.layers)  # one multiply-add per dense weight
    if isinstance(net.front[0], Cell):
        work += net.shape[0] * (net.front[0].Wx.size + net.front[0].Wh.size)
    else:
        h, w = net.shape[0], net.shape[1]
        for st in net.front:  # a convolution: its kernel once per output position
            (h, _), (w, _) = window_place(h, st.kh, st.sh, st.padding), window_place(w, st.kw, st.sw, st.padding)
            if isinstance(st, Conv):
                work += h * w * st.K.size
    V[key(owner, "multiply_adds")] = work


# ---------------------------------------------------------------- passes


def forward(net, X, training=False, rng=None, trace=None):
    """The dense layers' z and a, after the front layers where the model has them."""
    if net.front:
        X = front_forward(net, X)[1]
    return _dense_forward(net, X, training, rng, trace)


def _dense_forward(net, X, training=False, rng=None, trace=None):
    """Every layer's net input z and output a, sample by sample (rows). Training draws
    dropout masks from `rng` (a unit kept when the next uniform number is ≥ the rate,
    layer by layer, row by row) and normalises with the batch's statistics; `trace`
    collects the masks, φ before them and the normalisation's μ, σ², x̂ and y."""
    zs, as_ = [], []
    a = np.asarray(X, dtype=net.dtype)
    if trace is not None:
        trace.update(mask={}, before={}, bn={})
    for l, d in enumerate(net.layers):
        z = a @ d.W + (d.b if d.b is not None else 0)
        zin = z
        if d.bn is not None:
            n = d.bn
            if training:
                mu = z.sum(axis=0) / len(z)
                var = ((z - mu) ** 2).sum(axis=0) / len(z)
            else:
                mu, var = n.mean.astype(net.dtype), n.var.astype(net.dtype)
            xhat = (z - mu) * (1 / np.sqrt(var + net.dtype(n.epsilon)))
            zin = n.gamma.astype(net.dtype) * xhat + n.beta.astype(net.dtype)
            if trace is not None:
                trace["bn"][l] = (mu, var, xhat, zin)
        a = activate(d.activation, zin, d.alpha)
        if training and d.dropout > 0:
            scale = 1 / (1 - d.dropout)
            mask = np.array([[scale if rng.uniform() >= d.dropout else 0.0
                              for _ in range(a.shape[1])] for _ in range(a.shape[0])],
                            dtype=net.dtype)
            if trace is not None:
                trace["mask"][l], trace["before"][l] = mask, a
            a = a * mask
        zs.append(z)
        as_.append(a)
    return zs, as_


def predict(net, X):
    return forward(net, X)[1][-1]


class Gradients:
    """A backward pass: the loss, every layer's δ = ∂L/∂z, ∂L/∂W, ∂L/∂b and ∂L/∂x."""


def _normalize_back(layer, l, g, dy):
    """δ = ∂L/∂z from ∂L/∂y through batch normalisation, with ∂L/∂γ and ∂L/∂β."""
    mu, var, xhat, _ = g.trace["bn"][l]
    n = len(dy)
    g.dbeta[l], g.dgamma[l] = dy.sum(axis=0), (dy * xhat).sum(axis=0)
    scale = layer.bn.gamma / np.sqrt(var + layer.bn.epsilon)
    if g.training:
        return scale * (dy - g.dbeta[l] / n - xhat * g.dgamma[l] / n)
    return scale * dy


def _through(layer, l, g, upstream):
    """δ of layer l from ∂L/∂a: through its dropout mask, φ and batch normalisation."""
    a = g.a[l]
    if g.training and l in g.trace["mask"]:
        upstream, a = upstream * g.trace["mask"][l], g.trace["before"][l]
    zin = g.trace["bn"][l][3] if l in g.trace["bn"] else g.z[l]
    d = back_through(layer.activation, zin, a, upstream, layer.alpha)
    return _normalize_back(layer, l, g, d) if layer.bn is not None else d


def backward(net, X, T, loss, l2=0.0, huber=1.0, training=False, rng=None, penalties=True):
    front = None
    if net.front:  # the dense layers read the front's features
        front, X = front_forward(net, X)
    X = np.asarray(X, dtype=net.dtype)
    T = np.asarray(T, dtype=net.dtype)
    g = Gradients()
    g.X, g.T, g.training, g.trace = X, T, training, {}
    g.z, g.a = _dense_forward(net, X, training, rng, g.trace)
    L = len(net.layers)
    g.dgamma, g.dbeta = [None] * L, [None] * L
    last = net.layers[-1]
    if FUSED.get(loss) == last.activation:
        zin = g.trace["bn"][L - 1][3] if last.bn is not None else g.z[-1]
        value, d = fused_loss(loss, zin, g.a[-1], T)
        if last.bn is not None:
            d = _normalize_back(last, L - 1, g, d)
    else:
        value = loss_value(loss, g.a[-1], T, huber)
        d = _through(last, L - 1, g, loss_gradient(loss, g.a[-1], T, huber))
    n = len(X)
    g.delta = [None] * L
    g.dW = [None] * L
    g.db = [None] * L
    for l in range(L - 1, -1, -1):
        layer = net.layers[l]
        g.delta[l] = d
        inputs = X if l == 0 else g.a[l - 1]
        g.dW[l] = inputs.T @ d
        if l2 > 0:
            g.dW[l] = g.dW[l] + (l2 / n) * layer.W
            value += l2 / (2 * n) * (layer.W * layer.W).sum()
        if penalties and (layer.l1 > 0 or layer.l2 > 0):
            g.dW[l] = g.dW[l] + layer.l1 * np.sign(layer.W) + 2 * layer.l2 * layer.W
            value += layer.l1 * np.abs(layer.W).sum() + layer.l2 * (layer.W * layer.W).sum()
        g.db[l] = d.sum(axis=0)
        upstream = d @ layer.W.T
        if l == 0:
            g.dX = upstream
        else:
            d = _through(net.layers[l - 1], l - 1, g, upstream)
    g.loss = value
    g.front = front_backward(net, front, g.dX) if front is not None else []
    return g


# ---------------------------------------------------------------- optimizers


class Optimizer:
    """Keras's update rules; step t = 1, 2, … and η_t = η / (1 + decay·(t − 1))."""

    def __init__(self, method="sgd", rate=0.01, momentum=0.0, nesterov=False, rho=0.9,
                 beta1=0.9, beta2=0.999, epsilon=1e-7, decay=0.0, amsgrad=False,
                 schedule=("constant",)):
        self.method, self.rate, self.momentum, self.nesterov = method, rate, momentum, nesterov
        self.rho, self.beta1, self.beta2, self.epsilon, self.decay = rho, beta1, beta2, epsilon, decay
        self.amsgrad, self.schedule = amsgrad, schedule
        self.t, self.epoch, self.slots = 0, 1, {}

    def factor(self, epoch):
        """The schedule's factor s(e): step f^⌊(e−1)/k⌋, exponential f^((e−1)/k), cosine
        α + (1 − α)·½(1 + cos(π·min(e − 1, T)/T))."""
        kind, *args = self.schedule
        e = float(max(0, epoch - 1))
        if kind == "step":
            return args[0] ** math.floor(e / args[1])
        if kind == "exponential":
            return args[0] ** (e / args[1])
        if kind == "cosine":
            T, floor = float(args[0]), args[1]
            return floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * (min(e, T) / T)))
        return 1.0

    def rate_at(self, epoch, t):
        """η_t = η·s(e) / (1 + decay·(t − 1))."""
        return self.rate * self.factor(epoch) / (1 + self.decay * (t - 1))

    def step(self, net, g):
        self.t += 1
        for l, layer in enumerate(net.layers):
            layer.W = self.apply(layer.W, g.dW[l], 2 * l)
            if layer.b is not None:
                layer.b = self.apply(layer.b, g.db[l], 2 * l + 1)
            if layer.bn is not None and getattr(g, "dgamma", None) and g.dgamma[l] is not None:
                layer.bn.gamma = self.apply(layer.bn.gamma, g.dgamma[l], ("gamma", l))
                layer.bn.beta = self.apply(layer.bn.beta, g.dbeta[l], ("beta", l))
        for k, (stage, name) in enumerate(front_parameters(net)):
            if getattr(stage, name) is not None:
                setattr(stage, name, self.apply(getattr(stage, name), g.front[k], ("front", k)))

    def apply(self, theta, grad, slot):
        t = float(self.t)
        eta = self.rate_at(self.epoch, t)
        start = 0.1 if self.method == "adagrad" else 0.0
        if self.amsgrad:
            m, v, top = self.slots.get(slot, (np.zeros_like(theta),) * 3)
            corrected = eta * (math.sqrt(1 - self.beta2**t) / (1 - self.beta1**t))
            m = self.beta1 * m + (1 - self.beta1) * grad
            v = self.beta2 * v + (1 - self.beta2) * grad * grad
            top = np.maximum(top, v)
            self.slots[slot] = (m, v, top)
            return theta - corrected * m / (np.sqrt(top) + self.epsilon)
        m, v = self.slots.get(slot, (np.full_like(theta, start), np.zeros_like(theta)))
        if self.method == "sgd":
            if self.momentum == 0:
                return theta - eta * grad
            velocity = self.momentum * m - eta * grad
            m = velocity
            theta = theta + (self.momentum * velocity - eta * grad if self.nesterov else velocity)
        elif self.method == "adagrad":
            m = m + grad * grad
            theta = theta - eta * grad / (np.sqrt(m) + self.epsilon)
        elif self.method == "rmsprop":
            m = self.rho * m + (1 - self.rho) * grad * grad
            theta = theta - eta * grad / (np.sqrt(m) + self.epsilon)
        elif self.method == "adam":
            corrected = eta * (math.sqrt(1 - self.beta2**t) / (1 - self.beta1**t))
            m = self.beta1 * m + (1 - self.beta1) * grad
            v = self.beta2 * v + (1 - self.beta2) * grad * grad
            theta = theta - corrected * m / (np.sqrt(v) + self.epsilon)
        elif self.method == "adadelta":
            m = self.rho * m + (1 - self.rho) * grad * grad
            change = np.sqrt(v + self.epsilon) / np.sqrt(m + self.epsilon) * grad
            v = self.rho * v + (1 - self.rho) * change * change
            theta = theta - eta * change
        self.slots[slot] = (m, v)
        return theta


# ---------------------------------------------------------------- metrics


def labels_of(p, y):
    """The predicted and actual classes (one output: p ≥ 0.5 is class 1)."""
    predicted = (p[:, 0] >= 0.5).astype(int) if p.shape[1] == 1 else p.argmax(axis=1)
    actual = y[:, 0].astype(int) if y.shape[1] == 1 else y.argmax(axis=1)
    return predicted, actual


def roc_curve(scores, positive):
    """(false-positive rate, true-positive rate) at every threshold, highest first."""
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    pos, neg = sum(positive), len(positive) - sum(positive)
    points, tp, fp, k = [(0.0, 0.0)], 0, 0, 0
    while k < len(order):
        score = scores[order[k]]
        while k < len(order) and scores[order[k]] == score:
            tp, fp = (tp + 1, fp) if positive[order[k]] else (tp, fp + 1)
            k += 1
        points.append((fp / neg, tp / pos))
    return points


def roc_area(scores, positive):
    """The area under the ROC curve (trapezoids); NaN for a set of one class."""
    if all(positive) or not any(positive):
        return float("nan")
    points = roc_curve(scores, positive)
    area = 0.0
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        area += (x1 - x0) * (y1 + y0) / 2
    return area


class Tally:
    """Running sums from which each metric is read, fed batch by batch."""

    def __init__(self, metrics, classes):
        self.metrics, self.classes = metrics, classes
        self.confusion = np.zeros((classes, classes), dtype=int)
        self.rows = self.elements = 0
        self.top_hits = {}
        self.squared = self.absolute = 0.0
        self.scores, self.positive = [], []

    def add(self, p, y):
        self.rows += len(p)
        if any(m in ("mse", "rmse", "mae") for m in self.metrics):
            e = (p - y).astype(float).ravel()
            self.squared += float((e * e).sum())
            self.absolute += float(np.abs(e).sum())
            self.elements += e.size
        if not any(m not in ("mse", "rmse", "mae") for m in self.metrics):
            return
        predicted, actual = labels_of(p, y)
        keep = (predicted < self.classes) & (actual < self.classes)
        np.add.at(self.confusion, (actual[keep], predicted[keep]), 1)
        if "auc" in self.metrics:
            self.scores += [float(v) for v in p[keep, -1]]
            self.positive += [bool(a == 1) for a in actual[keep]]
        ks = [int(m[4:-9]) for m in self.metrics if m.startswith("top_")]
        if ks and p.shape[1] > 1:
            rows = np.arange(len(p))[keep]
            higher = (p[rows] > p[rows, actual[keep]][:, None]).sum(axis=1)
            for k in ks:
                self.top_hits[k] = self.top_hits.get(k, 0) + int((higher < k).sum())

    def score(self, per_class):
        c = self.confusion
        values = []
        for k in range(self.classes):
            tp, predicted, actual = c[k, k], c[:, k].sum(), c[k, :].sum()
            precision = tp / predicted if predicted else 0.0
            recall = tp / actual if actual else 0.0
            f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
            values.append({"precision": precision, "recall": recall, "f1": f1}[per_class])
        return values[1] if self.classes == 2 else sum(values) / self.classes

    def value(self, metric):
        total = self.confusion.sum()
        if metric in ("accuracy", "binary_accuracy", "categorical_accuracy"):
            return np.trace(self.confusion) / total if total else 0.0
        if metric.startswith("top_"):
            return self.top_hits.get(int(metric[4:-9]), 0) / self.rows if self.rows else 0.0
        if metric == "mse":
            return self.squared / self.elements if self.elements else 0.0
        if metric == "rmse":
            return math.sqrt(self.squared / self.elements) if self.elements else 0.0
        if metric == "mae":
            return self.absolute / self.elements if self.elements else 0.0
        if metric == "auc":
            return roc_area(self.scores, self.positive)
        return self.score(metric)


def evaluate(net, data, loss, metrics=()):
    """The loss and metrics of a data set, without training (Keras's evaluate)."""
    g = backward(net, data.X, data.Y, loss, penalties=False) if loss else None
    tally = Tally(metrics, max(2, net.layers[-1].W.shape[1]))
    tally.add(forward(net, data.X)[1][-1], data.Y)
    return (g.loss if g else None), {m: tally.value(m) for m in metrics}


# ---------------------------------------------------------------- training


def fit(net, data, loss, optimizer, epochs, batch=None, shuffle=True, seed=0, metrics=(),
        l2=0.0, validation=None, validation_split=0.0, early_stopping=None, norms=False,
        batch_losses=False):
    """Keras's fit: each epoch reshuffles (seeded), steps through the batches and records
    the loss and metrics; validation data are evaluated after every epoch."""
    train = data
    if validation is None and validation_split > 0:
        keep = int(math.floor(len(data) * (1 - validation_split)))
        train = data.rows(list(range(keep)))
        validation = data.rows(list(range(keep, len(data))))
    n = len(train)
    size = min(batch or n, n)
    for layer in net.layers:  # a float32 model trains in float32, as nbrun's does
        layer.W = layer.W.astype(net.dtype)
        layer.b = None if layer.b is None else layer.b.astype(net.dtype)
    rng = Random(seed)
    order = list(range(n))
    X, Y = train.X.astype(net.dtype), train.Y.astype(net.dtype)
    history, best, waited = [], None, 0
    rates, norm_rows, batch_rows = [], [], []
    stopped = None
    classes = max(2, net.layers[-1].W.shape[1])
    for epoch in range(1, epochs + 1):
        if shuffle:
            rng.shuffle(order)
            X, Y = train.X[order].astype(net.dtype), train.Y[order].astype(net.dtype)
        tally, total = Tally(metrics, classes), 0.0
        optimizer.epoch = epoch
        rates.append(optimizer.rate_at(epoch, optimizer.t + 1))
        sums, batches = [0.0] * len(net.layers), 0
        for start in range(0, n, size):
            xb, yb = X[start : start + size], Y[start : start + size]
            g = backward(net, xb, yb, loss, l2, training=True, rng=rng)
            for l, layer in enumerate(net.layers):
                if layer.bn is not None:  # the running statistics move toward the batch's
                    mu, var = g.trace["bn"][l][:2]
                    m = layer.bn.momentum
                    layer.bn.mean = m * layer.bn.mean + (1 - m) * mu
                    layer.bn.var = m * layer.bn.var + (1 - m) * var
            if norms:
                sums = [s + math.sqrt(float((d.astype(float) ** 2).sum())) for s, d in zip(sums, g.dW)]
            batches += 1
            if metrics:
                tally.add(g.a[-1], yb)
            optimizer.step(net, g)
            if batch_losses:
                if batches == 1:
                    batch_rows.append([])
                batch_rows[-1].append(float(g.loss))
            total += float(g.loss) if loss == "half_sse" else float(g.loss) * len(xb)
        record = {"epoch": epoch, "loss": total if loss == "half_sse" else total / n}
        if norms:
            norm_rows.append([v / max(1, batches) for v in sums])
        record.update({m: tally.value(m) for m in metrics})
        if validation is not None:
            value, values = evaluate(net, validation, loss, metrics)
            record["val_loss"] = value
            record.update({"val_" + m: v for m, v in values.items()})
        history.append(record)
        if early_stopping:
            monitor, patience, min_delta, restore = early_stopping
            value = record[monitor]
            higher = monitor.replace("val_", "") in metrics and monitor.replace("val_", "") not in (
                "mse", "rmse", "mae")
            improved = best is None or (value > best[0] + min_delta if higher
                                        else value < best[0] - min_delta)
            if improved:
                best, waited = (value, epoch, net.copy() if restore else None), 0
            else:
                waited += 1
                if waited >= patience:
                    if best[2] is not None:
                        net.layers = best[2].layers
                    stopped = best[1]
                    break
    result = History(history, stopped, rates[: len(history)], norm_rows)
    result.batches = batch_rows
    return result


class History:
    def __init__(self, records, best_epoch=None, rates=(), norms=()):
        self.records, self.best_epoch = records, best_epoch
        self.rates, self.norms = list(rates), list(norms)
        self.batches = []

    def extra(self, record_index):
        """The epoch's learning rate `lr` and each layer's gradient norm `grad_normL`."""
        values = {"lr": self.rates[record_index]} if record_index < len(self.rates) else {}
        if record_index < len(self.norms):
            values.update({f"grad_norm{l + 1}": v for l, v in enumerate(self.norms[record_index])})
        return values

    def keys(self):
        return [k for k in self.records[0] if k != "epoch"] if self.records else []

    def series(self, key):
        values = [r[key] if key in r else self.extra(i)[key] for i, r in enumerate(self.records)]
        return [r["epoch"] for r in self.records], values


# ---------------------------------------------------------------- threshold units


def perceptron_output(w, x):
    """1 when the net input w0 + Σ wᵢxᵢ is ≥ 0."""
    net = w[0]
    for wi, xi in zip(w[1:], x):
        net += wi * xi
    return net, 1 if net >= 0 else 0


def perceptron_rule(w, rows, targets, rate, epochs):
    """Rosenblatt's rule: on a mistake, w ← w + η(t − y)x (and w0 ← w0 + η(t − y))."""
    w = list(w)
    record = []
    for epoch in range(1, epochs + 1):
        mistakes = 0
        for x, t in zip(rows, targets):
            _, y = perceptron_output(w, x)
            if y == t:
                continue
            mistakes += 1
            step = rate * (t - y)
            for i in range(len(x)):
                w[i + 1] += step * x[i]
            w[0] += step
        record.append((epoch, mistakes, list(w)))
        if mistakes == 0:
            return w, record, True
    return w, record, False


# ---------------------------------------------------------------- computation graphs


class Node:
    """A value in a computation graph that remembers how it was made, for the chain rule."""

    def __init__(self, value, parents=(), name=None):
        self.value, self.parents, self.name, self.grad = float(value), parents, name, 0.0

    def __add__(self, o):
        o = lift(o)
        return Node(self.value + o.value, ((self, 1.0), (o, 1.0)))

    __radd__ = __add__

    def __sub__(self, o):
        o = lift(o)
        return Node(self.value - o.value, ((self, 1.0), (o, -1.0)))

    def __rsub__(self, o):
        return lift(o) - self

    def __mul__(self, o):
        o = lift(o)
        return Node(self.value * o.value, ((self, o.value), (o, self.value)))

    __rmul__ = __mul__

    def __truediv__(self, o):
        o = lift(o)
        return Node(self.value / o.value, ((self, 1 / o.value), (o, -self.value / o.value**2)))

    def __rtruediv__(self, o):
        return lift(o) / self

    def __neg__(self):
        return Node(-self.value, ((self, -1.0),))

    def __pow__(self, o):
        o = lift(o)
        value = self.value**o.value
        parts = [(self, o.value * self.value ** (o.value - 1))]
        if self.value > 0:
            parts.append((o, value * math.log(self.value)))
        return Node(value, tuple(parts))

    def __rpow__(self, o):
        return lift(o) ** self


def lift(x):
    return x if isinstance(x, Node) else Node(x)


def _unary(f, df):
    def apply(x):
        x = lift(x)
        return Node(f(x.value), ((x, df(x.value)),))
    return apply


exp = _unary(math.exp, math.exp)
log = _unary(math.log, lambda v: 1 / v)
sin = _unary(math.sin, math.cos)
cos = _unary(math.cos, lambda v: -math.sin(v))
tanh = _unary(math.tanh, lambda v: 1 - math.tanh(v) ** 2)
sqrt = _unary(math.sqrt, lambda v: 0.5 / math.sqrt(v))
sigmoid = _unary(lambda v: 1 / (1 + math.exp(-v)), lambda v: math.exp(-v) / (1 + math.exp(-v)) ** 2)
relu = _unary(lambda v: max(v, 0.0), lambda v: 1.0 if v > 0 else 0.0)
absolute = _unary(abs, lambda v: 1.0 if v > 0 else (-1.0 if v < 0 else 0.0))


def _activation(name, alpha=None):
    """A layer activation as a graph function of one number (its default parameter)."""
    def value(v):
        return float(activate(name, np.array([[v]], dtype=float), alpha)[0, 0])

    def slope(v):
        z = np.array([[v]], dtype=float)
        return float(derivative(name, z, activate(name, z, alpha), alpha)[0, 0])
    return _unary(value, slope)


leaky_relu = _activation("leaky_relu", 0.01)
elu = _activation("elu", 1.0)
selu, softplus, gelu = _activation("selu"), _activation("softplus"), _activation("gelu")
silu, gaussian, step = _activation("silu"), _activation("gaussian"), _activation("step")
sign_, identity = _activation("sign"), _activation("identity")


def gradients(output):
    """Reverse mode: ∂output/∂node for every node, children before parents."""
    order, seen = [], set()

    def visit(node):  # iterative depth-first post-order
        stack = [(node, False)]
        while stack:
            n, done = stack.pop()
            if done:
                order.append(n)
            elif id(n) not in seen:
                seen.add(id(n))
                stack.append((n, True))
                stack.extend((p, False) for p, _ in n.parents)

    visit(output)
    for n in order:
        n.grad = 0.0
    output.grad = 1.0
    for n in reversed(order):
        for parent, local in n.parents:
            parent.grad += local * n.grad


# ---------------------------------------------------------------- showing results


class Given(float):
    """A number as an author writes it (0.9, 1, −0.3): no trailing zeros."""


class D(float):
    """A number with decimals of its own (an error beside outputs: one decimal more)."""

    def __new__(cls, value, decimals):
        self = super().__new__(cls, value)
        self.decimals = decimals
        return self


class Measured(float):
    """A measured size (a loss, a gradient's size): fixed decimals, or %.1e where fixed
    decimals would print zero."""


def number(x, decimals):
    if isinstance(x, str):
        return x
    if isinstance(x, Measured):
        small = x != 0 and abs(x) < 0.5 * 10**-decimals and math.isfinite(x)
        return f"{float(x):.1e}" if small else number(float(x), decimals)
    if isinstance(x, D):
        return number(float(x), x.decimals)
    if isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_)):
        return str(int(x))
    if isinstance(x, Given):
        text = f"{float(x):.{decimals}f}" if decimals else f"{float(x):g}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    if x is None:
        return ""
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if decimals is None:
        return f"{x:g}"
    if x != 0 and abs(x) < 0.5 * 10**-decimals:
        return f"{x:.{max(1, decimals - 1)}e}"
    return f"{x:.{decimals}f}"


class F:
    """A formula cell: text and numbers, as the textbook writes a substitution:
    F(O, "(1 − ", O, ")(", T, " − ", O, ") = ", Err)."""

    def __init__(self, *parts):
        self.parts = parts


def _is_number(c):
    return isinstance(c, (int, float, np.floating, np.integer)) and not isinstance(c, (bool, np.bool_))


def show(header, rows, decimals=4, caption=None):
    """A table, shown as HTML (and Markdown); its numbers travel in full in the metadata."""
    numbers = []
    for row in rows:
        for c in row:
            if _is_number(c):
                numbers.append(float(c))
            elif isinstance(c, F):
                numbers += [float(p) for p in c.parts if _is_number(p)]
    cell = lambda c: ("".join(number(p, decimals) for p in c.parts) if isinstance(c, F)
                      else "✓" if c is True or c is np.True_ else "✗" if c is False or c is np.False_
                      else number(c, decimals))
    text = [[cell(c) for c in row] for row in rows]
    if display is None:
        print(("" if caption is None else caption + "\n") + "\t".join(header))
        for row in text:
            print("\t".join(row))
        return
    escape = lambda s: s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    html = "<table>" + (f"<caption>{escape(caption)}</caption>" if caption else "")
    html += "<thead><tr>" + "".join(f"<th>{escape(h)}</th>" for h in header) + "</tr></thead><tbody>"
    for row in text:
        html += "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>"
    html += "</tbody></table>"
    markdown = ("" if caption is None else f"*{caption}*\n\n") + "| " + " | ".join(header) + " |\n"
    markdown += "|" + "---|" * len(header) + "\n"
    markdown += "".join("| " + " | ".join(row) + " |\n" for row in text)
    display({"text/html": html, "text/markdown": markdown, "text/plain": markdown},
            metadata={"nbrun": {"numbers": numbers}}, raw=True)


# ---------------------------------------------------------------- the values a notebook quotes


def key(owner, quantity, sample=0, epoch=None):
    """A value's name as nbrun writes it: hk.O6, hk.O6[2] (the second sample), fit.loss@100."""
    name = f"{owner}.{quantity}" + (f"[{sample + 1}]" if sample else "")
    return name + (f"@{epoch}" if epoch is not None else "")


def publish_parameters(owner, net):
    """Every weight and bias by its unit-notation name (models up to 1,000 parameters)."""
    if net.front:
        return publish_layered(owner, net)
    MODELS[owner] = net
    parameters = net.parameters()
    if len(parameters) <= 1000:
        for name, *_, value in parameters:
            V[key(owner, name)] = float(value)
    V[key(owner, "parameters")] = len(parameters) + sum(
        2 * d.bn.gamma.size for d in net.layers if d.bn is not None)


def publish_forward(owner, net, z, a):
    for l in range(len(z)):
        for s in range(z[l].shape[0]):
            for j in range(z[l].shape[1]):
                unit = net.labels[l + 1][j]
                V[key(owner, "I" + unit, s)] = float(z[l][s, j])
                V[key(owner, "O" + unit, s)] = float(a[l][s, j])
                V[key(owner, f"z{l + 1}_{j + 1}", s)] = float(z[l][s, j])
                V[key(owner, f"a{l + 1}_{j + 1}", s)] = float(a[l][s, j])
    V[key(owner, "output")] = float(a[-1][0, 0])


def show_forward(net, z, a, decimals=4, caption=None, layer_notation=False, X=None):
    samples = z[0].shape[0]
    tag = lambda s: f" ({s + 1})" if samples > 1 else ""
    header = ["Layer", "Unit"] if layer_notation else ["Unit, j"]
    for s in range(samples):
        header += ([f"z⁽ˡ⁾{tag(s)}", f"a⁽ˡ⁾{tag(s)}"] if layer_notation
                   else [f"Net input, Iⱼ{tag(s)}", f"Output, Oⱼ{tag(s)}"])
    rows = []
    if samples > 1 and X is not None:  # several samples: their inputs first
        X = np.asarray(X, dtype=float)
        for i in range(X.shape[1]):
            row = ["input", str(i + 1)] if layer_notation else [net.labels[0][i]]
            for s in range(samples):
                row += ["", Given(X[s, i])]
            rows.append(row)
    for l in range(len(z)):
        for j in range(z[l].shape[1]):
            row = [str(l + 1), str(j + 1)] if layer_notation else [net.labels[l + 1][j]]
            for s in range(samples):
                row += [z[l][s, j], a[l][s, j]]
            rows.append(row)
    show(header, rows, decimals, caption)


def publish_regularization(owner, net, trace, g=None):
    """A training pass's dropout masks and batch normalisation: mask4[s], mu4, var4,
    gamma4, beta4, xhat4[s], y4[s]; with a backward pass, grad_gamma4 and grad_beta4."""
    for l, mask in trace.get("mask", {}).items():
        for s in range(mask.shape[0]):
            for j in range(mask.shape[1]):
                V[key(owner, "mask" + net.labels[l + 1][j], s)] = float(mask[s, j])
    for l, (mu, var, xhat, y) in trace.get("bn", {}).items():
        bn = net.layers[l].bn
        for j, unit in enumerate(net.labels[l + 1]):
            V[key(owner, "mu" + unit)] = float(mu[j])
            V[key(owner, "var" + unit)] = float(var[j])
            V[key(owner, "gamma" + unit)] = float(bn.gamma[j])
            V[key(owner, "beta" + unit)] = float(bn.beta[j])
            for s in range(xhat.shape[0]):
                V[key(owner, "xhat" + unit, s)] = float(xhat[s, j])
                V[key(owner, "y" + unit, s)] = float(y[s, j])
            if g is not None and g.dgamma[l] is not None:
                V[key(owner, "grad_gamma" + unit)] = float(g.dgamma[l][j])
                V[key(owner, "grad_beta" + unit)] = float(g.dbeta[l][j])


def show_regularization(net, trace, decimals=4):
    """The dropout table (φ(Iⱼ), the mask, Oⱼ) and the batch-normalisation table."""
    for l, mask in trace.get("mask", {}).items():
        before = trace["before"][l]
        samples = mask.shape[0]
        tag = lambda s: f" ({s + 1})" if samples > 1 else ""
        header = ["Unit, j"] + [h + tag(s) for s in range(samples)
                                for h in ("φ(Iⱼ)", "Mask mⱼ", "Oⱼ = φ(Iⱼ)·mⱼ")]
        rows = [[unit] + [v for s in range(samples)
                          for v in (before[s, j], mask[s, j], before[s, j] * mask[s, j])]
                for j, unit in enumerate(net.labels[l + 1])]
        show(header, rows, decimals, f"Dropout on layer {l + 1}")
    for l, (mu, var, xhat, y) in trace.get("bn", {}).items():
        bn = net.layers[l].bn
        samples = xhat.shape[0]
        tag = lambda s: f" ({s + 1})" if samples > 1 else ""
        header = ["Unit, j", "Mean μⱼ", "Variance σ²ⱼ", "γⱼ", "βⱼ"]
        header += [h + tag(s) for s in range(samples) for h in ("x̂ⱼ", "yⱼ")]
        rows = [[unit, mu[j], var[j], bn.gamma[j], bn.beta[j]]
                + [v for s in range(samples) for v in (xhat[s, j], y[s, j])]
                for j, unit in enumerate(net.labels[l + 1])]
        show(header, rows, decimals, f"Batch normalisation of layer {l + 1}")


def gradient_check(net, X, T, loss, h, l2=0.0, training=False, seed=0):
    """Backprop's ∂L/∂θ beside (L(θ + h) − L(θ − h))/2h for every weight, bias, γ and β;
    a training check draws the same dropout masks (the same seed) for every evaluation."""
    def loss_of(model):
        return float(backward(model, X, T, loss, l2, training=training, rng=Random(seed)).loss)
    g = backward(net, X, T, loss, l2, training=training, rng=Random(seed))
    rows = []

    def check(name, analytic, change):
        plus, minus = net.copy(), net.copy()
        change(plus, h)
        change(minus, -h)
        numeric = (loss_of(plus) - loss_of(minus)) / (2 * h)
        scale = max(abs(analytic), abs(numeric), 1e-8)  # a zero gradient: noise over a floor
        rows.append((name, float(analytic), numeric, abs(analytic - numeric) / scale))

    for l, layer in enumerate(net.layers):
        for i in range(layer.W.shape[0]):
            for j in range(layer.W.shape[1]):
                def change(m, d, l=l, i=i, j=j):
                    m.layers[l].W[i, j] += d
                check(net.name(l, "W", (i, j)), g.dW[l][i, j], change)
        for j in range(0 if layer.b is None else len(layer.b)):
            def change(m, d, l=l, j=j):
                m.layers[l].b[j] += d
            check(net.name(l, "b", j), g.db[l][j], change)
        if layer.bn is not None:
            for symbol, part, grads in (("γ", "gamma", g.dgamma[l]), ("β", "beta", g.dbeta[l])):
                for j, unit in enumerate(net.labels[l + 1]):
                    def change(m, d, l=l, j=j, part=part):
                        getattr(m.layers[l].bn, part)[j] += d
                    check(symbol + unit, grads[j], change)
    return rows


def publish_gradient_check(owner, rows):
    for name, analytic, numeric, error in rows:
        name = name.replace("γ", "gamma").replace("β", "beta")
        V[key(owner, "grad_" + name)] = analytic
        V[key(owner, "numeric_" + name)] = numeric
        V[key(owner, "error_" + name)] = error
    V[key(owner, "max_error")] = max(r[3] for r in rows)


def activation_table(owner, names, points, decimals=4, caption=None, shown=True):
    """φ(z) and φ′(z) of each activation at each point (leaky ReLU's α = 0.01)."""
    z = np.array([points], dtype=float).T
    columns, header = [], ["z"]
    for name in names:
        alpha = {"leaky_relu": 0.01, "elu": 1.0}.get(name)
        a = activate(name, z, alpha)
        d = derivative(name, z, a, alpha)
        for s in range(len(points)):
            V[key(owner, name, s)] = float(a[s, 0])
            V[key(owner, "d_" + name, s)] = float(d[s, 0])
        columns += [a[:, 0], d[:, 0]]
        header += [f"{name}(z)", f"{name}′(z)"]
    rows = [[Given(p)] + [c[s] for c in columns] for s, p in enumerate(points)]
    if shown:
        show(header, rows, decimals, caption)


# ---------------------------------------------------------------- convolution


def worked(x, decimals):
    """A computed value in a worked formula: without trailing zeros unless that would print
    an inexact value as a whole number (0 for 0.00005); then with the table's decimals."""
    x = float(x)
    scale = 10 ** max(0, min(decimals, 15))
    r = math.floor(abs(x) * scale + 0.5) / scale
    return Given(x) if (r != math.floor(r) or x == math.floor(x)) else x


def window_place(n, k, s, padding):
    """Outputs along one side and the zeros before them: valid ⌊(n − k)/s⌋ + 1, or same
    ⌈n/s⌉ with the padding split evenly, the extra zero after (TensorFlow's rule)."""
    if padding == "valid":
        return (n - k) // s + 1, 0
    out = -(-n // s)
    return out, max((out - 1) * s + k - n, 0) // 2


def padded_view(x, kh, kw, sh, sw, padding):
    """x (N, H, W, C) inside zeros, with the output size and where x starts."""
    N, H, W, C = x.shape
    oh, top = window_place(H, kh, sh, padding)
    ow, left = window_place(W, kw, sw, padding)
    padded = np.zeros((N, top + H + kh + sh * oh, left + W + kw + sw * ow, C))
    padded[:, top:top + H, left:left + W, :] = x
    return padded, oh, ow, top, left


def im2col(x, kh, kw, sh, sw, padding):
    """Each window's patch as a row, (i, j, channel) with the channel fastest."""
    padded, oh, ow, _, _ = padded_view(x, kh, kw, sh, sw, padding)
    N, C = x.shape[0], x.shape[3]
    cols = np.empty((N, oh, ow, kh, kw, C))
    for i in range(kh):
        for j in range(kw):
            cols[:, :, :, i, j, :] = padded[:, i:i + sh * oh:sh, j:j + sw * ow:sw, :]
    return cols.reshape(N * oh * ow, kh * kw * C), oh, ow


def col2im(dcols, shape, kh, kw, sh, sw, padding):
    """Each patch's gradient added back where the patch was cut from."""
    padded, oh, ow, top, left = padded_view(np.zeros(shape), kh, kw, sh, sw, padding)
    N, H, W, C = shape
    d = dcols.reshape(N, oh, ow, kh, kw, C)
    for i in range(kh):
        for j in range(kw):
            padded[:, i:i + sh * oh:sh, j:j + sw * ow:sw, :] += d[:, :, :, i, j, :]
    return padded[:, top:top + H, left:left + W, :]


def _cell(prefix, r, c, channel=None):
    return f"{prefix}{r + 1}_{c + 1}" + ("" if channel is None else f"_c{channel + 1}")


def conv_worked(owner, images, kernels, bias, stride, padding, activation, alpha, upstream,
                decimals=4, caption=None, shown=True, formulas=True):
    """A convolution worked by hand: each output cell as Σ x·k (+ b), the feature map, and
    with an upstream gradient the backward pass (∂L/∂kernel, ∂L/∂b, ∂L/∂input)."""
    x = np.stack([np.asarray(m, dtype=float) for m in images], axis=-1)[None]
    kh, kw = len(kernels[0]), len(kernels[0][0])
    sh, sw = stride
    C = len(images)
    K = np.stack([np.asarray(k, dtype=float) for k in kernels], axis=-1).reshape(kh * kw * C, 1)
    cols, oh, ow = im2col(x, kh, kw, sh, sw, padding)
    z = cols @ K
    if bias is not None:
        z = z + bias
    name = activation or "identity"
    a = activate(name, z, alpha)
    V[key(owner, "rows")] = oh
    V[key(owner, "columns")] = ow
    padded, _, _, top, left = padded_view(x, kh, kw, sh, sw, padding)
    under = lambda r, c, i, j, ch: padded[0, r * sh + i, c * sw + j, ch]
    forward, grid = [], []
    for r in range(oh):
        grid_row = [str(r + 1)]
        for c in range(ow):
            n = r * ow + c
            V[key(owner, _cell("z", r, c))] = float(z[n, 0])
            parts = []
            for i in range(kh):
                for j in range(kw):
                    for ch in range(C):
                        parts += ([" + "] if parts else []) + [
                            "(", worked(under(r, c, i, j, ch), decimals), ")(", worked(kernels[ch][i][j], decimals), ")"]
            if bias is not None:
                parts += [" + (", worked(bias, decimals), ")"]
            row = [f"({r + 1}, {c + 1})", F(*parts, " = ", worked(z[n, 0], decimals))]
            if activation:
                V[key(owner, _cell("a", r, c))] = float(a[n, 0])
                row.append(F(f"{activation}(", worked(z[n, 0], decimals), ") = ", worked(a[n, 0], decimals)))
            grid_row.append(worked(a[n, 0] if activation else z[n, 0], decimals))
            forward.append(row)
        grid.append(grid_row)
    header = ["Row"] + [str(c + 1) for c in range(ow)]
    tables = [
        (["Cell (row, column)", "z = Σ x·k" + ("" if bias is None else " + b")]
         + ([f"a = {activation}(z)"] if activation else []), forward,
         caption or "Each output cell: the patch under the kernel times the kernel"),
        (header, grid, (None if formulas else caption) or "The feature map " + ("a" if activation else "z")),
    ]
    if not formulas:
        tables.pop(0)
    if upstream is not None:
        g = np.asarray(upstream, dtype=float).reshape(oh * ow, 1)
        dz = back_through(name, z, a, g, alpha)
        slope = derivative(name, z, a, alpha)
        rows = []
        for r in range(oh):
            for c in range(ow):
                n = r * ow + c
                V[key(owner, _cell("dz", r, c))] = float(dz[n, 0])
                rows.append([f"({r + 1}, {c + 1})", worked(g[n, 0], decimals), F(
                    "(", worked(g[n, 0], decimals), ")(", worked(slope[n, 0], decimals), ") = ", worked(dz[n, 0], decimals))])
        if activation:
            tables.append((["Cell (row, column)", "∂L/∂a", "∂L/∂z"], rows,
                           f"Back through the activation: ∂L/∂z = ∂L/∂a · {activation}′(z)"))
        dK = cols.T @ dz
        rows = []
        for ch in range(C):
            for i in range(kh):
                for j in range(kw):
                    value = dK[(i * kw + j) * C + ch, 0]
                    V[key(owner, _cell("dk", i, j, ch if C > 1 else None))] = float(value)
                    parts = []
                    for r in range(oh):
                        for c in range(ow):
                            parts += ([" + "] if parts else []) + [
                                "(", worked(under(r, c, i, j, ch), decimals), ")(", worked(dz[r * ow + c, 0], decimals), ")"]
                    label = f"k({i + 1}, {j + 1})" + (f", channel {ch + 1}" if C > 1 else "")
                    rows.append([label, F(*parts, " = ", worked(value, decimals))])
        if bias is not None:
            db = dz.sum(axis=0)[0]
            V[key(owner, "db")] = float(db)
            parts = []
            for value in dz[:, 0]:
                parts += ([" + "] if parts else []) + ["(", worked(value, decimals), ")"]
            rows.append(["b", F(*parts, " = ", worked(db, decimals))])
        tables.append((["Parameter", "∂L/∂θ = Σ x·∂L/∂z"], rows,
                       "∂L/∂kernel: the input correlated with ∂L/∂z (each kernel cell meets "
                       "the input under it at every output cell)"))
        dx = col2im(dz @ K.T, x.shape, kh, kw, sh, sw, padding)
        for ch in range(C):
            rows = []
            for y in range(x.shape[1]):
                row = [str(y + 1)]
                for xx in range(x.shape[2]):
                    V[key(owner, _cell("dx", y, xx, ch if C > 1 else None))] = float(dx[0, y, xx, ch])
                    row.append(worked(dx[0, y, xx, ch], decimals))
                rows.append(row)
            tables.append((["Row"] + [str(c + 1) for c in range(x.shape[2])], rows,
                           "∂L/∂input" + (f", channel {ch + 1}" if C > 1 else "")
                           + ": each input cell gathers ∂L/∂z times the kernel cells that covered it"))
    if shown:
        for header, rows, title in tables:
            show(header, rows, decimals, title)


def conv_map(owner):
    """The feature map a conv block stored: a (after its activation) or z."""
    prefix = "a" if key(owner, "a1_1") in V else "z"
    rows, columns = int(V[key(owner, "rows")]), int(V[key(owner, "columns")])
    return [[V[key(owner, _cell(prefix, r, c))] for c in range(columns)] for r in range(rows)]


def pool_worked(owner, grid, kind, size, stride, padding, upstream, decimals=4, caption=None,
                shown=True):
    """Pooling worked by hand: each window's largest value or mean, the pooled map, and
    with an upstream gradient where each gradient goes (max: the largest cell alone, the
    first on a tie; average: shared equally by the cells inside the map)."""
    grid = [[float(v) for v in row] for row in grid]
    H, W = len(grid), len(grid[0])
    (kh, kw), (sh, sw) = size, stride
    oh, top = window_place(H, kh, sh, padding)
    ow, left = window_place(W, kw, sw, padding)
    V[key(owner, "rows")] = oh
    V[key(owner, "columns")] = ow

    def cells(r, c):
        return [(y, x, grid[y][x]) for i in range(kh) for j in range(kw)
                for y, x in [(r * sh + i - top, c * sw + j - left)]
                if 0 <= y < H and 0 <= x < W]

    rows, pooled, routes = [], [], {}
    for r in range(oh):
        row = [str(r + 1)]
        for c in range(ow):
            window = cells(r, c)
            if kind == "max":
                best = None
                for y, x, v in window:
                    if best is None or v > best[2]:
                        best = (y, x, v)
                value = best[2] if best else 0.0
                routes[(r, c)] = best
                text = F("max(", *[p for k, (_, _, v) in enumerate(window)
                                    for p in ([", "] if k else []) + [worked(v, decimals)]], ")", " = ", worked(value, decimals))
            else:
                total = 0.0
                for _, _, v in window:
                    total += v
                value = total / len(window) if window else 0.0
                text = F("(", *[p for k, (_, _, v) in enumerate(window)
                                for p in ([" + "] if k else []) + [worked(v, decimals)]], f") / {len(window)}",
                         " = ", worked(value, decimals))
            V[key(owner, _cell("p", r, c))] = value
            rows.append([f"({r + 1}, {c + 1})", text])
            row.append(worked(value, decimals))
        pooled.append(row)
    tables = [
        (["Cell (row, column)", "max of the window" if kind == "max" else "mean of the window"], rows,
         caption or ("Each window's largest value" if kind == "max" else "Each window's mean")),
        (["Row"] + [str(c + 1) for c in range(ow)], pooled, "The pooled map"),
    ]
    if upstream is not None:
        dx = [[0.0] * W for _ in range(H)]
        rows = []
        for r in range(oh):
            for c in range(ow):
                g = float(upstream[r][c])
                window = cells(r, c)
                if kind == "max":
                    best = routes[(r, c)]
                    if best:
                        dx[best[0]][best[1]] += g
                    target = f"({best[0] + 1}, {best[1] + 1})" if best else "—"
                    rows.append([f"({r + 1}, {c + 1})", worked(g, decimals), target,
                                 f"0 to the other {max(0, len(window) - 1)}"])
                else:
                    for y, x, _ in window:
                        dx[y][x] += g / max(1, len(window))
                    rows.append([f"({r + 1}, {c + 1})", worked(g, decimals), f"all {len(window)}",
                                 F("(", worked(g, decimals), f") / {len(window)} = ", worked(g / max(1, len(window)), decimals))])
        tables.append((["Pooled cell", "∂L/∂p", "goes to input cell" if kind == "max" else "goes to",
                        "the others get" if kind == "max" else "each gets"], rows,
                       "Where each gradient goes: to the window's largest cell alone" if kind == "max"
                       else "Where each gradient goes: shared equally by the window's cells"))
        grid_rows = []
        for y in range(H):
            for x in range(W):
                V[key(owner, _cell("dx", y, x))] = dx[y][x]
            grid_rows.append([str(y + 1)] + [worked(v, decimals) for v in dx[y]])
        tables.append((["Row"] + [str(c + 1) for c in range(W)], grid_rows, "∂L/∂input"))
    if shown:
        for header, rows, title in tables:
            show(header, rows, decimals, title)


def rnn_worked(owner, inputs, wx, wh, bias, h0, activation, alpha, target, decimals=4,
               caption=None, shown=True):
    """An Elman cell unrolled by hand: z_t = x_t·W_x + h_{t−1}·W_h + b, h_t = φ(z_t); with a
    target, L = ½ Σ (h_T − y)² back-propagated through time."""
    Wx, Wh = np.asarray(wx, dtype=float), np.asarray(wh, dtype=float)
    units, steps = Wx.shape[1], len(inputs)
    b = None if bias is None else np.asarray([bias], dtype=float)
    h = np.zeros((1, units)) if h0 is None else np.asarray([h0], dtype=float)
    name = lambda prefix, t, u: f"{prefix}{t}" if units == 1 else f"{prefix}{t}_{u + 1}"
    xs = [np.asarray([x], dtype=float) for x in inputs]
    states, nets = [h], []
    for x in xs:
        z = x @ Wx + states[-1] @ Wh
        if b is not None:
            z = z + b
        nets.append(z)
        states.append(activate(activation, z, alpha))
    V[key(owner, "steps")] = steps
    rows = []
    for t in range(1, steps + 1):
        for u in range(units):
            z, hv = nets[t - 1][0, u], states[t][0, u]
            V[key(owner, name("z", t, u))] = float(z)
            V[key(owner, name("h", t, u))] = float(hv)
            parts = []
            for i, x in enumerate(inputs[t - 1]):
                parts += ([" + "] if parts else []) + ["(", worked(x, decimals), ")(", worked(Wx[i, u], decimals), ")"]
            for v in range(units):
                parts += [" + ", "(", worked(states[t - 1][0, v], decimals), ")(", worked(Wh[v, u], decimals), ")"]
            if b is not None:
                parts += [" + ", "(", worked(b[0, u], decimals), ")"]
            label = str(t) if units == 1 else f"{t}, unit {u + 1}"
            rows.append([label, F(*parts, " = ", worked(z, decimals)), F(f"{activation}(", worked(z, decimals), ") = ", worked(hv, decimals))])
    tables = [(["t", "zₜ = xₜ·Wₓ + hₜ₋₁·Wₕ" + ("" if b is None else " + b"), f"hₜ = {activation}(zₜ)"],
               rows, caption or "The cell unrolled: each step reads its input and the state before it")]
    if target is not None:
        y = np.asarray([target], dtype=float)
        last = states[-1]
        L = loss_value("half_sse", last, y)
        V[key(owner, "L")] = float(L)
        upstream = [np.zeros((1, units)) for _ in range(steps)]
        upstream[-1] = loss_gradient("half_sse", last, y)
        dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros((1, units))
        dhs, dzs = [None] * steps, [None] * steps
        carried = np.zeros((1, units))
        for t in range(steps - 1, -1, -1):
            dh = upstream[t] + carried
            dz = back_through(activation, nets[t], states[t + 1], dh, alpha)
            dhs[t], dzs[t] = dh, dz
            dWx = dWx + xs[t].T @ dz
            dWh = dWh + states[t].T @ dz
            db = db + dz.sum(axis=0, keepdims=True)
            carried = dz @ Wh.T
        loss_parts = ["0.5("]
        for u in range(units):
            loss_parts += ([" + "] if u else []) + ["(", worked(last[0, u], decimals), " − ", worked(target[u], decimals), ")²"]
        back = [["loss", F(*loss_parts, ") = ", worked(L, decimals)), "", ""]]
        for t in range(steps, 0, -1):
            dh, dz = dhs[t - 1][0], dzs[t - 1][0]
            size = math.sqrt(sum(v * v for v in dh))
            V[key(owner, f"size{t}")] = size
            slope = derivative(activation, nets[t - 1], states[t], alpha)[0]
            for u in range(units):
                V[key(owner, name("dh", t, u))] = float(dh[u])
                V[key(owner, name("dz", t, u))] = float(dz[u])
                if t == steps:
                    parts = ["(", worked(last[0, u], decimals), ")", " − ", "(", worked(target[u], decimals), ")"]
                else:
                    parts = []
                    for w in range(units):
                        parts += ([" + "] if parts else []) + ["(", worked(dzs[t][0, w], decimals), ")(", worked(Wh[u, w], decimals), ")"]
                label = str(t) if units == 1 else f"{t}, unit {u + 1}"
                back.append([label, F(*parts, " = ", worked(dh[u], decimals)),
                             F("(", worked(dh[u], decimals), ")(", worked(slope[u], decimals), ") = ", worked(dz[u], decimals)),
                             Measured(size) if u == 0 else ""])
        params = []

        def total(label, name_, value, left, u):
            V[key(owner, name_)] = float(value)
            parts = []
            for t in range(1, steps + 1):
                parts += ([" + "] if parts else []) + ["(", worked(left(t), decimals), ")(", worked(dzs[t - 1][0, u], decimals), ")"]
            params.append([label, F(*parts, " = ", worked(value, decimals))])

        for i in range(Wx.shape[0]):
            for u in range(units):
                total(f"Wₓ({i + 1}, {u + 1})", f"dwx{i + 1}_{u + 1}", dWx[i, u], lambda t: inputs[t - 1][i], u)
        for v in range(units):
            for u in range(units):
                total(f"Wₕ({v + 1}, {u + 1})", f"dwh{v + 1}_{u + 1}", dWh[v, u], lambda t: states[t - 1][0, v], u)
        if b is not None:
            for u in range(units):
                total(f"b({u + 1})", f"db{u + 1}", db[0, u], lambda t: 1, u)
        tables.append((["t", "∂L/∂hₜ", f"∂L/∂zₜ = ∂L/∂hₜ · {activation}′(zₜ)", "|∂L/∂hₜ|"], back,
                       "Back-propagation through time: from the loss on the last state back to the first step"))
        tables.append((["Parameter", "∂L/∂θ = Σₜ (what θ multiplies at t)(∂L/∂zₜ)"], params,
                       "Each weight's gradient: its share at every step, summed"))
    if shown:
        for header, rows, title in tables:
            show(header, rows, decimals, title)


def gradient_step(net, g, rate):
    """One step of plain gradient descent, θ ← θ − η·∂L/∂θ, on a copy of the model."""
    new = net.copy()
    for l, layer in enumerate(new.layers):
        layer.W = layer.W - rate * g.dW[l]
        if layer.b is not None:
            layer.b = layer.b - rate * g.db[l]
    return new


def publish_backward(owner, net, g, new):
    publish_forward(owner, net, g.z, g.a)
    V[key(owner, "loss")] = float(g.loss)
    for l, delta in enumerate(g.delta):
        for s in range(delta.shape[0]):
            for j in range(delta.shape[1]):
                unit = net.labels[l + 1][j]
                V[key(owner, "Err" + unit, s)] = float(-delta[s, j])
                V[key(owner, "delta" + unit, s)] = float(delta[s, j])
                V[key(owner, f"delta{l + 1}_{j + 1}", s)] = float(delta[s, j])
    for (name, l, kind, index, old), (_, _, _, _, value) in zip(net.parameters(), new.parameters()):
        V[key(owner, "grad_" + name)] = float(g.dW[l][index] if kind == "W" else g.db[l][index])
        V[key(owner, "new_" + name)] = float(value)
    for s in range(g.dX.shape[0]):
        for i, name in enumerate(net.inputs):
            V[key(owner, "dL/d" + name, s)] = float(g.dX[s, i])
    for l in range(len(net.layers)):
        V[key(owner, f"norm{l + 1}")] = float(np.sqrt((g.dW[l] ** 2).sum()))
        V[key(owner, f"mean_delta{l + 1}")] = float(np.abs(g.delta[l]).mean())


def show_errors(net, g, decimals=4, layer_notation=False, formulas=False):
    """Every unit's error Err_j = −∂L/∂I_j (δ = ∂L/∂z in layer notation), output layer first.
    For sigmoid units, ½Σ(T − O)² and one sample, the textbook's substitutions:
    Err_j = O_j(1 − O_j)(T_j − O_j) at the output, O_j(1 − O_j)Σ_k Err_k w_jk below."""
    samples = g.delta[0].shape[0]
    tag = lambda s: f" ({s + 1})" if samples > 1 else ""
    last = len(net.layers) - 1
    rows = []
    for l in reversed(range(len(net.layers))):
        for j in reversed(range(g.delta[l].shape[1])):
            label = [str(l + 1), str(j + 1)] if layer_notation else [net.labels[l + 1][j]]
            if formulas:
                o, err = g.a[l][0, j], -g.delta[l][0, j]
                masked = []
                if getattr(g, "training", False) and l in g.trace.get("mask", {}):
                    o = g.trace["before"][l][0, j]  # φ before the mask, times the mask
                    masked = ["(", g.trace["mask"][l][0, j], ")"]
                if l == last:
                    parts = ["(", Given(g.T[0, j]), " − ", o, ")"]
                else:
                    parts = ["["]
                    for k in range(g.delta[l + 1].shape[1]):
                        parts += [" + " if k else "", "(", D(-g.delta[l + 1][0, k], decimals + 1), ")(",
                                  Given(net.layers[l + 1].W[j, k]), ")"]
                    parts.append("]")
                rows.append(label + [F(o, "(1 − ", o, ")", *masked, *parts, " = ", D(err, decimals + 1))])
                continue
            sign = 1 if layer_notation else -1
            rows.append(label + [D(sign * g.delta[l][s, j], decimals + 1) for s in range(samples)])
    name = "δ⁽ˡ⁾ = ∂L/∂z⁽ˡ⁾" if layer_notation else "Errⱼ"
    header = (["Layer", "Unit"] if layer_notation else ["Unit, j"])
    show(header + [f"{name}{tag(s)}" for s in range(samples)], rows, decimals)


def show_updates(net, g, new, rate, decimals=4, layer_notation=False):
    """Each parameter's update θ ← θ − η·∂L/∂θ; for one sample the textbook's form
    w_ij ← w_ij + η·Err_j·O_i (and θ_j ← θ_j + η·Err_j). Output layer first."""
    one = g.delta[0].shape[0] == 1
    weights, biases = [], []
    for (name, l, kind, index, old), (*_, value) in zip(net.parameters(), new.parameters()):
        grad = g.dW[l][index] if kind == "W" else g.db[l][index]
        if one:
            j = index[1] if kind == "W" else index
            parts = [Given(old), " + (", Given(rate), ")(", D(-g.delta[l][0, j], decimals + 1), ")"]
            if kind == "W":
                source = (g.a[l - 1] if l > 0 else g.X)[0, index[0]]
                parts += ["(", Given(source) if l == 0 else source, ")"]
        else:
            parts = [Given(old), " − (", Given(rate), ")(", D(grad, decimals + 1), ")"]
        row = [name, F(*parts, " = ", value)]
        (weights if kind == "W" else biases).append((l, index, row))
    ordered = [r for _, _, r in sorted(weights, key=lambda t: -t[0])]
    ordered += [r for _, _, r in sorted(biases, key=lambda t: (-t[0], -t[1]))]
    show(["Parameter" if layer_notation else "Weight or Bias", "New Value"], ordered, decimals)


def show_gradients(net, g, decimals=5):
    """∂L/∂θ for every parameter, then ∂L/∂γ and ∂L/∂β of each normalised layer."""
    rows = [[name, g.dW[l][index] if kind == "W" else g.db[l][index]]
            for name, l, kind, index, _ in net.parameters()]
    show(["Parameter", "∂L/∂parameter"], rows, decimals)
    for l, dgamma in enumerate(getattr(g, "dgamma", [])):
        if dgamma is not None:
            rows = [[unit, dgamma[j], g.dbeta[l][j]] for j, unit in enumerate(net.labels[l + 1])]
            show(["Unit, j", "∂L/∂γⱼ", "∂L/∂βⱼ"], rows, decimals,
                 f"Gradients of layer {l + 1}'s batch normalisation")


def show_gradient_sizes(net, g):
    rows = [[l + 1, layer.activation, float(np.sqrt((g.dW[l] ** 2).sum())),
             float(np.abs(g.delta[l]).mean())] for l, layer in enumerate(net.layers)]
    show(["Layer", "Activation", "‖∂L/∂W‖", "mean |δ|"], rows, 6)


def show_parameters(net, decimals=4, caption=None):
    rows = [[name, value] for name, *_, value in net.parameters()]
    show(["Parameter", "Value"], rows, decimals, caption)


def show_data(data, count, decimals=4, caption=None):
    shown = min(8, data.X.shape[1])
    header = data.features[:shown] + (["…"] if data.X.shape[1] > shown else []) + list(data.targets)
    rows = [list(data.X[r, :shown]) + (["…"] if data.X.shape[1] > shown else []) + list(data.Y[r])
            for r in range(min(count, len(data)))]
    show(header, rows, decimals, caption)


def publish_data(owner, data, parts):
    V[key(owner, "samples")] = len(data)
    V[key(owner, "features")] = data.X.shape[1]
    V[key(owner, "classes")] = len(data.classes) if data.classes else 0
    for part, set_ in parts.items():
        V[key(owner, part + ".samples")] = len(set_)


def publish_history(owner, history):
    HISTORIES[owner] = history
    V[key(owner, "epochs")] = len(history.records)
    for k in history.keys():
        V[key(owner, k)] = float(history.records[-1][k])
        for record in history.records:
            V[key(owner, k, epoch=record["epoch"])] = float(record[k])
    for index, record in enumerate(history.records):
        for k, v in history.extra(index).items():
            V[key(owner, k, epoch=record["epoch"])] = float(v)
            if index == len(history.records) - 1:
                V[key(owner, k)] = float(v)
    for e, losses in enumerate(history.batches):
        for b, value in enumerate(losses):
            V[key(owner, f"batch_loss{b + 1}", epoch=history.records[e]["epoch"])] = value
    if history.best_epoch is not None:
        V[key(owner, "best_epoch")] = history.best_epoch


def show_history(history, every=None, caption=None, rate=False):
    count = len(history.records)
    every = every or max(1, math.ceil(count / 10))
    shown = [r for r in history.records if r["epoch"] == 1 or r["epoch"] % every == 0]
    if history.records and shown[-1] is not history.records[-1]:
        shown.append(history.records[-1])
    keys = history.keys()
    if history.best_epoch is not None:
        print(f"Early stopping ended training after epoch {count}; the best epoch was {history.best_epoch}.")
    index = {r["epoch"]: i for i, r in enumerate(history.records)}
    extra = [k for k in (history.extra(0) if history.records else {}) if k != "lr" or rate]
    names = {"lr": "η"}
    names.update({f"grad_norm{l}": f"‖∂L/∂W{l}‖" for l in range(1, 100)})
    show(["Epoch"] + keys + [names[k] for k in extra],
         [[r["epoch"]] + [r[k] for k in keys]
          + [history.extra(index[r["epoch"]])[k] for k in extra] for r in shown], 4, caption)


def show_values(owner, names, decimals=4, caption=None, header=("Value", "")):
    """A two-column table of named values from V."""
    show(list(header), [[n, V[key(owner, n)]] for n in names], decimals, caption)


def csv_table(text, header):
    """A CSV file's numbers (one sample per line) and its column names."""
    lines = [line for line in text.splitlines() if line.strip()]
    columns = [c.strip().strip('"') for c in lines[0].split(",")] if header else None
    rows = np.array([[float(c) for c in line.split(",")] for line in lines[1 if header else 0 :]])
    return rows, columns or [f"x{i + 1}" for i in range(rows.shape[1])]


def show_summary(net, caption=None):
    """Layers, units, activations and parameter counts."""
    rows = [["input", len(net.inputs), "—", 0]]
    for l, d in enumerate(net.layers):
        count = d.W.size + (0 if d.b is None else d.b.size) + (0 if d.bn is None else 2 * d.bn.gamma.size)
        rows.append([f"layer {l + 1}", d.W.shape[1], d.activation, count])
    rows.append(["total", "", "", sum(r[3] for r in rows)])
    show(["Layer", "Units", "Activation", "Parameters"], rows, 0, caption)


def show_layered_summary(net, caption=None):
    """Each layer, the shape of its output per sample, its activation and parameters."""
    rows = [["input", " × ".join(map(str, net.shape)), "—", 0]]
    if isinstance(net.front[0], Cell):
        cell = net.front[0]
        rows.append(["rnn (last state)", str(cell.Wx.shape[1]), cell.activation,
                     cell.Wx.size + cell.Wh.size + (0 if cell.b is None else cell.b.size)])
    else:
        h, w, c = net.shape
        for st in net.front:
            (h, _), (w, _) = window_place(h, st.kh, st.sh, st.padding), window_place(w, st.kw, st.sw, st.padding)
            if isinstance(st, Conv):
                c = st.K.shape[1]
                rows.append([f"conv {st.kh}×{st.kw}", f"{h} × {w} × {c}", st.activation,
                             st.K.size + (0 if st.b is None else st.b.size)])
            else:
                rows.append([f"{st.kind} pool {st.kh}×{st.kw}", f"{h} × {w} × {c}", "—", 0])
        rows.append(["flatten", str(h * w * c), "—", 0])
    for d in net.layers:
        rows.append(["dense", str(d.W.shape[1]), d.activation, d.W.size + (0 if d.b is None else d.b.size)])
    rows.append(["total", "", "", sum(r[3] for r in rows)])
    show(["Layer", "Output shape", "Activation", "Parameters"], rows, 0, caption)


def plot_filters(net):
    """The first convolution's filters as images: orange adds, blue subtracts."""
    plt = _pyplot()
    conv = next(st for st in net.front if isinstance(st, Conv))
    c = conv.K.shape[0] // (conv.kh * conv.kw)
    top = max(1e-12, np.abs(conv.K).max())
    fig, axes = plt.subplots(1, conv.K.shape[1], figsize=(1.2 * conv.K.shape[1], 1.6))
    for f, ax in enumerate(np.atleast_1d(axes)):
        ax.imshow(conv.K[:, f].reshape(conv.kh, conv.kw, c)[:, :, 0] / top, cmap="coolwarm", vmin=-1, vmax=1)
        ax.set_title(f"filter {f + 1}", fontsize=8)
        ax.axis("off")
    plt.show()


def plot_maps(net, x):
    """One sample and its feature maps after the first convolution."""
    plt = _pyplot()
    trace, _ = front_forward(net, np.asarray([x]))
    a, cols, z, out, shape = trace[0]
    maps = out.reshape(shape)[0]
    fig, axes = plt.subplots(1, maps.shape[2] + 1, figsize=(1.2 * (maps.shape[2] + 1), 1.6))
    axes[0].imshow(a[0, :, :, 0], cmap="gray_r")
    axes[0].set_title("input", fontsize=8)
    for f in range(maps.shape[2]):
        top = max(1e-12, np.abs(maps[:, :, f]).max())
        axes[f + 1].imshow(maps[:, :, f] / top, cmap="coolwarm", vmin=-1, vmax=1)
        axes[f + 1].set_title(f"map {f + 1}", fontsize=8)
    for ax in axes:
        ax.axis("off")
    plt.show()


def publish_predictions(owner, Y):
    for r in range(Y.shape[0]):
        for c in range(Y.shape[1]):
            V[key(owner, f"y{r + 1}" + (f"_{c + 1}" if Y.shape[1] > 1 else ""))] = float(Y[r, c])
        if Y.shape[1] > 1:
            V[key(owner, f"class{r + 1}")] = int(Y[r].argmax())


def show_predictions(X, Y, decimals=4, caption=None):
    if X.shape[1] > 8 and Y.shape[1] > 1:  # an image's pixels say nothing in a table
        rows = [[r + 1] + list(Y[r]) + [int(Y[r].argmax())] for r in range(len(Y))]
        show(["Sample"] + [f"p{c}" for c in range(Y.shape[1])] + ["class"], rows, decimals, caption)
        return
    shown = min(X.shape[1], 8)
    header = ["Sample"] + [f"x{i + 1}" for i in range(shown)] + [f"ŷ{c + 1}" for c in range(Y.shape[1])]
    rows = [[r + 1] + list(X[r, :shown]) + list(Y[r]) for r in range(len(Y))]
    if Y.shape[1] > 1:
        header.append("class")
        for r, row in enumerate(rows):
            row.append(int(Y[r].argmax()))
    show(header, rows, decimals, caption)


def confusion(net, data):
    """counts[actual][predicted] over a data set."""
    p = predict(net, data.X)
    classes = max(2, p.shape[1])
    counts = np.zeros((classes, classes), dtype=int)
    for predicted, actual in zip(*labels_of(p, data.Y)):
        if predicted < classes and actual < classes:
            counts[actual, predicted] += 1
    return counts


def show_confusion(counts):
    rows = [[str(c)] + [int(n) for n in counts[c]] for c in range(len(counts))]
    show(["actual \\ predicted"] + [str(c) for c in range(len(counts))], rows, 0)


MODELS = {}  # every model by the name its values are published under


def val(name):
    """A value by the name a notebook quotes: V's, or a large model's parameter."""
    if name in V:
        return V[name]
    owner, _, quantity = name.partition(".")
    net = MODELS.get(owner)
    if net is not None:
        for parameter, *_, value in net.parameters():
            if parameter == quantity:
                return float(value)
    raise KeyError(f"{name} was not computed above")


tan = _unary(math.tan, lambda v: 1 / math.cos(v) ** 2)


def maximum(x, y):
    x, y = lift(x), lift(y)
    return Node(max(x.value, y.value), ((x, 1.0),) if x.value >= y.value else ((y, 1.0),))


def minimum(x, y):
    x, y = lift(x), lift(y)
    return Node(min(x.value, y.value), ((x, 1.0),) if x.value <= y.value else ((y, 1.0),))


# ---------------------------------------------------------------- figures (matplotlib)

HISTORIES = {}  # every training run's history, by the name its values are published under


def _pyplot():
    import matplotlib.pyplot as plt

    return plt


def plot_history(history, keys=None, title=None):
    """The learning curve: the loss (and validation loss) per epoch."""
    plt = _pyplot()
    keys = keys or [k for k in history.keys() if k.endswith("loss")]
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for k in keys:
        epochs, values = history.series(k)
        ax.plot(epochs, values, label=k)
    ax.set_xlabel("Epoch")
    ax.set_ylabel("loss")
    ax.legend()
    if title:
        ax.set_title(title)
    plt.show()


def show_batches(history, decimals=4):
    """The first epoch batch by batch, and the loss of every step."""
    if not history.batches:
        return
    first = history.batches[0][:100]
    show(["Batch", "Loss"], [[b + 1, v] for b, v in enumerate(first)], decimals,
         "Epoch 1, batch by batch: each batch's loss, taken before its update")
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 3.5))
    steps = [v for losses in history.batches for v in losses]
    ax.plot(range(1, len(steps) + 1), steps)
    ax.set_xlabel("Step (batch)")
    ax.set_ylabel("Batch loss")
    plt.show()


def plot_rates(history):
    """The learning rate per epoch (each epoch's first step)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot([r["epoch"] for r in history.records], history.rates[: len(history.records)])
    ax.set_xlabel("Epoch")
    ax.set_ylabel("Learning rate η")
    plt.show()


def plot_norms(history):
    """Each layer's gradient norm per epoch, on a log scale."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 3.5))
    epochs = [r["epoch"] for r in history.records]
    for l in range(len(history.norms[0]) if history.norms else 0):
        ax.semilogy(epochs, [row[l] for row in history.norms], label=f"layer {l + 1}")
    ax.set_xlabel("Epoch")
    ax.set_ylabel("‖∂L/∂W‖")
    ax.legend()
    plt.show()


def plot_runs(runs, metrics):
    """Several training runs' curves on one chart."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for run in runs:
        for m in metrics:
            epochs, values = HISTORIES[run].series(m)
            ax.plot(epochs, values, label=f"{run} {m}")
    ax.set_xlabel("Epoch")
    ax.set_ylabel(", ".join(metrics))
    ax.legend()
    plt.show()


def plot_activations(names, derivatives=True):
    plt = _pyplot()
    z = np.linspace(-5, 5, 201)[:, None]
    columns = min(4, len(names))
    rows = math.ceil(len(names) / columns)
    fig, axes = plt.subplots(rows, columns, figsize=(3 * columns, 2.4 * rows), squeeze=False)
    for ax, name in zip(axes.ravel(), names):
        a = activate(name, z, 0.01 if name == "leaky_relu" else 1.0)
        ax.plot(z[:, 0], a[:, 0], label="φ(z)")
        if derivatives and name != "softmax":
            ax.plot(z[:, 0], derivative(name, z, a, 0.01 if name == "leaky_relu" else 1.0)[:, 0],
                    "--", label="φ′(z)")
        ax.set_title(name)
        ax.axhline(0, color="grey", linewidth=0.5)
    axes.ravel()[0].legend()
    fig.tight_layout()
    plt.show()


def plot_tangent(f, x_range, at=None, descent=None):
    plt = _pyplot()
    xs = np.linspace(x_range[0], x_range[1], 201)
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot(xs, [f(Node(x)).value for x in xs], label="f(x)")
    if at is not None:
        x = Node(at)
        y = f(x)
        gradients(y)
        half = (x_range[1] - x_range[0]) / 6
        ax.plot([at - half, at + half], [y.value - x.grad * half, y.value + x.grad * half],
                label=f"tangent at x = {at:g}, slope {x.grad:.3f}")
    if descent:
        ax.plot([r[1] for r in descent], [r[2] for r in descent], "o-", label="gradient descent")
    ax.set_xlabel("x")
    ax.legend()
    plt.show()


def plot_boundary(net, data, resolution=200):
    """The model's output over the plane of the two inputs, with the data on top."""
    plt = _pyplot()
    X = data.X
    pad = 0.1 * (X.max(axis=0) - X.min(axis=0) + 1e-9)
    u = np.linspace(X[:, 0].min() - pad[0], X[:, 0].max() + pad[0], resolution)
    v = np.linspace(X[:, 1].min() - pad[1], X[:, 1].max() + pad[1], resolution)
    U, W = np.meshgrid(u, v)
    p = predict(net, np.column_stack([U.ravel(), W.ravel()]))
    score = p[:, 0] if p.shape[1] == 1 else p.argmax(axis=1)
    fig, ax = plt.subplots(figsize=(5, 4))
    ax.contourf(U, W, score.reshape(U.shape), levels=20, cmap="RdBu_r", alpha=0.6)
    if p.shape[1] == 1:
        ax.contour(U, W, score.reshape(U.shape), levels=[0.5], colors="k")
    labels = labels_of(predict(net, X), data.Y)[1]
    ax.scatter(X[:, 0], X[:, 1], c=labels, cmap="RdBu_r", edgecolors="k")
    ax.set_xlabel(data.features[0])
    ax.set_ylabel(data.features[1])
    plt.show()


def plot_function(net, data):
    """The model's output as a function of its one input, with the data."""
    plt = _pyplot()
    x = np.linspace(data.X[:, 0].min(), data.X[:, 0].max(), 300)[:, None]
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.scatter(data.X[:, 0], data.Y[:, 0], s=12, label="data")
    ax.plot(x[:, 0], predict(net, x)[:, 0], color="C1", label="model")
    ax.legend()
    plt.show()


def plot_roc(net, data):
    plt = _pyplot()
    p = predict(net, data.X)
    actual = labels_of(p, data.Y)[1]
    scores, positive = list(p[:, -1]), [a == 1 for a in actual]
    points = roc_curve(scores, positive)
    area = roc_area(scores, positive)
    fig, ax = plt.subplots(figsize=(4.5, 4))
    ax.plot(*zip(*points), label=f"AUC {area:.3f}")
    ax.plot([0, 1], [0, 1], "--", label="chance (AUC 0.5)")
    ax.set_xlabel("false-positive rate")
    ax.set_ylabel("true-positive rate")
    ax.legend()
    plt.show()


def plot_confusion(counts):
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(4.5, 4))
    ax.imshow(counts, cmap="Blues")
    for i in range(len(counts)):
        for j in range(len(counts)):
            ax.text(j, i, int(counts[i, j]), ha="center", va="center")
    ax.set_xlabel("predicted")
    ax.set_ylabel("actual")
    plt.show()


def plot_digits(data, samples, predicted=None, misclassified=False):
    """8×8 images, with the predicted class over each when a model is given."""
    plt = _pyplot()
    actual = data.Y[:, 0].astype(int) if data.Y.shape[1] == 1 else data.Y.argmax(axis=1)
    guess = None if predicted is None else predicted.argmax(axis=1)
    chosen = [k for k in range(len(data))
              if not misclassified or (guess is not None and guess[k] != actual[k])][:samples]
    columns = min(10, max(1, len(chosen)))
    rows = max(1, math.ceil(len(chosen) / columns))
    fig, axes = plt.subplots(rows, columns, figsize=(columns, rows * 1.2), squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    side = int(round(math.sqrt(data.X.shape[1])))
    for ax, k in zip(axes.ravel(), chosen):
        ax.imshow(data.X[k].reshape(side, side), cmap="gray_r")
        ax.set_title(str(actual[k]) if guess is None else f"{guess[k]} ({actual[k]})", fontsize=8)
    plt.show()


def define(expression):
    """A named node of its own (even `dz_dw = x` is a node, with ∂dz_dw/∂x = 1)."""
    x = lift(expression)
    return Node(x.value, ((x, 1.0),))


def collapse(net):
    """The one linear layer a stack of identity layers equals: W = W⁽¹⁾W⁽²⁾…, the biases
    carried through b = (…(b⁽¹⁾W⁽²⁾ + b⁽²⁾)W⁽³⁾ + …)."""
    n = len(net.inputs)
    W, b = np.eye(n), np.zeros((1, n))
    for layer in net.layers:
        W = W @ layer.W
        b = b @ layer.W + (layer.b if layer.b is not None else 0)
    return Model(net.inputs, [Dense(W, b[0], "identity")])


def plot_surface(net, data, loss, w_range, b_range, resolution=60, start=None, rate=1.0,
                 epochs=0, batch=None, search=0, seed=0):
    """The error surface L(w, b) of a one-neuron model over a grid, the path plain gradient
    descent takes from `start` (all samples per step, or one at a time with batch=1), and
    a random search over the same ranges."""
    plt = _pyplot()
    layer = net.layers[0]
    x, y = data.X[:, :1], data.Y

    def loss_at(w, b):
        return loss_value(loss, activate(layer.activation, x * w + b, layer.alpha), y)

    ws = [w_range[0] + (w_range[1] - w_range[0]) * (c + 0.5) / resolution for c in range(resolution)]
    bs = [b_range[0] + (b_range[1] - b_range[0]) * (r + 0.5) / resolution for r in range(resolution)]
    grid = np.array([[loss_at(w, b) for w in ws] for b in bs])
    walker = net.copy()
    if start is not None:
        walker.layers[0].W[0, 0], walker.layers[0].b[0] = start
    path = [(walker.layers[0].W[0, 0], walker.layers[0].b[0])]
    for _ in range(epochs):
        batches = [slice(k, k + 1) for k in range(len(x))] if batch == 1 else [slice(None)]
        for rows in batches:
            walker = gradient_step(walker, backward(walker, x[rows], y[rows], loss), rate)
            if batch == 1:
                path.append((walker.layers[0].W[0, 0], walker.layers[0].b[0]))
        if batch != 1:
            path.append((walker.layers[0].W[0, 0], walker.layers[0].b[0]))
    fig, ax = plt.subplots(figsize=(6, 4.6))
    shown = ax.pcolormesh(ws, bs, np.log10(np.maximum(grid, 1e-12)), cmap="viridis", shading="auto")  # darker is lower
    fig.colorbar(shown, label="log₁₀ L(w, b)")
    if epochs:
        ax.plot(*zip(*path), "o-", color="white", markersize=2, linewidth=1)
        print(f"{epochs} epochs of gradient descent end at w = {path[-1][0]:.3f}, b = {path[-1][1]:.3f}.")
    if search:
        rng = Random(seed)
        guesses = []
        for _ in range(search):
            w = rng.uniform(w_range[0], w_range[1])
            b = rng.uniform(b_range[0], b_range[1])
            guesses.append((w, b, loss_at(w, b)))
        best = min(guesses, key=lambda g: g[2])
        ax.scatter([g[0] for g in guesses], [g[1] for g in guesses], s=8, color="orange")
        ax.scatter([best[0]], [best[1]], s=60, color="red", marker="*")
        print(f"The best of {search} random guesses: w = {best[0]:.2f}, b = {best[1]:.2f}, L = {best[2]:.4f}.")
    ax.set_xlabel("w")
    ax.set_ylabel("b")
    plt.show()
    return path
