import NeuralEngine
import Notebook

extension Session {
  /// ```forward MODEL```: every unit's net input and output.
  func runForward(_ block: DirectiveBlock, _ context: BlockContext) throws -> [ResultItem] {
    let entry = try model(block)
    let x = try inputs(block, network: entry.network, key: "input")
    let trace = try atOption(block.option("input") ?? block.option("data")) {
      try entry.network.forward(x)
    }
    store(forwardValues(trace, entry.network), under: resultName(of: block))
    guard context.showsResults else { return [] }
    return [.table(forwardTable(trace, entry.network, context: context, caption: context.caption))]
  }

  /// ```backward MODEL```: errors, gradients and one update step.
  func runBackward(_ block: DirectiveBlock, _ context: BlockContext) throws -> [ResultItem] {
    let entry = try model(block)
    let network = entry.network
    let x = try inputs(block, network: network, key: "input")
    guard let targetOption = block.option("target") else {
      throw BlockError("a backward pass needs a 'target'", hint: "e.g. 'target: 1'")
    }
    let loss = try block.option("loss").map(parseLoss) ?? .halfSumOfSquares
    let targetRows = try targetOption.samples()
    let y = try atOption(targetOption) { try Matrix<Double>(targetRows) }
    let expected = loss.targetShape(
      forPredictions: Shape(rows: x.rows, columns: network.outputCount))
    guard y.shape == expected else {
      throw BlockError(
        "'target' gives \(y.rows) row(s) of \(y.columns) value(s); this model needs \(expected.rows) of \(expected.columns)",
        at: targetOption)
    }
    let rate = try block.option("rate").map { try $0.number() } ?? 0.1
    let (forward, backward) = try atOption(targetOption) {
      try network.backward(x, target: y, loss: loss)
    }
    let step = try atOption(targetOption) {
      try network.updateStep(x, target: y, loss: loss, learningRate: rate)
    }
    if let option = block.option("apply"), try option.boolean(), let name = block.name {
      models[name]?.network = step.network
    }
    var entries = forwardValues(forward, network)
    entries["loss"] = .number(backward.loss)
    let labels = network.unitLabels.layers
    for (l, delta) in backward.deltas.enumerated() {
      for j in 0..<delta.columns where labels[l].indices.contains(j) {
        entries["Err" + labels[l][j]] = .number(-delta[0, j])
        entries["delta" + labels[l][j]] = .number(delta[0, j])
        entries["delta\(l + 1)_\(j + 1)"] = .number(delta[0, j])
      }
    }
    for update in step.updates {
      entries["grad_" + update.name] = .number(update.gradient)
      entries["new_" + update.name] = .number(update.newValue)
    }
    store(entries, under: resultName(of: block))

    guard context.showsResults else { return [] }
    let shows = block.option("show")?.words ?? ["forward", "errors", "updates"]
    var items: [ResultItem] = []
    for word in shows {
      switch word {
      case "forward":
        items.append(.table(forwardTable(forward, network, context: context, caption: nil)))
      case "errors":
        items.append(
          .table(errorTable(forward, backward, network, y: y, loss: loss, context: context)))
      case "gradients": items.append(.table(gradientTable(step, network, context: context)))
      case "updates": items.append(.table(updateTable(step, network, context: context)))
      case "none": break
      default:
        throw BlockError(
          "unknown table '\(word)' in 'show'", at: block.option("show"), word: word,
          hint: suggestion(for: word, among: ["forward", "errors", "gradients", "updates"]))
      }
    }
    if let option = block.option("norms"), try option.boolean() {
      var rows: [[Cell]] = []
      for l in network.layers.indices {
        let gradient = backward.weightGradients[l].elements
        let norm = gradient.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let deltas = backward.deltas[l].elements
        let meanDelta =
          deltas.isEmpty ? 0 : deltas.reduce(0) { $0 + abs($1) } / Double(deltas.count)
        entries["norm\(l + 1)"] = .number(norm)
        entries["mean_delta\(l + 1)"] = .number(meanDelta)
        rows.append([
          .integer(l + 1), .text(network.layers[l].activation.description), .measured(norm),
          .measured(meanDelta),
        ])
      }
      store(entries, under: resultName(of: block))
      items.append(
        .table(
          Table(
            caption: "Gradient size per layer, input side first",
            header: ["Layer", "Activation", "‖∂L/∂W‖", "mean |δ|"], rows: rows,
            precision: context.precision)))
    }
    if let caption = context.caption, let first = items.indices.first,
      case .table(var table) = items[first]
    {
      table.caption = caption
      items[first] = .table(table)
    }
    return items
  }

