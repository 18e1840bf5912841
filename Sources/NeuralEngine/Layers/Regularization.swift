/// Keras's `kernel_regularizer` on one layer: the loss gains l1·Σ|w| + l2·Σw² over the
/// layer's weights, so each weight's gradient gains l1·sign(w) + 2·l2·w (sign(0) = 0, as
/// TensorFlow's). Unlike the training configuration's `l2` (scikit-learn's α/(2n)·Σ‖W‖²),
/// the penalty is not divided by the batch size.
public struct Regularizer: Codable, Hashable, Sendable {
  public var l1: Double
  public var l2: Double

  public init(l1: Double = 0, l2: Double = 0) {
    self.l1 = l1
    self.l2 = l2
  }

  /// l1·Σ|w| + l2·Σw².
  public func penalty<S: MatrixScalar>(_ weights: [S]) -> Double {
    var absolute = 0.0
    var squares = 0.0
    for w in weights {
      let value = Double(w)
      absolute += Swift.abs(value)
      squares += value * value
    }
    return l1 * absolute + l2 * squares
  }

  /// Adds l1·sign(w) + 2·l2·w to each weight's gradient; returns the penalty.
  func addGradient<S: MatrixScalar>(_ gradient: inout [S], weights: [S]) -> S {
    let (a, b) = (S(l1), S(2 * l2))
    var absolute = S.zero
    var squares = S.zero
    for i in weights.indices {
      let w = weights[i]
      let sign: S = w > 0 ? 1 : (w < 0 ? -1 : 0)
      gradient[i] += a * sign + b * w
      absolute += Swift.abs(w)
      squares += w * w
    }
    return a * absolute + S(l2) * squares
  }
}

/// Batch normalisation of a dense layer's net inputs z = x·W + b, unit by unit:
/// x̂ = (z − μ)/√(σ² + ε) and y = γ·x̂ + β, which the activation then reads. While training,
/// μ and σ² are the batch's mean and (biased) variance, and the running statistics move
/// toward them: μ_run ← m·μ_run + (1 − m)·μ, σ²_run ← m·σ²_run + (1 − m)·σ² (Keras's
/// momentum m = 0.99, ε = 0.001). Evaluation and prediction use the running statistics.
public struct BatchNorm<Scalar: MatrixScalar>: Codable, Equatable, Sendable {
  public var gamma: [Scalar]
  public var beta: [Scalar]
  public var runningMean: [Scalar]
  public var runningVariance: [Scalar]
  public var momentum: Double
  public var epsilon: Double

  /// γ = 1, β = 0, running mean 0 and variance 1 (Keras's initial values).
  public init(units: Int, momentum: Double = 0.99, epsilon: Double = 0.001) {
    gamma = Array(repeating: 1, count: units)
    beta = Array(repeating: 0, count: units)
    runningMean = Array(repeating: 0, count: units)
    runningVariance = Array(repeating: 1, count: units)
    self.momentum = momentum
    self.epsilon = epsilon
  }

  public init<Other: MatrixScalar>(converting other: BatchNorm<Other>) {
    gamma = other.gamma.map { Scalar($0) }
    beta = other.beta.map { Scalar($0) }
    runningMean = other.runningMean.map { Scalar($0) }
    runningVariance = other.runningVariance.map { Scalar($0) }
    momentum = other.momentum
    epsilon = other.epsilon
  }

  /// Whether every vector has one entry per unit and the constants are usable.
  public func fits(units: Int) -> Bool {
    [gamma.count, beta.count, runningMean.count, runningVariance.count].allSatisfy { $0 == units }
      && (0..<1).contains(momentum) && epsilon > 0 && epsilon.isFinite
  }

  /// Moves the running statistics toward a batch's mean and variance.
  mutating func track(mean: [Scalar], variance: [Scalar]) {
    let m = Scalar(momentum)
    for j in runningMean.indices where j < mean.count && j < variance.count {
      runningMean[j] = m * runningMean[j] + (1 - m) * mean[j]
      runningVariance[j] = m * runningVariance[j] + (1 - m) * variance[j]
    }
  }
}

/// Whether a pass trains (dropout masks drawn, batch statistics) or infers.
public enum PassMode: Sendable, Equatable {
  /// Every unit kept, running statistics.
  case inference
  /// Dropout masks drawn from a generator seeded so; batch statistics.
  case training(seed: UInt64)
}
