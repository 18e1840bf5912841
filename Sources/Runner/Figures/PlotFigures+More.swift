import Figures
import NeuralEngine
import Notebook

extension PlotFigures {
  // MARK: - Error surface

  /// L(w, b) of a one-neuron model over a grid, and the path plain gradient descent takes.
  func surface() throws -> (Figure, String) {
    let network = try context.model(name).network
    guard network.inputCount == 1, network.layers.count == 1, network.outputCount == 1,
      network.layers[0].bias != nil
    else {
      throw BlockError(
        "an error surface needs a one-neuron model (one input, one unit with a bias)")
    }
    let (_, data) = try dataset("a surface plot")
    let loss = options.loss
    let wRange = options.w[0]...options.w[1]
    let bRange = options.b[0]...options.b[1]
    let resolution = options.resolution
    // The neuron's output for each sample at (w, b), computed directly: the same products
    // and sums as a forward pass (one input, so x·w + b), without building a network each
    // time for 3,600 grid points.
    guard data.features.columns == 1 else {
      throw BlockError(
        "an error surface needs data of one feature; this data set has \(data.features.columns)",
        at: dataOption)
    }
    let activation = network.layers[0].activation
    let inputs = data.features.elements
    func lossAt(_ w: Double, _ b: Double) throws -> Double {
      let outputs = inputs.map { activation.value($0 * w + b) }
      return try loss.value(
        predicted: Matrix(rows: outputs.count, columns: 1, elements: outputs), target: data.targets)
    }
    var grid: [[Double]] = []
    for r in 0..<resolution {
      try context.checkTime("drawing the error surface")
      let b =
        bRange.lowerBound + (bRange.upperBound - bRange.lowerBound) * (Double(r) + 0.5)
        / Double(resolution)
      grid.append(
        try (0..<resolution).map { c in
          try atOption(dataOption) {
            try lossAt(
              wRange.lowerBound + (wRange.upperBound - wRange.lowerBound) * (Double(c) + 0.5)
                / Double(resolution),
              b)
          }
        })
    }
    // The descent path: plain gradient descent from the start, every epoch recorded.
    let start =
      options.start ?? [network.layers[0].weights[0, 0], network.layers[0].bias?.first ?? 0]
    var walker = network
    try walker.setWeights(Matrix([[start[0]]]), layer: 0)
    try walker.setBias([start[1]], layer: 0)
    var path: [(x: Double, y: Double)] = [(start[0], start[1])]
    path.reserveCapacity(options.epochs + 1)
    // Full-batch gradient descent in the samples' order, every epoch's weights recorded.
    let descent = TrainingConfiguration(
      loss: loss, optimizer: .sgd(learningRate: options.rate), epochs: options.epochs,
      batchSize: nil, shuffle: false)
    if options.epochs > 0, options.batch == 1 {
      // Stochastic descent, one sample at a time in order, every step drawn: the path
      // shows each single-sample step's direction.
      let single = TrainingConfiguration(
        loss: loss, optimizer: .sgd(learningRate: options.rate), epochs: 1, batchSize: nil,
        shuffle: false)
      for _ in 0..<options.epochs {
        for k in 0..<data.count {
          try context.checkTime("on the descent path")
          try atOption(dataOption) {
            _ = try walker.fit(
              data.features.selectingRows([k]), data.targets.selectingRows([k]),
              configuration: single)
          }
          path.append((walker.layers[0].weights[0, 0], walker.layers[0].bias?.first ?? 0))
        }
      }
    } else if options.epochs > 0 {
      try atOption(dataOption) {
        _ = try walker.fit(
          data.features, data.targets, configuration: descent,
          interrupt: { context.isOutOfTime },
          observe: { path.append(($0.layers[0].weights[0, 0], $0.layers[0].bias?.first ?? 0)) })
      }
    }
    try context.checkTime("on the descent path")
    let stride = max(1, path.count / 400)
    let thinned = path.enumerated().filter {
      $0.offset % stride == 0 || $0.offset == path.count - 1
    }.map(\.element)
    var plot = FieldPlot(
      title: title(
        options.epochs > 0
          ? "L(w, b) and the path of \(options.batch == 1 ? "stochastic " : "")gradient descent"
          : options.search > 0 ? "L(w, b) and a random search" : "L(w, b)"), xLabel: "w",
      yLabel: "b",
      xRange: wRange, yRange: bRange, values: grid,
      coloring: .sequential(log: true, label: "L(w, b)"))
    plot.path = options.epochs > 0 ? thinned : []
    plot.width = 600
    plot.height = 470
    let end = path[path.count - 1]
    var caption =
      options.epochs == 0
      ? "The error surface L(w, b) (\(Shown.loss(loss)), darker is lower, log scale)."
      : "The error surface L(w, b) (\(Shown.loss(loss)), darker is lower, log scale) with the path of \(options.batch == 1 ? "stochastic gradient descent, one sample at a time," : "gradient descent") from w = \(NumberText.plain(start[0])), b = \(NumberText.plain(start[1])) at \(context.rateSymbol) = \(NumberText.plain(options.rate)): \(options.epochs) epochs, ending at w = \(format(end.x, 3)), b = \(format(end.y, 3))."
    if options.search > 0 {
      // Random search: guesses drawn uniformly over the drawn ranges, the best one marked.
      var random = RandomGenerator(seed: context.seed)
      var guesses: [(w: Double, b: Double, loss: Double)] = []
      for _ in 0..<options.search {
        let w = random.nextUniform(in: wRange.lowerBound, wRange.upperBound)
        let b = random.nextUniform(in: bRange.lowerBound, bRange.upperBound)
        guesses.append((w, b, try atOption(dataOption) { try lossAt(w, b) }))
      }
      let best = guesses.indices.min { guesses[$0].loss < guesses[$1].loss } ?? 0
      plot.points = guesses.enumerated().map {
        FieldPlot.Point(x: $1.w, y: $1.b, group: $0 == best ? 1 : 0, marked: $0 == best)
      }
      plot.groupNames = ["random guesses", "the best guess"]
      caption +=
        " The \(options.search) points are a random search over the same ranges; the best, at w = \(format(guesses[best].w, 2)), b = \(format(guesses[best].b, 2)), has L = \(format(guesses[best].loss, 4))."
    }
    return (plot.figure(caption: caption, description: caption), caption)
  }

