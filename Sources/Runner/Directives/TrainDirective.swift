import Figures
import NeuralEngine
import Notebook

/// ```train MODEL```: fits the model; shows the loss and metrics per epoch and the
/// learning curve; the model keeps its trained weights.
struct TrainDirective: Directive {
  var data: DataReference?
  var validation: ValidationSource?
  var loss = Loss.meanSquaredError
  var optimizer = OptimizerName.sgd
  var rate: Double?
  var momentum: Double?
  var decay: Double?
  var beta1: Double?
  var beta2: Double?
  var epsilon: Double?
  var rho: Double?
  var amsgrad = false
  var schedule: Schedule?
  var norms = false
  var batches = false
  var epochs = 10
  var batch = BatchSize.full
  var shuffle = true
  var metrics: [Metric] = []
  var l2 = 0.0
  var earlyStopping: EarlyStopping?
  var log: Int?
  var plot: [String]?
  var scale = CurveScale.linear
  var from: String?
  var storedAs: String?

  static let kind = DirectiveKind.train
  static let syntax: DirectiveSyntax = .options(name: .required("the model it works on"))

  /// The model or data set it names, which it makes or changes.
  func changes(_ block: DirectiveBlock) -> [String] { block.name.map { [$0] } ?? [] }
  static let summary = "training: loss and metrics per epoch, and a learning curve"
  static let storedValues =
    "`loss`, each metric, `val_loss` and `val_…` (last epoch), `loss@100` for every epoch, `epochs`, `best_epoch`, and the trained weights"

  static var fields: [OptionField<Self>] {
    [
      .option(
        "data", \.data, .dataset, "the training data (`NAME` or `NAME.train`)",
        example: "data: digits.train"),
      .option(
        "validation", \.validation, .validation,
        "validation data (`NAME.validation`) or a fraction held out (the last samples)",
        example: "validation: 0.2"),
      .option("loss", \.loss, .loss, "the loss", example: "loss: sparse_categorical_crossentropy"),
      .option("optimizer", \.optimizer, .choice, "the optimizer", example: "optimizer: adam"),
      .option(
        "rate", \.rate, .number(in: 0...1e6, summary: "a number from 0 to 1000000"),
        "the learning rate",
        example: "rate: 0.1", default: OptimizerName.defaultRates),
      .option(
        "momentum", \.momentum, .number(in: 0...1, summary: "a number from 0 to 1"),
        "SGD's momentum μ", example: "momentum: 0.9", default: "0 (momentum and nesterov 0.9)"),
      .option(
        "decay", \.decay, .number(in: 0...1e6, summary: "a number from 0 to 1000000"),
        "inverse-time learning-rate decay per step", example: "decay: 0.001", default: "0"),
      .option(
        "beta1", \.beta1, .number(in: 0...0.999_999, summary: "a number from 0 up to 1"),
        "Adam's β₁ (the first moment's decay)", example: "beta1: 0.9", default: "0.9"),
      .option(
        "beta2", \.beta2, .number(in: 0...0.999_999_999, summary: "a number from 0 up to 1"),
        "Adam's β₂ (the second moment's decay)", example: "beta2: 0.999", default: "0.999"),
      .option(
        "epsilon", \.epsilon, .number(in: 1e-300...1, summary: "a positive number up to 1"),
        "ε in the denominator of AdaGrad, RMSprop, Adam and AdaDelta", example: "epsilon: 1e-8",
        default: "1e-7 (Keras's)"),
      .option(
        "rho", \.rho, .number(in: 0...0.999_999, summary: "a number from 0 up to 1"),
        "RMSprop's and AdaDelta's decay ρ", example: "rho: 0.9",
        default: "0.9 (RMSprop), 0.95 (AdaDelta)"),
      .option(
        "amsgrad", \.amsgrad, .boolean, "Adam's AMSGrad variant (divide by the largest v so far)",
        example: "amsgrad: true"),
      .option(
        "schedule", \.schedule, .schedule,
        "the learning rate per epoch: `step 0.5 every 10` (η·0.5^⌊(e−1)/10⌋), `exponential 0.96 [every K]` (η·0.96^((e−1)/K)), `cosine 100 [floor 0.1]` (from η down to 0.1·η over 100 epochs)",
        example: "schedule: step 0.5 every 10", default: "constant"),
      .option(
        "norms", \.norms, .boolean,
        "record each layer's gradient norm ‖∂L/∂W⁽ˡ⁾‖ per epoch (mean over the epoch's batches), as `NAME.grad_norm1@5`; `plot: norms` draws them",
        example: "norms: true"),
      .option(
        "batches", \.batches, .boolean,
        "record every batch's loss (before its update) as `NAME.batch_loss3@1` (batch 3 of epoch 1); shows the first epoch's batches and the loss per step",
        example: "batches: true"),
      .option(
        "epochs", \.epochs, .integer(in: 1...1_000_000), "how many passes over the data",
        example: "epochs: 1000"),
      .option("batch", \.batch, .batch, "samples per step", example: "batch: 32"),
      .option("shuffle", \.shuffle, .boolean, "reshuffle every epoch", example: "shuffle: false"),
      .option("metrics", \.metrics, .metrics, "metrics to record", example: "metrics: accuracy"),
      .option(
        "l2", \.l2, .number(in: 0...1e6, summary: "a number from 0 to 1000000"),
        "the L2 penalty α (scikit-learn's `alpha`)", example: "l2: 0.0001"),
      .option(
        "early_stopping", \.earlyStopping, .earlyStopping, "stop when the monitored value stalls",
        example: "early_stopping: patience=10"),
      .option(
        "log", \.log, .integer(in: 1...1_000_000),
        "show every Nth epoch in the table (the last always)", example: "log: 100",
        default: "about ten rows"),
      .option(
        "plot", \.plot, .words,
        "the quantities drawn on the learning curve (`lr`: the learning rate per epoch; `norms`: each layer's gradient norm); `none` for no curve",
        example: "plot: loss val_loss", default: "the loss (and validation loss)"),
      .option(
        "scale", \.scale, .choice, "the learning curve's vertical scale", example: "scale: log"),
      .option(
        "from", \.from, .name,
        "train a copy of this model instead (the block's name becomes the copy's)",
        example: "from: base"),
      .storedAs(\.storedAs, example: "as: run1"),
    ]
  }

