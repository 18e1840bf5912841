import NeuralEngine
import Notebook

extension Session {
  /// ```loss NAME```: several losses of given predictions against targets, or one loss of
  /// a model at several guessed weights (the slides' "let us try some other values").
  func runLoss(_ block: DirectiveBlock, _ context: BlockContext) throws -> [ResultItem] {
    guard let name = block.name else { return [] }
    if block.option("model") != nil { return try guesses(block, context, name: name) }
    guard let predictedOption = block.option("predicted"), let targetOption = block.option("target")
    else {
      throw BlockError(
        "a loss block needs 'predicted' and 'target' (or 'model', 'data' and 'guesses')",
        hint: "e.g. 'predicted: 0.9 0.2' and 'target: 1 0'")
    }
    let predicted = try atOption(predictedOption) {
      try Matrix<Double>(predictedOption.samples().transposedIfRow)
    }
    let target = try atOption(targetOption) {
      try Matrix<Double>(targetOption.samples().transposedIfRow)
    }
    let losses = try
      (block.option("losses")?.words ?? ["mse", "mae", "huber", "binary_crossentropy", "hinge"])
      .map { word -> Loss in
        let parts = word.split(separator: "=").map(String.init)
        let parameter = parts.count == 2 ? DirectiveOption.parseNumber(parts[1]) : nil
        guard let loss = Loss(name: parts[0], parameter: parameter) else {
          throw BlockError(
            "unknown loss '\(word)'", at: block.option("losses"), word: word,
            hint: suggestion(for: parts[0], among: Loss.knownNames))
        }
        return loss
      }
    var entries: [String: Value] = [:]
    var rows: [[Cell]] = []
    for loss in losses {
      let value = try atOption(targetOption) {
        try loss.value(predicted: predicted, target: target)
      }
      entries[loss.name] = .number(value)
      rows.append([.text(loss.description), .keyed(loss.name, .number(value))])
    }
    store(entries, under: name)
    guard context.showsResults else { return [] }
    return [
      .table(
        Table(
          caption: context.caption, header: ["Loss", "Value"], rows: rows,
          precision: context.precision))
    ]
  }

  private func guesses(_ block: DirectiveBlock, _ context: BlockContext, name: String) throws
    -> [ResultItem]
  {
    guard let modelOption = block.option("model"), let entry = models[modelOption.value.trimmed]
    else {
      let wanted = block.option("model")?.value.trimmed ?? ""
      throw BlockError(
        "no model '\(wanted)' is defined above", at: block.option("model"),
        hint: suggestion(for: wanted, among: models.keys.sorted()))
    }
    guard let dataOption = block.option("data") else {
      throw BlockError("guesses need 'data' to take the loss on", hint: "e.g. 'data: fit'")
    }
    guard let guessesOption = block.option("guesses") else {
      throw BlockError(
        "a model's loss block needs 'guesses', one per line",
        hint: "e.g. 'guesses:' then '  wx2=0.5 θ2=0'")
    }
    let data = try dataset(dataOption)
    let loss = try block.option("loss").map(parseLoss) ?? .halfSumOfSquares
    var names: [String] = []
    var rows: [[Cell]] = []
    var entries: [String: Value] = [:]
    for (index, line) in guessesOption.value.split(separator: "\n").enumerated() {
      var guess = DirectiveOption(
        key: "guesses", value: String(line), keyLocation: guessesOption.keyLocation,
        valueLocation: SourceLocation(
          line: guessesOption.valueLocation.line + index, column: guessesOption.valueLocation.column
        ),
        sourceLine: guessesOption.sourceLine)
      guess.value = String(line)
      var network = entry.network
      let assignments = try guess.assignments()
      try setParameters(assignments, in: &network, option: guess)
      if names.isEmpty { names = assignments.map { $0.name } }
      let value = try atOption(dataOption) {
        try loss.value(predicted: network.predict(data.features), target: data.targets)
      }
      entries["L\(index + 1)"] = .number(value)
      rows.append(
        assignments.map { Cell.plain($0.value) } + [.keyed("L\(index + 1)", .number(value))])
    }
    store(entries, under: name)
    guard context.showsResults else { return [] }
    return [
      .table(
        Table(
          caption: context.caption, header: names + ["L(\(names.joined(separator: ", ")))"],
          rows: rows,
          precision: context.precision))
    ]
  }
}

extension Array where Element == [Double] {
  /// One line of several numbers is read as one column of samples (one prediction each).
  var transposedIfRow: [[Double]] {
    count == 1 ? (first ?? []).map { [$0] } : self
  }
}