  // MARK: - Activation functions

  func activations() -> (Figure, String) {
    let functions = options.functions
    let derivatives = options.derivatives
    let xs = (0...160).map { -4 + Double($0) / 20 }
    let panels = functions.map { activation in
      FunctionPanels.Panel(
        name: Shown.activation(activation), range: activation.range,
        value: xs.map { ($0, activation.value($0)) },
        derivative: derivatives
          ? xs.map { ($0, activation.derivative($0, output: activation.value($0))) } : [])
    }
    let chart = FunctionPanels(
      panels: panels,
      title: title("Activation functions\(derivatives ? " and their derivatives" : "")"),
      columns: options.columns ?? 4)
    let caption =
      "Activation functions φ (solid)\(derivatives ? " and their derivatives φ′ (dashed)" : "") on x ∈ [−4, 4]: \(functions.map(Shown.activation).joined(separator: ", "))."
    return (chart.figure(caption: caption), caption)
  }

  // MARK: - Computation graph

  func graph() throws -> (Figure, String) {
    guard let name, let graph = context.namespace.graphs[name] else {
      throw BlockError(
        "no expr graph '\(name ?? "")' is defined above",
        hint: suggestion(for: name ?? "", among: context.namespace.graphs.keys.sorted()))
    }
    let outputName = graph.nodes[graph.output].name ?? "output"
    let nodes = graph.nodes.map { node in
      var isConstant = false
      let operation: String?
      switch node.operation {
      case .constant: (operation, isConstant) = (nil, true)
      case .variable: operation = nil
      case .add: operation = "+"
      case .subtract, .negate: operation = "−"
      case .multiply: operation = "×"
      case .divide: operation = "÷"
      case .power: operation = "^"
      case .identity: operation = "="
      case .function(let function): operation = function.rawValue
      }
      // Named nodes' values and derivatives are the expr block's results (`graph.u`,
      // `graph.dJ/du`): marked, so a student build blanks them here as in the table.
      let value = format(node.value, context.precision, trimmed: true)
      let gradient = format(node.gradient, context.precision, trimmed: true)
      return GraphDiagram.Node(
        label: node.name ?? node.text,
        detail: node.operation == .variable ? "input" : isConstant ? "constant" : node.text,
        value: node.name.map { FigureText.keyed(.named(name, $0), value) } ?? value,
        gradient: node.name.map {
          FigureText.keyed(.derivative(name, of: outputName, by: $0), gradient)
        } ?? gradient,
        inputs: zip(node.inputs, node.localDerivatives).map {
          ($0, format($1, context.precision, trimmed: true))
        }, operation: operation, isConstant: isConstant)
    }
    let diagram = GraphDiagram(
      nodes: nodes, title: title("Computation graph of \(outputName)"), output: outputName)
    let caption =
      "The computation graph of \(outputName): forward values in the nodes, local derivatives on the edges, and ∂\(outputName)/∂node under each node."
    return (diagram.figure(caption: caption), caption)
  }