  func validate(_ block: DirectiveBlock) -> [BlockError] {
    var errors: [BlockError] = []
    if data == nil {
      errors.append(
        BlockError("training needs 'data'", hint: "e.g. 'data: xor' or 'data: digits.train'"))
    }
    if momentum != nil, ![.sgd, .momentum, .nesterov].contains(optimizer) {
      errors.append(BlockError("'momentum' applies to sgd only", at: block.option("momentum")))
    }
    let constants: [(String, Bool, [OptimizerName])] = [
      ("beta1", beta1 != nil, [.adam]), ("beta2", beta2 != nil, [.adam]),
      ("amsgrad", amsgrad, [.adam]), ("rho", rho != nil, [.rmsprop, .adadelta]),
      ("epsilon", epsilon != nil, [.adagrad, .rmsprop, .adam, .adadelta]),
    ]
    for (key, given, owners) in constants where given && !owners.contains(optimizer) {
      errors.append(
        BlockError(
          "'\(key)' is a constant of \(owners.map(\.shown).joined(separator: " and ")), not of \(optimizer.shown)",
          at: block.option(key),
          hint: "set 'optimizer: \(owners[0].rawValue)', or leave '\(key)' out"))
    }
    return errors
  }

  func reads(_ block: DirectiveBlock) -> [String] {
    var names = [block.name, from, data?.owner].compactMap {
      $0
    }
    if case .data(let reference) = validation { names.append(reference.owner) }
    return names
  }

  func resultName(_ block: DirectiveBlock) -> String? { storedAs ?? block.name }

