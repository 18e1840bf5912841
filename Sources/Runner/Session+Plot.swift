import Figures
import NeuralEngine
import Notebook

extension Session {
  /// ```plot [NAME]```: one figure of the kind asked for.
  func runPlot(_ block: DirectiveBlock, _ context: BlockContext) throws -> [ResultItem] {
    guard let kindOption = block.option("kind") else {
      throw BlockError(
        "a plot needs a 'kind'", hint: "one of: " + Self.plotKinds.joined(separator: ", "))
    }
    let kind = kindOption.value.trimmed
    let figure: Figure
    let caption: String
    switch kind {
    case "network": (figure, caption) = try networkFigure(block, context)
    case "boundary": (figure, caption) = try boundaryFigure(block, context)
    case "surface": (figure, caption) = try surfaceFigure(block, context)
    case "activations": (figure, caption) = try activationFigure(block, context)
    case "graph": (figure, caption) = try graphFigure(block, context)
    case "confusion": (figure, caption) = try confusionFigure(block, context)
    case "digits": (figure, caption) = try digitFigure(block, context)
    case "curves": (figure, caption) = try curvesFigure(block, context)
    case "function": (figure, caption) = try functionFigure(block, context)
    default:
      throw BlockError(
        "unknown plot kind '\(kind)'", at: kindOption,
        hint: suggestion(for: kind, among: Self.plotKinds))
    }
    guard context.showsResults else { return [] }
    var sized = figure
    if let width = try block.option("width").map({ try $0.integer(in: 200...2000) }) {
      let scale = Double(width) / figure.width
      sized.content = [
        SVGElement("g", [("transform", "scale(\(number(scale)))")], children: figure.content)
      ]
      sized.width = Double(width)
      sized.height = figure.height * scale
    }
    if let height = try block.option("height").map({ try $0.integer(in: 100...2000) }),
      block.option("width") == nil
    {
      let scale = Double(height) / figure.height
      sized.content = [
        SVGElement("g", [("transform", "scale(\(number(scale)))")], children: figure.content)
      ]
      sized.width = figure.width * scale
      sized.height = Double(height)
    }
    let text = context.caption ?? caption
    sized.caption = text
    return [.figure(FigureResult(figure: sized, caption: text))]
  }

  static let plotKinds = [
    "network", "boundary", "surface", "activations", "graph", "confusion", "digits", "curves",
    "function",
  ]

  // MARK: - Network diagram

  private func networkFigure(_ block: DirectiveBlock, _ context: BlockContext) throws -> (
    Figure, String
  ) {
    let network = try model(block).network
    let labels = network.unitLabels
    var columns: [[NetworkDiagram.Unit]] = [labels.inputs.map { NetworkDiagram.Unit(label: $0) }]
    columns += labels.layers.map { $0.map { NetworkDiagram.Unit(label: $0) } }
    var described = ""
    if block.option("input") != nil {
      let x = try inputs(block, network: network, key: "input")
      let trace = try atOption(block.option("input")) { try network.forward(x) }
      for j in columns[0].indices {
        columns[0][j].value = format(x[0, j], context.precision, trimmed: true)
      }
      for (l, layer) in trace.layers.enumerated() {
        for j in columns[l + 1].indices {
          columns[l + 1][j].value = format(layer.output[0, j], context.precision)
        }
      }
      described = " with the forward values of one sample"
    }
    let showWeights =
      try block.option("weights").map { try $0.boolean() } ?? (network.parameterCount <= 16)
    let weights: [[[String]]]? =
      showWeights
      ? network.layers.map { layer in
        (0..<layer.inputCount).map { i in
          (0..<layer.unitCount).map { j in
            format(layer.weights[i, j], context.precision, trimmed: true)
          }
        }
      } : nil
    let biases: [[String]?] = network.layers.map { layer in
      layer.bias.map { bias in
        showWeights
          ? bias.map { format($0, context.precision, trimmed: true) } : bias.map { _ in "" }
      }
    }
    let titles =
      ["input"]
      + network.layers.indices.map {
        $0 == network.layers.count - 1 ? "output" : "hidden \($0 + 1)"
      }
    let name = block.name ?? "model"
    let diagram = NetworkDiagram(
      columns: columns, weights: weights, biases: biases, titles: titles, title: "Network \(name)",
      width: 640, height: max(300, 70 + 52 * Double(min(11, (columns.map(\.count).max() ?? 1) + 1)))
    )
    let caption =
      "The network \(name)\(showWeights ? " with its weights on the edges" : "")\(described); +1 marks each layer's bias unit."
    return (diagram.figure(caption: caption), caption)
  }

