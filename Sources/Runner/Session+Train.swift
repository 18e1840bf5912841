import Dispatch
import Figures
import NeuralEngine
import Notebook

extension Session {
  /// ```train MODEL```: fits the model; shows the loss and metrics per epoch and the
  /// learning curve; the model keeps its trained weights.
  func runTrain(_ block: DirectiveBlock, _ context: BlockContext) throws -> [ResultItem] {
    guard let name = block.name else { return [] }
    if let base = block.option("from") {
      guard let copy = models[base.value.trimmed] else {
        throw BlockError(
          "no model '\(base.value.trimmed)' is defined above", at: base,
          hint: suggestion(for: base.value.trimmed, among: models.keys.sorted()))
      }
      models[name] = copy
    }
    var entry = try model(block)
    guard let dataOption = block.option("data") else {
      throw BlockError("training needs 'data'", hint: "e.g. 'data: xor' or 'data: digits.train'")
    }
    let data = try dataset(dataOption)
    let loss = try block.option("loss").map(parseLoss) ?? .meanSquaredError
    let optimizer = try parseOptimizer(block)
    let epochs = try block.option("epochs").map { try $0.integer(in: 1...1_000_000) } ?? 10
    let batch: Int?
    switch block.option("batch")?.value.trimmed {
    case nil, "full": batch = nil
    case let text?:
      guard let size = Int(text), size >= 1 else {
        throw BlockError(
          "'batch' is a number of samples or 'full', not '\(text)'", at: block.option("batch"))
      }
      batch = size
    }
    let metrics = try (block.option("metrics")?.words ?? []).map { word -> Metric in
      guard let metric = Metric(name: word) else {
        throw BlockError(
          "unknown metric '\(word)'", at: block.option("metrics"), word: word,
          hint: suggestion(for: word, among: Metric.knownNames))
      }
      return metric
    }
    var validation: (Dataset)?
    var validationSplit = 0.0
    if let option = block.option("validation") {
      if let fraction = DirectiveOption.parseNumber(option.value),
        !option.value.contains(where: \.isLetter)
      {
        guard fraction > 0, fraction < 1 else {
          throw BlockError("a validation fraction is between 0 and 1, not \(fraction)", at: option)
        }
        validationSplit = fraction
      } else {
        validation = try dataset(option)
      }
    }
    let earlyStopping = try block.option("early_stopping").map(parseEarlyStopping)
    let configuration = TrainingConfiguration(
      loss: loss, optimizer: optimizer, epochs: epochs, batchSize: batch,
      shuffle: try block.option("shuffle").map { try $0.boolean() } ?? true, seed: context.seed,
      metrics: metrics, l2: try block.option("l2").map { try $0.number() } ?? 0,
      validationSplit: validationSplit, earlyStopping: earlyStopping)

    let deadline = context.deadline
    let progress = options.progress
    let title = block.title
    var timedOut = false
    let report: TrainingProgress = { record in
      progress?(
        ProgressReport(block: title, epoch: record.epoch, epochs: epochs, loss: record.loss))
      if let deadline, DispatchTime.now() >= deadline {
        timedOut = true
        return false
      }
      return true
    }
    let history: TrainingHistory
    do {
      if entry.trainsInFloat {
        var network = Network<Float>(converting: entry.network)
        history = try network.fit(
          Matrix(converting: data.features), Matrix(converting: data.targets),
          configuration: configuration,
          validation: validation.map {
            (Matrix(converting: $0.features), Matrix(converting: $0.targets))
          },
          progress: report)
        entry.network = Network<Double>(converting: network)
      } else {
        history = try entry.network.fit(
          data.features, data.targets, configuration: configuration,
          validation: validation.map { ($0.features, $0.targets) }, progress: report)
      }
    } catch let error as EngineError {
      throw BlockError(error.description, at: dataOption)
    }
    if timedOut {
      let limit =
        context.timeout.map { "its timeout of \(formatSeconds($0)) s" } ?? "the run's budget"
      throw BlockError(
        "\(title) ran out of time after \(history.records.count) of \(epochs) epochs (\(limit))",
        at: block.option("timeout") ?? block.option("epochs"),
        hint: "raise the timeout or --budget, or train for fewer epochs")
    }
    models[name] = entry
    histories[resultName(of: block)] = history

    var entries: [String: Value] = ["epochs": .number(Double(history.records.count))]
    for parameter in entry.network.parameterNames() {
      entries[parameter.name] = .number(parameter.value)
    }
    for key in history.keys {
      let series = history.series(key)
      if let last = series.last { entries[key] = .number(last.value) }
      for point in series { entries["\(key)@\(point.epoch)"] = .number(point.value) }
    }
    if case .earlyStopping(let best) = history.stopReason {
      entries["best_epoch"] = .number(Double(best))
    }
    store(entries, under: resultName(of: block))

    guard context.showsResults else { return [] }
    var items: [ResultItem] = []
    if case .earlyStopping(let best) = history.stopReason {
      items.append(
        .note(
          "Early stopping ended training after epoch \(history.records.count); the best epoch was \(best)."
        ))
    }
    items.append(.table(historyTable(history, block: block, context: context)))
    items += try curves(history, block: block, context: context, loss: loss)
    return items
  }

