import NeuralEngine
import Notebook

/// ```forward MODEL```: every unit's net input and output.
struct ForwardDirective: ModelPass {
  var inputs = PassInputs()
  var mode = PassModeChoice.inference
  var storedAs: String?

  static let kind = DirectiveKind.forward
  static let syntax: DirectiveSyntax = .options(name: .required("the model it works on"))

  /// Nothing: it only reads.
  func changes(_ block: DirectiveBlock) -> [String] { [] }
  static let summary = "a forward pass: every unit's net input and output"
  static let storedValues =
    "`I4`, `O4` (unit notation), `z1_2`, `a1_2` (layer, unit), `output`; later samples as `O4[2]`; under dropout `mask4`; under batch normalisation `mu4`, `var4`, `gamma4`, `beta4`, `xhat4`, `y4`"

  static var fields: [OptionField<Self>] {
    PassInputs.fields(
      \.inputs, input: "one sample's inputs; several samples separated by `;`",
      example: "input: 1 0 1")
      + [
        .option(
          "mode", \.mode, .choice,
          "`training` draws dropout masks from the block's seed and normalises with the batch's statistics; `inference` keeps every unit and uses the running statistics",
          example: "mode: training"),
        .storedAs(\.storedAs, example: "as: pass1"),
      ]
  }

  func run(_ context: BlockContext) throws -> [ResultItem] {
    let (network, x) = try modelAndSamples(context)
    let trace = try atOption(context.option("input") ?? context.option("data")) {
      try network.forward(x, mode: mode.mode(context))
    }
    storeForwardValues(trace, network, under: context.resultName, context)
    let extra = RegularizationTables(
      trace: trace, network: network, owner: context.resultName, context: context)
    extra.store()
    guard context.showsResults else { return [] }
    return [
      .table(
        forwardTable(trace, network, owner: context.resultName, context, caption: context.caption))
    ] + extra.tables().map { .table($0) }
  }
}