  // MARK: - Confusion matrix and digits

  func confusion() throws -> (Figure, String) {
    let model = try context.anyModel(name)
    let (dataName, data) = try dataset("a confusion matrix")
    let confusion = try atOption(dataOption) {
      try ConfusionMatrix(predicted: model.predict(data.features), target: data.targets)
    }
    guard confusion.classes <= 30 else {
      throw BlockError(
        "a confusion matrix of \(confusion.classes) classes is too large to draw", at: dataOption)
    }
    let names = data.classNames ?? (0..<confusion.classes).map(String.init)
    let chart = CountMatrix(
      title: title("Confusion matrix of \(shown(name, else: "the network")) on \(shown(dataName))"),
      rowLabel: "actual class",
      columnLabel: "predicted class", names: names, counts: confusion.counts)
    let caption =
      "Confusion matrix of \(shown(name, else: "the network")) on \(shown(dataName)): \(confusion.correct) of \(confusion.total) correct (accuracy \(format(confusion.accuracy, 3)))."
    return (chart.figure(caption: caption), caption)
  }

  func digits() throws -> (Figure, String) {
    let (dataName, data) = try dataset("a digits plot")
    let side = Int(Double(data.features.columns).squareRoot())
    guard side * side == data.features.columns, side > 0 else {
      throw BlockError(
        "'\(dataName)' has \(data.features.columns) features, not a square image", at: dataOption)
    }
    var predictions: [Int]?
    if let name {
      let entry = try context.anyModel(name)
      predictions = Self.classes(
        try atOption(dataOption) { try entry.predict(data.features) })
    }
    if options.misclassified, predictions == nil {
      throw BlockError(
        "'misclassified' needs a model: write 'plot MODEL'", at: context.option("misclassified"))
    }
    let labels = try atOption(dataOption) { try data.labels() }
    let top = max(1e-12, data.features.maxMagnitude())
    var images: [ImageGrid.Image] = []
    for k in 0..<data.count where images.count < options.samples {
      let predicted = predictions?[k]
      if options.misclassified, predicted == labels[k] { continue }
      images.append(
        ImageGrid.Image(
          pixels: try data.features.row(k).map { $0 / top }, side: side, truth: String(labels[k]),
          prediction: predicted.map(String.init)))
    }
    let grid = ImageGrid(
      images: images,
      title: title(
        options.misclassified ? "Misclassified samples" : "Samples of \(shown(dataName))"),
      columns: options.columns ?? 10)
    let wrong = images.filter { $0.prediction != nil && $0.prediction != $0.truth }.count
    let caption =
      "\(images.count) samples of \(shown(dataName))\(predictions == nil ? " with their labels" : ", labelled true → predicted by \(shown(name, else: "the network")); \(wrong) misclassified, framed in orange")."
    return (grid.figure(caption: caption), caption)
  }

  // MARK: - Learning curves compared

