import Figures
import NeuralEngine
import Notebook

extension PlotFigures {
  // MARK: - ROC curve

  /// The ROC curve of a two-class model on a data set, with its AUC and the chance
  /// diagonal.
  func roc() throws -> (Figure, String) {
    let entry = try context.anyModel(name)
    let (dataName, data) = try dataset("an ROC plot")
    let curve = try atOption(dataOption) {
      try ROCCurve(predicted: entry.predict(data.features), target: data.targets)
    }
    let model = shown(name, else: "the network")
    let auc = NumberText.fixed(curve.area, decimals: 3)
    let chart = LineChart(
      title: title("ROC curve of \(model), AUC = \(auc)"), xLabel: "false-positive rate",
      yLabel: "true-positive rate",
      series: [
        LineChart.Series(
          name: "\(model) (AUC \(auc))",
          points: curve.points.map { ($0.falsePositiveRate, $0.truePositiveRate) }),
        LineChart.Series(name: "chance (AUC 0.5)", points: [(0, 0), (1, 1)]),
      ], width: 520, height: 420)
    let caption =
      "The ROC curve of \(model) on \(shown(dataName)): each point is one threshold on the predicted probability of class 1, from the highest (bottom left) to the lowest (top right); the area under it is \(auc)."
    return (chart.figure(caption: caption), caption)
  }

  // MARK: - A function of one variable: tangent and descent

  /// f(x) and f′(x) of the plot's `f`, from the engine's computation graph.
  func valueAndSlope(of f: String, at x: Double) throws -> (Double, Double) {
    let graph = try atOption(context.option("f")) {
      try ComputationGraph(output: f, values: ["x": x])
    }
    return (graph.value, graph.derivative(of: "x") ?? 0)
  }

  /// The curve of `f` over `x`, the tangent at `at` (its slope is the derivative), and the
  /// steps of gradient descent from `from`: a figure and a table of the steps.
  func tangent() throws -> (Figure, String, [Table]) {
    guard let f = options.f else {
      throw BlockError("a tangent plot needs 'f', a function of x", hint: "e.g. 'f: (x - 3)^2 + 1'")
    }
    let range = options.x
    guard range.count == 2, range[0] < range[1] else {
      throw BlockError(
        "'x' is the range drawn: two numbers, low then high", at: context.option("x"))
    }
    let grid = (0...200).map { range[0] + (range[1] - range[0]) * Double($0) / 200 }
    var curve: [(x: Double, y: Double)] = []
    for x in grid { curve.append((x, try valueAndSlope(of: f, at: x).0)) }
    let shownF = FigureText.math(f)
    var series = [LineChart.Series(name: "f(x) = \(shownF)", points: curve)]
    var markers = [false]
    var captionParts = ["The function f(x) = \(shownF)"]
    let owner = name
    if let at = options.at {
      let (value, slope) = try valueAndSlope(of: f, at: at)
      let half = (range[1] - range[0]) / 6
      series.append(
        LineChart.Series(
          name:
            "tangent at x = \(NumberText.plain(at)), slope \(NumberText.fixed(slope, decimals: 3))",
          points: [(at - half, value - slope * half), (at + half, value + slope * half)]))
      markers.append(false)
      captionParts.append(
        "its tangent at x = \(NumberText.plain(at)), whose slope f′(\(NumberText.plain(at))) = \(NumberText.fixed(slope, decimals: 3)) is the derivative there"
      )
      if let owner {
        context.store(.named(owner, "slope"), slope)
        context.store(.named(owner, "f_at"), value)
      }
    }
    var tables: [Table] = []
    if let from = options.from, options.steps > 0 {
      var x = from
      var steps: [(x: Double, y: Double)] = []
      var rows: [[Cell]] = []
      for step in 0...options.steps {
        let diverged = BlockError(
          "gradient descent on f diverged at step \(step) (x = \(NumberText.plain(x)))",
          at: context.option("rate"), hint: "use a smaller rate")
        guard x.isFinite, let (value, slope) = try? valueAndSlope(of: f, at: x), value.isFinite
        else { throw diverged }
        steps.append((x, value))
        let next = x - options.rate * slope
        if let owner {
          context.store(.named(owner, "x", epoch: step), x)
          context.store(.named(owner, "f", epoch: step), value)
        }
        rows.append([
          .integer(step), .keyed(.named(owner ?? "f", "x", epoch: step), .number(x)),
          .number(value), .number(slope),
          step < options.steps ? .number(next) : .empty,
        ])
        x = next
      }
      series.append(
        LineChart.Series(
          name: "gradient descent, \(context.rateSymbol) = \(NumberText.plain(options.rate))",
          points: steps))
      markers.append(true)
      captionParts.append(
        "and \(options.steps) steps of gradient descent x ← x − \(context.rateSymbol) f′(x) from x = \(NumberText.plain(from)) with \(context.rateSymbol) = \(NumberText.plain(options.rate))"
      )
      tables.append(
        Table(
          caption:
            "Gradient descent on f(x) = \(shownF), \(context.rateSymbol) = \(NumberText.plain(options.rate))",
          header: ["Step", "x", "f(x)", "f′(x)", "x − \(context.rateSymbol) f′(x)"], rows: rows,
          precision: context.precision))
    }
    let chart = LineChart(
      title: title("f(x) = \(shownF)"), xLabel: "x", yLabel: "f(x)", series: series,
      markers: markers)
    let caption = captionParts.joined(separator: ", ") + "."
    return (chart.figure(caption: caption), caption, tables)
  }
}