  /// ```predict MODEL```: outputs for given inputs.
  func runPredict(_ block: DirectiveBlock, _ context: BlockContext) throws -> [ResultItem] {
    let entry = try model(block)
    let network = entry.network
    let x = try inputs(block, network: network, key: "input")
    let y = try atOption(block.option("input") ?? block.option("data")) { try network.predict(x) }
    var entries: [String: Value] = [:]
    for r in 0..<y.rows {
      for c in 0..<y.columns {
        entries[y.columns == 1 ? "y\(r + 1)" : "y\(r + 1)_\(c + 1)"] = .number(y[r, c])
      }
      if y.columns > 1 { entries["class\(r + 1)"] = .number(Double(y.argmaxPerRow()[r])) }
    }
    store(entries, under: resultName(of: block))
    guard context.showsResults else { return [] }
    let inputNames = network.inputNames ?? (1...network.inputCount).map { "x\($0)" }
    let shownInputs = min(network.inputCount, 8)
    var header = Array(inputNames.prefix(shownInputs))
    if network.inputCount > shownInputs { header.append("…") }
    header += y.columns == 1 ? ["ŷ"] : (1...y.columns).map { "ŷ\($0)" } + ["class"]
    let classes = y.argmaxPerRow()
    let rows = (0..<x.rows).map { r -> [Cell] in
      var cells = (0..<shownInputs).map { Cell.number(x[r, $0], decimals: nil) }
      if network.inputCount > shownInputs { cells.append(.text("…")) }
      cells += (0..<y.columns).map { Cell.number(y[r, $0], decimals: nil) }
      if y.columns > 1 { cells.append(.integer(classes[r])) }
      return cells
    }
    return [
      .table(
        Table(caption: context.caption, header: header, rows: rows, precision: context.precision))
    ]
  }

  // MARK: - Shared pieces

  func resultName(of block: DirectiveBlock) -> String {
    resultName(block) ?? block.kind.rawValue
  }

  /// Inputs from `input` (samples separated by `;`) or from `data` (its first `samples`).
  func inputs(_ block: DirectiveBlock, network: Network<Double>, key: String) throws -> Matrix<
    Double
  > {
    if let option = block.option(key) {
      let rows = try option.samples()
      guard !rows.isEmpty else { throw BlockError("'\(key)' has no numbers", at: option) }
      if let bad = rows.first(where: { $0.count != network.inputCount }) {
        throw BlockError(
          "the model takes \(network.inputCount) inputs per sample (NCOL(X) == NROW(W)), but a sample here has \(bad.count)",
          at: option)
      }
      return try atOption(option) { try Matrix(rows) }
    }
    if let option = block.option("data") {
      let data = try dataset(option)
      let limit =
        try block.option("samples").map { try $0.integer(in: 1...20) } ?? min(20, data.count)
      guard data.features.columns == network.inputCount else {
        throw BlockError(
          "'\(option.value)' has \(data.features.columns) features but the model takes \(network.inputCount) inputs (NCOL(X) == NROW(W))",
          at: option)
      }
      return try data.features.selectingRows(0..<min(limit, data.count))
    }
    throw BlockError(
      "'\(block.kind.rawValue)' needs '\(key)' or 'data'", hint: "e.g. '\(key): 1 0 1'")
  }

  func parseLoss(_ option: DirectiveOption) throws -> Loss {
    let words = option.words
    let name = words.first ?? ""
    let parameter = words.count > 1 ? DirectiveOption.parseNumber(words[1]) : nil
    guard let loss = Loss(name: name, parameter: parameter) else {
      throw BlockError(
        "unknown loss '\(name)'", at: option, hint: suggestion(for: name, among: Loss.knownNames))
    }
    return loss
  }

  private func forwardValues(_ trace: ForwardTrace<Double>, _ network: Network<Double>) -> [String:
    Value]
  {
    var entries: [String: Value] = [:]
    let labels = network.unitLabels.layers
    for (l, layer) in trace.layers.enumerated() {
      for r in 0..<layer.output.rows {
        for j in 0..<layer.output.columns where labels[l].indices.contains(j) {
          let suffix = r == 0 ? "" : "[\(r + 1)]"
          entries["I" + labels[l][j] + suffix] = .number(layer.netInput[r, j])
          entries["O" + labels[l][j] + suffix] = .number(layer.output[r, j])
          entries["z\(l + 1)_\(j + 1)" + suffix] = .number(layer.netInput[r, j])
          entries["a\(l + 1)_\(j + 1)" + suffix] = .number(layer.output[r, j])
        }
      }
    }
    if trace.output.columns > 0, trace.output.rows > 0 {
      entries["output"] = .number(trace.output[0, 0])
    }
    return entries
  }

