import NeuralEngine
import Notebook

/// The values and tables of one backward pass: the textbook's error and update tables,
/// gradients, the loss, the gradients at the inputs, and gradient sizes per layer.
struct BackwardTables {
  var network: Network<Double>
  var forward: ForwardTrace<Double>
  var backward: BackwardTrace<Double>
  var step: UpdateStep<Double>
  var target: Matrix<Double>
  var loss: Loss
  var owner: String
  var context: BlockContext

  private var labels: (inputs: [String], layers: [[String]]) { network.unitLabels }
  private var samples: Int { forward.input.rows }
  private var detail: Int { context.precision + 1 }

  /// ∂L/∂X = δ⁽¹⁾ · W⁽¹⁾ᵀ, one row per sample.
  private var inputGradientMatrix: Matrix<Double>? {
    guard let first = network.layers.first, let delta = backward.deltas.first else { return nil }
    return try? delta.multiplied(by: first.weights, transposingOther: true)
  }

  /// Stores every value the pass computed.
  func store() {
    storeForwardValues(forward, network, under: owner, context)
    context.store(.named(owner, "loss"), backward.loss)
    let labels = labels
    for (l, delta) in backward.deltas.enumerated() {
      for s in 0..<delta.rows {
        for j in 0..<delta.columns where labels.layers[l].indices.contains(j) {
          let unit = labels.layers[l][j]
          context.store(.error(owner, unit: unit, sample: s), -delta[s, j])
          context.store(.delta(owner, unit: unit, sample: s), delta[s, j])
          context.store(.layerDelta(owner, layer: l, unit: j, sample: s), delta[s, j])
        }
      }
    }
    for update in step.updates {
      context.store(.gradient(owner, parameter: update.name), update.gradient)
      context.store(.updated(owner, parameter: update.name), update.newValue)
    }
    if let gradients = inputGradientMatrix {
      for s in 0..<gradients.rows {
        for i in 0..<gradients.columns where labels.inputs.indices.contains(i) {
          context.store(.inputGradient(owner, input: inputName(i), sample: s), gradients[s, i])
        }
      }
    }
    for (l, size) in layerSizes.enumerated() {
      context.store(.gradientNorm(owner, layer: l), size.norm)
      context.store(.meanDelta(owner, layer: l), size.meanDelta)
    }
  }

  /// The textbook's error table; formulas when every unit is sigmoid and the loss is
  /// ½ sum of squares on one sample (Err_j = O_j(1 − O_j)(T_j − O_j) at the output,
  /// O_j(1 − O_j)Σ_k Err_k w_jk below). A batch shows a column per sample.
  func errors() -> Table {
    let unit = context.notation == .unit
    let formulas =
      unit && loss == .halfSumOfSquares && samples == 1
      && network.layers.allSatisfy { $0.activation == .sigmoid && $0.batchNorm == nil }
    var rows: [[Cell]] = []
    for l in network.layers.indices.reversed() {
      let output = forward.layers[l].output
      for j in (0..<output.columns).reversed() {
        let label = labels.layers[l][j]
        var cells: [Cell] = unit ? [.text(label)] : [.text("\(l + 1)"), .text("\(j + 1)")]
        if formulas {
          cells.append(.formula(errorFormula(layer: l, unit: j)))
        } else {
          for s in 0..<samples {
            let delta = backward.deltas[l][s, j]
            cells.append(
              .keyed(
                unit
                  ? .error(owner, unit: label, sample: s)
                  : .layerDelta(owner, layer: l, unit: j, sample: s),
                .number(unit ? -delta : delta, decimals: detail)))
          }
        }
        rows.append(cells)
      }
    }
    let tag = { (s: Int) in samples > 1 ? " (\(s + 1))" : "" }
    let header =
      unit
      ? ["Unit, j"] + (0..<samples).map { "Errⱼ" + tag($0) }
      : ["Layer", "Unit"] + (0..<samples).map { "δ⁽ˡ⁾ = ∂L/∂z⁽ˡ⁾" + tag($0) }
    return Table(caption: nil, header: header, rows: rows, precision: context.precision)
  }