  /// ```evaluate MODEL```: metrics and the confusion matrix on a data set.
  func runEvaluate(_ block: DirectiveBlock, _ context: BlockContext) throws -> [ResultItem] {
    let entry = try model(block)
    guard let dataOption = block.option("data") else {
      throw BlockError("evaluate needs 'data'", hint: "e.g. 'data: digits.test'")
    }
    let data = try dataset(dataOption)
    let network = entry.network
    let outputs = network.outputCount
    let classification = data.classNames != nil || outputs > 1
    let metrics = try (block.option("metrics")?.words ?? [classification ? "accuracy" : "mse"]).map
    { word -> Metric in
      guard let metric = Metric(name: word) else {
        throw BlockError(
          "unknown metric '\(word)'", at: block.option("metrics"),
          hint: suggestion(for: word, among: Metric.knownNames))
      }
      return metric
    }
    let loss = try block.option("loss").map(parseLoss)
    let predictions = try atOption(dataOption) { try network.predict(data.features) }
    var entries: [String: Value] = [:]
    var rows: [[Cell]] = []
    if let loss {
      let value = try atOption(dataOption) {
        try network.evaluate(data.features, data.targets, loss: loss, metrics: []).loss
      }
      entries["loss"] = .number(value)
      rows.append([.text("loss (\(loss.name))"), .number(value)])
    }
    for metric in metrics {
      let value = try atOption(dataOption) {
        try metric.value(predicted: predictions, target: data.targets)
      }
      entries[metric.name] = .number(value)
      rows.append([.text(metric.name), .number(value)])
    }
    store(entries, under: resultName(of: block))
    guard context.showsResults else { return [] }
    var items: [ResultItem] = [
      .table(
        Table(
          caption: context.caption, header: ["Metric", "Value"], rows: rows,
          precision: context.precision))
    ]
    let showConfusion = try block.option("confusion").map { try $0.boolean() } ?? classification
    if showConfusion {
      let confusion = try atOption(dataOption) {
        try ConfusionMatrix(predicted: predictions, target: data.targets)
      }
      guard confusion.classes <= 20 else { return items }
      let names = data.classNames ?? (0..<confusion.classes).map(String.init)
      let header =
        ["actual \\ predicted"]
        + (0..<confusion.classes).map { names.indices.contains($0) ? names[$0] : "\($0)" }
      let table = confusion.counts.enumerated().map { c, counts -> [Cell] in
        [.text(names.indices.contains(c) ? names[c] : "\(c)")] + counts.map { Cell.integer($0) }
      }
      items.append(
        .table(
          Table(
            caption: "Confusion matrix (\(data.count) samples)", header: header, rows: table,
            precision: 0)))
    }
    return items
  }

  private func parseOptimizer(_ block: DirectiveBlock) throws -> Optimizer {
    let option = block.option("optimizer")
    let name = option?.value.trimmed ?? "sgd"
    let rate = try block.option("rate").map { try $0.number() }
    guard var optimizer = Optimizer(name: name, learningRate: rate) else {
      throw BlockError(
        "unknown optimizer '\(name)'", at: option,
        hint: suggestion(for: name, among: Optimizer.knownNames))
    }
    if optimizer.name == "sgd" || optimizer.name == "momentum" || optimizer.name == "nesterov",
      rate == nil
    {
      optimizer.learningRate = 0.01
    }
    if let momentum = try block.option("momentum").map({ try $0.number() }) {
      guard case .sgd(_, let nesterov) = optimizer.method else {
        throw BlockError("'momentum' applies to sgd only", at: block.option("momentum"))
      }
      optimizer.method = .sgd(momentum: momentum, nesterov: nesterov)
    }
    if let decay = try block.option("decay").map({ try $0.number() }) { optimizer.decay = decay }
    do {
      try optimizer.validate()
    } catch let error as EngineError {
      throw BlockError(error.description, at: block.option("rate") ?? option)
    }
    return optimizer
  }