  private func forwardTable(
    _ trace: ForwardTrace<Double>, _ network: Network<Double>, context: BlockContext,
    caption: String?
  ) -> Table {
    let labels = network.unitLabels.layers
    let samples = trace.input.rows
    let unit = context.notation == .unit
    var header = unit ? ["Unit, j"] : ["Layer", "Unit"]
    for s in 0..<samples {
      let tag = samples > 1 ? " (\(s + 1))" : ""
      header += unit ? ["Net input, Iⱼ" + tag, "Output, Oⱼ" + tag] : ["z⁽ˡ⁾" + tag, "a⁽ˡ⁾" + tag]
    }
    var rows: [[Cell]] = []
    for (l, layer) in trace.layers.enumerated() {
      for j in 0..<layer.output.columns {
        var cells: [Cell] = unit ? [.text(labels[l][j])] : [.text("\(l + 1)"), .text("\(j + 1)")]
        for s in 0..<samples {
          let suffix = s == 0 ? "" : "[\(s + 1)]"
          cells += [
            .keyed("I" + labels[l][j] + suffix, .number(layer.netInput[s, j])),
            .keyed("O" + labels[l][j] + suffix, .number(layer.output[s, j])),
          ]
        }
        rows.append(cells)
      }
    }
    return Table(caption: caption, header: header, rows: rows, precision: context.precision)
  }

  /// The textbook's error table; formulas when every unit is sigmoid and the loss is
  /// ½ sum of squares on one sample (Err_j = O_j(1 − O_j)(T_j − O_j) at the output,
  /// O_j(1 − O_j)Σ_k Err_k w_jk below).
  private func errorTable(
    _ forward: ForwardTrace<Double>, _ backward: BackwardTrace<Double>, _ network: Network<Double>,
    y: Matrix<Double>, loss: Loss, context: BlockContext
  ) -> Table {
    let labels = network.unitLabels.layers
    let unit = context.notation == .unit
    let detail = context.precision + 1
    let formulas =
      unit && loss == .halfSumOfSquares && forward.input.rows == 1
      && network.layers.allSatisfy { $0.activation == .sigmoid }
    var rows: [[Cell]] = []
    for l in network.layers.indices.reversed() {
      let output = forward.layers[l].output
      for j in (0..<output.columns).reversed() {
        let err = -backward.deltas[l][0, j]
        var cells: [Cell] = unit ? [.text(labels[l][j])] : [.text("\(l + 1)"), .text("\(j + 1)")]
        if formulas {
          let o = output[0, j]
          var parts: [FormulaPart] = [
            .keyed("O" + labels[l][j], .factor(o, decimals: nil)), .text("(1 − "),
            .keyed("O" + labels[l][j], .number(o, decimals: nil)), .text(")"),
          ]
          if l == network.layers.count - 1 {
            parts += [
              .text("("), .number(y[0, j], decimals: nil, trimmed: true), .text(" − "),
              .keyed("O" + labels[l][j], .number(o, decimals: nil)), .text(")"),
            ]
          } else {
            let next = network.layers[l + 1]
            let terms = (0..<next.unitCount).map { k -> [FormulaPart] in
              [
                .keyed(
                  "Err" + labels[l + 1][k], .factor(-backward.deltas[l + 1][0, k], decimals: detail)
                ),
                .factor(next.weights[j, k], decimals: nil, trimmed: true),
              ]
            }
            if terms.count == 1 {
              parts += terms[0]
            } else {
              parts.append(.text("["))
              for (index, term) in terms.enumerated() {
                if index > 0 { parts.append(.text(" + ")) }
                parts += term
              }
              parts.append(.text("]"))
            }
          }
          parts += [.text(" = "), .keyed("Err" + labels[l][j], .number(err, decimals: detail))]
          cells.append(.formula(parts))
        } else {
          cells.append(
            .keyed(
              unit ? "Err" + labels[l][j] : "delta\(l + 1)_\(j + 1)",
              .number(unit ? err : -err, decimals: detail)))
        }
        rows.append(cells)
      }
    }
    let header = unit ? ["Unit, j", "Errⱼ"] : ["Layer", "Unit", "δ⁽ˡ⁾ = ∂L/∂z⁽ˡ⁾"]
    return Table(caption: nil, header: header, rows: rows, precision: context.precision)
  }

