import Figures
import NeuralEngine
import Notebook

/// ```plot [NAME]```: one figure of the kind asked for.
struct PlotDirective: Directive {
  var kind: PlotKind?
  var data: DataReference?
  var input: [[Double]]?
  var weights: Bool?
  var style = BoundaryStyle.regions
  var resolution = 60
  var w: [Double] = [-6, 6]
  var b: [Double] = [-6, 6]
  var start: [Double]?
  var rate = 1.0
  var epochs = 1000
  var loss = Loss.halfSumOfSquares
  var functions: [Activation] = FunctionFigure.cheatSheet
  var derivatives = true
  var columns: Int?
  var samples = 20
  var misclassified = false
  var runs: [String]?
  var metric: [String] = ["loss"]
  var scale = CurveScale.linear
  var best = false
  var width: Int?
  var height: Int?
  var f: String?
  var x: [Double] = [-5, 5]
  var at: Double?
  var from: Double?
  var steps = 0
  var search = 0
  var batch: Int?
  var sample = 1

  enum PlotKind: String, OptionChoice {
    case network, boundary, surface, activations, graph, confusion, digits, curves, function,
      roc, tangent, filters, maps
  }

  enum BoundaryStyle: String, OptionChoice {
    case regions, probability
  }

  static let kind = DirectiveKind.plot
  static let syntax: DirectiveSyntax = .options(
    name: .optional("the model, graph, unit or data set it draws (none for activations and curves)")
  )

  /// Nothing: it only reads.
  func changes(_ block: DirectiveBlock) -> [String] { [] }
  static let summary =
    "a figure: a network diagram, a decision boundary, an error surface with a descent path, activation functions, a computation graph, a confusion matrix, digit images, several learning curves, a fitted function, an ROC curve with its AUC, or a function of one variable with a tangent and gradient-descent steps, a convolutional network's learned filters, or the feature maps of one image"
  static let storedValues =
    "none; the figure goes beside the Markdown handout as `NAME_files/fig-N.svg` and inline into the HTML"

  static var fields: [OptionField<Self>] {
    [
      .option("kind", \.kind, .choice, "what to draw", example: "kind: network"),
      .option(
        "data", \.data, .dataset,
        "the data set drawn (boundary points, confusion, digits, the surface's samples)",
        example: "data: xor"),
      .option(
        "input", \.input, .samples,
        "network: a sample whose forward values are written in the units",
        example: "input: 1 0 1"),
      .option(
        "weights", \.weights, .boolean, "network: write each weight on its edge",
        example: "weights: true",
        default: "when there are 16 or fewer"),
      .option(
        "style", \.style, .choice, "boundary: class regions or the probability",
        example: "style: probability"),
      .option(
        "resolution", \.resolution, .integer(in: 10...200),
        "cells per side of a boundary or surface grid",
        example: "resolution: 80"),
      .option("w", \.w, .interval, "surface: the range of w", example: "w: -6 6"),
      .option("b", \.b, .interval, "surface: the range of b", example: "b: -6 6"),
      .option(
        "start", \.start, .pair, "surface: where the descent path starts (w b)",
        example: "start: -2 -2",
        default: "the model's weights"),
      .option(
        "rate", \.rate, .number(in: 0...1e6, summary: "a number from 0 to 1000000"),
        "surface: the path's learning rate",
        example: "rate: 1"),
      .option(
        "epochs", \.epochs, .integer(in: 0...100_000), "surface: the path's epochs",
        example: "epochs: 1000"),
      .option("loss", \.loss, .loss, "surface: the loss drawn", example: "loss: half_sse"),
      .option(
        "best", \.best, .boolean,
        "curves: mark each run's epoch of lowest validation loss with a dashed line",
        example: "best: true"),
      .option(
        "functions", \.functions, .curves, "activations: which",
        example: "functions: sigmoid tanh relu"),
      .option(
        "derivatives", \.derivatives, .boolean, "activations: draw φ′ too",
        example: "derivatives: false"),
      .option(
        "columns", \.columns, .integer(in: 1...20), "panels or images per row",
        example: "columns: 4",
        default: "activations 4, digits 10"),
      .option(
        "samples", \.samples, .integer(in: 1...200), "digits: how many images",
        example: "samples: 30"),
      .option(
        "misclassified", \.misclassified, .boolean, "digits: only the misclassified ones",
        example: "misclassified: true"),
      .option(
        "sample", \.sample, .integer(in: 1...10_000_000),
        "maps: which sample of the data (1 is the first) goes through the first convolution",
        example: "sample: 3"),
      .option(
        "runs", \.runs, .words,
        "curves: the training results to compare; boundary and function: more models, drawn as small multiples beside the named one",
        example: "runs: sgd momentum adam"),
      .option(
        "metric", \.metric, .words, "curves: the quantities drawn per run",
        example: "metric: loss val_loss"),
      .option("scale", \.scale, .choice, "curves: the vertical scale", example: "scale: log"),
      .option(
        "width", \.width, .integer(in: 200...2000), "the figure's width in pixels",
        example: "width: 720",
        default: "the figure's own"),
      .option(
        "height", \.height, .integer(in: 100...2000),
        "the figure's height in pixels (when no width is given)",
        example: "height: 400", default: "the figure's own"),
      .option(
        "f", \.f, .text, "tangent: the function of x drawn, in `expr` syntax",
        example: "f: (x - 3)^2 + 1"),
      .option("x", \.x, .interval, "tangent: the range of x drawn", example: "x: -1 7"),
      .option(
        "at", \.at, .number,
        "tangent: where the tangent touches; stores `NAME.slope` and `NAME.f_at`",
        example: "at: 5", default: "no tangent"),
      .option(
        "from", \.from, .number,
        "tangent: where gradient descent starts (with `steps` and `rate`); stores `NAME.x@k`, `NAME.f@k`",
        example: "from: 6", default: "no descent"),
      .option(
        "steps", \.steps, .integer(in: 0...1000), "tangent: steps of gradient descent",
        example: "steps: 5"),
      .option(
        "batch", \.batch, .integer(in: 1...1),
        "surface: `1` moves the path one sample at a time (stochastic gradient descent), every step drawn",
        example: "batch: 1", default: "the whole data set per step"),
      .option(
        "search", \.search, .integer(in: 0...500),
        "surface: random search — this many (w, b) drawn uniformly over the ranges (the block's seed), marked, the best one named",
        example: "search: 20"),
    ]
  }

