/// Rosenblatt's perceptron: y = 1 if w₀ + Σ wᵢxᵢ ≥ 0 else 0, where w₀ = −θ is the bias.
public struct Perceptron: Codable, Hashable, Sendable {
  /// w₁ … wₙ.
  public var weights: [Double]
  /// w₀ (the weight of the constant input x₀ = 1).
  public var bias: Double

  public init(weights: [Double], bias: Double) {
    self.weights = weights
    self.bias = bias
  }

  /// w₀ + Σ wᵢxᵢ.
  public func netInput(_ x: [Double]) throws -> Double {
    guard x.count == weights.count else {
      throw EngineError.invalidArgument(
        "the perceptron has \(weights.count) weights but the input has \(x.count) values")
    }
    return zip(weights, x).reduce(bias) { $0 + $1.0 * $1.1 }
  }

  public func output(_ x: [Double]) throws -> Int {
    try netInput(x) >= 0 ? 1 : 0
  }

  /// The perceptron learning rule, sample by sample in the given order:
  /// wᵢ ← wᵢ + η(t − y)xᵢ and w₀ ← w₀ + η(t − y). Stops after the first epoch without a
  /// mistake (converged) or after `maxEpochs` (not converged, as on XOR).
  public mutating func train(
    inputs: [[Double]], targets: [Int], learningRate: Double = 1, maxEpochs: Int = 100
  ) throws -> PerceptronTraining {
    guard inputs.count == targets.count, !inputs.isEmpty else {
      throw EngineError.invalidArgument(
        "the perceptron needs one target per input row: \(inputs.count) rows, \(targets.count) targets"
      )
    }
    guard maxEpochs >= 1, learningRate.isFinite, learningRate > 0 else {
      throw EngineError.invalidArgument("the perceptron needs maxEpochs ≥ 1 and a positive rate")
    }
    for t in targets where t != 0 && t != 1 {
      throw EngineError.invalidArgument("perceptron targets are 0 or 1, got \(t)")
    }
    var epochs: [PerceptronTraining.Epoch] = []
    for epoch in 1...maxEpochs {
      var mistakes = 0
      for (x, t) in zip(inputs, targets) {
        let y = try output(x)
        guard y != t else { continue }
        mistakes += 1
        let step = learningRate * Double(t - y)
        for i in weights.indices { weights[i] += step * x[i] }
        bias += step
      }
      epochs.append(.init(epoch: epoch, mistakes: mistakes, weights: weights, bias: bias))
      if mistakes == 0 { return PerceptronTraining(converged: true, epochs: epochs) }
    }
    return PerceptronTraining(converged: false, epochs: epochs)
  }
}

/// The course of perceptron training.
public struct PerceptronTraining: Hashable, Sendable {
  public struct Epoch: Hashable, Sendable {
    public var epoch: Int
    /// Samples misclassified (and so updated) during the epoch.
    public var mistakes: Int
    /// Weights and bias at the epoch's end.
    public var weights: [Double]
    public var bias: Double
  }

  /// Whether an epoch passed without a mistake.
  public var converged: Bool
  public var epochs: [Epoch]
}
