import RealModule

/// A gradient-descent method and its hyper-parameters (Keras's formulas and defaults).
///
/// With g = ∂L/∂θ, step t = 1, 2, …, epoch e = 1, 2, … and
/// η_t = η·s(e) / (1 + decay·(t − 1)), s the schedule's factor (``Schedule``):
/// - SGD: v ← μv − η_t·g; θ ← θ + v (Nesterov: θ ← θ + μv − η_t·g); μ = 0 is plain SGD.
/// - AdaGrad: s ← s + g²; θ ← θ − η_t·g / (√s + ε), s starting at 0.1.
/// - RMSprop: s ← ρs + (1 − ρ)g²; θ ← θ − η_t·g / (√s + ε).
/// - Adam: m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²;
///   θ ← θ − η_t·√(1 − β₂ᵗ)/(1 − β₁ᵗ)·m / (√v + ε); with AMSGrad v̂ ← max(v̂, v) and
///   v̂ in place of v.
/// - AdaDelta: s ← ρs + (1 − ρ)g²; Δ = √(u + ε)/√(s + ε)·g; u ← ρu + (1 − ρ)Δ²; θ ← θ − η_t·Δ.
public struct Optimizer: Hashable, Sendable, CustomStringConvertible {
  public enum Method: Hashable, Sendable {
    case sgd(momentum: Double, nesterov: Bool)
    case adagrad(epsilon: Double)
    case rmsprop(rho: Double, epsilon: Double)
    case adam(beta1: Double, beta2: Double, epsilon: Double)
    case adadelta(rho: Double, epsilon: Double)
  }

  public var method: Method
  public var learningRate: Double
  /// Inverse-time decay of the learning rate per step.
  public var decay: Double
  /// The learning rate's factor per epoch.
  public var schedule = Schedule.constant
  /// Adam's AMSGrad variant (Reddi et al.): the step divides by the largest v so far.
  public var amsgrad = false

  public init(_ method: Method, learningRate: Double, decay: Double = 0) {
    self.method = method
    self.learningRate = learningRate
    self.decay = decay
  }

  /// η_t for step t (1-based) of epoch e (1-based).
  public func rate(epoch: Int, step: Int) -> Double {
    learningRate * schedule.factor(epoch: epoch) / (1 + decay * Double(step - 1))
  }

  public static func sgd(
    learningRate: Double = 0.01, momentum: Double = 0, nesterov: Bool = false, decay: Double = 0
  ) -> Optimizer {
    Optimizer(
      .sgd(momentum: momentum, nesterov: nesterov), learningRate: learningRate, decay: decay)
  }
  public static func adagrad(learningRate: Double = 0.001, epsilon: Double = 1e-7) -> Optimizer {
    Optimizer(.adagrad(epsilon: epsilon), learningRate: learningRate)
  }
  public static func rmsprop(
    learningRate: Double = 0.001, rho: Double = 0.9, epsilon: Double = 1e-7
  )
    -> Optimizer
  {
    Optimizer(.rmsprop(rho: rho, epsilon: epsilon), learningRate: learningRate)
  }
  public static func adam(
    learningRate: Double = 0.001, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-7
  ) -> Optimizer {
    Optimizer(.adam(beta1: beta1, beta2: beta2, epsilon: epsilon), learningRate: learningRate)
  }
  public static func adadelta(
    learningRate: Double = 0.001, rho: Double = 0.95, epsilon: Double = 1e-7
  )
    -> Optimizer
  {
    Optimizer(.adadelta(rho: rho, epsilon: epsilon), learningRate: learningRate)
  }

  /// The names notebooks use.
  public static let knownNames = [
    "sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adadelta",
  ]

  /// The optimizer with a name and Keras's defaults (`momentum` is SGD with μ = 0.9).
  public init?(name: String, learningRate: Double? = nil) {
    switch name.lowercased() {
    case "sgd", "gd", "gradient_descent": self = .sgd()
    case "momentum": self = .sgd(momentum: 0.9)
    case "nesterov": self = .sgd(momentum: 0.9, nesterov: true)
    case "adagrad": self = .adagrad()
    case "rmsprop": self = .rmsprop()
    case "adam": self = .adam()
    case "adadelta": self = .adadelta()
    default: return nil
    }
    if let learningRate { self.learningRate = learningRate }
  }

  public var name: String {
    switch method {
    case .sgd(let momentum, let nesterov):
      momentum == 0 ? "sgd" : (nesterov ? "nesterov" : "momentum")
    case .adagrad: "adagrad"
    case .rmsprop: "rmsprop"
    case .adam: "adam"
    case .adadelta: "adadelta"
    }
  }

  public var description: String { "\(name)(η = \(learningRate))" }