  func validate(_ block: DirectiveBlock) -> [BlockError] {
    guard let kind else {
      return [
        BlockError(
          "a plot needs a 'kind'",
          hint: "one of: " + PlotKind.allCases.map(\.rawValue).joined(separator: ", "))
      ]
    }
    var errors: [BlockError] = []
    // A boundary of a threshold unit needs no data; of a model it does (checked when run).
    if [.confusion, .digits, .function, .surface, .roc].contains(kind), data == nil {
      errors.append(
        BlockError("a \(kind.rawValue) plot needs 'data'", hint: "e.g. 'data: digits.test'"))
    }
    if kind == .curves, (runs ?? []).isEmpty {
      errors.append(
        BlockError(
          "a curves plot needs 'runs': the training results to compare",
          hint: "e.g. 'runs: sgd momentum adam'"))
    }
    if kind == .activations, let columns, columns > 8 {
      errors.append(BlockError("activations take 1 to 8 columns", at: block.option("columns")))
    }
    return errors
  }

  func reads(_ block: DirectiveBlock) -> [String] {
    if kind == .tangent { return [] }
    return [block.name, data?.owner].compactMap { $0 }
      + (runs ?? [])
  }

  /// A tangent plot stores its slope and descent steps under its name; other plots store
  /// nothing.
  func resultName(_ block: DirectiveBlock) -> String? { kind == .tangent ? block.name : nil }

  func run(_ context: BlockContext) throws -> [ResultItem] {
    guard let kind else { return [] }
    let figures = PlotFigures(options: self, context: context)
    let (figure, caption): (Figure, String)
    var tables: [Table] = []
    switch kind {
    case .network: (figure, caption, tables) = try figures.network()
    case .boundary: (figure, caption) = try figures.boundary()
    case .surface: (figure, caption) = try figures.surface()
    case .activations: (figure, caption) = figures.activations()
    case .graph: (figure, caption) = try figures.graph()
    case .confusion: (figure, caption) = try figures.confusion()
    case .digits: (figure, caption) = try figures.digits()
    case .curves: (figure, caption) = try figures.curves()
    case .function: (figure, caption) = try figures.function()
    case .roc: (figure, caption) = try figures.roc()
    case .tangent: (figure, caption, tables) = try figures.tangent()
    case .filters: (figure, caption) = try figures.filters()
    case .maps: (figure, caption) = try figures.maps()
    }
    guard context.showsResults else { return [] }
    var sized = figure
    let scale: Double? =
      width.map { Double($0) / figure.width } ?? height.map { Double($0) / figure.height }
    if let scale {
      sized.content = [
        SVGElement("g", [("transform", "scale(\(number(scale)))")], children: figure.content)
      ]
      sized.width = figure.width * scale
      sized.height = figure.height * scale
      if let width { sized.width = Double(width) }
      if let height, width == nil { sized.height = Double(height) }
    }
    let text = context.caption ?? caption
    sized.caption = text
    return [.figure(FigureResult(figure: sized, caption: text))] + tables.map { .table($0) }
  }
}

extension OptionType where Value == [Double] {
  /// Exactly two numbers (`start: w b`).
  static var pair: Self {
    OptionType("two numbers") { option in
      let values = try option.numbers()
      guard values.count == 2 else {
        throw BlockError("'\(option.key)' is two numbers: w then b", at: option)
      }
      return values
    } show: {
      $0.map { NumberText.plain($0) }.joined(separator: " ")
    }
  }
}

extension OptionType where Value == [Activation] {
  /// Activation functions that have a curve of one variable.
  static var curves: Self {
    OptionType("activation names separated by spaces") { option in
      try option.words.map { name in
        guard let activation = Activation(name: name), activation != .softmax else {
          throw BlockError(
            name == "softmax"
              ? "softmax acts on whole rows and has no curve of one variable"
              : "unknown activation '\(name)'",
            at: option, word: name,
            hint: suggestion(for: name, among: Activation.knownNames.filter { $0 != "softmax" }))
        }
        return activation
      }
    } show: {
      $0.map(\.name).joined(separator: " ")
    }
  }
}