  // MARK: - Decision boundary

  private func boundaryFigure(_ block: DirectiveBlock, _ context: BlockContext) throws -> (
    Figure, String
  ) {
    guard let name = block.name else {
      throw BlockError(
        "a boundary plot names its model or unit: 'plot net'",
        hint: "e.g. ```plot net``` with 'data: moons'")
    }
    if let unit = units[name] { return try perceptronBoundary(unit, name: name, block: block) }
    let network = try model(block).network
    guard network.inputCount == 2 else {
      throw BlockError(
        "a decision boundary needs a model of two inputs; \(name) has \(network.inputCount)")
    }
    guard let dataOption = block.option("data") else {
      throw BlockError("a boundary plot needs 'data' to draw", hint: "e.g. 'data: moons'")
    }
    let data = try dataset(dataOption)
    guard data.features.columns == 2 else {
      throw BlockError(
        "'\(dataOption.value)' has \(data.features.columns) features; a boundary needs 2",
        at: dataOption)
    }
    let resolution = try block.option("resolution").map { try $0.integer(in: 10...200) } ?? 60
    let probability = block.option("style")?.value.trimmed == "probability"
    if let style = block.option("style")?.value.trimmed,
      !["regions", "probability"].contains(style)
    {
      throw BlockError(
        "the style is 'regions' or 'probability'", at: block.option("style"),
        hint: suggestion(for: style, among: ["regions", "probability"]))
    }
    if probability, network.outputCount != 1 {
      throw BlockError(
        "'style: probability' needs one sigmoid output; use 'regions' for several classes",
        at: block.option("style"))
    }
    let xs = try data.features.column(0)
    let ys = try data.features.column(1)
    let (xRange, yRange) = (Self.padded(xs), Self.padded(ys))
    var grid: [[Double]] = []
    var samples: [[Double]] = []
    for r in 0..<resolution {
      for c in 0..<resolution {
        samples.append([
          xRange.lowerBound + (xRange.upperBound - xRange.lowerBound) * (Double(c) + 0.5)
            / Double(resolution),
          yRange.lowerBound + (yRange.upperBound - yRange.lowerBound) * (Double(r) + 0.5)
            / Double(resolution),
        ])
      }
    }
    let outputs = try atOption(dataOption) { try network.predict(Matrix(samples)) }
    let classes = Self.classes(outputs)
    for r in 0..<resolution {
      grid.append(
        (0..<resolution).map { c in
          probability ? outputs[r * resolution + c, 0] : Double(classes[r * resolution + c])
        })
    }
    let predicted = Self.classes(try atOption(dataOption) { try network.predict(data.features) })
    let truth = try data.labels()
    var plot = FieldPlot(
      title: "Decision \(probability ? "probabilities" : "regions") of \(name)",
      xLabel: data.featureNames[0], yLabel: data.featureNames[1],
      xRange: xRange, yRange: yRange, values: grid, coloring: probability ? .probability : .classes)
    plot.points = (0..<data.count).map { k in
      FieldPlot.Point(
        x: xs[k], y: ys[k], group: truth.indices.contains(k) ? truth[k] : 0,
        marked: truth.indices.contains(k) && predicted[k] != truth[k])
    }
    plot.groupNames = (data.classNames ?? (0...(truth.max() ?? 0)).map(String.init)).map {
      "class \($0)"
    }
    plot.width = 560
    plot.height = 440
    let wrong = plot.points.filter(\.marked).count
    let caption =
      "Decision \(probability ? "probabilities" : "regions") of \(name) over \(dataOption.value.trimmed); points are samples coloured by their true class, \(wrong == 0 ? "all classified correctly" : "\(wrong) misclassified ones crossed")."
    return (plot.figure(caption: caption, description: caption), caption)
  }

