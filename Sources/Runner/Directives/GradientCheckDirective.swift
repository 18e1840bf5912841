import Figures
import NeuralEngine
import Notebook

/// ```gradcheck MODEL```: backpropagation's gradient of every parameter beside centred
/// finite differences, with the relative error the standard recipe reads.
struct GradientCheckDirective: ModelPass {
  var inputs = PassInputs()
  var target: [[Double]]?
  var loss = Loss.halfSumOfSquares
  var step = 1e-5
  var l2 = 0.0
  var mode = PassModeChoice.inference
  var storedAs: String?

  static let kind = DirectiveKind.gradcheck
  static let syntax: DirectiveSyntax = .options(
    name: .required("the model whose gradients it checks"))

  /// Nothing: it only reads.
  func changes(_ block: DirectiveBlock) -> [String] { [] }
  static let summary =
    "gradient checking: backprop's ∂L/∂θ for every parameter beside (L(θ + h) − L(θ − h))/2h, and their relative error |a − n| / max(|a|, |n|, 1e-8)"
  static let storedValues =
    "`grad_w14` (backprop), `numeric_w14` (finite differences), `error_w14` (relative error) for every parameter, and `max_error`"

  static var fields: [OptionField<Self>] {
    PassInputs.fields(
      \.inputs, input: "one sample's inputs (or several, separated by `;`)",
      example: "input: 1 0 1")
      + [
        PassInputs.targetField(\.target),
        .option("loss", \.loss, .loss, "the loss", example: "loss: binary_crossentropy"),
        .option(
          "h", \.step, .number(in: 1e-12...1, summary: "a number from 1e-12 to 1"),
          "the step h of the centred difference", example: "h: 1e-4"),
        .option(
          "l2", \.l2, .number(in: 0...1e6, summary: "a number from 0 to 1000000"),
          "the L2 penalty α in the loss, as `train` adds it", example: "l2: 0.01"),
        .option(
          "mode", \.mode, .choice,
          "`training`: dropout masks from the block's seed (the same masks for every evaluation) and batch statistics; `inference`: every unit, running statistics",
          example: "mode: training"),
        .storedAs(\.storedAs, example: "as: check"),
      ]
  }

  func validate(_ block: DirectiveBlock) -> [BlockError] {
    target == nil && inputs.data == nil
      ? [BlockError("a gradient check needs a 'target' (or 'data')", hint: "e.g. 'target: 1'")]
      : []
  }

  func run(_ context: BlockContext) throws -> [ResultItem] {
    let (network, x) = try modelAndSamples(context)
    let targetOption = context.option("target") ?? context.option("data")
    let y = try inputs.targets(target, for: x, network: network, loss: loss, context)
    guard network.parameterCount <= Network<Double>.gradientCheckLimit else {
      throw BlockError(
        "a gradient check perturbs every parameter twice: \(network.parameterCount) parameters is over its limit of \(Network<Double>.gradientCheckLimit)",
        hint: "check a smaller model of the same kind: the backward pass is the same code")
    }
    let rows = try atOption(targetOption) {
      try network.gradientCheck(
        x, target: y, loss: loss, l2: l2, step: step, mode: mode.mode(context),
        interrupt: { context.isOutOfTime })
    }
    let owner = context.resultName
    var cells: [[Cell]] = []
    var largest = 0.0
    for row in rows {
      // γ4 and β4 are stored as `gamma4` and `beta4`, as `backward` stores their gradients.
      let name =
        row.name.hasPrefix("γ")
        ? "gamma" + row.name.dropFirst()
        : row.name.hasPrefix("β") ? "beta" + row.name.dropFirst() : row.name
      context.store(.named(owner, "grad_" + name), row.analytic)
      context.store(.named(owner, "numeric_" + name), row.numerical)
      context.store(.named(owner, "error_" + name), row.relativeError)
      largest = max(largest, row.relativeError)
      cells.append([
        .text(row.name),
        .keyed(.named(owner, "grad_" + name), .number(row.analytic, decimals: 8)),
        .keyed(.named(owner, "numeric_" + name), .number(row.numerical, decimals: 8)),
        .keyed(.named(owner, "error_" + name), .measured(row.relativeError)),
      ])
    }
    context.store(.named(owner, "max_error"), largest)
    guard context.showsResults else { return [] }
    let h = NumberText.plain(step)
    return [
      .table(
        Table(
          caption: context.caption
            ?? "Gradient check with h = \(h): relative error |a − n| / max(|a|, |n|, 1e-8); below 1e-7 the backward pass is right, above 1e-3 it is wrong. Largest: \(NumberText.significant(largest, digits: 2)).",
          header: [
            "Parameter θ", "Backprop ∂L/∂θ", "(L(θ + h) − L(θ − h)) / 2h", "Relative error",
          ], rows: cells, precision: context.precision))
    ]
  }
}

/// ```activation NAME```: activation functions and their derivatives at given points.
struct ActivationDirective: Directive {
  var functions: [Activation] = [.sigmoid, .tanh, .relu]
  var points: [Double] = [-2, -1, 0, 1, 2]

  static let kind = DirectiveKind.activation
  static let syntax: DirectiveSyntax = .options(
    name: .required("the name its values are stored under"))

  /// Nothing: it only reads.
  func changes(_ block: DirectiveBlock) -> [String] { [] }
  static let summary = "activation functions φ(z) and their derivatives φ′(z) at given points"
  static let storedValues =
    "`relu[3]` (φ at the third point) and `d_relu[3]` (φ′ there) for every function; leaky ReLU as `leaky_relu`"

  static var fields: [OptionField<Self>] {
    [
      .option(
        "functions", \.functions, .curves, "the activations", example: "functions: sigmoid relu"),
      .option("at", \.points, .numbers, "the points z", example: "at: -2 0 2"),
    ]
  }

  func validate(_ block: DirectiveBlock) -> [BlockError] {
    if points.isEmpty || points.count > 50 {
      return [BlockError("'at' takes 1 to 50 points", at: block.option("at"))]
    }
    return []
  }

  func run(_ context: BlockContext) throws -> [ResultItem] {
    let owner = context.resultName
    var header = ["z"]
    for function in functions {
      // "leaky ReLU (α = 0.01)" → "leaky ReLU"; the parameter goes in the caption.
      let name = Shown.activation(function).components(separatedBy: " (").first ?? function.name
      header += [name, name + "′"]
    }
    let parameters = functions.compactMap { function -> String? in
      let shown = Shown.activation(function)
      return shown.contains(" (") ? shown : nil
    }
    let rows: [[Cell]] = points.enumerated().map { index, z in
      var cells: [Cell] = [.plain(z)]
      for function in functions {
        let a = function.value(z)
        let d = function.derivative(z, output: a)
        let name = function.name
        context.store(ValueKey(owner: owner, quantity: name, sample: index + 1), a)
        context.store(ValueKey(owner: owner, quantity: "d_" + name, sample: index + 1), d)
        cells += [
          .keyed(ValueKey(owner: owner, quantity: name, sample: index + 1), .number(a)),
          .keyed(ValueKey(owner: owner, quantity: "d_" + name, sample: index + 1), .number(d)),
        ]
      }
      return cells
    }
    guard context.showsResults else { return [] }
    return [
      .table(
        Table(
          caption: context.caption
            ?? "Activations φ(z) and their derivatives φ′(z)\(parameters.isEmpty ? "" : " (\(parameters.joined(separator: ", ")))"); at a kink the derivative is the one backpropagation uses: ReLU′(0) = 0, leaky ReLU′(0) = α.",
          header: header, rows: rows, precision: context.precision))
    ]
  }
}
