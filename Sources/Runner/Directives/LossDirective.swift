import Figures
import NeuralEngine
import Notebook

/// ```loss NAME```: several losses of given predictions against targets, or one loss of
/// a model at several guessed weights (the slides' "let us try some other values").
struct LossDirective: Directive {
  var predicted: [[Double]]?
  var target: [[Double]]?
  var losses: [Loss] = [
    .meanSquaredError, .meanAbsoluteError, .huber(delta: 1), .binaryCrossEntropy, .hinge,
  ]
  var model: String?
  var data: DataReference?
  var loss = Loss.halfSumOfSquares
  var guesses: String?

  static let kind = DirectiveKind.loss
  static let syntax: DirectiveSyntax = .options(
    name: .required("the name its values are stored under"))

  /// The model or data set it names, which it makes or changes.
  func changes(_ block: DirectiveBlock) -> [String] { block.name.map { [$0] } ?? [] }
  static let summary =
    "loss values: several losses of given predictions, or one loss of a model at several guessed weights"
  static let storedValues = "each loss by name (`mse`, `hinge`…), or `L1`, `L2`… for the guesses"
  static let bodySyntax: String? =
    "Shapes: samples are separated by `;` or line breaks. For `categorical_crossentropy` and `kl_divergence` each sample is a row of class probabilities and its target a one-hot row (`predicted: 0.0154493 0.6311634 0.3533873`, `target: 0 0 1` is one sample); for `sparse_categorical_crossentropy` the target is the class index. For every other loss a single line of several numbers is several one-output samples (`predicted: 0.9 0.2 0.6`, `target: 1 0 1`). Cross-entropies need probabilities: a value outside 0…1, or a row of class probabilities that does not add up to 1, is an error (apply sigmoid or softmax to raw scores first). Huber's δ is written `huber=2` (or `huber 2` where one loss is named); the default is 1."

  static var fields: [OptionField<Self>] {
    [
      .option(
        "predicted", \.predicted, .samples, "predictions, samples separated by `;`",
        example: "predicted: 0.9 0.2 0.6"),
      .option(
        "target", \.target, .samples, "the targets, shaped like the predictions",
        example: "target: 1 0 1"),
      .option(
        "losses", \.losses, .losses, "the losses to compute", example: "losses: mse mae huber=2"),
      .option(
        "model", \.model, .name, "a model whose loss is taken at guessed weights",
        example: "model: neuron"),
      .option(
        "data", \.data, .dataset, "the data the model's loss is taken on", example: "data: fit"),
      .option("loss", \.loss, .loss, "the model's loss", example: "loss: half_sse"),
      .option(
        "guesses", \.guesses, .text, "one guess per indented line: weights and biases by name",
        example: "guesses:\n  wx2=0.5 θ2=0\n  wx2=-0.1 θ2=0"),
    ]
  }

  func validate(_ block: DirectiveBlock) -> [BlockError] {
    if model != nil {
      var errors: [BlockError] = []
      if data == nil {
        errors.append(
          BlockError("guesses need 'data' to take the loss on", hint: "e.g. 'data: fit'"))
      }
      if guesses == nil {
        errors.append(
          BlockError(
            "a model's loss block needs 'guesses', one per line",
            hint: "e.g. 'guesses:' then '  wx2=0.5 θ2=0'"))
      }
      return errors
    }
    guard predicted != nil, target != nil else {
      return [
        BlockError(
          "a loss block needs 'predicted' and 'target' (or 'model', 'data' and 'guesses')",
          hint: "e.g. 'predicted: 0.9 0.2' and 'target: 1 0'")
      ]
    }
    return []
  }

  func reads(_ block: DirectiveBlock) -> [String] {
    [model, data?.owner].compactMap { $0 }
  }

