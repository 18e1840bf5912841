import NeuralEngine
import Notebook

extension Session {
  /// ```expr NAME```: `name = expression` lines; a line whose expression is a number gives a
  /// variable its value. Shows every node's value and the output's derivative by it.
  func runExpression(_ block: DirectiveBlock, _ context: BlockContext) throws -> [ResultItem] {
    guard let name = block.name else { return [] }
    var values: [String: Double] = [:]
    var definitions: [(name: String, expression: String)] = []
    var lines: [String: SourceText] = [:]
    for line in block.lines {
      let parts = line.text.split(separator: "=", maxSplits: 1).map { String($0).trimmed }
      guard parts.count == 2, let head = parts[0].first, head.isLetter,
        parts[0].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" })
      else {
        throw BlockError(
          "expected 'name = expression'", at: line, hint: "e.g. 'J = 3*(a*b + c)' or 'a = 5'")
      }
      lines[parts[0]] = line
      if let number = DirectiveOption.parseNumber(parts[1]) {
        values[parts[0]] = number
      } else {
        definitions.append((parts[0], parts[1]))
      }
    }
    guard let lastDefinition = definitions.last else {
      throw BlockError(
        "an expr block needs at least one definition with an expression",
        hint: "e.g. 'J = 3*(a*b + c)'")
    }
    let outputName = block.option("output")?.value.trimmed ?? lastDefinition.name
    guard definitions.contains(where: { $0.name == outputName }) || values[outputName] != nil else {
      throw BlockError(
        "no definition '\(outputName)'", at: block.option("output"),
        hint: suggestion(for: outputName, among: definitions.map(\.name)))
    }
    let graph: ComputationGraph
    do {
      graph = try ComputationGraph(output: outputName, definitions: definitions, values: values)
    } catch let error as ExpressionError {
      // Point into the line the expression came from.
      let line = definitions.first { $0.expression == error.expression }.flatMap { lines[$0.name] }
      var located = BlockError(error.message, hint: error.hint)
      if let line { located = BlockError(error.message, at: line, hint: error.hint) }
      if let line, let range = line.text.range(of: error.expression) {
        let start = line.text.utf8.distance(from: line.text.utf8.startIndex, to: range.lowerBound)
        located.location = SourceLocation(
          line: line.location.line, column: line.location.column + start + error.offset)
        located.length = 1
      }
      throw located
    }
    graphs[name] = graph
    var entries: [String: Value] = [:]
    var rows: [[Cell]] = []
    for node in graph.nodes {
      guard let nodeName = node.name else { continue }
      entries[nodeName] = .number(node.value)
      entries["d\(outputName)/d\(nodeName)"] = .number(node.gradient)
      let expression =
        node.operation == .variable
        ? "input" : (definitions.first { $0.name == nodeName }?.expression ?? node.text)
      rows.append([
        .text(nodeName), .text(expression), .keyed(nodeName, .plain(node.value)),
        .keyed("d\(outputName)/d\(nodeName)", .plain(node.gradient)),
      ])
    }
    store(entries, under: name)
    guard context.showsResults else { return [] }
    // Output first, then intermediate nodes back to the inputs: the order of the chain rule.
    rows.reverse()
    return [
      .table(
        Table(
          caption: context.caption,
          header: ["Node", "Definition", "Value", "∂\(outputName)/∂node"],
          rows: rows, precision: context.precision))
    ]
  }

