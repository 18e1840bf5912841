import Figures
import NeuralEngine
import Notebook

/// The tables a model block shows: the summary and the weights.
struct ModelTables {
  var network: Network<Double>
  var context: BlockContext

  func summary() -> Table {
    var rows: [[Cell]] = []
    let labels = network.unitLabels
    rows.append([
      .text("input"), .integer(network.inputCount), .text("—"),
      .text(Self.abbreviated(labels.inputs)), .integer(0),
    ])
    for (l, layer) in network.layers.enumerated() {
      rows.append([
        .text(
          context.notation == .layer
            ? "layer \(l + 1)" : (l == network.layers.count - 1 ? "output" : "hidden \(l + 1)")),
        .integer(layer.unitCount), .text(Shown.activation(layer.activation)),
        .text(Self.abbreviated(labels.layers[l])), .integer(layer.parameterCount),
      ])
    }
    rows.append([.text("total"), .empty, .empty, .empty, .integer(network.parameterCount)])
    var header = ["Layer", "Units", "Activation", "Unit labels", "Parameters"]
    // A column for dropout, batch normalisation and penalties, where a layer has any.
    let regularization = network.layers.map(Self.regularization)
    if regularization.contains(where: { !$0.isEmpty }) {
      header.append("Regularisation")
      for index in rows.indices {
        let l = index - 1
        let text = regularization.indices.contains(l) ? regularization[l] : ""
        rows[index].append(text.isEmpty ? .empty : .text(text))
      }
    }
    return Table(caption: context.caption, header: header, rows: rows, precision: context.precision)
  }

  /// "batch norm, dropout 0.5, L2 0.001": what a layer adds to its dense map.
  static func regularization(_ layer: Dense<Double>) -> String {
    var parts: [String] = []
    if layer.batchNorm != nil { parts.append("batch norm") }
    if layer.dropout > 0 { parts.append("dropout \(NumberText.plain(layer.dropout))") }
    if let r = layer.regularizer, r.l1 > 0 { parts.append("L1 \(NumberText.plain(r.l1))") }
    if let r = layer.regularizer, r.l2 > 0 { parts.append("L2 \(NumberText.plain(r.l2))") }
    return parts.joined(separator: ", ")
  }

  static func abbreviated(_ labels: [String]) -> String {
    labels.count <= 8 ? labels.joined(separator: " ") : "\(labels[0]) … \(labels[labels.count - 1])"
  }

  /// Weights first, then biases: the textbook's "initial weight and bias values" row; a
  /// matrix per layer for larger networks.
  func weights(caption: String?) -> [ResultItem] {
    // The names of all parameters only for a model small enough to list them.
    let all = network.parameterCount <= 16 ? network.parameterNames() : []
    let parameters =
      all.filter { if case .weight = $0.id { true } else { false } }
      + all.filter { if case .bias = $0.id { true } else { false } }
    if network.parameterCount <= 16, context.notation == .unit {
      return [
        .table(
          Table(
            caption: caption, header: parameters.map(\.name),
            rows: [parameters.map { .plain($0.value) }], precision: context.precision))
      ]
    }
    let labels = network.unitLabels
    return network.layers.enumerated().map { l, layer in
      let shownRows = min(layer.inputCount, 10)
      let shownColumns = min(layer.unitCount, 10)
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
}

/// `collapse: deep`: the single linear layer a network of identity layers equals —
/// W = W⁽¹⁾W⁽²⁾…W⁽ᴸ⁾ and b = (…(b⁽¹⁾W⁽²⁾ + b⁽²⁾)W⁽³⁾ + …) + b⁽ᴸ⁾.
struct Collapse {
  var base: String
  var into: String

  func run(_ context: BlockContext) throws -> [ResultItem] {
    let option = context.option("collapse")
    let network = try context.model(base, at: option).network
    if let bent = network.layers.firstIndex(where: { $0.activation != .identity }) {
      throw BlockError(
        "layer \(bent + 1) of '\(base)' is \(network.layers[bent].activation.name): only identity layers collapse into one",
        at: option, hint: "that is the point: a non-linear layer does not collapse")
    }
    var weights = try Matrix<Double>(rows: network.inputCount, columns: network.inputCount)
    for i in 0..<network.inputCount { weights[i, i] = 1 }
    var bias = Matrix<Double>(row: Array(repeating: 0, count: network.inputCount))
    for layer in network.layers {
      weights = try weights.multiplied(by: layer.weights)
      bias = try bias.multiplied(by: layer.weights).adding(
        Matrix(row: layer.bias ?? Array(repeating: 0, count: layer.unitCount)))
    }
    let layer = try Dense<Double>(weights: weights, bias: bias.elements, activation: .identity)
    let collapsed = try Network(
      inputs: network.inputCount, layers: [layer], inputNames: network.inputNames)
    context.namespace.models[into] = ModelEntry(network: collapsed, trainsInFloat: false)
    context.storeParameters(of: collapsed, model: into)
    guard context.showsResults else { return [] }
    let labels = collapsed.unitLabels
    var rows: [[Cell]] = (0..<weights.rows).map { i in
      [.text(labels.inputs[i])] + (0..<weights.columns).map { .plain(weights[i, $0]) }
    }
    rows.append([.text("b")] + bias.elements.map { .plain($0) })
    let product = (1...network.layers.count).map { "W⁽\(superscript($0))⁾" }.joined()
    return [
      .note(
        "\(into) = one linear layer with W = \(product) and the biases carried through: \(network.parameterCount) parameters become \(collapsed.parameterCount)."
      ),
      .table(
        Table(
          caption: context.caption, header: ["from \\ to"] + labels.layers[0], rows: rows,
          precision: context.precision)),
    ]
  }
}

/// `12` → `¹²`, for layer superscripts.
func superscript(_ number: Int) -> String {
  let digits: [Character] = ["⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"]
  return String(String(number).compactMap { $0.wholeNumberValue.map { digits[$0] } })
}
