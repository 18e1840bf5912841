import NeuralEngine
import Notebook

/// ```backward MODEL```: errors, gradients and one update step.
struct BackwardDirective: ModelPass {
  var inputs = PassInputs()
  var target: [[Double]]?
  var loss = Loss.halfSumOfSquares
  var rate = 0.1
  var show: [String] = ["forward", "errors", "updates"]
  var apply = false
  var norms = false
  var mode: PassModeChoice?
  var storedAs: String?

  static let kind = DirectiveKind.backward
  static let syntax: DirectiveSyntax = .options(name: .required("the model it works on"))

  /// The model it names, when `apply: true` makes it take the update.
  func changes(_ block: DirectiveBlock) -> [String] { apply ? block.name.map { [$0] } ?? [] : [] }
  static let summary =
    "a backward pass: every unit's error, every gradient, and one update step"
  static let storedValues =
    "the forward values, `loss`, `Err4` and `delta4` (δ = −Err) for every sample (`Err4[2]` for the second), `delta1_2` (layer, unit), `grad_w46` and `new_w46` for every parameter, `dL/dx1` for every input, and each layer's gradient size `norm1` and mean |δ| `mean_delta1`"

  static let tables = [
    "forward", "errors", "gradients", "updates", "loss", "input_gradients", "none",
  ]

  static var fields: [OptionField<Self>] {
    PassInputs.fields(
      \.inputs, input: "one sample's inputs (or several, separated by `;`)",
      example: "input: 1 0 1")
      + [
        .option(
          "target", \.target, .samples,
          "the target outputs for each sample; with `data:`, the data set's targets",
          example: "target: 1"),
        .option(
          "mode", \.mode, .choice,
          "`training` (dropout masks drawn from the block's seed, batch statistics) or `inference`",
          example: "mode: inference",
          default: "training for a model with dropout or batch normalisation, else inference"),
        .option(
          "loss", \.loss, .loss, "the loss (½Σ(t − o)² is `half_sse`)", example: "loss: half_sse"),
        .option(
          "rate", \.rate, .number(in: 0...1e6, summary: "a number from 0 to 1000000"),
          "the learning rate η of the update step", example: "rate: 0.9"),
        .option(
          "show", \.show, .words(from: tables),
          "tables to show: `forward`, `errors` (every sample's), `gradients`, `updates`, `loss`, `input_gradients` (∂L/∂x), or `none`",
          example: "show: errors updates"),
        .option(
          "apply", \.apply, .boolean, "keep the updated weights in the model for later blocks",
          example: "apply: true"),
        .option(
          "norms", \.norms, .boolean, "also show each layer's gradient size ‖∂L/∂W‖ and mean |δ|",
          example: "norms: true"),
        .storedAs(\.storedAs, example: "as: step1"),
      ]
  }

  func validate(_ block: DirectiveBlock) -> [BlockError] {
    target == nil && inputs.data == nil
      ? [BlockError("a backward pass needs a 'target'", hint: "e.g. 'target: 1'")] : []
  }

  func run(_ context: BlockContext) throws -> [ResultItem] {
    let name = context.block.name
    let (network, x) = try modelAndSamples(context)
    let targetOption = context.option("target") ?? context.option("data")
    let y = try inputs.targets(target, for: x, network: network, loss: loss, context)
    let passMode = (mode ?? PassModeChoice.usual(for: network)).mode(context)
    let (forward, backward) = try atOption(targetOption) {
      try network.backward(x, target: y, loss: loss, mode: passMode)
    }
    let step = try atOption(targetOption) {
      try network.updateStep(x, target: y, loss: loss, learningRate: rate, mode: passMode)
    }
    if apply, let name {
      context.namespace.models[name]?.network = step.network
      context.storeParameters(of: step.network, model: name)
    }
    let tables = BackwardTables(
      network: network, forward: forward, backward: backward, step: step, target: y, loss: loss,
      owner: context.resultName, context: context)
    tables.store()
    let extra = RegularizationTables(
      trace: forward, network: network, owner: context.resultName, context: context)
    extra.store()
    let normGradients = RegularizationTables.normGradients(
      backward, network: network, owner: context.resultName, context)
    guard context.showsResults else { return [] }
    var items: [ResultItem] = []
    for word in show {
      switch word {
      case "forward":
        items.append(
          .table(forwardTable(forward, network, owner: context.resultName, context, caption: nil)))
        items += extra.tables().map { .table($0) }
      case "errors": items.append(.table(tables.errors()))
      case "gradients":
        items.append(.table(tables.gradients()))
        items += normGradients.map { .table($0) }
      case "updates": items.append(.table(tables.updates()))
      case "loss": items.append(.table(tables.lossTable()))
      case "input_gradients": items.append(.table(try tables.inputGradients()))
      default: break
      }
    }
    if norms { items.append(.table(tables.norms())) }
    if let caption = context.caption, let first = items.indices.first,
      case .table(var table) = items[first]
    {
      table.caption = caption
      items[first] = .table(table)
    }
    return items
  }
}
