import NeuralEngine
import Notebook

extension Session {
  /// ```model NAME```: a dense network, with initial or given weights.
  func runModel(_ block: DirectiveBlock, _ context: BlockContext) throws -> [ResultItem] {
    guard let name = block.name else { return [] }
    if let option = block.option("collapse") { return try collapse(option, into: name, context) }
    guard let inputsOption = block.option("inputs") else {
      throw BlockError("a model needs 'inputs'", hint: "e.g. 'inputs: 3' or 'inputs: x1 x2 x3'")
    }
    let inputWords = inputsOption.words
    let inputNames: [String]?
    let inputCount: Int
    if inputWords.count == 1, let count = Int(inputWords[0]) {
      guard (1...100_000).contains(count) else {
        throw BlockError("a model takes 1 to 100000 inputs, not \(count)", at: inputsOption)
      }
      inputCount = count
      inputNames = nil
    } else {
      inputCount = inputWords.count
      inputNames = inputWords
    }
    let layerOptions = block.options("layer")
    guard !layerOptions.isEmpty else {
      throw BlockError("a model needs at least one 'layer'", hint: "e.g. 'layer: 2 sigmoid'")
    }
    let initializer = try block.option("init").map(parseInitializer) ?? .glorotUniform
    var generator = RandomGenerator(seed: context.seed)
    var layers: [Dense<Double>] = []
    var width = inputCount
    var parameters = 0
    for option in layerOptions {
      let spec = try parseLayer(option)
      let (weights, overflow) = width.multipliedReportingOverflow(by: spec.units + 1)
      parameters += overflow ? Self.parameterLimit + 1 : weights
      guard parameters <= Self.parameterLimit else {
        throw BlockError(
          "this model would have more than \(Self.parameterLimit) parameters", at: option,
          hint: "nbrun is for teaching-sized networks; use fewer units")
      }
      let layer = try atOption(option) {
        try Dense<Double>(
          inputs: width, units: spec.units, activation: spec.activation, useBias: spec.bias,
          initializer: initializer, unitNames: spec.names, generator: &generator)
      }
      layers.append(layer)
      width = spec.units
    }
    var network = try atOption(inputsOption) {
      try Network(inputs: inputCount, layers: layers, inputNames: inputNames)
    }
    for option in block.options("matrix") { try setMatrix(option, in: &network) }
    if let option = block.option("weights") {
      try setParameters(option, in: &network, biases: false)
    }
    if let option = block.option("biases") { try setParameters(option, in: &network, biases: true) }
    let float: Bool
    switch block.option("dtype")?.value.trimmed ?? "float64" {
    case "float64", "double": float = false
    case "float32", "float": float = true
    default:
      throw BlockError("'dtype' is float64 or float32", at: block.option("dtype"))
    }
    models[name] = ModelEntry(network: network, trainsInFloat: float)
    var entries: [String: Value] = ["parameters": .number(Double(network.parameterCount))]
    for (id, value) in Self.parameters(of: network) {
      entries[network.parameterName(id)] = .number(value)
    }
    store(entries, under: name)

    guard context.showsResults else { return [] }
    let shows = block.option("show")?.words ?? ["summary"]
    for word in shows where !["summary", "weights"].contains(word) {
      throw BlockError(
        "unknown table '\(word)' in 'show'", at: block.option("show"), word: word,
        hint: suggestion(for: word, among: ["summary", "weights"]))
    }
    var items: [ResultItem] = []
    if shows.contains("summary") { items.append(.table(summary(network, context: context))) }
    if shows.contains("weights") {
      items += weightTables(
        network, context: context, caption: items.isEmpty ? context.caption : nil)
    }
    return items
  }

