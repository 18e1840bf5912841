import Figures
import NeuralEngine
import Notebook

/// ```perceptron NAME```: a McCulloch–Pitts unit or a perceptron over boolean inputs.
struct PerceptronDirective: Directive {
  var unit = UnitKind.perceptron
  var inputs: [String] = ["x1", "x2"]
  var threshold: Int?
  var inhibitory: [String] = []
  var weights: [Assignment] = []
  var function: TruthFunction?
  var train = false
  var rate = 1.0
  var epochs = 20

  enum UnitKind: String, OptionChoice {
    case perceptron
    case mccullochPitts = "mcculloch-pitts"
    static let aliases: [String: UnitKind] = [
      "mcculloch_pitts": .mccullochPitts, "mp": .mccullochPitts,
    ]
  }

  enum TruthFunction: String, OptionChoice {
    case and, or, nand, nor, xor, not
  }

  static let kind = DirectiveKind.perceptron
  static let syntax: DirectiveSyntax = .options(name: .required("the unit it defines"))

  /// The model or data set it names, which it makes or changes.
  func changes(_ block: DirectiveBlock) -> [String] { block.name.map { [$0] } ?? [] }
  static let summary = "a McCulloch–Pitts unit or a perceptron: truth tables and the learning rule"
  static let storedValues =
    "`y1`… for each row of the truth table, `w0`…, `correct`, and `converged`, `epochs` after training"
  static let bodySyntax: String? =
    "The net input w0 + Σ wᵢxᵢ is printed with enough digits to show its sign (a value that rounds to zero at the block's precision is written in scientific notation), so the output y beside it (1 when the net input is ≥ 0) always agrees with what the table shows."

  static var fields: [OptionField<Self>] {
    [
      .option("unit", \.unit, .choice, "the kind of unit", example: "unit: mcculloch-pitts"),
      .option(
        "inputs", \.inputs, .truthInputs, "the number of inputs or their names",
        example: "inputs: x1 x2"),
      .option(
        "threshold", \.threshold, .integer(in: -100...100), "a McCulloch–Pitts unit's threshold θ",
        example: "threshold: 2"),
      .option(
        "inhibitory", \.inhibitory, .words, "a McCulloch–Pitts unit's inhibitory inputs",
        example: "inhibitory: x1"),
      .option(
        "weights", \.weights, .assignments,
        "a perceptron's weights, `w0` being the bias −θ; those left out are 0",
        example: "weights: w0=-1 w1=1.1 w2=1.1"),
      .option(
        "function", \.function, .choice, "the boolean function to compare with (and learn)",
        example: "function: or"),
      .option(
        "train", \.train, .boolean,
        "learn the weights with the perceptron rule, starting from `weights`",
        example: "train: true"),
      .option(
        "rate", \.rate, .number(in: 0...1e6, summary: "a number from 0 to 1000000"),
        "the learning rate of the perceptron rule", example: "rate: 0.5"),
      .option(
        "epochs", \.epochs, .integer(in: 1...10_000), "the most epochs the rule may take",
        example: "epochs: 50"),
    ]
  }

  func validate(_ block: DirectiveBlock) -> [BlockError] {
    var errors: [BlockError] = []
    if let function {
      let needed = function == .not ? 1 : 2
      if inputs.count != needed {
        errors.append(
          BlockError(
            "\(function.rawValue.uppercased()) takes \(needed == 1 ? "one input" : "two inputs")",
            at: block.option("function")))
      }
    }
    if unit == .mccullochPitts, threshold == nil {
      errors.append(
        BlockError("a McCulloch–Pitts unit needs a 'threshold'", hint: "e.g. 'threshold: 2'"))
    }
    for word in inhibitory where !inputs.contains(word) {
      errors.append(
        BlockError(
          "no input '\(word)'", at: block.option("inhibitory"), word: word,
          hint: suggestion(for: word, among: inputs)))
    }
    for assignment in weights {
      guard assignment.name.first == "w", let index = Int(assignment.name.dropFirst()),
        (0...inputs.count).contains(index)
      else {
        errors.append(
          BlockError(
            "no weight '\(assignment.name)': this perceptron has w0 (the bias) to w\(inputs.count)",
            at: block.option("weights"), word: assignment.name))
        continue
      }
    }
    if train, function == nil {
      errors.append(
        BlockError(
          "training needs the 'function' to learn", at: block.option("train"),
          hint: "e.g. 'function: or'"))
    }
    return errors
  }

