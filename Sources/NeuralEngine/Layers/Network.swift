/// A feed-forward network: dense layers applied in order to a batch of inputs.
public struct Network<Scalar: MatrixScalar>: Codable, Equatable, Sendable {
  public private(set) var inputCount: Int
  /// The layers in order. Change them through the checked setters below.
  public internal(set) var layers: [Dense<Scalar>]
  /// Optional names of the inputs (the textbook's x1 x2 x3 are units 1 2 3).
  public var inputNames: [String]?
  /// How parameters are named: the textbook's unit notation (`w14`, `θ4`), or, for a
  /// single neuron of one input, plain `w` and `b`.
  public var parameterNaming = ParameterNaming.units

  /// Whether the network is one neuron of one input: `w` and `b` name it fully.
  public var isSingleNeuron: Bool {
    inputCount == 1 && layers.count == 1 && layers[0].unitCount == 1
  }

  /// A network from its layers; each layer's inputs must equal the previous layer's units.
  public init(inputs: Int, layers: [Dense<Scalar>], inputNames: [String]? = nil) throws {
    guard inputs > 0 else {
      throw EngineError.invalidArgument("a network needs at least one input, got \(inputs)")
    }
    if let inputNames, inputNames.count != inputs {
      throw EngineError.invalidArgument(
        "\(inputs) inputs need \(inputs) names, got \(inputNames.count)")
    }
    if let (index, expected) = Self.chainBreak(inputs, layers) {
      let layer = layers[index]
      throw EngineError.shapeMismatch(
        operation: "layer \(index + 1)'s weights", left: Shape(rows: 1, columns: expected),
        right: layer.weights.shape,
        rule: "NCOL(X) == NROW(W) needs \(expected) == \(layer.inputCount)")
    }
    for (index, layer) in layers.enumerated() {
      guard layer.dropout.isFinite, (0..<1).contains(layer.dropout) else {
        throw EngineError.invalidArgument(
          "layer \(index + 1)'s dropout rate must be in [0, 1), got \(layer.dropout)")
      }
      if layer.dropout > 0, index == layers.count - 1 {
        throw EngineError.invalidArgument(
          "the output layer cannot drop units: put the dropout on a hidden layer")
      }
      if let norm = layer.batchNorm, !norm.fits(units: layer.unitCount) {
        throw EngineError.invalidArgument(
          "layer \(index + 1)'s batch normalisation needs one γ, β and running statistic per unit, momentum in [0, 1) and ε > 0"
        )
      }
      if let r = layer.regularizer, !(r.l1.isFinite && r.l1 >= 0 && r.l2.isFinite && r.l2 >= 0) {
        throw EngineError.invalidArgument(
          "layer \(index + 1)'s regularizer needs l1 ≥ 0 and l2 ≥ 0, got \(r.l1) and \(r.l2)")
      }
    }
    self.inputCount = inputs
    self.layers = layers
    self.inputNames = inputNames
  }

  /// A network of freshly initialised layers: `units[k]` units with `activations[k]`.
  public init(
    inputs: Int, units: [Int], activations: [Activation], useBias: Bool = true,
    initializer: Initializer = .glorotUniform, seed: UInt64
  ) throws {
    guard units.count == activations.count else {
      throw EngineError.invalidArgument(
        "\(units.count) layer sizes but \(activations.count) activations")
    }
    var generator = RandomGenerator(seed: seed)
    var layers: [Dense<Scalar>] = []
    var fanIn = inputs
    for (count, activation) in zip(units, activations) {
      layers.append(
        try Dense(
          inputs: fanIn, units: count, activation: activation, useBias: useBias,
          initializer: initializer, generator: &generator))
      fanIn = count
    }
    try self.init(inputs: inputs, layers: layers)
  }

  /// The number of outputs (the last layer's units, or the inputs of an empty network).
  public var outputCount: Int { layers.last?.unitCount ?? inputCount }

  public var parameterCount: Int { layers.reduce(0) { $0 + $1.parameterCount } }