  private func perceptronBoundary(_ unit: ThresholdEntry, name: String, block: DirectiveBlock)
    throws -> (Figure, String)
  {
    guard let perceptron = unit.perceptron, perceptron.weights.count == 2 else {
      throw BlockError("a boundary plot of a threshold unit needs a perceptron of two inputs")
    }
    let range = -0.5...1.5
    let resolution = 60
    var grid: [[Double]] = []
    for r in 0..<resolution {
      grid.append(
        try (0..<resolution).map { c in
          let x1 = range.lowerBound + 2 * (Double(c) + 0.5) / Double(resolution)
          let x2 = range.lowerBound + 2 * (Double(r) + 0.5) / Double(resolution)
          return Double(try perceptron.output([x1, x2]))
        })
    }
    var plot = FieldPlot(
      title: "Perceptron \(name): w0 + w1·x1 + w2·x2 = 0", xLabel: "x1", yLabel: "x2",
      xRange: range, yRange: range,
      values: grid, coloring: .classes)
    let (w0, w1, w2) = (perceptron.bias, perceptron.weights[0], perceptron.weights[1])
    if w2 != 0 {
      plot.lines = [((-0.5, -(w0 + w1 * -0.5) / w2), (1.5, -(w0 + w1 * 1.5) / w2))]
    } else if w1 != 0 {
      plot.lines = [((-w0 / w1, -0.5), (-w0 / w1, 1.5))]
    }
    plot.points = unit.inputs.enumerated().map { k, row in
      let target = unit.targets?[k] ?? unit.outputs[k]
      return FieldPlot.Point(
        x: Double(row[0]), y: Double(row.count > 1 ? row[1] : 0), group: target,
        marked: target != unit.outputs[k])
    }
    plot.groupNames = ["target 0", "target 1"]
    plot.width = 480
    plot.height = 420
    let caption =
      "The perceptron \(name)'s line w0 + w1·x1 + w2·x2 = 0 (w0 = \(trimmedNumber(w0)), w1 = \(trimmedNumber(w1)), w2 = \(trimmedNumber(w2))) over the truth table; shading is its output, points are the targets\(plot.points.contains(where: \.marked) ? ", crossed where it is wrong" : "")."
    return (plot.figure(caption: caption, description: caption), caption)
  }

  // MARK: - Error surface

