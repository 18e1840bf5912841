/// One parameter's row of a gradient check.
public struct GradientCheckRow: Equatable, Sendable {
  public var name: String
  /// ∂L/∂θ by backpropagation.
  public var analytic: Double
  /// (L(θ + h) − L(θ − h)) / 2h.
  public var numerical: Double
  /// |analytic − numerical| / max(|analytic|, |numerical|, 10⁻⁸): the floor keeps a
  /// gradient that is zero (a bias before batch normalisation) from dividing rounding noise
  /// by rounding noise.
  public var relativeError: Double
}

extension Network where Scalar == Double {
  /// The smallest denominator of a relative error.
  public static var relativeErrorFloor: Double { 1e-8 }

  /// The most parameters a gradient check perturbs: each costs two forward passes.
  public static var gradientCheckLimit: Int { 5_000 }

  /// The loss of a batch, the same pass `backward` makes (penalties included).
  public func lossValue(
    _ input: Matrix<Double>, target: Matrix<Double>, loss: Loss, l2: Double = 0,
    mode: PassMode = .inference
  ) throws -> Double {
    try backward(input, target: target, loss: loss, l2: l2, mode: mode).backward.loss
  }

  /// Backpropagation's gradient of every parameter (weights, biases, then γ and β, layer by
  /// layer) beside centred finite differences with step `h`. A training-mode check redraws
  /// the same dropout masks for every evaluation, so the loss is one smooth function of θ.
  public func gradientCheck(
    _ input: Matrix<Double>, target: Matrix<Double>, loss: Loss, l2: Double = 0,
    step h: Double, mode: PassMode = .inference, interrupt: (() -> Bool)? = nil
  ) throws -> [GradientCheckRow] {
    guard h.isFinite, h > 0 else {
      throw EngineError.invalidArgument("the step h must be a positive number, got \(h)")
    }
    guard parameterCount <= Self.gradientCheckLimit else {
      throw EngineError.invalidArgument(
        "a gradient check perturbs every parameter twice: \(parameterCount) parameters is over its limit of \(Self.gradientCheckLimit)"
      )
    }
    let (_, trace) = try backward(input, target: target, loss: loss, l2: l2, mode: mode)
    var rows: [GradientCheckRow] = []
    func check(_ name: String, _ analytic: Double, _ perturb: (inout Network, Double) -> Void)
      throws
    {
      if let interrupt, interrupt() {
        throw EngineError.invalidArgument("the gradient check ran out of time")
      }
      var plus = self
      perturb(&plus, h)
      var minus = self
      perturb(&minus, -h)
      let numerical =
        (try plus.lossValue(input, target: target, loss: loss, l2: l2, mode: mode)
          - minus.lossValue(input, target: target, loss: loss, l2: l2, mode: mode)) / (2 * h)
      let scale = Swift.max(Swift.abs(analytic), Swift.abs(numerical), Self.relativeErrorFloor)
      rows.append(
        GradientCheckRow(
          name: name, analytic: analytic, numerical: numerical,
          relativeError: Swift.abs(analytic - numerical) / scale))
    }
    let labels = unitLabels
    for (l, layer) in layers.enumerated() {
      for i in 0..<layer.inputCount {
        for j in 0..<layer.unitCount {
          let id = ParameterID.weight(layer: l, from: i, to: j)
          try check(parameterName(id), trace.weightGradients[l][i, j]) { net, d in
            net.layers[l].weights[i, j] += d
          }
        }
      }
      if let gradients = trace.biasGradients[l] {
        for j in gradients.indices {
          try check(parameterName(.bias(layer: l, unit: j)), gradients[j]) { net, d in
            net.layers[l].bias?[j] += d
          }
        }
      }
      if layer.batchNorm != nil, let gamma = trace.gammaGradients[l],
        let beta = trace.betaGradients[l]
      {
        let units = labels.layers[l]
        for j in gamma.indices {
          try check("γ" + units[j], gamma[j]) { net, d in net.layers[l].batchNorm?.gamma[j] += d }
        }
        for j in beta.indices {
          try check("β" + units[j], beta[j]) { net, d in net.layers[l].batchNorm?.beta[j] += d }
        }
      }
    }
    return rows
  }
}