  func run(_ context: BlockContext) throws -> [ResultItem] {
    guard let name = context.block.name, let data else { return [] }
    if let from {
      context.namespace.models[name] = try context.anyModel(from, at: context.option("from"))
    }
    var entry = try context.anyModel(name)
    if entry.front != nil { try checkLayered(entry, context) }
    let dataOption = context.option("data")
    let set = try context.dataset(data, at: dataOption)
    var validationSet: Dataset?
    var validationSplit = 0.0
    switch validation {
    case .fraction(let fraction): validationSplit = fraction
    case .data(let other):
      validationSet = try context.dataset(other, at: context.option("validation"))
    case nil: break
    }
    var configuration = TrainingConfiguration(
      loss: loss, optimizer: try makeOptimizer(context), epochs: epochs, batchSize: batch.size,
      shuffle: shuffle, seed: context.seed, metrics: metrics, l2: l2,
      validationSplit: validationSplit, earlyStopping: earlyStopping)
    configuration.recordsGradientNorms = recordsNorms
    configuration.recordsBatchLosses = batches

    let progress = context.run.progress
    let title = context.block.title
    let epochs = epochs
    var timedOut = false
    let report: TrainingProgress = { record in
      progress?(
        ProgressReport(block: title, epoch: record.epoch, epochs: epochs, loss: record.loss))
      return true
    }
    let interrupt = { () -> Bool in
      if context.isOutOfTime { timedOut = true }
      return timedOut
    }
    let history: TrainingHistory
    do {
      if entry.front != nil {
        guard set.features.columns == entry.sampleWidth else {
          throw BlockError(
            "'\(name)' is \(entry.kindPhrase) taking \(entry.sampleWidth) values per sample, but '\(data)' has \(set.features.columns) features",
            at: dataOption, hint: "give the model's 'inputs' the data's shape")
        }
        history = try entry.fit(
          set.features, set.targets, configuration: configuration,
          validation: validationSet.map { ($0.features, $0.targets) }, progress: report,
          interrupt: interrupt)
      } else if entry.trainsInFloat {
        var network = Network<Float>(converting: entry.network)
        history = try network.fit(
          Matrix(converting: set.features), Matrix(converting: set.targets),
          configuration: configuration,
          validation: validationSet.map {
            (Matrix(converting: $0.features), Matrix(converting: $0.targets))
          }, progress: report, interrupt: interrupt)
        entry.network = Network<Double>(converting: network)
      } else {
        history = try entry.network.fit(
          set.features, set.targets, configuration: configuration,
          validation: validationSet.map { ($0.features, $0.targets) }, progress: report,
          interrupt: interrupt)
      }
    } catch let error as EngineError {
      throw BlockError(error.description, at: dataOption)
    }
    if timedOut, context.isInterrupted {
      throw BlockError(
        "\(title) was interrupted after \(history.records.count) of \(epochs) epochs",
        at: context.option("epochs"), hint: "run the cell again to train it to the end")
    }
    if timedOut {
      let limit =
        context.timeout.map { "its timeout of \(NumberText.plain($0)) s" } ?? "the run's budget"
      throw BlockError(
        "\(title) ran out of time after \(history.records.count) of \(epochs) epochs (\(limit))",
        at: context.option("timeout") ?? context.option("epochs"),
        hint: "raise the timeout or --budget, or train for fewer epochs")
    }
    context.namespace.models[name] = entry
    try context.storeParameters(of: entry, model: name)
    let owner = context.resultName
    context.namespace.histories[owner] = history
    context.namespace.descriptions[owner] =
      "\(optimizer.shown), \(context.rateSymbol) = \(NumberText.plain(rate ?? optimizer.defaultRate))"
    try store(history, entry: entry, model: name, context)
    guard context.showsResults else { return [] }
    var items: [ResultItem] = []
    if case .earlyStopping(let best) = history.stopReason {
      items.append(
        .note(
          "Early stopping ended training after epoch \(history.records.count); the best epoch was \(best)."
        ))
    }
    let tables = TrainingTables(history: history, owner: owner, context: context)
    let showsRate = schedule.map { $0 != .constant } ?? false || (decay ?? 0) > 0
    items.append(.table(tables.history(every: log, rate: showsRate)))
    if let penalty = penaltyNote(
      entry.network, validated: history.records.last?.validationLoss != nil)
    {
      items.append(.note(penalty))
    }
    if batches { items += tables.batchLosses() }
    items += try tables.curves(plot, scale: scale, loss: loss)
    return items
  }