  private func parseEarlyStopping(_ option: DirectiveOption) throws -> EarlyStopping {
    let settings = try option.settings()
    var rule = EarlyStopping()
    for (key, value) in settings {
      switch key {
      case "patience":
        guard let patience = Int(value), patience >= 0 else {
          throw BlockError("patience is a whole number ≥ 0, not '\(value)'", at: option)
        }
        rule.patience = patience
      case "monitor": rule.monitor = value
      case "min_delta":
        guard let delta = DirectiveOption.parseNumber(value), delta >= 0 else {
          throw BlockError("min_delta is a number ≥ 0, not '\(value)'", at: option)
        }
        rule.minDelta = delta
      case "restore":
        guard value == "true" || value == "false" else {
          throw BlockError("restore is true or false, not '\(value)'", at: option)
        }
        rule.restoreBestWeights = value == "true"
      default:
        throw BlockError(
          "unknown early-stopping setting '\(key)'", at: option,
          hint: suggestion(for: key, among: ["patience", "monitor", "min_delta", "restore"]))
      }
    }
    return rule
  }

  private func historyTable(
    _ history: TrainingHistory, block: DirectiveBlock, context: BlockContext
  ) -> Table {
    let count = history.records.count
    let every =
      (try? block.option("log")?.integer(in: 1...1_000_000))
      ?? max(1, Int((Double(count) / 10).rounded(.up)))
    let keys = history.keys
    var shown = history.records.filter { $0.epoch == 1 || $0.epoch % every == 0 }
    if let last = history.records.last, shown.last?.epoch != last.epoch { shown.append(last) }
    let rows = shown.map { record -> [Cell] in
      [.integer(record.epoch)]
        + keys.map { key in
          record.value(named: key, metrics: history.metrics).map {
            Cell.keyed("\(key)@\(record.epoch)", .measured($0))
          } ?? .empty
        }
    }
    return Table(
      caption: context.caption, header: ["Epoch"] + keys, rows: rows, precision: context.precision)
  }

  private func curves(
    _ history: TrainingHistory, block: DirectiveBlock, context: BlockContext, loss: Loss
  ) throws -> [ResultItem] {
    let requested = block.option("plot")?.words ?? history.keys.filter { $0.hasSuffix("loss") }
    if requested == ["none"] { return [] }
    for key in requested where !history.keys.contains(key) {
      throw BlockError(
        "'\(key)' was not recorded, so it cannot be plotted", at: block.option("plot"),
        hint: suggestion(for: key, among: history.keys))
    }
    let scale = try axisScale(block.option("scale"))
    let losses = requested.filter { $0.hasSuffix("loss") }
    let others = requested.filter { !$0.hasSuffix("loss") }
    let name = block.name ?? "model"
    var items: [ResultItem] = []
    for (group, label) in [(losses, "Loss (\(loss.name))"), (others, "Metric")] where !group.isEmpty
    {
      let chart = LineChart(
        title: "\(name): \(group.joined(separator: ", ")) per epoch", xLabel: "Epoch",
        yLabel: label,
        series: group.map { key in
          LineChart.Series(
            name: key, points: history.series(key).map { (Double($0.epoch), $0.value) })
        }, yScale: label == "Metric" ? .linear : scale)
      let caption =
        context.caption
        ?? "Learning curve of \(name): \(group.joined(separator: " and ")) per epoch."
      items.append(.figure(FigureResult(figure: chart.figure(caption: caption), caption: caption)))
    }
    return items
  }
}

extension Session {
  /// A `scale:` option: `linear` (the default) or `log`.
  func axisScale(_ option: DirectiveOption?) throws -> Axis.Scale {
    switch option?.value.trimmed ?? "linear" {
    case "linear": return .linear
    case "log": return .log
    case let other: throw BlockError("the scale is 'linear' or 'log', not '\(other)'", at: option)
    }
  }
}
