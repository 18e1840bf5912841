import NeuralEngine
import Notebook

extension ModelDirective {
  /// A model whose weights are all drawn is drawn again in Python from the same seed (the
  /// support cell's generator is nbrun's); a model with given weights (the textbook's, or
  /// a student's variant) writes every weight and bias out as matrices.
  func python(_ context: BlockContext) throws -> [String]? {
    guard let name = context.block.name, let entry = context.namespace.models[name] else {
      return nil
    }
    let network = entry.network
    let v = PythonText.name(name)
    if let front = entry.front { return layeredPython(front, network, name: name, context) }
    let names = network.inputNames ?? []
    let defaultNames = names.isEmpty || names == (0..<names.count).map { "x\($0 + 1)" }
    let inputNames = defaultNames ? "\(network.inputCount)" : PythonText.strings(names)
    // Unit names only where a layer gives them; the rest count on as the textbook does.
    let given = network.layers.map(\.unitNames)
    let labelText =
      given.allSatisfy({ $0 == nil })
      ? ""
      : ", names=[" + given.map { $0.map(PythonText.strings) ?? "None" }.joined(separator: ", ")
        + "]"
    let neuron = network.parameterNaming == .neuron && network.isSingleNeuron
    let givesSome = !weights.isEmpty || !biases.isEmpty || !matrices.isEmpty
    var lines: [String] = []
    if let collapse {
      lines += [
        "\(v) = collapse(\(PythonText.name(collapse)))  # one linear layer: W = W⁽¹⁾W⁽²⁾…",
        "publish_parameters(\(PythonText.string(name)), \(v))",
      ]
      if context.showsResults { lines.append("show_parameters(\(v), \(context.precision))") }
      return lines
    }
    if !givesSome {
      let drawing = initializer ?? .glorotUniform
      let specs = network.layers.map { layer in
        "(\(layer.unitCount), \(PythonText.activation(layer.activation)), \(layer.bias != nil ? "True" : "False"))"
      }
      lines += [
        "\(v) = model(",
        "    \(inputNames),",
        "    [\(specs.joined(separator: ", "))],  # (units, activation, alpha, bias) per layer",
        "    init=\(PythonText.initializer(drawing)), seed=\(context.seed)\(labelText)\(neuron ? ", neuron=True" : ""))",
      ]
    } else {
      lines.append("\(v) = Model(\(inputNames), [")
      for layer in network.layers {
        let (activation, alpha) = PythonText.activationParts(layer.activation)
        lines.append(
          "    Dense(\(PythonText.array(layer.weights, indent: "    ")),")
        lines.append(
          "          \(layer.bias.map { "np.array(\(PythonText.numbers($0)))" } ?? "None"), \(activation), \(alpha)),"
        )
      }
      lines.append("]\(labelText)\(neuron ? ", neuron=True" : ""))")
    }
    if entry.trainsInFloat { lines.append("\(v).dtype = np.float32") }
    lines += PythonText.regularization(of: network, variable: v)
    lines.append("publish_parameters(\(PythonText.string(name)), \(v))")
    if context.showsResults {
      if show.contains("summary") {
        lines.append("show_summary(\(v)\(PythonText.caption(context)))")
      }
      if show.contains("weights") { lines.append("show_parameters(\(v), \(context.precision))") }
    }
    return lines
  }
}

extension ModelDirective {
  /// `layered_model(shape, front, layers, init, seed)`: the same draws in the same order.
  private func layeredPython(
    _ front: ModelFront, _ head: Network<Double>, name: String, _ context: BlockContext
  ) -> [String] {
    let v = PythonText.name(name)
    var shape: [Int] = []
    var specs: [String] = []
    switch front {
    case .convolution(let height, let width, let channels, let stages):
      shape = [height, width, channels]
      for stage in stages {
        switch stage {
        case .convolution(let layer):
          let w = layer.window
          specs.append(
            "(\"conv\", \(layer.filters), \(w.height), \(w.width), \(w.strideHeight), \(PythonText.string(w.padding.rawValue)), \(PythonText.activation(layer.activation)), \(pythonBool(layer.bias != nil)))"
          )
        case .pooling(let pool):
          let w = pool.window
          specs.append(
            "(\"pool\", \(PythonText.string(pool.kind.rawValue)), \(w.height), \(w.strideHeight), \(PythonText.string(w.padding.rawValue)))"
          )
        }
      }
    case .recurrent(let cell, let steps):
      shape = [steps, cell.inputCount]
      specs.append(
        "(\"rnn\", \(cell.unitCount), \(PythonText.activation(cell.activation)), \(pythonBool(cell.bias != nil)))"
      )
    }
    let dense = head.layers.map { layer in
      "(\(layer.unitCount), \(PythonText.activation(layer.activation)), \(pythonBool(layer.bias != nil)))"
    }
    var lines = [
      "\(v) = layered_model(",
      "    (\(shape.map(String.init).joined(separator: ", "))),  # the input's shape",
      "    [\(specs.joined(separator: ", "))],",
      "    [\(dense.joined(separator: ", "))],  # (units, activation, alpha, bias) per dense layer",
      "    init=\(PythonText.initializer(initializer ?? .glorotUniform)), seed=\(context.seed))",
    ]
    lines += PythonText.regularization(of: head, variable: v)
    lines.append("publish_parameters(\(PythonText.string(name)), \(v))")
    if context.showsResults {
      lines.append("show_layered_summary(\(v)\(PythonText.caption(context)))")
    }
    return lines
  }
}

extension PythonText {
  /// An activation as the support cell's `(name, alpha)` arguments.
  static func activationParts(_ activation: Activation) -> (String, String) {
    switch activation {
    case .leakyReLU(let alpha), .elu(let alpha): (string(activation.name), number(alpha))
    default: (string(activation.name), "None")
    }
  }

  static func activation(_ activation: Activation) -> String {
    let (name, alpha) = activationParts(activation)
    return "\(name), \(alpha)"
  }

  /// `regularize(net, 0, dropout=0.5, l2=0.001, batchnorm=(0.99, 0.001))` for every layer
  /// with dropout, a penalty or batch normalisation.
  static func regularization(of network: Network<Double>, variable v: String) -> [String] {
    network.layers.enumerated().compactMap { l, layer in
      var arguments: [String] = []
      if layer.dropout > 0 { arguments.append("dropout=\(number(layer.dropout))") }
      if let r = layer.regularizer, r.l1 > 0 { arguments.append("l1=\(number(r.l1))") }
      if let r = layer.regularizer, r.l2 > 0 { arguments.append("l2=\(number(r.l2))") }
      if let norm = layer.batchNorm {
        arguments.append("batchnorm=(\(number(norm.momentum)), \(number(norm.epsilon)))")
      }
      guard !arguments.isEmpty else { return nil }
      return "regularize(\(v), \(l), \(arguments.joined(separator: ", ")))"
    }
  }

  static func initializer(_ initializer: Initializer) -> String {
    switch initializer {
    case .constant(let value): "(\"constant\", \(number(value)))"
    case .uniform(let low, let high): "(\"uniform\", \(number(low)), \(number(high)))"
    case .normal(let mean, let std): "(\"normal\", \(number(mean)), \(number(std)))"
    default: "(\(string(initializer.name)),)"
    }
  }
}
