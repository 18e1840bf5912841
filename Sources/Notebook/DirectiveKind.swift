/// The directives a notebook's fenced blocks can name: their syntax only. What each
/// directive's options mean, and how it runs, is declared with it in the Runner module.
public enum DirectiveKind: String, CaseIterable, Hashable, Sendable {
  case data, model, forward, backward, train, evaluate, predict, loss, expr, perceptron, plot,
    expect, exercise, softmax, gradcheck, activation

  /// How the block's body is written.
  public enum Body: Sendable {
    /// `key: value` lines (indented lines continue the value above).
    case options
    /// `name = expression` lines, plus `key: value` lines for the block options.
    case equations
    /// One assertion per line, plus `key: value` lines for the block options.
    case assertions
  }

  /// What the reader must know of a directive before anything runs: how its body is
  /// written, what the word after it names, and whether that word is required. One
  /// exhaustive switch (no `default:`), so a new directive without its syntax does not
  /// compile.
  public struct Syntax: Sendable {
    public let body: Body
    public let needsName: Bool
    /// What the word after the directive names, for messages and the reference.
    public let nameRole: String
  }

  public var syntax: Syntax {
    switch self {
    case .data: Syntax(body: .options, needsName: true, nameRole: "the data set it defines")
    case .model: Syntax(body: .options, needsName: true, nameRole: "the model it defines")
    case .forward, .backward, .train, .evaluate, .predict:
      Syntax(body: .options, needsName: true, nameRole: "the model it works on")
    case .loss, .softmax, .activation:
      Syntax(body: .options, needsName: true, nameRole: "the name its values are stored under")
    case .gradcheck:
      Syntax(body: .options, needsName: true, nameRole: "the model whose gradients it checks")
    case .expr: Syntax(body: .equations, needsName: true, nameRole: "the graph it defines")
    case .perceptron: Syntax(body: .options, needsName: true, nameRole: "the unit it defines")
    case .plot:
      Syntax(
        body: .options, needsName: false,
        nameRole: "the model, graph, unit or data set it draws (none for activations and curves)")
    case .expect: Syntax(body: .assertions, needsName: false, nameRole: "an optional label")
    case .exercise: Syntax(body: .options, needsName: false, nameRole: "an optional label")
    }
  }
}