  /// The run's values; a dense network's trained parameters under the run's own name when it
  /// has one.
  private func store(
    _ history: TrainingHistory, entry: ModelEntry, model: String, _ context: BlockContext
  ) throws {
    let owner = context.resultName
    let network = entry.network
    context.store(.named(owner, "epochs"), Double(history.records.count))
    if owner != model, entry.front != nil {
      try context.storeParameters(of: entry, model: owner)
    } else if owner != model {
      if network.parameterCount > BlockContext.parametersStoredOneByOne {
        context.namespace.values.defineState(owner, network: network, by: context.definer)
      } else {
        for parameter in network.parameterNames() {
          context.store(.parameter(owner, parameter.name), parameter.value)
        }
      }
    }
    for key in history.keys {
      if let last = history.records.last?.value(named: key, metrics: history.metrics) {
        context.store(.named(owner, key), last)
      }
    }
    if let epoch = history.records.last?.epoch {
      for key in history.extraKeys {
        if let last = history.value(named: key, epoch: epoch) {
          context.store(.named(owner, key), last)
        }
      }
    }
    context.namespace.values.defineHistory(owner, history, by: context.definer)
    if case .earlyStopping(let best) = history.stopReason {
      context.store(.named(owner, "best_epoch"), Double(best))
    }
  }

  /// The options a convolutional or recurrent model's training does not take, refused at
  /// their lines.
  private func checkLayered(_ entry: ModelEntry, _ context: BlockContext) throws {
    let refused: [(String, Bool)] = [
      ("early_stopping", earlyStopping != nil), ("norms", recordsNorms), ("l2", l2 > 0),
    ]
    for (key, given) in refused where given {
      throw BlockError(
        "'\(key)' is for dense networks; '\(context.block.name ?? "")' is \(entry.kindPhrase)",
        at: context.option(key) ?? context.option("plot"), hint: "leave '\(key)' out")
    }
    if case .fraction = validation {
      throw BlockError(
        "\(entry.kindPhrase.prefix(1).uppercased() + entry.kindPhrase.dropFirst()) validates on a data set, not a fraction held out",
        at: context.option("validation"), hint: "e.g. 'validation: digits.validation'")
    }
  }

  /// "The training loss includes …; the validation loss does not": said wherever a penalty
  /// is in the loss, so a reader comparing the two curves knows why they differ.
  func penaltyNote(_ network: Network<Double>, validated: Bool) -> String? {
    var parts: [String] = []
    if l2 > 0 { parts.append("the L2 penalty α/(2n)·Σw² with α = \(NumberText.plain(l2))") }
    for (l, layer) in network.layers.enumerated() {
      guard let r = layer.regularizer, r.l1 > 0 || r.l2 > 0 else { continue }
      let terms = [
        r.l1 > 0 ? "\(NumberText.plain(r.l1))·Σ|w|" : nil,
        r.l2 > 0 ? "\(NumberText.plain(r.l2))·Σw²" : nil,
      ].compactMap { $0 }
      parts.append("layer \(l + 1)'s penalty \(terms.joined(separator: " + "))")
    }
    guard !parts.isEmpty else { return nil }
    let list =
      parts.count == 1
      ? parts[0] : parts.dropLast().joined(separator: ", ") + " and " + (parts.last ?? "")
    return "The training loss includes \(list)"
      + (validated ? "; the validation loss does not (it measures the fit alone)." : ".")
  }

  /// Whether the run records gradient norms (asked for, or plotted).
  var recordsNorms: Bool { norms || plot?.contains("norms") == true }

  func makeOptimizer(_ context: BlockContext) throws -> Optimizer {
    guard var made = optimizer.optimizer(rate: rate) else {
      throw BlockError("unknown optimizer '\(optimizer.rawValue)'", at: context.option("optimizer"))
    }
    if let momentum, case .sgd(_, let nesterov) = made.method {
      made.method = .sgd(momentum: momentum, nesterov: nesterov)
    }
    if let decay { made.decay = decay }
    switch made.method {
    case .adam(let b1, let b2, let e):
      made.method = .adam(beta1: beta1 ?? b1, beta2: beta2 ?? b2, epsilon: epsilon ?? e)
      made.amsgrad = amsgrad
    case .rmsprop(let r, let e): made.method = .rmsprop(rho: rho ?? r, epsilon: epsilon ?? e)
    case .adadelta(let r, let e): made.method = .adadelta(rho: rho ?? r, epsilon: epsilon ?? e)
    case .adagrad(let e): made.method = .adagrad(epsilon: epsilon ?? e)
    case .sgd: break
    }
    if let schedule { made.schedule = schedule }
    do {
      try made.validate()
    } catch let error as EngineError {
      throw BlockError(error.description, at: context.option("rate") ?? context.option("optimizer"))
    }
    return made
  }
}
