import NeuralEngine
import Notebook

/// The samples a pass runs on: given inline (`input:`) or taken from a data set (`data:`).
struct PassInputs {
  var input: [[Double]]?
  var data: DataReference?
  var samples: Int?

  /// The inputs as a matrix, checked against the model.
  func matrix(for network: Network<Double>, _ context: BlockContext) throws -> Matrix<Double> {
    if let input {
      let option = context.option("input")
      if let bad = input.first(where: { $0.count != network.inputCount }) {
        throw BlockError(
          "the model takes \(network.inputCount) inputs per sample (NCOL(X) == NROW(W)), but a sample here has \(bad.count)",
          at: option)
      }
      return try atOption(option) { try Matrix(input) }
    }
    if let data {
      let option = context.option("data")
      let set = try context.dataset(data, at: option)
      let limit = samples ?? min(20, set.count)
      guard set.features.columns == network.inputCount else {
        throw BlockError(
          "'\(data)' has \(set.features.columns) features but the model takes \(network.inputCount) inputs (NCOL(X) == NROW(W))",
          at: option)
      }
      return try set.features.selectingRows(0..<min(limit, set.count))
    }
    throw BlockError(
      "'\(context.block.kind.rawValue)' needs 'input' or 'data'", hint: "e.g. 'input: 1 0 1'")
  }

  /// The targets of a pass over `x`: those given (`target:`), or those of the rows taken
  /// from `data:`; checked against the loss's shape for the model's outputs.
  func targets(
    _ given: [[Double]]?, for x: Matrix<Double>, network: Network<Double>, loss: Loss,
    _ context: BlockContext
  ) throws -> Matrix<Double> {
    let option = context.option("target") ?? context.option("data")
    let y: Matrix<Double>
    if let given {
      y = try atOption(option) { try Matrix<Double>(given) }
    } else if let data {
      let set = try context.dataset(data, at: option)
      y = try set.targets.selectingRows(0..<min(x.rows, set.count))
    } else {
      throw BlockError("the pass needs 'target' or 'data'", hint: "e.g. 'target: 1'")
    }
    let expected = loss.targetShape(
      forPredictions: Shape(rows: x.rows, columns: network.outputCount))
    guard y.shape == expected else {
      throw BlockError(
        "'target' gives \(y.rows) row(s) of \(y.columns) value(s); this model needs \(expected.rows) of \(expected.columns)",
        at: option)
    }
    return y
  }

  /// `target:`, for the passes that take targets.
  static func targetField<D>(_ path: WritableKeyPath<D, [[Double]]?>) -> OptionField<D> {
    .option(
      "target", path, .samples,
      "the target outputs for each sample; with `data:`, the data set's targets",
      example: "target: 1")
  }

  /// The declarations of `input`, `data` and `samples`, for the passes that take them.
  static func fields<D>(
    _ path: WritableKeyPath<D, PassInputs>, input summary: String, example: String
  )
    -> [OptionField<D>]
  {
    [
      .option("input", path.appending(path: \.input), .samples, summary, example: example),
      .option(
        "data", path.appending(path: \.data), .dataset,
        "a data set to take the inputs from (its first `samples` rows)", example: "data: xor"),
      .option(
        "samples", path.appending(path: \.samples), .integer(in: 1...20), "how many rows of `data`",
        example: "samples: 4", default: "all, at most 20"),
    ]
  }

  /// The owner of `data: NAME.part`.
  var dataOwner: String? { data?.owner }
}

/// The values of a forward pass: `I4`, `O4` (unit notation), `z1_2`, `a1_2` (layer
/// notation) for every sample, and `output`.
func storeForwardValues(
  _ trace: ForwardTrace<Double>, _ network: Network<Double>, under owner: String,
  _ context: BlockContext
) {
  let labels = network.unitLabels.layers
  for (l, layer) in trace.layers.enumerated() {
    for r in 0..<layer.output.rows {
      for j in 0..<layer.output.columns where labels[l].indices.contains(j) {
        context.store(.netInput(owner, unit: labels[l][j], sample: r), layer.netInput[r, j])
        context.store(.output(owner, unit: labels[l][j], sample: r), layer.output[r, j])
        context.store(.layerNetInput(owner, layer: l, unit: j, sample: r), layer.netInput[r, j])
        context.store(.layerOutput(owner, layer: l, unit: j, sample: r), layer.output[r, j])
      }
    }
  }
  if trace.output.columns > 0, trace.output.rows > 0 {
    context.store(.named(owner, "output"), trace.output[0, 0])
  }
}

/// The forward table: every unit's net input and output, a column pair per sample.
func forwardTable(
  _ trace: ForwardTrace<Double>, _ network: Network<Double>, owner: String,
  _ context: BlockContext, caption: String?
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
  // Several samples: their inputs first, so a reader sees what each column is a pass of.
  if samples > 1 {
    let inputs = network.unitLabels.inputs
    for i in 0..<trace.input.columns where inputs.indices.contains(i) {
      var cells: [Cell] = unit ? [.text(inputs[i])] : [.text("input"), .text("\(i + 1)")]
      for s in 0..<samples { cells += [.empty, .plain(trace.input[s, i])] }
      rows.append(cells)
    }
  }
  for (l, layer) in trace.layers.enumerated() {
    for j in 0..<layer.output.columns {
      var cells: [Cell] = unit ? [.text(labels[l][j])] : [.text("\(l + 1)"), .text("\(j + 1)")]
      for s in 0..<samples {
        cells += [
          .keyed(.netInput(owner, unit: labels[l][j], sample: s), .number(layer.netInput[s, j])),
          .keyed(.output(owner, unit: labels[l][j], sample: s), .number(layer.output[s, j])),
        ]
      }
      rows.append(cells)
    }
  }
  return Table(caption: caption, header: header, rows: rows, precision: context.precision)
}

/// `W⁽²⁾[1,2]` / `b⁽¹⁾[3]`, 1-based.
func layerName(_ parameter: ParameterID) -> String {
  switch parameter {
  case .weight(let layer, let from, let to): "W⁽\(superscript(layer + 1))⁾[\(from + 1),\(to + 1)]"
  case .bias(let layer, let unit): "b⁽\(superscript(layer + 1))⁾[\(unit + 1)]"
  }
}

/// A directive that runs a model on samples (`forward`, `backward`, `predict`): it reads the
/// model and the data set it names, and stores its values under `as:` or the model's name.
protocol ModelPass: Directive {
  var inputs: PassInputs { get }
  var storedAs: String? { get }
}

extension ModelPass {
  func reads(_ block: DirectiveBlock) -> [String] {
    [block.name, inputs.dataOwner].compactMap { $0 }
  }

  func resultName(_ block: DirectiveBlock) -> String? { storedAs ?? block.name }

  /// The model the block names and the samples it runs on.
  func modelAndSamples(_ context: BlockContext) throws -> (Network<Double>, Matrix<Double>) {
    let network = try context.model(context.block.name).network
    return (network, try inputs.matrix(for: network, context))
  }
}