  /// `collapse: deep`: the single linear layer a network of identity layers equals —
  /// W = W⁽¹⁾W⁽²⁾…W⁽ᴸ⁾ and b = (…(b⁽¹⁾W⁽²⁾ + b⁽²⁾)W⁽³⁾ + …) + b⁽ᴸ⁾.
  private func collapse(_ option: DirectiveOption, into name: String, _ context: BlockContext)
    throws -> [ResultItem]
  {
    let baseName = option.value.trimmed
    guard let base = models[baseName]?.network else {
      throw BlockError(
        "no model '\(baseName)' is defined above", at: option,
        hint: suggestion(for: baseName, among: models.keys.sorted()))
    }
    if let bent = base.layers.firstIndex(where: { $0.activation != .identity }) {
      throw BlockError(
        "layer \(bent + 1) of '\(baseName)' is \(base.layers[bent].activation.name): only identity layers collapse into one",
        at: option, hint: "that is the point: a non-linear layer does not collapse")
    }
    var weights = try Matrix<Double>(rows: base.inputCount, columns: base.inputCount)
    for i in 0..<base.inputCount { weights[i, i] = 1 }
    var bias = Matrix<Double>(row: Array(repeating: 0, count: base.inputCount))
    for layer in base.layers {
      weights = try weights.multiplied(by: layer.weights)
      bias = try bias.multiplied(by: layer.weights).adding(
        Matrix(row: layer.bias ?? Array(repeating: 0, count: layer.unitCount)))
    }
    let layer = try Dense<Double>(weights: weights, bias: bias.elements, activation: .identity)
    let network = try Network(inputs: base.inputCount, layers: [layer], inputNames: base.inputNames)
    models[name] = ModelEntry(network: network, trainsInFloat: false)
    var entries: [String: Value] = ["parameters": .number(Double(network.parameterCount))]
    for parameter in network.parameterNames() { entries[parameter.name] = .number(parameter.value) }
    store(entries, under: name)
    guard context.showsResults else { return [] }
    let labels = network.unitLabels
    var rows: [[Cell]] = (0..<weights.rows).map { i in
      [.text(labels.inputs[i])] + (0..<weights.columns).map { .plain(weights[i, $0]) }
    }
    rows.append([.text("b")] + bias.elements.map { .plain($0) })
    return [
      .note(
        "\(name) = one linear layer with W = \((1...base.layers.count).map { "W⁽\(superscript($0))⁾" }.joined()) and the biases carried through: \(base.parameterCount) parameters become \(network.parameterCount)."
      ),
      .table(
        Table(
          caption: context.caption, header: ["from \\ to"] + labels.layers[0], rows: rows,
          precision: context.precision)),
    ]
  }

  /// The most parameters a notebook's model may have (20 million: 160 MB of weights).
  static let parameterLimit = 20_000_000

  /// Every weight and bias with its identifier, layer by layer.
  static func parameters(of network: Network<Double>) -> [(ParameterID, Double)] {
    var result: [(ParameterID, Double)] = []
    for (l, layer) in network.layers.enumerated() {
      for i in 0..<layer.inputCount {
        for j in 0..<layer.unitCount {
          result.append((.weight(layer: l, from: i, to: j), layer.weights[i, j]))
        }
      }
      for (j, b) in (layer.bias ?? []).enumerated() { result.append((.bias(layer: l, unit: j), b)) }
    }
    return result
  }

  private struct LayerSpec {
    var units: Int
    var activation: Activation
    var bias: Bool
    var names: [String]?
  }

  private func parseLayer(_ option: DirectiveOption) throws -> LayerSpec {
    let words = option.value.split(whereSeparator: \.isWhitespace).map(String.init)
    guard words.count >= 2, let units = Int(words[0]), (1...100_000).contains(units) else {
      throw BlockError(
        "expected 'units activation' in 'layer', found '\(option.value)'", at: option,
        hint: "e.g. 'layer: 4 relu' or 'layer: 1 sigmoid bias=false'")
    }
    var settings: [String: String] = [:]
    for word in words.dropFirst(2) {
      let parts = word.split(separator: "=", maxSplits: 1).map(String.init)
      guard parts.count == 2, ["bias", "alpha", "names"].contains(parts[0]) else {
        throw BlockError(
          "unexpected '\(word)' in 'layer'", at: option,
          hint: "after units and activation come bias=false, alpha=0.1 or names=4,5")
      }
      settings[parts[0]] = parts[1]
    }
    let alpha = try settings["alpha"].map { text -> Double in
      guard let value = DirectiveOption.parseNumber(text) else {
        throw BlockError("alpha must be a number, not '\(text)'", at: option)
      }
      return value
    }
    let activationName = words[1]
    guard let activation = Activation(name: activationName, parameter: alpha) else {
      if Activation(name: activationName) != nil {
        throw BlockError("'\(activationName)' takes no alpha", at: option)
      }
      throw BlockError(
        "unknown activation '\(activationName)'", at: option, word: activationName,
        hint: suggestion(for: activationName, among: Activation.knownNames))
    }
    let names = settings["names"].map { $0.split(separator: ",").map(String.init) }
    if let names, names.count != units {
      throw BlockError("\(units) units need \(units) names, got \(names.count)", at: option)
    }
    let bias: Bool
    switch settings["bias"] {
    case nil, "true": bias = true
    case "false": bias = false
    case let other?: throw BlockError("bias must be true or false, not '\(other)'", at: option)
    }
    return LayerSpec(units: units, activation: activation, bias: bias, names: names)
  }

