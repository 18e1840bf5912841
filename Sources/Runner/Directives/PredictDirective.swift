import NeuralEngine
import Notebook

/// ```predict MODEL```: outputs for given inputs.
struct PredictDirective: ModelPass {
  var inputs = PassInputs()
  var storedAs: String?

  static let kind = DirectiveKind.predict
  static let syntax: DirectiveSyntax = .options(name: .required("the model it works on"))

  /// Nothing: it only reads.
  func changes(_ block: DirectiveBlock) -> [String] { [] }
  static let summary = "a model's outputs for given inputs"
  static let storedValues = "`y1`, `y2`… (or `y1_2` for several outputs) and `class1`…"

  static var fields: [OptionField<Self>] {
    PassInputs.fields(
      \.inputs, input: "inputs, samples separated by `;`", example: "input: 0 0; 0 1; 1 0; 1 1")
      + [.storedAs(\.storedAs, example: "as: guesses")]
  }

  func run(_ context: BlockContext) throws -> [ResultItem] {
    let (network, x) = try modelAndSamples(context)
    let y = try atOption(context.option("input") ?? context.option("data")) {
      try network.predict(x)
    }
    let owner = context.resultName
    let classes = y.argmaxPerRow()
    for r in 0..<y.rows {
      for c in 0..<y.columns {
        context.store(.prediction(owner, sample: r, output: y.columns == 1 ? nil : c), y[r, c])
      }
      if y.columns > 1 { context.store(.predictedClass(owner, sample: r), Double(classes[r])) }
    }
    guard context.showsResults else { return [] }
    // An image's pixels say nothing in a table: its sample number stands for it, and the
    // outputs are named by the class they score (p0…p9, as `class` counts from 0).
    if network.inputCount > 8, y.columns > 1 {
      let header = ["Sample"] + (0..<y.columns).map { "p\($0)" } + ["class"]
      let rows = (0..<x.rows).map { r -> [Cell] in
        [.integer(r + 1)] + (0..<y.columns).map { Cell.number(y[r, $0], decimals: nil) }
          + [.integer(classes[r])]
      }
      return [
        .table(
          Table(caption: context.caption, header: header, rows: rows, precision: context.precision))
      ]
    }
    let inputNames = network.inputNames ?? (1...network.inputCount).map { "x\($0)" }
    let shownInputs = min(network.inputCount, 8)
    var header = Array(inputNames.prefix(shownInputs))
    if network.inputCount > shownInputs { header.append("…") }
    header += y.columns == 1 ? ["ŷ"] : (1...y.columns).map { "ŷ\($0)" } + ["class"]
    let rows = (0..<x.rows).map { r -> [Cell] in
      var cells = (0..<shownInputs).map { Cell.number(x[r, $0], decimals: nil) }
      if network.inputCount > shownInputs { cells.append(.text("…")) }
      cells += (0..<y.columns).map { Cell.number(y[r, $0], decimals: nil) }
      if y.columns > 1 { cells.append(.integer(classes[r])) }
      return cells
    }
    return [
      .table(
        Table(caption: context.caption, header: header, rows: rows, precision: context.precision))
    ]
  }
}
