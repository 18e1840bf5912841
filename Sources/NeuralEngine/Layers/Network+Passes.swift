extension Network {
  /// The forward pass of a batch (one sample per row), keeping every layer's z and a.
  @_specialize(exported:true,where Scalar == Float)
  @_specialize(exported:true,where Scalar == Double)
  public func forward(_ input: Matrix<Scalar>, mode: PassMode = .inference) throws
    -> ForwardTrace<Scalar>
  {
    ForwardTrace(input: input, layers: layerTraces(try run(input, mode: mode)))
  }

  /// The network's outputs ŷ for a batch.
  @_specialize(exported:true,where Scalar == Float)
  @_specialize(exported:true,where Scalar == Double)
  /// The input is taken ``evaluationRows`` rows at a time (a figure's grid of 40,000
  /// points is one call), on buffers of that size.
  public func predict(_ input: Matrix<Scalar>) throws -> Matrix<Scalar> {
    try checkInput(input)
    guard let last = layers.indices.last else { return input }
    var outputs: [Scalar] = []
    outputs.reserveCapacity(input.rows * outputCount)
    var passes = EvaluationPasses(self, rows: input.rows)
    passes.forward(self, input) { pass, _ in outputs.append(contentsOf: pass.a[last]) }
    return Matrix(uncheckedRows: input.rows, columns: outputCount, elements: outputs)
  }

  /// Forward and backward pass of a batch against its targets: every δ and gradient.
  /// `l2` is scikit-learn's `alpha`: the loss gains α/(2n)·Σ‖W‖² over the batch's n rows.
  @_specialize(exported:true,where Scalar == Float)
  @_specialize(exported:true,where Scalar == Double)
  /// In `.training` mode dropout masks are drawn from the seed and batch normalisation
  /// uses the batch's statistics, as one training step would.
  public func backward(
    _ input: Matrix<Scalar>, target: Matrix<Scalar>, loss: Loss, l2: Double = 0,
    mode: PassMode = .inference
  ) throws -> (forward: ForwardTrace<Scalar>, backward: BackwardTrace<Scalar>) {
    try loss.checkShapes(Shape(rows: input.rows, columns: outputCount), target.shape)
    var pass = try run(input, mode: mode)
    let value = try pass.backward(
      self, input: input.elements, inputOffset: 0, target: target.elements, targetOffset: 0,
      loss: loss, l2: Scalar(l2))
    let trace = BackwardTrace(
      loss: value,
      deltas: layers.indices.map {
        Matrix(uncheckedRows: input.rows, columns: layers[$0].unitCount, elements: pass.delta[$0])
      },
      weightGradients: layers.indices.map {
        Matrix(
          uncheckedRows: layers[$0].inputCount, columns: layers[$0].unitCount,
          elements: pass.weightGradients[$0])
      },
      biasGradients: layers.indices.map { layers[$0].bias == nil ? nil : pass.biasGradients[$0] },
      gammaGradients: layers.indices.map {
        layers[$0].batchNorm == nil ? nil : pass.gammaGradients[$0]
      },
      betaGradients: layers.indices.map {
        layers[$0].batchNorm == nil ? nil : pass.betaGradients[$0]
      })
    return (ForwardTrace(input: input, layers: layerTraces(pass)), trace)
  }

  /// One plain gradient-descent step θ ← θ − η·∂L/∂θ on a batch, as a table of every
  /// parameter's old value, gradient and new value, output layer first (the textbook's
  /// order: w46, w56, w14 … θ6, θ5, θ4).
  public func updateStep(
    _ input: Matrix<Scalar>, target: Matrix<Scalar>, loss: Loss, learningRate: Scalar,
    l2: Double = 0, mode: PassMode = .inference
  ) throws -> UpdateStep<Scalar> {
    let (forward, backward) = try self.backward(
      input, target: target, loss: loss, l2: l2, mode: mode)
    var next = self
    var weightRows: [ParameterUpdate<Scalar>] = []
    var biasRows: [ParameterUpdate<Scalar>] = []
    let single = input.rows == 1
    for l in layers.indices.reversed() {
      let layer = layers[l]
      let sources = l == 0 ? input : forward.layers[l - 1].output
      for i in 0..<layer.inputCount {
        for j in 0..<layer.unitCount {
          let old = layer.weights[i, j]
          let gradient = backward.weightGradients[l][i, j]
          let new = old - learningRate * gradient
          next.layers[l].weights[i, j] = new
          weightRows.append(
            ParameterUpdate(
              parameter: .weight(layer: l, from: i, to: j),
              name: parameterName(.weight(layer: l, from: i, to: j)), oldValue: old,
              gradient: gradient, learningRate: learningRate, newValue: new,
              unitDelta: single ? backward.deltas[l][0, j] : nil,
              sourceOutput: single ? sources[0, i] : nil))
        }
      }
      guard let bias = layer.bias, let gradients = backward.biasGradients[l] else { continue }
      for j in 0..<layer.unitCount {
        let new = bias[j] - learningRate * gradients[j]
        next.layers[l].bias?[j] = new
        biasRows.append(
          ParameterUpdate(
            parameter: .bias(layer: l, unit: j), name: parameterName(.bias(layer: l, unit: j)),
            oldValue: bias[j], gradient: gradients[j], learningRate: learningRate, newValue: new,
            unitDelta: single ? backward.deltas[l][0, j] : nil, sourceOutput: single ? 1 : nil))
      }
    }
    return UpdateStep(learningRate: learningRate, updates: weightRows + biasRows, network: next)
  }

  /// The forward pass of a checked input, on fresh buffers.
  private func run(_ input: Matrix<Scalar>, mode: PassMode) throws -> Propagation<Scalar> {
    try checkInput(input)
    var pass = Propagation(network: self, rows: input.rows)
    switch mode {
    case .inference:
      pass.forward(self, input: input.elements, inputOffset: 0)
    case .training(let seed):
      var generator = RandomGenerator(seed: seed)
      pass.forward(
        self, input: input.elements, inputOffset: 0, training: true, masks: &generator)
    }
    return pass
  }

  private func checkInput(_ input: Matrix<Scalar>) throws {
    guard input.columns == inputCount else {
      throw EngineError.shapeMismatch(
        operation: "the forward pass X·W⁽¹⁾", left: input.shape,
        right: layers.first?.weights.shape ?? Shape(rows: inputCount, columns: inputCount),
        rule: "NCOL(X) == NROW(W) needs \(input.columns) == \(inputCount)")
    }
  }

  private func layerTraces(_ pass: Propagation<Scalar>) -> [LayerTrace<Scalar>] {
    layers.indices.map { l in
      let units = layers[l].unitCount
      func matrix(_ elements: [Scalar]) -> Matrix<Scalar> {
        Matrix(uncheckedRows: pass.rows, columns: units, elements: elements)
      }
      var trace = LayerTrace(netInput: matrix(pass.z[l]), output: matrix(pass.a[l]))
      if pass.training, !pass.mask[l].isEmpty {
        trace.mask = matrix(pass.mask[l])
        trace.beforeDropout = matrix(pass.activated[l])
      }
      if let norm = layers[l].batchNorm {
        trace.normalization = NormalizationTrace(
          mean: pass.mean[l], variance: pass.variance[l], normalized: matrix(pass.xhat[l]),
          output: matrix(pass.normalized[l]), gamma: norm.gamma, beta: norm.beta,
          epsilon: norm.epsilon, batchStatistics: pass.training)
      }
      return trace
    }
  }
}