  /// The same network in another precision.
  public init<Other: MatrixScalar>(converting other: Network<Other>) {
    inputCount = other.inputCount
    inputNames = other.inputNames
    parameterNaming = other.parameterNaming
    layers = other.layers.map { layer in
      // Shapes are unchanged, so the checked initialiser cannot fail here.
      var converted = Dense(
        unchecked: Matrix(converting: layer.weights), bias: layer.bias?.map { Scalar($0) },
        activation: layer.activation, unitNames: layer.unitNames)
      converted.dropout = layer.dropout
      converted.regularizer = layer.regularizer
      converted.batchNorm = layer.batchNorm.map { BatchNorm(converting: $0) }
      return converted
    }
  }

  /// Replaces one layer's weights (0-based layer index); the shape must stay the same.
  public mutating func setWeights(_ weights: Matrix<Scalar>, layer index: Int) throws {
    let layer = try self.layer(index)
    guard weights.shape == layer.weights.shape else {
      throw EngineError.shapeMismatch(
        operation: "setting layer \(index + 1)'s weights", left: layer.weights.shape,
        right: weights.shape, rule: "the new weights must have the old shape")
    }
    layers[index].weights = weights
  }

  /// Replaces one layer's biases (0-based layer index); one per unit.
  public mutating func setBias(_ bias: [Scalar], layer index: Int) throws {
    let layer = try self.layer(index)
    guard bias.count == layer.unitCount else {
      throw EngineError.invalidArgument(
        "layer \(index + 1) has \(layer.unitCount) units, so it takes \(layer.unitCount) biases, not \(bias.count)"
      )
    }
    layers[index].bias = bias
  }

  /// The layer at a 0-based index, or an error.
  /// Sets one weight or bias in place; an identifier outside the network is an error.
  public mutating func setParameter(_ parameter: ParameterID, to value: Scalar) throws {
    switch parameter {
    case .weight(let l, let from, let to):
      guard layers.indices.contains(l), (0..<layers[l].inputCount).contains(from),
        (0..<layers[l].unitCount).contains(to)
      else { throw EngineError.invalidArgument("the network has no weight \(parameter)") }
      layers[l].weights[from, to] = value
    case .bias(let l, let unit):
      guard layers.indices.contains(l), let bias = layers[l].bias, bias.indices.contains(unit)
      else {
        throw EngineError.invalidArgument("the network has no bias \(parameter)")
      }
      layers[l].bias?[unit] = value
    }
  }

  public func layer(_ index: Int) throws -> Dense<Scalar> {
    guard layers.indices.contains(index) else {
      throw EngineError.invalidArgument(
        "the network has \(layers.count) layers; there is no layer \(index + 1)")
    }
    return layers[index]
  }

  /// Where a list of layers fails to chain: the layer index and the width it should take.
  static func chainBreak(_ inputs: Int, _ layers: [Dense<Scalar>]) -> (Int, Int)? {
    var width = inputs
    for (index, layer) in layers.enumerated() {
      if layer.inputCount != width { return (index, width) }
      width = layer.unitCount
    }
    return nil
  }
}

extension Dense {
  init(
    unchecked weights: Matrix<Scalar>, bias: [Scalar]?, activation: Activation, unitNames: [String]?
  ) {
    self.weights = weights
    self.bias = bias
    self.activation = activation
    self.unitNames = unitNames
  }
}

/// How a network's parameters are named in tables and values.
public enum ParameterNaming: Codable, Sendable, Equatable {
  /// `w14` from unit 1 to unit 4, `θ4` for unit 4's bias.
  case units
  /// `w` and `b`: a single neuron of one input.
  case neuron
}

extension Network {
  private enum CodingKeys: String, CodingKey {
    case inputCount, layers, inputNames, parameterNaming
  }

  /// Decoded through the checking initializer: layers whose shapes do not chain, a bias of
  /// the wrong length or names of the wrong count are an error, never a network that would
  /// fail a precondition later.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let layers = try container.decode([Dense<Scalar>].self, forKey: .layers)
    for layer in layers {
      guard layer.bias.map({ $0.count == layer.unitCount }) ?? true,
        layer.unitNames.map({ $0.count == layer.unitCount }) ?? true
      else {
        throw DecodingError.dataCorruptedError(
          forKey: .layers, in: container, debugDescription: "a layer's bias or names do not fit")
      }
    }
    try self.init(
      inputs: try container.decode(Int.self, forKey: .inputCount), layers: layers,
      inputNames: try container.decodeIfPresent([String].self, forKey: .inputNames))
    parameterNaming = try container.decode(ParameterNaming.self, forKey: .parameterNaming)
  }
}
