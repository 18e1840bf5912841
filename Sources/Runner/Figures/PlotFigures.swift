import Figures
import NeuralEngine
import Notebook

/// The data of each kind of figure, computed from the namespace; drawing is `Figures`'s.
struct PlotFigures {
  var options: PlotDirective
  var context: BlockContext

  var name: String? { context.block.name }

  /// The figure's title: the plot's own `title:`, else `made`.
  func title(_ made: String) -> String { context.common.title ?? made }

  /// What readers see for a model, run, data set or unit: its title, else `fallback` (a
  /// model's "the network"), else a run's description ("SGD, η = 0.1"), else its name.
  func shown(_ name: String?, else fallback: String? = nil) -> String {
    guard let name else { return fallback ?? "the model" }
    return context.namespace.titles[name] ?? fallback ?? context.namespace.descriptions[name]
      ?? name
  }
  /// What readers see for a data set: a split's part, `digits.test`, is "digits (test
  /// split)" or "Title (test split)" unless the part has a title of its own.
  func shown(_ data: DataReference) -> String {
    if let part = data.part, context.namespace.titles[data.description] == nil {
      return "\(shown(data.owner)) (\(part.rawValue) split)"
    }
    return shown(data.description)
  }

  var dataOption: DirectiveOption? { context.option("data") }

  /// The data set named by `data:`, or an error saying the figure needs one.
  func dataset(_ what: String) throws -> (DataReference, Dataset) {
    guard let data = options.data else {
      throw BlockError("\(what) needs 'data'", hint: "e.g. 'data: moons'")
    }
    return (data, try context.dataset(data, at: dataOption))
  }

  // MARK: - Network diagram

  /// The diagram, its caption, and a table of the weights of each layer too dense to label
  /// on the diagram.
  func network() throws -> (Figure, String, [Table]) {
    let network = try context.model(name).network
    let labels = network.unitLabels
    var columns: [[NetworkDiagram.Unit]] = [labels.inputs.map { NetworkDiagram.Unit(label: $0) }]
    columns += labels.layers.map { $0.map { NetworkDiagram.Unit(label: $0) } }
    var described = ""
    if let input = options.input {
      let x = try PassInputs(input: input).matrix(for: network, context)
      let trace = try atOption(context.option("input")) { try network.forward(x) }
      for j in columns[0].indices {
        columns[0][j].value = format(x[0, j], context.precision, trimmed: true)
      }
      // A unit's output is the forward value `name.O4`: marked, so a student build that
      // blanks it blanks it here too.
      for (l, layer) in trace.layers.enumerated() {
        for j in columns[l + 1].indices {
          let shown = format(layer.output[0, j], context.precision)
          columns[l + 1][j].value =
            name.map {
              FigureText.keyed(.output($0, unit: columns[l + 1][j].label), shown)
            } ?? shown
        }
      }
      described = " with the forward values of one sample"
    }
    let showWeights = options.weights ?? (network.parameterCount <= 16)
    // A weight is the model's parameter `name.w46`, marked for blanking like a unit's
    // output; drawn after `backward … apply: true`, it is that step's result `name.new_w46`.
    func parameter(_ id: ParameterID, _ value: Double) -> String {
      let shown = format(value, context.precision, trimmed: true)
      guard let name else { return shown }
      let parameterName = network.parameterName(id)
      let updated = ValueKey.updated(name, parameter: parameterName)
      let isUpdate =
        context.namespace.values.value(updated, at: context.definer.index)?.number == value
      return FigureText.keyed(isUpdate ? updated : .parameter(name, parameterName), shown)
    }
    let weights: [[[String]]]? =
      showWeights
      ? network.layers.enumerated().map { l, layer in
        (0..<layer.inputCount).map { i in
          (0..<layer.unitCount).map { j in
            parameter(.weight(layer: l, from: i, to: j), layer.weights[i, j])
          }
        }
      } : nil
    let biases: [[String]?] = network.layers.enumerated().map { l, layer in
      layer.bias.map { bias in
        showWeights
          ? bias.enumerated().map { parameter(.bias(layer: l, unit: $0), $1) }
          : bias.map { _ in "" }
      }
    }
    let titles =
      ["input"]
      + network.layers.indices.map {
        $0 == network.layers.count - 1 ? "output" : "hidden \($0 + 1)"
      }
    let sizes = ([network.inputCount] + network.layers.map(\.unitCount)).map(String.init)
    let model = shown(name, else: "A \(sizes.joined(separator: "–")) network")
    let diagram = NetworkDiagram(
      columns: columns, weights: weights, biases: biases, titles: titles, title: title(model),
      width: 640, height: max(300, 70 + 52 * Double(min(11, (columns.map(\.count).max() ?? 1) + 1)))
    )
    let crowded = showWeights ? diagram.crowdedLayers : []
    let caption =
      "\(model)\(showWeights ? " with its weights on the edges" : "")\(crowded.isEmpty ? "" : " (those of crowded layers in the table below)")\(described); +1 marks each layer's bias unit."
    let tables = crowded.map { l -> Table in
      let layer = network.layers[l]
      let from = l == 0 ? labels.inputs : labels.layers[l - 1]
      var rows: [[Cell]] = (0..<layer.inputCount).map { i in
        [.text(from.indices.contains(i) ? from[i] : "\(i + 1)")]
          + (0..<layer.unitCount).map { .plain(layer.weights[i, $0]) }
      }
      if let bias = layer.bias { rows.append([.text("+1 (bias)")] + bias.map { .plain($0) }) }
      return Table(
        caption: "Weights into \(titles[l + 1]) (rows: from; columns: to)",
        header: ["from"] + labels.layers[l], rows: rows, precision: context.precision)
    }
    return (diagram.figure(caption: caption), caption, tables)
  }

