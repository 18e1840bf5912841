import NeuralEngine
import Notebook

/// ```softmax NAME```: the softmax of a vector of scores, worked out: each score, its
/// exponential, the sum, and each share of it.
struct SoftmaxDirective: Directive {
  var scores: [Double] = []
  var classes: [String]?

  static let kind = DirectiveKind.softmax
  static let syntax: DirectiveSyntax = .options(
    name: .required("the name its values are stored under"))

  /// Nothing: it only reads.
  func changes(_ block: DirectiveBlock) -> [String] { [] }
  static let summary =
    "softmax worked out: the scores, their exponentials, the sum, and each probability"
  static let storedValues =
    "`exp1`, `exp2`… (e^z), `sum` (Σ e^z), `p1`, `p2`… (the probabilities), `class` (the most probable, from 1)"

  static var fields: [OptionField<Self>] {
    [
      .option("scores", \.scores, .numbers, "the scores z (logits)", example: "scores: 2 1 0.1"),
      .option(
        "classes", \.classes, .words, "a name per score", example: "classes: cat dog bird",
        default: "1, 2, 3…"),
    ]
  }

  func validate(_ block: DirectiveBlock) -> [BlockError] {
    var errors: [BlockError] = []
    if scores.count < 2 {
      errors.append(
        BlockError(
          "softmax needs 'scores': at least two numbers", at: block.option("scores"),
          hint: "e.g. 'scores: 2 1 0.1'"))
    }
    if scores.count > 100 {
      errors.append(
        BlockError("a worked softmax takes at most 100 scores", at: block.option("scores")))
    }
    if let classes, classes.count != scores.count {
      errors.append(
        BlockError(
          "'classes' names \(classes.count) classes for \(scores.count) scores",
          at: block.option("classes")))
    }
    return errors
  }

  func run(_ context: BlockContext) throws -> [ResultItem] {
    let owner = context.resultName
    // The engine's softmax (shifted by the largest score, so e^z never overflows).
    let probabilities = try Activation.softmax.apply(Matrix([scores])).elements
    let exponentials = scores.map { Double.exp($0) }
    let sum = exponentials.reduce(0, +)
    guard sum.isFinite else {
      throw BlockError(
        "e^z overflows for a score this large; the table shows e^z, so keep the scores below 700",
        at: context.option("scores"))
    }
    let names = classes ?? scores.indices.map { "\($0 + 1)" }
    var rows: [[Cell]] = []
    for (k, z) in scores.enumerated() {
      context.store(.named(owner, "exp\(k + 1)"), exponentials[k])
      context.store(.named(owner, "p\(k + 1)"), probabilities[k])
      rows.append([
        .text(names[k]), .number(z, decimals: nil),
        .keyed(.named(owner, "exp\(k + 1)"), .number(exponentials[k])),
        .formula([
          .number(exponentials[k], decimals: nil), .text(" / "), .number(sum, decimals: nil),
          .text(" = "),
          .keyed(.named(owner, "p\(k + 1)"), .number(probabilities[k], decimals: nil)),
        ]),
      ])
    }
    context.store(.named(owner, "sum"), sum)
    let best = probabilities.indices.max { probabilities[$0] < probabilities[$1] } ?? 0
    context.store(.named(owner, "class"), Double(best + 1))
    rows.append([
      .text("Σ"), .empty, .keyed(.named(owner, "sum"), .number(sum)),
      .number(probabilities.reduce(0, +)),
    ])
    guard context.showsResults else { return [] }
    return [
      .table(
        Table(
          caption: context.caption, header: ["Class", "Score z", "e^z", "softmax = e^z / Σ e^z"],
          rows: rows, precision: context.precision))
    ]
  }
}