  private func errorFormula(layer l: Int, unit j: Int) -> [FormulaPart] {
    let label = labels.layers[l][j]
    var parts: [FormulaPart]
    if let mask = forward.layers[l].mask, let before = forward.layers[l].beforeDropout {
      // Under dropout: φ(1 − φ) of the unit's own output, times its mask m.
      let phi = before[0, j]
      parts = [
        .factor(phi, decimals: nil), .text("(1 − "), .number(phi, decimals: nil), .text(")"),
        .keyed(
          ValueKey(owner: owner, quantity: "mask" + label, sample: 1),
          .factor(mask[0, j], decimals: nil)),
      ]
    } else {
      let o = forward.layers[l].output[0, j]
      parts = [
        .keyed(.output(owner, unit: label), .factor(o, decimals: nil)), .text("(1 − "),
        .keyed(.output(owner, unit: label), .number(o, decimals: nil)), .text(")"),
      ]
    }
    let o = forward.layers[l].output[0, j]
    if l == network.layers.count - 1 {
      parts += [
        .text("("), .number(target[0, j], decimals: nil, trimmed: true), .text(" − "),
        .keyed(.output(owner, unit: label), .number(o, decimals: nil)), .text(")"),
      ]
    } else {
      let next = network.layers[l + 1]
      let terms = (0..<next.unitCount).map { k -> [FormulaPart] in
        [
          .keyed(
            .error(owner, unit: labels.layers[l + 1][k]),
            .factor(-backward.deltas[l + 1][0, k], decimals: detail)),
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
    let err = -backward.deltas[l][0, j]
    return parts + [
      .text(" = "), .keyed(.error(owner, unit: label), .number(err, decimals: detail)),
    ]
  }

  func gradients() -> Table {
    let rows = orderedUpdates.map { update -> [Cell] in
      [
        .text(parameterLabel(update)),
        .keyed(
          .gradient(owner, parameter: update.name),
          .number(update.gradient, decimals: context.precision + 1)),
      ]
    }
    return Table(
      caption: nil, header: ["Parameter", "∂L/∂parameter"], rows: rows, precision: context.precision
    )
  }

  /// The textbook's update rows: `w46 | −0.3 + (0.9)(0.1311)(0.332) = −0.261`.
  func updates() -> Table {
    let unit = context.notation == .unit
    let rows = orderedUpdates.map { update -> [Cell] in
      var parts: [FormulaPart] = [.number(update.oldValue, decimals: nil, trimmed: true)]
      if let delta = update.unitDelta, let source = update.sourceOutput {
        parts += [
          .text(" + "), .factor(update.learningRate, decimals: nil, trimmed: true),
          .keyed(
            .error(owner, unit: feedsLabel(update.parameter)), .factor(-delta, decimals: detail)),
        ]
        if case .weight(let layer, let from, _) = update.parameter {
          // An input is shown as given (1, 0); a unit's output with the table's decimals.
          let factor = FormulaPart.factor(source, decimals: nil, trimmed: layer == 0)
          let sourceLabel =
            layer > 0 && labels.layers[layer - 1].indices.contains(from)
            ? labels.layers[layer - 1][from] : nil
          parts.append(sourceLabel.map { .keyed(.output(owner, unit: $0), factor) } ?? factor)
        }
      } else {
        parts += [
          .text(" − "), .factor(update.learningRate, decimals: nil, trimmed: true),
          .keyed(
            .gradient(owner, parameter: update.name), .factor(update.gradient, decimals: detail)),
        ]
      }
      parts += [
        .text(" = "),
        .keyed(.updated(owner, parameter: update.name), .number(update.newValue, decimals: nil)),
      ]
      return [.text(unit ? update.name : layerName(update.parameter)), .formula(parts)]
    }
    return Table(
      caption: nil, header: [unit ? "Weight or Bias" : "Parameter", "New Value"], rows: rows,
      precision: context.precision)
  }

  /// The loss of the pass, with its name.
  func lossTable() -> Table {
    Table(
      caption: nil, header: ["Loss", "Value"],
      rows: [[.text(Shown.loss(loss)), .keyed(.named(owner, "loss"), .number(backward.loss))]],
      precision: context.precision)
  }

  /// ∂L/∂xᵢ for every input and sample: what flows back out of the network.
  func inputGradients() throws -> Table {
    guard let gradients = inputGradientMatrix else {
      throw BlockError("the gradients at the inputs could not be computed")
    }
    let tag = { (s: Int) in samples > 1 ? " (\(s + 1))" : "" }
    let rows = (0..<gradients.columns).map { i -> [Cell] in
      [.text(inputName(i))]
        + (0..<gradients.rows).map { s in
          .keyed(
            .inputGradient(owner, input: inputName(i), sample: s),
            .number(gradients[s, i], decimals: detail))
        }
    }
    return Table(
      caption: nil, header: ["Input"] + (0..<samples).map { "∂L/∂xᵢ" + tag($0) }, rows: rows,
      precision: context.precision)
  }

  /// Gradient size per layer, input side first.
  func norms() -> Table {
    let rows = layerSizes.enumerated().map { l, size -> [Cell] in
      [
        .integer(l + 1), .text(Shown.activation(network.layers[l].activation)),
        .measured(size.norm),
        .measured(size.meanDelta),
      ]
    }
    return Table(
      caption: "Gradient size per layer, input side first",
      header: ["Layer", "Activation", "‖∂L/∂W‖", "mean |δ|"], rows: rows,
      precision: context.precision)
  }

  private var layerSizes: [(norm: Double, meanDelta: Double)] {
    network.layers.indices.map { l in
      let gradient = backward.weightGradients[l].elements
      let deltas = backward.deltas[l].elements
      return (
        gradient.reduce(0) { $0 + $1 * $1 }.squareRoot(),
        deltas.isEmpty ? 0 : deltas.reduce(0) { $0 + abs($1) } / Double(deltas.count)
      )
    }
  }

  /// An input's name as tables show it: `x1`, or the name the model gave.
  private func inputName(_ index: Int) -> String {
    network.inputNames.map { $0[index] } ?? "x\(index + 1)"
  }

  /// The label of the unit a parameter feeds (`6` for w46 and θ6).
  private func feedsLabel(_ parameter: ParameterID) -> String {
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

  private func parameterLabel(_ update: ParameterUpdate<Double>) -> String {
    context.notation == .unit ? update.name : layerName(update.parameter)
  }

  /// Weights output layer first, then biases, each layer's units last to first (the
  /// textbook's order: w46, w56, w14 … θ6, θ5, θ4).
  private var orderedUpdates: [ParameterUpdate<Double>] {
    let weights = step.updates.filter { if case .weight = $0.parameter { true } else { false } }
    let biases = step.updates.filter { if case .bias = $0.parameter { true } else { false } }
    let sortedBiases = biases.sorted {
      guard case .bias(let l1, let u1) = $0.parameter, case .bias(let l2, let u2) = $1.parameter
      else { return false }
      return (l1, u1) > (l2, u2)
    }
    return weights + sortedBiases
  }
}