  func curves() throws -> (Figure, String) {
    let runs = options.runs ?? []
    let metrics = options.metric
    var series: [LineChart.Series] = []
    for run in runs {
      guard let history = context.namespace.histories[run] else {
        throw BlockError(
          "no training run '\(run)' above", at: context.option("runs"), word: run,
          hint: suggestion(for: run, among: context.namespace.histories.keys.sorted()))
      }
      for metric in metrics {
        let recorded = history.keys + history.extraKeys
        guard recorded.contains(metric) else {
          throw BlockError(
            "'\(run)' did not record '\(metric)'", at: context.option("metric"), word: metric,
            hint: suggestion(for: metric, among: recorded))
        }
        series.append(
          LineChart.Series(
            name: metrics.count == 1
              ? shown(run) : "\(shown(run)): \(TrainingTables.shown(metric: metric))",
            points: history.series(metric).map { (Double($0.epoch), $0.value) }))
      }
    }
    let what = metrics.map(TrainingTables.shown(metric:)).joined(separator: " and ")
    var chart = LineChart(
      title: title(what.prefix(1).uppercased() + what.dropFirst() + " per epoch"), xLabel: "Epoch",
      yLabel: metrics.map(TrainingTables.shown(metric:)).joined(separator: ", "), series: series,
      yScale: options.scale.axis,
      width: 640,
      height: 380)
    if options.best {
      // The epoch of lowest validation loss: where early stopping would keep the weights.
      for run in runs {
        guard let history = context.namespace.histories[run] else { continue }
        let validation = history.series("val_loss")
        guard let lowest = validation.min(by: { $0.value < $1.value }) else {
          throw BlockError(
            "'best' marks the lowest validation loss, but '\(run)' recorded none",
            at: context.option("best"), hint: "train it with 'validation:'")
        }
        chart.marks.append(
          (
            Double(lowest.epoch),
            runs.count == 1
              ? "best: epoch \(lowest.epoch)" : "\(shown(run)): best epoch \(lowest.epoch)"
          ))
      }
    }
    let caption =
      "\(what.prefix(1).uppercased() + what.dropFirst()) per epoch: \(runs.map { shown($0) }.joined(separator: "; "))\(options.best ? "; the dashed line marks the epoch of lowest validation loss" : "")."
    return (chart.figure(caption: caption), caption)
  }

  // MARK: - A fitted function

  /// A one-input, one-output model's curve over its data's range, with the data on top.
  func function() throws -> (Figure, String) {
    guard let runs = options.runs, !runs.isEmpty else { return try function(of: name) }
    // Small multiples: the named model's function beside each of `runs`, same data.
    var panels: [Figure] = []
    for model in [name].compactMap({ $0 }) + runs {
      var (figure, _) = try function(of: model, panelTitle: shown(model))
      figure.caption = ""
      panels.append(figure)
    }
    let (dataName, _) = try dataset("a function plot")
    let caption =
      "The function of each model over the range of \(shown(dataName)), with its samples as points: \(([name].compactMap { $0 } + runs).map { shown($0) }.joined(separator: "; "))."
    let figure = SmallMultiples(
      panels: panels, columns: min(options.columns ?? 3, panels.count),
      title: title("The functions of \(panels.count) models and the data")
    ).figure(caption: caption)
    return (figure, caption)
  }

  /// One model's function over the data, as a chart (a panel when `panelTitle` is given).
  private func function(of name: String?, panelTitle: String? = nil) throws -> (Figure, String) {
    let network = try context.model(name).network
    guard network.inputCount == 1, network.outputCount == 1 else {
      throw BlockError("a function plot needs a model of one input and one output")
    }
    let (dataName, data) = try dataset("a function plot")
    guard data.features.columns == 1, data.targets.columns == 1 else {
      throw BlockError("'\(dataName)' must have one feature and one target", at: dataOption)
    }
    let xs = try data.features.column(0)
    let range = Self.padded(xs)
    let grid = (0...200).map {
      range.lowerBound + (range.upperBound - range.lowerBound) * Double($0) / 200
    }
    let curve = try atOption(dataOption) { try network.predict(Matrix(column: grid)) }
    let model = shown(name, else: "the network")
    let chart = LineChart(
      title: panelTitle ?? title("The function of \(model) and the data"),
      xLabel: data.featureNames.first ?? "x", yLabel: data.targetNames.first ?? "y",
      series: [
        LineChart.Series(name: "output", points: zip(grid, curve.elements).map { ($0, $1) }),
        LineChart.Series(
          name: shown(dataName), points: zip(xs, data.targets.elements).map { ($0, $1) }),
      ], markers: [false, true], width: panelTitle == nil ? 640 : 340,
      height: panelTitle == nil ? 360 : 260)
    let caption =
      "The function \(model) computes, over the range of \(shown(dataName)), with its \(data.count) samples as points."
    return (chart.figure(caption: caption), caption)
  }
}

/// The activation panels' defaults: the cheat sheet's functions.
enum FunctionFigure {
  static let cheatSheet: [Activation] = [
    "sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu", "softplus", "gelu", "silu", "gaussian",
    "step", "identity",
  ].compactMap { Activation(name: $0) }
}