  /// Checks the hyper-parameters a notebook may have set.
  public func validate() throws {
    try schedule.validate()
    if amsgrad, case .adam = method {
    } else if amsgrad {
      throw EngineError.invalidArgument("AMSGrad is a variant of Adam; \(name) has none")
    }
    let epsilon: Double? =
      switch method {
      case .sgd: nil
      case .adagrad(let e), .rmsprop(_, let e), .adam(_, _, let e), .adadelta(_, let e): e
      }
    if let epsilon, !(epsilon.isFinite && epsilon > 0) {
      throw EngineError.invalidArgument("ε must be a positive number, got \(epsilon)")
    }
    guard learningRate.isFinite, learningRate > 0 else {
      throw EngineError.invalidArgument(
        "the learning rate must be a positive number, got \(learningRate)")
    }
    guard decay.isFinite, decay >= 0 else {
      throw EngineError.invalidArgument("decay must be zero or positive, got \(decay)")
    }
    switch method {
    case .sgd(let momentum, _):
      guard (0..<1).contains(momentum) else {
        throw EngineError.invalidArgument("momentum must be in [0, 1), got \(momentum)")
      }
    case .rmsprop(let rho, _), .adadelta(let rho, _):
      guard (0..<1).contains(rho) else {
        throw EngineError.invalidArgument("rho must be in [0, 1), got \(rho)")
      }
    case .adam(let beta1, let beta2, _):
      guard (0..<1).contains(beta1), (0..<1).contains(beta2) else {
        throw EngineError.invalidArgument(
          "Adam's betas must be in [0, 1), got \(beta1) and \(beta2)")
      }
    case .adagrad: break
    }
  }
}

/// An optimizer's running state for one network: its step count and per-parameter slots.
public struct OptimizerState<Scalar: MatrixScalar>: Sendable {
  public let optimizer: Optimizer
  public private(set) var step = 0
  /// The epoch (1-based) the schedule reads; the trainer sets it.
  public var epoch = 1
  private var first: [[Scalar]]
  private var second: [[Scalar]]
  /// AMSGrad's largest v so far (empty otherwise).
  private var third: [[Scalar]]
  /// The first slot of the extra parameter sets.
  private var extraStart = 0

  public init(_ optimizer: Optimizer, for network: Network<Scalar>, extra: [Int] = []) {
    self.optimizer = optimizer
    // Four slots per layer: weights at 4l, biases at 4l + 1, γ and β at 4l + 2 and 4l + 3;
    // then the `extra` parameter sets (a convolutional stage's kernels and biases).
    let sizes =
      network.layers.flatMap {
        let units = $0.batchNorm?.gamma.count ?? 0
        return [$0.weights.elements.count, $0.bias?.count ?? 0, units, units]
      } + extra
    extraStart = 4 * network.layers.count
    let start: Scalar = if case .adagrad = optimizer.method { 0.1 } else { 0 }
    first = sizes.map { Array(repeating: start, count: $0) }
    second = sizes.map { Array(repeating: 0, count: $0) }
    third = optimizer.amsgrad ? second : sizes.map { _ in [] }
  }

  /// The learning rate the next step uses.
  public var nextRate: Double { optimizer.rate(epoch: epoch, step: step + 1) }

  /// Applies one step to the network's weights and biases, given their gradients
  /// (as a ``BackwardTrace`` gives them).
  public mutating func update(
    _ network: inout Network<Scalar>, weightGradients: [Matrix<Scalar>], biasGradients: [[Scalar]?]
  ) {
    update(
      &network, weightGradients: weightGradients.map(\.elements),
      biasGradients: biasGradients.map { $0 ?? [] })
  }

  mutating func update(
    _ network: inout Network<Scalar>, weightGradients: [[Scalar]], biasGradients: [[Scalar]],
    gammaGradients: [[Scalar]] = [], betaGradients: [[Scalar]] = []
  ) {
    step += 1
    for l in network.layers.indices {
      apply(&network.layers[l].weights.elements, gradient: weightGradients[l], slot: 4 * l)
      if var bias = network.layers[l].bias {
        network.layers[l].bias = nil  // keeps `bias` uniquely referenced: updated in place
        apply(&bias, gradient: biasGradients[l], slot: 4 * l + 1)
        network.layers[l].bias = bias
      }
      if var norm = network.layers[l].batchNorm, gammaGradients.indices.contains(l),
        betaGradients.indices.contains(l)
      {
        network.layers[l].batchNorm = nil
        apply(&norm.gamma, gradient: gammaGradients[l], slot: 4 * l + 2)
        apply(&norm.beta, gradient: betaGradients[l], slot: 4 * l + 3)
        network.layers[l].batchNorm = norm
      }
    }
  }

  /// Applies the current step (the one ``update(_:weightGradients:biasGradients:)`` just
  /// counted) to extra parameter set `index`, given its gradient.
  mutating func updateExtra(_ parameters: inout [Scalar], gradient: [Scalar], index: Int) {
    apply(&parameters, gradient: gradient, slot: extraStart + index)
  }