extension Network {
  /// Unit labels in the textbook's numbering: inputs first, then every layer's units,
  /// counting on (x1 x2 x3 → units 1 2 3, hidden 4 5, output 6), unless named.
  public var unitLabels: (inputs: [String], layers: [[String]]) {
    var next = inputCount + 1
    // `x1 x2 x3` are units 1 2 3; any other name (x0, age) labels its unit as written, so a
    // unit's number never silently differs from its place.
    let inputs =
      inputNames.map { names in
        names.enumerated().map { index, name in
          Self.unitNumber(name) == String(index + 1) ? String(index + 1) : name
        }
      } ?? (1...inputCount).map(String.init)
    let hidden = layers.map { layer -> [String] in
      defer { next += layer.unitCount }
      return layer.unitNames ?? (next..<next + layer.unitCount).map(String.init)
    }
    return (inputs, hidden)
  }

  /// The unit-notation name of a parameter: `w14` (from unit 1 to unit 4), `θ4`; with a
  /// comma (`w3,12`) when a label is longer than one character.
  public func parameterName(_ parameter: ParameterID) -> String {
    parameterNaming == .neuron && isSingleNeuron
      ? Self.neuronName(of: parameter) : Self.name(of: parameter, labels: unitLabels)
  }

  /// Every parameter, layer by layer (weights then biases), with its unit-notation name.
  public func parameterNames() -> [(id: ParameterID, name: String, value: Scalar)] {
    let labels = unitLabels
    let neuron = parameterNaming == .neuron && isSingleNeuron
    func name(_ id: ParameterID) -> String {
      neuron ? Self.neuronName(of: id) : Self.name(of: id, labels: labels)
    }
    var result: [(ParameterID, String, Scalar)] = []
    result.reserveCapacity(parameterCount)
    for (l, layer) in layers.enumerated() {
      for i in 0..<layer.inputCount {
        for j in 0..<layer.unitCount {
          let id = ParameterID.weight(layer: l, from: i, to: j)
          result.append((id, name(id), layer.weights[i, j]))
        }
      }
      for (j, b) in (layer.bias ?? []).enumerated() {
        let id = ParameterID.bias(layer: l, unit: j)
        result.append((id, name(id), b))
      }
    }
    return result
  }