  // MARK: - Decision boundary

  func boundary() throws -> (Figure, String) {
    guard let name else {
      throw BlockError(
        "a boundary plot names its model or unit: 'plot net'",
        hint: "e.g. ```plot net``` with 'data: moons'")
    }
    if let unit = context.namespace.units[name] { return try perceptronBoundary(unit, name: name) }
    let (dataName, data) = try dataset("a boundary plot")
    guard data.features.columns == 2 else {
      throw BlockError(
        "'\(dataName)' has \(data.features.columns) features; a boundary needs 2", at: dataOption)
    }
    guard let runs = options.runs, !runs.isEmpty else {
      let (plot, caption) = try modelBoundary(name, dataName: dataName, data: data)
      return (plot.figure(caption: caption, description: caption), caption)
    }
    // Small multiples: the named model's boundary beside each of `runs`, same axes.
    var panels: [Figure] = []
    var wrongs: [String] = []
    for model in [name] + runs {
      var (plot, _) = try modelBoundary(model, dataName: dataName, data: data)
      plot.title = shown(model)
      plot.width = 330
      plot.height = 300
      plot.groupNames = []
      panels.append(plot.figure(caption: "", description: ""))
      wrongs.append("\(shown(model)): \(plot.points.filter(\.marked).count)")
    }
    let columns = min(options.columns ?? 3, panels.count)
    let caption =
      "Decision regions over \(shown(dataName)), one panel per model, same axes; points are samples coloured by their true class, misclassified ones crossed (\(wrongs.joined(separator: "; ")))."
    let figure = SmallMultiples(
      panels: panels, columns: columns, title: title("Decision regions of \(panels.count) models")
    ).figure(caption: caption)
    return (figure, caption)
  }

