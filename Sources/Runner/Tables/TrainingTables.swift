import Figures
import NeuralEngine
import Notebook

/// A training run's table (every Nth epoch) and learning curves.
struct TrainingTables {
  var history: TrainingHistory
  var owner: String
  var context: BlockContext

  /// Every Nth epoch's loss and metrics; the learning rate when it changes (`rate`), and
  /// each layer's gradient norm when they were recorded.
  func history(every log: Int?, rate: Bool = false) -> Table {
    let count = history.records.count
    let every = log ?? max(1, Int((Double(count) / 10).rounded(.up)))
    let extra = history.extraKeys.filter { $0 != "lr" || rate }
    let keys = history.keys
    var shown = history.records.filter { $0.epoch == 1 || $0.epoch % every == 0 }
    if let last = history.records.last, shown.last?.epoch != last.epoch { shown.append(last) }
    let rows = shown.map { record -> [Cell] in
      [.integer(record.epoch)]
        + keys.map { key in
          record.value(named: key, metrics: history.metrics).map {
            Cell.keyed(.named(owner, key, epoch: record.epoch), .measured($0))
          } ?? .empty
        }
        + extra.map { key in
          history.value(named: key, epoch: record.epoch).map {
            Cell.keyed(.named(owner, key, epoch: record.epoch), .measured($0))
          } ?? .empty
        }
    }
    return Table(
      caption: context.caption,
      header: ["Epoch"] + keys
        + extra.map { $0 == "lr" ? context.rateSymbol : Self.header(extra: $0) },
      rows: rows, precision: context.precision)
  }

  /// `lr` → η, `grad_norm2` → ‖∂L/∂W⁽²⁾‖.
  static func header(extra key: String) -> String {
    key == "lr" ? "η" : "‖∂L/∂W⁽\(superscript(Int(key.dropFirst("grad_norm".count)) ?? 0))⁾‖"
  }

  func curves(_ plot: [String]?, scale: CurveScale, loss: Loss) throws -> [ResultItem] {
    var requested = plot ?? history.keys.filter { $0.hasSuffix("loss") }
    if requested == ["none"] { return [] }
    var items: [ResultItem] = []
    // The learning rate and the gradient norms come after the loss and metric curves.
    var after: [ResultItem] = []
    if requested.contains("lr") {
      after.append(rateCurve())
      requested.removeAll { $0 == "lr" }
    }
    if requested.contains("norms") {
      after.append(normCurves())
      requested.removeAll { $0 == "norms" }
    }
    for key in requested where !history.keys.contains(key) {
      throw BlockError(
        "'\(key)' was not recorded, so it cannot be plotted", at: context.option("plot"), word: key,
        hint: suggestion(for: key, among: history.keys))
    }
    let losses = requested.filter { $0.hasSuffix("loss") }
    let others = requested.filter { !$0.hasSuffix("loss") }
    let name = context.namespace.titles[context.resultName].map { " of \($0)" } ?? ""
    for (group, label) in [(losses, "Loss (\(Shown.loss(loss)))"), (others, "Metric")]
    where !group.isEmpty {
      let what = group.map(Self.shown(metric:)).joined(separator: " and ")
      let chart = LineChart(
        title: context.common.title.map { "\($0): \(what)" }
          ?? what.prefix(1).uppercased() + what.dropFirst() + " per epoch",
        xLabel: "Epoch", yLabel: label,
        series: group.map { key in
          LineChart.Series(
            name: Self.shown(metric: key),
            points: history.series(key).map { (Double($0.epoch), $0.value) })
        }, yScale: label == "Metric" ? .linear : scale.axis)
      let caption =
        context.caption
        ?? "Learning curve\(name): \(what) per epoch."
      items.append(.figure(FigureResult(figure: chart.figure(caption: caption), caption: caption)))
    }
    return items + after
  }