  /// A single neuron's names: `w` and `b`.
  private static func neuronName(of parameter: ParameterID) -> String {
    if case .weight = parameter { return "w" }
    return "b"
  }

  private static func name(
    of parameter: ParameterID, labels: (inputs: [String], layers: [[String]])
  ) -> String {
    func label(layer: Int, unit: Int) -> String {
      let names =
        layer < 0
        ? labels.inputs : (labels.layers.indices.contains(layer) ? labels.layers[layer] : [])
      return names.indices.contains(unit) ? names[unit] : "?"
    }
    switch parameter {
    case .weight(let layer, let from, let to):
      let source = label(layer: layer - 1, unit: from)
      let target = label(layer: layer, unit: to)
      let separator = source.count > 1 || target.count > 1 ? "," : ""
      return "w" + source + separator + target
    case .bias(let layer, let unit):
      return "θ" + label(layer: layer, unit: unit)
    }
  }

  /// The parameter a unit-notation name (`w14`, `w3,12`, `θ4`, `theta4`, `b4`; `w`, `b`
  /// for a single neuron named so) stands for, found without listing every parameter: a
  /// large model answers a quoted weight in time proportional to its units, not its
  /// weights.
  public func parameterID(named name: String) -> ParameterID? {
    if parameterNaming == .neuron, isSingleNeuron {
      if name == "w" { return .weight(layer: 0, from: 0, to: 0) }
      if name == "b" { return .bias(layer: 0, unit: 0) }
      return nil
    }
    let labels = unitLabels
    func unit(_ label: Substring, in layer: Int) -> Int? {
      let names = layer < 0 ? labels.inputs : labels.layers[layer]
      return names.firstIndex { $0 == label }
    }
    for prefix in ["θ", "theta", "b"] where name.hasPrefix(prefix) {
      let label = name.dropFirst(prefix.count)
      for layer in layers.indices where layers[layer].bias != nil {
        if let j = unit(label, in: layer) { return .bias(layer: layer, unit: j) }
      }
    }
    guard name.hasPrefix("w") else { return nil }
    let rest = name.dropFirst()
    let splits: [(Substring, Substring)] =
      if let comma = rest.firstIndex(of: ",") {
        [(rest[..<comma], rest[rest.index(after: comma)...])]
      } else {
        rest.indices.dropFirst().map { (rest[..<$0], rest[$0...]) }
      }
    for (source, target) in splits {
      for layer in layers.indices {
        if let i = unit(source, in: layer - 1), let j = unit(target, in: layer) {
          return .weight(layer: layer, from: i, to: j)
        }
      }
    }
    return nil
  }

  /// A parameter's value, if the network has it.
  public func parameterValue(_ id: ParameterID) -> Scalar? {
    switch id {
    case .weight(let l, let i, let j):
      guard layers.indices.contains(l), i < layers[l].inputCount, j < layers[l].unitCount else {
        return nil
      }
      return layers[l].weights[i, j]
    case .bias(let l, let j):
      guard layers.indices.contains(l), let bias = layers[l].bias, bias.indices.contains(j) else {
        return nil
      }
      return bias[j]
    }
  }

  /// `x1` → `1`: an input named after its position keeps only the number in unit labels.
  static func unitNumber(_ name: String) -> String {
    if name.first == "x", name.count > 1, name.dropFirst().allSatisfy(\.isNumber) {
      return String(name.dropFirst())
    }
    return name
  }
}
