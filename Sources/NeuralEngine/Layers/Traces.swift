/// What a forward pass computed in one layer: net inputs z and outputs a = φ(z), one row
/// per sample and one column per unit (the textbook's I_j and O_j).
public struct LayerTrace<Scalar: MatrixScalar>: Equatable, Sendable {
  public var netInput: Matrix<Scalar>
  public var output: Matrix<Scalar>
  /// A training pass's dropout mask: 1/(1 − rate) where a unit was kept, 0 where dropped.
  public var mask: Matrix<Scalar>?
  /// φ before the dropout mask (a training pass of a layer with dropout).
  public var beforeDropout: Matrix<Scalar>?
  /// Batch normalisation between z and the activation.
  public var normalization: NormalizationTrace<Scalar>?

  public init(
    netInput: Matrix<Scalar>, output: Matrix<Scalar>, mask: Matrix<Scalar>? = nil,
    normalization: NormalizationTrace<Scalar>? = nil
  ) {
    self.netInput = netInput
    self.output = output
    self.mask = mask
    self.normalization = normalization
  }
}

/// One layer's batch normalisation: per unit the mean μ and variance σ² used (the batch's
/// while training, else the running ones), x̂ = (z − μ)/√(σ² + ε) and y = γ·x̂ + β.
public struct NormalizationTrace<Scalar: MatrixScalar>: Equatable, Sendable {
  public var mean: [Scalar]
  public var variance: [Scalar]
  public var normalized: Matrix<Scalar>
  public var output: Matrix<Scalar>
  public var gamma: [Scalar]
  public var beta: [Scalar]
  public var epsilon: Double
  /// Whether μ and σ² are the batch's own (a training pass).
  public var batchStatistics: Bool
}

/// A forward pass: the input and every layer's net inputs and outputs.
public struct ForwardTrace<Scalar: MatrixScalar>: Equatable, Sendable {
  public var input: Matrix<Scalar>
  public var layers: [LayerTrace<Scalar>]
  /// The network's prediction ŷ (the input itself for a network without layers).
  public var output: Matrix<Scalar> { layers.last?.output ?? input }
}

/// A backward pass: the loss, every unit's error δ = ∂L/∂z and every parameter's gradient.
///
/// The textbook's Err_j is −δ_j: Han & Kamber define the error as O_j(1 − O_j)(T_j − O_j),
/// the negative of ∂L/∂I_j for L = ½Σ(T − O)². ``textbookErrors`` gives them that way.
public struct BackwardTrace<Scalar: MatrixScalar>: Equatable, Sendable {
  public var loss: Scalar
  /// δ⁽ˡ⁾ = ∂L/∂z⁽ˡ⁾ per layer (one row per sample).
  public var deltas: [Matrix<Scalar>]
  /// ∂L/∂W⁽ˡ⁾ per layer, shaped like the weights.
  public var weightGradients: [Matrix<Scalar>]
  /// ∂L/∂b⁽ˡ⁾ per layer (`nil` for a layer without bias).
  public var biasGradients: [[Scalar]?]
  /// ∂L/∂γ and ∂L/∂β per layer under batch normalisation (`nil` elsewhere).
  public var gammaGradients: [[Scalar]?] = []
  public var betaGradients: [[Scalar]?] = []

  /// The textbook's Err_j = −∂L/∂I_j per layer.
  public var textbookErrors: [Matrix<Scalar>] { deltas.map { $0.scaled(by: -1) } }
}

/// Which parameter: a weight from one unit to another, or a unit's bias (0-based).
public enum ParameterID: Hashable, Sendable {
  /// `weights[from, to]` of a layer.
  case weight(layer: Int, from: Int, to: Int)
  /// `bias[unit]` of a layer.
  case bias(layer: Int, unit: Int)

  public var layer: Int {
    switch self {
    case .weight(let layer, _, _), .bias(let layer, _): layer
    }
  }
}

/// One row of an update table: `w46 = −0.3 + (0.9)(0.1311)(0.332) = −0.261`.
public struct ParameterUpdate<Scalar: MatrixScalar>: Equatable, Sendable {
  public var parameter: ParameterID
  /// The parameter's name in unit notation (`w46`, `θ6`).
  public var name: String
  public var oldValue: Scalar
  /// ∂L/∂parameter.
  public var gradient: Scalar
  public var learningRate: Scalar
  public var newValue: Scalar
  /// For a single sample: the receiving unit's error δ_j and the sending unit's output
  /// O_i (1 for a bias), so that gradient = δ_j·O_i. `nil` for batches of several samples.
  public var unitDelta: Scalar?
  public var sourceOutput: Scalar?
}

/// A gradient-descent step as a table of parameter updates.
public struct UpdateStep<Scalar: MatrixScalar>: Equatable, Sendable {
  public var learningRate: Scalar
  public var updates: [ParameterUpdate<Scalar>]
  /// The network after the step.
  public var network: Network<Scalar>
}