  private func surfaceFigure(_ block: DirectiveBlock, _ context: BlockContext) throws -> (
    Figure, String
  ) {
    let entry = try model(block)
    let network = entry.network
    guard network.inputCount == 1, network.layers.count == 1, network.outputCount == 1,
      network.layers[0].bias != nil
    else {
      throw BlockError(
        "an error surface needs a one-neuron model (one input, one unit with a bias)")
    }
    guard let dataOption = block.option("data") else {
      throw BlockError(
        "a surface plot needs 'data' to measure the loss on", hint: "e.g. 'data: fit'")
    }
    let data = try dataset(dataOption)
    let loss = try block.option("loss").map(parseLoss) ?? .halfSumOfSquares
    func range(_ key: String) throws -> ClosedRange<Double> {
      guard let option = block.option(key) else { return -6...6 }
      let values = try option.numbers()
      guard values.count == 2, values[0] < values[1] else {
        throw BlockError("'\(key)' is a range: two numbers, low then high", at: option)
      }
      return values[0]...values[1]
    }
    let (wRange, bRange) = (try range("w"), try range("b"))
    let resolution = try block.option("resolution").map { try $0.integer(in: 10...200) } ?? 60
    var probe = network
    func lossAt(_ w: Double, _ b: Double) throws -> Double {
      try probe.setWeights(Matrix([[w]]), layer: 0)
      try probe.setBias([b], layer: 0)
      return try loss.value(predicted: probe.predict(data.features), target: data.targets)
    }
    var grid: [[Double]] = []
    for r in 0..<resolution {
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
      try block.option("start").map { option -> [Double] in
        let values = try option.numbers()
        guard values.count == 2 else {
          throw BlockError("'start' is two numbers: w then b", at: option)
        }
        return values
      } ?? [network.layers[0].weights[0, 0], network.layers[0].bias?.first ?? 0]
    let rate = try block.option("rate").map { try $0.number() } ?? 1
    let epochs = try block.option("epochs").map { try $0.integer(in: 0...100_000) } ?? 1000
    var walker = network
    try walker.setWeights(Matrix([[start[0]]]), layer: 0)
    try walker.setBias([start[1]], layer: 0)
    var path: [(x: Double, y: Double)] = [(start[0], start[1])]
    for _ in 0..<epochs {
      let step = try atOption(dataOption) {
        try walker.updateStep(data.features, target: data.targets, loss: loss, learningRate: rate)
      }
      walker = step.network
      path.append((walker.layers[0].weights[0, 0], walker.layers[0].bias?.first ?? 0))
    }
    let stride = max(1, path.count / 400)
    let thinned = path.enumerated().filter {
      $0.offset % stride == 0 || $0.offset == path.count - 1
    }.map(\.element)
    var plot = FieldPlot(
      title: "L(w, b) of \(block.name ?? "the neuron") and the descent path", xLabel: "w",
      yLabel: "b",
      xRange: wRange, yRange: bRange, values: grid,
      coloring: .sequential(log: true, label: "L(w, b)"))
    plot.path = thinned
    plot.width = 600
    plot.height = 470
    let end = path[path.count - 1]
    let caption =
      "The error surface L(w, b) (\(loss.name), darker is lower, log scale) with the path of gradient descent from w = \(trimmedNumber(start[0])), b = \(trimmedNumber(start[1])) at η = \(trimmedNumber(rate)): \(epochs) epochs, ending at w = \(format(end.x, 3)), b = \(format(end.y, 3))."
    return (plot.figure(caption: caption, description: caption), caption)
  }

  // MARK: - Activation functions

  private func activationFigure(_ block: DirectiveBlock, _ context: BlockContext) throws -> (
    Figure, String
  ) {
    let names =
      block.option("functions")?.words ?? [
        "sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu", "softplus", "gelu", "silu",
        "gaussian", "step", "identity",
      ]
    let functions = try names.map { name -> Activation in
      guard let activation = Activation(name: name), activation != .softmax else {
        throw BlockError(
          name == "softmax"
            ? "softmax acts on whole rows and has no curve of one variable"
            : "unknown activation '\(name)'",
          at: block.option("functions"), word: name,
          hint: suggestion(for: name, among: Activation.knownNames.filter { $0 != "softmax" }))
      }
      return activation
    }
    let derivatives = try block.option("derivatives").map { try $0.boolean() } ?? true
    let xs = (0...160).map { -4 + Double($0) / 20 }
    let panels = functions.map { activation in
      FunctionPanels.Panel(
        name: activation.description, range: activation.range,
        value: xs.map { ($0, activation.value($0)) },
        derivative: derivatives
          ? xs.map { ($0, activation.derivative($0, output: activation.value($0))) } : [])
    }
    let columns = try block.option("columns").map { try $0.integer(in: 1...8) } ?? 4
    let chart = FunctionPanels(
      panels: panels, title: "Activation functions\(derivatives ? " and their derivatives" : "")",
      columns: columns)
    let caption =
      "Activation functions φ (solid)\(derivatives ? " and their derivatives φ′ (dashed)" : "") on x ∈ [−4, 4]: \(functions.map(\.description).joined(separator: ", "))."
    return (chart.figure(caption: caption), caption)
  }

  // MARK: - Computation graph

  private func graphFigure(_ block: DirectiveBlock, _ context: BlockContext) throws -> (
    Figure, String
  ) {
    guard let name = block.name, let graph = graphs[name] else {
      throw BlockError(
        "no expr graph '\(block.name ?? "")' is defined above",
        hint: suggestion(for: block.name ?? "", among: graphs.keys.sorted()))
    }
    let outputName = graph.nodes[graph.output].name ?? "output"
    let nodes = graph.nodes.map { node in
      GraphDiagram.Node(
        label: node.name ?? node.text,
        detail: node.operation == .variable ? "input" : (node.name == nil ? "constant" : node.text),
        value: format(node.value, context.precision, trimmed: true),
        gradient: format(node.gradient, context.precision, trimmed: true),
        inputs: zip(node.inputs, node.localDerivatives).map {
          ($0, format($1, context.precision, trimmed: true))
        })
    }
    let diagram = GraphDiagram(
      nodes: nodes, title: "Computation graph of \(outputName)", output: outputName)
    let caption =
      "The computation graph of \(outputName): forward values in the nodes, local derivatives on the edges, and ∂\(outputName)/∂node under each node."
    return (diagram.figure(caption: caption), caption)
  }

  // MARK: - Confusion matrix and digits

  private func confusionFigure(_ block: DirectiveBlock, _ context: BlockContext) throws -> (
    Figure, String
  ) {
    let network = try model(block).network
    guard let dataOption = block.option("data") else {
      throw BlockError("a confusion matrix needs 'data'", hint: "e.g. 'data: digits.test'")
    }
    let data = try dataset(dataOption)
    let confusion = try atOption(dataOption) {
      try ConfusionMatrix(predicted: network.predict(data.features), target: data.targets)
    }
    guard confusion.classes <= 30 else {
      throw BlockError(
        "a confusion matrix of \(confusion.classes) classes is too large to draw", at: dataOption)
    }
    let names = data.classNames ?? (0..<confusion.classes).map(String.init)
    let chart = CountMatrix(
      title: "Confusion matrix of \(block.name ?? "the model") on \(dataOption.value.trimmed)",
      rowLabel: "actual class",
      columnLabel: "predicted class", names: names, counts: confusion.counts)
    let caption =
      "Confusion matrix of \(block.name ?? "the model") on \(dataOption.value.trimmed): \(confusion.correct) of \(confusion.total) correct (accuracy \(format(confusion.accuracy, 3)))."
    return (chart.figure(caption: caption), caption)
  }

  private func digitFigure(_ block: DirectiveBlock, _ context: BlockContext) throws -> (
    Figure, String
  ) {
    guard let dataOption = block.option("data") else {
      throw BlockError("a digits plot needs 'data'", hint: "e.g. 'data: digits.test'")
    }
    let data = try dataset(dataOption)
    let side = Int(Double(data.features.columns).squareRoot())
    guard side * side == data.features.columns, side > 0 else {
      throw BlockError(
        "'\(dataOption.value)' has \(data.features.columns) features, not a square image",
        at: dataOption)
    }
    let count = try block.option("samples").map { try $0.integer(in: 1...200) } ?? 20
    let onlyWrong = try block.option("misclassified").map { try $0.boolean() } ?? false
    var predictions: [Int]?
    if let name = block.name {
      guard let entry = models[name] else {
        throw BlockError(
          "no model '\(name)' is defined above",
          hint: suggestion(for: name, among: models.keys.sorted()))
      }
      predictions = Self.classes(
        try atOption(dataOption) { try entry.network.predict(data.features) })
    }
    if onlyWrong, predictions == nil {
      throw BlockError(
        "'misclassified' needs a model: write 'plot MODEL'", at: block.option("misclassified"))
    }
    let labels = try data.labels()
    let top = max(1e-12, data.features.maxMagnitude())
    var images: [ImageGrid.Image] = []
    for k in 0..<data.count where images.count < count {
      let predicted = predictions?[k]
      if onlyWrong, predicted == labels[k] { continue }
      images.append(
        ImageGrid.Image(
          pixels: try data.features.row(k).map { $0 / top }, side: side, truth: String(labels[k]),
          prediction: predicted.map(String.init)))
    }
    let columns = try block.option("columns").map { try $0.integer(in: 1...20) } ?? 10
    let grid = ImageGrid(
      images: images,
      title: onlyWrong ? "Misclassified samples" : "Samples of \(dataOption.value.trimmed)",
      columns: columns)
    let wrong = images.filter { $0.prediction != nil && $0.prediction != $0.truth }.count
    let caption =
      "\(images.count) samples of \(dataOption.value.trimmed)\(predictions == nil ? " with their labels" : ", labelled true → predicted by \(block.name ?? ""); \(wrong) misclassified, framed in orange")."
    return (grid.figure(caption: caption), caption)
  }

  // MARK: - Learning curves compared

  private func curvesFigure(_ block: DirectiveBlock, _ context: BlockContext) throws -> (
    Figure, String
  ) {
    guard let runsOption = block.option("runs"), !runsOption.words.isEmpty else {
      throw BlockError(
        "a curves plot needs 'runs': the training results to compare",
        hint: "e.g. 'runs: sgd momentum adam'")
    }
    let metrics = block.option("metric")?.words ?? ["loss"]
    var series: [LineChart.Series] = []
    for run in runsOption.words {
      guard let history = histories[run] else {
        throw BlockError(
          "no training run '\(run)' above", at: runsOption, word: run,
          hint: suggestion(for: run, among: histories.keys.sorted()))
      }
      for metric in metrics {
        guard history.keys.contains(metric) else {
          throw BlockError(
            "'\(run)' did not record '\(metric)'", at: block.option("metric"), word: metric,
            hint: suggestion(for: metric, among: history.keys))
        }
        let name = metrics.count == 1 ? run : "\(run) \(metric)"
        series.append(
          LineChart.Series(
            name: name, points: history.series(metric).map { (Double($0.epoch), $0.value) }))
      }
    }
    let scale = try axisScale(block.option("scale"))
    let chart = LineChart(
      title: "\(metrics.joined(separator: " and ")) per epoch", xLabel: "Epoch",
      yLabel: metrics.joined(separator: ", "),
      series: series, yScale: scale, width: 640, height: 380)
    let caption =
      "\(metrics.joined(separator: " and ").capitalizedFirst) per epoch of \(runsOption.words.joined(separator: ", "))."
    return (chart.figure(caption: caption), caption)
  }

  // MARK: - A fitted function

  /// A one-input, one-output model's curve over its data's range, with the data on top.
  private func functionFigure(_ block: DirectiveBlock, _ context: BlockContext) throws -> (
    Figure, String
  ) {
    let network = try model(block).network
    guard network.inputCount == 1, network.outputCount == 1 else {
      throw BlockError("a function plot needs a model of one input and one output")
    }
    guard let dataOption = block.option("data") else {
      throw BlockError("a function plot needs 'data'", hint: "e.g. 'data: sine'")
    }
    let data = try dataset(dataOption)
    guard data.features.columns == 1, data.targets.columns == 1 else {
      throw BlockError("'\(dataOption.value)' must have one feature and one target", at: dataOption)
    }
    let xs = try data.features.column(0)
    let range = Self.padded(xs)
    let grid = (0...200).map {
      range.lowerBound + (range.upperBound - range.lowerBound) * Double($0) / 200
    }
    let curve = try atOption(dataOption) { try network.predict(Matrix(column: grid)) }
    let name = block.name ?? "model"
    let chart = LineChart(
      title: "\(name) and the data", xLabel: data.featureNames.first ?? "x",
      yLabel: data.targetNames.first ?? "y",
      series: [
        LineChart.Series(name: "\(name)(x)", points: zip(grid, curve.elements).map { ($0, $1) }),
        LineChart.Series(
          name: dataOption.value.trimmed, points: zip(xs, data.targets.elements).map { ($0, $1) }),
      ], markers: [false, true])
    let caption =
      "The function \(name) computes, over the range of \(dataOption.value.trimmed), with its \(data.count) samples as points."
    return (chart.figure(caption: caption), caption)
  }

  // MARK: - Helpers

  /// A figure label: fixed decimals, or as written (`trimmed`).
  private func format(_ value: Double, _ decimals: Int, trimmed: Bool = false) -> String {
    trimmed
      ? NumberText.trimmed(value, decimals: decimals) : NumberText.fixed(value, decimals: decimals)
  }

  /// Class labels of outputs: arg-max of several columns, ≥ 0.5 of one.
  static func classes(_ outputs: Matrix<Double>) -> [Int] {
    outputs.columns == 1 ? outputs.elements.map { $0 >= 0.5 ? 1 : 0 } : outputs.argmaxPerRow()
  }

  /// A range around values with 10 % to spare on each side.
  static func padded(_ values: [Double]) -> ClosedRange<Double> {
    let low = values.min() ?? 0
    let high = values.max() ?? 1
    let pad = max(1e-9, (high - low) * 0.1)
    return (low - pad)...(high + pad)
  }
}

extension String {
  var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