  private func parseInitializer(_ option: DirectiveOption) throws -> Initializer {
    let words = option.words
    guard let name = words.first else {
      throw BlockError("'init' needs an initialiser", at: option)
    }
    let parameters = try words.dropFirst().map { word -> Double in
      guard let value = DirectiveOption.parseNumber(word) else {
        throw BlockError("'\(word)' is not a number", at: option)
      }
      return value
    }
    guard let initializer = Initializer(name: name, parameters: parameters) else {
      if Initializer(name: name) != nil || ["constant", "uniform", "normal"].contains(name) {
        throw BlockError(
          "wrong parameters for '\(name)'", at: option,
          hint: "constant takes one value; uniform low high; normal mean std")
      }
      throw BlockError(
        "unknown initialiser '\(name)'", at: option,
        hint: suggestion(for: name, among: Initializer.knownNames))
    }
    return initializer
  }

  /// `weights: w14=0.2 …` or `biases: θ4=-0.4 …`, by unit-notation names.
  private func setParameters(
    _ option: DirectiveOption, in network: inout Network<Double>, biases: Bool
  ) throws {
    let wanted = try option.assignments()
    for (name, _) in wanted where Self.isBiasName(name) != biases {
      throw BlockError(
        "'\(name)' is a \(biases ? "weight" : "bias"): give it under '\(biases ? "weights" : "biases")'",
        at: option, word: name)
    }
    try setParameters(wanted, in: &network, option: option)
  }

  /// Weights and biases by their unit-notation names (`w14`; `θ4`, `theta4` or `b4`).
  func setParameters(
    _ assignments: [(name: String, value: Double)], in network: inout Network<Double>,
    option: DirectiveOption
  ) throws {
    var byName: [String: ParameterID] = [:]
    for (id, _) in Self.parameters(of: network) {
      let name = network.parameterName(id)
      switch id {
      case .weight:
        byName[name] = id
        byName[name.replacing(",", with: "")] = byName[name.replacing(",", with: "")] ?? id
      case .bias:
        let label = String(name.dropFirst())
        for prefix in ["θ", "theta", "b"] { byName[prefix + label] = id }
      }
    }
    for (name, value) in assignments {
      guard let id = byName[name] else {
        let bias = Self.isBiasName(name)
        let candidates = byName.keys.filter {
          Self.isBiasName($0) == bias && !$0.hasPrefix("theta")
        }
        throw BlockError(
          "the model has no \(bias ? "bias" : "weight") '\(name)'", at: option, word: name,
          hint: suggestion(for: name, among: candidates.sorted()))
      }
      switch id {
      case .weight(let layer, let from, let to):
        var weights = try network.layer(layer).weights
        weights[from, to] = value
        try network.setWeights(weights, layer: layer)
      case .bias(let layer, let unit):
        var bias = try network.layer(layer).bias ?? []
        guard bias.indices.contains(unit) else { continue }
        bias[unit] = value
        try network.setBias(bias, layer: layer)
      }
    }
  }

  /// Whether a parameter name is a bias's (`θ4`, `theta4`, `b4`) rather than a weight's.
  static func isBiasName(_ name: String) -> Bool {
    !name.hasPrefix("w") && !name.hasPrefix("W")
  }

  /// `matrix: W1 0.2 -0.3; 0.4 0.1; -0.5 0.2` or `matrix: b1 -0.4 0.2`.
  private func setMatrix(_ option: DirectiveOption, in network: inout Network<Double>) throws {
    let trimmed = option.value.trimmed
    guard let space = trimmed.firstIndex(where: \.isWhitespace) else {
      throw BlockError("expected 'W1 rows…' or 'b1 values…' in 'matrix'", at: option)
    }
    let label = String(trimmed[..<space])
    let rest = String(trimmed[space...])
    guard let kind = label.first, kind == "W" || kind == "b", let index = Int(label.dropFirst()),
      (1...network.layers.count).contains(index)
    else {
      throw BlockError(
        "'\(label)' names no layer: use W1…W\(network.layers.count) or b1…b\(network.layers.count)",
        at: option)
    }
    let layer = try network.layer(index - 1)
    let rows = try rest.split(separator: ";").map {
      try DirectiveOption.numbers(in: String($0), option: option)
    }
    if kind == "b" {
      let values = rows.flatMap { $0 }
      guard values.count == layer.unitCount, layer.bias != nil else {
        throw BlockError(
          "\(label) needs \(layer.unitCount) values (one per unit), got \(values.count)", at: option
        )
      }
      try network.setBias(values, layer: index - 1)
    } else {
      guard rows.count == layer.inputCount, rows.allSatisfy({ $0.count == layer.unitCount }) else {
        throw BlockError(
          "\(label) is \(layer.inputCount)×\(layer.unitCount) (a row per input, a column per unit); got \(rows.count) rows of \(rows.map(\.count).map(String.init).joined(separator: ", "))",
          at: option)
      }
      try network.setWeights(try Matrix(rows), layer: index - 1)
    }
  }