  /// One model's decision regions over a data set of two features, and its caption.
  private func modelBoundary(_ name: String, dataName: DataReference, data: Dataset) throws -> (
    FieldPlot, String
  ) {
    let network = try context.model(name).network
    guard network.inputCount == 2 else {
      throw BlockError(
        "a decision boundary needs a model of two inputs; \(name) has \(network.inputCount)")
    }
    // A network of steps (step, sign) has a discontinuous output, whose boundary a coarse
    // grid would draw as a staircase: it is sampled finely enough that no step shows.
    let stepped = network.layers.contains {
      [.binaryStep, .sign].contains($0.activation)
    }
    let resolution = stepped ? max(options.resolution, 240) : options.resolution
    let probability = options.style == .probability
    if probability, network.outputCount != 1 {
      throw BlockError(
        "'style: probability' needs one sigmoid output; use 'regions' for several classes",
        at: context.option("style"))
    }
    let xs = try data.features.column(0)
    let ys = try data.features.column(1)
    let (xRange, yRange) = (Self.padded(xs), Self.padded(ys))
    // The grid's points, row by row, in one flat matrix (57,600 small arrays cost megabytes).
    var samples: [Double] = []
    samples.reserveCapacity(2 * resolution * resolution)
    for r in 0..<resolution {
      for c in 0..<resolution {
        samples.append(
          xRange.lowerBound + (xRange.upperBound - xRange.lowerBound) * (Double(c) + 0.5)
            / Double(resolution))
        samples.append(
          yRange.lowerBound + (yRange.upperBound - yRange.lowerBound) * (Double(r) + 0.5)
            / Double(resolution))
      }
    }
    try context.checkTime("before drawing the boundary")
    // Predicted a few thousand points at a time: a forward pass keeps every layer's
    // activations, so 57,600 rows at once would hold megabytes per layer.
    let count = resolution * resolution
    let chunk = 4096
    var values: [Double] = []
    var width = 1
    for first in stride(from: 0, to: count, by: chunk) {
      let rows = min(chunk, count - first)
      let part = try atOption(dataOption) {
        try network.predict(
          Matrix(
            rows: rows, columns: 2, elements: Array(samples[(2 * first)..<(2 * (first + rows))])))
      }
      width = part.columns
      values += part.elements
    }
    let outputs = try Matrix(rows: count, columns: width, elements: values)
    let classes = Self.classes(outputs)
    let grid = (0..<resolution).map { r in
      (0..<resolution).map { c in
        probability ? outputs[r * resolution + c, 0] : Double(classes[r * resolution + c])
      }
    }
    let predicted = Self.classes(try atOption(dataOption) { try network.predict(data.features) })
    let truth = try atOption(dataOption) { try data.labels() }
    var plot = FieldPlot(
      title: title(
        "Decision \(probability ? "probabilities" : "regions") of \(shown(name, else: "the network"))"
      ),
      xLabel: data.featureNames[0], yLabel: data.featureNames[1],
      xRange: xRange, yRange: yRange, values: grid, coloring: probability ? .probability : .classes)
    plot.boundaries = Self.margins(outputs, resolution: resolution)
    plot.points = (0..<data.count).map { k in
      FieldPlot.Point(
        x: xs[k], y: ys[k], group: truth.indices.contains(k) ? truth[k] : 0,
        marked: truth.indices.contains(k) && predicted[k] != truth[k])
    }
    plot.groupNames = (data.classNames ?? (0...min(49, truth.max() ?? 0)).map(String.init)).map {
      "class \($0)"
    }
    plot.width = 560
    plot.height = 440
    let wrong = plot.points.filter(\.marked).count
    let caption =
      "Decision \(probability ? "probabilities" : "regions") of \(shown(name, else: "the network")) over \(shown(dataName)); points are samples coloured by their true class, \(wrong == 0 ? "all classified correctly" : "\(wrong) misclassified ones crossed")."
    return (plot, caption)
  }

  private func perceptronBoundary(_ unit: ThresholdEntry, name: String) throws -> (Figure, String) {
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
      title: title("\(shown(name, else: "The perceptron")): w0 + w1·x1 + w2·x2 = 0"),
      xLabel: "x1", yLabel: "x2", xRange: range, yRange: range, values: grid, coloring: .classes)
    let (w0, w1, w2) = (perceptron.bias, perceptron.weights[0], perceptron.weights[1])
    // The net input's zero line is the boundary: exact, where the output's cells are not.
    func coordinate(_ k: Int) -> Double {
      range.lowerBound + 2 * (Double(k) + 0.5) / Double(resolution)
    }
    plot.boundaries = [
      (0..<resolution).map { r in
        (0..<resolution).map { c -> Double in
          let x1 = coordinate(c)
          let x2 = coordinate(r)
          return w0 + w1 * x1 + w2 * x2
        }
      }
    ]
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
      "\(shown(name, else: "The perceptron"))'s line w0 + w1·x1 + w2·x2 = 0 (w0 = \(NumberText.plain(w0)), w1 = \(NumberText.plain(w1)), w2 = \(NumberText.plain(w2))) over the truth table; shading is its output, points are the targets\(plot.points.contains(where: \.marked) ? ", crossed where it is wrong" : "")."
    return (plot.figure(caption: caption, description: caption), caption)
  }

  // MARK: - Helpers

  /// The fields whose zero lines are a network's decision boundaries over a grid of
  /// `resolution`²: p − 0.5 for one sigmoid output; for several outputs, each class's
  /// margin over the best other class (the last of two is the first's mirror image).
  static func margins(_ outputs: Matrix<Double>, resolution: Int) -> [[[Double]]] {
    let classes = outputs.columns
    func grid(_ value: (Int) -> Double) -> [[Double]] {
      (0..<resolution).map { r in (0..<resolution).map { c in value(r * resolution + c) } }
    }
    if classes == 1 { return [grid { outputs[$0, 0] - 0.5 }] }
    return (0..<(classes == 2 ? 1 : classes)).map { k in
      grid { sample in
        var best = -Double.infinity
        for other in 0..<classes where other != k { best = max(best, outputs[sample, other]) }
        return outputs[sample, k] - best
      }
    }
  }

  /// A figure label: fixed decimals, or as written (`trimmed`).
  func format(_ value: Double, _ decimals: Int, trimmed: Bool = false) -> String {
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
