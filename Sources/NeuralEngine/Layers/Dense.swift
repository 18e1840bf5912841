/// A fully connected layer: a = φ(x·W + b).
///
/// `weights` has one row per input and one column per unit, so `weights[i, j]` is the
/// textbook's w_ij, the weight on the edge from input i to unit j.
public struct Dense<Scalar: MatrixScalar>: Codable, Equatable, Sendable {
  public var weights: Matrix<Scalar>
  /// One bias per unit (the textbook's θ_j), or `nil` for a layer without bias.
  public var bias: [Scalar]?
  public var activation: Activation
  /// Optional names of the units (the textbook calls them 4, 5, 6).
  public var unitNames: [String]?
  /// Inverted dropout on the layer's outputs while training (Keras's `Dropout(rate)` after
  /// the layer): each output is kept with probability 1 − rate and scaled by 1/(1 − rate);
  /// evaluation and prediction use every unit unscaled. 0 is no dropout.
  public var dropout: Double = 0
  /// Keras's `kernel_regularizer` on this layer's weights (biases are not penalised).
  public var regularizer: Regularizer?
  /// Batch normalisation of the net inputs before the activation (Keras's
  /// `BatchNormalization` between `Dense` and `Activation`).
  public var batchNorm: BatchNorm<Scalar>?

  /// A layer with every weight and bias given.
  public init(
    weights: Matrix<Scalar>, bias: [Scalar]?, activation: Activation, unitNames: [String]? = nil
  ) throws {
    if let bias, bias.count != weights.columns {
      throw EngineError.shapeMismatch(
        operation: "a dense layer's bias", left: weights.shape,
        right: Shape(rows: 1, columns: bias.count),
        rule: "one bias per unit: \(weights.columns) needed")
    }
    if let unitNames, unitNames.count != weights.columns {
      throw EngineError.invalidArgument(
        "a layer of \(weights.columns) units needs \(weights.columns) names, got \(unitNames.count)"
      )
    }
    self.weights = weights
    self.bias = bias
    self.activation = activation
    self.unitNames = unitNames
  }

  /// A layer with initial weights drawn from an initialiser.
  public init(
    inputs: Int, units: Int, activation: Activation, useBias: Bool = true,
    initializer: Initializer = .glorotUniform, biasInitializer: Initializer = .zeros,
    unitNames: [String]? = nil, generator: inout RandomGenerator
  ) throws {
    guard inputs > 0, units > 0 else {
      throw EngineError.invalidArgument(
        "a dense layer needs at least one input and one unit, got \(inputs) and \(units)")
    }
    let weights = try Matrix<Scalar>(
      rows: inputs, columns: units,
      elements: initializer.values(
        count: inputs * units, fanIn: inputs, fanOut: units, using: &generator))
    let bias: [Scalar]? =
      useBias
      ? biasInitializer.values(count: units, fanIn: inputs, fanOut: units, using: &generator)
      : nil
    try self.init(weights: weights, bias: bias, activation: activation, unitNames: unitNames)
  }

  public var inputCount: Int { weights.rows }
  public var unitCount: Int { weights.columns }
  /// Weights plus biases (plus γ and β under batch normalisation).
  public var parameterCount: Int {
    weights.elements.count + (bias?.count ?? 0) + 2 * (batchNorm?.gamma.count ?? 0)
  }
}