  /// The first epoch's batches, each with its loss before its update, and the loss of
  /// every step of the run.
  func batchLosses() -> [ResultItem] {
    guard let first = history.batchLosses.first, let epoch = history.records.first?.epoch else {
      return []
    }
    let rows: [[Cell]] = first.prefix(100).enumerated().map { b, value in
      [
        .integer(b + 1),
        .keyed(.named(owner, "batch_loss\(b + 1)", epoch: epoch), .measured(value)),
      ]
    }
    let table = Table(
      caption:
        "Epoch \(epoch), batch by batch: each batch's loss, taken before its update\(first.count > 100 ? " (the first 100 of \(first.count))" : "").",
      header: ["Batch", "Loss"], rows: rows, precision: context.precision)
    var step = 0
    var points: [(Double, Double)] = []
    for epochLosses in history.batchLosses {
      for value in epochLosses {
        step += 1
        points.append((Double(step), value))
      }
    }
    let name = context.namespace.titles[context.resultName].map { " of \($0)" } ?? ""
    let chart = LineChart(
      title: context.common.title.map { "\($0): loss per step" } ?? "Loss per step",
      xLabel: "Step (batch)", yLabel: "Batch loss",
      series: [LineChart.Series(name: "batch loss", points: points)], yScale: .linear)
    let caption =
      "The loss of every batch\(name), before its update: the noise of mini-batch descent."
    return [
      .table(table),
      .figure(FigureResult(figure: chart.figure(caption: caption), caption: caption)),
    ]
  }

  /// The learning rate per epoch (of each epoch's first step).
  private func rateCurve() -> ResultItem {
    let name = context.namespace.titles[context.resultName].map { " of \($0)" } ?? ""
    let chart = LineChart(
      title: context.common.title.map { "\($0): learning rate" } ?? "Learning rate per epoch",
      xLabel: "Epoch", yLabel: "Learning rate \(context.rateSymbol)",
      series: [
        LineChart.Series(
          name: context.rateSymbol,
          points: zip(history.records, history.learningRates).map { (Double($0.epoch), $1) })
      ], yScale: .linear)
    let caption = "The learning rate\(name) per epoch (its first step's)."
    return .figure(FigureResult(figure: chart.figure(caption: caption), caption: caption))
  }

  /// Each layer's gradient norm per epoch, on a log scale: the vanishing-gradient picture.
  private func normCurves() -> ResultItem {
    let name = context.namespace.titles[context.resultName].map { " of \($0)" } ?? ""
    let layers = history.gradientNorms.first?.count ?? 0
    let chart = LineChart(
      title: context.common.title.map { "\($0): gradient norms" } ?? "Gradient norm per layer",
      xLabel: "Epoch", yLabel: "‖∂L/∂W‖ (log scale)",
      series: (0..<layers).map { l in
        LineChart.Series(
          name: "layer \(l + 1)",
          points: zip(history.records, history.gradientNorms).map {
            (Double($0.epoch), max($1[l], 1e-300))
          })
      }, yScale: .log)
    let caption =
      "Gradient norm ‖∂L/∂W⁽ˡ⁾‖ of each layer\(name) per epoch (mean over the epoch's batches)."
    return .figure(FigureResult(figure: chart.figure(caption: caption), caption: caption))
  }

  /// A recorded series as readers name it: `loss` is the training loss, `val_loss` the
  /// validation loss, `val_accuracy` the validation accuracy.
  static func shown(metric key: String) -> String {
    if key == "lr" { return "learning rate" }
    if key.hasPrefix("grad_norm") {
      return "layer \(key.dropFirst("grad_norm".count)) gradient norm"
    }
    let validation = key.hasPrefix("val_")
    let base = validation ? String(key.dropFirst(4)) : key
    let words = base == "loss" ? "loss" : base.replacing("_", with: " ")
    return validation ? "validation \(words)" : (base == "loss" ? "training loss" : words)
  }
}