  func run(_ context: BlockContext) throws -> [ResultItem] {
    guard let name = context.block.name else { return [] }
    let rows = try truthTableInputs(count: inputs.count)
    let targets = function.map { f in rows.map { Self.apply(f, $0) } }
    var outputs: [Int] = []
    var items: [ResultItem] = []
    var header = inputs
    var table: [[Cell]] = []
    var perceptron: Perceptron?
    switch unit {
    case .mccullochPitts:
      let unit = McCullochPittsUnit(
        threshold: threshold ?? 0,
        inhibitory: Set(inhibitory.compactMap { inputs.firstIndex(of: $0) }))
      header += ["g(x)", "y"]
      // With inhibitory inputs, a column says why each output is what it is: a unit whose
      // sum reaches θ still outputs 0 when an inhibitory input is on.
      let vetoes = inhibitory.compactMap { name in inputs.firstIndex(of: name).map { (name, $0) } }
      if !vetoes.isEmpty { header.append("why") }
      let theta = NumberText.plain(Double(threshold ?? 0))
      for row in rows {
        let y = try unit.output(row)
        outputs.append(y)
        var cells: [Cell] = row.map { .integer($0) } + [.integer(unit.aggregate(row)), .integer(y)]
        if !vetoes.isEmpty {
          let on = vetoes.filter { row.indices.contains($0.1) && row[$0.1] != 0 }.map(\.0)
          cells.append(
            .text(
              on.isEmpty
                ? (unit.aggregate(row) >= (threshold ?? 0)
                  ? "g ≥ θ = \(theta)" : "g < θ = \(theta)")
                : "inhibited: \(on.joined(separator: ", ")) = 1"))
        }
        table.append(cells)
      }
      context.store(.named(name, "threshold"), Double(threshold ?? 0))
    case .perceptron:
      var unit = Perceptron(weights: Array(repeating: 0, count: inputs.count), bias: 0)
      for assignment in weights {
        guard let index = Int(assignment.name.dropFirst()) else { continue }
        if index == 0 {
          unit.bias = assignment.value
        } else {
          unit.weights[index - 1] = assignment.value
        }
      }
      let samples = rows.map { $0.map(Double.init) }
      if train, let targets {
        let training = try atOption(context.option("train")) {
          try unit.train(inputs: samples, targets: targets, learningRate: rate, maxEpochs: epochs)
        }
        context.store(.named(name, "converged"), .bool(training.converged))
        context.store(.named(name, "epochs"), Double(training.epochs.count))
        items += trainingItems(training, context)
      }
      context.store(.unitWeight(name, index: 0), unit.bias)
      for (index, weight) in unit.weights.enumerated() {
        context.store(.unitWeight(name, index: index + 1), weight)
      }
      header += ["w0 + Σ wᵢxᵢ", "y"]
      for (r, sample) in samples.enumerated() {
        let y = try unit.output(sample)
        outputs.append(y)
        table.append(
          rows[r].map { .integer($0) } + [
            Self.netInputCell(try unit.netInput(sample), context.precision), .integer(y),
          ])
      }
      perceptron = unit
    }
    for (r, y) in outputs.enumerated() { context.store(.prediction(name, sample: r), Double(y)) }
    context.namespace.units[name] = ThresholdEntry(
      perceptron: perceptron, inputs: rows, outputs: outputs, targets: targets)
    if let targets {
      header += ["target", "✓"]
      for r in table.indices {
        table[r] += [.integer(targets[r]), .mark(outputs[r] == targets[r])]
      }
      context.store(.named(name, "correct"), .bool(outputs == targets))
    }
    guard context.showsResults else { return [] }
    return [
      .table(
        Table(caption: context.caption, header: header, rows: table, precision: context.precision))
    ] + items
  }

  private func trainingItems(_ training: PerceptronTraining, _ context: BlockContext)
    -> [ResultItem]
  {
    let weightNames = ["w0"] + (1...inputs.count).map { "w\($0)" }
    let epochRows = training.epochs.map { epoch -> [Cell] in
      [.integer(epoch.epoch), .integer(epoch.mistakes), .plain(epoch.bias)]
        + epoch.weights.map { Cell.plain($0) }
    }
    return [
      .note(
        training.converged
          ? "The learning rule converged: epoch \(training.epochs.count) made no mistake."
          : "The learning rule did not converge in \(training.epochs.count) epochs: every epoch still misclassified a sample."
      ),
      .table(
        Table(
          caption: "Perceptron learning rule, \(context.rateSymbol) = \(NumberText.plain(rate))",
          header: ["Epoch", "Mistakes"] + weightNames, rows: epochRows, precision: context.precision
        )),
    ]
  }

  /// A net input as written (`0.1`, `-1`), or in scientific notation when it is not zero
  /// but would print as zero: its sign decides y, so the table must show it.
  static func netInputCell(_ value: Double, _ precision: Int) -> Cell {
    value != 0 && abs(value) < Assertion.unit(decimals: precision) / 2
      ? .measured(value) : .plain(value)
  }

  static func apply(_ function: TruthFunction, _ row: [Int]) -> Int {
    let a = row.first ?? 0
    guard function != .not else { return 1 - a }
    let b = row.count > 1 ? row[1] : 0
    return BooleanFunction(rawValue: function.rawValue)?.apply(a, b) ?? 0
  }
}

extension OptionType where Value == [String] {
  /// A truth table's inputs: a count from 1 to 10, or 1 to 10 names.
  static var truthInputs: Self {
    OptionType("a number of inputs from 1 to 10, or their names") { option in
      let words = option.words
      if words.count == 1, let count = Int(words[0]) {
        guard (1...10).contains(count) else {
          throw BlockError("a truth table takes 1 to 10 inputs, not \(count)", at: option)
        }
        return (1...count).map { "x\($0)" }
      }
      guard (1...10).contains(words.count) else {
        throw BlockError("a truth table takes 1 to 10 inputs", at: option)
      }
      return words
    } show: {
      $0.joined(separator: " ")
    }
  }
}