  /// ```perceptron NAME```: a McCulloch–Pitts unit or a perceptron over boolean inputs.
  func runPerceptron(_ block: DirectiveBlock, _ context: BlockContext) throws -> [ResultItem] {
    guard let name = block.name else { return [] }
    let inputsOption = block.option("inputs")
    let names: [String]
    if let words = inputsOption?.words, words.count == 1, let count = Int(words[0]) {
      guard (1...10).contains(count) else {
        throw BlockError("a truth table takes 1 to 10 inputs, not \(count)", at: inputsOption)
      }
      names = (1...count).map { "x\($0)" }
    } else {
      names = inputsOption?.words ?? ["x1", "x2"]
    }
    guard (1...10).contains(names.count) else {
      throw BlockError("a truth table takes 1 to 10 inputs", at: inputsOption)
    }
    let rows = try truthTableInputs(count: names.count)
    let function = try block.option("function").map { option -> (Int, Int) -> Int in
      let key = option.value.trimmed.lowercased()
      if key == "not" {
        guard names.count == 1 else { throw BlockError("NOT takes one input", at: option) }
        return { a, _ in 1 - a }
      }
      guard let function = BooleanFunction(rawValue: key) else {
        throw BlockError(
          "unknown function '\(key)'", at: option,
          hint: suggestion(for: key, among: BooleanFunction.allCases.map(\.rawValue) + ["not"]))
      }
      guard names.count == 2 else {
        throw BlockError("\(key.uppercased()) takes two inputs", at: option)
      }
      return function.apply
    }
    let targets = function.map { f in rows.map { f($0[0], $0.count > 1 ? $0[1] : 0) } }
    var entries: [String: Value] = [:]
    var items: [ResultItem] = []
    let kind = block.option("unit")?.value.trimmed.lowercased() ?? "perceptron"
    var header = names
    var table: [[Cell]] = []
    switch kind {
    case "mcculloch-pitts", "mcculloch_pitts", "mp":
      guard let thresholdOption = block.option("threshold") else {
        throw BlockError("a McCulloch–Pitts unit needs a 'threshold'", hint: "e.g. 'threshold: 2'")
      }
      let threshold = try thresholdOption.integer(in: -100...100)
      let inhibitory = try Set(
        (block.option("inhibitory")?.words ?? []).map { word -> Int in
          guard let index = names.firstIndex(of: word) else {
            throw BlockError(
              "no input '\(word)'", at: block.option("inhibitory"),
              hint: suggestion(for: word, among: names))
          }
          return index
        })
      let unit = McCullochPittsUnit(threshold: threshold, inhibitory: inhibitory)
      header += ["g(x)", "y"]
      for (r, row) in rows.enumerated() {
        let y = try unit.output(row)
        entries["y\(r + 1)"] = .number(Double(y))
        table.append(row.map { .integer($0) } + [.integer(unit.aggregate(row)), .integer(y)])
      }
      entries["threshold"] = .number(Double(threshold))
    case "perceptron":
      var perceptron = Perceptron(weights: Array(repeating: 0, count: names.count), bias: 0)
      if let option = block.option("weights") {
        for (key, value) in try option.assignments() {
          guard key.first == "w", let index = Int(key.dropFirst()),
            (0...names.count).contains(index)
          else {
            throw BlockError(
              "no weight '\(key)': this perceptron has w0 (the bias) to w\(names.count)", at: option
            )
          }
          if index == 0 { perceptron.bias = value } else { perceptron.weights[index - 1] = value }
        }
      }
      let inputs = rows.map { $0.map(Double.init) }
      if let option = block.option("train"), try option.boolean() {
        guard let targets else {
          throw BlockError(
            "training needs the 'function' to learn", at: option, hint: "e.g. 'function: or'")
        }
        let rate = try block.option("rate").map { try $0.number() } ?? 1
        let epochs = try block.option("epochs").map { try $0.integer(in: 1...10_000) } ?? 20
        let training = try atOption(option) {
          try perceptron.train(
            inputs: inputs, targets: targets, learningRate: rate, maxEpochs: epochs)
        }
        entries["converged"] = .bool(training.converged)
        entries["epochs"] = .number(Double(training.epochs.count))
        let weightNames = ["w0"] + (1...names.count).map { "w\($0)" }
        let epochRows = training.epochs.map { epoch -> [Cell] in
          [.integer(epoch.epoch), .integer(epoch.mistakes), .plain(epoch.bias)]
            + epoch.weights.map { Cell.plain($0) }
        }
        items.append(
          .note(
            training.converged
              ? "The learning rule converged: epoch \(training.epochs.count) made no mistake."
              : "The learning rule did not converge in \(training.epochs.count) epochs: every epoch still misclassified a sample."
          ))
        items.append(
          .table(
            Table(
              caption: "Perceptron learning rule, η = \(trimmedNumber(rate))",
              header: ["Epoch", "Mistakes"] + weightNames, rows: epochRows,
              precision: context.precision)))
      }
      entries["w0"] = .number(perceptron.bias)
      for (index, weight) in perceptron.weights.enumerated() {
        entries["w\(index + 1)"] = .number(weight)
      }
      header += ["w0 + Σ wᵢxᵢ", "y"]
      for (r, row) in inputs.enumerated() {
        let y = try perceptron.output(row)
        entries["y\(r + 1)"] = .number(Double(y))
        table.append(
          rows[r].map { .integer($0) } + [
            .plain(try perceptron.netInput(row)), .integer(y),
          ])
      }
    default:
      throw BlockError(
        "unknown unit '\(kind)'", at: block.option("unit"),
        hint: suggestion(for: kind, among: ["perceptron", "mcculloch-pitts"]))
    }
    units[name] = ThresholdEntry(
      perceptron: kind == "perceptron" ? perceptronForPlot(entries, inputs: names.count) : nil,
      inputs: rows, outputs: rows.indices.map { Int(entries["y\($0 + 1)"]?.number ?? 0) },
      targets: targets)
    if let targets {
      header += ["target", "✓"]
      var correct = true
      for r in table.indices {
        let y = Int(entries["y\(r + 1)"]?.number ?? -1)
        table[r] += [.integer(targets[r]), .mark(y == targets[r])]
        correct = correct && y == targets[r]
      }
      entries["correct"] = .bool(correct)
    }
    store(entries, under: name)
    guard context.showsResults else { return [] }
    return [
      .table(
        Table(caption: context.caption, header: header, rows: table, precision: context.precision))
    ] + items
  }
}

extension Session {
  /// The perceptron a block ended with, rebuilt from its stored weights.
  func perceptronForPlot(_ entries: [String: Value], inputs: Int) -> Perceptron {
    Perceptron(
      weights: (1...max(1, inputs)).map { entries["w\($0)"]?.number ?? 0 },
      bias: entries["w0"]?.number ?? 0)
  }
}

/// A number as an author would write it: no trailing zeros.
func trimmedNumber(_ value: Double) -> String {
  if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
  return String(value)
}
