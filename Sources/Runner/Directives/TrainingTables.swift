import Figures
import NeuralEngine
import Notebook

/// A training run's table (every Nth epoch) and learning curves.
struct TrainingTables {
  var history: TrainingHistory
  var owner: String
  var context: BlockContext

  func history(every log: Int?) -> Table {
    let count = history.records.count
    let every = log ?? max(1, Int((Double(count) / 10).rounded(.up)))
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
    }
    return Table(
      caption: context.caption, header: ["Epoch"] + keys, rows: rows, precision: context.precision)
  }

  func curves(_ plot: [String]?, scale: CurveScale, loss: Loss) throws -> [ResultItem] {
    let requested = plot ?? history.keys.filter { $0.hasSuffix("loss") }
    if requested == ["none"] { return [] }
    for key in requested where !history.keys.contains(key) {
      throw BlockError(
        "'\(key)' was not recorded, so it cannot be plotted", at: context.option("plot"), word: key,
        hint: suggestion(for: key, among: history.keys))
    }
    let losses = requested.filter { $0.hasSuffix("loss") }
    let others = requested.filter { !$0.hasSuffix("loss") }
    let name = context.namespace.titles[context.resultName].map { " of \($0)" } ?? ""
    var items: [ResultItem] = []
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
    return items
  }

  /// A recorded series as readers name it: `loss` is the training loss, `val_loss` the
  /// validation loss, `val_accuracy` the validation accuracy.
  static func shown(metric key: String) -> String {
    let validation = key.hasPrefix("val_")
    let base = validation ? String(key.dropFirst(4)) : key
    let words = base == "loss" ? "loss" : base.replacing("_", with: " ")
    return validation ? "validation \(words)" : (base == "loss" ? "training loss" : words)
  }
}