  private func summary(_ network: Network<Double>, context: BlockContext) -> Table {
    var rows: [[Cell]] = []
    let labels = network.unitLabels
    rows.append([
      .text("input"), .integer(network.inputCount), .text("—"),
      .text(labels.inputs.joined(separator: " ")), .integer(0),
    ])
    for (l, layer) in network.layers.enumerated() {
      rows.append([
        .text(
          context.notation == .layer
            ? "layer \(l + 1)" : (l == network.layers.count - 1 ? "output" : "hidden \(l + 1)")),
        .integer(layer.unitCount), .text(layer.activation.description),
        .text(Self.abbreviated(labels.layers[l])), .integer(layer.parameterCount),
      ])
    }
    rows.append([.text("total"), .empty, .empty, .empty, .integer(network.parameterCount)])
    return Table(
      caption: context.caption,
      header: ["Layer", "Units", "Activation", "Unit labels", "Parameters"],
      rows: rows, precision: context.precision)
  }

  static func abbreviated(_ labels: [String]) -> String {
    labels.count <= 8 ? labels.joined(separator: " ") : "\(labels[0]) … \(labels[labels.count - 1])"
  }

  private func weightTables(_ network: Network<Double>, context: BlockContext, caption: String?)
    -> [ResultItem]
  {
    // Weights first, then biases: the textbook's "initial weight and bias values" row.
    let all = Self.parameters(of: network)
    let parameters =
      all.filter { if case .weight = $0.0 { true } else { false } }
      + all.filter { if case .bias = $0.0 { true } else { false } }
    if parameters.count <= 16, context.notation == .unit {
      return [
        .table(
          Table(
            caption: caption, header: parameters.map { network.parameterName($0.0) },
            rows: [parameters.map { .plain($0.1) }], precision: context.precision))
      ]
    }
    return network.layers.enumerated().map { l, layer in
      let shownRows = min(layer.inputCount, 10)
      let shownColumns = min(layer.unitCount, 10)
      let labels = network.unitLabels
      let sources = l == 0 ? labels.inputs : labels.layers[l - 1]
      var header = [context.notation == .layer ? "W⁽\(superscript(l + 1))⁾" : "from \\ to"]
      header += labels.layers[l].prefix(shownColumns)
      if layer.unitCount > shownColumns { header.append("…") }
      var rows: [[Cell]] = (0..<shownRows).map { i in
        var cells: [Cell] = [.text(sources[i])]
        cells += (0..<shownColumns).map { .number(layer.weights[i, $0], decimals: nil) }
        if layer.unitCount > shownColumns { cells.append(.text("…")) }
        return cells
      }
      if let bias = layer.bias {
        var cells: [Cell] = [.text(context.notation == .layer ? "b⁽\(superscript(l + 1))⁾" : "θ")]
        cells += (0..<shownColumns).map { .number(bias[$0], decimals: nil) }
        if layer.unitCount > shownColumns { cells.append(.text("…")) }
        rows.append(cells)
      }
      return .table(
        Table(
          caption: "Layer \(l + 1) weights", header: header, rows: rows,
          precision: context.precision))
    }
  }

  /// A model by name, or an error with a suggestion.
  func model(_ block: DirectiveBlock) throws -> ModelEntry {
    guard let name = block.name, let entry = models[name] else {
      throw BlockError(
        "no model '\(block.name ?? "")' is defined above", at: nil,
        hint: suggestion(for: block.name ?? "", among: models.keys.sorted()))
    }
    return entry
  }
}

/// `12` → `¹²`, for layer superscripts.
func superscript(_ number: Int) -> String {
  let digits: [Character] = ["⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"]
  return String(String(number).compactMap { $0.wholeNumberValue.map { digits[$0] } })
}
