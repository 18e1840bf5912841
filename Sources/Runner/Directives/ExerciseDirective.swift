import Notebook

/// ```exercise```: the start of a numbered exercise.
struct ExerciseDirective: Directive {
  var title = ""
  var points = 1

  static let kind = DirectiveKind.exercise
  static let syntax: DirectiveSyntax = .options(name: .optional("an optional label"))

  /// Nothing: it only reads.
  func changes(_ block: DirectiveBlock) -> [String] { [] }
  static let summary = "the start of a numbered exercise, with its title and points"
  static let storedValues =
    "none; the exercise's number, title and points go into the key's summary"

  static var fields: [OptionField<Self>] {
    [
      .option("title", \.title, .text, "the exercise's title", example: "title: One backward pass"),
      .option(
        "points", \.points, .integer(in: 0...1000), "points for each blank in the exercise",
        example: "points: 2"),
    ]
  }

  func run(_ context: BlockContext) throws -> [ResultItem] {
    context.namespace.exerciseCount += 1
    return [.exercise(number: context.namespace.exerciseCount, title: title, points: points)]
  }
}