  private func gradientTable(
    _ step: UpdateStep<Double>, _ network: Network<Double>, context: BlockContext
  ) -> Table {
    let rows = orderedUpdates(step).map { update -> [Cell] in
      [
        .text(parameterLabel(update, network: network, notation: context.notation)),
        .keyed("grad_" + update.name, .number(update.gradient, decimals: context.precision + 1)),
      ]
    }
    return Table(
      caption: nil, header: ["Parameter", "∂L/∂parameter"], rows: rows, precision: context.precision
    )
  }

  /// The textbook's update rows: `w46 | −0.3 + (0.9)(0.1311)(0.332) = −0.261`.
  private func updateTable(
    _ step: UpdateStep<Double>, _ network: Network<Double>, context: BlockContext
  )
    -> Table
  {
    let detail = context.precision + 1
    let unit = context.notation == .unit
    let labels = network.unitLabels
    let rows = orderedUpdates(step).map { update -> [Cell] in
      var parts: [FormulaPart] = [.number(update.oldValue, decimals: nil, trimmed: true)]
      if let delta = update.unitDelta, let source = update.sourceOutput {
        parts += [
          .text(" + "), .factor(update.learningRate, decimals: nil, trimmed: true),
          .keyed(
            "Err" + Self.label(of: update.parameter, in: labels), .factor(-delta, decimals: detail)),
        ]
        if case .weight(let layer, let from, _) = update.parameter {
          // An input is shown as given (1, 0); a unit's output with the table's decimals.
          let factor = FormulaPart.factor(source, decimals: nil, trimmed: layer == 0)
          let sourceLabel =
            layer > 0 && labels.layers[layer - 1].indices.contains(from)
            ? labels.layers[layer - 1][from] : nil
          parts.append(sourceLabel.map { .keyed("O" + $0, factor) } ?? factor)
        }
      } else {
        parts += [
          .text(" − "), .factor(update.learningRate, decimals: nil, trimmed: true),
          .keyed("grad_" + update.name, .factor(update.gradient, decimals: detail)),
        ]
      }
      parts += [
        .text(" = "), .keyed("new_" + update.name, .number(update.newValue, decimals: nil)),
      ]
      return [.text(unit ? update.name : layerName(update.parameter)), .formula(parts)]
    }
    return Table(
      caption: nil, header: [unit ? "Weight or Bias" : "Parameter", "New Value"], rows: rows,
      precision: context.precision)
  }

  /// The label of the unit a parameter feeds (`6` for w46 and θ6).
  static func label(of parameter: ParameterID, in labels: (inputs: [String], layers: [[String]]))
    -> String
  {
    let (layer, unit): (Int, Int)
    switch parameter {
    case .weight(let l, _, let to): (layer, unit) = (l, to)
    case .bias(let l, let u): (layer, unit) = (l, u)
    }
    guard labels.layers.indices.contains(layer), labels.layers[layer].indices.contains(unit) else {
      return "?"
    }
    return labels.layers[layer][unit]
  }

  /// Weights output layer first, then biases, each layer's units last to first (the
  /// textbook's order: w46, w56, w14 … θ6, θ5, θ4).
  private func orderedUpdates(_ step: UpdateStep<Double>) -> [ParameterUpdate<Double>] {
    let weights = step.updates.filter { if case .weight = $0.parameter { true } else { false } }
    let biases = step.updates.filter { if case .bias = $0.parameter { true } else { false } }
    let sortedBiases = biases.sorted {
      guard case .bias(let l1, let u1) = $0.parameter, case .bias(let l2, let u2) = $1.parameter
      else { return false }
      return (l1, u1) > (l2, u2)
    }
    return weights + sortedBiases
  }

  private func parameterLabel(
    _ update: ParameterUpdate<Double>, network: Network<Double>, notation: Notation
  ) -> String {
    notation == .unit ? update.name : layerName(update.parameter)
  }

  /// `W⁽²⁾[1,2]` / `b⁽¹⁾[3]`, 1-based.
  func layerName(_ parameter: ParameterID) -> String {
    switch parameter {
    case .weight(let layer, let from, let to): "W⁽\(superscript(layer + 1))⁾[\(from + 1),\(to + 1)]"
    case .bias(let layer, let unit): "b⁽\(superscript(layer + 1))⁾[\(unit + 1)]"
    }
  }
}