  private mutating func apply(_ parameters: inout [Scalar], gradient: [Scalar], slot: Int) {
    let t = Double(step)
    let eta = Scalar(optimizer.rate(epoch: epoch, step: step))
    let method = optimizer.method
    if optimizer.amsgrad, case .adam(let beta1, let beta2, let epsilon) = method {
      amsgrad(&parameters, gradient, slot: slot, eta: eta, t: t, (beta1, beta2, epsilon))
      return
    }
    Kernels.update(&parameters, gradient: gradient, first: &first[slot], second: &second[slot]) {
      theta, g, m, v in
      let count = min(theta.count, g.count)
      switch method {
      case .sgd(let momentum, let nesterov):
        if momentum == 0 {
          for i in 0..<count { theta[i] -= eta * g[i] }
          return
        }
        let mu = Scalar(momentum)
        for i in 0..<count {
          let velocity = mu * m[i] - eta * g[i]
          m[i] = velocity
          theta[i] += nesterov ? mu * velocity - eta * g[i] : velocity
        }
      case .adagrad(let epsilon):
        let e = Scalar(epsilon)
        for i in 0..<count {
          m[i] += g[i] * g[i]
          theta[i] -= eta * g[i] / (m[i].squareRoot() + e)
        }
      case .rmsprop(let rho, let epsilon):
        let (r, e) = (Scalar(rho), Scalar(epsilon))
        for i in 0..<count {
          m[i] = r * m[i] + (1 - r) * g[i] * g[i]
          theta[i] -= eta * g[i] / (m[i].squareRoot() + e)
        }
      case .adam(let beta1, let beta2, let epsilon):
        let (b1, b2, e) = (Scalar(beta1), Scalar(beta2), Scalar(epsilon))
        let corrected =
          eta * Scalar((1 - Double.pow(beta2, t)).squareRoot() / (1 - Double.pow(beta1, t)))
        for i in 0..<count {
          m[i] = b1 * m[i] + (1 - b1) * g[i]
          v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
          theta[i] -= corrected * m[i] / (v[i].squareRoot() + e)
        }
      case .adadelta(let rho, let epsilon):
        let (r, e) = (Scalar(rho), Scalar(epsilon))
        for i in 0..<count {
          m[i] = r * m[i] + (1 - r) * g[i] * g[i]
          let delta = (v[i] + e).squareRoot() / (m[i] + e).squareRoot() * g[i]
          v[i] = r * v[i] + (1 - r) * delta * delta
          theta[i] -= eta * delta
        }
      }
    }
  }

  /// Adam with AMSGrad: v̂ ← max(v̂, v), θ ← θ − η_t·√(1 − β₂ᵗ)/(1 − β₁ᵗ)·m / (√v̂ + ε).
  private mutating func amsgrad(
    _ theta: inout [Scalar], _ g: [Scalar], slot: Int, eta: Scalar, t: Double,
    _ constants: (Double, Double, Double)
  ) {
    let (beta1, beta2, epsilon) = constants
    let (b1, b2, e) = (Scalar(beta1), Scalar(beta2), Scalar(epsilon))
    let corrected =
      eta * Scalar((1 - Double.pow(beta2, t)).squareRoot() / (1 - Double.pow(beta1, t)))
    for i in theta.indices where i < g.count {
      first[slot][i] = b1 * first[slot][i] + (1 - b1) * g[i]
      second[slot][i] = b2 * second[slot][i] + (1 - b2) * g[i] * g[i]
      third[slot][i] = Swift.max(third[slot][i], second[slot][i])
      theta[i] -= corrected * first[slot][i] / (third[slot][i].squareRoot() + e)
    }
  }
}

/// How the learning rate changes from epoch to epoch: a factor s(e) for epoch e = 1, 2, …
/// - constant: s = 1.
/// - step: s = f^⌊(e − 1)/k⌋ (the rate times f every k epochs).
/// - exponential: s = f^((e − 1)/k).
/// - cosine: s = α + (1 − α)·½(1 + cos(π·min(e − 1, T)/T)) (from 1 down to α over T epochs).
public enum Schedule: Hashable, Sendable {
  case constant
  case step(factor: Double, every: Int)
  case exponential(factor: Double, every: Int)
  case cosine(epochs: Int, floor: Double)

  public func factor(epoch: Int) -> Double {
    let e = Double(max(0, epoch - 1))
    switch self {
    case .constant: return 1
    case .step(let f, let k): return Double.pow(f, (e / Double(max(1, k))).rounded(.down))
    case .exponential(let f, let k): return Double.pow(f, e / Double(max(1, k)))
    case .cosine(let epochs, let floor):
      let progress = min(e, Double(max(1, epochs))) / Double(max(1, epochs))
      return floor + (1 - floor) * 0.5 * (1 + Double.cos(Double.pi * progress))
    }
  }

  func validate() throws {
    switch self {
    case .constant: break
    case .step(let f, let k), .exponential(let f, let k):
      guard f.isFinite, f > 0, k >= 1 else {
        throw EngineError.invalidArgument(
          "a schedule needs a factor > 0 and a period of at least 1 epoch, got \(f) and \(k)")
      }
    case .cosine(let epochs, let floor):
      guard epochs >= 1, floor.isFinite, (0...1).contains(floor) else {
        throw EngineError.invalidArgument(
          "a cosine schedule needs at least 1 epoch and a floor in [0, 1], got \(epochs) and \(floor)"
        )
      }
    }
  }
}