  func run(_ context: BlockContext) throws -> [ResultItem] {
    guard let name = context.block.name else { return [] }
    if let model { return try guesses(model: model, name: name, context) }
    guard let predicted, let target else { return [] }
    let predictedOption = context.option("predicted")
    let targetOption = context.option("target")
    var rows: [[Cell]] = []
    for loss in losses {
      let (p, t) = try atOption(targetOption) {
        try (
          Matrix<Double>(Self.shaped(predicted, for: loss)),
          Matrix<Double>(Self.shaped(target, for: loss))
        )
      }
      try Self.checkProbabilities(p, for: loss, at: predictedOption)
      let value = try atOption(targetOption) { try loss.value(predicted: p, target: t) }
      context.store(.named(name, loss.name), value)
      rows.append([.text(Shown.loss(loss)), .keyed(.named(name, loss.name), .number(value))])
    }
    guard context.showsResults else { return [] }
    return [
      .table(
        Table(
          caption: context.caption, header: ["Loss", "Value"], rows: rows,
          precision: context.precision))
    ]
  }

  /// The shape rule: a single line is one sample of class probabilities for the categorical
  /// losses, and a column of one-output samples for every other loss.
  static func shaped(_ rows: [[Double]], for loss: Loss) -> [[Double]] {
    switch loss {
    case .categoricalCrossEntropy, .sparseCategoricalCrossEntropy, .kullbackLeibler: rows
    default: rows.count == 1 ? (rows.first ?? []).map { [$0] } : rows
    }
  }

  /// Cross-entropies take probabilities, never raw scores.
  static func checkProbabilities(_ p: Matrix<Double>, for loss: Loss, at option: DirectiveOption?)
    throws
  {
    switch loss {
    case .binaryCrossEntropy, .categoricalCrossEntropy, .sparseCategoricalCrossEntropy,
      .kullbackLeibler:
      break
    default: return
    }
    if let bad = p.elements.first(where: { !(0...1).contains($0) }) {
      throw BlockError(
        "\(loss.name) needs probabilities between 0 and 1, but a prediction is \(NumberText.plain(bad))",
        at: option,
        hint:
          "these look like raw scores: apply \(loss == .binaryCrossEntropy ? "sigmoid" : "softmax") first, or use a loss for scores such as hinge"
      )
    }
    guard loss != .binaryCrossEntropy, p.columns > 1 else { return }
    for r in 0..<p.rows {
      let sum = (0..<p.columns).reduce(0.0) { $0 + p[r, $1] }
      guard abs(sum - 1) <= 1e-3 else {
        throw BlockError(
          "sample \(r + 1)'s class probabilities add up to \(NumberText.plain(sum)), not 1",
          at: option,
          hint: "apply softmax to raw scores first; one sample's probabilities go on one line")
      }
    }
  }

  private func guesses(model: String, name: String, _ context: BlockContext) throws -> [ResultItem]
  {
    let entry = try context.model(model, at: context.option("model"))
    guard let data, let guessesOption = context.option("guesses") else { return [] }
    let dataOption = context.option("data")
    let set = try context.dataset(data, at: dataOption)
    // Every parameter any guess sets is a column, in the order they first appear; a guess
    // that leaves one out shows the model's own value there, the value its loss used.
    var guessed: [(network: Network<Double>, value: Double)] = []
    var names: [String] = []
    for (index, line) in (guesses ?? "").split(separator: "\n").enumerated() {
      try context.checkTime("after \(index) guesses")
      var guess = guessesOption
      guess.value = String(line)
      guess.valueLocation.line += index
      var network = entry.network
      let assignments = try OptionType<[Assignment]>.assignments.read(guess)
      var given = GivenParameters(network: network)
      try given.set(assignments, in: &network, at: guess)
      for assignment in assignments where !names.contains(assignment.name) {
        names.append(assignment.name)
      }
      let value = try atOption(dataOption) {
        try loss.value(predicted: network.predict(set.features), target: set.targets)
      }
      context.store(.guessLoss(name, guess: index), value)
      guessed.append((network, value))
    }
    let rows: [[Cell]] = guessed.enumerated().map { index, guess in
      names.map { parameter -> Cell in
        guard let id = guess.network.parameterID(named: parameter),
          let value = guess.network.parameterValue(id)
        else { return .empty }
        return .plain(value)
      } + [.keyed(.guessLoss(name, guess: index), .number(guess.value))]
    }
    guard context.showsResults else { return [] }
    return [
      .table(
        Table(
          caption: context.caption, header: names + ["L(\(names.joined(separator: ", ")))"],
          rows: rows, precision: context.precision))
    ]
  }
}
